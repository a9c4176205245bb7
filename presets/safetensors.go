package presets

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tscale/tscale/scale"
)

// The bounds of what tscale reads of a checkpoint. Only headers are read,
// never tensor data.
const (
	// MaxSafetensorsHeaderBytes is the longest JSON header tscale reads
	// from one .safetensors file: 100,000,000 bytes, the safetensors
	// format's own limit (MAX_HEADER_SIZE in the safetensors crate).
	MaxSafetensorsHeaderBytes = 100_000_000
	// MaxCheckpointHeaderBytes bounds the headers of all the files of one
	// checkpoint together (256 MiB), so that an index naming many shards
	// cannot make tscale read without end.
	MaxCheckpointHeaderBytes = 256 << 20
	// MaxCheckpointFiles is the most shards an index may name.
	MaxCheckpointFiles = 10_000
	// MaxCheckpointTensors is the most tensors a checkpoint may hold.
	MaxCheckpointTensors = 10_000_000
	// MaxIndexBytes is the largest model.safetensors.index.json tscale
	// reads (64 MiB; DeepSeek-V3's is about 9 MB).
	MaxIndexBytes = 64 << 20
)

// ErrCheckpoint: a checkpoint file or index is malformed or past a bound;
// the error names the file and what is wrong.
var ErrCheckpoint = errors.New("malformed checkpoint")

// SafetensorsTensor is one entry of a safetensors header: a tensor's name,
// type, shape and where its data lies in the file's data section.
type SafetensorsTensor struct {
	Name  string
	DType scale.TensorDType
	Shape []int64
	// Begin and End are data_offsets, relative to the data section.
	Begin, End int64
}

// SafetensorsHeaderLength reads the 8-byte little-endian header length at
// the start of a safetensors file of fileSize bytes, and refuses one that
// is past MaxSafetensorsHeaderBytes or the file.
func SafetensorsHeaderLength(prefix []byte, fileSize int64) (int64, error) {
	if len(prefix) < 8 || fileSize < 8 {
		return 0, fmt.Errorf("%w: shorter than the 8-byte header length", ErrCheckpoint)
	}
	n := binary.LittleEndian.Uint64(prefix[:8])
	switch {
	case n > MaxSafetensorsHeaderBytes:
		return 0, fmt.Errorf("%w: header length %d is past the safetensors limit of %d bytes", ErrCheckpoint, n,
			MaxSafetensorsHeaderBytes)
	case int64(n) > fileSize-8:
		return 0, fmt.Errorf("%w: header length %d is past the end of the file (%d bytes)", ErrCheckpoint, n, fileSize)
	case n < 2:
		return 0, fmt.Errorf("%w: header length %d is too short for a JSON object", ErrCheckpoint, n)
	}
	return int64(n), nil
}

// ParseSafetensorsHeader parses the JSON header of a safetensors file whose
// data section is dataSize bytes, checking what the format requires: a
// known dtype per tensor, a shape of non-negative integers, data_offsets
// whose length is the tensor's bytes, and tensors that cover the data
// section exactly, without overlap. The tensors come back sorted by name.
func ParseSafetensorsHeader(header []byte, dataSize int64) ([]SafetensorsTensor, error) {
	if len(header) == 0 || header[0] != '{' {
		return nil, fmt.Errorf("%w: the header is not a JSON object", ErrCheckpoint)
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber()
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCheckpoint, err)
	}
	if rest := bytes.TrimRight(header[dec.InputOffset():], " \t\r\n\x00"); len(rest) > 0 {
		return nil, fmt.Errorf("%w: data after the header's JSON object", ErrCheckpoint)
	}
	if len(m) > MaxCheckpointTensors {
		return nil, fmt.Errorf("%w: %d tensors in one file, more than the %d tscale reads", ErrCheckpoint, len(m),
			MaxCheckpointTensors)
	}
	tensors := make([]SafetensorsTensor, 0, len(m))
	for name, raw := range m {
		if name == "__metadata__" {
			var meta map[string]string
			if err := json.Unmarshal(raw, &meta); err != nil {
				return nil, fmt.Errorf("%w: __metadata__ must map strings to strings", ErrCheckpoint)
			}
			continue
		}
		t, err := parseHeaderEntry(name, raw)
		if err != nil {
			return nil, err
		}
		tensors = append(tensors, t)
	}
	// The data section is covered exactly: sorted by offset, each tensor
	// starts where the previous one ends.
	sort.Slice(tensors, func(i, j int) bool {
		if tensors[i].Begin != tensors[j].Begin {
			return tensors[i].Begin < tensors[j].Begin
		}
		return tensors[i].End < tensors[j].End
	})
	var at int64
	for _, t := range tensors {
		if t.Begin != at {
			return nil, fmt.Errorf("%w: tensor %q starts at byte %d of the data, where %d was expected (a gap or an overlap)",
				ErrCheckpoint, t.Name, t.Begin, at)
		}
		at = t.End
	}
	if at != dataSize {
		return nil, fmt.Errorf("%w: the tensors cover %d bytes of data, but the file holds %d after its header", ErrCheckpoint,
			at, dataSize)
	}
	sort.Slice(tensors, func(i, j int) bool { return tensors[i].Name < tensors[j].Name })
	return tensors, nil
}

