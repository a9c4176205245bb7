package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTypeTable checks every block size and block's bytes against the
// expressions of llama.cpp's gguf-py GGML_QUANT_SIZES (gguf/constants.py),
// which spell each block struct of ggml-common.h out field by field:
// Q4_K is (256, 2 + 2 + QK_K // 2 + 12), two fp16 scales, 128 bytes of
// 4-bit values and 12 bytes of 6-bit sub-block scales.
func TestTypeTable(t *testing.T) {
	const qk = 256
	want := map[string][2]int64{
		"F32": {1, 4}, "F16": {1, 2},
		"Q4_0": {32, 2 + 16}, "Q4_1": {32, 2 + 2 + 16},
		"Q5_0": {32, 2 + 4 + 16}, "Q5_1": {32, 2 + 2 + 4 + 16},
		"Q8_0": {32, 2 + 32}, "Q8_1": {32, 2 + 2 + 32},
		"Q2_K":    {256, 2 + 2 + qk/16 + qk/4},
		"Q3_K":    {256, 2 + qk/4 + qk/8 + 12},
		"Q4_K":    {256, 2 + 2 + qk/2 + 12},
		"Q5_K":    {256, 2 + 2 + qk/2 + qk/8 + 12},
		"Q6_K":    {256, 2 + qk/2 + qk/4 + qk/16},
		"Q8_K":    {256, 4 + qk + qk/8},
		"IQ2_XXS": {256, 2 + qk/4},
		"IQ2_XS":  {256, 2 + qk/4 + qk/32},
		"IQ3_XXS": {256, 2 + qk/4 + qk/8},
		"IQ1_S":   {256, 2 + qk/8 + qk/16},
		"IQ4_NL":  {32, 2 + 16},
		"IQ3_S":   {256, 2 + qk/4 + qk/8 + qk/32 + 4},
		"IQ2_S":   {256, 2 + qk/4 + qk/16},
		"IQ4_XS":  {256, 2 + 2 + qk/2 + qk/64},
		"I8":      {1, 1}, "I16": {1, 2}, "I32": {1, 4}, "I64": {1, 8}, "F64": {1, 8},
		"IQ1_M": {256, qk/8 + qk/16 + qk/32},
		"BF16":  {1, 2},
		"TQ1_0": {256, 2 + 4*13},
		"TQ2_0": {256, 2 + 64},
		"MXFP4": {32, 1 + 16},
		"NVFP4": {64, 4 + 32},
		"Q1_0":  {128, 2 + 16},
		"Q2_0":  {64, 2 + 16},
	}
	got := map[string][2]int64{}
	for _, ty := range Types() {
		got[ty.String()] = [2]int64{ty.BlockSize(), ty.BlockBytes()}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("type table (-gguf-py +ours):\n%s", diff)
	}
	// The enum values a file stores (ggml.h).
	for name, id := range map[string]Type{"F32": 0, "F16": 1, "Q4_0": 2, "Q8_0": 8, "Q4_K": 12, "Q6_K": 14,
		"IQ4_XS": 23, "BF16": 30, "TQ2_0": 35, "MXFP4": 39} {
		if id.String() != name {
			t.Errorf("Type(%d) = %s, want %s", id, id, name)
		}
	}
	for _, gone := range []Type{4, 5, 31, 32, 33, 36, 37, 38, 43, 1 << 31} {
		if gone.Known() {
			t.Errorf("Type(%d) is known; ggml no longer reads it from GGUF files", gone)
		}
	}
}

