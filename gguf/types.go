package gguf

import "fmt"

// Type is a ggml tensor type: the enum ggml_type of ggml's
// include/ggml.h, whose values a GGUF tensor info stores.
type Type uint32

// typeInfo is one ggml type's storage: BlockBytes bytes hold BlockSize
// values (ggml's blck_size and type_size).
type typeInfo struct {
	name                  string
	blockSize, blockBytes int64
	quantized             bool
}

// types is ggml's type table: the blck_size and type_size of the
// type_traits in ggml/src/ggml.c, type_size being the size of each block
// struct of ggml/src/ggml-common.h. The same numbers are GGML_QUANT_SIZES
// in llama.cpp's gguf-py (gguf/constants.py) and _GGMLTypeTraits in
// github.com/gpustack/gguf-parser-go (ggml.go). NVFP4, Q1_0 and Q2_0, newer
// than both, are as in Hugging Face's @huggingface/gguf
// (quant-descriptions.ts), whose Q8_1 of 40 bytes is an older ggml's block
// with float scales, not today's halves (36). The values 4 and 5 (Q4_2,
// Q4_3), 31–33 (Q4_0_4_4, Q4_0_4_8, Q4_0_8_8) and 36–38 (IQ4_NL_4_4, …)
// are types ggml no longer reads from GGUF files: Read refuses them, as
// ggml does (block size 0).
var types = map[Type]typeInfo{
	0:  {"F32", 1, 4, false},
	1:  {"F16", 1, 2, false},
	2:  {"Q4_0", 32, 18, true},  // fp16 scale, 32 4-bit values
	3:  {"Q4_1", 32, 20, true},  // fp16 scale and min, 32 4-bit values
	6:  {"Q5_0", 32, 22, true},  // fp16 scale, 32 high bits, 32 4-bit values
	7:  {"Q5_1", 32, 24, true},  // fp16 scale and min, 32 high bits, 32 4-bit values
	8:  {"Q8_0", 32, 34, true},  // fp16 scale, 32 int8 values
	9:  {"Q8_1", 32, 36, true},  // fp16 scale and sum, 32 int8 values
	10: {"Q2_K", 256, 84, true}, // super-block of 256
	11: {"Q3_K", 256, 110, true},
	12: {"Q4_K", 256, 144, true},
	13: {"Q5_K", 256, 176, true},
	14: {"Q6_K", 256, 210, true},
	15: {"Q8_K", 256, 292, true},
	16: {"IQ2_XXS", 256, 66, true},
	17: {"IQ2_XS", 256, 74, true},
	18: {"IQ3_XXS", 256, 98, true},
	19: {"IQ1_S", 256, 50, true},
	20: {"IQ4_NL", 32, 18, true},
	21: {"IQ3_S", 256, 110, true},
	22: {"IQ2_S", 256, 82, true},
	23: {"IQ4_XS", 256, 136, true},
	24: {"I8", 1, 1, false},
	25: {"I16", 1, 2, false},
	26: {"I32", 1, 4, false},
	27: {"I64", 1, 8, false},
	28: {"F64", 1, 8, false},
	29: {"IQ1_M", 256, 56, true},
	30: {"BF16", 1, 2, false},
	34: {"TQ1_0", 256, 54, true},
	35: {"TQ2_0", 256, 66, true},
	39: {"MXFP4", 32, 17, true}, // E8M0 scale, 32 FP4 (E2M1) values
	40: {"NVFP4", 64, 36, true}, // 4 UE4M3 scales (one per 16 values), 64 FP4 values
	41: {"Q1_0", 128, 18, true}, // fp16 scale, 128 sign bits
	42: {"Q2_0", 64, 18, true},  // fp16 scale, 64 2-bit values
}

// The ggml types tscale's tests and reports name most.
const (
	TypeF32  Type = 0
	TypeF16  Type = 1
	TypeQ4_0 Type = 2
	TypeQ8_0 Type = 8
	TypeQ4_K Type = 12
	TypeQ6_K Type = 14
	TypeBF16 Type = 30
)

// Known reports whether ggml reads tensors of type t from a GGUF file.
func (t Type) Known() bool { _, ok := types[t]; return ok }

// String is the type's name in ggml (Q4_K), or "type N" for a type ggml
// does not read.
func (t Type) String() string {
	if info, ok := types[t]; ok {
		return info.name
	}
	return fmt.Sprintf("type %d", uint32(t))
}

// BlockSize is the number of values one block of t holds: 1 for the plain
// types (F32, F16, BF16, the integers), 32 or 256 (QK_K) for the
// quantised ones. 0 for a type ggml does not read.
func (t Type) BlockSize() int64 { return types[t].blockSize }

// BlockBytes is the bytes one block of t takes: Q4_0 18 (an fp16 scale
// and 32 4-bit values), Q4_K 144, Q8_0 34, F16 2. 0 for a type ggml does
// not read.
func (t Type) BlockBytes() int64 { return types[t].blockBytes }

// Quantized reports whether t stores values in blocks with scales (Q4_0,
// Q4_K, IQ2_XS, MXFP4, …) rather than one by one.
func (t Type) Quantized() bool { return types[t].quantized }

// Types lists every type ggml reads from GGUF files, in enum order.
func Types() []Type {
	var out []Type
	for t := Type(0); t < 64; t++ {
		if t.Known() {
			out = append(out, t)
		}
	}
	return out
}
