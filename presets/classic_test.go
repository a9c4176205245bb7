package presets

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// The classic decoders, each counted by hand from its transformers
// modelling code on a small config.json: embeddings, per layer every
// linear (weight and bias) and norm, the final norm and the LM head; and
// the forward FLOPs, every weight matrix per token plus QKᵀ and AV over
// the causal pairs.

// TestOPTByHand: modeling_opt.py. embed_tokens V×h; embed_positions
// (max_position_embeddings + 2)×h; per layer self_attn_layer_norm and
// final_layer_norm (LayerNorm, 2h each), q/k/v/out_proj h×h + h, fc1 h×f + f,
// fc2 f×h + h; the decoder's final_layer_norm; lm_head tied.
func TestOPTByHand(t *testing.T) {
	const V, h, L, H, f, P = 100, 16, 2, 4, 40, 32
	p, r := importTiny(t, `{"model_type": "opt", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "ffn_dim": 40, "max_position_embeddings": 32}`)
	layer := int64(2*2*h + 4*(h*h+h) + (h*f + f) + (f*h + h))
	if want := int64(V*h + (P+2)*h + L*layer + 2*h); r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if want := int64(V*h + (P+2)*h); r.Params.Embedding != want {
		t.Errorf("params.embedding %d, want V·h + (P + 2)·h = %d", r.Params.Embedding, want)
	}
	if !p.Config.TieWordEmbeddings || p.Config.HiddenAct != "relu" || p.Config.PositionOffset != 2 {
		t.Errorf("OPTConfig defaults: tied, relu, 2 offset rows; got %+v", p.Config)
	}
	want := handForward(4*h*h+2*h*f, V, h, L, H, h/H, causalPairsByHand(tinyWorkload.SeqLen, 0))
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	// enable_bias false drops every linear's bias, not the LayerNorms'.
	_, nobias := importTiny(t, `{"model_type": "opt", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "ffn_dim": 40, "max_position_embeddings": 32, "enable_bias": false}`)
	if got, want := r.Params.Total-nobias.Params.Total, int64(L*(4*h+f+h)); got != want {
		t.Errorf("enable_bias false removes %d parameters, want L·(4h + f + h) = %d", got, want)
	}
}

// TestGPTNeoXByHand: modeling_gpt_neox.py. embed_in V×h; per layer
// input_layernorm and post_attention_layernorm (2h each), query_key_value
// h×3h + 3h, dense h×h + h, dense_h_to_4h h×f + f, dense_4h_to_h f×h + h;
// final_layer_norm; embed_out h×V untied, without bias. Parallel or not,
// the same two norms and the same matmuls.
func TestGPTNeoXByHand(t *testing.T) {
	const V, h, L, H, f = 100, 16, 2, 4, 40
	base := `{"model_type": "gpt_neox", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "intermediate_size": 40, "rotary_pct": 0.25`
	p, r := importTiny(t, base+`}`)
	layer := int64(2*2*h + (h*3*h + 3*h) + (h*h + h) + (h*f + f) + (f*h + h))
	if want := int64(V*h + L*layer + 2*h + h*V); r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if !p.Config.ParallelBlock || p.Config.NormsPerLayer != 2 || p.Config.TieWordEmbeddings {
		t.Errorf("GPTNeoXConfig defaults: parallel residual with two norms, untied; got %+v", p.Config)
	}
	want := handForward(4*h*h+2*h*f, V, h, L, H, h/H, causalPairsByHand(tinyWorkload.SeqLen, 0))
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	// The block's norms and residual adds: two norms and one three-way add.
	var names []string
	for _, o := range r.Layers[0].Ops {
		if o.Kind == scale.KindNorm || o.Kind == scale.KindResidual {
			names = append(names, fmt.Sprintf("%s/%d", o.Name, len(o.Inputs)))
		}
	}
	if got, want := strings.Join(names, " "), "attention_norm/1 mlp_norm/1 residual/3"; got != want {
		t.Errorf("parallel block norms and adds %q, want %q", got, want)
	}
	seq, rs := importTiny(t, base+`, "use_parallel_residual": false}`)
	if seq.Config.ParallelBlock || rs.Params.Total != r.Params.Total || rs.FLOPs.Forward.Cmp(r.FLOPs.Forward) != 0 {
		t.Errorf("sequential GPT-NeoX: parallel %v, params %d, FLOPs %v; want sequential with the same counts",
			seq.Config.ParallelBlock, rs.Params.Total, rs.FLOPs.Forward)
	}
	_, nobias := importTiny(t, base+`, "attention_bias": false}`)
	if got, want := r.Params.Total-nobias.Params.Total, int64(L*(3*h+h)); got != want {
		t.Errorf("attention_bias false removes %d parameters, want L·(3h + h) = %d", got, want)
	}
}

