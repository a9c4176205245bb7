package presets

import (
	"fmt"
	"strings"

	"github.com/tscale/tscale/scale"
)

// nemotronHDefaults are NemotronHConfig's (model_type nemotron_h): a
// stack of single-mixer layers — Mamba-2, attention or a dense MLP, each
// with one RMSNorm before it and a residual add — as hybrid_override_pattern
// lists them; attention of 32 query and 8 KV heads of 128 without biases
// and without position encoding; a non-gated relu² MLP of 21504 without
// bias; Mamba-2 of 128 heads of 64, state 128, 8 groups, conv kernel 4
// with bias, no projection bias, chunks of 256; an untied LM head.
func nemotronHDefaults() scale.Config {
	return scale.Config{
		VocabSize: 131072, HiddenSize: 4096, NumHiddenLayers: 52, NumAttentionHeads: 32, NumKeyValueHeads: 8, HeadDim: 128,
		IntermediateSize: 21504, MaxPositionEmbeddings: 4096, MLP: scale.MLPStandard, HiddenAct: "relu2",
		Norm: scale.RMSNorm, PositionEmbedding: scale.PositionNone, NormsPerLayer: 2,
		Mamba2NumHeads: 128, Mamba2HeadDim: 64, Mamba2StateSize: 128, Mamba2NGroups: 8, Mamba2ConvKernel: 4,
		Mamba2ChunkSize: 256, Mamba2ConvBias: true,
	}
}

const nemotronHCode = "modeling_nemotron_h.py (transformers and the remote code of nvidia/Nemotron-H-8B-Base-8K): " +
	"NemotronHBlock = norm (RMSNorm h) → mixer → residual add, the mixer chosen by hybrid_override_pattern: M " +
	"NemotronHMamba2Mixer (in_proj h → 2·d_inner + 2·n_groups·ssm_state_size + mamba_num_heads with bias where use_bias " +
	"says, conv1d over conv_dim = d_inner + 2·n_groups·ssm_state_size channels, kernel conv_kernel, bias where " +
	"use_conv_bias says, dt_bias, A_log and D of mamba_num_heads, MambaRMSNormGated(d_inner), out_proj d_inner → h; " +
	"d_inner = mamba_num_heads × mamba_head_dim), * NemotronHAttention (q/k/v/o, attention_head_dim, bias where " +
	"attention_bias says, no rotary embedding), - NemotronHMLP (up_proj, relu², down_proj, bias where mlp_bias says); " +
	"embeddings, norm_f, lm_head"

// nemotronHMamba2 is where NemotronHConfig keeps the Mamba-2 fields.
var nemotronHMamba2 = mamba2Names{heads: "mamba_num_heads", headDim: "mamba_head_dim", state: "ssm_state_size",
	groups: "n_groups", kernel: "conv_kernel", chunk: "chunk_size", projBias: "use_bias", convBias: "use_conv_bias"}

// nemotronHLayers is the layers of a hybrid_override_pattern: M a Mamba-2
// block alone, * attention alone, - a dense MLP alone.
func nemotronHLayers(pattern string) []scale.LayerShape {
	layers := make([]scale.LayerShape, len(pattern))
	for i, ch := range pattern {
		switch ch {
		case 'M':
			layers[i] = scale.LayerShape{Attention: scale.PartMamba2, MLP: scale.PartNone}
		case '*':
			layers[i] = scale.LayerShape{MLP: scale.PartNone}
		case '-':
			layers[i] = scale.LayerShape{Attention: scale.PartNone}
		}
	}
	return layers
}

