package presets

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// TestZamba2ByHand counts a small Zamba2 from modeling_zamba2.py: four
// Mamba-2 layers (input_layernorm; in_proj h → 2·d_inner + 2·G·N + H
// with add_bias_linear's bias; conv1d with its bias whatever use_conv_bias
// says; dt_bias, A_log, D; gated norm; out_proj with bias), layers 1 and 3
// "hybrid": one shared block (built once: norms over 2h and h, q/k/v from
// 2h of head_dim 2h/heads, o_proj, gate_up_proj and down_proj with biases)
// and per use a Linear(h, h) and the gate_up_proj adapter (h → r → 2I); a
// final norm; the LM head tied by PretrainedConfig's default.
func TestZamba2ByHand(t *testing.T) {
	const V, h, L, H, K, I, r = 50, 16, 4, 4, 2, 20, 3
	const nH, N, G, k = 4, 5, 2, 3
	p, rep := importTiny(t, `{"model_type": "zamba2", "vocab_size": 50, "hidden_size": 16, "num_hidden_layers": 4,
		"layers_block_type": ["mamba", "hybrid", "mamba", "hybrid"], "num_attention_heads": 4, "num_key_value_heads": 2,
		"intermediate_size": 20, "adapter_rank": 3, "n_mamba_heads": 4, "mamba_d_state": 5, "mamba_ngroups": 2,
		"mamba_d_conv": 3, "add_bias_linear": true, "use_conv_bias": false, "use_shared_mlp_adapter": false,
		"time_step_limit": [0.0, Infinity]}`)
	const d = 2 * h / H
	inner := int64(2 * h)
	convDim := inner + 2*G*N
	proj := inner + convDim + nH
	mamba := h + h*proj + proj + convDim*k + convDim + 3*nH + inner + inner*h + h
	block := int64(2*h + 2*h*H*d + 2*2*h*K*d + H*d*h + h + h*2*I + 2*I + I*h + h)
	perUse := int64(h*h + h*r + r*2*I)
	if want := V*h + L*mamba + 2*perUse + block + h; rep.Params.Total != want || rep.Params.SharedBlocks != block {
		t.Errorf("params.total %d (shared_blocks %d), by hand %d (%d)", rep.Params.Total, rep.Params.SharedBlocks, want, block)
	}
	for _, says := range []string{"use_conv_bias is not read", "use_shared_mlp_adapter is not read"} {
		if !strings.Contains(strings.Join(p.Notes, "\n"), says) {
			t.Errorf("notes lack %q: %q", says, p.Notes)
		}
	}
}

// TestZamba2ImportErrors: what the zamba2 reader refuses, naming the field.
func TestZamba2ImportErrors(t *testing.T) {
	base := `"model_type": "zamba2", "vocab_size": 50, "hidden_size": 16, "num_hidden_layers": 3, "num_attention_heads": 4,
		"intermediate_size": 20, "n_mamba_heads": 4`
	for _, tt := range []struct {
		json string
		kind error
		want string
	}{
		{`{` + base + `, "layers_block_type": ["mamba", "attention", "hybrid"]}`, ErrInvalidValue,
			`layers_block_type[1] is "attention": Zamba2 layers are "mamba" or "hybrid"`},
		{`{` + base + `, "layers_block_type": ["mamba", "hybrid"]}`, ErrInvalidValue,
			"layers_block_type has 2 entries, fewer than num_hidden_layers (3)"},
		{`{` + base + `, "layers_block_type": ["mamba", "hybrid", "mamba"], "n_mamba_heads": 5}`, ErrInvalidValue,
			"n_mamba_heads 5 does not divide mamba_expand × hidden_size (32)"},
		{`{` + base + `, "layers_block_type": ["mamba", "hybrid", "mamba"], "num_key_value_heads": 2,
			"use_shared_attention_adapter": true}`, ErrInvalidValue, "use_shared_attention_adapter need queries, keys and values 2·hidden_size wide"},
		{`{` + base + `, "layers_block_type": "mamba"}`, ErrWrongType, "layers_block_type must be a list of strings"},
		{`{"model_type": "zamba2", "vocab_size": 50, "hidden_size": 16, "num_hidden_layers": 3, "num_attention_heads": 4}`,
			ErrMissingField, "intermediate_size"},
	} {
		_, err := FromHFConfig("config.json", []byte(tt.json))
		if !errors.Is(err, tt.kind) || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got %v\nwant %v saying %q", tt.json, err, tt.kind, tt.want)
		}
	}
}

// TestHybridPresetNoteFigures: the figures the notes of this session's
// hybrid presets cite are computed here: zamba2-2.7b's total to Zyphra's
// 2.662B, what attention adapters would add to zamba2-7b, the Falcon-H1
// 7B Instruct vocabulary's one more token, Falcon-H1 34B's query width,
// and Jamba 1.5 Large's Hugging Face count.
func TestHybridPresetNoteFigures(t *testing.T) {
	lookup := func(slug string) (Preset, *scale.Report) {
		p, err := Lookup(slug)
		if err != nil {
			t.Fatal(err)
		}
		return p, analyze(t, p)
	}
	p, r := lookup("zamba2-2.7b")
	if got := (r.Params.Total + 500_000) / 1_000_000; got != 2662 {
		t.Errorf("zamba2-2.7b: %d rounds to %d M, not 2.662B", r.Params.Total, got)
	}
	notesSay(t, p, "2.662B")

	p, r = lookup("zamba2-7b")
	c := p.Config
	c.SharedAttentionAdapters = true
	adapted, err := scale.Analyze(c, scale.Workload{BatchSize: 1, SeqLen: p.Context(), DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}
	notesSay(t, p, "would add "+commas(adapted.Params.Total-r.Params.Total))

	p, r = lookup("falcon-h1-7b")
	c = p.Config
	c.VocabSize++
	wider, err := scale.Analyze(c, scale.Workload{BatchSize: 1, SeqLen: p.Context(), DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}
	notesSay(t, p, fmt.Sprintf("vocab_size as %d", c.VocabSize), commas(wider.Params.Total-r.Params.Total)+" weights")

	p, _ = lookup("falcon-h1-34b")
	notesSay(t, p, fmt.Sprintf("a query width of %d", p.Config.NumAttentionHeads*p.Config.HeadDim))

	p, r = lookup("jamba-1.5-large")
	notesSay(t, p, commas(r.Params.Total))
}
