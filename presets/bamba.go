package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// bambaMamba2 is where BambaConfig and GraniteMoeHybridConfig keep the
// Mamba-2 fields (mamba_d_head read apart: it may say "auto").
var bambaMamba2 = mamba2Names{heads: "mamba_n_heads", headDim: "mamba_d_head", state: "mamba_d_state",
	groups: "mamba_n_groups", kernel: "mamba_d_conv", chunk: "mamba_chunk_size", projBias: "mamba_proj_bias",
	convBias: "mamba_conv_bias"}

// bambaMixer reads the Mamba-2 fields of Bamba and Granite 4.0 hybrid onto
// c with d's defaults: mamba_d_head "auto" (or absent) is mamba_expand ×
// hidden_size / mamba_n_heads, and n_heads × d_head must be mamba_expand ×
// hidden_size, the mixer's intermediate size, as the configuration class
// checks.
func (f *hfFields) bambaMixer(c *scale.Config, d scale.Config) {
	dh, hasHead := f.value("mamba_d_head")
	if s, ok := dh.(string); ok && s == "auto" {
		delete(f.m, "mamba_d_head") // read as absent: derived below
		hasHead = false
	}
	f.mamba2(c, d, bambaMamba2)
	expand := f.intOr("mamba_expand", 2, f.modelType+" default")
	inner := f.mul("mamba_expand × hidden_size", expand, c.HiddenSize)
	if !hasHead {
		if c.Mamba2NumHeads > 0 && inner%c.Mamba2NumHeads == 0 {
			c.Mamba2HeadDim = inner / c.Mamba2NumHeads
			f.notes = append(f.notes, fmt.Sprintf("mamba_d_head \"auto\": mamba_expand × hidden_size / mamba_n_heads = %d", c.Mamba2HeadDim))
		} else {
			f.errorf(ErrInvalidValue, "mamba_n_heads", "%s %d does not divide mamba_expand × hidden_size (%d)",
				f.name("mamba_n_heads"), c.Mamba2NumHeads, inner)
		}
		return
	}
	if c.Mamba2NumHeads > 0 && c.Mamba2HeadDim > 0 && f.mul("mamba_n_heads × mamba_d_head", c.Mamba2NumHeads, c.Mamba2HeadDim) != inner {
		f.errorf(ErrInvalidValue, "mamba_d_head", "%s × %s (%d × %d) is not mamba_expand × hidden_size (%d), the mixer's width",
			f.name("mamba_n_heads"), f.name("mamba_d_head"), c.Mamba2NumHeads, c.Mamba2HeadDim, inner)
	}
}

// bambaDefaults are BambaConfig's (model_type bamba): Llama-style layers of
// an RMSNorm, a token mixer (attention at attn_layer_indices, Mamba-2
// elsewhere), an RMSNorm and a gated SiLU MLP; Mamba-2 of 128 heads, 1
// group, state 256, conv kernel 4 with bias, no projection bias, expand 2,
// chunks of 256; an untied head.
func bambaDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 262144
	c.Mamba2NumHeads, c.Mamba2NGroups, c.Mamba2StateSize, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 128, 1, 256, 4, 256
	c.Mamba2ConvBias = true
	return c
}

// readBamba reads model_type bamba (transformers modeling_bamba.py:
// BambaDecoderLayer = input_layernorm → BambaMixer or BambaAttention →
// residual → pre_ff_layernorm → BambaMLP (gate/up/down) → residual; the
// mixer's in_proj, conv1d, dt_bias, A_log, D, gated norm and out_proj as
// Mamba-2's).
func readBamba(f *hfFields) scale.Config {
	d := bambaDefaults()
	c := f.llama(d)
	f.bambaMixer(&c, d)
	f.timeStepLimit("time_step_limit")
	attn, ok := f.intList("attn_layer_indices")
	if !ok {
		if _, present := f.value("attn_layer_indices"); !present {
			f.notes = append(f.notes, "attn_layer_indices absent: every layer is Mamba-2 (BambaConfig default None)")
		}
	}
	if c.NumHiddenLayers <= 0 || c.NumHiddenLayers > scale.MaxLayers {
		return c
	}
	c.Layers = make([]scale.LayerShape, c.NumHiddenLayers)
	for i := range c.Layers {
		c.Layers[i].Attention = scale.PartMamba2
	}
	for j, i := range attn {
		if i < 0 || i >= c.NumHiddenLayers {
			f.errorf(ErrInvalidValue, fmt.Sprintf("attn_layer_indices[%d]", j), "%s is %d, not a layer index below num_hidden_layers (%d)",
				f.name(fmt.Sprintf("attn_layer_indices[%d]", j)), i, c.NumHiddenLayers)
			continue
		}
		c.Layers[i].Attention = scale.PartFull
	}
	f.alias("layers", f.name("attn_layer_indices"))
	f.unusedAttention(&c)
	if !c.HasMamba2() {
		c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 0, 0, 0, 0, 0, 0
		c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = false, false, false
	}
	return c
}

