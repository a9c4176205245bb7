package presets

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tscale/tscale/scale"
)

// glm4MoEDefaults are GLM-4.5's (model_type glm4_moe, Glm4MoeConfig): the
// Llama block's norms and gated SiLU MLPs without bias, an untied LM head,
// a context of 131072 and 8 KV heads; DeepSeek-V3's experts (one shared
// expert, 8 routed ones per token, the first layer dense), whose router
// always keeps an e_score_correction_bias buffer; no QK norm
// (use_qk_norm false) and no attention biases (attention_bias false).
func glm4MoEDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 131072
	c.NumKeyValueHeads = 8
	c.NumExpertsPerTok, c.NumSharedExperts, c.FirstKDenseReplace = 8, 1, 1
	c.RouterScoreBias = true
	return c
}

// glm4MoELiteDefaults are GLM-4.7-Flash's (model_type glm4_moe_lite,
// Glm4MoeLiteConfig): glm4_moe's block and experts with DeepSeek-V3's
// multi-head latent attention (q_lora_rank 768), 4 routed experts per
// token, layer 0 dense (mlp_layer_types' default) and a context of 202752.
func glm4MoELiteDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 202752
	c.QLoraRank = 768
	c.NumExpertsPerTok, c.NumSharedExperts, c.FirstKDenseReplace = 4, 1, 1
	c.RouterScoreBias = true
	return c
}

const glm4MoECode = "transformers modeling_glm4_moe.py (Glm4MoeForCausalLM, 4.54 on): q_proj, k_proj and v_proj with bias " +
	"when attention_bias, o_proj never; q_norm and k_norm RMSNorm(head_dim) when use_qk_norm; head_dim from config.json " +
	"(hidden_size / num_attention_heads when absent); layers from first_k_dense_replace on are DeepSeek-V3's MoE: router " +
	"Linear(hidden, n_routed_experts) without bias plus an e_score_correction_bias buffer, n_routed_experts experts of " +
	"moe_intermediate_size and one shared MLP of n_shared_experts × moe_intermediate_size; the layers before, a dense MLP " +
	"of intermediate_size; the MTP layer (model.layers.{num_hidden_layers}) is ignored on load"

const glm4MoEFields = "config.json: vocab_size, hidden_size, intermediate_size, moe_intermediate_size, num_hidden_layers, " +
	"num_attention_heads, num_key_value_heads, head_dim, attention_bias, use_qk_norm, n_routed_experts, n_shared_experts, " +
	"num_experts_per_tok, first_k_dense_replace, num_nextn_predict_layers, max_position_embeddings, tie_word_embeddings"

const glm4MoELiteCode = "transformers modeling_glm4_moe_lite.py (Glm4MoeLiteForCausalLM, 5.0 on): DeepSeek-V3's MLA " +
	"(q_a_proj, q_a_layernorm, q_b_proj, kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj, o_proj; biases on q_a_proj, " +
	"kv_a_proj_with_mqa and o_proj only with attention_bias); layer i is MoE where mlp_layer_types[i] is \"sparse\" " +
	"(default: layer 0 dense, the rest MoE; first_k_dense_replace is not read); router, experts and shared experts as " +
	"glm4_moe's; the MTP layer (model.layers.47) is ignored on load"

const glm4MoELiteFields = "config.json: vocab_size, hidden_size, intermediate_size, moe_intermediate_size, num_hidden_layers, " +
	"num_attention_heads, q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim, attention_bias, " +
	"n_routed_experts, n_shared_experts, num_experts_per_tok, num_nextn_predict_layers, max_position_embeddings, " +
	"tie_word_embeddings (no mlp_layer_types: its default)"

