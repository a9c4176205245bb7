package presets

import "github.com/tscale/tscale/scale"

// gpt4Estimates are the closed GPT-4 and GPT-4o models. OpenAI has published
// no architecture; these follow third-party estimates and say so.
func gpt4Estimates() []Preset {
	semi := "SemiAnalysis (Patel & Wong, 10 July 2023), \"GPT-4 Architecture, Infrastructure, Training Dataset, Costs, Vision, MoE\", " +
		"as quoted in public summaries: ~1.8T parameters over 120 layers, 16 experts of ~111B (MLP) each, 2 routed per token, " +
		"~55B shared attention parameters, 8k pre-training context and a 32k fine-tuned version"
	gpt4 := func(context int64) scale.Config {
		return shaped(gpt2Defaults(), scale.Config{
			VocabSize: 100277, HiddenSize: 10752, NumHiddenLayers: 120, NumAttentionHeads: 84, NumKeyValueHeads: 84,
			HeadDim: 128, MaxPositionEmbeddings: context, PositionEmbedding: scale.PositionRoPE,
			NumLocalExperts: 16, NumExpertsPerTok: 2, MoEIntermediateSize: 4 * 10752, // no dense MLP
		})
	}
	gpt4Notes := []string{
		"the leak gives no hidden size; 10752 (84 heads × 128) is tscale's reconstruction: with a GPT-3-style block it gives " +
			"120 × 4h² ≈ 55.5B attention and 120 × 8h² ≈ 111B per expert, the leak's two figures",
		"the leak is said to mention multi-query attention, which would halve the attention parameters and contradict its 55B; " +
			"this preset follows the parameter figures (multi-head attention)",
		"vocabulary 100277 is tiktoken cl100k_base n_vocab (GPT-4's tokenizer); the real embedding may be padded",
		"position encoding unknown: a parameter-free one (RoPE) is assumed; biases, LayerNorm and tied embeddings follow GPT-3",
	}
	return []Preset{
		{
			Slug: "gpt4-est-8k", Name: "GPT-4 8k (estimate)", Family: "GPT-4",
			Config:         gpt4(8192),
			Sources:        []string{semi},
			Notes:          gpt4Notes,
			EstimateReason: "closed model; architecture follows the SemiAnalysis leak (July 2023), with tscale's reconstruction of the hidden size",
		},
		{
			Slug: "gpt4-est-32k", Name: "GPT-4 32k (estimate)", Family: "GPT-4",
			Config:         gpt4(32768),
			Sources:        []string{semi},
			Notes:          gpt4Notes,
			EstimateReason: "closed model; architecture follows the SemiAnalysis leak (July 2023), with tscale's reconstruction of the hidden size",
		},
		{
			Slug: "gpt4o-est", Name: "GPT-4o (estimate)", Family: "GPT-4",
			Config: shaped(gpt2Defaults(), scale.Config{
				VocabSize: 200019, HiddenSize: 12288, NumHiddenLayers: 109, NumAttentionHeads: 96, NumKeyValueHeads: 96,
				HeadDim: 128, IntermediateSize: 4 * 12288, MaxPositionEmbeddings: 128000, PositionEmbedding: scale.PositionRoPE,
			}),
			Sources: []string{
				"Ben Abacha et al. 2024, MEDEC (arXiv 2412.19260): GPT-4o ≈ 200B parameters, stated there as an estimate",
				"OpenAI model documentation: a context window of 128,000 tokens",
			},
			Notes: []string{
				"nothing of GPT-4o's architecture is public; this is a dense GPT-3-175B-shaped block (d_model 12288, 96 heads × 128) " +
					"with the number of layers (109) solved for ≈ 200B parameters",
				"vocabulary 200019 is tiktoken o200k_base n_vocab; position encoding assumed parameter-free",
			},
			EstimateReason: "closed model; only a total of ≈200B is estimated (MEDEC, 2024); the shape is tscale's assumption",
		},
	}
}
