package presets

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// TestNemotronHByHand counts a small Nemotron-H from modeling_nemotron_h.py:
// per layer one RMSNorm and one mixer by hybrid_override_pattern — M a
// Mamba-2 mixer (in_proj h → 2·d_inner + 2·G·N + H_m without bias,
// conv1d over d_inner + 2·G·N channels of kernel 4 with bias, dt_bias,
// A_log and D, a gated RMSNorm over d_inner, out_proj), * attention (q/k/v/o
// of head_dim, no bias), - a relu² MLP (up, down); a final norm and an
// untied head. time_step_limit holds Python's Infinity, which is read.
func TestNemotronHByHand(t *testing.T) {
	const V, h, H, K, d, f = 100, 16, 4, 2, 8, 24
	const Hm, P, N, G, k = 4, 6, 5, 2, 4
	_, r := importTiny(t, `{"model_type": "nemotron_h", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 5,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "intermediate_size": 24,
		"hybrid_override_pattern": "M-*M-", "mamba_num_heads": 4, "mamba_head_dim": 6, "ssm_state_size": 5,
		"n_groups": 2, "conv_kernel": 4, "chunk_size": 3, "time_step_limit": [0.0, Infinity]}`)
	inner := int64(Hm * P)
	convDim := inner + 2*G*N
	mamba := h + h*(2*inner+2*G*N+Hm) + convDim*k + convDim + 3*Hm + inner + inner*h
	mlp := int64(h + 2*h*f)
	attention := int64(h + h*H*d + 2*h*K*d + H*d*h)
	if want := 2*V*h + h + 2*mamba + 2*mlp + attention; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	// One Mamba-2 layer's FLOPs per token in the recurrent form: in_proj,
	// the conv's taps, 2·d_inner·N for the scan, out_proj.
	b, s := tinyWorkload.BatchSize, tinyWorkload.SeqLen
	perToken := h*(2*inner+2*G*N+Hm) + convDim*k + 2*inner*N + inner*h
	for _, lg := range r.Layers {
		if lg.SSMStateElements == 0 {
			continue
		}
		if got, want := lg.FLOPs.SSM.Int64(), 2*b*s*perToken; got != want {
			t.Errorf("Mamba-2 layer FLOPs %d, by hand %d", got, want)
		}
		if lg.SSMStateElements != inner*N || lg.ConvStateElements != convDim*k {
			t.Errorf("state %d + %d, by hand %d + %d", lg.SSMStateElements, lg.ConvStateElements, inner*N, convDim*k)
		}
	}
	if got, want := r.Memory.KVCacheElementsPerToken, int64(2*K*d); got != want {
		t.Errorf("KV cache per token %d, want %d (one attention layer)", got, want)
	}
	if r.FLOPs.SSMChunkSize != 3 {
		t.Errorf("chunk size %d, want chunk_size 3", r.FLOPs.SSMChunkSize)
	}
}

