package presets

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tscale/tscale/scale"
)

// Small configs of each family, each a prefix to close with "}" after
// any extra fields.
const (
	gpt2Base   = `{"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024`
	falconBase = `{"model_type": "falcon", "vocab_size": 65024, "num_hidden_layers": 32`
	llamaBase  = `{"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096, "num_attention_heads": 32, "intermediate_size": 11008`
	dsBase     = `{"model_type": "deepseek_v3", "vocab_size": 129280, "hidden_size": 7168, "num_hidden_layers": 61,
		"num_attention_heads": 128, "intermediate_size": 18432, "q_lora_rank": 1536, "kv_lora_rank": 512,
		"qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "n_routed_experts": 256,
		"num_experts_per_tok": 8, "first_k_dense_replace": 3`
	llama4Text = `"model_type": "llama4_text", "vocab_size": 202048, "hidden_size": 5120, "num_attention_heads": 40,
		"num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 8192, "intermediate_size_mlp": 16384,
		"num_local_experts": 16, "attention_chunk_size": 8192`
)

// strictCases are inputs FromHFConfig must refuse, each with the kind of
// its error and what the message must say after the path. They seed
// FuzzFromHFConfig too.
var strictCases = []struct {
	name, json string
	kind       error
	says       string
}{
	// Bounded work: a layer count past scale.MaxLayers, refused before any per-layer step.
	{"layers 2^63-1", llamaBase + `, "num_hidden_layers": 9223372036854775807}`, ErrTooLarge,
		"num_hidden_layers 9223372036854775807 is more than the 100000 layers"},
	{"layers 10^12", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 1000000000000}`, ErrTooLarge,
		"n_layer 1000000000000 is more than the 100000 layers"},
	{"layers 10^8", falconBase[:len(falconBase)-len(`32`)] + `100000000, "hidden_size": 4544, "num_attention_heads": 71}`,
		ErrTooLarge, "num_hidden_layers 100000000 is more than the 100000 layers"},
	{"layers 100001", llamaBase + `, "num_hidden_layers": 100001}`, ErrTooLarge, "num_hidden_layers 100001 is more than"},
	{"falcon n_layer 10^12", `{"model_type": "falcon", "vocab_size": 1, "hidden_size": 64, "n_head": 1, "n_layer": 1000000000000}`,
		ErrTooLarge, "n_layer 1000000000000 is more than"},
	{"llama4 text_config layers 10^12", `{"model_type": "llama4", "text_config": {` + llama4Text +
		`, "num_hidden_layers": 1000000000000, "interleave_moe_layer_step": 1, "moe_layers": [0, 1, 2]}}`,
		ErrTooLarge, "text_config.num_hidden_layers 1000000000000 is more than"},
	{"llama4_text layers 2^63-1 with lists", `{` + llama4Text + `, "num_hidden_layers": 9223372036854775807,
		"interleave_moe_layer_step": 2, "moe_layers": [1, 3], "no_rope_layers": [1, 1, 1, 0]}`,
		ErrTooLarge, "num_hidden_layers 9223372036854775807 is more than"},
	{"llama4 moe_layers off the step", `{` + llama4Text + `, "num_hidden_layers": 4, "interleave_moe_layer_step": 2,
		"moe_layers": [1, 2]}`, ErrUnmodelled, "moe_layers (a list): only the layers interleave_moe_layer_step gives"},
	{"llama4 moe_layers short", `{` + llama4Text + `, "num_hidden_layers": 4, "interleave_moe_layer_step": 2,
		"moe_layers": [1]}`, ErrUnmodelled, "moe_layers (a list)"},
	{"llama4 no_rope_layers", `{"model_type": "llama4", "text_config": {` + llama4Text + `, "num_hidden_layers": 4,
		"no_rope_layers": [1, 1, 0, 0]}}`, ErrUnmodelled, "text_config.no_rope_layers (a list): only every 4-th layer"},

	// No wraps: every product and sum of file values is checked.
	{"deepseek n_shared_experts 2^62+1", dsBase + `, "moe_intermediate_size": 2048, "n_shared_experts": 4611686018427387905}`,
		ErrTooLarge, "n_shared_experts × moe_intermediate_size overflows int64 (4611686018427387905 × 2048)"},
	{"deepseek negative shared product", dsBase + `, "moe_intermediate_size": 2048, "n_shared_experts": -4611686018427387905}`,
		ErrTooLarge, "n_shared_experts × moe_intermediate_size overflows int64"},
	{"deepseek head dims", strings.Replace(dsBase, `"qk_nope_head_dim": 128`, `"qk_nope_head_dim": 9223372036854775807`, 1) +
		`, "moe_intermediate_size": 2048, "n_shared_experts": 1}`, ErrTooLarge, "qk_nope_head_dim + qk_rope_head_dim overflows int64"},
	{"gpt2 4 × n_embd", gpt2Base + `, "n_embd": 4611686018427387904, "n_head": 1, "n_layer": 1}`, ErrTooLarge,
		"4 × n_embd overflows int64"},
	{"falcon 4 × hidden_size", falconBase + `, "hidden_size": 4611686018427387904, "num_attention_heads": 1}`, ErrTooLarge,
		"4 × hidden_size overflows int64"},

	// One rule for an implicit head_dim: heads divide the hidden size exactly.
	{"gpt2 n_embd 770 / n_head 12", gpt2Base + `, "n_embd": 770, "n_head": 12, "n_layer": 12}`, ErrInvalidValue,
		"n_embd 770 is not a multiple of n_head 12"},
	{"falcon hidden_size 4545 / 71 heads", falconBase + `, "hidden_size": 4545, "num_attention_heads": 71}`, ErrInvalidValue,
		"hidden_size 4545 is not a multiple of num_attention_heads 71"},
	{"falcon hidden_size / n_head", `{"model_type": "falcon", "vocab_size": 1, "hidden_size": 100, "n_head": 3, "n_layer": 2}`,
		ErrInvalidValue, "hidden_size 100 is not a multiple of n_head 3"},
	{"llama hidden_size / heads", strings.Replace(llamaBase, "4096", "4100", 1) + `, "num_hidden_layers": 2}`, ErrInvalidValue,
		"hidden_size 4100 is not a multiple of num_attention_heads 32"},

	// Nothing but whitespace after the object.
	{"trailing brace", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 12}}`, ErrMalformedJSON, "data after the top-level object"},
	{"trailing garbage", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 12} xyz`, ErrMalformedJSON, "data after the top-level object"},
	{"second object", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 12}{}`, ErrMalformedJSON, "data after the top-level object"},
	{"null", `null`, ErrMalformedJSON, "not a JSON object"},
	{"truncated", gpt2Base, ErrMalformedJSON, "malformed JSON"},

	// Integers in the int64 range, quoted as written.
	{"1e400", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 1e400}`, ErrWrongType, "n_layer must be an integer, got the number 1e400"},
	{"4096.5", llamaBase[:len(llamaBase)-len(`11008`)] + `4096.5, "num_hidden_layers": 2}`, ErrWrongType,
		"intermediate_size must be an integer, got the number 4096.5"},
	{"4096.0", llamaBase + `, "num_hidden_layers": 2.0}`, ErrWrongType, "num_hidden_layers must be an integer, got the number 2.0"},
	{"1e3", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 1e1}`, ErrWrongType, "n_layer must be an integer, got the number 1e1"},
	{"out of range", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 99999999999999999999}`, ErrWrongType,
		"n_layer must be an integer, got the number 99999999999999999999 (out of range)"},
	{"out of range negative", gpt2Base + `, "n_embd": -99999999999999999999, "n_head": 12, "n_layer": 1}`, ErrWrongType,
		"n_embd must be an integer, got the number -99999999999999999999 (out of range)"},
	{"list item", `{` + llama4Text + `, "num_hidden_layers": 4, "moe_layers": [0, 1.5]}`, ErrWrongType,
		"moe_layers[1] must be an integer, got the number 1.5"},
	{"text_config not an object", `{"model_type": "llama4", "text_config": [1]}`, ErrWrongType, "text_config must be an object"},
	{"model_type a number", `{"model_type": 7}`, ErrWrongType, "model_type must be a string, got the number 7"},

	// Counts that must be positive: Validate's rule, named as the file names the field.
	{"gpt2 n_layer 0", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 0}`, ErrInvalidValue, "n_layer must be a positive integer, got 0"},
	{"gpt2 n_embd negative", gpt2Base + `, "n_embd": -768, "n_head": 12, "n_layer": 1}`, ErrInvalidValue,
		"n_embd must be a positive integer, got -768"},
	{"gpt2 n_head 0", gpt2Base + `, "n_embd": 768, "n_head": 0, "n_layer": 1}`, ErrInvalidValue, "n_head must be a positive integer, got 0"},
	{"gpt2 n_inner 0", gpt2Base + `, "n_embd": 768, "n_head": 12, "n_layer": 1, "n_inner": 0}`, ErrInvalidValue,
		"n_inner must be a positive integer, got 0"},
	{"gpt2 n_positions -1", gpt2Base[:len(gpt2Base)-len(`1024`)] + `-1, "n_embd": 768, "n_head": 12, "n_layer": 1}`, ErrInvalidValue,
		"n_positions must be a positive integer, got -1"},
	{"falcon n_layer -1", `{"model_type": "falcon", "vocab_size": 1, "hidden_size": 64, "n_head": 1, "n_layer": -1}`,
		ErrInvalidValue, "n_layer must be a positive integer, got -1"},
	{"falcon num_kv_heads 0", falconBase + `, "hidden_size": 8192, "num_attention_heads": 128,
		"new_decoder_architecture": true, "num_kv_heads": 0}`, ErrInvalidValue, "num_kv_heads must be a positive integer, got 0"},
	{"falcon n_head_kv 3", falconBase + `, "hidden_size": 8192, "num_attention_heads": 128,
		"new_decoder_architecture": true, "n_head_kv": 3}`, ErrInvalidValue, "num_attention_heads must be divisible by n_head_kv (3)"},
	{"falcon num_ln_in_parallel_attn 3", falconBase + `, "hidden_size": 4544, "num_attention_heads": 71,
		"num_ln_in_parallel_attn": 3}`, ErrInvalidValue, "num_ln_in_parallel_attn must be 1 (shared) or 2"},
	{"deepseek n_routed_experts -1", strings.Replace(dsBase, `"n_routed_experts": 256`, `"n_routed_experts": -1`, 1) +
		`, "moe_intermediate_size": 2048, "n_shared_experts": 1}`, ErrInvalidValue, "n_routed_experts must not be negative, got -1"},
	{"deepseek n_routed_experts absent", strings.Replace(dsBase, `"n_routed_experts": 256,`, ``, 1) +
		`, "moe_intermediate_size": 2048, "n_shared_experts": 1}`, ErrMissingField,
		"n_routed_experts (deepseek_v3): required, since DeepSeek's code reads its absence as a dense model"},
	{"deepseek n_shared_experts absent", dsBase + `, "moe_intermediate_size": 2048}`, ErrMissingField,
		"n_shared_experts (deepseek_v3): required, since DeepSeek's code reads its absence as no shared expert"},
	{"deepseek qk_nope_head_dim 0", strings.Replace(dsBase, `"qk_nope_head_dim": 128`, `"qk_nope_head_dim": 0`, 1) +
		`, "moe_intermediate_size": 2048, "n_shared_experts": 1}`, ErrInvalidValue, "qk_nope_head_dim must be a positive integer, got 0"},
	{"mixtral intermediate_size 0", `{"model_type": "mixtral", "vocab_size": 32000, "hidden_size": 4096, "num_hidden_layers": 32,
		"num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 0}`, ErrInvalidValue,
		"intermediate_size must be a positive integer, got 0"},
	{"qwen2_moe num_experts 0", `{"model_type": "qwen2_moe", "vocab_size": 1, "hidden_size": 8, "num_hidden_layers": 1,
		"num_attention_heads": 1, "num_experts": 0, "num_experts_per_tok": 1, "moe_intermediate_size": 4,
		"shared_expert_intermediate_size": 4}`, ErrInvalidValue, "num_experts_per_tok must be 0 in a dense model (num_experts = 0)"},
	{"llama4 text_config intermediate_size 0", `{"model_type": "llama4", "text_config": {` +
		strings.Replace(llama4Text, `"intermediate_size": 8192`, `"intermediate_size": 0`, 1) + `, "num_hidden_layers": 4}}`,
		ErrInvalidValue, "text_config.intermediate_size must be a positive integer, got 0"},
	{"kv heads past heads (fuzz)", llamaBase + `, "num_hidden_layers": 1, "num_key_value_heads": 64}`, ErrInvalidValue,
		"num_key_value_heads must not exceed num_attention_heads (32), got 64"},
	{"llama4 no_rope_layer_interval -1", `{` + llama4Text + `, "num_hidden_layers": 4, "no_rope_layer_interval": -1}`,
		ErrInvalidValue, "no_rope_layer_interval must not be negative, got -1"},
}