func glmFamily() []Preset {
	rotary := "partial_rotary_factor 0.5: RoPE rotates half of each head's 128 dimensions, which adds no parameter and no " +
		"matmul, so no count changes"
	bias := "attention_bias true puts biases on q_proj, k_proj and v_proj; o_proj has none whatever attention_bias says"
	buffer := "e_score_correction_bias (one value per routed expert in each MoE layer) is a buffer in transformers " +
		"(register_buffer), so num_parameters(), and tscale, leave it out; the checkpoint stores it"
	return []Preset{
		{
			Slug: "glm-4.5", Name: "GLM-4.5 (355B-A32B)", Family: "GLM",
			Config: sharedMoE(glm4MoEDefaults(), scale.Config{
				VocabSize: 151552, HiddenSize: 5120, NumHiddenLayers: 92, NumAttentionHeads: 96, NumKeyValueHeads: 8,
				HeadDim: 128, IntermediateSize: 12288, MaxPositionEmbeddings: 131072, AttentionQKVBias: true, QKNorm: true,
				NumLocalExperts: 160, NumExpertsPerTok: 8, MoEIntermediateSize: 1536, NumSharedExperts: 1,
				FirstKDenseReplace: 3, MTPLayers: 1,
			}),
			Sources: []string{"Hugging Face zai-org/GLM-4.5 " + glm4MoEFields, glm4MoECode,
				"Megatron-Bridge docs, GLM-4.5: 92 layers (3 dense, 89 MoE), hidden 5120, FFN 12288, 96 heads and 8 KV heads, " +
					"160 experts top-8 of 1536, QK-LayerNorm, MTP 1"},
			Notes: []string{
				"config.json reconstructed: no verbatim copy of zai-org/GLM-4.5's file was found; every count-relevant value " +
					"agrees across GLM-4.6/4.7 fixtures (the same architecture), NVIDIA's GLM-4.7-NVFP4 config, Megatron-Bridge's " +
					"GLM-4.5 docs and slime's glm4.5-355B-A32B script (testdata/hf/SOURCES.md)",
				"head_dim 128 is explicit: 96 heads × 128 = 12288 query dimensions on a hidden size of 5120",
				bias,
				"use_qk_norm true: q_norm and k_norm, RMSNorm(head_dim) each, shared by the heads",
				rotary,
				"params.mtp = 3,988,069,632 is the multi-token-prediction layer (model.layers.92: enorm, hnorm, eh_proj " +
					"2 × 5120 → 5120, one MoE decoder layer and shared_head.norm), which transformers does not build; the " +
					"checkpoint also stores in it copies of the embedding and LM head (1,551,892,480), and 14,400 " +
					"e_score_correction_bias values (160 in each of the 89 MoE layers and the MTP layer): 358,337,791,296 " +
					"tensor elements in all, the Hub's 358B (GLM-4.7, the same architecture, has the same total)",
				"Zhipu's 355B total matches no exact grouping: num_parameters() 352.80B, with the MTP layer's own weights " +
					"356.79B, the checkpoint 358.34B; its 32B active is about params.active (33.63B, embedding and head " +
					"included) without the embedding and the head (32.08B)",
				buffer,
			},
		},
		{
			Slug: "glm-4.5-air", Name: "GLM-4.5-Air (106B-A12B)", Family: "GLM",
			Config: sharedMoE(glm4MoEDefaults(), scale.Config{
				VocabSize: 151552, HiddenSize: 4096, NumHiddenLayers: 46, NumAttentionHeads: 96, NumKeyValueHeads: 8,
				HeadDim: 128, IntermediateSize: 10944, MaxPositionEmbeddings: 131072, AttentionQKVBias: true,
				NumLocalExperts: 128, NumExpertsPerTok: 8, MoEIntermediateSize: 1408, NumSharedExperts: 1,
				FirstKDenseReplace: 1, MTPLayers: 1,
			}),
			Sources: []string{"Hugging Face zai-org/GLM-4.5-Air " + glm4MoEFields, glm4MoECode},
			Notes: []string{
				"head_dim 128 is explicit: 96 heads × 128 = 12288 query dimensions on a hidden size of 4096",
				bias,
				"use_qk_norm false: no q_norm or k_norm (GLM-4.5 has them)",
				rotary,
				"params.mtp = 2,375,059,456 is the multi-token-prediction layer (model.layers.46: enorm, hnorm, eh_proj " +
					"2 × 4096 → 4096, one MoE decoder layer and shared_head.norm), which transformers does not build; the " +
					"checkpoint also stores in it copies of the embedding and LM head (1,241,513,984), and 5,888 " +
					"e_score_correction_bias values (128 in each of the 45 MoE layers and the MTP layer): 110,468,824,832 " +
					"tensor elements in all, the Hub's 110B",
				"Zhipu's 106B total is num_parameters() truncated; its 12B active is about params.active (13.42B, embedding " +
					"and head included) without the embedding and the head (12.18B)",
				buffer,
			},
		},
		{
			Slug: "glm-4.7-flash", Name: "GLM-4.7-Flash (30B-A3B)", Family: "GLM",
			Config: mlaMoE(glm4MoELiteDefaults(), scale.Config{
				VocabSize: 154880, HiddenSize: 2048, NumHiddenLayers: 47, NumAttentionHeads: 20,
				IntermediateSize: 10240, MaxPositionEmbeddings: 202752,
				QLoraRank: 768, KVLoraRank: 512, QKNopeHeadDim: 192, QKRopeHeadDim: 64, VHeadDim: 256,
				NumLocalExperts: 64, NumExpertsPerTok: 4, MoEIntermediateSize: 1536, NumSharedExperts: 1,
				FirstKDenseReplace: 1, MTPLayers: 1,
			}),
			Sources: []string{"Hugging Face zai-org/GLM-4.7-Flash " + glm4MoELiteFields, glm4MoELiteCode},
			Notes: []string{
				"multi-head latent attention: the KV cache holds the 512-wide latent and the 64-wide rotary key per token " +
					"per layer; FLOPs are counted as trained, with keys and values expanded per head (20 heads of 192 + 64 " +
					"query and key dimensions and 256 value dimensions)",
				"mlp_layer_types absent: layer 0 dense, layers 1–46 MoE, which is also what first_k_dense_replace 1 says " +
					"(transformers reads only mlp_layer_types)",
				"partial_rotary_factor 1.0 and num_key_value_heads 20 change no count (MLA has its own rotary key and " +
					"expands keys and values per head)",
				"params.mtp = 643,706,112 is the multi-token-prediction layer (model.layers.47: enorm, hnorm, eh_proj " +
					"2 × 2048 → 2048, one MoE decoder layer and shared_head.norm), which transformers does not build; the " +
					"checkpoint also stores in it copies of the embedding and LM head (634,388,480), and 3,008 " +
					"e_score_correction_bias values (64 in each of the 46 MoE layers and the MTP layer): 31,221,488,576 " +
					"tensor elements in all, the Hub's 31B",
				"\"30B-A3B\": num_parameters() is 29.94B; params.active is 3.90B with the embedding and head, 3.26B without",
				buffer,
			},
		},
	}
}

