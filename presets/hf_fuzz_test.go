package presets

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tscale/tscale/scale"
)

// FuzzFromHFConfig: any bytes give, quickly and without a panic, either an
// error that starts with the path, has one kind and names its field (or is
// about the file), or a preset whose Config passes Validate and which
// scale.Analyze takes without a panic. The seeds are every real config in
// testdata/hf, every case of TestHFImportStrict and the findings in
// testdata/fuzz/FuzzFromHFConfig. Run it with
// go test -run '^$' -fuzz '^FuzzFromHFConfig$' ./presets.
func FuzzFromHFConfig(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "hf", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, tt := range strictCases {
		f.Add([]byte(tt.json))
	}
	f.Add(withQuantization("llama", `{"quant_method": "awq", "bits": 4, "group_size": 128, "version": "gemm",
		"modules_to_not_convert": ["model.layers.1.mlp"]}`, "float16"))
	f.Add(withQuantization("qwen3_moe", `{"quant_method": "compressed-tensors", "format": "pack-quantized",
		"config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "strategy": "group",
		"group_size": 128}}}, "ignore": ["lm_head", "re:.*mlp.gate$"]}`, "bfloat16"))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		p, err := FromHFConfig("config.json", data)
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("FromHFConfig took %v", elapsed)
		}
		if err != nil {
			checkHFError(t, "config.json", err)
			return
		}
		if err := p.Config.Validate(); err != nil {
			t.Fatalf("imported config fails Validate: %v", err)
		}
		start = time.Now()
		_, _ = scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 8, DType: scale.BF16})
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("scale.Analyze took %v", elapsed)
		}
	})
}