// TestGPTJByHand: modeling_gptj.py. wte V×h; per layer ln_1 (2h) shared by
// attention and MLP, q/k/v/out_proj h×h without bias, fc_in h×f + f, fc_out
// f×h + h with f = 4h when n_inner is null; ln_f; lm_head h×V + V, untied.
func TestGPTJByHand(t *testing.T) {
	const V, h, L, H = 100, 16, 2, 4
	const f = 4 * h
	p, r := importTiny(t, `{"model_type": "gptj", "vocab_size": 100, "n_embd": 16, "n_layer": 2, "n_head": 4,
		"n_inner": null, "rotary_dim": 2, "n_positions": 64}`)
	layer := int64(2*h + 4*h*h + (h*f + f) + (f*h + h))
	if want := int64(V*h + L*layer + 2*h + (h*V + V)); r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if !p.Config.ParallelBlock || p.Config.NormsPerLayer != 1 || !p.Config.LMHeadBias {
		t.Errorf("GPT-J: one shared norm in a parallel block and an LM head bias; got %+v", p.Config)
	}
	want := handForward(4*h*h+2*h*f, V, h, L, H, h/H, causalPairsByHand(tinyWorkload.SeqLen, 0))
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	// Tied, the head keeps its bias: V parameters.
	_, tied := importTiny(t, `{"model_type": "gptj", "vocab_size": 100, "n_embd": 16, "n_layer": 2, "n_head": 4,
		"n_positions": 64, "tie_word_embeddings": true}`)
	if got, want := r.Params.Total-tied.Params.Total, int64(h*V); got != want {
		t.Errorf("tying removes %d parameters, want the head's weight h·V = %d", got, want)
	}
}

// TestBloomByHand: modeling_bloom.py. word_embeddings V×h and
// word_embeddings_layernorm (2h); per layer input_layernorm and
// post_attention_layernorm (2h each), query_key_value h×3h + 3h, dense h×h
// + h, dense_h_to_4h h×4h + 4h, dense_4h_to_h 4h×h + h; ln_f; lm_head tied;
// ALiBi: no position parameters. n_embed and num_attention_heads are the
// names BLOOM's own files use.
func TestBloomByHand(t *testing.T) {
	const V, h, L, H = 100, 16, 2, 4
	p, r := importTiny(t, `{"model_type": "bloom", "vocab_size": 100, "n_embed": 16, "n_layer": 2, "num_attention_heads": 4}`)
	layer := int64(2*2*h + (h*3*h + 3*h) + (h*h + h) + (h*4*h + 4*h) + (4*h*h + h))
	if want := int64(V*h + 2*h + L*layer + 2*h); r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if r.Params.Embedding != V*h || r.Params.NonEmbedding != r.Params.Total-V*h {
		t.Errorf("params.embedding %d, want the token table V·h = %d; the embedding LayerNorm is non-embedding", r.Params.Embedding, V*h)
	}
	if p.Config.PositionEmbedding != scale.PositionALiBi || !p.Config.EmbeddingNorm || p.Config.IntermediateSize != 4*h {
		t.Errorf("BLOOM: ALiBi, an embedding norm and a 4h MLP; got %+v", p.Config)
	}
	want := handForward(12*h*h, V, h, L, H, h/H, causalPairsByHand(tinyWorkload.SeqLen, 0))
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	var names []string
	for _, o := range r.Embedding.Ops {
		names = append(names, o.Name)
	}
	if got := strings.Join(names, " "); got != "embed_tokens embed_norm" {
		t.Errorf("embedding ops %q, want the token lookup and its LayerNorm", got)
	}
	// hidden_size and n_layer name the same fields.
	_, same := importTiny(t, `{"model_type": "bloom", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2, "n_head": 4}`)
	if same.Params.Total != r.Params.Total {
		t.Errorf("hidden_size/num_hidden_layers/n_head: %d parameters, want %d", same.Params.Total, r.Params.Total)
	}
}