// graniteMoEHybridDefaults are GraniteMoeHybridConfig's (model_type
// granitemoehybrid): Granite's layers with the token mixer chosen by
// layer_types (Mamba-2 or attention), then an RMSNorm and, where
// num_local_experts > 0, experts of intermediate_size beside a shared
// gated MLP of shared_intermediate_size (the MLP alone without experts);
// Mamba-2 as Bamba's.
func graniteMoEHybridDefaults() scale.Config {
	c := bambaDefaults()
	c.MaxPositionEmbeddings = 2048
	c.NumLocalExperts, c.NumExpertsPerTok = 8, 2
	return c
}

// readGraniteMoEHybrid reads model_type granitemoehybrid (transformers
// modeling_granitemoehybrid.py: GraniteMoeHybridDecoderLayer =
// input_layernorm → GraniteMoeHybridMambaLayer or attention → residual →
// post_attention_layernorm → block_sparse_moe (router Linear(h, E) without
// bias, input_linear E × 2f × h, output_linear E × h × f) where
// num_local_experts > 0, plus shared_mlp (input_linear h → 2·shared,
// output_linear) → residual).
func readGraniteMoEHybrid(f *hfFields) scale.Config {
	d := graniteMoEHybridDefaults()
	c := f.decoder(d)
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	f.bambaMixer(&c, d)
	f.timeStepLimit("time_step_limit")
	experts := f.intOr("num_local_experts", d.NumLocalExperts, "granitemoehybrid default")
	shared := f.intOr("shared_intermediate_size", 1024, "granitemoehybrid default")
	if experts > 0 {
		c.NumLocalExperts = experts
		c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, "granitemoehybrid default")
		c.MoEIntermediateSize = f.required("intermediate_size")
		if shared > 0 {
			c.NumSharedExperts, c.SharedExpertIntermediateSize = 1, shared
		}
		f.alias("moe_intermediate_size", f.name("intermediate_size"))
		f.alias("shared_expert_intermediate_size", f.name("shared_intermediate_size"))
	} else {
		c.NumLocalExperts, c.NumExpertsPerTok = 0, 0
		c.IntermediateSize = shared
		f.alias("intermediate_size", f.name("shared_intermediate_size"))
		f.notes = append(f.notes, "num_local_experts 0: each layer's MLP is shared_mlp, a gated MLP of shared_intermediate_size")
	}
	switch pe := f.stringOr("position_embedding_type", "rope"); pe {
	case "nope":
		c.PositionEmbedding = scale.PositionNone
	case "rope":
	default:
		f.unmodelled(true, "position_embedding_type", `tscale reads "rope" and "nope"`)
	}
	graniteNote := false
	for _, m := range []string{"embedding_multiplier", "attention_multiplier", "residual_multiplier", "logits_scaling"} {
		if _, ok := f.value(m); ok && !graniteNote {
			f.notes = append(f.notes, graniteMultipliers)
			graniteNote = true
		}
	}
	if c.NumHiddenLayers <= 0 || c.NumHiddenLayers > scale.MaxLayers {
		return c
	}
	v, present := f.value("layer_types")
	c.Layers = make([]scale.LayerShape, c.NumHiddenLayers)
	for i := range c.Layers {
		c.Layers[i].Attention = scale.PartMamba2
	}
	if !present {
		f.notes = append(f.notes, "layer_types absent: every layer is Mamba-2 (GraniteMoeHybridConfig default)")
	} else if items, ok := v.([]any); !ok || int64(len(items)) != c.NumHiddenLayers {
		f.errorf(ErrInvalidValue, "layer_types", "%s must list num_hidden_layers (%d) layer types, got %s",
			f.name("layer_types"), c.NumHiddenLayers, describe(v))
	} else {
		for i, it := range items {
			switch it {
			case "mamba":
			case "attention":
				c.Layers[i].Attention = scale.PartFull
			default:
				f.errorf(ErrUnmodelled, "layer_types", "%s[%d] is %s: tscale models \"mamba\" and \"attention\" layers",
					f.name("layer_types"), i, describe(it))
				return c
			}
		}
	}
	f.alias("layers", f.name("layer_types"))
	f.unusedAttention(&c)
	if !c.HasMamba2() {
		c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 0, 0, 0, 0, 0, 0
		c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = false, false, false
	}
	return c
}

const bambaCode = "transformers modeling_bamba.py: BambaDecoderLayer = input_layernorm → BambaMixer (in_proj h → 2·d_inner + " +
	"2·mamba_n_groups·mamba_d_state + mamba_n_heads, bias where mamba_proj_bias says; conv1d over d_inner + " +
	"2·mamba_n_groups·mamba_d_state channels, kernel mamba_d_conv, bias where mamba_conv_bias says; dt_bias, A_log, D; " +
	"gated RMSNorm over d_inner; out_proj; d_inner = mamba_expand × hidden_size = mamba_n_heads × mamba_d_head) or, at " +
	"attn_layer_indices, Llama attention → residual → pre_ff_layernorm → gated MLP → residual; final_layernorm, lm_head"