// TestNemotronHExpertsByHand counts a small Nemotron-H with mixture-of-
// experts layers as transformers 5.17's modeling_nemotron_h.py builds it,
// from a layers_block_type list with the legacy names "mamba" and
// "attention" (remapped): per layer one RMSNorm and one mixer — a Mamba-2
// mixer (in_proj and out_proj with use_bias's biases, conv1d without bias
// as mamba_conv_bias says over the plain use_conv_bias, mamba_n_groups and
// mamba_d_conv over n_groups and conv_kernel), attention of head_dim 8
// without biases (attention_head_dim and attention_bias are not read), a
// relu² MLP with mlp_bias's biases, or NemotronHMoE: a router Linear(h, E)
// without bias, E experts up_proj [E, fe, h] and down_proj [E, h, fe]
// without biases, and a shared NemotronHMLP of fs with biases. The head is
// not tied although tie_word_embeddings is true, and the 5 layers are the
// list's, not num_hidden_layers' 7.
func TestNemotronHExpertsByHand(t *testing.T) {
	const V, h, H, K, d, oldD, f = 100, 16, 4, 2, 8, 4, 24
	const Hm, P, N, G, k = 4, 6, 5, 2, 3
	const E, top, fe, fs = 4, 2, 6, 10
	p, r := importTiny(t, `{"model_type": "nemotron_h", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 7,
		"layers_block_type": ["mamba", "moe", "attention", "mlp", "moe"], "tie_word_embeddings": true,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "attention_head_dim": 4, "attention_bias": true,
		"intermediate_size": 24, "mlp_bias": true, "mamba_num_heads": 4, "mamba_head_dim": 6, "ssm_state_size": 5,
		"n_groups": 1, "mamba_n_groups": 2, "conv_kernel": 4, "mamba_d_conv": 3, "use_conv_bias": true,
		"mamba_conv_bias": false, "use_bias": true, "n_routed_experts": 4, "num_experts_per_tok": 2,
		"moe_intermediate_size": 6, "moe_shared_expert_intermediate_size": 10, "n_shared_experts": 1, "moe_latent_size": null}`)
	inner := int64(Hm * P)
	convDim := inner + 2*G*N
	inProj := 2*inner + 2*G*N + Hm
	mamba := h + h*inProj + inProj + convDim*k + 3*Hm + inner + inner*h + h
	attention := int64(h + h*H*d + 2*h*K*d + H*d*h)
	mlp := int64(h + h*f + f + f*h + h)
	moe := int64(h + E*h + E*2*h*fe + h*fs + fs + fs*h + h)
	if want := 2*V*h + h + mamba + attention + mlp + 2*moe; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	if want := r.Params.Total - 2*int64((E-top)*2*h*fe); r.Params.Active != want {
		t.Errorf("params.active %d, by hand %d", r.Params.Active, want)
	}
	// transformers 4.x and the remote code: q/k/v/o of attention_head_dim,
	// with attention_bias's biases, and the head tied.
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{
		fmt.Sprintf("q/k/v/o %d parameters fewer", 2*h*(H+K)*(d-oldD)),
		fmt.Sprintf("put biases on q, k, v and o, %d parameters more", (H+2*K)*oldD+h),
		fmt.Sprintf("transformers 4.x tied it, %d parameters fewer", V*h),
		"num_hidden_layers 7 is not the 5 layers layers_block_type lists",
		"mamba_n_groups is read over n_groups",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// TestNemotronHUnusedFields: the fields of a kind of layer the pattern does
// not have are not read and left at zero — heads without attention layers,
// the Mamba-2 fields without M layers, intermediate_size without - layers —
// as transformers builds such a model; without E layers the experts'
// fields are not read either.
func TestNemotronHUnusedFields(t *testing.T) {
	const V, h, fe, fs, E = 100, 16, 6, 10, 4
	p, r := importTiny(t, `{"model_type": "nemotron_h", "vocab_size": 100, "hidden_size": 16, "hybrid_override_pattern": "EE",
		"num_attention_heads": 4, "intermediate_size": 24, "mamba_num_heads": 3, "n_groups": 2, "n_routed_experts": 4,
		"num_experts_per_tok": 1, "moe_intermediate_size": 6, "moe_shared_expert_intermediate_size": 10}`)
	moe := int64(h + E*h + E*2*h*fe + 2*h*fs)
	if want := 2*V*h + h + 2*moe; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	for _, want := range []string{"no layer has attention, so num_attention_heads is not read",
		"no layer is Mamba-2, so mamba_num_heads, n_groups are not read", "no layer is a dense MLP, so intermediate_size is not read"} {
		if !strings.Contains(strings.Join(p.Notes, "\n"), want) {
			t.Errorf("notes lack %q: %q", want, p.Notes)
		}
	}
	_, r = importTiny(t, `{"model_type": "nemotron_h", "vocab_size": 100, "hidden_size": 16, "hybrid_override_pattern": "--",
		"intermediate_size": 24, "n_routed_experts": -1, "moe_latent_size": 8}`)
	if want := int64(2*V*h + h + 2*(h+2*h*24)); r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
}

// TestHybridImportErrors: what the hybrid readers refuse, each naming the
// field; a non-finite number where a count is read is refused by name.
func TestHybridImportErrors(t *testing.T) {
	base := `"model_type": "nemotron_h", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "mamba_num_heads": 4, "mamba_head_dim": 6, "n_groups": 2`
	for _, tt := range []struct {
		json string
		kind error
		want string
	}{
		{`{` + base + `, "hybrid_override_pattern": "ME*", "moe_latent_size": 8}`, ErrUnmodelled, "moe_latent_size 8"},
		{`{` + base + `, "hybrid_override_pattern": "M-*", "num_nextn_predict_layers": 1}`, ErrUnmodelled, "num_nextn_predict_layers 1"},
		{`{` + base + `, "hybrid_override_pattern": "M-X"}`, ErrInvalidValue, `hybrid_override_pattern has 'X' at character 2`},
		{`{` + base + `, "layers_block_type": ["mamba", "mlp", "moe_mlp"]}`, ErrInvalidValue, `layers_block_type[2] is the string "moe_mlp"`},
		{`{` + base + `, "layers_block_type": "M-*"}`, ErrWrongType, "layers_block_type must be a list of strings"},
		{`{` + base + `, "hybrid_override_pattern": "M-*", "layer_types": ["mamba", "mlp", "attention"]}`, ErrInvalidValue,
			`layer_types[0] is the string "mamba"`}, // 5.17 remaps legacy names only without the pattern
		{`{` + base + `, "layers_block_type": ["mlp"], "layer_types": ["moe"]}`, ErrInvalidValue,
			"layer_types and layers_block_type, one field under two names, differ"},
		{`{` + base + `}`, ErrMissingField, "layers_block_type or hybrid_override_pattern (nemotron_h)"},
		{`{` + base + `, "hybrid_override_pattern": "` + strings.Repeat("M", scale.MaxLayers+1) + `"}`, ErrTooLarge,
			"hybrid_override_pattern lists 100001 layers"},
		{`{` + base + `, "hybrid_override_pattern": "M-*", "ssm_state_size": Infinity}`, ErrWrongType,
			"ssm_state_size must be an integer, got the non-finite number Infinity"},
		{`{` + base + `, "hybrid_override_pattern": "M-*", "conv_kernel": NaN}`, ErrWrongType,
			"conv_kernel must be an integer, got the non-finite number NaN"},
		{`{` + base + `, "hybrid_override_pattern": "M-*", "use_conv_bias": -Infinity}`, ErrWrongType,
			"use_conv_bias must be true or false, got the non-finite number -Infinity"},
		{`{` + base + `, "hybrid_override_pattern": "M-*", "mamba_num_heads": 3}`, ErrInvalidValue,
			"mamba_num_heads must be divisible by n_groups (2)"},
		{`{` + base + `, "hybrid_override_pattern": "M-*", "sliding_window": 128}`, ErrUnmodelled, "sliding_window 128"},
	} {
		_, err := FromHFConfig("config.json", []byte(tt.json))
		if err == nil || !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got %v\nwant %v saying %q", tt.json, err, tt.kind, tt.want)
		}
	}
	// A string holding the words is a string, not a number.
	if _, err := FromHFConfig("config.json", []byte(`{`+base+`, "hybrid_override_pattern": "M-*", "note": "NaN Infinity"}`)); err != nil {
		t.Errorf("a string saying NaN: %v", err)
	}
}

// TestBambaByHand counts a small Bamba from modeling_bamba.py: per layer
// input_layernorm, a Mamba-2 mixer (mamba_d_head "auto" = expand·h /
// n_heads; in_proj and out_proj without bias, conv1d with bias) or Llama
// attention at attn_layer_indices, pre_ff_layernorm and a gated MLP; a
// final norm and an untied head.
func TestBambaByHand(t *testing.T) {
	const V, h, H, K, f = 100, 16, 4, 2, 24
	const Hm, N, G, k = 4, 5, 1, 3
	_, r := importTiny(t, `{"model_type": "bamba", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "attn_layer_indices": [1],
		"mamba_n_heads": 4, "mamba_d_head": "auto", "mamba_d_state": 5, "mamba_n_groups": 1, "mamba_d_conv": 3,
		"mamba_expand": 2, "time_step_limit": [0.0, Infinity]}`)
	inner := int64(2 * h)
	convDim := inner + 2*G*N
	mamba := h + h*(2*inner+2*G*N+Hm) + convDim*k + convDim + 3*Hm + inner + inner*h
	const d = h / H
	attention := int64(h + h*H*d + 2*h*K*d + H*d*h)
	mlp := int64(h + 3*h*f)
	if want := 2*V*h + h + 2*mamba + attention + 3*mlp; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
}

// TestGraniteMoEHybridByHand counts a small Granite 4.0 hybrid from
// modeling_granitemoehybrid.py: per layer input_layernorm, a Mamba-2 mixer
// or attention by layer_types, post_attention_layernorm, a router Linear(h,
// E) without bias, E gated experts of intermediate_size and the shared
// gated MLP of shared_intermediate_size; a final norm; the head tied.
func TestGraniteMoEHybridByHand(t *testing.T) {
	const V, h, H, K, E, top, fe, fs = 100, 16, 4, 2, 4, 2, 8, 12
	const Hm, P, N, G, k = 4, 8, 5, 2, 4
	p, r := importTiny(t, `{"model_type": "granitemoehybrid", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 8, "shared_intermediate_size": 12,
		"num_local_experts": 4, "num_experts_per_tok": 2, "layer_types": ["mamba", "attention", "mamba"],
		"mamba_n_heads": 4, "mamba_d_head": 8, "mamba_d_state": 5, "mamba_n_groups": 2, "mamba_d_conv": 4,
		"mamba_expand": 2, "position_embedding_type": "nope", "tie_word_embeddings": true,
		"embedding_multiplier": 12.0, "time_step_limit": [0.0, Infinity]}`)
	inner := int64(Hm * P)
	convDim := inner + 2*G*N
	mamba := h + h*(2*inner+2*G*N+Hm) + convDim*k + convDim + 3*Hm + inner + inner*h
	const d = h / H
	attention := int64(h + h*H*d + 2*h*K*d + H*d*h)
	moe := int64(h + h*E + E*3*h*fe + 3*h*fs)
	if want := V*h + h + 2*mamba + attention + 3*moe; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	if want := r.Params.Total - 3*int64((E-top)*3*h*fe); r.Params.Active != want {
		t.Errorf("params.active %d, by hand %d", r.Params.Active, want)
	}
	if p.Config.PositionEmbedding != "none" {
		t.Errorf("position_embedding_type nope read as %q", p.Config.PositionEmbedding)
	}
	if _, err := FromHFConfig("config.json", []byte(`{"model_type": "granitemoehybrid", "vocab_size": 100, "hidden_size": 16,
		"num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 8, "mamba_n_heads": 4, "mamba_d_head": 6,
		"mamba_n_groups": 2, "layer_types": ["mamba", "attention"]}`)); err == nil ||
		!strings.Contains(err.Error(), "mamba_n_heads × mamba_d_head (4 × 6) is not mamba_expand × hidden_size (32)") {
		t.Errorf("d_head not matching the mixer width: %v", err)
	}
	if _, err := FromHFConfig("config.json", []byte(`{"model_type": "granitemoehybrid", "vocab_size": 100, "hidden_size": 16,
		"num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 8, "mamba_n_heads": 4, "mamba_n_groups": 2,
		"layer_types": ["mamba", "linear_attention"]}`)); err == nil || !errors.Is(err, ErrUnmodelled) ||
		!strings.Contains(err.Error(), `layer_types[1] is the string "linear_attention"`) {
		t.Errorf("an unknown layer type: %v", err)
	}
}

// TestFalconH1ByHand counts a small Falcon-H1 from modeling_falcon_h1.py:
// per layer input_layernorm, Llama attention (head_dim 4, no bias) and a
// Mamba-2 mixer side by side (in_proj without bias, conv1d with bias,
// dt_bias, A_log, D, no gated norm: mamba_rms_norm false, out_proj with
// bias: projectors_bias), pre_ff_layernorm and a gated MLP; a final norm
// and an untied head. mamba_d_head "auto" is mamba_d_ssm / mamba_n_heads.
func TestFalconH1ByHand(t *testing.T) {
	const V, h, L, H, K, d, f = 100, 16, 2, 4, 2, 4, 24
	const Hm, ssm, N, G, k = 4, 24, 5, 2, 4
	p, r := importTiny(t, `{"model_type": "falcon_h1", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 4, "intermediate_size": 24, "mamba_d_ssm": 24,
		"mamba_n_heads": 4, "mamba_d_head": "auto", "mamba_d_state": 5, "mamba_n_groups": 2, "mamba_d_conv": 4,
		"mamba_rms_norm": false, "projectors_bias": true, "attn_layer_indices": null}`)
	convDim := int64(ssm + 2*G*N)
	mamba := int64(h*(2*ssm+2*G*N+Hm)) + convDim*k + convDim + 3*Hm + ssm*h + h
	attention := int64(h*H*d + 2*h*K*d + H*d*h)
	layer := 2*h + attention + mamba + 3*h*f
	if want := 2*V*h + h + L*layer; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	if c := p.Config; c.Mamba2HeadDim != ssm/Hm || !c.Mamba2NoNorm || c.Mamba2InProjBias || !c.Mamba2OutProjBias {
		t.Errorf("read %+v", c)
	}
	if got, want := r.Memory.KVCacheElementsPerToken, int64(L*2*K*d); got != want {
		t.Errorf("KV cache per token %d, want %d: every layer has attention", got, want)
	}
	if got, want := r.Memory.RecurrentStateElementsPerSequence, int64(L*(ssm*N+int(convDim)*k)); got != want {
		t.Errorf("recurrent state %d, want %d", got, want)
	}
	for _, tt := range []struct{ json, want string }{
		{`"mamba_d_ssm": 20, "mamba_d_head": 6`, "mamba_d_ssm 20 is not mamba_n_heads × mamba_d_head (4 × 6)"},
		{`"mamba_d_ssm": 24, "attn_layer_indices": [1]`, "attn_layer_indices"},
	} {
		_, err := FromHFConfig("config.json", []byte(`{"model_type": "falcon_h1", "vocab_size": 100, "hidden_size": 16,
			"num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 24, "mamba_n_heads": 4, "mamba_n_groups": 2, `+tt.json+`}`))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want one saying %q", tt.json, err, tt.want)
		}
	}
}

