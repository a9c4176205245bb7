package presets

import (
	"errors"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// TestNASByHand: a four-layer nemotron-nas config with a block of every
// kind counts as DeciLM builds it, written here module by module.
func TestNASByHand(t *testing.T) {
	const cfg = `{"model_type": "nemotron-nas", "vocab_size": 100, "hidden_size": 96, "num_hidden_layers": 4,
		"num_attention_heads": 8, "tie_word_embeddings": false, "block_configs": [
		{"attention": {"n_heads_in_group": 4, "no_op": false, "replace_with_linear": false, "window_length": null},
		 "ffn": {"ffn_mult": 1.3, "no_op": false, "replace_with_linear": false}},
		{"attention": {"n_heads_in_group": null, "no_op": true, "replace_with_linear": false},
		 "ffn": {"intermediate_size": 512, "no_op": false, "replace_with_linear": false}},
		{"attention": {"no_op": false, "replace_with_linear": true}, "ffn": {"no_op": true}},
		{"attention": {"n_heads_in_group": 1, "no_op": false}, "ffn": {"replace_with_linear": true}}]}`
	p, err := FromHFConfig("nas.json", []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 16, DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}
	const V, h, H, d = 100, 96, 8, 12
	attention := func(K int64) int64 { return h + h*H*d + 2*h*K*d + H*d*h } // input_layernorm, q, k, v, o
	// int(2·1.3·96/3) = int(83.2) = 83, rounded up to 256.
	mlp := func(f int64) int64 { return h + 3*h*f } // post_attention_layernorm, gate, up, down
	linear := int64(h + h*h)
	want := V*h + attention(2) + mlp(256) + mlp(512) + linear + attention(8) + linear + h + V*h
	if r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if want := int64(2*2*d + 2*8*d); r.Memory.KVCacheElementsPerToken != want {
		t.Errorf("KV cache per token %d, want %d", r.Memory.KVCacheElementsPerToken, want)
	}
}

// TestNASIntermediateSize: DeciLM's widths for the multipliers of the
// published Super-49B config, h = 8192 (as the research and every port
// list them).
func TestNASIntermediateSize(t *testing.T) {
	for mult, want := range map[float64]int64{0.5: 2816, 1.0: 5632, 1.3125: 7168, 2.625: 14336, 3.28125: 17920, 5.25: 28672} {
		if got, ok := nasIntermediateSize(mult, 8192); !ok || got != want {
			t.Errorf("ffn_mult %v: %d, want %d", mult, got, want)
		}
	}
	for _, bad := range []float64{0, -1, 1e300} {
		if _, ok := nasIntermediateSize(bad, 8192); ok {
			t.Errorf("ffn_mult %v accepted", bad)
		}
	}
}

// TestNASErrors: each refusal names the block and field.
func TestNASErrors(t *testing.T) {
	head := `{"model_type": "nemotron-nas", "vocab_size": 100, "hidden_size": 96, "num_hidden_layers": 1,
		"num_attention_heads": 8, "block_configs": [`
	for _, tc := range []struct {
		blocks string
		kind   error
		says   string
	}{
		{`{"attention": {"n_heads_in_group": 3}, "ffn": {"ffn_mult": 1}}`, ErrInvalidValue,
			"block_configs[0].attention.n_heads_in_group 3 must be a positive divisor of num_attention_heads (8)"},
		{`{"attention": {"n_heads_in_group": 8, "window_length": 4096}, "ffn": {"ffn_mult": 1}}`, ErrUnmodelled,
			"block_configs[0].attention.window_length 4096: not modelled"},
		{`{"attention": {"n_heads_in_group": 8}, "ffn": {"ffn_mult": 0}}`, ErrInvalidValue,
			"block_configs[0].ffn.ffn_mult 0 gives no positive MLP width"},
		{`{"attention": {"n_heads_in_group": 8}, "ffn": {"ffn_mult": 1}}, {"attention": {}, "ffn": {}}`, ErrInvalidValue,
			"block_configs lists 2 layers, not num_hidden_layers (1)"},
		{`{"attention": {"no_op": "yes"}, "ffn": {"ffn_mult": 1}}`, ErrWrongType,
			"block_configs[0].attention.no_op must be true or false"},
		{`7`, ErrWrongType, "block_configs[0] must be an object"},
	} {
		_, err := FromHFConfig("nas.json", []byte(head+tc.blocks+"]}"))
		if err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: error %v, want %v saying %q", tc.blocks, err, tc.kind, tc.says)
		}
	}
}
