package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// lfm2Defaults are Lfm2Config's (model_type lfm2): layers of an RMSNorm, a
// token mixer (attention with per-head-width RMSNorms on queries and keys
// where layer_types says full_attention, a short convolution of kernel 3
// without bias elsewhere), an RMSNorm and a gated SiLU MLP whose width is
// adjusted from intermediate_size; tied embeddings.
func lfm2Defaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 128000
	c.TieWordEmbeddings, c.QKNorm = true, true
	c.ShortConvKernel = 3
	return c
}

const lfm2Code = "transformers modeling_lfm2.py: Lfm2DecoderLayer = operator_norm → Lfm2Attention (q/k/v/out_proj without " +
	"bias, q_layernorm and k_layernorm RMSNorms over head_dim) or Lfm2ShortConv (in_proj h → 3h, depthwise conv1d of " +
	"conv_L_cache over h channels, out_proj h → h, biases where conv_bias says) by layer_types → residual → ffn_norm → " +
	"Lfm2MLP (w1, w3, w2 without bias, width int(2·intermediate_size/3) scaled by block_ffn_dim_multiplier and rounded up " +
	"to block_multiple_of where block_auto_adjust_ff_dim says) → residual; embedding_norm (the final norm), lm_head tied"

// lfm2Width is Lfm2MLP's width: intermediate_size, or where auto_adjust
// says int(2·f/3), then int(multiplier·f) (a float in Python), rounded up to
// a multiple of multipleOf.
func lfm2Width(f int64, autoAdjust bool, multiplier float64, multipleOf int64) int64 {
	if !autoAdjust {
		return f
	}
	f = 2 * f / 3
	f = int64(multiplier * float64(f))
	if multipleOf > 0 {
		f = multipleOf * ((f + multipleOf - 1) / multipleOf)
	}
	return f
}

func lfm2Family() []Preset {
	return []Preset{{
		Slug: "lfm2-1.2b", Name: "LFM2 1.2B", Family: "LFM2",
		Config: shaped(lfm2Defaults(), scale.Config{
			VocabSize: 65536, HiddenSize: 2048, NumHiddenLayers: 16, NumAttentionHeads: 32, NumKeyValueHeads: 8,
			IntermediateSize: lfm2Width(12288, true, 1.0, 256), Layers: mixerAt(16, scale.PartShortConv, 2, 5, 8, 10, 12, 14),
		}),
		Sources: []string{
			hfConfig("LiquidAI/LFM2-1.2B") + ", layer_types, conv_L_cache, conv_bias, block_auto_adjust_ff_dim, " +
				"block_ffn_dim_multiplier, block_multiple_of, tie_embedding",
			lfm2Code,
		},
		Notes: []string{
			"16 layers: attention at 2, 5, 8, 10, 12 and 14, short convolutions elsewhere",
			"intermediate_size 12288 is adjusted: int(2 × 12288 / 3) = 8192, × 1.0, rounded up to a multiple of 256: 8192",
			"Liquid AI names it 1.2B; the Hub page shows 1.17B",
		},
	}, {
		Slug: "lfm2-2.6b", Name: "LFM2 2.6B", Family: "LFM2",
		Config: shaped(lfm2Defaults(), scale.Config{
			VocabSize: 65536, HiddenSize: 2048, NumHiddenLayers: 30, NumAttentionHeads: 32, NumKeyValueHeads: 8,
			IntermediateSize: lfm2Width(10752, false, 1.0, 256), Layers: mixerAt(30, scale.PartShortConv, 2, 5, 9, 13, 17, 21, 24, 27),
		}),
		Sources: []string{
			hfConfig("LiquidAI/LFM2-2.6B") + ", layer_types, conv_L_cache, conv_bias, block_auto_adjust_ff_dim, " +
				"block_ffn_dim_multiplier, block_multiple_of, tie_embedding",
			lfm2Code,
		},
		Notes: []string{
			"30 layers: attention at 2, 5, 9, 13, 17, 21, 24 and 27, short convolutions elsewhere",
			"block_auto_adjust_ff_dim is false: the MLP is intermediate_size 10752 wide, not adjusted (the 1.2B's is)",
			"the attention head_dim is hidden_size / num_attention_heads = 64, so q_layernorm and k_layernorm hold 64 weights each",
			"Liquid AI names it 2.6B",
		},
	}}
}

