package gguf_test

import (
	"bytes"
	"fmt"

	"github.com/tscale/tscale/gguf"
)

// ExampleRead builds the header of a GGUF file with one Q4_K matrix and
// reads it back: a 4,096 × 4,096 matrix of 256-value blocks of 144 bytes
// is 65,536 blocks, 9,437,184 bytes.
func ExampleRead() {
	f := &gguf.File{
		Metadata: []gguf.KV{{Key: "general.architecture", Value: gguf.Str("llama")}},
		Tensors:  []gguf.TensorInfo{{Name: "blk.0.attn_q.weight", Dims: []int64{4096, 4096}, Type: gguf.TypeQ4_K}},
	}
	data, _ := f.Layout()
	header, _ := gguf.Encode(f)
	// Read sees the header and the file's size; it never reads the data.
	got, err := gguf.Read(bytes.NewReader(header), int64(len(header))+data)
	if err != nil {
		fmt.Println(err)
		return
	}
	arch, _ := got.Get("general.architecture")
	name, _ := arch.Str()
	t := got.Tensors[0]
	fmt.Println(name, t.Name, t.Type, t.Dims, t.Elements, t.Bytes)
	fmt.Println(t.Type.BlockSize(), t.Type.BlockBytes(), got.DataOffset)
	// Output:
	// llama blk.0.attn_q.weight Q4_K [4096 4096] 16777216 9437184
	// 256 144 128
}
