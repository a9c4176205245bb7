package presets

import "github.com/tscale/tscale/scale"

// olmo3Defaults are OLMo 3's (model_type olmo3) and Olmo3Config's: OLMo 2's
// block and Olmo2Config's defaults, with a window of 4096 tokens on every
// layer but each fourth (Olmo3Config's layer_types rule:
// "sliding_attention" if (i + 1) % 4 != 0).
func olmo3Defaults() scale.Config {
	c := olmo2Defaults()
	c.SlidingWindow, c.GlobalAttentionInterval = 4096, 4
	return c
}

const olmo3Code = "transformers modeling_olmo3.py: OLMo 2's attention (q/k/v/o with bias where attention_bias says; " +
	"q_norm RMSNorm(num_attention_heads × head_dim) and k_norm RMSNorm(num_key_value_heads × head_dim) on the whole " +
	"projections), MLP and post-norm decoder layer; layer i slides over sliding_window tokens where layer_types[i] is " +
	"sliding_attention (default: unless (i + 1) % 4 == 0)"

func olmo3Family() []Preset {
	notes := []string{
		"OLMo 2's block: q_norm and k_norm over the whole projections, post_attention_layernorm and " +
			"post_feedforward_layernorm on the sublayer outputs, no input norm",
		"layer_types: three sliding layers (window 4096) then one full-attention layer, repeated",
	}
	return []Preset{
		{
			Slug: "olmo-3-7b", Name: "OLMo 3 7B (1025)", Family: "OLMo 3",
			Config: shaped(olmo3Defaults(), scale.Config{
				VocabSize: 100278, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
				IntermediateSize: 11008, MaxPositionEmbeddings: 65536, SlidingWindow: 4096,
			}),
			Sources: []string{hfConfig("allenai/Olmo-3-1025-7B") + ", sliding_window, layer_types", olmo3Code},
			Notes:   append(notes, "multi-head attention (32 KV heads); the Instruct and Think models share the architecture"),
		},
		{
			Slug: "olmo-3-32b", Name: "OLMo 3 32B (1125)", Family: "OLMo 3",
			Config: shaped(olmo3Defaults(), scale.Config{
				VocabSize: 100278, HiddenSize: 5120, NumHiddenLayers: 64, NumAttentionHeads: 40, NumKeyValueHeads: 8,
				IntermediateSize: 27648, MaxPositionEmbeddings: 65536, SlidingWindow: 4096,
			}),
			Sources: []string{hfConfig("allenai/Olmo-3-1125-32B") + ", sliding_window, layer_types", olmo3Code},
			Notes: append(notes, "grouped-query attention (8 KV heads); k_norm spans the 1024-wide key projection",
				"the Think and Instruct models share the architecture"),
		},
	}
}

func readOlmo3(f *hfFields) scale.Config {
	d := olmo3Defaults()
	c := readOlmo2(f)
	c.SlidingWindow, c.GlobalAttentionInterval = f.slidingWindow(d.SlidingWindow), d.GlobalAttentionInterval
	if f.layerTypes(&c) {
		f.notes = append(f.notes, describeLayerTypes(c))
		return c
	}
	f.notes = append(f.notes, "layer_types absent: every fourth layer full attention, the others sliding (olmo3 default)")
	if c.SlidingWindow <= 0 {
		f.errorf(ErrInvalidValue, "sliding_window", "%s is null, but Olmo3Config's default layer_types make three "+
			"layers in four sliding: transformers builds their mask from sliding_window", f.name("sliding_window"))
	}
	return c
}
