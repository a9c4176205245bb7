package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// gptOssDefaults are gpt-oss's (model_type gpt_oss) and GptOssConfig's
// defaults: the Llama block's RMSNorms and RoPE with biases on q, k, v and
// o (attention_bias defaults to true), one learned sink logit per head, a
// mixture of experts in every layer whose router and experts have biases,
// each expert a gated MLP, 4 experts routed per token, 8 KV heads of
// head_dim 64, a sliding window of 128 tokens on even layers (odd layers
// full), an untied LM head and a context of 131072.
func gptOssDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 131072
	c.NumKeyValueHeads, c.HeadDim = 8, 64
	c.SlidingWindow, c.GlobalAttentionInterval = 128, 2
	c.AttentionSinks = true
	c.AttentionQKVBias, c.AttentionOutBias = true, true
	c.MLPBias, c.RouterBias = true, true
	c.NumExpertsPerTok = 4
	return c
}

// gptOssNotConverted are the entries of the published checkpoints'
// quantization_config.modules_to_not_convert. transformers' MXFP4
// integration (integrations/mxfp4.py, _replace_with_mxfp4_linear) stores
// only GptOssExperts modules in MXFP4, each unless a prefix of its module
// path matches an entry (re.match); none of these four matches
// model.layers.N.mlp.experts, so any subset of them leaves every layer's
// experts in MXFP4, as does a list that is absent or null.
var gptOssNotConverted = map[string]bool{
	"model.layers.*.self_attn":  true,
	"model.layers.*.mlp.router": true,
	"model.embed_tokens":        true,
	"lm_head":                   true,
}

