package presets

import "github.com/tscale/tscale/scale"

// olmoeDefaults are OLMoE's (model_type olmoe) and OlmoeConfig's: the Llama
// block (RMSNorm before attention and before the experts, RoPE, q/k/v/o
// with bias only where attention_bias says) with RMSNorms on queries and
// keys over the whole projection (q_norm over hidden_size, k_norm over
// num_key_value_heads × head_dim), a mixture of experts in every layer
// (64 gated SiLU experts of intermediate_size, 8 routed per token, a router
// without bias, no shared expert), an untied LM head and a context of 4096.
func olmoeDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 4096
	c.QKNorm, c.QKNormFullWidth = true, true
	c.NumLocalExperts, c.NumExpertsPerTok = 64, 8
	return c
}

const olmoeCode = "transformers modular_olmoe.py: OlmoeAttention is LlamaAttention (q/k/v/o with bias where attention_bias " +
	"says) with q_norm = RMSNorm(hidden_size) and k_norm = RMSNorm(hidden_size / num_attention_heads × " +
	"num_key_value_heads) on the whole projections; OlmoeSparseMoeBlock: gate Linear(hidden, num_experts) without bias " +
	"and num_experts gated SiLU experts (OlmoeMLP) of intermediate_size, no shared expert, in every layer; " +
	"input_layernorm and post_attention_layernorm RMSNorms, final norm, lm_head untied"

const olmoeFields = "config.json: vocab_size, hidden_size, intermediate_size (each expert), num_hidden_layers, " +
	"num_attention_heads, num_key_value_heads, num_experts, num_experts_per_tok, attention_bias, max_position_embeddings, " +
	"tie_word_embeddings"

func olmoeFamily() []Preset {
	return []Preset{{
		Slug: "olmoe-1b-7b", Name: "OLMoE-1B-7B (0924)", Family: "OLMoE",
		Config: shaped(olmoeDefaults(), scale.Config{
			VocabSize: 50304, HiddenSize: 2048, NumHiddenLayers: 16, NumAttentionHeads: 16, NumKeyValueHeads: 16,
			MaxPositionEmbeddings: 4096, NumLocalExperts: 64, NumExpertsPerTok: 8, MoEIntermediateSize: 1024,
		}),
		Sources: []string{"Hugging Face allenai/OLMoE-1B-7B-0924 " + olmoeFields, olmoeCode,
			"Muennighoff et al. 2024, OLMoE (arXiv 2409.02060): 6.9B total, 1.3B active parameters, 64 experts, 8 per token"},
		Notes: []string{
			"intermediate_size 1024 is the width of each of the 64 experts; there is no dense MLP",
			"q_norm and k_norm span the whole projection (2048 weights each here, with 16 KV heads), not one head_dim " +
				"norm shared by the heads",
			"clip_qkv null and norm_topk_prob false change no count",
			"params.active counts the embedding, the LM head, the router in full and 8 of the 64 experts in each " +
				"layer: 1.28B, the paper's 1.3B active",
			"the HF API counts 6,919,161,856 F32 parameters for allenai/OLMoE-1B-7B-0924 (llama.cpp's conversion lists the " +
				"same): params.total; OLMoE-1B-7B-0125 has the same architecture",
		},
	}}
}

func readOlmoe(f *hfFields) scale.Config {
	d := olmoeDefaults()
	c := f.decoder(d)
	// q_norm is RMSNorm(hidden_size) over a projection of num_attention_heads ×
	// head_dim: the two must agree (head_dim, where the file sets it, is read
	// by LlamaAttention but not by the norms).
	if c.HeadDim > 0 && c.NumAttentionHeads > 0 && c.HiddenSize > 0 {
		f.unmodelled(c.NumAttentionHeads*c.HeadDim != c.HiddenSize, "head_dim",
			"OLMoE's q_norm spans hidden_size and k_norm hidden_size / num_attention_heads per KV head, so head_dim "+
				"must be hidden_size / num_attention_heads")
	}
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.NumLocalExperts = f.intOr("num_experts", d.NumLocalExperts, "olmoe default")
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, "olmoe default")
	c.MoEIntermediateSize = f.required("intermediate_size") // every expert; no dense MLP
	f.alias("num_local_experts", f.name("num_experts"))
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	w, _ := f.optional("sliding_window")
	f.unmodelled(w != 0, "sliding_window", "OlmoeModel builds a full causal mask; a window is not modelled")
	return c
}