// strictQuiet: what the error of a strict case must not say, an error
// that follows from the one the case is about.
var strictQuiet = map[string]string{
	"llama4 text_config layers 10^12":        "moe_layers",
	"llama4_text layers 2^63-1 with lists":   "only",
	"list item":                              "only the layers",
	"gpt2 n_head 0":                          "head_dim",
	"gpt2 n_embd negative":                   "n_inner",
	"deepseek n_routed_experts -1":           "dense model",
	"deepseek qk_nope_head_dim 0":            "head_dim (",
	"llama4 text_config intermediate_size 0": "num_shared_experts",
}

// TestHFImportStrict: each refused input gives its kind of error, naming
// the field as the file writes it, after the path, and fast.
func TestHFImportStrict(t *testing.T) {
	names := map[string]bool{}
	for _, tt := range strictCases {
		names[tt.name] = true
	}
	for name := range strictQuiet {
		if !names[name] {
			t.Errorf("strictQuiet names no case %q", name)
		}
	}
	for _, tt := range strictCases {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := FromHFConfig("config.json", []byte(tt.json))
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("took %v", elapsed)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %v is not %v", err, tt.kind)
			}
			if !strings.HasPrefix(err.Error(), "config.json: ") || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q after the path", err, tt.says)
			}
			if quiet, ok := strictQuiet[tt.name]; ok && strings.Contains(err.Error(), quiet) {
				t.Errorf("error %q says %q, which follows from another error", err, quiet)
			}
			checkHFError(t, "config.json", err)
		})
	}
}

