package presets

import (
	"math/big"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// The dense 2025 families, each counted by hand from its transformers
// modelling code on a small config.json, op by op. b, s = 2, 9
// (tinyWorkload); a window of 4 slides.

// windowedForward is the forward matmul FLOPs of a model whose layers have
// the same weight matrices (matrices MACs per token) but whose attention
// spans differ: windowed layers score causalPairsByHand(s, w) pairs per
// head, the others the whole causal prefix.
func windowedForward(matrices, vocab, hidden, layers, windowed, window, heads, headDim int64) *big.Int {
	b, s := tinyWorkload.BatchSize, tinyWorkload.SeqLen
	pairs := windowed*causalPairsByHand(s, window) + (layers-windowed)*causalPairsByHand(s, 0)
	macs := b*s*(layers*matrices+vocab*hidden) + 2*b*heads*headDim*pairs
	return big.NewInt(2 * macs)
}

// windowedLayers returns the sorted indices of the layers with a window and
// that window.
func windowedLayers(r *scale.Report) (idx []int64, window int64) {
	for _, lg := range r.Layers {
		if lg.SlidingWindow == 0 {
			continue
		}
		window = lg.SlidingWindow
		for _, rg := range lg.Ranges {
			for i := rg.First; i <= rg.Last; i += rg.Step {
				idx = append(idx, i)
			}
		}
	}
	return idx, window
}

func notesSay(t *testing.T, p Preset, wants ...string) {
	t.Helper()
	notes := strings.Join(p.Notes, "\n")
	for _, want := range wants {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// TestCohereByHand counts a small Command R from modeling_cohere.py:
// embed_tokens, tied to lm_head (CohereConfig's default); per layer q/k/v/o
// with bias (attention_bias true), q_norm and k_norm CohereLayerNorm((H, d))
// and ((K, d)) without bias (use_qk_norm true), gate/up/down without bias
// and one input_layernorm (weight only) read by attention and the MLP
// alike; the final CohereLayerNorm. logit_scale multiplies the logits: no
// parameter, no matmul.
func TestCohereByHand(t *testing.T) {
	const V, h, L, H, K, I = 100, 16, 2, 4, 2, 24
	const d = h / H
	shape := `{"model_type": "cohere", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "attention_bias": true,
		"logit_scale": 0.0625`
	p, r := importTiny(t, shape+`, "use_qk_norm": true}`)
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + (q*h + h)
	qkNorms := q + kv // a weight per head and channel, no bias
	layer := attention + qkNorms + 3*h*I + h
	if want := V*h + L*layer + h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	c := p.Config
	if !c.ParallelBlock || c.NormsPerLayer != 1 || c.Norm != scale.LayerNormNoBias || !c.TieWordEmbeddings || !c.QKNormPerHead {
		t.Errorf("Cohere's block: parallel, one LayerNorm without bias, tied, per-head QK norm; got %+v", c)
	}
	matrices := h*q + 2*h*kv + q*h + 3*h*I
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	notesSay(t, p, "tie_word_embeddings absent: true (cohere default)", "logit_scale multiplies the logits")
	_, plain := importTiny(t, shape+`}`) // use_qk_norm absent: false
	if got := r.Params.Total - plain.Params.Total; got != L*qkNorms {
		t.Errorf("use_qk_norm adds %d parameters, want L·(H·d + K·d) = %d", got, L*qkNorms)
	}
}

// TestCohere2ByHand counts a small Command R7B from modeling_cohere2.py:
// Cohere's layer without a QK norm (use_qk_norm is not read), head_dim
// hidden_size // num_attention_heads whatever the file says, and layers 0–2
// of every 4 sliding over sliding_window tokens (sliding_window_pattern's
// default 4).
func TestCohere2ByHand(t *testing.T) {
	const V, h, L, H, K, I, W = 100, 16, 4, 4, 2, 24, 4
	const d = h / H
	p, r := importTiny(t, `{"model_type": "cohere2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "head_dim": 8,
		"use_qk_norm": true, "sliding_window": 4}`)
	q, kv := int64(H*d), int64(K*d)
	layer := h*q + 2*h*kv + q*h + 3*h*I + h
	if want := V*h + L*layer + h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d (tied, no QK norm)", r.Params.Total, want)
	}
	if idx, w := windowedLayers(r); w != W || len(idx) != 3 || idx[2] != 2 {
		t.Errorf("windowed layers %v (window %d), want [0 1 2] (window %d)", idx, w, W)
	}
	matrices := h*q + 2*h*kv + q*h + 3*h*I
	if want := windowedForward(matrices, V, h, L, 3, W, H, d); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	notesSay(t, p, "head_dim 8 ignored", "use_qk_norm ignored", "sliding_window_pattern absent: 4 (Cohere2Config default)")
	// sliding_window_pattern 1: every layer full attention.
	_, full := importTiny(t, `{"model_type": "cohere2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "sliding_window": 4,
		"sliding_window_pattern": 1}`)
	if idx, _ := windowedLayers(full); len(idx) != 0 {
		t.Errorf("sliding_window_pattern 1: windowed layers %v, want none", idx)
	}
}

// TestGlm4ByHand counts a small GLM-4-0414 from modeling_glm4.py with
// Glm4Config's defaults (2 KV heads, head_dim 128, attention_bias true,
// untied): q/k/v with bias, o_proj without; gate_up_proj Linear(h, 2I) and
// down_proj without bias; four RMSNorms per layer; the final norm.
func TestGlm4ByHand(t *testing.T) {
	const V, h, L, H, K, d, I = 100, 16, 2, 4, 2, 128, 24
	p, r := importTiny(t, `{"model_type": "glm4", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "intermediate_size": 24, "partial_rotary_factor": 0.5}`)
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + q*h
	mlp := int64(h*2*I + I*h)
	layer := attention + mlp + 4*h
	if want := V*h + L*layer + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	matrices := h*q + 2*h*kv + q*h + 3*h*I
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	notesSay(t, p, "num_key_value_heads absent: 2 (glm4 default)", "head_dim absent: 128 (Glm4Config default)",
		"partial_rotary_factor 0.5", "gate_up_proj")
	_, noBias := importTiny(t, `{"model_type": "glm4", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "intermediate_size": 24, "attention_bias": false}`)
	if got := r.Params.Total - noBias.Params.Total; got != L*(q+2*kv) {
		t.Errorf("attention_bias adds %d parameters, want L·(H·d + 2K·d) = %d (none on o_proj)", got, L*(q+2*kv))
	}
}

// TestSeedOssByHand counts a small Seed-OSS from modeling_seed_oss.py:
// q/k/v with bias (attention_bias), o_proj with bias only where
// attention_out_bias says, the MLP where mlp_bias says; SeedOssConfig
// takes head_dim null as hidden_size / num_attention_heads and an absent
// one as 128, and num_key_value_heads absent as 8.
func TestSeedOssByHand(t *testing.T) {
	const V, h, L, H, K, I = 100, 32, 2, 8, 8, 24
	const d = h / H
	p, r := importTiny(t, `{"model_type": "seed_oss", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2,
		"num_attention_heads": 8, "intermediate_size": 24, "head_dim": null, "attention_out_bias": true,
		"mlp_bias": true, "tie_word_embeddings": true}`)
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + (q*h + h)
	mlp := int64(2*(h*I+I) + (I*h + h))
	layer := attention + mlp + 2*h
	if want := V*h + L*layer + h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	notesSay(t, p, "head_dim null: 4 (hidden_size / num_attention_heads)", "num_key_value_heads absent: 8 (SeedOssConfig default)")
	absent, _ := importTiny(t, `{"model_type": "seed_oss", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2,
		"num_attention_heads": 8, "num_key_value_heads": null, "intermediate_size": 24}`)
	if c := absent.Config; c.HeadDim != 128 || c.NumKeyValueHeads != H || !c.AttentionQKVBias || c.AttentionOutBias || c.MLPBias {
		t.Errorf("head_dim absent: 128, num_key_value_heads null: the heads, biases on q/k/v only; got %+v", c)
	}
}

// TestApertusByHand counts a small Apertus from modeling_apertus.py: q/k/v/o
// without bias, q_norm and k_norm RMSNorm(head_dim), up_proj → xIELU →
// down_proj without bias, xIELU's alpha_p and alpha_n (2 parameters per
// layer; beta and eps are buffers), attention_layernorm and
// feedforward_layernorm, the final norm and an untied head.
func TestApertusByHand(t *testing.T) {
	const V, h, L, H, K, I = 100, 16, 3, 4, 2, 40
	const d = h / H
	shape := `{"model_type": "apertus", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40, "qk_norm": true, "post_norm": false`
	p, r := importTiny(t, shape+`}`)
	q, kv := int64(H*d), int64(K*d)
	attention := h*q + 2*h*kv + q*h + 2*d
	mlp := int64(2*h*I + 2)
	layer := attention + mlp + 2*h
	if want := V*h + L*layer + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	matrices := h*q + 2*h*kv + q*h + 2*h*I
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v (the activation's parameters are no matmul)", r.FLOPs.Forward, want)
	}
	notesSay(t, p, "xIELU learns alpha_p and alpha_n")
	// Another activation (NemotronMLP's ACT2FN) owns no parameter.
	_, relu := importTiny(t, shape+`, "hidden_act": "relu2"}`)
	if got := r.Params.Total - relu.Params.Total; got != 2*L {
		t.Errorf("xIELU adds %d parameters over relu2, want 2L = %d", got, 2*L)
	}
}

// TestExaone4ByHand counts a small EXAONE 4.0 from modeling_exaone4.py:
// q/k/v/o without bias, q_norm and k_norm RMSNorm(head_dim), the gated MLP
// without bias, post_attention_layernorm and post_feedforward_layernorm
// (no input norm), the final norm and an untied head; without layer_types,
// layers 0–2 of every 4 slide (sliding_window_pattern's default 4).
func TestExaone4ByHand(t *testing.T) {
	const V, h, L, H, K, I, W = 100, 16, 4, 4, 2, 24, 4
	const d = h / H
	p, r := importTiny(t, `{"model_type": "exaone4", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "sliding_window": 4,
		"attention_bias": true}`)
	q, kv := int64(H*d), int64(K*d)
	layer := h*q + 2*h*kv + q*h + 2*d + 3*h*I + 2*h
	if want := V*h + L*layer + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d (attention_bias is not read: no biases)", r.Params.Total, want)
	}
	matrices := h*q + 2*h*kv + q*h + 3*h*I
	if want := windowedForward(matrices, V, h, L, 3, W, H, d); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	if c := p.Config; !c.PostNorm || !c.QKNorm || c.QKNormFullWidth {
		t.Errorf("EXAONE 4's block: post-norm, QK norm over head_dim; got %+v", c)
	}
	// The official file: layer_types decides; the string pattern is ignored.
	lt, _ := importTiny(t, `{"model_type": "exaone4", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "sliding_window": 4,
		"sliding_window_pattern": "LLLG", "layer_types": ["sliding_attention", "sliding_attention", "sliding_attention",
		"full_attention"]}`)
	if lt.Config.GlobalAttentionInterval != 4 || lt.Config.SlidingWindow != W {
		t.Errorf("layer_types [S S S F]: interval %d, window %d; want 4, %d", lt.Config.GlobalAttentionInterval, lt.Config.SlidingWindow, W)
	}
	notesSay(t, lt, "sliding_window_pattern ignored: layer_types decides")
}

// TestSmolLM3ByHand counts a small SmolLM3 from modeling_smollm3.py: the
// Llama block with every bias on, 4 KV heads and a tied head by default;
// with use_sliding_window, the layers without RoPE (no_rope_layers 0)
// slide.
func TestSmolLM3ByHand(t *testing.T) {
	const V, h, L, H, K, I, W = 100, 16, 4, 4, 4, 24, 4
	const d = h / H
	p, r := importTiny(t, `{"model_type": "smollm3", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "intermediate_size": 24, "attention_bias": true, "mlp_bias": true,
		"use_sliding_window": true, "sliding_window": 4, "no_rope_layers": [0, 0, 0, 0]}`)
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + (q*h + h)
	mlp := int64(2*(h*I+I) + (I*h + h))
	if want := V*h + L*(attention+mlp+2*h) + h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	matrices := h*q + 2*h*kv + q*h + 3*h*I
	if want := windowedForward(matrices, V, h, L, L, W, H, d); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v (every layer without RoPE, so every layer sliding)", r.FLOPs.Forward, want)
	}
	notesSay(t, p, "num_key_value_heads absent: 4 (smollm3 default)", "tie_word_embeddings absent: true", "no_rope_layers")
	// The released models: use_sliding_window false, every layer full.
	_, full := importTiny(t, `{"model_type": "smollm3", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "intermediate_size": 24, "use_sliding_window": false, "sliding_window": null,
		"layer_types": ["full_attention", "full_attention", "full_attention", "full_attention"]}`)
	if idx, _ := windowedLayers(full); len(idx) != 0 {
		t.Errorf("use_sliding_window false: windowed layers %v, want none", idx)
	}
}

