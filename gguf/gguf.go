// Package gguf reads the header of a GGUF file, the format llama.cpp and
// ggml store models in: its metadata (typed key/value pairs) and its tensor
// infos (name, shape, ggml type and data offset). It never reads tensor
// data.
//
// The format is ggml's docs/gguf.md, read as ggml's own reader
// (ggml/src/gguf.cpp) reads it, with its checks: the magic "GGUF", version
// 2 or 3, little-endian; a key or tensor name given once; at most 4
// dimensions, none negative, whose product fits an int64; a row length
// that is a whole number of the type's blocks; general.alignment a power
// of two of at most 1 MiB (default 32); and every tensor's data starting
// where the previous one's ends, padded to the alignment. Read adds that
// every tensor's data lies inside the file.
//
// Reading is bounded: every count and length the file states is checked
// against the bytes left in the file (and against the limits below) before
// anything is allocated or looped over for it, so a hostile 30-byte file
// cannot make Read allocate or work more than its size allows.
package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strings"
)

// The limits of what Read accepts. A file past one is refused with an
// error naming it.
const (
	// MaxHeaderBytes is the most bytes of metadata and tensor infos Read
	// reads (256 MiB; a 256k-token vocabulary with its merges takes ~10 MiB).
	MaxHeaderBytes = 256 << 20
	// MaxTensors is the most tensor infos a file may have (a 61-layer MoE
	// model stores ~1,100 tensors).
	MaxTensors = 1 << 18
	// MaxKeys is the most metadata keys a file may have.
	MaxKeys = 1 << 16
	// MaxStringBytes is the longest string (ggml's GGUF_MAX_STRING_LENGTH).
	MaxStringBytes = 64 << 20
	// MaxArrayLen is the longest array (ggml's GGUF_MAX_ARRAY_ELEMENTS).
	MaxArrayLen = 64 << 20
	// MaxNameBytes is the longest tensor name (ggml's GGML_MAX_NAME, 64,
	// less its terminating zero).
	MaxNameBytes = 63
	// MaxDims is the most dimensions of a tensor (ggml's GGML_MAX_DIMS).
	MaxDims = 4
	// MaxAlignment is the largest general.alignment (ggml's
	// GGUF_MAX_ALIGNMENT, 1 MiB).
	MaxAlignment = 1 << 20
	// DefaultAlignment is the alignment of a file without general.alignment.
	DefaultAlignment = 32
	// MaxKeyBytes is the longest metadata key (real keys are under 100
	// bytes).
	MaxKeyBytes = 4 << 10
	// KeptArrayLen: integer arrays up to this length keep their values
	// (per-layer head counts), up to KeptInts values in all; longer arrays,
	// and arrays of strings (the vocabulary), keep only their length.
	KeptArrayLen = 1 << 12
	KeptInts     = 1 << 20
	// KeptStringBytes: strings up to this length keep their value, up to
	// KeptStringTotal bytes in all; longer ones (a chat template) keep only
	// their length.
	KeptStringBytes = 1 << 16
	KeptStringTotal = 16 << 20
)

// ValueType is the type of a metadata value (gguf_type).
type ValueType uint32

// The metadata value types.
const (
	Uint8 ValueType = iota
	Int8
	Uint16
	Int16
	Uint32
	Int32
	Float32
	Bool
	String
	Array
	Uint64
	Int64
	Float64
)

var valueTypeNames = []string{"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"}

// String is the type's name in ggml (u32, string, array).
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("value type %d", uint32(t))
}

// size is the bytes of one value of a fixed-size type; 0 for strings and
// arrays.
func (t ValueType) size() int64 {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16:
		return 2
	case Uint32, Int32, Float32:
		return 4
	case Uint64, Int64, Float64:
		return 8
	}
	return 0
}

func (t ValueType) integer() bool {
	switch t {
	case Uint8, Int8, Uint16, Int16, Uint32, Int32, Uint64, Int64:
		return true
	}
	return false
}

// Value is one metadata value: a scalar, or an array of one type. Read
// keeps integer and float scalars, booleans, strings up to KeptStringBytes
// and integer arrays up to KeptArrayLen; of anything longer it keeps the
// length.
type Value struct {
	Type ValueType
	// Elem is the element type of an array.
	Elem ValueType
	// Len is the length of an array, or of a string in bytes.
	Len int64

	integer  int64 // an integer type's value that fits an int64
	big      bool  // a u64 past the int64 range
	float    float64
	boolean  bool
	str      string
	ints     []int64 // an integer array's elements
	strs     []string
	kept     bool // the value (or elements) is held, not only its length
	overflow bool // some element of ints is a u64 past the int64 range
}