// TestHFImportRenamesValidation: a validation error wraps the FieldError,
// renamed to the file's field.
func TestHFImportRenamesValidation(t *testing.T) {
	_, err := FromHFConfig("config.json", []byte(gpt2Base+`, "n_embd": 768, "n_head": 12, "n_layer": 0}`))
	var fe *scale.FieldError
	if !errors.As(err, &fe) || fe.Field != "n_layer" {
		t.Errorf("error %v: FieldError %+v, want field n_layer", err, fe)
	}
}

// TestHFImportSize: data up to MaxConfigBytes is read, one byte more is refused.
func TestHFImportSize(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("..", "testdata", "hf", "gpt2.json"))
	if err != nil {
		t.Fatal(err)
	}
	data := append(good, strings.Repeat(" ", MaxConfigBytes-len(good))...)
	if _, err := FromHFConfig("gpt2.json", data); err != nil {
		t.Errorf("%d bytes: %v", len(data), err)
	}
	_, err = FromHFConfig("gpt2.json", append(data, '\n'))
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "gpt2.json: too large: the file is 16777217 bytes; tscale reads at most 16777216") {
		t.Errorf("%d bytes: error %v, want too large", len(data)+1, err)
	}
}

// TestHFImportTrailingWhitespace: whitespace after the object is fine.
func TestHFImportTrailingWhitespace(t *testing.T) {
	if _, err := FromHFConfig("config.json", []byte(gpt2Base+`, "n_embd": 768, "n_head": 12, "n_layer": 12}`+" \n\t\r\n")); err != nil {
		t.Error(err)
	}
}

