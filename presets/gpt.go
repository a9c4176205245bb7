package presets

import (
	"fmt"

	"tscale/scale"
)

// gptBlock is the GPT-2 block: pre-LayerNorm, learned position embeddings,
// biases on every linear (Conv1D), a standard GELU MLP 4 × hidden wide and an
// LM head tied to the token embedding. GPT-3 uses the same block.
func gptBlock(vocab, hidden, layers, heads, headDim, context int64) scale.Config {
	return scale.Config{
		VocabSize: vocab, HiddenSize: hidden, NumHiddenLayers: layers,
		NumAttentionHeads: heads, NumKeyValueHeads: heads, HeadDim: headDim,
		IntermediateSize: 4 * hidden, MaxPositionEmbeddings: context, TieWordEmbeddings: true,
		MLP: scale.MLPStandard, HiddenAct: "gelu_new", Norm: scale.LayerNorm,
		PositionEmbedding: scale.PositionLearned, NormsPerLayer: 2,
		AttentionQKVBias: true, AttentionOutBias: true, MLPBias: true,
	}
}

const gpt2Code = "transformers modeling_gpt2.py: Conv1D c_attn, c_proj, c_fc with biases; ln_1, ln_2, ln_f LayerNorms; " +
	"wpe of n_positions rows; lm_head tied to wte without bias; n_inner null means 4 × n_embd"

func gpt2Family() []Preset {
	var out []Preset
	for _, m := range []struct {
		slug, name, repo            string
		hidden, layers, heads, rows int64
	}{
		{"gpt2", "GPT-2 (124M)", "openai-community/gpt2", 768, 12, 12, 1024},
		{"gpt2-medium", "GPT-2 Medium (355M)", "openai-community/gpt2-medium", 1024, 24, 16, 1024},
		{"gpt2-large", "GPT-2 Large (774M)", "openai-community/gpt2-large", 1280, 36, 20, 1024},
		{"gpt2-xl", "GPT-2 XL (1.5B)", "openai-community/gpt2-xl", 1600, 48, 25, 1024},
	} {
		out = append(out, Preset{
			Slug: m.slug, Name: m.name, Family: "GPT-2",
			Config: gptBlock(50257, m.hidden, m.layers, m.heads, m.hidden/m.heads, m.rows),
			Sources: []string{
				fmt.Sprintf("Hugging Face %s config.json: vocab_size, n_embd, n_layer, n_head, n_positions, activation_function", m.repo),
				gpt2Code,
			},
			Notes: []string{
				"config.json has no tie_word_embeddings key; the transformers default (true) ties lm_head to wte",
				"the Hub's safetensors badge counts the attn.bias causal-mask buffers (12 × 1024² for gpt2); they are buffers, not parameters, and are not counted here",
			},
		})
	}
	return out
}

const gpt3Paper = "Brown et al. 2020, Language Models are Few-Shot Learners (arXiv 2005.14165)"

func gpt3Family() []Preset {
	common := []string{
		"vocab_size 50257, learned positions, tied embeddings, pre-LayerNorm and biases are not stated for GPT-3; " +
			"they follow from §2.1: \"We use the same model and architecture as GPT-2\"",
		"GPT-3 alternates dense and locally banded sparse attention layers (§2.1); the band width is not published, " +
			"so every layer is counted as dense causal attention and attention-score FLOPs are an upper bound",
		"params are derived from the architecture; the paper publishes only rounded counts (Table 2.1, Appendix D Table D.1)",
	}
	var out []Preset
	for _, m := range []struct {
		slug, name                     string
		hidden, layers, heads, headDim int64
		note                           string
	}{
		{"gpt3-small", "GPT-3 Small (125M)", 768, 12, 12, 64, ""},
		{"gpt3-medium", "GPT-3 Medium (350M)", 1024, 24, 16, 64, ""},
		{"gpt3-large", "GPT-3 Large (760M)", 1536, 24, 16, 96, ""},
		{"gpt3-xl", "GPT-3 XL (1.3B)", 2048, 24, 16, 128,
			"Table 2.1 prints 24 heads of 128 on d_model 2048 (24 × 128 = 3072 ≠ 2048, and 2048/24 is not whole); " +
				"Table D.1's 1,320M parameters match an attention width of 2048, so this preset uses 16 heads of 128, " +
				"as Megatron-LM reimplementations do; the head split does not change any count but the per-head shapes"},
		{"gpt3-2.7b", "GPT-3 2.7B", 2560, 32, 32, 80, ""},
		{"gpt3-6.7b", "GPT-3 6.7B", 4096, 32, 32, 128,
			"the seed tool gave 40 heads on 4096 dims, which is not a whole head size and crashed it; the paper says 32 heads of 128"},
		{"gpt3-13b", "GPT-3 13B", 5120, 40, 40, 128,
			"Table 2.1 prints d_model 5140 with 40 heads of 128 (= 5120); Table D.1's 12,850M parameters match 5120 " +
				"(12.85B) and not 5140 (12.95B), so 5140 is read as a typo for 5120"},
		{"gpt3-175b", "GPT-3 175B", 12288, 96, 96, 128, ""},
	} {
		notes := append([]string{}, common...)
		if m.note != "" {
			notes = append(notes, m.note)
		}
		out = append(out, Preset{
			Slug: m.slug, Name: m.name, Family: "GPT-3",
			Config: gptBlock(50257, m.hidden, m.layers, m.heads, m.headDim, 2048),
			Sources: []string{
				gpt3Paper + ", Table 2.1: n_layers, d_model, n_heads, d_head; §2.1: d_ff = 4 × d_model, n_ctx = 2048",
				"GPT-2 byte-level BPE vocabulary of 50257 tokens (tiktoken r50k_base, explicit_n_vocab 50257)",
			},
			Notes: notes,
		})
	}
	return out
}

// gpt4Estimates are the closed GPT-4 and GPT-4o models. OpenAI has published
// no architecture; these follow third-party estimates and say so.
func gpt4Estimates() []Preset {
	semi := "SemiAnalysis (Patel & Wong, 10 July 2023), \"GPT-4 Architecture, Infrastructure, Training Dataset, Costs, Vision, MoE\", " +
		"as quoted in public summaries: ~1.8T parameters over 120 layers, 16 experts of ~111B (MLP) each, 2 routed per token, " +
		"~55B shared attention parameters, 8k pre-training context and a 32k fine-tuned version"
	gpt4 := func(context int64) scale.Config {
		c := gptBlock(100277, 10752, 120, 84, 128, context)
		c.PositionEmbedding = scale.PositionRoPE
		c.IntermediateSize = 0
		c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 16, 2, 4*10752
		return c
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
			Config: func() scale.Config {
				c := gptBlock(200019, 12288, 109, 96, 128, 128000)
				c.PositionEmbedding = scale.PositionRoPE
				return c
			}(),
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