// TestOlmo3ByHand counts a small OLMo 3 from modeling_olmo3.py: OLMo 2's
// layer (full-width QK norms, post-norms) with Olmo3Config's default
// layer_types, three sliding layers then a full one.
func TestOlmo3ByHand(t *testing.T) {
	const V, h, L, H, K, d, I, W = 100, 16, 4, 4, 2, 4, 24, 4
	p, r := importTiny(t, `{"model_type": "olmo3", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "sliding_window": 4}`)
	q, kv := int64(H*d), int64(K*d)
	layer := h*q + 2*h*kv + q*h + (q + kv) + 3*h*I + 2*h
	if want := V*h + L*layer + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	matrices := h*q + 2*h*kv + q*h + 3*h*I
	if want := windowedForward(matrices, V, h, L, 3, W, H, d); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	notesSay(t, p, "layer_types absent: every fourth layer full attention")
}

// TestArceeByHand counts a small Arcee AFM from modeling_arcee.py: Llama's
// attention with bias where attention_bias says, ArceeMLP's up_proj and
// down_proj (no gate) with bias where mlp_bias says, around relu².
func TestArceeByHand(t *testing.T) {
	const V, h, L, H, K, I = 100, 16, 2, 4, 2, 40
	const d = h / H
	_, r := importTiny(t, `{"model_type": "arcee", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40, "mlp_bias": true}`)
	q, kv := int64(H*d), int64(K*d)
	attention := h*q + 2*h*kv + q*h
	mlp := int64((h*I + I) + (I*h + h))
	if want := V*h + L*(attention+mlp+2*h) + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	matrices := h*q + 2*h*kv + q*h + 2*h*I
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
}