// hfKinds are the kinds of error FromHFConfig returns.
var hfKinds = []error{ErrMalformedJSON, ErrMissingField, ErrWrongType, ErrUnsupportedModelType, ErrUnmodelled,
	ErrInvalidValue, ErrTooLarge}

// checkHFError checks that err starts with path and that each error it
// joins has a kind and names its field, or is about the file as a whole.
func checkHFError(t *testing.T, path string, err error) {
	t.Helper()
	if !strings.HasPrefix(err.Error(), path+": ") {
		t.Fatalf("error %q does not start with the path", err)
	}
	inner := errors.Unwrap(err)
	leaves := []error{inner}
	if j, ok := inner.(interface{ Unwrap() []error }); ok {
		if _, single := inner.(*fieldError); !single {
			leaves = j.Unwrap()
		}
	}
	for _, leaf := range leaves {
		fe, ok := leaf.(*fieldError)
		if !ok {
			t.Fatalf("error %q (%T) is not a fieldError", leaf, leaf)
		}
		kinds := 0
		for _, kind := range hfKinds {
			if errors.Is(fe, kind) {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("error %q has %d kinds", fe, kinds)
		}
		switch {
		case fe.field == "" && fe.kind != ErrMalformedJSON && fe.kind != ErrTooLarge:
			t.Errorf("error %q names no field", fe)
		case !strings.Contains(fe.Error(), fe.field):
			t.Errorf("error %q does not name its field %s", fe, fe.field)
		}
	}
}

// TestPhiQKLayerNorm: Phi's qk_layernorm is a LayerNorm(head_dim) with bias
// on queries and one on keys (transformers modeling_phi.py), shared by the
// heads: 4·head_dim parameters a layer, and no other change.
func TestPhiQKLayerNorm(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "hf", "phi-2.json"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := FromHFConfig("phi-2.json", data)
	if err != nil {
		t.Fatal(err)
	}
	withNorm, err := FromHFConfig("phi-2.json", bytes.Replace(data, []byte(`"qk_layernorm": false`), []byte(`"qk_layernorm": true`), 1))
	if err != nil {
		t.Fatal(err)
	}
	if !withNorm.Config.QKNorm || plain.Config.QKNorm {
		t.Fatalf("qk_layernorm read as %v, false as %v", withNorm.Config.QKNorm, plain.Config.QKNorm)
	}
	w := scale.Workload{BatchSize: 1, SeqLen: 16, DType: scale.BF16}
	a, errA := scale.Analyze(plain.Config, w)
	b, errB := scale.Analyze(withNorm.Config, w)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	c := plain.Config
	if got, want := b.Params.Total-a.Params.Total, c.NumHiddenLayers*4*c.HeadDim; got != want {
		t.Errorf("qk_layernorm adds %d parameters, want layers × 4 × head_dim = %d", got, want)
	}
	if a.FLOPs.Forward.Cmp(b.FLOPs.Forward) != 0 {
		t.Errorf("qk_layernorm changes the matmul FLOPs")
	}
}

// expectHFError imports config as config.json and checks that it is
// refused with an error of kind that says says, in the importer's form.
func expectHFError(t *testing.T, config string, kind error, says string) {
	t.Helper()
	_, err := FromHFConfig("config.json", []byte(config))
	if err == nil {
		t.Fatal("no error")
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %v is not %v", err, kind)
	}
	if !strings.Contains(err.Error(), says) {
		t.Errorf("error %q does not say %q", err, says)
	}
	checkHFError(t, "config.json", err)
}