// TestJambaByHand counts a small Jamba from modeling_jamba.py: attention
// where i mod attn_layer_period is attn_layer_offset (no bias, no rotary
// embedding), JambaMambaMixer elsewhere (in_proj h → 2·d_inner, conv1d with
// bias, x_proj, the dt/B/C RMSNorms, dt_proj with bias, A_log [d_inner, N],
// D, out_proj), and experts (router without bias) where i mod
// expert_layer_period is expert_layer_offset, a gated MLP elsewhere.
// mamba_dt_rank "auto" is ⌈h/16⌉.
func TestJambaByHand(t *testing.T) {
	const V, h, L, H, K, f, E, top = 100, 32, 4, 4, 2, 24, 4, 2
	const inner, N, k, R = 2 * h, 8, 4, 2
	_, r := importTiny(t, `{"model_type": "jamba", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "attn_layer_period": 2,
		"attn_layer_offset": 1, "expert_layer_period": 2, "expert_layer_offset": 1, "num_experts": 4,
		"num_experts_per_tok": 2, "mamba_d_state": 8, "mamba_d_conv": 4, "mamba_expand": 2, "mamba_dt_rank": "auto"}`)
	const d = h / H
	mamba := int64(h + h*2*inner + inner*k + inner + inner*(R+2*N) + R + 2*N + R*inner + inner + inner*N + inner + inner*h)
	attention := int64(h + h*H*d + 2*h*K*d + H*d*h)
	dense := int64(h + 3*h*f)
	moe := int64(h + h*E + E*3*h*f)
	// layers 0, 2: Mamba-1 + dense MLP; layers 1, 3: attention + experts
	if want := 2*V*h + h + 2*(mamba+dense) + 2*(attention+moe); r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	if want := r.Params.Total - 2*int64((E-top)*3*h*f); r.Params.Active != want {
		t.Errorf("params.active %d, by hand %d", r.Params.Active, want)
	}
	if got, want := r.Memory.RecurrentStateElementsPerSequence, int64(2*(inner*N+inner*k)); got != want {
		t.Errorf("recurrent state %d, want %d", got, want)
	}
	if _, err := FromHFConfig("config.json", []byte(`{"model_type": "jamba", "vocab_size": 100, "hidden_size": 32,
		"num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 24, "expert_layer_period": 4,
		"expert_layer_offset": 1}`)); err == nil || !errors.Is(err, ErrUnmodelled) || !strings.Contains(err.Error(), "expert_layer_offset") {
		t.Errorf("experts at offset 1 of 4: %v", err)
	}
}

