package presets

import "github.com/tscale/tscale/scale"

// stableLMDefaults are StableLM's and StableLmConfig's: a sequential block
// (use_parallel_residual false) of LayerNorms with weight and bias, q/k/v
// without bias (use_qkv_bias false) and o_proj without bias, a gated SiLU
// MLP without bias, rotary embeddings on partial_rotary_factor (0.25) of
// each head, no QK norms (qk_layernorm false), an untied LM head and a
// context of 4096. The shape defaults (StableLM-3B-4E1T's) are not applied:
// the shape fields are required.
func stableLMDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 4096,
		MLP:                   scale.MLPGated,
		HiddenAct:             "silu",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionRoPE,
		NormsPerLayer:         2,
	}
}

const stableLMCode = "transformers modeling_stablelm.py and configuration_stablelm.py: embed_tokens; per layer input_layernorm " +
	"(nn.LayerNorm, weight and bias) and, unless use_parallel_residual, post_attention_layernorm (a parallel layer's " +
	"attention and MLP share input_layernorm); q/k/v_proj with bias=use_qkv_bias, o_proj without bias; with " +
	"qk_layernorm, q_layernorm and k_layernorm = StableLmLayerNormPerHead, one nn.LayerNorm(head_dim, bias=False) per " +
	"query head and per key/value head; gate/up/down_proj without bias; norm (nn.LayerNorm); lm_head without bias, " +
	"tied only where tie_word_embeddings says (default false)"

func stableLMFamily() []Preset {
	return []Preset{{
		Slug: "stablelm-2-1.6b", Name: "StableLM 2 1.6B", Family: "StableLM",
		Config: shaped(stableLMDefaults(), scale.Config{
			VocabSize: 100352, HiddenSize: 2048, NumHiddenLayers: 24, NumAttentionHeads: 32, NumKeyValueHeads: 32,
			IntermediateSize: 5632, MaxPositionEmbeddings: 4096, AttentionQKVBias: true,
		}),
		Sources: []string{
			hfConfig("stabilityai/stablelm-2-1_6b") + ", use_qkv_bias, qk_layernorm, use_parallel_residual, partial_rotary_factor",
			stableLMCode,
		},
		Notes: []string{
			"partial_rotary_factor 0.25: RoPE on 16 of each head's 64 dimensions (no parameters, no matmul)",
			"use_qkv_bias true: q, k and v have biases, o_proj none",
			"the Hugging Face safetensors metadata counts 1,644,515,328 parameters",
		},
	}}
}

func readStableLM(f *hfFields) scale.Config {
	d := stableLMDefaults()
	c := f.decoderShape(d)
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "hidden_size", "num_attention_heads")
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias = f.boolOr("use_qkv_bias", false)
	c.ParallelBlock = f.boolOr("use_parallel_residual", false)
	if c.ParallelBlock {
		c.NormsPerLayer = 1 // post_attention_layernorm is None: input_layernorm feeds attention and MLP
	}
	if f.boolOr("qk_layernorm", false) {
		c.QKNorm, c.QKNormPerHead, c.QKNormKind = true, true, scale.LayerNormNoBias
	}
	return c
}