// TestMPTByHand: modeling_mpt.py. wte V×h; per block norm_1 and norm_2
// (LayerNorm whose bias is None: h each), Wqkv h×3h and out_proj h×h, up_proj
// h×4h and down_proj 4h×h, all without bias; norm_f (h); lm_head tied;
// ALiBi.
func TestMPTByHand(t *testing.T) {
	const V, h, L, H = 100, 16, 2, 4
	p, r := importTiny(t, `{"model_type": "mpt", "vocab_size": 100, "d_model": 16, "n_layers": 2, "n_heads": 4,
		"max_seq_len": 32, "expansion_ratio": 4, "attn_config": {"alibi": true, "clip_qkv": 6}}`)
	layer := int64(2*h + 3*h*h + h*h + 8*h*h)
	if want := int64(V*h + L*layer + h); r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if p.Config.Norm != scale.LayerNormNoBias || p.Config.PositionEmbedding != scale.PositionALiBi || !p.Config.TieWordEmbeddings {
		t.Errorf("MPT: bias-free LayerNorms, ALiBi, tied; got %+v", p.Config)
	}
	want := handForward(12*h*h, V, h, L, H, h/H, causalPairsByHand(tinyWorkload.SeqLen, 0))
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	if notes := strings.Join(p.Notes, "\n"); strings.Contains(notes, "attn_config absent") {
		t.Errorf("attn_config is set, yet the notes say it is absent:\n%s", notes)
	}
	noAttn, _ := importTiny(t, `{"model_type": "mpt", "vocab_size": 100, "d_model": 16, "n_layers": 2, "n_heads": 4}`)
	if notes := strings.Join(noAttn.Notes, "\n"); !strings.Contains(notes, "attn_config absent: MptAttentionConfig's defaults") ||
		!strings.Contains(notes, "max_seq_len absent: 2048") {
		t.Errorf("notes lack the defaults applied:\n%s", notes)
	}
}

