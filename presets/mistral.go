package presets

import "tscale/scale"

// moe makes a Llama block a mixture of experts of the given expert width.
func moe(c scale.Config, experts, perToken, expertWidth int64) scale.Config {
	c.IntermediateSize = 0 // no dense MLP layers
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = experts, perToken, expertWidth
	return c
}

const mixtralCode = "transformers modeling_mixtral.py: router (gate) Linear(hidden, num_local_experts) without bias; " +
	"each expert a gated SiLU MLP (w1, w3, w2) of intermediate_size"

func mistralFamily() []Preset {
	mistral := llamaBlock(32000, 4096, 32, 32, 8, 14336, 32768)
	mistral.SlidingWindow = 4096
	return []Preset{
		{
			Slug: "mistral-7b", Name: "Mistral 7B (v0.1)", Family: "Mistral",
			Config: mistral,
			Sources: []string{
				hfConfig("mistralai/Mistral-7B-v0.1") + ", sliding_window",
				"transformers modeling_mistral.py: Llama block; every layer attends within sliding_window tokens",
			},
			Notes: []string{"sliding window of 4096 tokens on every layer: query i scores keys i−4095..i, and the KV cache " +
				"holds at most 4096 tokens per layer (Jiang et al. 2023, §2)"},
		},
		{
			Slug: "mixtral-8x7b", Name: "Mixtral 8x7B", Family: "Mixtral",
			Config: moe(llamaBlock(32000, 4096, 32, 32, 8, 0, 32768), 8, 2, 14336),
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
			Config: moe(llamaBlock(32000, 6144, 56, 48, 8, 0, 65536), 8, 2, 16384),
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
	c := f.decoder(4096*32, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.SlidingWindow = f.slidingWindow(4096)
	return c
}

func readMixtral(f *hfFields) scale.Config {
	c := f.decoder(4096*32, false, "silu")
	c.NumLocalExperts = f.intOr("num_local_experts", 8, "mixtral default")
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", 2, "mixtral default")
	c.MoEIntermediateSize = f.required("intermediate_size") // every expert; no dense layers
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	c.SlidingWindow = f.slidingWindow(0)
	return c
}
