package presets

import "github.com/tscale/tscale/scale"

// exaone4Defaults are EXAONE 4.0's (model_type exaone4) and
// Exaone4Config's: OLMo 2's block (no norm before the sublayers; RMSNorms
// on the attention and MLP outputs before each residual add, which LG
// calls QK-Reorder-Norm) with an RMSNorm over head_dim on every query and
// key head, a gated SiLU MLP, no biases, 32 KV heads, an untied LM head, a
// context of 2048, and a window of 4096 tokens on every layer but each
// fourth (sliding_window_pattern 4), whose global attention has no
// positional encoding.
func exaone4Defaults() scale.Config {
	c := llamaDefaults()
	c.PostNorm, c.QKNorm = true, true
	c.NumKeyValueHeads = 32
	c.SlidingWindow, c.GlobalAttentionInterval = 4096, 4
	return c
}

const exaone4Code = "transformers modeling_exaone4.py: Exaone4Attention's q/k/v/o without bias (hard-coded) and " +
	"q_norm, k_norm RMSNorm(head_dim); Olmo2DecoderLayer's post_attention_layernorm and post_feedforward_layernorm " +
	"on the sublayer outputs and no input norm; Olmo2MLP's gate/up/down without bias; final norm; lm_head untied where " +
	"tie_word_embeddings says; layer_types (or, absent, an integer sliding_window_pattern: layer i slides unless " +
	"(i + 1) % pattern == 0) decides which layers slide; RoPE on sliding layers only in a hybrid model"

func exaone4Family() []Preset {
	return []Preset{{
		Slug: "exaone-4.0-32b", Name: "EXAONE 4.0 32B", Family: "EXAONE",
		Config: shaped(exaone4Defaults(), scale.Config{
			VocabSize: 102400, HiddenSize: 5120, NumHiddenLayers: 64, NumAttentionHeads: 40, NumKeyValueHeads: 8,
			HeadDim: 128, IntermediateSize: 27392, MaxPositionEmbeddings: 131072, SlidingWindow: 4096,
		}),
		Sources: []string{hfConfig("LGAI-EXAONE/EXAONE-4.0-32B") + ", head_dim, sliding_window, sliding_window_pattern, layer_types",
			exaone4Code},
		Notes: []string{
			"post-norm inside the residual branch (QK-Reorder-Norm): h = x + post_attention_layernorm(attention(x)), " +
				"out = h + post_feedforward_layernorm(mlp(h)); the same two norms per layer as a pre-norm block",
			"q_norm and k_norm: one RMSNorm over head_dim (128 weights) each, shared by the heads (not OLMo 2's full-width norms)",
			"layer_types: three sliding layers (window 4096, RoPE) then one global layer (no positional encoding), 16 times; " +
				"sliding_window_pattern \"LLLG\" says the same, and transformers reads layer_types",
			"the card: 32B parameters, 30.95B without embeddings; the safetensors index total_size is 2 × this count",
		},
	}}
}

func readExaone4(f *hfFields) scale.Config {
	d := exaone4Defaults()
	c := f.decoder(d) // num_key_value_heads absent: 32, Exaone4Config's default
	c.IntermediateSize = f.required("intermediate_size")
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	if _, ok := f.value("layer_types"); ok {
		f.intervalWindows(&c, "sliding_window_pattern", d.GlobalAttentionInterval, "Exaone4Config")
		return c
	}
	// Without layer_types, Exaone4Config builds them from an integer
	// sliding_window_pattern; a string ("LLLG") or a null sliding_window
	// makes it fail (it divides by the pattern, set to 0 for a null window).
	if p, ok := f.value("sliding_window_pattern"); ok {
		if _, isString := p.(string); isString {
			f.errorf(ErrUnmodelled, "sliding_window_pattern", "%s %s without layer_types: Exaone4Config builds "+
				"layer_types from an integer pattern only", f.name("sliding_window_pattern"), show(p))
			return c
		}
	}
	if c.SlidingWindow <= 0 {
		f.errorf(ErrInvalidValue, "sliding_window", "%s is null and the file has no layer_types: Exaone4Config then "+
			"divides by a pattern of 0", f.name("sliding_window"))
		return c
	}
	f.intervalWindows(&c, "sliding_window_pattern", d.GlobalAttentionInterval, "Exaone4Config")
	return c
}