// TestDBRXByHand: modeling_dbrx.py. wte V×h; per block norm_1 and norm_2
// (LayerNorm(bias=False): h each), Wqkv h×(h + 2·K·d) and out_proj h×h, the
// router h×E, experts w1, v1, w2 of E·f×h each; norm_f (h); lm_head h×V
// untied. Active: k of the E experts.
func TestDBRXByHand(t *testing.T) {
	const V, h, L, H, K, f, E, k = 100, 16, 2, 4, 2, 24, 4, 2
	const d = h / H
	p, r := importTiny(t, `{"model_type": "dbrx", "vocab_size": 100, "d_model": 16, "n_layers": 2, "n_heads": 4,
		"max_seq_len": 64, "attn_config": {"kv_n_heads": 2, "clip_qkv": 8, "rope_theta": 500000},
		"ffn_config": {"ffn_hidden_size": 24, "moe_num_experts": 4, "moe_top_k": 2, "ffn_act_fn": {"name": "silu"}}}`)
	attention := int64(h*(h+2*K*d) + h*h)
	layer := 2*h + attention + h*E + E*3*h*f
	active := 2*h + attention + h*E + k*3*h*f
	if want := int64(V*h + L*layer + h + h*V); r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if want := int64(V*h + L*active + h + h*V); r.Params.Active != want {
		t.Errorf("params.active %d, want %d", r.Params.Active, want)
	}
	if p.Config.NumKeyValueHeads != K || p.Config.MLP != scale.MLPGated || p.Config.IntermediateSize != 0 {
		t.Errorf("DBRX: %d KV heads, gated experts, no dense MLP; got %+v", K, p.Config)
	}
	want := handForward(attention+h*E+k*3*h*f, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0))
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	// attn_config absent: DbrxAttentionConfig's single KV head.
	mqa, _ := importTiny(t, `{"model_type": "dbrx", "vocab_size": 100, "d_model": 16, "n_layers": 2, "n_heads": 4,
		"ffn_config": {"ffn_hidden_size": 24, "moe_num_experts": 4, "moe_top_k": 2}}`)
	if mqa.Config.NumKeyValueHeads != 1 {
		t.Errorf("kv_n_heads absent: %d KV heads, want DbrxAttentionConfig's 1", mqa.Config.NumKeyValueHeads)
	}
}

// TestStableLMByHand: modeling_stablelm.py. embed_tokens V×h; per layer
// input_layernorm and post_attention_layernorm (2h each; a parallel layer
// has only the first), q/k/v_proj with bias (use_qkv_bias), o_proj without,
// with qk_layernorm one LayerNorm(head_dim, bias=False) per query head and
// per key/value head, gate/up/down h×f without bias; norm (2h); lm_head
// untied.
func TestStableLMByHand(t *testing.T) {
	const V, h, L, H, K, f = 100, 16, 2, 4, 2, 24
	const d = h / H
	base := `{"model_type": "stablelm", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "partial_rotary_factor": 0.25,
		"use_qkv_bias": true`
	_, r := importTiny(t, base+`}`)
	attention := int64((h*H*d + H*d) + 2*(h*K*d+K*d) + H*d*h)
	layer := 2*2*h + attention + 3*h*f
	if want := int64(V*h + L*layer + 2*h + h*V); r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	want := handForward(h*H*d+2*h*K*d+H*d*h+3*h*f, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0))
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	// StableLM 2 12B's layout: a parallel layer with one norm, per-head QK norms.
	p, r12 := importTiny(t, base+`, "use_parallel_residual": true, "qk_layernorm": true}`)
	if got, want := r12.Params.Total-r.Params.Total, int64(L*((H+K)*d-2*h)); got != want {
		t.Errorf("parallel with per-head QK norms: %d parameters more, want L·((H + K)·d − 2h) = %d", got, want)
	}
	if !p.Config.ParallelBlock || p.Config.NormsPerLayer != 1 || r12.FLOPs.Forward.Cmp(r.FLOPs.Forward) != 0 {
		t.Errorf("parallel block with one norm and the same FLOPs; got %+v, FLOPs %v", p.Config, r12.FLOPs.Forward)
	}
}

