package presets_test

import (
	"fmt"
	"os"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// Analyse a preset: Llama 3.1 8B at 8,192 tokens.
func ExampleLookup() {
	p, err := presets.Lookup("llama-3.1-8b")
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 8192, DType: scale.BF16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("parameters:", r.Params.Total)
	fmt.Println("forward FLOPs per token:", r.FLOPs.PerToken.Forward)
	fmt.Println("KV cache bytes per token:", r.Memory.KVCacheBytesPerToken)
	// Output:
	// parameters: 8030261248
	// forward FLOPs per token: 17157062656
	// KV cache bytes per token: 131072
}

// Analyse a Hugging Face config.json: Qwen3-8B's, from testdata.
func ExampleFromHFConfig() {
	data, err := os.ReadFile("../testdata/hf/qwen3-8b.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := presets.FromHFConfig("qwen3-8b/config.json", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 4096, DType: scale.BF16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Slug, p.Family, r.Params.Total)
	// Output:
	// qwen3-8b qwen3 8190735360
}
