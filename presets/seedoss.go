package presets

import "github.com/tscale/tscale/scale"

// seedOssDefaults are Seed-OSS's (model_type seed_oss) and SeedOssConfig's:
// the Llama block with biases on q_proj, k_proj and v_proj (attention_bias
// true) but not on o_proj (attention_out_bias false) nor the MLP
// (mlp_bias false), 8 KV heads of head_dim 128, an untied LM head and a
// context of 524288.
func seedOssDefaults() scale.Config {
	c := llamaDefaults()
	c.NumKeyValueHeads, c.HeadDim = 8, 128
	c.MaxPositionEmbeddings = 524288
	c.AttentionQKVBias = true
	return c
}

const seedOssCode = "transformers modeling_seed_oss.py: q_proj, k_proj and v_proj with bias where attention_bias says " +
	"(default true), o_proj where attention_out_bias says (default false), gate/up/down where mlp_bias says (default " +
	"false); head_dim from config.json (SeedOssConfig default 128; hidden_size / num_attention_heads when null); " +
	"Llama's input_layernorm, post_attention_layernorm and final RMSNorms; lm_head untied where tie_word_embeddings says"

func seedOssFamily() []Preset {
	c := shaped(seedOssDefaults(), scale.Config{
		VocabSize: 155136, HiddenSize: 5120, NumHiddenLayers: 64, NumAttentionHeads: 80, NumKeyValueHeads: 8,
		HeadDim: 128, IntermediateSize: 27648, MaxPositionEmbeddings: 524288,
	})
	return []Preset{{
		Slug: "seed-oss-36b", Name: "Seed-OSS-36B", Family: "Seed-OSS", Config: c,
		Sources: []string{hfConfig("ByteDance-Seed/Seed-OSS-36B-Base") +
			", head_dim, attention_bias, attention_out_bias, mlp_bias (the Instruct and woSyn configs have the same architecture)",
			seedOssCode},
		Notes: []string{
			explicitHeadDim(c),
			"attention_bias true: biases on q_proj, k_proj and v_proj; attention_out_bias false: none on o_proj",
			"attention_dropout and residual_dropout (0.1) act only in training and own no parameter",
		},
	}}
}

func readSeedOss(f *hfFields) scale.Config {
	d := seedOssDefaults()
	c := d
	f.shape(&c, "hidden_size", "num_hidden_layers", "num_attention_heads")
	// SeedOssConfig tells null (the heads, hidden / heads) from absent (8, 128).
	c.NumKeyValueHeads = f.nullable("num_key_value_heads", d.NumKeyValueHeads, func() int64 {
		f.followsIf(c.NumAttentionHeads <= 0, "num_key_value_heads")
		return c.NumAttentionHeads
	}, "SeedOssConfig default", "num_attention_heads: multi-head attention")
	c.HeadDim = f.nullable("head_dim", d.HeadDim, func() int64 {
		return f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "hidden_size", "num_attention_heads")
	}, "SeedOssConfig default", "hidden_size / num_attention_heads")
	c.IntermediateSize = f.required("intermediate_size")
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, "seed_oss default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	c.HiddenAct = f.stringOr("hidden_act", d.HiddenAct)
	c.AttentionQKVBias = f.boolOr("attention_bias", d.AttentionQKVBias)
	c.AttentionOutBias = f.boolOr("attention_out_bias", d.AttentionOutBias)
	c.MLPBias = f.boolOr("mlp_bias", d.MLPBias)
	return c
}