func readGlm4MoE(f *hfFields) scale.Config {
	d := glm4MoEDefaults()
	f.kvHeadsDefault(d.NumKeyValueHeads)
	c := f.decoder(d)                                                   // head_dim, or hidden_size / num_attention_heads (Glm4MoeAttention's getattr)
	c.AttentionQKVBias = f.boolOr("attention_bias", d.AttentionQKVBias) // q, k, v; o_proj has no bias
	c.QKNorm = f.boolOr("use_qk_norm", d.QKNorm)                        // RMSNorm(head_dim) on q and k
	c.FirstKDenseReplace = f.intOr("first_k_dense_replace", d.FirstKDenseReplace, "glm4_moe default")
	f.glmExperts(&c, d)
	return c
}

func readGlm4MoELite(f *hfFields) scale.Config {
	d := glm4MoELiteDefaults()
	c := f.decoderShape(d)
	f.mla(&c, d.QLoraRank)
	c.FirstKDenseReplace = f.mlpLayerTypes(c.NumHiddenLayers, d.FirstKDenseReplace)
	f.glmExperts(&c, d)
	return c
}

// kvHeadsDefault gives num_key_value_heads, where the file leaves it out,
// the configuration class's default n (Glm4MoeConfig: 8) rather than
// num_attention_heads, which decoder assumes.
func (f *hfFields) kvHeadsDefault(n int64) {
	if _, ok := f.value("num_key_value_heads"); !ok {
		f.m["num_key_value_heads"] = json.Number(strconv.FormatInt(n, 10))
		f.notes = append(f.notes, fmt.Sprintf("num_key_value_heads absent: %d (%s default)", n, f.modelType))
	}
}