// sample is a small file of every kind of value, with three tensors.
func sample() *File {
	return &File{
		Metadata: []KV{
			{"general.architecture", Str("llama")},
			{"general.alignment", U32(64)},
			{"llama.block_count", U32(2)},
			{"llama.context_length", U64(4096)},
			{"llama.rope.freq_base", F32(10000)},
			{"llama.attention.head_count", Ints(Int32, []int64{4, 4})},
			{"tokenizer.ggml.tokens", Strs([]string{"<s>", "</s>", "a", "b"})},
			{"tokenizer.ggml.add_bos_token", BoolValue(true)},
			{"general.big", U64(math.MaxUint64)},
			{"general.negative", I32(-3)},
		},
		Tensors: []TensorInfo{
			{Name: "token_embd.weight", Dims: []int64{256, 4}, Type: TypeQ4_K},
			{Name: "output_norm.weight", Dims: []int64{256}, Type: TypeF32},
			{Name: "blk.0.attn_q.weight", Dims: []int64{256, 256}, Type: TypeQ8_0},
		},
	}
}

// build returns the file f describes: its header and, sparse in spirit, a
// data section of zeros (Read never looks at it).
func build(t testing.TB, f *File) []byte {
	t.Helper()
	data, err := f.Layout()
	if err != nil {
		t.Fatal(err)
	}
	header, err := Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	return append(header, make([]byte, data)...)
}

