package presets

import "github.com/tscale/tscale/scale"

// llamaDefaults are the Llama decoder's facts and LlamaConfig's defaults:
// RMSNorm before attention and MLP, RoPE, a gated SiLU MLP, no biases
// (attention_bias and mlp_bias default false), an untied LM head and a
// context of 2048. Llama-style families start from them; presets and
// readLlama share them.
func llamaDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 2048,
		MLP:                   scale.MLPGated,
		HiddenAct:             "silu",
		Norm:                  scale.RMSNorm,
		PositionEmbedding:     scale.PositionRoPE,
		NormsPerLayer:         2,
	}
}

const llamaCode = "transformers modeling_llama.py: q/k/v/o and gate/up/down projections without bias " +
	"(attention_bias and mlp_bias default false), input_layernorm and post_attention_layernorm RMSNorms, final norm"

func llama2Family() []Preset {
	return []Preset{
		{
			Slug: "llama-2-7b", Name: "Llama 2 7B", Family: "Llama 2",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 32000, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
				IntermediateSize: 11008, MaxPositionEmbeddings: 4096,
			}),
			Sources: []string{hfConfig("meta-llama/Llama-2-7b-hf"), llamaCode},
			Notes: []string{"the safetensors index total_size exceeds 2 × params by 8,192 bytes: the converter counted the " +
				"rotary inv_freq buffers (32 layers × 64 fp32 values), which are not parameters"},
		},
		{
			Slug: "llama-2-13b", Name: "Llama 2 13B", Family: "Llama 2",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 32000, HiddenSize: 5120, NumHiddenLayers: 40, NumAttentionHeads: 40, NumKeyValueHeads: 40,
				IntermediateSize: 13824, MaxPositionEmbeddings: 4096,
			}),
			Sources: []string{hfConfig("meta-llama/Llama-2-13b-hf"), llamaCode},
		},
		{
			Slug: "llama-2-34b", Name: "Llama 2 34B (Code Llama 34B architecture)", Family: "Llama 2",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 32000, HiddenSize: 8192, NumHiddenLayers: 48, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				IntermediateSize: 22016, MaxPositionEmbeddings: 4096,
			}),
			Sources: []string{
				hfConfig("codellama/CodeLlama-34b-hf") + " (all but max_position_embeddings)",
				"Touvron et al. 2023, Llama 2 (arXiv 2307.09288), Table 1: the 34B row has a 4k context and GQA",
				llamaCode,
			},
			Notes: []string{
				"Llama 2 34B was never released; Code Llama 34B, built on it, is the only published 34B architecture: its GQA " +
					"(8 KV heads) matches the paper's 34B row",
				"context 4096 is the Llama 2 paper's; Code Llama's config says 16384 after its long-context fine-tuning",
				"Code Llama 34B's vocabulary is 32000 (it was not trained with infilling tokens, unlike the 7B/13B/70B's 32016)",
				"the paper's Appendix A.2.1 widens the FFN 1.3× for GQA models; Code Llama 34B's 22016 shows no such widening, " +
					"so Llama 2 34B's own FFN width is unknown",
			},
		},
		{
			Slug: "llama-2-70b", Name: "Llama 2 70B", Family: "Llama 2",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 32000, HiddenSize: 8192, NumHiddenLayers: 80, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				IntermediateSize: 28672, MaxPositionEmbeddings: 4096,
			}),
			Sources: []string{hfConfig("meta-llama/Llama-2-70b-hf"), llamaCode},
			Notes:   []string{"the seed tool gave intermediate_size 22016; the config says 28672 (the GQA models' 1.3× FFN)"},
		},
	}
}