// TestClassicErrors: the values these readers refuse, each naming its
// field.
func TestClassicErrors(t *testing.T) {
	opt := `{"model_type": "opt", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4`
	mpt := `{"model_type": "mpt", "vocab_size": 100, "d_model": 16, "n_layers": 2, "n_heads": 4`
	dbrx := `{"model_type": "dbrx", "vocab_size": 100, "d_model": 16, "n_layers": 2, "n_heads": 4`
	ffn := `"ffn_config": {"ffn_hidden_size": 24, "moe_num_experts": 4, "moe_top_k": 2}`
	for _, tt := range []struct {
		name, json string
		kind       error
		says       string
	}{
		{"opt ffn_dim", opt + `}`, ErrMissingField, "ffn_dim (opt)"},
		{"opt post-norm", opt + `, "ffn_dim": 40, "do_layer_norm_before": false}`, ErrUnmodelled,
			"do_layer_norm_before false: post-LayerNorm OPT (opt-350m)"},
		{"opt no final norm", opt + `, "ffn_dim": 40, "_remove_final_layer_norm": true}`, ErrUnmodelled, "_remove_final_layer_norm true"},
		{"opt affine", opt + `, "ffn_dim": 40, "layer_norm_elementwise_affine": false}`, ErrUnmodelled,
			"layer_norm_elementwise_affine false: LayerNorms without weight and bias"},
		{"opt projections", opt + `, "ffn_dim": 40, "word_embed_proj_dim": 8}`, ErrUnmodelled,
			"word_embed_proj_dim 8: an embedding narrower or wider than hidden_size, with project_in and project_out"},
		{"opt heads", strings.Replace(opt, `"num_attention_heads": 4`, `"num_attention_heads": 3`, 1) + `, "ffn_dim": 40}`,
			ErrInvalidValue, "hidden_size 16 is not a multiple of num_attention_heads 3"},
		{"gpt_neox intermediate_size", `{"model_type": "gpt_neox", "vocab_size": 100, "hidden_size": 16,
			"num_hidden_layers": 2, "num_attention_heads": 4}`, ErrMissingField, "intermediate_size (gpt_neox)"},
		{"gpt_neox parallel", `{"model_type": "gpt_neox", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
			"num_attention_heads": 4, "intermediate_size": 40, "use_parallel_residual": "yes"}`, ErrWrongType,
			"use_parallel_residual must be true or false"},
		{"gptj heads", `{"model_type": "gptj", "vocab_size": 100, "n_embd": 16, "n_layer": 2, "n_head": 5}`, ErrInvalidValue,
			"n_embd 16 is not a multiple of n_head 5"},
		{"gptj n_inner", `{"model_type": "gptj", "vocab_size": 100, "n_embd": 16, "n_layer": 2, "n_head": 4, "n_inner": 0}`,
			ErrInvalidValue, "n_inner must be a positive integer, got 0"},
		{"bloom n_inner", `{"model_type": "bloom", "vocab_size": 100, "hidden_size": 16, "n_layer": 2, "n_head": 4,
			"n_inner": 32}`, ErrUnmodelled, "n_inner 32: transformers' BloomMLP is 4 × hidden_size wide"},
		{"bloom hidden", `{"model_type": "bloom", "vocab_size": 100, "n_layer": 2, "n_head": 4}`, ErrMissingField, "hidden_size (bloom)"},
		{"mpt expansion_ratio", mpt + `, "expansion_ratio": 8}`, ErrUnmodelled, "expansion_ratio 8: transformers' MptMLP is 4 × d_model wide"},
		{"mpt no_bias", mpt + `, "no_bias": false}`, ErrUnmodelled, "no_bias false"},
		{"mpt norm_type", mpt + `, "norm_type": "rmsnorm"}`, ErrUnmodelled, `norm_type "rmsnorm"`},
		{"mpt multi-query", mpt + `, "attn_config": {"attn_type": "multiquery_attention"}}`, ErrUnmodelled,
			`attn_config.attn_type "multiquery_attention": transformers' MptAttention is multi-head attention`},
		{"mpt learned positions", mpt + `, "attn_config": {"alibi": false}}`, ErrUnmodelled,
			"attn_config.alibi false: transformers' MptModel always adds ALiBi"},
		{"mpt qk_ln", mpt + `, "attn_config": {"qk_ln": true}}`, ErrUnmodelled, "attn_config.qk_ln true"},
		{"mpt prefix_lm", mpt + `, "attn_config": {"prefix_lm": true}}`, ErrUnmodelled, "attn_config.prefix_lm true"},
		{"mpt attn_config list", mpt + `, "attn_config": [1]}`, ErrWrongType, "attn_config must be an object (MptAttentionConfig)"},
		{"dbrx tied", dbrx + `, "tie_word_embeddings": true, ` + ffn + `}`, ErrUnmodelled, "DbrxConfig refuses tied embeddings"},
		{"dbrx ffn_config", dbrx + `}`, ErrMissingField, "ffn_config (dbrx"},
		{"dbrx moe_top_k", dbrx + `, "ffn_config": {"ffn_hidden_size": 24, "moe_num_experts": 4}}`, ErrMissingField,
			"ffn_config.moe_top_k (dbrx)"},
		{"dbrx top-k above experts", dbrx + `, "ffn_config": {"ffn_hidden_size": 24, "moe_num_experts": 4, "moe_top_k": 5}}`,
			ErrInvalidValue, "ffn_config.moe_top_k must be between 1 and ffn_config.moe_num_experts (4), got 5"},
		{"stablelm intermediate_size", `{"model_type": "stablelm", "vocab_size": 100, "hidden_size": 16,
			"num_hidden_layers": 2, "num_attention_heads": 4}`, ErrMissingField, "intermediate_size (stablelm)"},
		{"stablelm qk_layernorm", `{"model_type": "stablelm", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
			"num_attention_heads": 4, "intermediate_size": 24, "qk_layernorm": 1}`, ErrWrongType, "qk_layernorm must be true or false"},
		{"dbrx kv heads", dbrx + `, "attn_config": {"kv_n_heads": 3}, ` + ffn + `}`, ErrInvalidValue,
			"n_heads must be divisible by attn_config.kv_n_heads (3)"},
	} {
		t.Run(tt.name, func(t *testing.T) { expectHFError(t, tt.json, tt.kind, tt.says) })
	}
}