func TestRoundTrip(t *testing.T) {
	b := build(t, sample())
	f, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 3 || f.Alignment != 64 || f.Size != int64(len(b)) || f.DataOffset%64 != 0 {
		t.Errorf("version %d, alignment %d, size %d, data offset %d", f.Version, f.Alignment, f.Size, f.DataOffset)
	}
	// Bytes by hand: 4 rows of 256 Q4_K values are 4 blocks of 144 bytes;
	// 256 F32 are 1,024 bytes; 256 rows of 256 Q8_0 are 2,048 blocks of 34.
	want := []TensorInfo{
		{Name: "token_embd.weight", Dims: []int64{256, 4}, Type: TypeQ4_K, Offset: 0, Elements: 1024, Bytes: 576},
		{Name: "output_norm.weight", Dims: []int64{256}, Type: TypeF32, Offset: 576, Elements: 256, Bytes: 1024},
		{Name: "blk.0.attn_q.weight", Dims: []int64{256, 256}, Type: TypeQ8_0, Offset: 1600, Elements: 65536, Bytes: 69632},
	}
	if diff := cmp.Diff(want, f.Tensors); diff != "" {
		t.Errorf("tensors (-want +got):\n%s", diff)
	}
	if f.DataBytes() != 576+1024+69632 {
		t.Errorf("DataBytes = %d", f.DataBytes())
	}
	if int64(len(b)) != f.DataOffset+1600+69632+(64-69632%64)%64 {
		t.Errorf("file of %d bytes, data from %d", len(b), f.DataOffset)
	}
	check := func(key string, got, want any) {
		t.Helper()
		if !cmp.Equal(got, want) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	get := func(key string) Value {
		v, ok := f.Get(key)
		if !ok {
			t.Fatalf("no %s", key)
		}
		return v
	}
	s, _ := get("general.architecture").Str()
	check("general.architecture", s, "llama")
	n, ok := get("llama.context_length").Int()
	check("llama.context_length", []any{n, ok}, []any{int64(4096), true})
	x, _ := get("llama.rope.freq_base").Float()
	check("llama.rope.freq_base", x, 10000.0)
	heads, ok := get("llama.attention.head_count").Ints()
	check("llama.attention.head_count", []any{heads, ok}, []any{[]int64{4, 4}, true})
	l, ok := get("tokenizer.ggml.tokens").ArrayLen()
	check("tokenizer.ggml.tokens length", []any{l, ok}, []any{int64(4), true})
	if _, ok := get("tokenizer.ggml.tokens").Ints(); ok {
		t.Error("a string array reads as integers")
	}
	flag, _ := get("tokenizer.ggml.add_bos_token").Bool()
	check("add_bos_token", flag, true)
	if _, ok := get("general.big").Int(); ok {
		t.Error("a u64 past the int64 range reads as an int64")
	}
	neg, _ := get("general.negative").Int()
	check("general.negative", neg, int64(-3))
	if _, ok := f.Get("general.name"); ok {
		t.Error("an absent key is found")
	}
}

// TestKeptLengths: a long string and a long integer array keep their
// length only.
func TestKeptLengths(t *testing.T) {
	long := make([]int64, KeptArrayLen+1)
	f := &File{Metadata: []KV{
		{"template", Str(strings.Repeat("x", KeptStringBytes+1))},
		{"ids", Ints(Uint32, long)},
	}}
	b := build(t, f)
	got, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := got.Get("template")
	if s, ok := v.Str(); ok || s != "" || v.Len != KeptStringBytes+1 {
		t.Errorf("long string: %q %v, length %d", s, ok, v.Len)
	}
	v, _ = got.Get("ids")
	if _, ok := v.Ints(); ok || v.Len != KeptArrayLen+1 {
		t.Errorf("long array: kept %v, length %d", ok, v.Len)
	}
}

// TestKeptBudget: integer arrays are kept up to KeptInts values in all, so
// a header of many short u8 arrays cannot make Read hold 8 bytes for each
// byte of the file.
func TestKeptBudget(t *testing.T) {
	arrays := KeptInts/KeptArrayLen + 10
	f := &File{}
	for i := 0; i < arrays; i++ {
		f.Metadata = append(f.Metadata, KV{Key: fmt.Sprint("a", i), Value: Ints(Uint8, make([]int64, KeptArrayLen))})
	}
	b := build(t, f)
	got, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, kv := range got.Metadata {
		if _, ok := kv.Value.Ints(); ok {
			kept++
		}
		if kv.Value.Len != KeptArrayLen {
			t.Fatalf("%s: length %d", kv.Key, kv.Value.Len)
		}
	}
	if kept != KeptInts/KeptArrayLen {
		t.Errorf("kept %d arrays of %d values; want %d", kept, KeptArrayLen, KeptInts/KeptArrayLen)
	}
}

// corrupt builds sample() and lets edit change it before or after encoding.
type corruption struct {
	name string
	file func() []byte
	size int64 // the size Read is told; 0: len(file)
	want string
}

func u64(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }
func u32(n uint32) []byte { return binary.LittleEndian.AppendUint32(nil, n) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// header is the magic, version 3 and the two counts.
func header(tensors, kvs uint64) []byte {
	return cat([]byte("GGUF"), u32(3), u64(tensors), u64(kvs))
}

func TestRefusals(t *testing.T) {
	withTensors := func(edit func(f *File)) func() []byte {
		return func() []byte {
			f := sample()
			if _, err := f.Layout(); err != nil {
				t.Fatal(err)
			}
			edit(f)
			h, err := Encode(f)
			if err != nil {
				t.Fatal(err)
			}
			return append(h, make([]byte, 71000)...)
		}
	}
	key := func(name string) []byte { return cat(u64(uint64(len(name))), []byte(name)) }
	cases := []corruption{
		{name: "empty", file: func() []byte { return nil }, want: "not a GGUF file"},
		{name: "ggml magic", file: func() []byte { return []byte("lmggxxxxxxxxxxxxxxxxxxxxxx") }, want: "not a GGUF file"},
		{name: "version 1", file: func() []byte { return cat([]byte("GGUF"), u32(1), u64(0), u64(0)) }, want: "version 1; tscale reads"},
		{name: "big-endian", file: func() []byte { return cat([]byte("GGUF"), u32(3<<24), u64(0), u64(0)) }, want: "big-endian"},
		{name: "header cut", file: func() []byte { return []byte("GGUF\x03\x00") }, want: "past the end of the file"},
		{name: "2^63 tensors", file: func() []byte { return header(1<<63, 0) }, want: "tensor count is 9223372036854775808; tscale reads at most"},
		{name: "tensors past the file", file: func() []byte { return header(1000, 0) }, want: "tensor count is 1000, more than the"},
		{name: "2^40 keys", file: func() []byte { return header(0, 1<<40) }, want: "metadata key count is 1099511627776"},
		{name: "key 2^62 bytes", file: func() []byte { return cat(header(0, 1), u64(1<<62), make([]byte, 20)) },
			want: "metadata key 0 is 4611686018427387904 bytes long; the longest GGUF string is 67108864"},
		{name: "key past the file", file: func() []byte { return cat(header(0, 1), u64(100), make([]byte, 20)) },
			want: "metadata key 0 (100 bytes) runs past the end of the file"},
		{name: "key of 5000 bytes", file: func() []byte { return cat(header(0, 1), key(strings.Repeat("k", 5000)), u32(0), []byte{1}) },
			want: "metadata key 0 is 5000 bytes long; tscale reads keys of at most 4096"},
		{name: "duplicate key", file: func() []byte {
			kv := cat(key("a"), u32(uint32(Uint8)), []byte{1})
			return cat(header(0, 2), kv, kv)
		}, want: `metadata key "a" is given twice`},
		{name: "bad value type", file: func() []byte { return cat(header(0, 1), key("a"), u32(13), u64(0)) },
			want: `has type 13, not a GGUF value type`},
		{name: "array of arrays", file: func() []byte { return cat(header(0, 1), key("a"), u32(uint32(Array)), u32(uint32(Array)), u64(1)) },
			want: "an array of array"},
		{name: "array 2^40 long", file: func() []byte {
			return cat(header(0, 1), key("a"), u32(uint32(Array)), u32(uint32(Uint8)), u64(1<<40))
		}, want: "length of metadata array \"a\" is 1099511627776; tscale reads at most 67108864"},
		{name: "array past the file", file: func() []byte {
			return cat(header(0, 1), key("a"), u32(uint32(Array)), u32(uint32(Uint64)), u64(1000), u64(0))
		}, want: "length of metadata array \"a\" is 1000, more than the"},
		{name: "string array past the file", file: func() []byte {
			return cat(header(0, 1), key("a"), u32(uint32(Array)), u32(uint32(String)), u64(2), u64(1), []byte("x"), u64(5))
		}, want: "element 1 of metadata array \"a\" (5 bytes) runs past the end"},
		{name: "alignment not u32", file: func() []byte { return cat(header(0, 1), key("general.alignment"), u32(uint32(Uint64)), u64(32)) },
			want: "general.alignment must be a u32, got a u64"},
		{name: "alignment 48", file: func() []byte { return cat(header(0, 1), key("general.alignment"), u32(uint32(Uint32)), u32(48)) },
			want: "general.alignment 48 is not a power of two"},
		{name: "alignment 2^21", file: func() []byte {
			return cat(header(0, 1), key("general.alignment"), u32(uint32(Uint32)), u32(1<<21), make([]byte, 64))
		}, want: "general.alignment 2097152 is more than 1048576"},
		{name: "long tensor name", file: withTensors(func(f *File) { f.Tensors[0].Name = strings.Repeat("n", 64) }),
			want: "the name of tensor 0 is 64 bytes long; ggml's longest is 63"},
		{name: "duplicate tensor", file: withTensors(func(f *File) { f.Tensors[1].Name = f.Tensors[0].Name }),
			want: `tensor name "token_embd.weight" is given twice`},
		{name: "5 dimensions", file: withTensors(func(f *File) { f.Tensors[0].Dims = []int64{256, 1, 1, 1, 1} }),
			want: `tensor "token_embd.weight" has 5 dimensions; ggml's most is 4`},
		{name: "negative dimension", file: withTensors(func(f *File) { f.Tensors[1].Dims = []int64{-1} }),
			want: `dimension 0 of tensor "output_norm.weight" is negative`},
		{name: "2^64 elements", file: withTensors(func(f *File) { f.Tensors[1].Dims = []int64{1 << 32, 1 << 32} }),
			want: `tensor "output_norm.weight" has more elements than an int64 holds`},
		{name: "unknown type", file: withTensors(func(f *File) { f.Tensors[1].Type = 31 }),
			want: `tensor "output_norm.weight" has ggml type 31, which ggml does not read`},
		{name: "partial block", file: withTensors(func(f *File) { f.Tensors[0].Dims = []int64{100, 4} }),
			want: `tensor "token_embd.weight" of type Q4_K has rows of 100 values, not a multiple of its block of 256`},
		{name: "bytes past int64", file: withTensors(func(f *File) { f.Tensors[1].Dims = []int64{1 << 31, 1 << 31} }),
			want: `tensor "output_norm.weight" takes more bytes than an int64 holds`},
		{name: "gap before a tensor", file: withTensors(func(f *File) { f.Tensors[1].Offset += 64 }),
			want: `tensor "output_norm.weight" has data offset 640; ggml lays each tensor's data after the previous one's, padded to 64 bytes, at 576`},
		{name: "overlapping tensors", file: withTensors(func(f *File) { f.Tensors[2].Offset = 0 }),
			want: `tensor "blk.0.attn_q.weight" has data offset 0`},
		{name: "offset 2^63", file: withTensors(func(f *File) { f.Tensors[0].Offset = -1 }),
			want: `tensor "token_embd.weight" has data offset 18446744073709551615, past any file`},
		{name: "truncated data", file: func() []byte { b := build(t, sample()); return b[:len(b)-1000] },
			want: `tensor "blk.0.attn_q.weight"'s 69632 bytes of data, at byte`},
		{name: "huge tensor, tiny file", file: withTensors(func(f *File) { f.Tensors[2].Dims = []int64{1 << 20, 1 << 20} }),
			want: "run past the end of the file"},
		{name: "header past 256 MiB", file: func() []byte {
			return cat(header(0, 1), key("a"), u32(uint32(Array)), u32(uint32(Uint64)), u64(MaxHeaderBytes/8))
		}, size: 1 << 40, want: "is 33554432, more than the 268435407 bytes left in the header can hold"},
		{name: "string past 64 MiB", file: func() []byte { return cat(header(0, 1), key("a"), u32(uint32(String)), u64(MaxStringBytes+1)) },
			size: 1 << 40, want: `metadata "a" is 67108865 bytes long; the longest GGUF string is 67108864`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.file()
			size := c.size
			if size == 0 {
				size = int64(len(b))
			}
			f, err := Read(bytes.NewReader(b), size)
			if err == nil {
				t.Fatalf("read %d tensors; want an error", len(f.Tensors))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\ndoes not contain %q", err, c.want)
			}
			var fe *FormatError
			if !errors.Is(err, ErrNotGGUF) && !errors.As(err, &fe) {
				t.Errorf("error %v is neither ErrNotGGUF nor a *FormatError", err)
			}
		})
	}
}

// TestVersion2: GGUF v2 has v3's layout (v3 added big-endian files).
func TestVersion2(t *testing.T) {
	f := sample()
	f.Version = 2
	b := build(t, f)
	got, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil || got.Version != 2 {
		t.Fatalf("version 2: %v, %v", got, err)
	}
}

// FuzzRead: any bytes give a header or an error, never a panic, and a
// header obeys the format's rules.
func FuzzRead(f *testing.F) {
	f.Add(build(f, sample()))
	f.Add(header(1, 1))
	f.Add(cat(header(0, 1), u64(1), []byte("a"), u32(uint32(Array)), u32(uint32(String)), u64(3), u64(0), u64(0), u64(0)))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		next := int64(0)
		for _, ti := range got.Tensors {
			if ti.Offset != next || got.DataOffset+ti.Offset+ti.Bytes > int64(len(b)) || len(ti.Dims) > MaxDims {
				t.Fatalf("tensor %+v breaks the layout (data from %d, %d bytes)", ti, got.DataOffset, len(b))
			}
			next = pad(ti.Offset+ti.Bytes, got.Alignment)
		}
	})
}