func llama3Family() []Preset {
	vocabNote := "vocab_size 128256 = 128,000 BPE tokens + 256 special tokens (the seed tool said 128000)"
	l31 := "Llama 3.1 keeps Llama 3's architecture and extends the context to 131072 with llama3 RoPE scaling (no parameters)"
	l32Tied := "tie_word_embeddings true: lm_head is embed_tokens, counted once as model.num_parameters() counts it; " +
		"the checkpoint stores no separate lm_head.weight, so the Hub's safetensors total is the same number"
	l32Rope := "rope_scaling llama3 (factor 32 from original_max_position_embeddings 8192 to 131072) changes no count"
	l32_1b := shaped(llamaDefaults(), scale.Config{
		VocabSize: 128256, HiddenSize: 2048, NumHiddenLayers: 16, NumAttentionHeads: 32, NumKeyValueHeads: 8,
		HeadDim: 64, IntermediateSize: 8192, MaxPositionEmbeddings: 131072, TieWordEmbeddings: true,
	})
	l32_3b := shaped(llamaDefaults(), scale.Config{
		VocabSize: 128256, HiddenSize: 3072, NumHiddenLayers: 28, NumAttentionHeads: 24, NumKeyValueHeads: 8,
		HeadDim: 128, IntermediateSize: 8192, MaxPositionEmbeddings: 131072, TieWordEmbeddings: true,
	})
	return []Preset{
		{
			Slug: "llama-3-8b", Name: "Llama 3 8B", Family: "Llama 3",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 128256, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
				IntermediateSize: 14336, MaxPositionEmbeddings: 8192,
			}),
			Sources: []string{hfConfig("meta-llama/Meta-Llama-3-8B"), llamaCode},
			Notes:   []string{vocabNote, "8 KV heads (the seed tool said 4)"},
		},
		{
			Slug: "llama-3-70b", Name: "Llama 3 70B", Family: "Llama 3",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 128256, HiddenSize: 8192, NumHiddenLayers: 80, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				IntermediateSize: 28672, MaxPositionEmbeddings: 8192,
			}),
			Sources: []string{hfConfig("meta-llama/Meta-Llama-3-70B"), llamaCode},
			Notes:   []string{vocabNote},
		},
		{
			Slug: "llama-3.1-8b", Name: "Llama 3.1 8B", Family: "Llama 3",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 128256, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
				IntermediateSize: 14336, MaxPositionEmbeddings: 131072,
			}),
			Sources: []string{hfConfig("meta-llama/Llama-3.1-8B"), llamaCode},
			Notes:   []string{vocabNote, l31},
		},
		{
			Slug: "llama-3.1-70b", Name: "Llama 3.1 70B", Family: "Llama 3",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 128256, HiddenSize: 8192, NumHiddenLayers: 80, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				IntermediateSize: 28672, MaxPositionEmbeddings: 131072,
			}),
			Sources: []string{hfConfig("meta-llama/Llama-3.1-70B"), llamaCode},
			Notes:   []string{vocabNote, l31},
		},
		{
			Slug: "llama-3.1-405b", Name: "Llama 3.1 405B", Family: "Llama 3",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 128256, HiddenSize: 16384, NumHiddenLayers: 126, NumAttentionHeads: 128, NumKeyValueHeads: 8,
				IntermediateSize: 53248, MaxPositionEmbeddings: 131072,
			}),
			Sources: []string{hfConfig("meta-llama/Llama-3.1-405B"), llamaCode},
			Notes: []string{vocabNote, l31,
				"8 KV heads as in the current config.json and Meta's llama-models sku_list; the first upload said 16 " +
					"(410,081,247,232 params), corrected soon after release"},
		},
		{
			Slug: "llama-3.2-1b", Name: "Llama 3.2 1B", Family: "Llama 3", Config: l32_1b,
			Sources: []string{hfConfig("meta-llama/Llama-3.2-1B") + ", head_dim", llamaCode},
			Notes:   []string{l32Tied, explicitHeadDim(l32_1b), l32Rope},
		},
		{
			Slug: "llama-3.2-3b", Name: "Llama 3.2 3B", Family: "Llama 3", Config: l32_3b,
			Sources: []string{hfConfig("meta-llama/Llama-3.2-3B") + ", head_dim", llamaCode},
			Notes:   []string{l32Tied, explicitHeadDim(l32_3b), l32Rope},
		},
	}
}

func tinyLlama() []Preset {
	return []Preset{{
		Slug: "tinyllama-1.1b", Name: "TinyLlama 1.1B", Family: "Llama",
		Config: shaped(llamaDefaults(), scale.Config{
			VocabSize: 32000, HiddenSize: 2048, NumHiddenLayers: 22, NumAttentionHeads: 32, NumKeyValueHeads: 4,
			IntermediateSize: 5632, MaxPositionEmbeddings: 2048,
		}),
		Sources: []string{hfConfig("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T"), llamaCode},
		Notes:   []string{"the 3T base checkpoint is stored in fp32, the Chat-v1.0 one in bf16; the architecture is the same"},
	}}
}

func readLlama(f *hfFields) scale.Config { return f.llama(llamaDefaults()) }

// llama reads the Llama block onto a family's defaults d (Llama's, or a
// family that is Llama's block with its own defaults: Granite).
func (f *hfFields) llama(d scale.Config) scale.Config {
	c := f.decoder(d)
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.MLPBias = f.boolOr("mlp_bias", d.MLPBias)
	return c
}