// TestVLLMOPT13BKVCache: Kwon et al. 2023 (vLLM), §3: "for the 13B parameter
// OPT model, the KV cache of a single token demands 800 KB of space,
// calculated as 2 (key and value vectors) × 5120 (hidden state size) × 40
// (number of layers) × 2 (bytes per FP16)" — 819,200 bytes, 800 in units
// of 1024 bytes.
func TestVLLMOPT13BKVCache(t *testing.T) {
	p, err := Lookup("opt-13b")
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 2048, DType: scale.FP16})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Memory.KVCacheBytesPerToken, int64(2*5120*40*2); got != want || got != 800*1024 {
		t.Errorf("OPT-13B KV cache per token: %d bytes, want 2 × 5120 × 40 × 2 = %d = 800 KiB", got, want)
	}
}

// TestPythiaTable: every Pythia model against the suite's own table (the
// EleutherAI/pythia README and model cards: total parameters, and the
// non-embedding count of Biderman et al. 2023, Table 1, which leaves out
// embed_in and embed_out alike).
func TestPythiaTable(t *testing.T) {
	for slug, want := range map[string]struct{ total, nonEmbedding int64 }{
		"pythia-70m":  {70_426_624, 18_915_328},
		"pythia-160m": {162_322_944, 85_056_000},
		"pythia-410m": {405_334_016, 302_311_424},
		"pythia-1b":   {1_011_781_632, 805_736_448},
		"pythia-1.4b": {1_414_647_808, 1_208_602_624},
		"pythia-2.8b": {2_775_208_960, 2_517_652_480},
		"pythia-6.9b": {6_857_302_016, 6_444_163_072},
		"pythia-12b":  {11_846_072_320, 11_327_027_200},
	} {
		p, err := Lookup(slug)
		if err != nil {
			t.Fatal(err)
		}
		r := analyze(t, p)
		var head int64
		for _, o := range r.Head.Ops {
			if o.Name == "lm_head" {
				head = o.Params
			}
		}
		if r.Params.Total != want.total || r.Params.NonEmbedding-head != want.nonEmbedding {
			t.Errorf("%s: %d total, %d without embed_in and embed_out; Pythia's table: %d, %d",
				slug, r.Params.Total, r.Params.NonEmbedding-head, want.total, want.nonEmbedding)
		}
	}
}

