package presets

import (
	"math/big"
	"strings"
	"testing"
)

// The hand counts below follow each family's transformers modelling code,
// module by module, for a small config.json; tinyWorkload (b = 2, s = 9) is
// the workload, and handForward writes out the forward FLOPs of layers
// alike.

// TestOlmoeByHand counts a small OLMoE from modular_olmoe.py: q/k/v/o (with
// bias: attention_bias true), q_norm = RMSNorm(hidden_size) and k_norm =
// RMSNorm(hidden_size / H · K) over the whole projections, a router
// Linear(h, E) without bias and E gated experts of intermediate_size in
// every layer, two RMSNorms per layer, a final norm and an untied head.
func TestOlmoeByHand(t *testing.T) {
	const V, h, L, H, K, E, k, f = 100, 16, 2, 4, 2, 6, 2, 12
	const d = h / H
	p, r := importTiny(t, `{"model_type": "olmoe", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 12, "num_experts": 6,
		"num_experts_per_tok": 2, "attention_bias": true}`)
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + (q*h + h)
	qkNorms := int64(h) + kv // q_norm spans hidden_size, k_norm K·d
	experts := int64(E * 3 * h * f)
	layer := attention + qkNorms + int64(E*h) + experts + 2*h
	if want := V*h + L*layer + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if want := r.Params.Total - L*int64((E-k)*3*h*f); r.Params.Active != want {
		t.Errorf("params.active %d, want %d", r.Params.Active, want)
	}
	matrices := int64(h*q+2*h*kv+q*h) + E*h + k*3*h*f // per token: projections, router, k experts
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	if c := p.Config; c.MaxPositionEmbeddings != 4096 || c.TieWordEmbeddings || !c.QKNormFullWidth {
		t.Errorf("OlmoeConfig defaults: context 4096, untied, full-width QK norms; got %+v", c)
	}
	// num_experts and num_experts_per_tok absent: OlmoeConfig's 64 and 8.
	dflt, _ := importTiny(t, `{"model_type": "olmoe", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "intermediate_size": 12}`)
	if c := dflt.Config; c.NumLocalExperts != 64 || c.NumExpertsPerTok != 8 || c.NumKeyValueHeads != 4 {
		t.Errorf("defaults: 64 experts, 8 per token, KV heads = heads; got %+v", c)
	}
}

// TestPhimoeByHand counts a small Phi-3.5-MoE from modular_phimoe.py:
// LayerNorms with weight and bias, q/k/v/o with bias (attention_bias), a
// router without bias, E gated experts, and an LM head with a bias
// (lm_head_bias).
func TestPhimoeByHand(t *testing.T) {
	const V, h, L, H, K, E, k, f = 100, 16, 2, 4, 2, 4, 2, 12
	const d = h / H
	_, r := importTiny(t, `{"model_type": "phimoe", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 12, "num_local_experts": 4,
		"num_experts_per_tok": 2, "attention_bias": true, "lm_head_bias": true}`)
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + (q*h + h)
	layer := attention + 2*(2*h) + int64(E*h) + int64(E*3*h*f) // two LayerNorms of 2h each
	if want := V*h + L*layer + 2*h + (V*h + V); r.Params.Total != want {
		t.Errorf("params.total %d, want %d (LayerNorm weight and bias, LM head bias)", r.Params.Total, want)
	}
	if want := r.Params.Total - L*int64((E-k)*3*h*f); r.Params.Active != want {
		t.Errorf("params.active %d, want %d", r.Params.Active, want)
	}
	matrices := int64(h*q+2*h*kv+q*h) + E*h + k*3*h*f
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	// A window shorter than the sequence is applied (MixtralModel's mask).
	_, windowed := importTiny(t, `{"model_type": "phimoe", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 12, "sliding_window": 4}`)
	perPair := big.NewInt(2 * 2 * H * d * tinyWorkload.BatchSize * L) // QKᵀ and AV, 2 FLOPs per MAC
	want := new(big.Int).Mul(perPair, big.NewInt(causalPairsByHand(tinyWorkload.SeqLen, 4)))
	if got := windowed.FLOPs.Blocks.AttentionScores; got.Cmp(want) != 0 {
		t.Errorf("windowed attention FLOPs %v, want %v", got, want)
	}
}