// Int returns an integer scalar (u8 … i64) as an int64; false for another
// type or a u64 past the int64 range.
func (v Value) Int() (int64, bool) {
	return v.integer, v.Type.integer() && !v.big
}

// Float returns a float scalar (f32, f64).
func (v Value) Float() (float64, bool) {
	return v.float, v.Type == Float32 || v.Type == Float64
}

// Bool returns a boolean scalar.
func (v Value) Bool() (bool, bool) { return v.boolean, v.Type == Bool }

// Str returns a string scalar; false for another type or a string longer
// than KeptStringBytes, which Read does not keep.
func (v Value) Str() (string, bool) { return v.str, v.Type == String && v.kept }

// ArrayLen returns the length of an array.
func (v Value) ArrayLen() (int64, bool) { return v.Len, v.Type == Array }

// Ints returns the elements of an integer array; false for another value,
// an array longer than KeptArrayLen or one holding a u64 past the int64
// range.
func (v Value) Ints() ([]int64, bool) {
	return v.ints, v.Type == Array && v.Elem.integer() && v.kept && !v.overflow
}

// KV is one metadata key and its value.
type KV struct {
	Key   string
	Value Value
}

// TensorInfo is one tensor as the header describes it.
type TensorInfo struct {
	Name string
	// Dims are ggml's ne: Dims[0] is the innermost, contiguous dimension
	// (a linear layer's input features), so a [out, in] PyTorch weight is
	// stored with Dims [in, out].
	Dims   []int64
	Type   Type
	Offset int64 // of its data, from the start of the data section
	// Elements is the product of Dims; Bytes its data:
	// Elements / BlockSize × BlockBytes.
	Elements int64
	Bytes    int64
}

// File is a GGUF file's header.
type File struct {
	Version   uint32
	Alignment int64
	Metadata  []KV
	Tensors   []TensorInfo
	// DataOffset is where the data section starts: the header's end,
	// padded to the alignment.
	DataOffset int64
	// Size is the file's size in bytes.
	Size int64

	keys map[string]int
}

// Get returns the value of metadata key.
func (f *File) Get(key string) (Value, bool) {
	if f.keys == nil {
		f.keys = make(map[string]int, len(f.Metadata))
		for i, kv := range f.Metadata {
			f.keys[kv.Key] = i
		}
	}
	i, ok := f.keys[key]
	if !ok {
		return Value{}, false
	}
	return f.Metadata[i].Value, true
}

// ErrNotGGUF is the error of a file that does not start with the magic
// "GGUF".
var ErrNotGGUF = errors.New("not a GGUF file (it does not start with the bytes \"GGUF\")")

// FormatError is a header that breaks a rule of the format: Offset is the
// byte at which the rule breaks.
type FormatError struct {
	Offset int64
	Msg    string
}

func (e *FormatError) Error() string { return fmt.Sprintf("at byte %d: %s", e.Offset, e.Msg) }

// reader reads the header sequentially, counting bytes and refusing to read
// past the end of the file or MaxHeaderBytes.
type reader struct {
	br      *bufio.Reader
	pos     int64 // bytes read
	size    int64 // the file's size
	err     error
	scratch [8]byte
	// What the header may still keep of values: integers and string bytes.
	keptInts, keptBytes int64
}

func (r *reader) fail(at int64, format string, args ...any) {
	if r.err == nil {
		r.err = &FormatError{Offset: at, Msg: fmt.Sprintf(format, args...)}
	}
}

// left is how many bytes the header may still take: up to the end of the
// file and MaxHeaderBytes.
func (r *reader) left() int64 { return min(r.size, MaxHeaderBytes) - r.pos }

// need checks that n more bytes can be read; what names them for the error.
func (r *reader) need(n int64, what string) bool {
	if r.err != nil {
		return false
	}
	if n > r.left() {
		if r.size-r.pos >= n {
			r.fail(r.pos, "%s (%d bytes) would take the header past %d MiB, the most tscale reads", what, n, MaxHeaderBytes>>20)
		} else {
			r.fail(r.pos, "%s (%d bytes) runs past the end of the file (%d bytes)", what, n, r.size)
		}
		return false
	}
	return true
}

func (r *reader) bytes(n int64, what string) []byte {
	if !r.need(n, what) {
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.br, b); err != nil {
		r.readErr(err)
		return nil
	}
	r.pos += n
	return b
}

