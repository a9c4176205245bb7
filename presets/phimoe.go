package presets

import "github.com/tscale/tscale/scale"

// phimoeDefaults are Phi-3.5-MoE's (model_type phimoe) and PhimoeConfig's:
// Mixtral's block with LayerNorms (weight and bias) in place of RMSNorms,
// q/k/v/o with bias only where attention_bias says, a gated SiLU expert MLP
// without bias, 16 experts with 2 routed per token (a router without bias,
// no shared expert), an LM head with a bias only where lm_head_bias says,
// 8 KV heads, an untied LM head and a context of 131072.
func phimoeDefaults() scale.Config {
	c := llamaDefaults()
	c.Norm = scale.LayerNorm
	c.MaxPositionEmbeddings = 4096 * 32
	c.NumKeyValueHeads = 8
	c.NumLocalExperts, c.NumExpertsPerTok = 16, 2
	return c
}

const phimoeCode = "transformers modular_phimoe.py: PhimoeAttention is LlamaAttention (q/k/v/o with bias where " +
	"attention_bias says); PhimoeSparseMoeBlock: router Linear(hidden, num_local_experts) without bias (sparsemixer " +
	"routing, no parameters of its own) and num_local_experts gated SiLU experts (Mixtral's) of intermediate_size; " +
	"input_layernorm, post_attention_layernorm and the final norm are nn.LayerNorm with weight and bias; lm_head " +
	"Linear(hidden, vocab) with bias where lm_head_bias says"

func phimoeFamily() []Preset {
	return []Preset{{
		Slug: "phi-3.5-moe", Name: "Phi-3.5-MoE (16x3.8B)", Family: "Phi",
		Config: shaped(phimoeDefaults(), scale.Config{
			VocabSize: 32064, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
			MaxPositionEmbeddings: 131072, SlidingWindow: 131072, AttentionQKVBias: true, AttentionOutBias: true,
			LMHeadBias: true, NumLocalExperts: 16, NumExpertsPerTok: 2, MoEIntermediateSize: 6400,
		}),
		Sources: []string{
			"Hugging Face microsoft/Phi-3.5-MoE-instruct config.json: vocab_size, hidden_size, intermediate_size (each " +
				"expert), num_hidden_layers, num_attention_heads, num_key_value_heads, num_local_experts, " +
				"num_experts_per_tok, attention_bias, lm_head_bias, sliding_window, max_position_embeddings, tie_word_embeddings",
			phimoeCode,
			"Microsoft, Phi-3.5-MoE model card: 16x3.8B parameters with 6.6B active parameters when using 2 experts",
		},
		Notes: []string{
			"attention_bias true puts a bias on q_proj, k_proj, v_proj and o_proj; lm_head_bias true puts one on the LM head",
			"the norms are LayerNorms with weight and bias (config.json names their epsilon rms_norm_eps)",
			"sliding_window 131072 equals the context, so no query within it loses a key",
			"rope_scaling longrope (short and long factors, mscale 1.243) changes no count",
			"router_jitter_noise and input_jitter_noise act in training only and own no parameters",
			"params.active is 6.64B (the card's 6.6B): the embedding, the LM head, attention, norms, the router and 2 " +
				"of the 16 experts in each layer",
		},
	}}
}

func readPhimoe(f *hfFields) scale.Config {
	d := phimoeDefaults()
	c := f.decoder(d) // head_dim: LlamaAttention's getattr, hidden_size / num_attention_heads when absent
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.LMHeadBias = f.boolOr("lm_head_bias", d.LMHeadBias)
	c.NumLocalExperts = f.intOr("num_local_experts", d.NumLocalExperts, "phimoe default")
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, "phimoe default")
	c.MoEIntermediateSize = f.required("intermediate_size") // every expert; no dense MLP
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	// MixtralModel masks with the window where sliding_window is set
	// (PhimoeConfig's default: none).
	c.SlidingWindow = f.slidingWindow(0)
	return c
}