func gptOssFamily() []Preset {
	fields := "config.json: vocab_size, hidden_size, intermediate_size (each expert), num_hidden_layers, " +
		"num_attention_heads, num_key_value_heads, head_dim, num_local_experts, num_experts_per_tok, sliding_window, " +
		"layer_types, attention_bias, tie_word_embeddings, max_position_embeddings, quantization_config"
	code := "transformers modeling_gpt_oss.py: q/k/v/o_proj with bias (attention_bias), self_attn.sinks [num_attention_heads], " +
		"router weight [E, hidden] and bias [E], experts gate_up_proj [E, hidden, 2·intermediate_size] (gate and up " +
		"interleaved) with gate_up_proj_bias [E, 2·intermediate_size], down_proj [E, intermediate_size, hidden] with " +
		"down_proj_bias [E, hidden], input_layernorm and post_attention_layernorm RMSNorms, final norm, lm_head without bias"
	mxfp4 := "openai/gpt-oss gpt_oss/torch/weights.py and transformers integrations/mxfp4.py: the experts' " +
		"gate_up_proj_blocks/scales and down_proj_blocks/scales hold 32 FP4 (e2m1) values in 16 bytes and one E8M0 scale " +
		"byte per block of 32 weights along the input dimension"
	card := "OpenAI, gpt-oss-120b & gpt-oss-20b Model Card (arXiv 2508.10925), Table 1: parameters by block, active " +
		"parameters (\"Unembedding parameters are counted towards active, but not embeddings\") and checkpoint size"
	notes := []string{
		"the checkpoint stores the routed experts' weight matrices in MXFP4 (quantization_config quant_method mxfp4): " +
			"4.25 bits per weight with the scales (17 bytes per 32 weights); attention, router, embeddings, LM head, the " +
			"experts' biases and the norms are bf16 (modules_to_not_convert). memory.checkpoint_weights_bytes counts it; " +
			"weights_bytes and the other memory figures are params at the workload dtype, as if dequantized",
		"attention sinks: one learned logit per head (self_attn.sinks) joins each softmax row's denominator: " +
			"num_attention_heads parameters per layer and no FLOPs",
		"config.json says hidden_act silu; the experts compute a clamped SwiGLU, (clamp(up, −7, 7) + 1) · g · σ(1.702 · g) " +
			"with g = clamp(gate, max 7) (swiglu_limit 7.0): elementwise, so no count depends on it; gate and up are one " +
			"interleaved gate_up_proj, counted as two matrices",
		"router: Linear(hidden, num_local_experts) with bias; the top 4 logits are softmaxed among themselves",
		"layer_types: even layers attend within a 128-token window (query i scores keys i−127..i: transformers' " +
			"sliding_window_overlay, kv_idx > q_idx − 128, and OpenAI's reference mask agree), odd layers full attention",
		"params.active counts the token embedding and the LM head; the model card's active count leaves out the " +
			"embedding: it is params.active − params.embedding (card: 3.61B for 20b, 5.13B for 120b)",
		"context 131072 through YaRN RoPE scaling (factor 32 on initial_context_length 4096): no parameters",
	}
	return []Preset{
		{
			Slug: "gpt-oss-20b", Name: "gpt-oss-20b", Family: "gpt-oss",
			Config: shaped(gptOssDefaults(), scale.Config{
				VocabSize: 201088, HiddenSize: 2880, NumHiddenLayers: 24, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				HeadDim: 64, MaxPositionEmbeddings: 131072, SlidingWindow: 128,
				NumLocalExperts: 32, NumExpertsPerTok: 4, MoEIntermediateSize: 2880, ExpertWeightsFormat: scale.MXFP4,
			}),
			Sources: []string{"Hugging Face openai/gpt-oss-20b " + fields, code, mxfp4, card},
			Notes: append([]string{"model.safetensors.index.json's total_size, 13,761,264,768 bytes, is " +
				"memory.checkpoint_weights_bytes to the byte; the card's checkpoint size is 12.8 GiB"}, notes...),
		},
		{
			Slug: "gpt-oss-120b", Name: "gpt-oss-120b", Family: "gpt-oss",
			Config: shaped(gptOssDefaults(), scale.Config{
				VocabSize: 201088, HiddenSize: 2880, NumHiddenLayers: 36, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				HeadDim: 64, MaxPositionEmbeddings: 131072, SlidingWindow: 128,
				NumLocalExperts: 128, NumExpertsPerTok: 4, MoEIntermediateSize: 2880, ExpertWeightsFormat: scale.MXFP4,
			}),
			Sources: []string{"Hugging Face openai/gpt-oss-120b " + fields, code, mxfp4, card},
			Notes: append([]string{"a third-party download check finds 65,248,815,744 bytes of tensors in the " +
				"15 safetensors files: memory.checkpoint_weights_bytes to the byte; the card's checkpoint size is 60.8 GiB"}, notes...),
		},
	}
}

// readGptOss reads a gpt_oss config.json. GptOssConfig's class defaults
// apply to an absent field; where the class puts a derived value in place
// of None (num_key_value_heads: num_attention_heads, head_dim: hidden_size
// / num_attention_heads), a null takes it.
func readGptOss(f *hfFields) scale.Config {
	d := gptOssDefaults()
	c := d
	f.shape(&c, "hidden_size", "num_hidden_layers", "num_attention_heads")
	if _, present := f.m["num_key_value_heads"]; present {
		c.NumKeyValueHeads = f.intOrFunc("num_key_value_heads", func() int64 {
			f.followsIf(c.NumAttentionHeads <= 0, "num_key_value_heads")
			return c.NumAttentionHeads
		}, "null: num_attention_heads")
	} else {
		c.NumKeyValueHeads = f.intOr("num_key_value_heads", d.NumKeyValueHeads, "gpt_oss default")
	}
	if _, present := f.m["head_dim"]; present {
		c.HeadDim = f.headDim(c.HiddenSize, c.NumAttentionHeads) // null: hidden_size / num_attention_heads
	} else {
		c.HeadDim = f.intOr("head_dim", d.HeadDim, "gpt_oss default")
	}
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, "gpt_oss default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	c.HiddenAct = f.stringOr("hidden_act", d.HiddenAct) // unused by the experts' clamped SwiGLU
	bias := f.boolOr("attention_bias", d.AttentionQKVBias)
	c.AttentionQKVBias, c.AttentionOutBias = bias, bias

	// Every layer's MLP is experts of intermediate_size: no dense MLP.
	c.IntermediateSize = 0
	c.MoEIntermediateSize = f.required("intermediate_size")
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	c.NumLocalExperts = f.gptOssExperts()
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, "gpt_oss default")
	// OpenAI's reference code reads experts_per_token; transformers reads
	// num_experts_per_tok. A file where they differ describes two models.
	if k, ok := f.optional("experts_per_token"); ok && k != c.NumExpertsPerTok {
		f.errorf(ErrInvalidValue, "experts_per_token", "experts_per_token %d (OpenAI's reference code) differs from "+
			"num_experts_per_tok %d (transformers)", k, c.NumExpertsPerTok)
	}

	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	if f.layerTypes(&c) {
		f.notes = append(f.notes, describeLayerTypes(c))
	} else if c.SlidingWindow > 0 { // GptOssConfig's list: even layers sliding, odd full
		f.notes = append(f.notes, fmt.Sprintf("layer_types absent: even layers sliding (window %d), odd layers full "+
			"(gpt_oss default)", c.SlidingWindow))
	} else {
		c.GlobalAttentionInterval = 0 // without a window every layer is full
	}
	c.ExpertWeightsFormat = f.gptOssExpertFormat()
	return c
}