// TestGraniteMoEByHand counts a small Granite MoE from
// modular_granitemoe.py: Llama attention, input_linear [E, 2f, h] and
// output_linear [E, h, f], a router Linear(h, E) without bias, tied
// embeddings; the multipliers change nothing.
func TestGraniteMoEByHand(t *testing.T) {
	const V, h, L, H, K, E, k, f = 100, 16, 2, 4, 2, 5, 2, 8
	const d = h / H
	p, r := importTiny(t, `{"model_type": "granitemoe", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 8, "num_local_experts": 5,
		"num_experts_per_tok": 2, "tie_word_embeddings": true, "embedding_multiplier": 12.0, "logits_scaling": 6.0}`)
	q, kv := int64(H*d), int64(K*d)
	attention := h*q + 2*h*kv + q*h
	layer := attention + 2*h + int64(E*h) + int64(E*(2*f*h+h*f))
	if want := V*h + L*layer + h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d (tied)", r.Params.Total, want)
	}
	matrices := attention + E*h + k*3*h*f
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "no parameters and no matmul FLOPs") {
		t.Errorf("notes do not say the multipliers change no count: %q", p.Notes)
	}
}

// TestErnie45ByHand counts a small dense ERNIE 4.5 from modular_ernie4_5.py:
// head_dim 128 where the file leaves it out (Ernie4_5Config), biases on
// q/k/v/o and the MLP with use_bias, never on the tied LM head.
func TestErnie45ByHand(t *testing.T) {
	const V, h, L, H, K, f = 100, 16, 2, 4, 2, 24
	for _, tt := range []struct {
		extra string
		d     int64
		bias  bool
	}{
		{``, 128, false},                     // Ernie4_5Config: head_dim 128
		{`, "head_dim": null`, h / H, false}, // null: hidden_size / num_attention_heads
		{`, "head_dim": 8, "use_bias": true`, 8, true},
	} {
		t.Run(tt.extra, func(t *testing.T) {
			_, r := importTiny(t, `{"model_type": "ernie4_5", "vocab_size": 100, "hidden_size": 16,
				"num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24`+tt.extra+`}`)
			q, kv := H*tt.d, K*tt.d
			layer := h*q + 2*h*kv + q*h + 3*h*f + 2*h
			if tt.bias {
				layer += q + 2*kv + h + 2*f + h
			}
			if want := V*h + L*layer + h; r.Params.Total != want {
				t.Errorf("params.total %d, want %d (tied head, no bias)", r.Params.Total, want)
			}
		})
	}
}

// tinyErnieMoE is an ernie4_5_moe config.json: vocab 100, hidden 16, 4
// layers, 4 heads over 2 KV heads, dense width 24, 6 experts of 8 with 2
// per token; extra is spliced in.
func tinyErnieMoE(extra string) string {
	return `{"model_type": "ernie4_5_moe", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "moe_intermediate_size": 8,
		"moe_num_experts": 6, "moe_k": 2` + extra + `}`
}

// TestErnie45MoEByHand counts a small ERNIE 4.5 MoE from
// modeling_ernie4_5_moe.py: layer i MoE when (i + 1) % moe_layer_interval
// == 0 and i ≥ moe_layer_start_index; an MoE layer's gate Linear(h, E)
// without bias, its e_score_correction_bias parameter (E values), E gated
// experts and one shared MLP of S × moe_intermediate_size; use_bias puts a
// bias on every projection, every MLP and the LM head.
func TestErnie45MoEByHand(t *testing.T) {
	const V, h, L, H, K, f, fe, E, k = 100, 16, 4, 4, 2, 24, 8, 6, 2
	const d = h / H
	for _, tt := range []struct {
		extra       string
		moeLayers   int64 // of the 4
		shared      int64
		bias, tied  bool
		denseLayers int64
	}{
		{``, 3, 2, false, true, 1}, // the class defaults: start 1, 2 shared, tied
		{`, "moe_layer_start_index": 0, "moe_num_shared_experts": 0, "tie_word_embeddings": false`, 4, 0, false, false, 0},
		{`, "moe_layer_interval": 2, "use_bias": true, "moe_num_shared_experts": 1`, 2, 1, true, true, 2}, // layers 1 and 3
		{`, "moe_layer_start_index": 2, "moe_layer_end_index": 3`, 2, 2, false, true, 2},
	} {
		t.Run(tt.extra, func(t *testing.T) {
			_, r := importTiny(t, tinyErnieMoE(tt.extra))
			q, kv := int64(H*d), int64(K*d)
			attention := h*q + 2*h*kv + q*h
			mlp := func(width int64) int64 { return 3 * h * width }
			if tt.bias {
				attention += q + 2*kv + h
				mlp = func(width int64) int64 { return 3*h*width + 2*width + h }
			}
			dense := attention + 2*h + mlp(f)
			moe := attention + 2*h + E*h + E + E*mlp(fe)
			if tt.shared > 0 {
				moe += mlp(tt.shared * fe)
			}
			head := int64(0)
			if !tt.tied {
				head = V * h
			}
			if tt.bias {
				head += V
			}
			want := V*h + head + h + tt.denseLayers*dense + tt.moeLayers*moe
			if r.Params.Total != want {
				t.Errorf("params.total %d, want %d", r.Params.Total, want)
			}
			if want := want - tt.moeLayers*(E-k)*mlp(fe); r.Params.Active != want {
				t.Errorf("params.active %d, want %d", r.Params.Active, want)
			}
		})
	}
	expectHFError(t, tinyErnieMoE(`, "moe_layer_end_index": 2`), ErrUnmodelled, "moe_layer_end_index 2")
	expectHFError(t, tinyErnieMoE(`, "moe_layer_interval": 0`), ErrInvalidValue, "moe_layer_interval must be a positive integer")
}

