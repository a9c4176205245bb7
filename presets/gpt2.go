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

func readGPT2(f *hfFields) scale.Config {
	c := scale.Config{
		VocabSize:         f.required("vocab_size"),
		HiddenSize:        f.required("n_embd"),
		NumHiddenLayers:   f.layers("n_layer"),
		NumAttentionHeads: f.required("n_head"),
		MLP:               scale.MLPStandard, Norm: scale.LayerNorm, PositionEmbedding: scale.PositionLearned,
		NormsPerLayer: 2, AttentionQKVBias: true, AttentionOutBias: true, MLPBias: true,
	}
	for field, file := range map[string]string{"hidden_size": "n_embd", "num_attention_heads": "n_head",
		"num_key_value_heads": "n_head", "max_position_embeddings": "n_positions", "intermediate_size": "n_inner",
		"hidden_act": "activation_function"} {
		f.alias(field, file)
	}
	c.NumKeyValueHeads = c.NumAttentionHeads
	f.follows("num_key_value_heads") // n_head's errors are its
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "n_embd", "n_head")
	c.MaxPositionEmbeddings = f.intOr("n_positions", 1024, "gpt2 default")
	c.IntermediateSize = f.intOrFunc("n_inner", func() int64 {
		f.followsIf(c.HiddenSize <= 0, "intermediate_size")
		return f.mul("4 × n_embd", 4, c.HiddenSize)
	}, "4 × n_embd")
	c.HiddenAct = f.stringOr("activation_function", "gelu_new")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", true)
	f.unmodelled(f.boolOr("add_cross_attention", false), "add_cross_attention", "cross-attention is not modelled")
	return c
}
