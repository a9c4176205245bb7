package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Values to build a header with (Encode): what Read returns for the same
// bytes, arrays kept whatever their length.

// Str is a string value.
func Str(s string) Value { return Value{Type: String, Len: int64(len(s)), str: s, kept: true} }

// U32 is a u32 value.
func U32(n uint32) Value { return Value{Type: Uint32, integer: int64(n), kept: true} }

// I32 is an i32 value.
func I32(n int32) Value { return Value{Type: Int32, integer: int64(n), kept: true} }

// U64 is a u64 value.
func U64(n uint64) Value {
	return Value{Type: Uint64, integer: int64(n), big: n > math.MaxInt64, kept: true}
}

// F32 is an f32 value.
func F32(x float32) Value { return Value{Type: Float32, float: float64(x), kept: true} }

// BoolValue is a bool value.
func BoolValue(b bool) Value { return Value{Type: Bool, boolean: b, kept: true} }

// Strs is an array of strings.
func Strs(s []string) Value {
	return Value{Type: Array, Elem: String, Len: int64(len(s)), strs: s, kept: true}
}

// Ints is an array of integers of type elem (u8 … i64).
func Ints(elem ValueType, n []int64) Value {
	return Value{Type: Array, Elem: elem, Len: int64(len(n)), ints: n, kept: true}
}

// Layout sets every tensor's Elements and Bytes from its Dims and Type and
// its Offset as ggml lays the data out: each tensor's after the previous
// one's, padded to f.Alignment (when 0: the metadata's general.alignment,
// else DefaultAlignment). It returns the size of the data section, the
// last tensor's end padded.
func (f *File) Layout() (int64, error) {
	f.Alignment = f.alignment()
	next := int64(0)
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if !t.Type.Known() {
			return 0, fmt.Errorf("tensor %q: unknown ggml type %d", t.Name, uint32(t.Type))
		}
		t.Elements = 1
		for _, d := range t.Dims {
			t.Elements *= d
		}
		t.Bytes = t.Elements / t.Type.BlockSize() * t.Type.BlockBytes()
		t.Offset = next
		next = pad(next+t.Bytes, f.Alignment)
	}
	return next, nil
}

// Encode returns the header of f as a GGUF file stores it: magic, version
// (3 when f.Version is 0), counts, metadata, tensor infos (with their
// Offsets as given: see Layout) and the padding to the alignment (as
// Layout takes it), so that the
// tensor data of f would start right after it. It writes what it is given,
// breaking rules Read enforces if asked to, so that tests can build bad
// files too.
func Encode(f *File) ([]byte, error) {
	version := f.Version
	if version == 0 {
		version = 3
	}
	align := f.alignment()
	b := []byte("GGUF")
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(f.Tensors)))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(f.Metadata)))
	for _, kv := range f.Metadata {
		b = appendString(b, kv.Key)
		var err error
		if b, err = appendValue(b, kv.Value); err != nil {
			return nil, fmt.Errorf("metadata %q: %w", kv.Key, err)
		}
	}
	for _, t := range f.Tensors {
		b = appendString(b, t.Name)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.Dims)))
		for _, d := range t.Dims {
			b = binary.LittleEndian.AppendUint64(b, uint64(d))
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(t.Type))
		b = binary.LittleEndian.AppendUint64(b, uint64(t.Offset))
	}
	for int64(len(b))%align != 0 {
		b = append(b, 0)
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint64(b, uint64(len(s))), s...)
}

func appendValue(b []byte, v Value) ([]byte, error) {
	b = binary.LittleEndian.AppendUint32(b, uint32(v.Type))
	if v.Type != Array {
		return appendScalar(b, v.Type, v.integer, v.float, v.boolean, v.str)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(v.Elem))
	switch {
	case v.Elem == String:
		b = binary.LittleEndian.AppendUint64(b, uint64(len(v.strs)))
		for _, s := range v.strs {
			b = appendString(b, s)
		}
	case v.Elem.integer():
		b = binary.LittleEndian.AppendUint64(b, uint64(len(v.ints)))
		for _, n := range v.ints {
			var err error
			if b, err = appendScalar(b, v.Elem, n, 0, false, ""); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("Encode writes arrays of strings and integers, not of %s", v.Elem)
	}
	return b, nil
}

func appendScalar(b []byte, t ValueType, n int64, x float64, flag bool, s string) ([]byte, error) {
	le := binary.LittleEndian
	switch t {
	case Uint8, Int8:
		return append(b, byte(n)), nil
	case Bool:
		if flag {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case Uint16, Int16:
		return le.AppendUint16(b, uint16(n)), nil
	case Uint32, Int32:
		return le.AppendUint32(b, uint32(n)), nil
	case Uint64, Int64:
		return le.AppendUint64(b, uint64(n)), nil
	case Float32:
		return le.AppendUint32(b, math.Float32bits(float32(x))), nil
	case Float64:
		return le.AppendUint64(b, math.Float64bits(x)), nil
	case String:
		return appendString(b, s), nil
	}
	return nil, fmt.Errorf("unknown value type %d", uint32(t))
}

// alignment is f.Alignment, or when 0 the metadata's general.alignment, or
// DefaultAlignment.
func (f *File) alignment() int64 {
	if f.Alignment != 0 {
		return f.Alignment
	}
	for _, kv := range f.Metadata {
		if a, ok := kv.Value.Int(); ok && kv.Key == "general.alignment" && a > 0 {
			return a
		}
	}
	return DefaultAlignment
}
