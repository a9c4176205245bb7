package presets

import "github.com/tscale/tscale/scale"

// ministralDefaults are Ministral's (model_type ministral) and
// MinistralConfig's: Mistral's block (no biases anywhere), 8 KV heads, an
// untied LM head, a context of 131072 and, with layer_types absent, a
// window of 4096 tokens on every layer (every layer full attention where
// sliding_window is null).
func ministralDefaults() scale.Config {
	c := llamaDefaults()
	c.NumKeyValueHeads = 8
	c.MaxPositionEmbeddings = 131072
	c.SlidingWindow = 4096
	return c
}

// readMinistral reads a ministral config.json: transformers
// modeling_ministral.py is Qwen2's decoder with q/k/v/o and the MLP
// without bias (hard-coded), head_dim from the file (hidden_size /
// num_attention_heads when absent or null), and layer i sliding over
// sliding_window tokens where layer_types[i] says so.
func readMinistral(f *hfFields) scale.Config {
	d := ministralDefaults()
	c := f.decoder(d) // num_key_value_heads absent: 8, MinistralConfig's default
	c.IntermediateSize = f.required("intermediate_size")
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	if !f.layerTypes(&c) && c.SlidingWindow > 0 {
		f.notes = append(f.notes, "layer_types absent: every layer sliding, as sliding_window is set (ministral default)")
	}
	f.notes = append(f.notes, describeLayerTypes(c))
	return c
}
