package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// The files of a model folder tscale reads.
const (
	modelConfig      = "config.json"
	safetensorsIndex = "model.safetensors.index.json"
	safetensorsFile  = "model.safetensors"
)

// readModelFolder reads a Hugging Face model folder: dir/config.json, and
// when the folder holds a safetensors checkpoint (model.safetensors.index.json
// and its shards, or one model.safetensors), the headers of its files,
// never their tensor data. The preset is named after the folder.
func readModelFolder(fsys fileSystem, dir string) (presets.Preset, error) {
	config := filepath.Join(dir, modelConfig)
	if _, err := fsys.Stat(config); errors.Is(err, fs.ErrNotExist) {
		return presets.Preset{}, fmt.Errorf("%s is a folder without a %s (-hf reads a config file, or a model folder that "+
			"holds config.json)", dir, modelConfig)
	}
	data, err := readConfigFile(fsys, config)
	if err != nil {
		return presets.Preset{}, err
	}
	p, err := presets.FromHFConfig(config, data)
	if err != nil {
		return presets.Preset{}, err
	}
	ck, err := readCheckpoint(fsys, dir)
	if err != nil || ck == nil {
		return p, err
	}
	if !presets.HasCheckpointNames(p.Family) {
		return presets.Preset{}, fmt.Errorf("%s: tscale does not map model_type %s's tensor names to its ops yet; "+
			"-hf %s reports the config alone", dir, p.Family, config)
	}
	ck.Tensors = presets.CheckpointTensors(p.Family, p.Config, ck.raw)
	p.Checkpoint = &ck.Checkpoint
	return p, nil
}

// addCheckpoint sets r's params.checkpoint when p carries the headers of a
// checkpoint: its tensors checked against p's config.
func addCheckpoint(p presets.Preset, r *scale.Report) error {
	ck := p.Checkpoint
	if ck == nil {
		return nil
	}
	var err error
	if r.Params.Checkpoint, err = scale.CompareCheckpoint(p.Config, int64(len(ck.Files)), ck.IndexTotalSize, ck.Tensors); err != nil {
		return fmt.Errorf("preset %q: checkpoint: %w", p.Slug, err)
	}
	return nil
}

// checkpointRead is a checkpoint's headers, before their names are mapped.
type checkpointRead struct {
	presets.Checkpoint
	raw []presets.SafetensorsTensor
}

// readCheckpoint reads the safetensors headers of model folder dir: the
// shards its index names, or model.safetensors; nil when it has neither.
// Every read is bounded: an index of at most presets.MaxIndexBytes, headers
// of at most presets.MaxSafetensorsHeaderBytes each and
// presets.MaxCheckpointHeaderBytes together, at most
// presets.MaxCheckpointTensors tensors.
func readCheckpoint(fsys fileSystem, dir string) (*checkpointRead, error) {
	ck := &checkpointRead{}
	var index *presets.SafetensorsIndex
	indexPath := filepath.Join(dir, safetensorsIndex)
	switch _, err := fsys.Stat(indexPath); {
	case err == nil:
		data, err := readBoundedFile(fsys, indexPath, presets.MaxIndexBytes)
		if err != nil {
			return nil, err
		}
		idx, err := presets.ParseSafetensorsIndex(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", indexPath, err)
		}
		index = &idx
		ck.Files, ck.IndexTotalSize = idx.Files, idx.TotalSize
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w", indexPath, cause(err))
	default:
		single := filepath.Join(dir, safetensorsFile)
		if _, err := fsys.Stat(single); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		ck.Files = []string{safetensorsFile}
	}
	var headerBytes int64
	inFile := map[string]string{}
	for _, file := range ck.Files {
		path := filepath.Join(dir, file)
		tensors, n, err := readSafetensorsHeader(fsys, path, presets.MaxCheckpointHeaderBytes-headerBytes)
		if err != nil {
			return nil, err
		}
		headerBytes += n
		for _, t := range tensors {
			if other, dup := inFile[t.Name]; dup {
				return nil, fmt.Errorf("%s: %w: tensor %q is also in %s", path, presets.ErrCheckpoint, t.Name, other)
			}
			if index != nil && index.WeightMap[t.Name] != file {
				return nil, fmt.Errorf("%s: %w: tensor %q is not in %s's weight_map for this file", path, presets.ErrCheckpoint,
					t.Name, safetensorsIndex)
			}
			inFile[t.Name] = file
		}
		if len(ck.raw)+len(tensors) > presets.MaxCheckpointTensors {
			return nil, fmt.Errorf("%s: %w: more than %d tensors", dir, presets.ErrCheckpoint, presets.MaxCheckpointTensors)
		}
		ck.raw = append(ck.raw, tensors...)
	}
	if index != nil {
		var absent []string
		for name, file := range index.WeightMap {
			if inFile[name] != file {
				absent = append(absent, name)
			}
		}
		if len(absent) > 0 {
			sort.Strings(absent)
			return nil, fmt.Errorf("%s: %w: weight_map names %d tensors its files do not hold, first %q in %s", indexPath,
				presets.ErrCheckpoint, len(absent), absent[0], index.WeightMap[absent[0]])
		}
	}
	return ck, nil
}

// readSafetensorsHeader reads the header of the safetensors file at path:
// its 8-byte length, then that many bytes of JSON (at most budget), never
// the data after them. n is the header's length.
func readSafetensorsHeader(fsys fileSystem, path string, budget int64) (tensors []presets.SafetensorsTensor, n int64, err error) {
	info, err := fsys.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, 0, fmt.Errorf("%s: no such file", path)
	case err != nil:
		return nil, 0, fmt.Errorf("%s: %w", path, cause(err))
	case !info.Mode().IsRegular():
		return nil, 0, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := fsys.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, cause(err))
	}
	defer f.Close()
	var prefix [8]byte
	if _, err := io.ReadFull(f, prefix[:]); err != nil {
		return nil, 0, fmt.Errorf("%s: %w: shorter than the 8-byte header length", path, presets.ErrCheckpoint)
	}
	n, err = presets.SafetensorsHeaderLength(prefix[:], info.Size())
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if n > budget {
		return nil, 0, fmt.Errorf("%s: %w: the checkpoint's headers pass %d MiB together, the most tscale reads", path,
			presets.ErrCheckpoint, presets.MaxCheckpointHeaderBytes>>20)
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(f, header); err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, cause(err))
	}
	tensors, err = presets.ParseSafetensorsHeader(header, info.Size()-8-n)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return tensors, n, nil
}

// readBoundedFile reads the regular file at path, of at most limit bytes.
func readBoundedFile(fsys fileSystem, path string, limit int64) ([]byte, error) {
	info, err := fsys.Stat(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, cause(err))
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", path)
	case info.Size() > limit:
		return nil, fmt.Errorf("%s is larger than %d MiB, the most tscale reads", path, limit>>20)
	}
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, cause(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", path, cause(err))
	case int64(len(data)) > limit:
		return nil, fmt.Errorf("%s is larger than %d MiB, the most tscale reads", path, limit>>20)
	}
	return data, nil
}
