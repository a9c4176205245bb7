package presets

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tscale/tscale/scale"
)

// withQuantization is a small config.json of model_type modelType with
// the given quantization_config (and torch_dtype) added.
func withQuantization(modelType, quant, dtype string) []byte {
	shape := `"vocab_size": 1000, "hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "tie_word_embeddings": false`
	switch modelType {
	case "qwen3_moe":
		shape += `, "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 128, "head_dim": 64`
	case "gpt2":
		shape = `"vocab_size": 1000, "n_embd": 256, "n_layer": 2, "n_head": 4`
	}
	s := `{"model_type": "` + modelType + `", ` + shape
	if dtype != "" {
		s += `, "torch_dtype": "` + dtype + `"`
	}
	return []byte(s + `, "quantization_config": ` + quant + `}`)
}

// TestReadQuantization: each method's quantization_config, with the
// modules its loader leaves alone.
func TestReadQuantization(t *testing.T) {
	lmHead := []scale.QuantSkip{{Op: "lm_head"}}
	for _, tc := range []struct {
		name, modelType, quant, dtype string
		want                          scale.Quantization
	}{
		{"AutoAWQ", "llama", `{"quant_method": "awq", "bits": 4, "group_size": 128, "version": "GEMM", "zero_point": true}`, "float16",
			scale.Quantization{Method: scale.QuantAWQ, Format: "gemm", Bits: 4, GroupSize: 128, DType: scale.FP16, NotQuantized: lmHead}},
		{"AWQ gemv, modules_to_not_convert", "llama",
			`{"quant_method": "awq", "bits": 4, "group_size": 64, "version": "gemv", "modules_to_not_convert": ["model.layers.1.mlp"]}`, "float16",
			scale.Quantization{Method: scale.QuantAWQ, Format: "gemv", Bits: 4, GroupSize: 64, DType: scale.FP16,
				NotQuantized: []scale.QuantSkip{{Op: "gate_proj", Layers: []int64{1}}, {Op: "up_proj", Layers: []int64{1}},
					{Op: "down_proj", Layers: []int64{1}}, {Op: "lm_head"}}}},
		{"GPTQ, desc_act, group −1", "llama", `{"quant_method": "gptq", "bits": 4, "group_size": -1, "desc_act": true, "sym": true}`, "float16",
			scale.Quantization{Method: scale.QuantGPTQ, Bits: 4, DType: scale.FP16, NotQuantized: lmHead}},
		{"GPTQ modules_in_block_to_quantize, lm_head", "llama", `{"quant_method": "gptq", "bits": 8, "group_size": 128, "lm_head": true,
			"modules_in_block_to_quantize": [["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"], ["self_attn.o_proj"]]}`, "",
			scale.Quantization{Method: scale.QuantGPTQ, Bits: 8, GroupSize: 128, DType: scale.BF16,
				NotQuantized: []scale.QuantSkip{{Op: "gate_proj"}, {Op: "up_proj"}, {Op: "down_proj"}}}},
		{"GPT-2 GPTQ: Conv1D is replaced", "gpt2", `{"quant_method": "gptq", "bits": 4, "group_size": 128}`, "float32",
			scale.Quantization{Method: scale.QuantGPTQ, Bits: 4, GroupSize: 128, DType: scale.FP32}},
		{"GPT-2 AWQ: Conv1D is not an nn.Linear", "gpt2", `{"quant_method": "awq", "bits": 4, "group_size": 128, "version": "gemm"}`, "float32",
			scale.Quantization{Method: scale.QuantAWQ, Format: "gemm", Bits: 4, GroupSize: 128, DType: scale.FP32,
				NotQuantized: []scale.QuantSkip{{Op: "q_proj"}, {Op: "k_proj"}, {Op: "v_proj"}, {Op: "o_proj"}, {Op: "up_proj"},
					{Op: "down_proj"}}}},
		{"bitsandbytes NF4, double quant", "llama", `{"quant_method": "bitsandbytes", "_load_in_4bit": true, "load_in_4bit": true,
			"bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": true, "bnb_4bit_quant_storage": "uint8",
			"llm_int8_skip_modules": null}`, "bfloat16",
			scale.Quantization{Method: scale.QuantBitsAndBytes, Bits: 4, GroupSize: 64, DoubleQuant: true, DType: scale.BF16,
				NotQuantized: lmHead}},
		{"bitsandbytes int8 with a skip list: lm_head converted", "llama", `{"quant_method": "bitsandbytes", "load_in_8bit": true,
			"llm_int8_skip_modules": ["o_proj"]}`, "bfloat16",
			scale.Quantization{Method: scale.QuantBitsAndBytes, Bits: 8, DType: scale.BF16, NotQuantized: []scale.QuantSkip{{Op: "o_proj"}}}},
		{"FP8 blocks, MoE router is an nn.Linear", "qwen3_moe", `{"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic",
			"weight_block_size": [128, 128]}`, "bfloat16",
			scale.Quantization{Method: scale.QuantFP8, Bits: 8, BlockSize: []int64{128, 128}, DType: scale.BF16, NotQuantized: lmHead}},
		{"compressed-tensors W4A16 asymmetric, ignore with re:", "qwen3_moe", `{"quant_method": "compressed-tensors",
			"format": "pack-quantized", "quantization_status": "compressed", "kv_cache_scheme": null,
			"config_groups": {"group_0": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "symmetric": false,
				"strategy": "group", "group_size": 128, "dynamic": false, "actorder": "group"}, "input_activations": null}},
			"ignore": ["lm_head", "re:.*mlp.gate$"]}`, "bfloat16",
			scale.Quantization{Method: scale.QuantCompressedTensors, Format: "pack-quantized", Bits: 4, GroupSize: 128,
				ZeroPoints: true, ActOrder: true, DType: scale.BF16,
				NotQuantized: []scale.QuantSkip{{Op: "router"}, {Op: "lm_head"}}}},
		{"compressed-tensors FP8 dynamic per channel: lm_head is a Linear target", "llama", `{"quant_method": "compressed-tensors",
			"format": "float-quantized", "config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 8, "type": "float",
			"strategy": "channel", "symmetric": true, "dynamic": false}, "input_activations": {"num_bits": 8, "type": "float",
			"strategy": "token", "dynamic": true}}}, "ignore": []}`, "bfloat16",
			scale.Quantization{Method: scale.QuantCompressedTensors, Format: "float-quantized", Bits: 8, DType: scale.BF16}},
		{"compressed-tensors NVFP4", "llama", `{"quant_method": "compressed-tensors", "format": "nvfp4-pack-quantized",
			"config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "float", "strategy": "tensor_group",
			"group_size": 16, "symmetric": true, "dynamic": false}, "input_activations": {"num_bits": 4, "type": "float",
			"strategy": "tensor_group", "group_size": 16, "dynamic": "local"}}}, "ignore": ["lm_head"]}`, "bfloat16",
			scale.Quantization{Method: scale.QuantCompressedTensors, Format: "nvfp4-pack-quantized", Bits: 4, GroupSize: 16,
				StaticActivations: true, DType: scale.BF16, NotQuantized: lmHead}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromHFConfig("config.json", withQuantization(tc.modelType, tc.quant, tc.dtype))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tc.want, p.Config.Quantization); diff != "" {
				t.Errorf("quantization (-want +got):\n%s", diff)
			}
			if _, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 8, DType: scale.BF16}); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestReadQuantizationRefusals: what tscale does not count is an error