// TestMinistralByHand counts a small Ministral from modeling_ministral.py:
// q/k/v/o and the gated MLP without bias whatever attention_bias says, 8 KV
// heads by default, and the sliding layers layer_types names.
func TestMinistralByHand(t *testing.T) {
	const V, h, L, H, K, I, W = 100, 32, 4, 8, 8, 24, 4
	const d = h / H
	p, r := importTiny(t, `{"model_type": "ministral", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 4,
		"num_attention_heads": 8, "intermediate_size": 24, "attention_bias": true, "sliding_window": 4,
		"layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention"]}`)
	q, kv := int64(H*d), int64(K*d)
	if want := V*h + L*(h*q+2*h*kv+q*h+3*h*I+2*h) + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if idx, w := windowedLayers(r); w != W || len(idx) != 2 || idx[0] != 0 || idx[1] != 2 {
		t.Errorf("windowed layers %v (window %d), want [0 2] (window %d)", idx, w, W)
	}
	notesSay(t, p, "num_key_value_heads absent: 8 (ministral default)")
	// layer_types absent: every layer slides over sliding_window (default 4096).
	def, _ := importTiny(t, `{"model_type": "ministral", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 4,
		"num_attention_heads": 8, "intermediate_size": 24}`)
	if c := def.Config; c.SlidingWindow != 4096 || c.GlobalAttentionInterval != 0 {
		t.Errorf("MinistralConfig defaults: every layer sliding over 4096 tokens; got window %d, interval %d",
			c.SlidingWindow, c.GlobalAttentionInterval)
	}
}

