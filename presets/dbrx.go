package presets

import "github.com/tscale/tscale/scale"

// dbrxDefaults are DBRX's and DbrxConfig's: a sequential pre-norm block
// whose norms are LayerNorms without bias, a fused Wqkv (h → h + 2·K·d)
// and out_proj without bias, RoPE, every layer a mixture of gated (GLU)
// experts with a router without bias, an untied LM head (DbrxConfig
// refuses a tied one) and max_seq_len 2048. attn_config's kv_n_heads
// defaults to 1.
func dbrxDefaults() scale.Config {
	return scale.Config{
		NumKeyValueHeads:      1,
		MaxPositionEmbeddings: 2048,
		MLP:                   scale.MLPGated,
		HiddenAct:             "silu",
		Norm:                  scale.LayerNormNoBias,
		PositionEmbedding:     scale.PositionRoPE,
		NormsPerLayer:         2,
	}
}

const dbrxCode = "transformers modeling_dbrx.py and configuration_dbrx.py: wte; per block norm_1 and norm_2 " +
	"(nn.LayerNorm(d_model, bias=False)), Wqkv = Linear(d_model, d_model + 2 × kv_n_heads × head_dim) and out_proj " +
	"without bias, router = Linear(d_model, moe_num_experts) without bias, experts w1, v1, w2 of " +
	"moe_num_experts × ffn_hidden_size × d_model each (gate, up, down: act(x·w1) ⊙ x·v1 → w2); norm_f (no bias); " +
	"lm_head without bias, untied; clip_qkv clamps the projections (no count)"

func dbrxFamily() []Preset {
	return []Preset{{
		Slug: "dbrx", Name: "DBRX (132B, 36B active)", Family: "DBRX",
		Config: shaped(dbrxDefaults(), scale.Config{
			VocabSize: 100352, HiddenSize: 6144, NumHiddenLayers: 40, NumAttentionHeads: 48, NumKeyValueHeads: 8,
			MaxPositionEmbeddings: 32768, NumLocalExperts: 16, NumExpertsPerTok: 4, MoEIntermediateSize: 10752,
		}),
		Sources: []string{
			"Hugging Face databricks/dbrx-instruct config.json (the base model's is the same architecture): vocab_size, " +
				"d_model, n_layers, n_heads, max_seq_len, attn_config.kv_n_heads, ffn_config (ffn_hidden_size, " +
				"moe_num_experts, moe_top_k), tie_word_embeddings",
			dbrxCode,
		},
		Notes: []string{
			"Databricks announces 132B total and 36B active parameters; no exact count is published",
			"fine-grained mixture of experts: 16 experts, 4 active per token, each a GLU of width 10752, in every layer",
		},
	}}
}

func readDBRX(f *hfFields) scale.Config {
	d := dbrxDefaults()
	c := d
	f.shape(&c, "d_model", "n_layers", "n_heads")
	for field, file := range map[string]string{"hidden_size": "d_model", "num_attention_heads": "n_heads",
		"max_position_embeddings": "max_seq_len", "num_key_value_heads": "attn_config.kv_n_heads",
		"num_local_experts": "ffn_config.moe_num_experts", "num_experts_per_tok": "ffn_config.moe_top_k",
		"moe_intermediate_size": "ffn_config.ffn_hidden_size"} {
		f.alias(field, file)
	}
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "d_model", "n_heads")
	c.MaxPositionEmbeddings = f.intOr("max_seq_len", d.MaxPositionEmbeddings, "dbrx default")
	f.unmodelled(f.boolOr("tie_word_embeddings", false), "tie_word_embeddings",
		"DbrxConfig refuses tied embeddings (tie_word_embeddings is not supported for DBRX models)")
	f.subConfig("attn_config", "DbrxAttentionConfig", func() {
		c.NumKeyValueHeads = f.intOr("kv_n_heads", d.NumKeyValueHeads, "dbrx default")
	})
	// The experts' widths define the model: ffn_config and its sizes are
	// required rather than DbrxFFNConfig's defaults.
	if _, set := f.value("ffn_config"); !set {
		f.errorf(ErrMissingField, "ffn_config", "ffn_config (dbrx: the experts' ffn_hidden_size, moe_num_experts, moe_top_k)")
		return c
	}
	f.subConfig("ffn_config", "DbrxFFNConfig", func() {
		c.MoEIntermediateSize = f.required("ffn_hidden_size")
		c.NumLocalExperts = f.required("moe_num_experts")
		c.NumExpertsPerTok = f.required("moe_top_k")
		if _, set := f.value("ffn_act_fn"); set {
			f.subConfig("ffn_act_fn", "the experts' activation", func() {
				c.HiddenAct = f.stringOr("name", d.HiddenAct) // the experts are GLUs whatever the activation
			})
		}
	})
	return c
}