// parseHeaderEntry reads one tensor's entry of a safetensors header.
func parseHeaderEntry(name string, raw json.RawMessage) (SafetensorsTensor, error) {
	fail := func(format string, args ...any) (SafetensorsTensor, error) {
		return SafetensorsTensor{}, fmt.Errorf("%w: tensor %q: %s", ErrCheckpoint, name, fmt.Sprintf(format, args...))
	}
	var e struct {
		DType       string        `json:"dtype"`
		Shape       []json.Number `json:"shape"`
		DataOffsets []json.Number `json:"data_offsets"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&e); err != nil {
		return fail("%v", err)
	}
	t := SafetensorsTensor{Name: name, DType: scale.TensorDType(e.DType), Shape: make([]int64, len(e.Shape))}
	if t.DType.Bits() == 0 {
		return fail("unknown dtype %q", e.DType)
	}
	if e.Shape == nil {
		return fail("no shape")
	}
	elements := uint64(1)
	overflow := false
	for i, d := range e.Shape {
		n, err := d.Int64()
		if err != nil || n < 0 {
			return fail("shape %v is not a list of non-negative integers", e.Shape)
		}
		t.Shape[i] = n
		hi, lo := bits.Mul64(elements, uint64(n))
		overflow = overflow || hi != 0 || lo > math.MaxInt64
		elements = lo
	}
	if len(e.DataOffsets) != 2 {
		return fail("data_offsets must be [begin, end]")
	}
	var err1, err2 error
	t.Begin, err1 = e.DataOffsets[0].Int64()
	t.End, err2 = e.DataOffsets[1].Int64()
	if err1 != nil || err2 != nil || t.Begin < 0 || t.End < t.Begin {
		return fail("data_offsets %v are not 0 ≤ begin ≤ end", e.DataOffsets)
	}
	hi, bitCount := bits.Mul64(elements, uint64(t.DType.Bits()))
	if overflow || hi != 0 || bitCount/8 > math.MaxInt64 {
		return fail("shape %v is too large", t.Shape)
	}
	if bitCount%8 != 0 || int64(bitCount/8) != t.End-t.Begin {
		return fail("%d elements of %s take %d bits, but data_offsets give %d bytes", elements, t.DType, bitCount,
			t.End-t.Begin)
	}
	return t, nil
}

// SafetensorsIndex is a model.safetensors.index.json: which shard holds
// each tensor.
type SafetensorsIndex struct {
	// Files are the shards, in name order.
	Files []string
	// WeightMap maps each tensor to its shard.
	WeightMap map[string]string
	// TotalSize is metadata.total_size, the bytes of tensor data (0 when
	// absent).
	TotalSize int64
}

// ParseSafetensorsIndex parses a model.safetensors.index.json. Each shard
// must be a plain file name in the index's folder (no path), and there may
// be at most MaxCheckpointFiles of them.
func ParseSafetensorsIndex(data []byte) (SafetensorsIndex, error) {
	var raw struct {
		Metadata  map[string]any    `json:"metadata"`
		WeightMap map[string]string `json:"weight_map"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return SafetensorsIndex{}, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	if raw.WeightMap == nil {
		return SafetensorsIndex{}, fmt.Errorf("%w: no weight_map", ErrCheckpoint)
	}
	idx := SafetensorsIndex{WeightMap: raw.WeightMap}
	if n, ok := raw.Metadata["total_size"].(json.Number); ok {
		v, err := n.Int64()
		if err != nil {
			// Some indexes write total_size as a float (123.0).
			f, ferr := n.Float64()
			if ferr != nil || f != math.Trunc(f) || f < 0 || f > math.MaxInt64/2 {
				return SafetensorsIndex{}, fmt.Errorf("%w: metadata.total_size %s is not a byte count", ErrCheckpoint, n)
			}
			v = int64(f)
		}
		idx.TotalSize = v
	}
	seen := map[string]bool{}
	for tensor, file := range raw.WeightMap {
		if file == "" || file == "." || file == ".." || strings.ContainsAny(file, `/\`) || filepath.Base(file) != file {
			return SafetensorsIndex{}, fmt.Errorf("%w: weight_map puts %q in %q, which is not a file name in the model's folder",
				ErrCheckpoint, tensor, file)
		}
		if !seen[file] {
			seen[file] = true
			idx.Files = append(idx.Files, file)
		}
	}
	if len(idx.Files) > MaxCheckpointFiles {
		return SafetensorsIndex{}, fmt.Errorf("%w: the index names %d files, more than the %d tscale reads", ErrCheckpoint,
			len(idx.Files), MaxCheckpointFiles)
	}
	sort.Strings(idx.Files)
	return idx, nil
}