// TestMinistralAndArceeConfigs: the files without a preset read as their
// published counts say (testdata/hf/SOURCES.md).
func TestMinistralAndArceeConfigs(t *testing.T) {
	for _, tt := range []struct {
		file  string
		total int64
	}{
		{"ministral-8b.json", 8_019_808_256}, // HF safetensors count of mistralai/Ministral-8B-Instruct-2410
		{"afm-4.5b.json", 4_619_184_640},     // derived; the Hub lists AFM-4.5B-Base at 4.62B
	} {
		p := readHF(t, tt.file)
		r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 16, DType: scale.BF16})
		if err != nil {
			t.Fatal(err)
		}
		if r.Params.Total != tt.total {
			t.Errorf("%s: params.total %d, want %d", tt.file, r.Params.Total, tt.total)
		}
	}
}

// TestDense2025Errors: the values these readers refuse.
func TestDense2025Errors(t *testing.T) {
	shape := func(modelType string) string {
		return `{"model_type": "` + modelType + `", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
			"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24`
	}
	for _, tt := range []struct {
		name, json string
		kind       error
		says       string
	}{
		{"cohere2 pattern 0", shape("cohere2") + `, "sliding_window_pattern": 0}`, ErrInvalidValue,
			"sliding_window_pattern must be a positive integer, got 0"},
		{"cohere2 null window", shape("cohere2") + `, "sliding_window": null}`, ErrInvalidValue,
			"sliding_window is null, but sliding_window_pattern 4 makes layers sliding"},
		{"cohere use_qk_norm", shape("cohere") + `, "use_qk_norm": "yes"}`, ErrWrongType,
			"use_qk_norm must be true or false"},
		{"apertus qk_norm", shape("apertus") + `, "qk_norm": false}`, ErrUnmodelled,
			"qk_norm false: transformers' ApertusAttention always has q_norm and k_norm"},
		{"apertus post_norm", shape("apertus") + `, "post_norm": true}`, ErrUnmodelled, "post_norm true"},
		{"apertus mlp_bias", shape("apertus") + `, "mlp_bias": true}`, ErrUnmodelled, "ApertusMLP has no bias"},
		{"exaone4 string pattern", shape("exaone4") + `, "sliding_window_pattern": "LLLG"}`, ErrUnmodelled,
			`sliding_window_pattern "LLLG" without layer_types`},
		{"exaone4 null window", shape("exaone4") + `, "sliding_window": null}`, ErrInvalidValue,
			"sliding_window is null and the file has no layer_types"},
		{"smollm3 nope sliding", `{"model_type": "smollm3", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 8,
			"num_attention_heads": 4, "intermediate_size": 24, "use_sliding_window": true, "sliding_window": 4}`, ErrUnmodelled,
			"use_sliding_window with the layers without RoPE sliding gives a pattern"},
		{"smollm3 layer types", shape("smollm3") + `, "layer_types": ["sliding_attention", "sliding_attention",
			"sliding_attention", "sliding_attention"]}`, ErrUnmodelled, "use_sliding_window is false or sliding_window null"},
		{"smollm3 short no_rope_layers", shape("smollm3") + `, "use_sliding_window": true, "sliding_window": 4,
			"no_rope_layers": [1, 1]}`, ErrInvalidValue, "no_rope_layers lists 2 layers, fewer than num_hidden_layers (4)"},
		{"olmo3 null window", shape("olmo3") + `, "sliding_window": null}`, ErrInvalidValue,
			"sliding_window is null, but Olmo3Config's default layer_types"},
		{"glm4 head_dim", shape("glm4") + `, "head_dim": "128"}`, ErrWrongType, "head_dim must be an integer"},
		{"seed_oss intermediate_size", `{"model_type": "seed_oss", "vocab_size": 100, "hidden_size": 16,
			"num_hidden_layers": 2, "num_attention_heads": 8}`, ErrMissingField, "intermediate_size (seed_oss)"},
		{"arcee layer count", `{"model_type": "arcee", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 0,
			"num_attention_heads": 4, "intermediate_size": 24}`, ErrInvalidValue, "num_hidden_layers must be a positive integer"},
		{"ministral layer types", shape("ministral") + `, "sliding_window": null, "layer_types": ["sliding_attention",
			"sliding_attention", "sliding_attention", "sliding_attention"]}`, ErrInvalidValue,
			"layer_types has sliding layers, but sliding_window is not set"},
	} {
		t.Run(tt.name, func(t *testing.T) { expectHFError(t, tt.json, tt.kind, tt.says) })
	}
}