// TestHunyuanByHand counts small Hunyuan models from
// modeling_hunyuan_v1_dense.py and modeling_hunyuan_v1_moe.py: Llama
// attention with query_layernorm and key_layernorm RMSNorm(head_dim), and
// either a dense MLP or, in every layer, a router Linear(h, E), E experts
// and one shared MLP, all of intermediate_size.
func TestHunyuanByHand(t *testing.T) {
	const V, h, L, H, K, d, f, E, k = 100, 16, 2, 4, 2, 8, 12, 4, 2
	shape := `"vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4,
		"num_key_value_heads": 2, "head_dim": 8, "intermediate_size": 12`
	attention := int64(h*H*d + 2*h*K*d + H*d*h + 2*d) // with the two head_dim norms
	_, dense := importTiny(t, `{"model_type": "hunyuan_v1_dense", `+shape+`}`)
	if want := V*h + L*(attention+2*h+3*h*f) + h + V*h; dense.Params.Total != want {
		t.Errorf("dense params.total %d, want %d", dense.Params.Total, want)
	}
	_, moe := importTiny(t, `{"model_type": "hunyuan_v1_moe", `+shape+`, "num_experts": 4, "moe_topk": [2, 2],
		"moe_intermediate_size": [12, 12], "num_shared_expert": [1, 1], "tie_word_embeddings": true}`)
	layer := attention + 2*h + E*h + E*3*h*f + 3*h*f
	if want := V*h + L*layer + h; moe.Params.Total != want {
		t.Errorf("moe params.total %d, want %d", moe.Params.Total, want)
	}
	if want := moe.Params.Total - L*(E-k)*3*h*f; moe.Params.Active != want {
		t.Errorf("moe params.active %d, want %d", moe.Params.Active, want)
	}
	matrices := int64(h*H*d+2*h*K*d+H*d*h) + E*h + k*3*h*f + 3*h*f
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); moe.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("moe forward FLOPs %v, want %v", moe.FLOPs.Forward, want)
	}
	expectHFError(t, `{"model_type": "hunyuan_v1_moe", `+shape+`, "num_experts": 4, "moe_topk": [2, 1]}`,
		ErrUnmodelled, "moe_topk[1] is 1 where moe_topk[0] is 2")
	expectHFError(t, `{"model_type": "hunyuan_v1_moe", `+shape+`, "num_experts": 4, "moe_intermediate_size": 6}`,
		ErrUnmodelled, "every expert of intermediate_size (12)")
	expectHFError(t, `{"model_type": "hunyuan_v1_dense", `+shape+`, "use_cla": true}`, ErrUnmodelled, "use_cla true")
	expectHFError(t, `{"model_type": "hunyuan_v1_moe", `+shape+`, "num_experts": [4]}`, ErrInvalidValue,
		"num_experts lists 1 values, fewer than num_hidden_layers (2)")
}