// readLfm2 reads model_type lfm2.
func readLfm2(f *hfFields) scale.Config {
	d := lfm2Defaults()
	c := f.decoder(d)
	if v, ok := f.value("tie_embedding"); ok { // Lfm2Config reads tie_embedding as tie_word_embeddings
		b, isBool := v.(bool)
		if !isBool {
			f.errorf(ErrWrongType, "tie_embedding", "%s must be true or false, got %s", f.name("tie_embedding"), describe(v))
		}
		c.TieWordEmbeddings = b
	}
	// Lfm2Config (transformers 5.x) sets block_ff_dim, where the file has
	// it, as intermediate_size after reading intermediate_size itself: it
	// wins (LFM2-350M's file has block_ff_dim alone).
	declared, blockFF := f.optional("block_ff_dim")
	if blockFF {
		if v, set := f.optional("intermediate_size"); set && v != declared {
			f.notes = append(f.notes, fmt.Sprintf("block_ff_dim %d, not intermediate_size %d: Lfm2Config takes block_ff_dim as intermediate_size", declared, v))
		}
		f.alias("intermediate_size", f.name("block_ff_dim"))
	} else {
		declared = f.required("intermediate_size")
	}
	auto := f.boolOr("block_auto_adjust_ff_dim", true)
	multiple := f.intOr("block_multiple_of", 256, "lfm2 default")
	multiplier := 1.0
	if v, ok := f.value("block_ffn_dim_multiplier"); ok {
		if n, isNum := v.(interface{ Float64() (float64, error) }); isNum {
			multiplier, _ = n.Float64()
		} else {
			f.errorf(ErrWrongType, "block_ffn_dim_multiplier", "%s must be a number, got %s", f.name("block_ffn_dim_multiplier"), describe(v))
		}
	}
	if declared > 0 && declared < 1<<40 && multiplier > 0 && multiplier < 1<<10 && multiple >= 0 && multiple < 1<<20 {
		c.IntermediateSize = lfm2Width(declared, auto, multiplier, multiple)
		if auto {
			f.notes = append(f.notes, fmt.Sprintf("block_auto_adjust_ff_dim: the MLP is int(2 × %d / 3) × %g rounded up to a multiple of %d = %d wide",
				declared, multiplier, multiple, c.IntermediateSize))
		}
	} else {
		c.IntermediateSize = declared
	}
	f.alias("intermediate_size", "intermediate_size (adjusted by block_auto_adjust_ff_dim)")
	c.ShortConvKernel = f.intOr("conv_L_cache", d.ShortConvKernel, "lfm2 default")
	c.ShortConvBias = f.boolOr("conv_bias", false)
	f.alias("short_conv_kernel", f.name("conv_L_cache"))
	f.alias("short_conv_bias", f.name("conv_bias"))
	if c.NumHiddenLayers <= 0 || c.NumHiddenLayers > scale.MaxLayers {
		return c
	}
	c.Layers = make([]scale.LayerShape, c.NumHiddenLayers)
	for i := range c.Layers {
		c.Layers[i].Attention = scale.PartShortConv
	}
	if idx, ok := f.intList("full_attn_idxs"); ok {
		for j, i := range idx {
			if i < 0 || i >= c.NumHiddenLayers {
				f.errorf(ErrInvalidValue, fmt.Sprintf("full_attn_idxs[%d]", j), "%s is %d, not a layer index", f.name(fmt.Sprintf("full_attn_idxs[%d]", j)), i)
				return c
			}
			c.Layers[i].Attention = scale.PartFull
		}
	} else if v, present := f.value("layer_types"); present {
		items, ok := v.([]any)
		if !ok || int64(len(items)) != c.NumHiddenLayers {
			f.errorf(ErrInvalidValue, "layer_types", "%s must list num_hidden_layers (%d) layer types, got %s",
				f.name("layer_types"), c.NumHiddenLayers, describe(v))
			return c
		}
		for i, it := range items {
			switch it {
			case "conv":
			case "full_attention":
				c.Layers[i].Attention = scale.PartFull
			default:
				f.errorf(ErrUnmodelled, "layer_types", "%s[%d] is %s: tscale models \"conv\" and \"full_attention\" layers",
					f.name("layer_types"), i, describe(it))
				return c
			}
		}
	} else {
		f.errorf(ErrMissingField, "layer_types", "%s (lfm2: layer_types or full_attn_idxs)", f.name("layer_types"))
	}
	f.alias("layers", f.name("layer_types"))
	f.unusedAttention(&c)
	if !c.HasShortConv() {
		c.ShortConvKernel, c.ShortConvBias = 0, false
	}
	return c
}
