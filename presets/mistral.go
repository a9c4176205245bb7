package presets

import "github.com/tscale/tscale/scale"

// mistralDefaults are Mistral's: the Llama block, MistralConfig's context
// of 4096 × 32 and a sliding window of 4096 tokens on every layer.
func mistralDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 4096 * 32
	c.SlidingWindow = 4096
	return c
}

// mixtralDefaults are Mixtral's: the Llama block with every MLP a mixture
// of experts (no dense layers), MixtralConfig's 8 experts with 2 routed per
// token, a context of 4096 × 32 and no sliding window.
func mixtralDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 4096 * 32
	c.NumLocalExperts, c.NumExpertsPerTok = 8, 2
	return c
}

const mixtralCode = "transformers modeling_mixtral.py: router (gate) Linear(hidden, num_local_experts) without bias; " +
	"each expert a gated SiLU MLP (w1, w3, w2) of intermediate_size"

func mistralFamily() []Preset {
	nemo := shaped(mistralDefaults(), scale.Config{
		VocabSize: 131072, HiddenSize: 5120, NumHiddenLayers: 40, NumAttentionHeads: 32, NumKeyValueHeads: 8,
		HeadDim: 128, IntermediateSize: 14336, MaxPositionEmbeddings: 128000,
	})
	nemo.SlidingWindow = 0 // sliding_window null: shaped keeps MistralConfig's 4096 for a zero
	return []Preset{
		{
			Slug: "mistral-7b", Name: "Mistral 7B (v0.1)", Family: "Mistral",
			Config: shaped(mistralDefaults(), scale.Config{
				VocabSize: 32000, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
				IntermediateSize: 14336, MaxPositionEmbeddings: 32768, SlidingWindow: 4096,
			}),
			Sources: []string{
				hfConfig("mistralai/Mistral-7B-v0.1") + ", sliding_window",
				"transformers modeling_mistral.py: Llama block; every layer attends within sliding_window tokens",
			},
			Notes: []string{"sliding window of 4096 tokens on every layer: query i scores keys i−4095..i, and the KV cache " +
				"holds at most 4096 tokens per layer (Jiang et al. 2023, §2)"},
		},
		{
			Slug: "mistral-nemo-12b", Name: "Mistral NeMo 12B (Base 2407)", Family: "Mistral", Config: nemo,
			Sources: []string{
				hfConfig("mistralai/Mistral-Nemo-Base-2407") + ", head_dim, sliding_window",
				"transformers modeling_mistral.py: the Llama block, q_proj and o_proj of num_attention_heads × head_dim",
			},
			Notes: []string{
				explicitHeadDim(nemo),
				"sliding_window null: full causal attention on every layer (MistralConfig's 4096 applies only where the key is absent)",
				"vocab_size 131072: the Tekken tokenizer",
				"max_position_embeddings 128000 as the current config.json says; the first upload said 1024000, which changes no count",
			},
		},
		{
			Slug: "mixtral-8x7b", Name: "Mixtral 8x7B", Family: "Mixtral",
			Config: shaped(mixtralDefaults(), scale.Config{
				VocabSize: 32000, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
				MaxPositionEmbeddings: 32768, NumLocalExperts: 8, NumExpertsPerTok: 2, MoEIntermediateSize: 14336,
			}),
			Sources: []string{
				hfConfig("mistralai/Mixtral-8x7B-v0.1") + ", num_local_experts, num_experts_per_tok",
				mixtralCode,
			},
			Notes: []string{
				"8 KV heads (the seed tool said 4); the seed also counted only the router as FFN compute",
				"sliding_window is null in the current config (older copies said 4096); attention is full causal",
			},
		},
		{
			Slug: "mixtral-8x22b", Name: "Mixtral 8x22B", Family: "Mixtral",
			Config: shaped(mixtralDefaults(), scale.Config{
				VocabSize: 32000, HiddenSize: 6144, NumHiddenLayers: 56, NumAttentionHeads: 48, NumKeyValueHeads: 8,
				MaxPositionEmbeddings: 65536, NumLocalExperts: 8, NumExpertsPerTok: 2, MoEIntermediateSize: 16384,
			}),
			Sources: []string{
				hfConfig("mistralai/Mixtral-8x22B-v0.1") + ", num_local_experts, num_experts_per_tok",
				"Mistral AI model weights documentation: Mixtral-8x22B-v0.1 has a 32k (32000) vocabulary; v0.3 and Instruct 32768",
				mixtralCode,
			},
			Notes: []string{"the base v0.1 has vocab_size 32000; Mixtral-8x22B-Instruct-v0.1 has 32768 (9,437,184 more parameters)"},
		},
	}
}

func readMistral(f *hfFields) scale.Config {
	d := mistralDefaults()
	c := f.decoder(d)
	c.IntermediateSize = f.required("intermediate_size")
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	return c
}

func readMixtral(f *hfFields) scale.Config {
	d := mixtralDefaults()
	c := f.decoder(d)
	c.NumLocalExperts = f.intOr("num_local_experts", d.NumLocalExperts, "mixtral default")
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, "mixtral default")
	c.MoEIntermediateSize = f.required("intermediate_size") // every expert; no dense layers
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	return c
}
