package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// starcoder2Defaults are StarCoder2's and Starcoder2Config's: a sequential
// pre-norm block whose norms are LayerNorms with weight and bias, RoPE, a
// standard (non-gated) MLP c_fc → gelu_pytorch_tanh → c_proj, biases on
// q/k/v/o and on c_fc/c_proj (use_bias defaults to true) but none on the LM
// head, an LM head tied to the embedding (tie_word_embeddings defaults to
// true), 2 KV heads and a context of 4096. sliding_window defaults to none.
func starcoder2Defaults() scale.Config {
	return scale.Config{
		NumKeyValueHeads:      2,
		MaxPositionEmbeddings: 4096,
		TieWordEmbeddings:     true,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "gelu_pytorch_tanh",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionRoPE,
		NormsPerLayer:         2,
		AttentionQKVBias:      true,
		AttentionOutBias:      true,
		MLPBias:               true,
	}
}

const starcoder2Code = "transformers modeling_starcoder2.py and configuration_starcoder2.py: q/k/v/o and c_fc/c_proj " +
	"with bias=use_bias (default true), input_layernorm, post_attention_layernorm and the final norm nn.LayerNorm " +
	"(weight and bias), lm_head without bias and tied to embed_tokens where tie_word_embeddings says (default true); " +
	"every layer passes sliding_window to its attention"

// starcoder2Window says which keys a query scores with sliding_window 4096.
const starcoder2Window = "sliding window of 4096 tokens on every layer (transformers' sliding-window mask: key j is " +
	"visible to query i when i − 4096 < j ≤ i), so the KV cache holds at most 4096 tokens per layer; the context is 16384"

// starcoder2Megatron names the config.json keys transformers ignores.
const starcoder2Megatron = "config.json's mlp_type \"default\" (and norm_type \"layer_norm\" and rms_norm_eps in the 15B " +
	"file) are keys of the training code that transformers ignores: its norms are always LayerNorms, its MLP always " +
	"c_fc/c_proj, which is what these values say (tscale refuses any other value)"

// starcoder2Shaped is a StarCoder2 preset: shape on Starcoder2's defaults,
// with the LM head tied or not as tied says (shaped keeps the defaults'
// true where shape says false).
func starcoder2Shaped(shape scale.Config, tied bool) scale.Config {
	c := shaped(starcoder2Defaults(), shape)
	c.TieWordEmbeddings = tied
	return c
}

func starcoder2Family() []Preset {
	tied := "no tie_word_embeddings in config.json, so Starcoder2Config's default (true) ties the LM head to the " +
		"embedding; the StarCoder2 maintainers confirm that the 3B and 7B checkpoints store no lm_head.weight because " +
		"it is tied (bigcode-project/starcoder2 issue #18)"
	return []Preset{
		{
			Slug: "starcoder2-3b", Name: "StarCoder2 3B", Family: "StarCoder2",
			Config: starcoder2Shaped(scale.Config{
				VocabSize: 49152, HiddenSize: 3072, NumHiddenLayers: 30, NumAttentionHeads: 24, NumKeyValueHeads: 2,
				IntermediateSize: 12288, MaxPositionEmbeddings: 16384, SlidingWindow: 4096,
			}, true),
			Sources: []string{hfConfig("bigcode/starcoder2-3b") + ", use_bias, sliding_window", starcoder2Code},
			Notes:   []string{tied, "the Hugging Face page gives 3.03B parameters, the tied count", starcoder2Window, starcoder2Megatron},
		},
		{
			Slug: "starcoder2-7b", Name: "StarCoder2 7B", Family: "StarCoder2",
			Config: starcoder2Shaped(scale.Config{
				VocabSize: 49152, HiddenSize: 4608, NumHiddenLayers: 32, NumAttentionHeads: 36, NumKeyValueHeads: 4,
				IntermediateSize: 18432, MaxPositionEmbeddings: 16384, SlidingWindow: 4096,
			}, true),
			Sources: []string{hfConfig("bigcode/starcoder2-7b") + ", use_bias, sliding_window", starcoder2Code},
			Notes:   []string{tied, starcoder2Window, starcoder2Megatron},
		},
		{
			Slug: "starcoder2-15b", Name: "StarCoder2 15B", Family: "StarCoder2",
			Config: starcoder2Shaped(scale.Config{
				VocabSize: 49152, HiddenSize: 6144, NumHiddenLayers: 40, NumAttentionHeads: 48, NumKeyValueHeads: 4,
				IntermediateSize: 24576, MaxPositionEmbeddings: 16384, SlidingWindow: 4096,
			}, false),
			Sources: []string{hfConfig("bigcode/starcoder2-15b") + ", use_bias, sliding_window", starcoder2Code},
			Notes: []string{"config.json says tie_word_embeddings false: unlike the 3B and 7B, the 15B has its own LM head",
				starcoder2Window, starcoder2Megatron},
		},
	}
}

func readStarcoder2(f *hfFields) scale.Config {
	d := starcoder2Defaults()
	c := f.decoder(d) // num_key_value_heads absent: 2, Starcoder2Config's default
	c.IntermediateSize = f.required("intermediate_size")
	if _, ok := f.value("tie_word_embeddings"); !ok {
		f.notes = append(f.notes, fmt.Sprintf("tie_word_embeddings absent: %v (starcoder2 default)", d.TieWordEmbeddings))
	}
	bias := f.boolOr("use_bias", d.MLPBias) // q/k/v/o and c_fc/c_proj alike; the LayerNorms always have one
	c.AttentionQKVBias, c.AttentionOutBias, c.MLPBias = bias, bias, bias
	// The training code's keys, which transformers ignores: a value other
	// than the one it builds describes another model than the one counted.
	f.unmodelled(f.stringOr("mlp_type", "default") != "default", "mlp_type",
		`transformers' Starcoder2MLP is c_fc → activation → c_proj only (mlp_type "default")`)
	f.unmodelled(f.stringOr("norm_type", "layer_norm") != "layer_norm", "norm_type",
		`transformers' Starcoder2 norms are nn.LayerNorm with weight and bias only (norm_type "layer_norm")`)
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow) // null or absent: full causal attention
	if c.SlidingWindow > 0 {
		f.notes = append(f.notes, fmt.Sprintf("sliding_window %d on every layer", c.SlidingWindow))
	}
	return c
}