// TestHybridsWithoutAttentionByHand: a Bamba, LFM2, Jamba or Granite 4.0
// hybrid whose layers have no attention is a valid model for transformers
// (it builds no attention module), so the heads are not used: each imports
// with them zeroed, a note saying so, and counts its mixers and MLPs as the
// by-hand tests above do. The Jamba has experts on every layer
// (expert_layer_period 1), so intermediate_size is only the experts' width.
func TestHybridsWithoutAttentionByHand(t *testing.T) {
	t.Run("bamba", func(t *testing.T) {
		const V, h, f, Hm, N, G, k = 100, 16, 24, 4, 5, 1, 4
		p, r := importTiny(t, `{"model_type": "bamba", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
			"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "attn_layer_indices": [],
			"mamba_n_heads": 4, "mamba_d_head": "auto", "mamba_d_state": 5, "mamba_n_groups": 1, "mamba_d_conv": 4}`)
		inner := int64(2 * h)
		convDim := inner + 2*G*N
		mamba := h + h*(2*inner+2*G*N+Hm) + convDim*k + convDim + 3*Hm + inner + inner*h
		if want := 2*V*h + h + 2*(mamba+h+3*h*f); r.Params.Total != want {
			t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
		}
		noAttention(t, p)
	})
	t.Run("lfm2", func(t *testing.T) {
		const V, h, k, ff = 100, 16, 3, 32
		p, r := importTiny(t, `{"model_type": "lfm2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
			"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40, "block_multiple_of": 8,
			"conv_L_cache": 3, "layer_types": ["conv", "conv"]}`)
		conv := int64(h*3*h + h*k + h*h)
		if want := int64(V*h + h + 2*(2*h+3*h*ff) + 2*conv); r.Params.Total != want {
			t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
		}
		noAttention(t, p)
	})
	t.Run("jamba", func(t *testing.T) {
		const V, h, f, E, top = 100, 32, 24, 4, 2
		const inner, N, k, R = 2 * h, 8, 4, 2
		p, r := importTiny(t, `{"model_type": "jamba", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2,
			"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "attn_layer_period": 4,
			"attn_layer_offset": 2, "expert_layer_period": 1, "expert_layer_offset": 0, "num_experts": 4,
			"num_experts_per_tok": 2, "mamba_d_state": 8, "mamba_d_conv": 4, "mamba_expand": 2}`)
		mamba := int64(h + h*2*inner + inner*k + inner + inner*(R+2*N) + R + 2*N + R*inner + inner + inner*N + inner + inner*h)
		moe := int64(h + h*E + E*3*h*f)
		if want := 2*V*h + h + 2*(mamba+moe); r.Params.Total != want {
			t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
		}
		if want := r.Params.Total - 2*int64((E-top)*3*h*f); r.Params.Active != want {
			t.Errorf("params.active %d, by hand %d", r.Params.Active, want)
		}
		noAttention(t, p)
	})
	t.Run("granitemoehybrid", func(t *testing.T) {
		const V, h, E, fe, fs = 100, 16, 4, 8, 12
		const Hm, P, N, G, k = 4, 8, 5, 2, 4
		p, r := importTiny(t, `{"model_type": "granitemoehybrid", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
			"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 8, "shared_intermediate_size": 12,
			"num_local_experts": 4, "num_experts_per_tok": 2, "layer_types": ["mamba", "mamba"], "mamba_n_heads": 4,
			"mamba_d_head": 8, "mamba_d_state": 5, "mamba_n_groups": 2, "mamba_d_conv": 4, "mamba_expand": 2,
			"tie_word_embeddings": true}`)
		inner := int64(Hm * P)
		convDim := inner + 2*G*N
		mamba := h + h*(2*inner+2*G*N+Hm) + convDim*k + convDim + 3*Hm + inner + inner*h
		moe := int64(h + h*E + E*3*h*fe + 3*h*fs)
		if want := V*h + h + 2*(mamba+moe); r.Params.Total != want {
			t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
		}
		noAttention(t, p)
	})
}