// TestDots1ByHand counts a small dots.llm1 from modular_dots1.py: Qwen3's
// attention (q_norm and k_norm RMSNorm(head_dim)) and DeepSeek-V3's MoE
// from first_k_dense_replace on (router without bias, its
// e_score_correction_bias a buffer; shared MLP of n_shared_experts ×
// moe_intermediate_size).
func TestDots1ByHand(t *testing.T) {
	const V, h, L, H, K, f, fe, E, k, S = 100, 16, 3, 4, 2, 24, 6, 5, 2, 2
	const d = h / H
	p, r := importTiny(t, `{"model_type": "dots1", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "moe_intermediate_size": 6,
		"n_routed_experts": 5, "num_experts_per_tok": 2, "n_shared_experts": 2, "first_k_dense_replace": 1,
		"sliding_window": null, "max_window_layers": 3}`)
	attention := int64(h*H*d + 2*h*K*d + H*d*h + 2*d)
	dense := attention + 2*h + 3*h*f
	moe := attention + 2*h + E*h + E*3*h*fe + 3*h*S*fe
	if want := V*h + V*h + h + dense + (L-1)*moe; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if want := r.Params.Total - (L-1)*(E-k)*3*h*fe; r.Params.Active != want {
		t.Errorf("params.active %d, want %d", r.Params.Active, want)
	}
	if c := p.Config; c.SlidingWindow != 0 || !c.RouterScoreBias {
		t.Errorf("no window, a score-bias buffer; got %+v", c)
	}
	// Dots1Config's defaults: sliding_window 4096 from max_window_layers 62
	// on, which a 3-layer model never reaches; a smaller max_window_layers
	// makes the layers from it on windowed.
	windowed, _ := importTiny(t, `{"model_type": "dots1", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 24, "moe_intermediate_size": 6,
		"n_routed_experts": 5, "num_experts_per_tok": 2, "n_shared_experts": 2, "sliding_window": 4, "max_window_layers": 1}`)
	if c := windowed.Config; c.SlidingWindow != 4 || c.WindowFromLayer != 1 || c.IntermediateSize != 0 {
		t.Errorf("window 4 from layer 1, every layer MoE; got %+v", c)
	}
	expectHFError(t, `{"model_type": "dots1", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "intermediate_size": 24, "moe_intermediate_size": 6, "num_experts_per_tok": 2,
		"n_shared_experts": 2}`, ErrMissingField, "n_routed_experts (dots1)")
}

// TestOlmoeRefusals: a head_dim that OLMoE's norms cannot span, and a
// window its mask does not apply, are refused naming the field.
func TestOlmoeRefusals(t *testing.T) {
	base := `{"model_type": "olmoe", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "intermediate_size": 12`
	expectHFError(t, base+`, "head_dim": 8}`, ErrUnmodelled, "head_dim 8: OLMoE's q_norm spans hidden_size")
	expectHFError(t, base+`, "sliding_window": 4}`, ErrUnmodelled, "sliding_window 4")
}

// tinyLongcat is a longcat_flash config.json: vocab 100, hidden 16, 2
// LongCat layers, 2 heads of MLA (q_lora_rank 6, kv_lora_rank 4, nope 3,
// rope 2, v 5), dense MLPs of 24, 9 FFN experts of 8 and 4
// zero-computation experts, 10 slots per token; extra is spliced in.
func tinyLongcat(extra string) string {
	return `{"model_type": "longcat_flash", "vocab_size": 100, "hidden_size": 16, "num_layers": 2,
		"num_attention_heads": 2, "q_lora_rank": 6, "kv_lora_rank": 4, "qk_nope_head_dim": 3, "qk_rope_head_dim": 2,
		"v_head_dim": 5, "ffn_hidden_size": 24, "expert_ffn_hidden_size": 8, "n_routed_experts": 9,
		"zero_expert_num": 4, "moe_topk": 10` + extra + `}`
}

