package presets

import "github.com/tscale/tscale/scale"

// graniteMoEDefaults are Granite MoE's (model_type granitemoe) and
// GraniteMoeConfig's: Granite's Llama block (q/k/v/o with bias only where
// attention_bias says, RMSNorms, its multipliers) with a mixture of experts
// in every layer (8 gated experts of intermediate_size, 2 routed per token,
// a router without bias, no shared expert), an untied LM head and a context
// of 2048.
func graniteMoEDefaults() scale.Config {
	c := graniteDefaults()
	c.NumLocalExperts, c.NumExpertsPerTok = 8, 2
	return c
}

const graniteMoECode = "transformers modular_granitemoe.py: GraniteMoeAttention is LlamaAttention (q/k/v/o with bias where " +
	"attention_bias says); GraniteMoeMoE: input_linear [num_local_experts, 2·intermediate_size, hidden] (gate and up " +
	"of each gated expert), output_linear [num_local_experts, hidden, intermediate_size], router " +
	"Linear(hidden, num_local_experts) without bias (JetMoe's top-k gating), in every layer; input_layernorm and " +
	"post_attention_layernorm RMSNorms, final norm; Granite's four multipliers"

func graniteMoEFamily() []Preset {
	return []Preset{{
		Slug: "granite-3.1-3b-a800m", Name: "Granite 3.1 3B-A800M", Family: "Granite",
		Config: shaped(graniteMoEDefaults(), scale.Config{
			VocabSize: 49155, HiddenSize: 1536, NumHiddenLayers: 32, NumAttentionHeads: 24, NumKeyValueHeads: 8,
			MaxPositionEmbeddings: 131072, TieWordEmbeddings: true,
			NumLocalExperts: 40, NumExpertsPerTok: 8, MoEIntermediateSize: 512,
		}),
		Sources: []string{
			"Hugging Face ibm-granite/granite-3.1-3b-a800m-instruct config.json: vocab_size, hidden_size, intermediate_size " +
				"(each expert), num_hidden_layers, num_attention_heads, num_key_value_heads, num_local_experts, " +
				"num_experts_per_tok, attention_bias, max_position_embeddings, tie_word_embeddings",
			graniteMoECode,
		},
		Notes: []string{
			"intermediate_size 512 is the width of each of the 40 experts; there is no dense MLP",
			"embeddings tied: config.json says tie_word_embeddings true, where GraniteMoeConfig's default is false",
			graniteMultipliers,
			"params.active is 0.88B with the embedding, 0.81B without it: IBM's \"A800M\"",
		},
	}}
}

func readGraniteMoE(f *hfFields) scale.Config {
	d := graniteMoEDefaults()
	c := f.decoder(d)
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.NumLocalExperts = f.intOr("num_local_experts", d.NumLocalExperts, "granitemoe default")
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, "granitemoe default")
	c.MoEIntermediateSize = f.required("intermediate_size") // every expert; no dense MLP
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	for _, m := range []string{"embedding_multiplier", "attention_multiplier", "residual_multiplier", "logits_scaling"} {
		if _, ok := f.value(m); ok {
			f.notes = append(f.notes, graniteMultipliers)
			break
		}
	}
	return c
}