func nemotronHFamily() []Preset {
	p8b := "M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-"
	p47b := "M-M-M-M-M-M-M-M-M*-M-M-M-M-M-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-M-M---MM---M-M*-M-M-M-M-M-"
	return []Preset{{
		Slug: "nemotron-h-8b", Name: "Nemotron-H 8B", Family: "Nemotron-H",
		Config: shaped(nemotronHDefaults(), scale.Config{
			MaxPositionEmbeddings: 8192, Mamba2ChunkSize: 128, Layers: nemotronHLayers(p8b),
		}),
		Sources: []string{
			hfConfig("nvidia/Nemotron-H-8B-Base-8K") + ", hybrid_override_pattern, attention_head_dim, mamba_num_heads, " +
				"mamba_head_dim, ssm_state_size, n_groups, conv_kernel, chunk_size, use_bias, use_conv_bias",
			nemotronHCode,
		},
		Notes: []string{
			"52 layers: 24 Mamba-2 (M), 4 attention (*), 24 MLP (-), each a norm, one mixer and a residual add",
			"the attention layers encode no position (no rotary embedding): the Mamba-2 layers carry the order",
			"expand 2 is not read by the modelling code: d_inner is mamba_num_heads × mamba_head_dim = 8192 (= 2 × 4096)",
			"NVIDIA's paper (arXiv 2504.03624) names it Nemotron-H-8B; no exact parameter count is published",
		},
	}, {
		Slug: "nemotron-h-47b", Name: "Nemotron-H 47B", Family: "Nemotron-H",
		Config: shaped(nemotronHDefaults(), scale.Config{
			HiddenSize: 8192, NumHiddenLayers: 98, NumAttentionHeads: 64, IntermediateSize: 30720,
			MaxPositionEmbeddings: 8192, Mamba2NumHeads: 256, Mamba2StateSize: 256, Mamba2ChunkSize: 128,
			Layers: nemotronHLayers(p47b),
		}),
		Sources: []string{
			hfConfig("nvidia/Nemotron-H-47B-Base-8K") + ", hybrid_override_pattern, attention_head_dim, mamba_num_heads, " +
				"mamba_head_dim, ssm_state_size, n_groups, conv_kernel, chunk_size, use_bias, use_conv_bias",
			nemotronHCode,
		},
		Notes: []string{
			"98 layers: 45 Mamba-2 (M), 5 attention (*, at 17, 38, 49, 60 and 86), 48 MLP (-), each a norm, one mixer and a " +
				"residual add; the pattern is irregular (M---MM---M near the end), pruned from the 56B's",
			"Mamba-2 of 256 heads of 64 (d_inner 16384 = 2 × 8192), state 256, 8 groups; attention of 64 query and 8 KV heads of 128",
			"NVIDIA's paper (arXiv 2504.03624) makes it from Nemotron-H-56B by MiniPuzzle pruning and distillation and names it " +
				"47B; no exact parameter count is published",
		},
	}}
}

func readNemotronH(f *hfFields) scale.Config {
	d := nemotronHDefaults()
	c := f.decoderShape(d)
	c.IntermediateSize = f.required("intermediate_size")
	c.HiddenAct = f.stringOr("mlp_hidden_act", d.HiddenAct)
	f.alias("hidden_act", f.name("mlp_hidden_act"))
	c.HeadDim = f.intOr("attention_head_dim", d.HeadDim, "nemotron_h default")
	f.alias("head_dim", f.name("attention_head_dim"))
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.MLPBias = f.boolOr("mlp_bias", false)
	f.mamba2(&c, d, nemotronHMamba2)
	f.timeStepLimit("time_step_limit")
	pattern := f.stringOr("hybrid_override_pattern", "")
	if pattern == "" {
		f.errorf(ErrMissingField, "hybrid_override_pattern", "%s (nemotron_h)", f.name("hybrid_override_pattern"))
		return c
	}
	if i := strings.IndexFunc(pattern, func(r rune) bool { return r != 'M' && r != '*' && r != '-' }); i >= 0 {
		f.errorf(ErrUnmodelled, "hybrid_override_pattern", "%s has %q at layer %d: tscale models M (Mamba-2), * (attention) and "+
			"- (MLP) layers; E (mixture-of-experts) layers are not modelled yet", f.name("hybrid_override_pattern"), pattern[i:i+1], i)
		return c
	}
	if int64(len(pattern)) != c.NumHiddenLayers {
		f.errorf(ErrInvalidValue, "hybrid_override_pattern", "%s lists %d layers, not num_hidden_layers (%d)",
			f.name("hybrid_override_pattern"), len(pattern), c.NumHiddenLayers)
		return c
	}
	c.Layers = nemotronHLayers(pattern)
	f.alias("layers", f.name("hybrid_override_pattern"))
	if w, _ := f.optional("sliding_window"); w > 0 {
		f.unmodelled(true, "sliding_window", "sliding-window attention in Nemotron-H is not modelled")
	}
	if c.HasMamba2() && !strings.Contains(pattern, "*") { // no attention layer
		c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim = 0, 0, 0
	}
	f.notes = append(f.notes, fmt.Sprintf("hybrid_override_pattern: %d Mamba-2, %d attention and %d MLP layers",
		strings.Count(pattern, "M"), strings.Count(pattern, "*"), strings.Count(pattern, "-")))
	return c
}
