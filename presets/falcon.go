package presets

import "github.com/tscale/tscale/scale"

// falconDefaults are Falcon's: a parallel block (attention and MLP read the
// same input and add to the residual together), LayerNorm, a standard GELU
// MLP, no linear biases, RoPE, an LM head tied to the embedding and
// FalconConfig's context of 2048. The norms per layer follow
// new_decoder_architecture, and the MLP width defaults to 4 × hidden_size.
func falconDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 2048,
		TieWordEmbeddings:     true,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "gelu",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionRoPE,
		ParallelBlock:         true,
	}
}

const falconCode = "transformers modeling_falcon.py and configuration_falcon.py: parallel_attn, bias false, " +
	"ffn_hidden_size default 4 × hidden_size, max_position_embeddings default 2048, lm_head tied to word_embeddings"

const falconStored = "Falcon checkpoints store lm_head.weight as well as the tied word_embeddings.weight: " +
	"a count of stored tensors (safetensors index) is one embedding matrix higher than params.total"

func falconFamily() []Preset {
	return []Preset{
		{
			Slug: "falcon-7b", Name: "Falcon 7B", Family: "Falcon",
			Config: shaped(falconDefaults(), scale.Config{
				VocabSize: 65024, HiddenSize: 4544, NumHiddenLayers: 32, NumAttentionHeads: 71, NumKeyValueHeads: 1,
				IntermediateSize: 4 * 4544, MaxPositionEmbeddings: 2048, NormsPerLayer: 1,
			}),
			Sources: []string{
				"Hugging Face tiiuae/falcon-7b config.json: vocab_size, hidden_size, n_layer, n_head, multi_query true, " +
					"parallel_attn true, bias false",
				falconCode + "; one input_layernorm shared by attention and MLP when new_decoder_architecture is false",
			},
			Notes: []string{
				"multi-query attention (1 KV head); re-saved configs carry num_kv_heads 71, which the code ignores when multi_query is true",
				"intermediate size 4 × 4544 = 18176 (the seed tool said 11712)",
				falconStored,
			},
		},
		{
			Slug: "falcon-40b", Name: "Falcon 40B", Family: "Falcon",
			Config: shaped(falconDefaults(), scale.Config{
				VocabSize: 65024, HiddenSize: 8192, NumHiddenLayers: 60, NumAttentionHeads: 128, NumKeyValueHeads: 8,
				IntermediateSize: 4 * 8192, MaxPositionEmbeddings: 2048, NormsPerLayer: 2,
			}),
			Sources: []string{
				"Hugging Face tiiuae/falcon-40b config.json: vocab_size, hidden_size, n_layer, n_head 128, n_head_kv 8, " +
					"parallel_attn true, bias false, new_decoder_architecture (in-library config)",
				falconCode + "; new_decoder_architecture has two norms per layer, ln_attn and ln_mlp",
			},
			Notes: []string{
				"8 KV heads for 128 query heads (the seed tool gave multi-query attention)",
				falconStored,
			},
		},
	}
}

func readFalcon(f *hfFields) scale.Config {
	name := func(hf, alias string) string { // FalconConfig accepts the original names too
		if _, ok := f.m[hf]; !ok {
			if _, ok := f.m[alias]; ok {
				return alias
			}
		}
		return hf
	}
	heads := name("num_attention_heads", "n_head")
	d := falconDefaults()
	c := d
	c.VocabSize = f.required("vocab_size")
	c.HiddenSize = f.required("hidden_size")
	c.NumHiddenLayers = f.layers(name("num_hidden_layers", "n_layer"))
	c.NumAttentionHeads = f.required(heads)
	f.alias("num_attention_heads", heads)
	if f.boolOr("alibi", false) {
		c.PositionEmbedding = scale.PositionALiBi
	}
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "hidden_size", heads)
	newArch := f.boolOr("new_decoder_architecture", false)
	switch {
	case newArch:
		kv := name("num_kv_heads", "n_head_kv")
		c.NumKeyValueHeads = f.intOrFunc(kv, func() int64 {
			f.followsIf(c.NumAttentionHeads <= 0, "num_key_value_heads")
			return c.NumAttentionHeads
		}, "num_attention_heads")
		f.alias("num_key_value_heads", kv)
	case f.boolOr("multi_query", true):
		c.NumKeyValueHeads = 1
	default:
		c.NumKeyValueHeads = c.NumAttentionHeads
		f.alias("num_key_value_heads", heads)
		f.follows("num_key_value_heads")
	}
	c.ParallelBlock = f.boolOr("parallel_attn", d.ParallelBlock)
	f.alias("norms_per_layer", "num_ln_in_parallel_attn")
	switch {
	case !c.ParallelBlock:
		c.NormsPerLayer = 2
	case newArch:
		c.NormsPerLayer = f.intOr("num_ln_in_parallel_attn", 2, "new_decoder_architecture: ln_attn and ln_mlp")
	default:
		c.NormsPerLayer = f.intOr("num_ln_in_parallel_attn", 1, "one input_layernorm shared by attention and MLP")
	}
	bias := f.boolOr("bias", false)
	c.AttentionQKVBias, c.AttentionOutBias, c.MLPBias = bias, bias, bias
	f.alias("intermediate_size", "ffn_hidden_size")
	c.IntermediateSize = f.intOrFunc("ffn_hidden_size", func() int64 {
		f.followsIf(c.HiddenSize <= 0, "intermediate_size")
		return f.mul("4 × hidden_size", 4, c.HiddenSize)
	}, "4 × hidden_size")
	c.HiddenAct = f.stringOr("activation", d.HiddenAct)
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, "falcon default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	return c
}