// TestOPTTable1: each OPT preset has the layers, heads and d_model of
// Zhang et al. 2022, Table 1, and its count rounds to the size the paper
// names it by, to the digits the name gives.
func TestOPTTable1(t *testing.T) {
	for _, row := range []struct {
		slug, size           string
		layers, heads, model int64
	}{
		{"opt-125m", "125M", 12, 12, 768}, {"opt-1.3b", "1.3B", 24, 32, 2048}, {"opt-2.7b", "2.7B", 32, 32, 2560},
		{"opt-6.7b", "6.7B", 32, 32, 4096}, {"opt-13b", "13B", 40, 40, 5120}, {"opt-30b", "30B", 48, 56, 7168},
		{"opt-66b", "66B", 64, 72, 9216}, {"opt-175b", "175B", 96, 96, 12288},
	} {
		p, err := Lookup(row.slug)
		if err != nil {
			t.Fatal(err)
		}
		c := p.Config
		if c.NumHiddenLayers != row.layers || c.NumAttentionHeads != row.heads || c.HiddenSize != row.model {
			t.Errorf("%s: %d layers, %d heads, d_model %d; Table 1: %d, %d, %d",
				row.slug, c.NumHiddenLayers, c.NumAttentionHeads, c.HiddenSize, row.layers, row.heads, row.model)
		}
		if got := roundedLike(analyze(t, p).Params.Total, row.size); got != row.size {
			t.Errorf("%s: params.total rounds to %s, the paper says %s", row.slug, got, row.size)
		}
	}
}

// roundedLike writes n in the unit and to the significant digits of size
// ("125M", "1.3B", "175B").
func roundedLike(n int64, size string) string {
	unit := size[len(size)-1:]
	scaleBy := map[string]float64{"M": 1e6, "B": 1e9}[unit]
	digits := len(strings.ReplaceAll(size[:len(size)-1], ".", ""))
	v := float64(n) / scaleBy
	e := math.Pow(10, float64(digits)-math.Ceil(math.Log10(v)))
	return strconv.FormatFloat(math.Round(v*e)/e, 'f', -1, 64) + unit
}

// TestBloomPublishedCounts: BLOOM's 176,247,271,424 (the model card and the
// BLOOM paper), and BLOOM-7B1's card, which gives its embedding parameters
// too: the token table, without the embedding LayerNorm.
func TestBloomPublishedCounts(t *testing.T) {
	for slug, want := range map[string]struct{ total, embedding int64 }{
		"bloom-176b": {176_247_271_424, 250880 * 14336},
		"bloom-7b1":  {7_069_016_064, 1_027_604_480},
	} {
		p, err := Lookup(slug)
		if err != nil {
			t.Fatal(err)
		}
		r := analyze(t, p)
		if r.Params.Total != want.total || r.Params.Embedding != want.embedding {
			t.Errorf("%s: %d total, %d embedding; published %d, %d", slug, r.Params.Total, r.Params.Embedding, want.total, want.embedding)
		}
	}
}

// TestOPTKerasHubLacksOffsetRows: keras-hub's OPT presets list
// 125,237,760 and 1,315,753,984 parameters, each exactly the 2 offset rows
// of the position table (2 × hidden_size) short of transformers' count.
func TestOPTKerasHubLacksOffsetRows(t *testing.T) {
	for slug, keras := range map[string]int64{"opt-125m": 125_237_760, "opt-1.3b": 1_315_753_984} {
		p, err := Lookup(slug)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := analyze(t, p).Params.Total-keras, 2*p.Config.HiddenSize; got != want {
			t.Errorf("%s: keras-hub's count is %d short, want the 2 offset rows, %d", slug, got, want)
		}
	}
}
