package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// jambaDefaults are JambaConfig's (model_type jamba): layers of an RMSNorm,
// a token mixer (attention where i mod attn_layer_period is
// attn_layer_offset, 8 and 4, else Mamba-1), an RMSNorm and a gated SiLU
// MLP, or 16 experts (2 per token) where i mod expert_layer_period is
// expert_layer_offset (2 and 1); attention without position encoding or
// biases; Mamba-1 with state 16, conv kernel 4 with bias, expand 2,
// dt_rank ⌈hidden/16⌉, no projection bias, and RMSNorms over Δ, B and C; an
// untied head.
func jambaDefaults() scale.Config {
	c := llamaDefaults()
	c.PositionEmbedding = scale.PositionNone
	c.MaxPositionEmbeddings = 262144
	c.MambaStateSize, c.MambaConvKernel, c.MambaConvBias, c.MambaInnerNorms = 16, 4, true, true
	return c
}

const jambaCode = "transformers modeling_jamba.py: JambaAttentionDecoderLayer and JambaMambaDecoderLayer = input_layernorm → " +
	"JambaAttention (q/k/v/o without bias, no rotary embedding) or JambaMambaMixer (in_proj h → 2·d_inner with bias where " +
	"mamba_proj_bias says, conv1d over d_inner = mamba_expand × hidden_size channels of kernel mamba_d_conv with bias where " +
	"mamba_conv_bias says, x_proj d_inner → dt_rank + 2·mamba_d_state without bias, dt_layernorm, b_layernorm and " +
	"c_layernorm RMSNorms, dt_proj dt_rank → d_inner with bias, A_log [d_inner, mamba_d_state], D [d_inner], out_proj) → " +
	"residual → pre_ff_layernorm → JambaMLP (gate/up/down) or JambaSparseMoeBlock (router Linear(h, num_experts) without " +
	"bias, num_experts JambaMLPs) → residual; final_layernorm, lm_head"

// jambaLayers is the layers of a Jamba: attention where i mod period is
// offset, Mamba-1 elsewhere.
func jambaLayers(n, period, offset int64) []scale.LayerShape {
	layers := make([]scale.LayerShape, n)
	for i := range layers {
		if int64(i)%period != offset {
			layers[i].Attention = scale.PartMamba1
		}
	}
	return layers
}

func jambaFamily() []Preset {
	return []Preset{{
		Slug: "jamba-1.5-mini", Name: "Jamba 1.5 Mini", Family: "Jamba",
		Config: shaped(jambaDefaults(), scale.Config{
			VocabSize: 65536, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
			IntermediateSize: 14336, NumLocalExperts: 16, NumExpertsPerTok: 2, MoEIntermediateSize: 14336, MoELayerInterval: 2,
			MambaInnerSize: 8192, MambaDTRank: 256, Layers: jambaLayers(32, 8, 4),
		}),
		Sources: []string{
			hfConfig("ai21labs/AI21-Jamba-1.5-Mini") + ", attn_layer_period, attn_layer_offset, expert_layer_period, " +
				"expert_layer_offset, num_experts, num_experts_per_tok, mamba_d_state, mamba_d_conv, mamba_expand, mamba_dt_rank, " +
				"mamba_conv_bias, mamba_proj_bias",
			jambaCode,
		},
		Notes: []string{
			"32 layers: attention at 4, 12, 20, 28, Mamba-1 elsewhere; experts (16, 2 per token, each a gated MLP of 14336) at " +
				"the odd layers, a dense gated MLP of 14336 at the even ones",
			"the attention layers encode no position; the Mamba-1 layers carry the order",
			"AI21 calls it 52B total, 12B active (the Hub page: 51.6B)",
		},
	}, {
		Slug: "jamba-1.5-large", Name: "Jamba 1.5 Large", Family: "Jamba",
		Config: shaped(jambaDefaults(), scale.Config{
			VocabSize: 65536, HiddenSize: 8192, NumHiddenLayers: 72, NumAttentionHeads: 64, NumKeyValueHeads: 8,
			IntermediateSize: 24576, NumLocalExperts: 16, NumExpertsPerTok: 2, MoEIntermediateSize: 24576, MoELayerInterval: 2,
			MambaInnerSize: 16384, MambaDTRank: 512, Layers: jambaLayers(72, 8, 4),
		}),
		Sources: []string{
			hfConfig("ai21labs/AI21-Jamba-1.5-Large") + " (reconstructed: see testdata/hf/SOURCES.md), attn_layer_period, " +
				"attn_layer_offset, expert_layer_period, expert_layer_offset, num_experts, num_experts_per_tok, mamba_d_state, " +
				"mamba_d_conv, mamba_expand, mamba_dt_rank, mamba_conv_bias, mamba_proj_bias",
			jambaCode,
		},
		Notes: []string{
			"72 layers: attention at 4, 12, …, 68, Mamba-1 elsewhere; experts (16, 2 per token, each a gated MLP of 24576) at " +
				"the odd layers, a dense gated MLP of 24576 at the even ones",
			"AI21 calls it 398B total, 94B active; the Hugging Face API's count, as a third-party config pinned to revision " +
				"bdf8d19 quotes it, is 398,555,145,696, which params.total equals",
		},
	}}
}