// naming the field.
func TestReadQuantizationRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, modelType, quant string
		kind                   error
		want                   string
	}{
		{"hqq", "llama", `{"quant_method": "hqq"}`, ErrUnmodelled, `quantization_config.quant_method "hqq"`},
		{"mxfp4 outside gpt-oss", "qwen3_moe", `{"quant_method": "mxfp4"}`, ErrUnmodelled, "only gpt-oss's experts"},
		{"no method", "llama", `{"bits": 4}`, ErrMissingField, "quantization_config.quant_method"},
		{"not an object", "llama", `4`, ErrWrongType, "quantization_config must be an object"},
		{"awq marlin", "llama", `{"quant_method": "awq", "version": "marlin"}`, ErrUnmodelled, `version "marlin"`},
		{"awq 3-bit", "llama", `{"quant_method": "awq", "bits": 3}`, ErrInvalidValue, "quantization_config.bits"},
		{"awq group 96", "llama", `{"quant_method": "awq", "group_size": 96}`, ErrInvalidValue,
			"quantization_config.group_size must divide the input width of every quantised layer (q_proj: 256)"},
		{"gptq marlin", "llama", `{"quant_method": "gptq", "checkpoint_format": "marlin"}`, ErrUnmodelled, `checkpoint_format "marlin"`},
		{"bnb neither", "llama", `{"quant_method": "bitsandbytes"}`, ErrInvalidValue, "exactly one must be true"},
		{"fp8 e5m2", "llama", `{"quant_method": "fp8", "fmt": "e5m2"}`, ErrUnmodelled, `fmt "e5m2"`},
		{"bad regex", "llama", `{"quant_method": "fp8", "modules_to_not_convert": ["(?<=x)"]}`, ErrUnmodelled, "not a regular expression"},
		{"two groups", "llama", `{"quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {"a": {}, "b": {}}}`,
			ErrUnmodelled, "one group"},
		{"kv cache scheme", "llama", `{"quant_method": "compressed-tensors", "format": "float-quantized", "kv_cache_scheme":
			{"num_bits": 8}, "config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 8, "type": "float"}}}}`,
			ErrUnmodelled, "kv_cache_scheme"},
		{"experts partly", "qwen3_moe", `{"quant_method": "fp8", "modules_to_not_convert": ["model.layers.0.mlp.experts.1"]}`,
			ErrUnmodelled, "leaves 1 of layer 0's 4 experts' experts.gate_proj unquantised"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromHFConfig("config.json", withQuantization(tc.modelType, tc.quant, "bfloat16"))
			if err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %v saying %q", err, tc.kind, tc.want)
			}
		})
	}
}
