package presets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// handCount is the number of parameters transformers builds for a
// Llama-shaped config.json (model_type llama, mistral, phi3, qwen3,
// qwen3_moe), module by module, from the file's own values, without
// FromHFConfig: total as model.num_parameters() counts it (a tied lm_head
// once), and active with num_experts_per_tok of num_experts experts per MoE
// layer.
//
//	embed_tokens V·h; per layer q_proj h·H·d, k_proj and v_proj h·K·d,
//	o_proj H·d·h (phi3's qkv_proj and gate_up_proj hold the same weights),
//	input_layernorm and post_attention_layernorm h each, and for qwen3 q_norm
//	and k_norm d each; a dense MLP 3·h·f; a Qwen3MoeSparseMoeBlock a router
//	h·E and E experts of 3·h·moe_f; final norm h; lm_head V·h unless tied.
func handCount(t *testing.T, file string) (total, active int64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "hf", file))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		ModelType         string  `json:"model_type"`
		V                 int64   `json:"vocab_size"`
		H                 int64   `json:"hidden_size"`
		L                 int64   `json:"num_hidden_layers"`
		Heads             int64   `json:"num_attention_heads"`
		KV                int64   `json:"num_key_value_heads"`
		HeadDim           int64   `json:"head_dim"`
		F                 int64   `json:"intermediate_size"`
		Tie               bool    `json:"tie_word_embeddings"`
		AttentionBias     bool    `json:"attention_bias"`
		Experts           int64   `json:"num_experts"`
		TopK              int64   `json:"num_experts_per_tok"`
		MoEF              int64   `json:"moe_intermediate_size"`
		SparseStep        int64   `json:"decoder_sparse_step"`
		MLPOnlyLayers     []int64 `json:"mlp_only_layers"`
		UseSlidingWindows bool    `json:"use_sliding_window"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if c.AttentionBias || c.UseSlidingWindows || len(c.MLPOnlyLayers) > 0 {
		t.Fatalf("%s: handCount does not count this file", file)
	}
	d := c.HeadDim
	if d == 0 {
		d = c.H / c.Heads
	}
	attn := c.H*c.Heads*d + 2*c.H*c.KV*d + c.Heads*d*c.H
	norms := 2 * c.H
	if c.ModelType == "qwen3" || c.ModelType == "qwen3_moe" {
		norms += 2 * d // q_norm, k_norm
	}
	embed := c.V * c.H
	head := embed
	if c.Tie {
		head = 0
	}
	total, active = embed+head+c.H, embed+head+c.H
	for i := range c.L {
		total += attn + norms
		active += attn + norms
		if c.ModelType == "qwen3_moe" && (i+1)%c.SparseStep == 0 {
			total += c.H*c.Experts + c.Experts*3*c.H*c.MoEF
			active += c.H*c.Experts + c.TopK*3*c.H*c.MoEF
			continue
		}
		total += 3 * c.H * c.F
		active += 3 * c.H * c.F
	}
	return total, active
}

// TestHandCounts: each preset of Qwen3, Llama 3.2, Phi-4 and Mistral NeMo
// counts what handCount counts from its config.json, active parameters
// included; the Qwen3 MoE active counts are the ones the research derived
// (the cards round them to 3.3B and 22B).
func TestHandCounts(t *testing.T) {
	for _, tt := range []struct {
		slug   string
		active int64 // 0: a dense model, active = total
	}{
		{"qwen3-0.6b", 0}, {"qwen3-8b", 0}, {"qwen3-32b", 0},
		{"qwen3-30b-a3b", 3_353_032_704}, {"qwen3-235b-a22b", 22_190_763_520},
		{"llama-3.2-1b", 0}, {"llama-3.2-3b", 0}, {"phi-4", 0}, {"mistral-nemo-12b", 0},
	} {
		t.Run(tt.slug, func(t *testing.T) {
			p, err := Lookup(tt.slug)
			if err != nil {
				t.Fatal(err)
			}
			total, active := handCount(t, tt.slug+".json")
			r := analyze(t, p)
			if r.Params.Total != total || r.Params.Active != active {
				t.Errorf("params %d total, %d active; by hand %d, %d", r.Params.Total, r.Params.Active, total, active)
			}
			if tt.active == 0 {
				tt.active = total
			}
			if active != tt.active {
				t.Errorf("active by hand %d, want %d", active, tt.active)
			}
		})
	}
}
