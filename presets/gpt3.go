package presets

import "github.com/tscale/tscale/scale"

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
		slug, name string
		shape      scale.Config // d_model, n_layers, n_heads, d_head; the rest is every GPT-3's
		note       string
	}{
		{"gpt3-small", "GPT-3 Small (125M)",
			scale.Config{HiddenSize: 768, NumHiddenLayers: 12, NumAttentionHeads: 12, HeadDim: 64}, ""},
		{"gpt3-medium", "GPT-3 Medium (350M)",
			scale.Config{HiddenSize: 1024, NumHiddenLayers: 24, NumAttentionHeads: 16, HeadDim: 64}, ""},
		{"gpt3-large", "GPT-3 Large (760M)",
			scale.Config{HiddenSize: 1536, NumHiddenLayers: 24, NumAttentionHeads: 16, HeadDim: 96}, ""},
		{"gpt3-xl", "GPT-3 XL (1.3B)",
			scale.Config{HiddenSize: 2048, NumHiddenLayers: 24, NumAttentionHeads: 16, HeadDim: 128},
			"Table 2.1 prints 24 heads of 128 on d_model 2048 (24 × 128 = 3072 ≠ 2048, and 2048/24 is not whole); " +
				"Table D.1's 1,320M parameters match an attention width of 2048, so this preset uses 16 heads of 128, " +
				"as Megatron-LM reimplementations do; the head split does not change any count but the per-head shapes"},
		{"gpt3-2.7b", "GPT-3 2.7B",
			scale.Config{HiddenSize: 2560, NumHiddenLayers: 32, NumAttentionHeads: 32, HeadDim: 80}, ""},
		{"gpt3-6.7b", "GPT-3 6.7B",
			scale.Config{HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, HeadDim: 128},
			"the seed tool gave 40 heads on 4096 dims, which is not a whole head size and crashed it; the paper says 32 heads of 128"},
		{"gpt3-13b", "GPT-3 13B",
			scale.Config{HiddenSize: 5120, NumHiddenLayers: 40, NumAttentionHeads: 40, HeadDim: 128},
			"Table 2.1 prints d_model 5140 with 40 heads of 128 (= 5120); Table D.1's 12,850M parameters match 5120 " +
				"(12.85B) and not 5140 (12.95B), so 5140 is read as a typo for 5120"},
		{"gpt3-175b", "GPT-3 175B",
			scale.Config{HiddenSize: 12288, NumHiddenLayers: 96, NumAttentionHeads: 96, HeadDim: 128}, ""},
	} {
		shape := m.shape
		shape.VocabSize, shape.MaxPositionEmbeddings = 50257, 2048
		shape.NumKeyValueHeads = shape.NumAttentionHeads
		shape.IntermediateSize = 4 * shape.HiddenSize // d_ff
		notes := append([]string{}, common...)
		if m.note != "" {
			notes = append(notes, m.note)
		}
		out = append(out, Preset{
			Slug: m.slug, Name: m.name, Family: "GPT-3",
			Config: shaped(gpt2Defaults(), shape),
			Sources: []string{
				gpt3Paper + ", Table 2.1: n_layers, d_model, n_heads, d_head; §2.1: d_ff = 4 × d_model, n_ctx = 2048",
				"GPT-2 byte-level BPE vocabulary of 50257 tokens (tiktoken r50k_base, explicit_n_vocab 50257)",
			},
			Notes: notes,
		})
	}
	return out
}