func (r *reader) skip(n int64, what string) {
	if !r.need(n, what) {
		return
	}
	if _, err := r.br.Discard(int(n)); err != nil {
		r.readErr(err)
		return
	}
	r.pos += n
}

func (r *reader) readErr(err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		r.fail(r.pos, "the file ends early (it shrank while being read?)")
		return
	}
	if r.err == nil {
		r.err = err
	}
}

// fixed reads n ≤ 8 bytes into the scratch buffer.
func (r *reader) fixed(n int64, what string) []byte {
	if !r.need(n, what) {
		return nil
	}
	b := r.scratch[:n]
	if _, err := io.ReadFull(r.br, b); err != nil {
		r.readErr(err)
		return nil
	}
	r.pos += n
	return b
}

func (r *reader) u32(what string) uint32 {
	b := r.fixed(4, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *reader) u64(what string) uint64 {
	b := r.fixed(8, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// count reads a u64 count of items of at least minBytes bytes each and
// checks it against limit and the bytes left.
func (r *reader) count(what string, limit, minBytes int64) int64 {
	at := r.pos
	n := r.u64(what)
	if r.err != nil {
		return 0
	}
	switch {
	case n > uint64(limit):
		r.fail(at, "%s is %d; tscale reads at most %d", what, n, limit)
		return 0
	case minBytes > 0 && int64(n) > r.left()/minBytes:
		r.fail(at, "%s is %d, more than the %d bytes left in the header can hold", what, n, r.left())
		return 0
	}
	return int64(n)
}

// str reads a string: a u64 length and its bytes. Up to keep bytes are
// returned; a longer string is skipped and returned as "" with kept false.
func (r *reader) str(what string, keep int64) (s string, length int64, kept bool) {
	at := r.pos
	n := r.u64(what + " length")
	if r.err != nil {
		return "", 0, false
	}
	if n > MaxStringBytes {
		r.fail(at, "%s is %d bytes long; the longest GGUF string is %d", what, n, MaxStringBytes)
		return "", 0, false
	}
	if int64(n) > keep {
		r.skip(int64(n), what)
		return "", int64(n), false
	}
	b := r.bytes(int64(n), what)
	return string(b), int64(n), r.err == nil
}

// Read reads the header of the GGUF file of size bytes that r reads from
// its start: metadata and tensor infos, never tensor data. It reads at most
// MaxHeaderBytes and never past size; the error of a file that breaks a
// rule of the format is a *FormatError, and that of a file without the
// magic ErrNotGGUF.
func Read(r io.Reader, size int64) (*File, error) {
	rd := &reader{br: bufio.NewReaderSize(r, 64<<10), size: size, keptInts: KeptInts, keptBytes: KeptStringTotal}
	f, err := rd.file()
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (r *reader) file() (*File, error) {
	if r.size < 4 {
		return nil, ErrNotGGUF
	}
	if magic := r.bytes(4, "the magic"); r.err != nil || string(magic) != "GGUF" {
		if r.err != nil {
			return nil, r.err
		}
		return nil, ErrNotGGUF
	}
	f := &File{Size: r.size, Alignment: DefaultAlignment}
	f.Version = r.u32("the version")
	switch {
	case r.err != nil:
	case f.Version&0xFFFF == 0 && f.Version != 0:
		r.fail(4, "version %#x: a big-endian GGUF file, which tscale does not read", f.Version)
	case f.Version != 2 && f.Version != 3:
		r.fail(4, "version %d; tscale reads GGUF versions 2 and 3", f.Version)
	}
	// A tensor info takes at least 29 bytes (an empty name, 0 dimensions, a
	// type and an offset); a key/value pair at least 13 (an empty key, a
	// type and a one-byte value).
	nTensors := r.count("the tensor count", MaxTensors, 8+4+4+8)
	nKV := r.count("the metadata key count", MaxKeys, 8+4+1)
	if r.err != nil {
		return nil, r.err
	}
	f.Metadata = make([]KV, 0, nKV)
	f.keys = make(map[string]int, nKV)
	for i := int64(0); i < nKV && r.err == nil; i++ {
		at := r.pos
		key, n, _ := r.str(fmt.Sprintf("metadata key %d", i), MaxKeyBytes)
		if r.err != nil {
			break
		}
		if int64(len(key)) != n {
			r.fail(at, "metadata key %d is %d bytes long; tscale reads keys of at most %d", i, n, MaxKeyBytes)
			break
		}
		if _, dup := f.keys[key]; dup {
			r.fail(at, "metadata key %q is given twice", key)
			break
		}
		v := r.value(key)
		f.keys[key] = len(f.Metadata)
		f.Metadata = append(f.Metadata, KV{Key: key, Value: v})
	}
	if r.err != nil {
		return nil, r.err
	}
	if v, ok := f.Get("general.alignment"); ok {
		a, isInt := v.Int()
		switch {
		case v.Type != Uint32 || !isInt:
			r.fail(r.pos, "general.alignment must be a u32, got a %s", v.Type)
		case a == 0 || a&(a-1) != 0:
			r.fail(r.pos, "general.alignment %d is not a power of two", a)
		case a > MaxAlignment:
			r.fail(r.pos, "general.alignment %d is more than %d, the largest ggml accepts", a, MaxAlignment)
		default:
			f.Alignment = a
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	f.Tensors = make([]TensorInfo, 0, nTensors)
	names := make(map[string]bool, nTensors)
	for i := int64(0); i < nTensors && r.err == nil; i++ {
		t := r.tensorInfo(i)
		if r.err != nil {
			break
		}
		if names[t.Name] {
			r.fail(r.pos, "tensor name %q is given twice", t.Name)
			break
		}
		names[t.Name] = true
		f.Tensors = append(f.Tensors, t)
	}
	if r.err != nil {
		return nil, r.err
	}
	f.DataOffset = pad(r.pos, f.Alignment)
	if err := f.checkData(); err != nil {
		return nil, err
	}
	return f, nil
}

// value reads the type and value of metadata key.
func (r *reader) value(key string) Value {
	at := r.pos
	v := Value{Type: ValueType(r.u32(key + "'s type"))}
	if r.err != nil {
		return v
	}
	if v.Type != Array {
		r.scalar(key, &v, at)
		return v
	}
	v.Elem = ValueType(r.u32(key + "'s element type"))
	if r.err != nil {
		return v
	}
	if v.Elem == Array || v.Elem.size() == 0 && v.Elem != String {
		r.fail(at, "metadata %q is an array of %s, not of a GGUF value type", key, v.Elem)
		return v
	}
	minBytes := v.Elem.size()
	if v.Elem == String {
		minBytes = 8 // a string's length
	}
	v.Len = r.count(fmt.Sprintf("the length of metadata array %q", key), MaxArrayLen, minBytes)
	if r.err != nil {
		return v
	}
	switch {
	case v.Elem == String:
		// Each string's length is read to skip it: the loop is bounded by the
		// bytes left, as each element takes at least 8.
		what := fmt.Sprintf("an element of metadata array %q", key)
		for i := int64(0); i < v.Len && r.err == nil; i++ {
			r.str(what, 0)
			var fe *FormatError
			if errors.As(r.err, &fe) {
				fe.Msg = strings.Replace(fe.Msg, "an element of", fmt.Sprintf("element %d of", i), 1)
			}
		}
	case v.Elem.integer() && v.Len <= KeptArrayLen && v.Len <= r.keptInts:
		r.keptInts -= v.Len
		v.ints = make([]int64, v.Len)
		for i := range v.ints {
			e := Value{Type: v.Elem}
			r.scalar(key, &e, r.pos)
			v.ints[i] = e.integer
			v.overflow = v.overflow || e.big
		}
		v.kept = r.err == nil
	default:
		r.skip(v.Len*v.Elem.size(), fmt.Sprintf("metadata array %q", key))
	}
	return v
}

// scalar reads a value of the fixed-size or string type v.Type into v.
func (r *reader) scalar(key string, v *Value, at int64) {
	what := "metadata " + fmt.Sprintf("%q", key)
	if v.Type == String {
		v.str, v.Len, v.kept = r.str(what, min(KeptStringBytes, r.keptBytes))
		r.keptBytes -= int64(len(v.str))
		return
	}
	size := v.Type.size()
	if size == 0 {
		r.fail(at, "%s has type %d, not a GGUF value type", what, uint32(v.Type))
		return
	}
	b := r.fixed(size, what)
	if b == nil {
		return
	}
	v.kept = true
	switch v.Type {
	case Uint8:
		v.integer = int64(b[0])
	case Int8:
		v.integer = int64(int8(b[0]))
	case Bool:
		v.boolean = b[0] != 0
	case Uint16:
		v.integer = int64(binary.LittleEndian.Uint16(b))
	case Int16:
		v.integer = int64(int16(binary.LittleEndian.Uint16(b)))
	case Uint32:
		v.integer = int64(binary.LittleEndian.Uint32(b))
	case Int32:
		v.integer = int64(int32(binary.LittleEndian.Uint32(b)))
	case Float32:
		v.float = float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	case Uint64:
		u := binary.LittleEndian.Uint64(b)
		v.integer, v.big = int64(u), u > math.MaxInt64
	case Int64:
		v.integer = int64(binary.LittleEndian.Uint64(b))
	case Float64:
		v.float = math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
}

// tensorInfo reads tensor info i: name, dimensions, type and offset.
func (r *reader) tensorInfo(i int64) TensorInfo {
	at := r.pos
	var t TensorInfo
	name, n, _ := r.str(fmt.Sprintf("the name of tensor %d", i), MaxNameBytes)
	if r.err != nil {
		return t
	}
	if int64(len(name)) != n {
		r.fail(at, "the name of tensor %d is %d bytes long; ggml's longest is %d", i, n, MaxNameBytes)
		return t
	}
	t.Name = name
	nDims := r.u32(fmt.Sprintf("the dimension count of tensor %q", name))
	if r.err != nil {
		return t
	}
	if nDims > MaxDims {
		r.fail(r.pos-4, "tensor %q has %d dimensions; ggml's most is %d", name, nDims, MaxDims)
		return t
	}
	t.Dims = make([]int64, nDims)
	t.Elements = 1
	for j := range t.Dims {
		d := r.u64(fmt.Sprintf("dimension %d of tensor %q", j, name))
		if r.err != nil {
			return t
		}
		if d > math.MaxInt64 {
			r.fail(r.pos-8, "dimension %d of tensor %q is negative (%d as an int64)", j, name, int64(d))
			return t
		}
		t.Dims[j] = int64(d)
		hi, lo := bits.Mul64(uint64(t.Elements), d)
		if hi != 0 || lo > math.MaxInt64 {
			r.fail(r.pos-8, "tensor %q has more elements than an int64 holds (dimensions %v…)", name, t.Dims[:j+1])
			return t
		}
		t.Elements = int64(lo)
	}
	typeAt := r.pos
	t.Type = Type(r.u32(fmt.Sprintf("the type of tensor %q", name)))
	if r.err != nil {
		return t
	}
	if !t.Type.Known() {
		r.fail(typeAt, "tensor %q has ggml type %d, which ggml does not read from GGUF files", name, uint32(t.Type))
		return t
	}
	row := int64(1)
	if len(t.Dims) > 0 {
		row = t.Dims[0]
	}
	if row%t.Type.BlockSize() != 0 {
		r.fail(typeAt, "tensor %q of type %s has rows of %d values, not a multiple of its block of %d",
			name, t.Type, row, t.Type.BlockSize())
		return t
	}
	hi, lo := bits.Mul64(uint64(t.Elements/t.Type.BlockSize()), uint64(t.Type.BlockBytes()))
	if hi != 0 || lo > math.MaxInt64 {
		r.fail(typeAt, "tensor %q takes more bytes than an int64 holds", name)
		return t
	}
	t.Bytes = int64(lo)
	off := r.u64(fmt.Sprintf("the data offset of tensor %q", name))
	if off > math.MaxInt64 {
		r.fail(r.pos-8, "tensor %q has data offset %d, past any file", name, off)
	}
	t.Offset = int64(off)
	return t
}

// checkData checks that the tensors' data follow one another from the start
// of the data section, each padded to the alignment, as ggml lays them out
// and requires, and that the file holds all of it.
func (f *File) checkData() error {
	next := int64(0)
	for _, t := range f.Tensors {
		if t.Offset != next {
			return &FormatError{Offset: f.DataOffset,
				Msg: fmt.Sprintf("tensor %q has data offset %d; ggml lays each tensor's data after the previous one's, padded to %d bytes, at %d",
					t.Name, t.Offset, f.Alignment, next)}
		}
		if f.DataOffset > f.Size || t.Bytes > f.Size-f.DataOffset-t.Offset { // t.Offset = next ≤ the file's size
			return &FormatError{Offset: f.DataOffset,
				Msg: fmt.Sprintf("tensor %q's %d bytes of data, at byte %d, run past the end of the file (%d bytes): is it truncated?",
					t.Name, t.Bytes, f.DataOffset+t.Offset, f.Size)}
		}
		next = pad(t.Offset+t.Bytes, f.Alignment)
	}
	return nil
}

// DataBytes is the bytes of tensor data the header describes: the sum of
// every tensor's Bytes, without the padding between them.
func (f *File) DataBytes() int64 {
	var n int64
	for _, t := range f.Tensors {
		n += t.Bytes // each is inside the file: the sum fits
	}
	return n
}

// pad rounds n up to a multiple of align (a power of two).
func pad(n, align int64) int64 { return (n + align - 1) &^ (align - 1) }
