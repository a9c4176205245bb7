package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// gpt2Defaults are GPT-2's: pre-LayerNorm, learned position embeddings,
// biases on every linear (Conv1D), a standard GELU MLP, an LM head tied to
// the token embedding and GPT2Config's n_positions of 1024. A GPT-2
// config.json has one key/value head per head and n_inner 4 × n_embd unless
// it says otherwise. GPT-3 and the GPT-4 estimates use the same block.
func gpt2Defaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 1024,
		TieWordEmbeddings:     true,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "gelu_new",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionLearned,
		NormsPerLayer:         2,
		AttentionQKVBias:      true,
		AttentionOutBias:      true,
		MLPBias:               true,
	}
}

const gpt2Code = "transformers modeling_gpt2.py: Conv1D c_attn, c_proj, c_fc with biases; ln_1, ln_2, ln_f LayerNorms; " +
	"wpe of n_positions rows; lm_head tied to wte without bias; n_inner null means 4 × n_embd"

func gpt2Family() []Preset {
	var out []Preset
	for _, m := range []struct {
		slug, name, repo string
		shape            scale.Config // n_embd, n_layer, n_head; the rest is every GPT-2's
	}{
		{"gpt2", "GPT-2 (124M)", "openai-community/gpt2",
			scale.Config{HiddenSize: 768, NumHiddenLayers: 12, NumAttentionHeads: 12}},
		{"gpt2-medium", "GPT-2 Medium (355M)", "openai-community/gpt2-medium",
			scale.Config{HiddenSize: 1024, NumHiddenLayers: 24, NumAttentionHeads: 16}},
		{"gpt2-large", "GPT-2 Large (774M)", "openai-community/gpt2-large",
			scale.Config{HiddenSize: 1280, NumHiddenLayers: 36, NumAttentionHeads: 20}},
		{"gpt2-xl", "GPT-2 XL (1.5B)", "openai-community/gpt2-xl",
			scale.Config{HiddenSize: 1600, NumHiddenLayers: 48, NumAttentionHeads: 25}},
	} {
		shape := m.shape
		shape.VocabSize, shape.MaxPositionEmbeddings = 50257, 1024
		shape.NumKeyValueHeads = shape.NumAttentionHeads
		shape.IntermediateSize = 4 * shape.HiddenSize // n_inner null
		out = append(out, Preset{
			Slug: m.slug, Name: m.name, Family: "GPT-2",
			Config: shaped(gpt2Defaults(), shape),
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
	c := f.gpt2Style(gpt2Defaults())
	f.unmodelled(f.boolOr("add_cross_attention", false), "add_cross_attention", "cross-attention is not modelled")
	return c
}

// gpt2Style reads the fields GPT-2 and GPT-J name alike onto the family's
// defaults d: n_embd, n_layer, n_head (every head its own keys and values,
// head_dim n_embd / n_head), n_positions, n_inner (null: 4 × n_embd),
// activation_function and tie_word_embeddings.
func (f *hfFields) gpt2Style(d scale.Config) scale.Config {
	c := d
	f.shape(&c, "n_embd", "n_layer", "n_head")
	for field, file := range map[string]string{"hidden_size": "n_embd", "num_attention_heads": "n_head",
		"num_key_value_heads": "n_head", "max_position_embeddings": "n_positions", "intermediate_size": "n_inner",
		"hidden_act": "activation_function"} {
		f.alias(field, file)
	}
	c.NumKeyValueHeads = c.NumAttentionHeads // k_proj and v_proj are n_embd × n_embd
	f.follows("num_key_value_heads")         // n_head's errors are its
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "n_embd", "n_head")
	c.MaxPositionEmbeddings = f.intOr("n_positions", d.MaxPositionEmbeddings, f.modelType+" default")
	c.IntermediateSize = f.intOrFunc("n_inner", func() int64 {
		f.followsIf(c.HiddenSize <= 0, "intermediate_size")
		return f.mul("4 × n_embd", 4, c.HiddenSize)
	}, "4 × n_embd")
	c.HiddenAct = f.stringOr("activation_function", d.HiddenAct)
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	return c
}