// noAttention checks that p's attention fields are zero and a note says why.
func noAttention(t *testing.T, p Preset) {
	t.Helper()
	if c := p.Config; c.NumAttentionHeads != 0 || c.NumKeyValueHeads != 0 || c.HeadDim != 0 {
		t.Errorf("heads %d, KV heads %d, head_dim %d: want 0 without attention layers", c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "no layer has attention") {
		t.Errorf("no note on the unused heads: %q", p.Notes)
	}
}

// TestLfm2ByHand counts a small LFM2 from modeling_lfm2.py: per layer
// operator_norm, attention (q/k/v/out_proj without bias, q_layernorm and
// k_layernorm over head_dim) or Lfm2ShortConv (in_proj h → 3h, depthwise
// conv of kernel 3, out_proj h → h, no bias) by layer_types, ffn_norm and a
// gated MLP of int(2·f/3) rounded up to block_multiple_of; embedding_norm
// and a tied head. A short-convolution layer keeps h × 3 conv elements.
func TestLfm2ByHand(t *testing.T) {
	const V, h, H, K, k = 100, 16, 4, 2, 3
	const d = h / H
	const ff = 32 // int(2·40/3) = 26, rounded up to a multiple of 8
	_, r := importTiny(t, `{"model_type": "lfm2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40, "block_multiple_of": 8,
		"block_auto_adjust_ff_dim": true, "block_ffn_dim_multiplier": 1.0, "conv_L_cache": 3,
		"layer_types": ["conv", "full_attention", "conv"]}`)
	conv := int64(h*3*h + h*k + h*h)
	attention := int64(h*H*d + 2*h*K*d + H*d*h + 2*d)
	mlp := int64(3 * h * ff)
	if want := V*h + h + 3*(2*h+mlp) + attention + 2*conv; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	b, s := tinyWorkload.BatchSize, tinyWorkload.SeqLen
	for _, lg := range r.Layers {
		if lg.ConvStateElements == 0 {
			continue
		}
		if got, want := lg.FLOPs.SSM.Int64(), 2*b*s*int64(3*h*h+h*k+h*h); got != want {
			t.Errorf("short-convolution FLOPs %d, by hand %d", got, want)
		}
		if lg.ConvStateElements != h*k || lg.SSMStateElements != 0 {
			t.Errorf("state %d + %d, want 0 + %d", lg.SSMStateElements, lg.ConvStateElements, h*k)
		}
	}
	if _, err := FromHFConfig("config.json", []byte(`{"model_type": "lfm2", "vocab_size": 100, "hidden_size": 16,
		"num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 40, "layer_types": ["conv", "sliding_attention"]}`)); err == nil ||
		!errors.Is(err, ErrUnmodelled) || !strings.Contains(err.Error(), `layer_types[1] is the string "sliding_attention"`) {
		t.Errorf("an unknown layer type: %v", err)
	}
}

// TestLfm2BlockFFDim: block_ff_dim, where the file has it, is the MLP's
// width before the adjustment, whatever intermediate_size says (transformers
// 5.17 builds it so; LFM2-350M's file has block_ff_dim alone).
func TestLfm2BlockFFDim(t *testing.T) {
	const V, h, k = 100, 16, 3
	const ff = 64 // block_ff_dim 64, not adjusted
	base := `"model_type": "lfm2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 1,
		"num_attention_heads": 4, "block_auto_adjust_ff_dim": false, "conv_L_cache": 3, "layer_types": ["conv"]`
	conv := int64(h*3*h + h*k + h*h)
	want := V*h + h + 2*h + 3*h*ff + conv
	for _, extra := range []string{`, "block_ff_dim": 64, "intermediate_size": 40`, `, "block_ff_dim": 64`} {
		p, r := importTiny(t, `{`+base+extra+`}`)
		if r.Params.Total != want {
			t.Errorf("%s: params.total %d, by hand %d", extra, r.Params.Total, want)
		}
		if strings.Contains(extra, "intermediate_size") && !strings.Contains(strings.Join(p.Notes, "\n"), "block_ff_dim 64, not intermediate_size 40") {
			t.Errorf("no note on block_ff_dim: %q", p.Notes)
		}
	}
}

// TestQwen3NextByHand counts a small Qwen3-Next from modeling_qwen3_next.py:
// per layer input_layernorm, Qwen3NextGatedDeltaNet (in_proj_qkvz h → 2·key
// + 2·value, in_proj_ba h → 2·value heads, conv1d over 2·key + value of
// kernel 4 without bias, dt_bias and A_log, an RMSNorm over the value head
// width, out_proj) or the gated Qwen3NextAttention (q_proj h → 2·H·d,
// k/v/o_proj, q_norm and k_norm over d) at every full_attention_interval-th
// layer, post_attention_layernorm and Qwen3NextSparseMoeBlock (router,
// experts, shared expert and its gate); norm and an untied head. The delta
// rule costs 3·Hv·dk·dv MACs a token; a Gated DeltaNet layer keeps Hv·dk·dv
// + (2·key + value)·4 state elements.
func TestQwen3NextByHand(t *testing.T) {
	const V, h, H, K, d = 100, 16, 4, 2, 8
	const Hk, Hv, dk, dv, k = 2, 4, 4, 2, 4
	const E, f, fs = 8, 6, 10
	const key, value = Hk * dk, Hv * dv
	_, r := importTiny(t, `{"model_type": "qwen3_next", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "full_attention_interval": 2,
		"linear_num_key_heads": 2, "linear_num_value_heads": 4, "linear_key_head_dim": 4, "linear_value_head_dim": 2,
		"num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 6, "shared_expert_intermediate_size": 10}`)
	gdn := int64(h + h*(2*key+2*value) + h*2*Hv + (2*key+value)*k + 2*Hv + dv + value*h)
	attention := int64(h + h*2*H*d + 2*h*K*d + 2*d + H*d*h)
	moe := int64(h + h*E + E*3*h*f + 3*h*fs + h)
	if want := 2*V*h + h + 2*gdn + 2*attention + 4*moe; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	b, s := tinyWorkload.BatchSize, tinyWorkload.SeqLen
	gdnLayers := int64(0)
	for i, lg := range r.Layers {
		if lg.Shape == nil || lg.Shape.Attention != scale.PartGatedDeltaNet {
			continue
		}
		gdnLayers += lg.Count
		if got, want := lg.FLOPs.SSMScan.Int64(), 2*b*s*int64(3*Hv*dk*dv); got != want {
			t.Errorf("layer group %d: delta-rule FLOPs %d, by hand %d", i, got, want)
		}
		if lg.SSMStateElements != Hv*dk*dv || lg.ConvStateElements != (2*key+value)*k {
			t.Errorf("state %d + %d, want %d + %d", lg.SSMStateElements, lg.ConvStateElements, Hv*dk*dv, (2*key+value)*k)
		}
	}
	if gdnLayers != 2 {
		t.Errorf("%d Gated DeltaNet layers, want 2 (full_attention_interval 2 of 4)", gdnLayers)
	}
	for _, bad := range []struct {
		json string
		kind error
		says string
	}{
		{`"layer_types": ["linear_attention", "sliding_attention", "linear_attention", "full_attention"]`, ErrUnmodelled,
			`layer_types[1] is the string "sliding_attention"`},
		{`"decoder_sparse_step": 0`, ErrInvalidValue, "decoder_sparse_step must be at least 1, got 0"},
		{`"num_experts": -2`, ErrInvalidValue, "num_experts must not be negative"},
		{`"mlp_only_layers": [0.5]`, ErrWrongType, "mlp_only_layers[0] must be an integer"},
	} {
		_, err := FromHFConfig("config.json", []byte(`{"model_type": "qwen3_next", "vocab_size": 100, "hidden_size": 16,
			"num_hidden_layers": 4, "num_attention_heads": 4, `+bad.json+`}`))
		if err == nil || !errors.Is(err, bad.kind) || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%s: %v", bad.json, err)
		}
	}
	if _, err := FromHFConfig("config.json", []byte(`{"model_type": "qwen3_next", "vocab_size": 100, "hidden_size": 16,
		"num_hidden_layers": 4, "num_attention_heads": 4, "full_attention_interval": 0}`)); err == nil || !strings.Contains(err.Error(), "full_attention_interval") {
		t.Errorf("full_attention_interval 0: %v", err)
	}
}

