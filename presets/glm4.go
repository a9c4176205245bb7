package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// glm4Defaults are GLM-4-0414's (model_type glm4) and Glm4Config's: the
// Llama block's RMSNorms and gated SiLU MLP (one fused gate_up_proj of
// width 2 × intermediate_size, no bias) with four norms per layer
// (input_layernorm, post_self_attn_layernorm, post_attention_layernorm,
// post_mlp_layernorm), biases on q_proj, k_proj and v_proj
// (attention_bias true) but never on o_proj, 2 KV heads of head_dim 128,
// an untied LM head and a context of 131072.
func glm4Defaults() scale.Config {
	c := llamaDefaults()
	c.NormsPerLayer = 4
	c.NumKeyValueHeads, c.HeadDim = 2, 128
	c.MaxPositionEmbeddings = 131072
	c.AttentionQKVBias = true
	return c
}

const glm4Code = "transformers modeling_glm4.py (Glm4ForCausalLM, 4.51 on): GlmAttention's q_proj, k_proj and v_proj " +
	"with bias where attention_bias says (default true), o_proj never; Phi3MLP's gate_up_proj Linear(hidden, " +
	"2 × intermediate_size) and down_proj, without bias; input_layernorm, post_self_attn_layernorm (after attention), " +
	"post_attention_layernorm (before the MLP) and post_mlp_layernorm RMSNorms; final norm; lm_head untied where " +
	"tie_word_embeddings says (default false); RoPE on partial_rotary_factor (default 0.5) of each head"

// glm4Fused says that the fused projection is counted as two.
const glm4Fused = "gate_up_proj is one Linear(hidden, 2 × intermediate_size) whose output is split into gate and up: " +
	"the parameters and FLOPs of separate gate_proj and up_proj, which is how the report lists them"

func glm4Family() []Preset {
	return []Preset{{
		Slug: "glm-4-9b", Name: "GLM-4-9B-0414", Family: "GLM",
		Config: shaped(glm4Defaults(), scale.Config{
			VocabSize: 151552, HiddenSize: 4096, NumHiddenLayers: 40, NumAttentionHeads: 32, NumKeyValueHeads: 2,
			HeadDim: 128, IntermediateSize: 13696, MaxPositionEmbeddings: 32768,
		}),
		Sources: []string{hfConfig("THUDM/GLM-4-9B-0414") + ", head_dim, attention_bias, partial_rotary_factor", glm4Code},
		Notes: []string{
			"GLM-4-9B-0414, the glm4 architecture transformers builds; the original glm-4-9b (2024, model_type chatglm) " +
				"runs remote code and is not read by tscale",
			"four RMSNorms per layer: before and after attention, before and after the MLP (post_self_attn_layernorm " +
				"and post_mlp_layernorm normalise the sublayer outputs before the residual add)",
			"attention_bias true puts biases on q_proj, k_proj and v_proj; o_proj has none whatever attention_bias says",
			glm4Fused,
			"partial_rotary_factor 0.5: RoPE rotates half of each head's 128 dimensions, which adds no parameter and no " +
				"matmul, so no count changes",
			"multi-query-like GQA: 2 KV heads for 32 query heads",
		},
	}}
}

func readGlm4(f *hfFields) scale.Config {
	d := glm4Defaults()
	c := f.decoderShape(d) // num_key_value_heads absent: 2, Glm4Config's default
	c.HeadDim = f.intOr("head_dim", d.HeadDim, "Glm4Config default")
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias = f.boolOr("attention_bias", d.AttentionQKVBias) // q, k and v; o_proj has none
	if p, ok := f.value("partial_rotary_factor"); ok {
		f.notes = append(f.notes, fmt.Sprintf("partial_rotary_factor %v: RoPE on part of each head, no count changes", p))
	}
	f.notes = append(f.notes, glm4Fused)
	return c
}