// glmExperts reads the experts of glm4_moe and glm4_moe_lite (DeepSeek-V3's
// MoE) onto c, whose FirstKDenseReplace is read, with the defaults d. The
// router always keeps an e_score_correction_bias buffer, whatever
// topk_method says; intermediate_size is needed only where a layer is dense.
func (f *hfFields) glmExperts(c *scale.Config, d scale.Config) {
	errs := len(f.errs)
	c.NumLocalExperts = f.required("n_routed_experts")
	f.alias("num_local_experts", f.name("n_routed_experts"))
	if len(f.errs) == errs && c.NumLocalExperts < 1 { // not a dense model: the MoE layers would have no experts
		f.errorf(ErrInvalidValue, "n_routed_experts", "%s must be a positive integer: %s layers past the dense ones "+
			"are MoE, got %d", f.name("n_routed_experts"), f.modelType, c.NumLocalExperts)
	}
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, f.modelType+" default")
	c.MoEIntermediateSize = f.required("moe_intermediate_size")
	f.sharedExperts(c, f.intOr("n_shared_experts", d.NumSharedExperts, f.modelType+" default"))
	c.RouterScoreBias = d.RouterScoreBias
	c.IntermediateSize = 0 // every layer MoE: no dense MLP
	if c.FirstKDenseReplace > 0 {
		c.IntermediateSize = f.required("intermediate_size")
	}
	f.mtpLayers(c)
}

// The MLP kinds of a config.json's mlp_layer_types list (transformers'
// ALLOWED_MLP_LAYER_TYPES).
const (
	mlpDense  = "dense"
	mlpSparse = "sparse"
)

// mlpLayerTypes reads glm4_moe_lite's mlp_layer_types, which says which
// layers are MoE ("sparse") and which dense; where the file leaves it out,
// Glm4MoeLiteConfig makes the first def layers dense and the rest MoE.
// tscale models dense layers first and MoE layers after them
// (first_k_dense_replace, which it returns); any other list, and a list
// whose length is not num_hidden_layers, is an error naming the field.
// first_k_dense_replace, which transformers does not read here, is noted
// where it says otherwise. The work is the list's, bounded by the file.
func (f *hfFields) mlpLayerTypes(layers, def int64) int64 {
	f.alias("first_k_dense_replace", f.name("mlp_layer_types"))
	f.followsIf(layers <= 0 || layers > scale.MaxLayers, "first_k_dense_replace")
	dense := def
	if v, ok := f.value("mlp_layer_types"); !ok {
		f.notes = append(f.notes, fmt.Sprintf("mlp_layer_types absent: %d dense layer first, then MoE layers (%s default)",
			def, f.modelType))
	} else if dense, ok = f.denseFirst(v, layers); !ok {
		return 0
	}
	if k, ok := f.optional("first_k_dense_replace"); ok && k != dense {
		f.notes = append(f.notes, fmt.Sprintf("first_k_dense_replace %d is not read: transformers' %s builds the "+
			"layers from mlp_layer_types, which makes the first %d dense", k, f.modelType, dense))
	}
	return dense
}

// denseFirst is the number of dense layers that begin mlp_layer_types list
// v, when every layer after them is MoE; ok is false, and the error
// recorded, for any other value.
func (f *hfFields) denseFirst(v any, layers int64) (dense int64, ok bool) {
	items, isList := v.([]any)
	if !isList {
		f.errorf(ErrWrongType, "mlp_layer_types", "%s must be a list of strings, got %s", f.name("mlp_layer_types"), describe(v))
		return 0, false
	}
	sparse := false
	for i, it := range items {
		s, isString := it.(string)
		switch {
		case !isString || (s != mlpDense && s != mlpSparse):
			f.errorf(ErrUnmodelled, "mlp_layer_types", "%s[%d] is %s: tscale models %q and %q layers",
				f.name("mlp_layer_types"), i, describe(it), mlpDense, mlpSparse)
			return 0, false
		case s == mlpSparse:
			sparse = true
		case sparse:
			f.errorf(ErrUnmodelled, "mlp_layer_types", "%s[%d] is a dense layer after an MoE layer: tscale models "+
				"dense layers first and MoE layers after them (first_k_dense_replace)", f.name("mlp_layer_types"), i)
			return 0, false
		default:
			dense++
		}
	}
	if layers > 0 && layers <= scale.MaxLayers && int64(len(items)) != layers {
		f.errorf(ErrInvalidValue, "mlp_layer_types", "%s lists %d layers, not num_hidden_layers (%d)",
			f.name("mlp_layer_types"), len(items), layers)
		return 0, false
	}
	return dense, true
}
