package scale_test

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// llama2_7b is Llama-2-7B's architecture (its Hugging Face config.json).
var llama2_7b = scale.Config{
	VocabSize: 32000, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
	HeadDim: 128, IntermediateSize: 11008, MaxPositionEmbeddings: 4096,
	MLP: scale.MLPGated, HiddenAct: "silu", Norm: scale.RMSNorm, PositionEmbedding: scale.PositionRoPE, NormsPerLayer: 2,
}

// Analyze is exact at any workload Validate accepts: here 2^32 sequences of
// 2^32 tokens, where the token count alone passes int64.
func ExampleAnalyze() {
	r, err := scale.Analyze(llama2_7b, scale.Workload{BatchSize: scale.MaxBatchSize, SeqLen: scale.MaxSeqLen, DType: scale.BF16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("params:", r.Params.Total)
	fmt.Println("tokens:", r.Workload.Tokens)
	fmt.Println("forward FLOPs:", r.FLOPs.Forward)
	fmt.Println("KV cache bytes:", r.Memory.KVCacheBytes)
	// Output:
	// params: 6738415616
	// tokens: 18446744073709551616
	// forward FLOPs: 20769431197105874329490256371384320
	// KV cache bytes: 9671406556917033397649408
}

// Validate names each broken rule by its field, and the limit it passes.
func ExampleWorkload_Validate() {
	w := scale.Workload{BatchSize: 1 << 40, SeqLen: 0, DType: "fp64"}
	fmt.Println(w.Validate(llama2_7b))
	// Output:
	// seq_len must be a positive integer, got 0
	// batch_size must not exceed 4294967296 (2^32), got 1099511627776
	// dtype must be one of fp32, bf16, fp16, fp8, int8, int4, got "fp64"
}

// Sweep a workload: how forward FLOPs per token and the KV cache grow with
// context, for Llama-2-7B at batch 1.
func ExampleAnalyze_sweep() {
	for _, seq := range []int64{1024, 4096, 16384} {
		r, err := scale.Analyze(llama2_7b, scale.Workload{BatchSize: 1, SeqLen: seq, DType: scale.BF16})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(seq, r.FLOPs.PerToken.Forward, r.Memory.KVCacheBytes)
	}
	// Output:
	// 1024 13482852352 536870912
	// 4096 14288158720 2147483648
	// 16384 17509384192 8589934592
}