// TestQwen3NextDenseLayersByHand counts Qwen3-Next layers without experts
// as Qwen3NextDecoderLayer builds them: layer i has Qwen3NextSparseMoeBlock
// when num_experts > 0, i is not in mlp_only_layers and (i + 1) is a
// multiple of decoder_sparse_step, else a dense gated Qwen3NextMLP of
// intermediate_size (gate, up, down). With shared_expert_intermediate_size
// 0 the block still has shared_expert_gate Linear(h, 1) (its shared-expert
// matrices have no elements). An index of mlp_only_layers past the layers
// changes nothing; no layer with experts is a dense model.
func TestQwen3NextDenseLayersByHand(t *testing.T) {
	const V, h, H, K, d = 100, 16, 4, 2, 8
	const E, top, fe, f = 4, 2, 6, 12
	// Six layers, all attention (full_attention_interval 1); decoder_sparse_step
	// 2 puts experts on 1, 3 and 5, mlp_only_layers takes 3 away.
	_, r := importTiny(t, `{"model_type": "qwen3_next", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 6,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "full_attention_interval": 1,
		"num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 6, "shared_expert_intermediate_size": 0,
		"decoder_sparse_step": 2, "mlp_only_layers": [3, 9], "intermediate_size": 12}`)
	attention := int64(h + h*2*H*d + 2*h*K*d + 2*d + H*d*h)
	moe := int64(h + h*E + E*3*h*fe + h) // router, experts, shared_expert_gate
	mlp := int64(h + 3*h*f)
	if want := 2*V*h + h + 6*attention + 2*moe + 4*mlp; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	if want := r.Params.Total - 2*int64((E-top)*3*h*fe); r.Params.Active != want {
		t.Errorf("params.active %d, by hand %d", r.Params.Active, want)
	}
	// num_experts 0: every layer a dense Qwen3NextMLP, intermediate_size's
	// default 5632 where the file has none.
	_, r = importTiny(t, `{"model_type": "qwen3_next", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "full_attention_interval": 1, "num_experts": 0}`)
	if want := int64(2*V*h + h + 2*attention + 2*(h+3*h*5632)); r.Params.Total != want {
		t.Errorf("num_experts 0: params.total %d, by hand %d", r.Params.Total, want)
	}
}