// TestLongcatFlashByHand counts a small LongCat-Flash from
// modeling_longcat_flash.py, module by module: per LongCat layer two MLA
// blocks, two dense MLPs of ffn_hidden_size, four RMSNorms and one MoE (a
// classifier Linear(h, E + Z) without bias, E gated experts of
// expert_ffn_hidden_size, Z identity experts owning nothing); a final norm
// and an untied head. Of the 10 slots per token, the report's convention
// runs 8 on FFN experts and 2 on identity experts.
func TestLongcatFlashByHand(t *testing.T) {
	const V, h, n, H, q, kv, nope, rope, v, f, fe, E, Z, k = 100, 16, 2, 2, 6, 4, 3, 2, 5, 24, 8, 9, 4, 10
	p, r := importTiny(t, tinyLongcat(``))
	mla := int64(h*q + q + q*H*(nope+rope) + h*(kv+rope) + kv + kv*H*(nope+v) + H*v*h)
	expert := int64(3 * h * fe)
	longcatLayer := 2*mla + 2*3*h*f + 4*h + h*(E+Z) + E*expert
	if want := V*h + n*longcatLayer + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	computed := int64(longcatFFNExpertsPerTok)
	if want := r.Params.Total - n*(E-computed)*expert; r.Params.Active != want {
		t.Errorf("params.active %d, want %d (8 FFN experts per token)", r.Params.Active, want)
	}
	if want := r.Params.Total - n*E*expert; r.Params.ActiveMin != want {
		t.Errorf("params.active_min %d, want %d (no FFN expert)", r.Params.ActiveMin, want)
	}
	if want := r.Params.Total - n*(E-computed)*expert + n*(k-computed)*expert; r.Params.ActiveMax != want {
		t.Errorf("params.active_max %d, want %d (all 10 slots on FFN experts)", r.Params.ActiveMax, want)
	}
	if c := p.Config; c.NumHiddenLayers != 2*n || c.ZeroComputationSlotsPerTok != 2 || !c.DenseMLPWithMoE || c.RouterBias {
		t.Errorf("config %+v", c)
	}
	// Per token: both sublayers' MLA projections and dense MLPs, the router
	// over E + Z, 8 expert slots; attention over 2n layers of MLA heads.
	mlaMACs := int64(h*q + q*H*(nope+rope) + h*(kv+rope) + kv*H*(nope+v) + H*v*h)
	perToken := n*(2*mlaMACs+2*3*h*f+h*(E+Z)+computed*expert) + V*h
	b, s := tinyWorkload.BatchSize, tinyWorkload.SeqLen
	pairs := causalPairsByHand(s, 0)
	want := big.NewInt(2 * (b*s*perToken + 2*n*b*H*(nope+rope+v)*pairs))
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	if want := int64(2 * n * (kv + rope)); r.Memory.KVCacheElementsPerToken != want {
		t.Errorf("KV cache per token %d, want 2 × num_layers × (kv_lora_rank + qk_rope_head_dim) = %d",
			r.Memory.KVCacheElementsPerToken, want)
	}
	// A router bias and no zero-computation experts.
	_, biased := importTiny(t, tinyLongcat(`, "router_bias": true`))
	if got := biased.Params.Total - r.Params.Total; got != n*(E+Z) {
		t.Errorf("router_bias adds %d, want n·(E + Z) = %d", got, n*(E+Z))
	}
	plain, _ := importTiny(t, strings.Replace(tinyLongcat(``), `"zero_expert_num": 4, "moe_topk": 10`,
		`"zero_expert_num": null, "moe_topk": 4`, 1))
	if c := plain.Config; c.ZeroComputationExperts != 0 || c.ZeroComputationSlotsPerTok != 0 {
		t.Errorf("zero_expert_num null: none; got %+v", c)
	}
	expectHFError(t, tinyLongcat(`, "q_lora_rank": null`), ErrUnmodelled, "q_lora_rank null")
	expectHFError(t, tinyLongcat(`, "zero_expert_type": "const"`), ErrUnmodelled, `zero_expert_type "const"`)
	expectHFError(t, tinyLongcat(`, "attention_bias": true`), ErrUnmodelled, "attention_bias true")
}

// TestLongcatFlashPaperRange: LongCat-Flash's technical report gives 560B
// parameters and 18.6B–31.3B activated per token, ~27B on average; without
// the input embedding, which its bounds leave out, params.active_min,
// params.active_max and params.active reproduce them (the report truncates
// to one decimal).
func TestLongcatFlashPaperRange(t *testing.T) {
	p, err := Lookup("longcat-flash")
	if err != nil {
		t.Fatal(err)
	}
	r := analyze(t, p)
	lookup := r.Params.Embedding // the token embedding: no position table
	for _, tt := range []struct {
		name   string
		got    int64
		lo, hi int64 // [lo, hi)
	}{
		{"params.total", r.Params.Total, 560_000_000_000, 561_000_000_000},
		{"params.active_min", r.Params.ActiveMin - lookup, 18_600_000_000, 18_700_000_000},
		{"params.active_max", r.Params.ActiveMax - lookup, 31_300_000_000, 31_400_000_000},
		{"params.active", r.Params.Active - lookup, 27_000_000_000, 27_500_000_000},
	} {
		if tt.got < tt.lo || tt.got >= tt.hi {
			t.Errorf("%s %d (without the embedding), the report's figure is in [%d, %d)", tt.name, tt.got, tt.lo, tt.hi)
		}
	}
}