const graniteMoEHybridCode = "transformers modeling_granitemoehybrid.py: GraniteMoeHybridDecoderLayer = input_layernorm → " +
	"Bamba's Mamba-2 mixer or Granite attention by layer_types → residual → post_attention_layernorm → block_sparse_moe " +
	"(router Linear(h, num_local_experts) without bias, input_linear E × 2·intermediate_size × h, output_linear E × h × " +
	"intermediate_size) plus shared_mlp (input_linear h → 2·shared_intermediate_size, output_linear) → residual; norm, " +
	"lm_head; Granite's four multipliers"

func bambaFamily() []Preset {
	return []Preset{{
		Slug: "bamba-9b", Name: "Bamba 9B", Family: "Bamba",
		Config: shaped(bambaDefaults(), scale.Config{
			VocabSize: 128256, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
			IntermediateSize: 14336, Mamba2HeadDim: 64, Mamba2StateSize: 128, Layers: mixerAt(32, scale.PartMamba2, 9, 18, 27),
		}),
		Sources: []string{
			hfConfig("ibm-ai-platform/Bamba-9B") + ", attn_layer_indices, mamba_n_heads, mamba_d_head, mamba_d_state, " +
				"mamba_n_groups, mamba_d_conv, mamba_expand, mamba_chunk_size, mamba_conv_bias, mamba_proj_bias",
			bambaCode,
		},
		Notes: []string{
			"32 layers: Mamba-2 except attention at layers 9, 18 and 27",
			"the Hugging Face model page shows 9.78B parameters, which params.total reproduces to its rounding",
		},
	}}
}

func graniteMoEHybridFamily() []Preset {
	return []Preset{{
		Slug: "granite-4.0-h-tiny", Name: "Granite 4.0 H Tiny", Family: "Granite",
		Config: shaped(graniteMoEHybridDefaults(), scale.Config{
			VocabSize: 100352, HiddenSize: 1536, NumHiddenLayers: 40, NumAttentionHeads: 12, NumKeyValueHeads: 4,
			MaxPositionEmbeddings: 131072, TieWordEmbeddings: true, PositionEmbedding: scale.PositionNone,
			NumLocalExperts: 64, NumExpertsPerTok: 6, MoEIntermediateSize: 512, NumSharedExperts: 1,
			SharedExpertIntermediateSize: 1024,
			Mamba2NumHeads:               48, Mamba2HeadDim: 64, Mamba2StateSize: 128, Layers: mixerAt(40, scale.PartMamba2, 5, 15, 25, 35),
		}),
		Sources: []string{
			hfConfig("ibm-granite/granite-4.0-h-tiny") + ", layer_types, num_local_experts, num_experts_per_tok, " +
				"shared_intermediate_size, mamba_n_heads, mamba_d_head, mamba_d_state, mamba_n_groups, mamba_d_conv, " +
				"mamba_expand, mamba_chunk_size",
			graniteMoEHybridCode,
		},
		Notes: []string{
			"40 layers: Mamba-2 except attention at layers 5, 15, 25 and 35; every layer has 64 experts of 512 (6 per token) " +
				"and a shared gated MLP of 1024",
			"IBM's card calls it 7B total, 1B active; params.active counts the router, the shared MLP and 6 experts per layer",
			"position_embedding_type nope: the attention layers encode no position",
			graniteMultipliers,
		},
	}, {
		Slug: "granite-4.0-h-small", Name: "Granite 4.0 H Small", Family: "Granite",
		Config: shaped(graniteMoEHybridDefaults(), scale.Config{
			VocabSize: 100352, HiddenSize: 4096, NumHiddenLayers: 40, NumAttentionHeads: 32, NumKeyValueHeads: 8,
			MaxPositionEmbeddings: 131072, TieWordEmbeddings: true, PositionEmbedding: scale.PositionNone,
			NumLocalExperts: 72, NumExpertsPerTok: 10, MoEIntermediateSize: 768, NumSharedExperts: 1,
			SharedExpertIntermediateSize: 1536,
			Mamba2NumHeads:               128, Mamba2HeadDim: 64, Mamba2StateSize: 128, Layers: mixerAt(40, scale.PartMamba2, 5, 15, 25, 35),
		}),
		Sources: []string{
			hfConfig("ibm-granite/granite-4.0-h-small") + ", layer_types, num_local_experts, num_experts_per_tok, " +
				"intermediate_size, shared_intermediate_size, mamba_n_heads, mamba_d_head, mamba_d_state, mamba_n_groups, " +
				"mamba_d_conv, mamba_expand",
			graniteMoEHybridCode,
		},
		Notes: []string{
			"40 layers: Mamba-2 (128 heads of 64, d_inner 8192 = 2 × 4096) except attention at layers 5, 15, 25 and 35; every " +
				"layer has 72 experts of 768 (10 per token) and a shared gated MLP of 1536",
			"IBM's card calls it 32B total, 9B active; params.active counts the router, the shared MLP and 10 experts per layer",
			"position_embedding_type nope: the attention layers encode no position",
			graniteMultipliers,
		},
	}}
}
