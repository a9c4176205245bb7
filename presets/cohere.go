package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// cohereDefaults are Command R's (model_type cohere) and CohereConfig's: a
// parallel block whose attention and gated SiLU MLP read one
// CohereLayerNorm (a LayerNorm with a weight and no bias) and add to the
// residual together, RoPE, no biases (attention_bias false; the MLP has
// none whatever the file says), embeddings tied to the LM head
// (tie_word_embeddings true), multi-head attention where
// num_key_value_heads is absent, no QK norm (use_qk_norm false) and a
// context of 8192.
func cohereDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 8192,
		TieWordEmbeddings:     true,
		MLP:                   scale.MLPGated,
		HiddenAct:             "silu",
		Norm:                  scale.LayerNormNoBias,
		PositionEmbedding:     scale.PositionRoPE,
		ParallelBlock:         true,
		NormsPerLayer:         1,
	}
}

// cohere2Defaults are Command R7B's (model_type cohere2) and
// Cohere2Config's: Cohere's block without a QK norm, with a window of
// 4096 tokens on every layer but each fourth (sliding_window_pattern 4),
// whose global attention has no positional encoding.
func cohere2Defaults() scale.Config {
	c := cohereDefaults()
	c.SlidingWindow, c.GlobalAttentionInterval = 4096, 4
	return c
}

const cohereCode = "transformers modeling_cohere.py: CohereLayerNorm (weight only: the bias argument is ignored) as " +
	"input_layernorm, read by attention and the MLP alike (hidden = residual + attention + mlp) and as the final norm; " +
	"q/k/v/o with bias where attention_bias says; gate/up/down without bias (hard-coded); q_norm and k_norm " +
	"CohereLayerNorm((heads, head_dim)) where use_qk_norm says; lm_head tied where tie_word_embeddings says (default " +
	"true); logits multiplied by logit_scale"

const cohere2Code = "transformers modeling_cohere2.py: Cohere's decoder layer and norms; Cohere2Attention builds no " +
	"q_norm/k_norm (use_qk_norm is not read) and q/k/v/o with bias where attention_bias says; head_dim is set to " +
	"hidden_size // num_attention_heads by Cohere2Config; layer i slides over sliding_window tokens unless " +
	"(i + 1) % sliding_window_pattern == 0 (or as layer_types says), and only sliding layers apply RoPE"

func cohereFamily() []Preset {
	parallel := "parallel block: attention and the MLP both read input_layernorm's output and are added to the residual " +
		"together; one norm per layer, a LayerNorm without bias (hidden_size weights, no bias), as is the final norm"
	tied := "embeddings tied (tie_word_embeddings absent: CohereConfig's default, true): the LM head is embed_tokens, " +
		"counted once"
	return []Preset{
		{
			Slug: "command-r", Name: "Command R (c4ai-command-r-v01)", Family: "Cohere",
			Config: shaped(cohereDefaults(), scale.Config{
				VocabSize: 256000, HiddenSize: 8192, NumHiddenLayers: 40, NumAttentionHeads: 64, NumKeyValueHeads: 64,
				IntermediateSize: 22528, MaxPositionEmbeddings: 8192,
			}),
			Sources: []string{hfConfig("CohereForAI/c4ai-command-r-v01") + ", use_qk_norm, logit_scale", cohereCode},
			Notes: []string{parallel, tied,
				"multi-head attention: 64 KV heads for 64 query heads (the 08-2024 refresh has 8, and 30,283,210,752 parameters)",
				logitScaleNote + " (config.json: 0.0625)",
				"max_position_embeddings 8192 is the config's; the model card states a 128K context (model_max_length 131072)",
				"the card says 35 billion parameters"},
		},
		{
			Slug: "command-r7b", Name: "Command R7B (c4ai-command-r7b-12-2024)", Family: "Cohere",
			Config: shaped(cohere2Defaults(), scale.Config{
				VocabSize: 256000, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
				IntermediateSize: 14336, MaxPositionEmbeddings: 132096, SlidingWindow: 4096, GlobalAttentionInterval: 4,
			}),
			Sources: []string{hfConfig("CohereForAI/c4ai-command-r7b-12-2024") +
				", head_dim, sliding_window, sliding_window_pattern, logit_scale", cohere2Code},
			Notes: []string{parallel, tied,
				"layers 0–2 of every 4 attend to a window of 4096 tokens with RoPE; every fourth layer attends to the " +
					"whole prefix with no positional encoding (NoPE), which owns no parameter",
				logitScaleNote + " (config.json: 0.25)",
				"config.json's keys of Cohere's own code (order_of_interleaved_layers, position_embedding_type, rotary_pct, " +
					"use_embedding_sharing, use_gated_activation, use_parallel_block, use_parallel_embedding) are not read by " +
					"transformers; they describe the block it builds",
				"the Hugging Face page gives 8.03B parameters, this count"},
		},
	}
}

func readCohere(f *hfFields) scale.Config {
	d := cohereDefaults()
	c := f.decoder(d) // head_dim: hidden_size / num_attention_heads unless the file sets it (LlamaAttention)
	c.IntermediateSize = f.required("intermediate_size")
	f.cohereCommon(&c, d)
	c.QKNorm = f.boolOr("use_qk_norm", false)
	c.QKNormPerHead = c.QKNorm
	if c.QKNorm {
		f.notes = append(f.notes, "use_qk_norm: q_norm and k_norm are LayerNorms without bias of shape (heads, head_dim): "+
			"each head normalised over head_dim with its own weights")
	}
	return c
}

func readCohere2(f *hfFields) scale.Config {
	d := cohere2Defaults()
	c := f.decoderShape(d)
	// Cohere2Config sets head_dim = hidden_size // num_attention_heads, whatever the file says.
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "hidden_size", "num_attention_heads")
	if own, ok := f.optional("head_dim"); ok && c.HeadDim > 0 && own != c.HeadDim {
		f.notes = append(f.notes, fmt.Sprintf("head_dim %d ignored: Cohere2Config sets head_dim to hidden_size // "+
			"num_attention_heads = %d", own, c.HeadDim))
	}
	c.IntermediateSize = f.required("intermediate_size")
	f.cohereCommon(&c, d)
	if f.boolOr("use_qk_norm", false) {
		f.notes = append(f.notes, "use_qk_norm ignored: Cohere2Attention builds no QK norm")
	}
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	f.intervalWindows(&c, "sliding_window_pattern", d.GlobalAttentionInterval, "Cohere2Config")
	return c
}

// cohereCommon reads what cohere and cohere2 share: the tie (noted where
// the class's default applies), attention_bias, and logit_scale, which
// changes no count.
func (f *hfFields) cohereCommon(c *scale.Config, d scale.Config) {
	if _, ok := f.value("tie_word_embeddings"); !ok {
		f.notes = append(f.notes, fmt.Sprintf("tie_word_embeddings absent: %v (%s default)", d.TieWordEmbeddings, f.modelType))
	}
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	if _, ok := f.value("logit_scale"); ok {
		f.notes = append(f.notes, logitScaleNote)
	}
}