// readJamba reads model_type jamba.
func readJamba(f *hfFields) scale.Config {
	d := jambaDefaults()
	c := f.llama(d)
	c.AttentionQKVBias, c.AttentionOutBias, c.MLPBias = false, false, false
	why := "jamba default"
	c.MambaStateSize = f.intOr("mamba_d_state", d.MambaStateSize, why)
	c.MambaConvKernel = f.intOr("mamba_d_conv", d.MambaConvKernel, why)
	expand := f.intOr("mamba_expand", 2, why)
	c.MambaInnerSize = f.mul("mamba_expand × hidden_size", expand, c.HiddenSize)
	f.alias("mamba_inner_size", "mamba_expand × hidden_size")
	if v, ok := f.value("mamba_dt_rank"); ok && v == "auto" || !ok {
		c.MambaDTRank = (c.HiddenSize + 15) / 16
		f.notes = append(f.notes, fmt.Sprintf("mamba_dt_rank \"auto\": ⌈hidden_size / 16⌉ = %d", c.MambaDTRank))
	} else {
		c.MambaDTRank = f.toInt("mamba_dt_rank", v)
	}
	c.MambaConvBias = f.boolOr("mamba_conv_bias", d.MambaConvBias)
	c.MambaProjBias = f.boolOr("mamba_proj_bias", false)
	for field, name := range map[string]string{"mamba_state_size": "mamba_d_state", "mamba_conv_kernel": "mamba_d_conv",
		"mamba_dt_rank": "mamba_dt_rank", "mamba_conv_bias": "mamba_conv_bias", "mamba_proj_bias": "mamba_proj_bias"} {
		f.alias(field, f.name(name))
	}
	if w, _ := f.optional("sliding_window"); w > 0 {
		f.unmodelled(true, "sliding_window", "sliding-window attention in Jamba is not modelled")
	}
	experts := f.intOr("num_experts", 16, why)
	perTok := f.intOr("num_experts_per_tok", 2, why)
	ePeriod := f.intOr("expert_layer_period", 2, why)
	eOffset := f.intOr("expert_layer_offset", 1, why)
	if experts > 1 {
		c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = experts, perTok, c.IntermediateSize
		switch {
		case ePeriod >= 1 && eOffset == ePeriod-1:
			c.MoELayerInterval = ePeriod
		case ePeriod >= 1 && eOffset == 0:
			c.MoELayerInterval, c.MoELayerFirstInCycle = ePeriod, true
		default:
			f.unmodelled(true, "expert_layer_offset", fmt.Sprintf("experts at layers i with i mod %d = %d: tscale places them at "+
				"offset 0 or expert_layer_period − 1", ePeriod, eOffset))
		}
		// Layer i has experts where i mod expert_layer_period is the
		// offset; the first period's layers say whether any has a dense MLP.
		allExperts := ePeriod >= 1
		for i := int64(0); allExperts && i < min(c.NumHiddenLayers, ePeriod); i++ { // stops by i = 1
			allExperts = i == eOffset
		}
		if allExperts && c.NumHiddenLayers > 0 {
			c.IntermediateSize = 0
			f.alias("intermediate_size", "intermediate_size (here the experts' width)")
			f.notes = append(f.notes, "every layer has experts: intermediate_size is their width, and no layer has a dense MLP")
		}
	}
	aPeriod := f.intOr("attn_layer_period", 8, why)
	aOffset := f.intOr("attn_layer_offset", 4, why)
	if aPeriod < 1 || aOffset < 0 || aOffset >= aPeriod {
		f.errorf(ErrInvalidValue, "attn_layer_offset", "%s %d must be between 0 and attn_layer_period − 1 (%d)",
			f.name("attn_layer_offset"), aOffset, aPeriod-1)
		return c
	}
	if c.NumHiddenLayers > 0 && c.NumHiddenLayers <= scale.MaxLayers {
		c.Layers = jambaLayers(c.NumHiddenLayers, aPeriod, aOffset)
		f.alias("layers", "attn_layer_period and attn_layer_offset")
		f.unusedAttention(&c)
	}
	if !c.HasMamba1() {
		c.MambaInnerSize, c.MambaStateSize, c.MambaConvKernel, c.MambaDTRank = 0, 0, 0, 0
		c.MambaConvBias, c.MambaProjBias, c.MambaInnerNorms = false, false, false
	}
	return c
}