// gptOssExperts reads num_local_experts, which GptOssConfig's attribute_map
// also lets a file name num_experts.
func (f *hfFields) gptOssExperts() int64 {
	alias, aliased := f.optional("num_experts")
	if _, present := f.value("num_local_experts"); !present && aliased {
		f.alias("num_local_experts", f.name("num_experts"))
		return alias
	}
	n := f.required("num_local_experts")
	if aliased && alias != n {
		f.errorf(ErrInvalidValue, "num_experts", "num_experts %d differs from num_local_experts %d, which it names "+
			"(GptOssConfig's attribute_map)", alias, n)
	}
	return n
}

// gptOssExpertFormat reads quantization_config: absent, the checkpoint's
// weights are all alike; with quant_method mxfp4, the routed experts'
// weight matrices are MXFP4. Another method, or a modules_to_not_convert
// entry that may keep experts out of MXFP4, is refused.
func (f *hfFields) gptOssExpertFormat() scale.WeightFormat {
	const field = "quantization_config"
	v, ok := f.value(field)
	if !ok {
		return ""
	}
	q, ok := v.(map[string]any)
	if !ok {
		f.errorf(ErrWrongType, field, "%s must be an object, got %s", f.name(field), describe(v))
		return ""
	}
	method, present := q["quant_method"]
	if method != "mxfp4" {
		got := "absent"
		if present {
			got = describe(method)
		}
		f.errorf(ErrUnmodelled, field+".quant_method", "%s is %s: tscale models gpt-oss checkpoints whose experts are "+
			"MXFP4 (\"mxfp4\") or unquantized ones (no quantization_config)", f.name(field+".quant_method"), got)
		return ""
	}
	list, present := q["modules_to_not_convert"]
	if !present || list == nil {
		return scale.MXFP4
	}
	items, ok := list.([]any)
	if !ok {
		f.errorf(ErrWrongType, field+".modules_to_not_convert", "%s must be a list of strings, got %s",
			f.name(field+".modules_to_not_convert"), describe(list))
		return ""
	}
	for i, it := range items {
		if s, ok := it.(string); !ok || !gptOssNotConverted[s] {
			f.errorf(ErrUnmodelled, field+".modules_to_not_convert", "%s[%d] is %s: an entry outside the published "+
				"list (model.layers.*.self_attn, model.layers.*.mlp.router, model.embed_tokens, lm_head) may keep experts "+
				"out of MXFP4; tscale models every layer's experts in MXFP4", f.name(field+".modules_to_not_convert"), i,
				describe(it))
			return ""
		}
	}
	return scale.MXFP4
}
