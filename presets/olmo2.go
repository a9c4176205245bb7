package presets

import "github.com/tscale/tscale/scale"

// olmo2Defaults are OLMo 2's and Olmo2Config's: the Llama block's
// projections and gated SiLU MLP without bias, its two RMSNorms moved after
// attention and after the MLP (post_attention_layernorm and
// post_feedforward_layernorm normalise the sublayer's output before the
// residual add; there is no pre-norm), RMSNorms on queries and keys over
// the whole projection (q_norm over num_attention_heads × head_dim, k_norm
// over num_key_value_heads × head_dim), an untied LM head and a context of
// 2048.
func olmo2Defaults() scale.Config {
	c := llamaDefaults()
	c.QKNorm, c.QKNormFullWidth = true, true
	c.PostNorm = true
	return c
}

const olmo2Code = "transformers modeling_olmo2.py: q/k/v/o projections with bias only where attention_bias says; " +
	"q_norm = RMSNorm(num_attention_heads × head_dim) and k_norm = RMSNorm(num_key_value_heads × head_dim) on the whole " +
	"projections before the split into heads; gate/up/down without bias (hard-coded); post_attention_layernorm and " +
	"post_feedforward_layernorm RMSNorms on the sublayer outputs, no input norm; final norm; lm_head untied"

func olmo2Family() []Preset {
	qkNote := "q_norm and k_norm span the whole projection (one RMSNorm weight per query and per key channel, " +
		"num_attention_heads × head_dim + num_key_value_heads × head_dim per layer), not one head_dim norm shared by " +
		"the heads as in Qwen3; a count that leaves them out is 2 × hidden_size × num_hidden_layers short"
	postNote := "post-norm inside the residual branch: h = x + post_attention_layernorm(attention(x)), " +
		"out = h + post_feedforward_layernorm(mlp(h)); the same two norms per layer as a pre-norm block"
	return []Preset{
		{
			Slug: "olmo-2-7b", Name: "OLMo 2 7B (1124)", Family: "OLMo 2",
			Config: shaped(olmo2Defaults(), scale.Config{
				VocabSize: 100352, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
				IntermediateSize: 11008, MaxPositionEmbeddings: 4096,
			}),
			Sources: []string{hfConfig("allenai/OLMo-2-1124-7B") + ", attention_bias", olmo2Code},
			Notes: []string{qkNote, postNote,
				"the base checkpoint is stored in fp32 (HF safetensors F32 7,298,617,344); the Instruct config has the same architecture"},
		},
		{
			Slug: "olmo-2-13b", Name: "OLMo 2 13B (1124)", Family: "OLMo 2",
			Config: shaped(olmo2Defaults(), scale.Config{
				VocabSize: 100352, HiddenSize: 5120, NumHiddenLayers: 40, NumAttentionHeads: 40, NumKeyValueHeads: 40,
				IntermediateSize: 13824, MaxPositionEmbeddings: 4096,
			}),
			Sources: []string{hfConfig("allenai/OLMo-2-1124-13B") + ", attention_bias", olmo2Code},
			Notes: []string{qkNote, postNote,
				"40 attention heads as in config.json (some revisions of the model card say 42)",
				"the base checkpoint is stored in fp32: model.safetensors.index.json total_size 54,864,793,600 bytes = 4 × params.total"},
		},
	}
}

func readOlmo2(f *hfFields) scale.Config {
	c := f.decoder(olmo2Defaults()) // head_dim: hidden_size / num_attention_heads unless the file sets it
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	// Olmo2Config has no mlp_bias (the MLP's bias is hard-coded false), no
	// sliding_window and no layer_types: the code reads none of them.
	return c
}
