package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// hunyuanDefaults are Hunyuan's (model_types hunyuan_v1_dense and
// hunyuan_v1_moe) and HunYuanDenseV1Config's and HunYuanMoEV1Config's: the
// Llama block (q/k/v/o with bias only where attention_bias says, gated SiLU
// MLPs without bias, RMSNorms) with an RMSNorm(head_dim) on queries and on
// keys after RoPE (query_layernorm, key_layernorm, shared by the heads),
// an untied LM head and a context of 2048.
func hunyuanDefaults() scale.Config {
	c := llamaDefaults()
	c.QKNorm = true
	return c
}

// hunyuanMoEDefaults are hunyuan_v1_moe's: Hunyuan's block whose every
// layer is a mixture of num_experts gated experts of intermediate_size
// (moe_topk per token; one of each by HunYuanMoEV1Config's defaults) beside
// one shared MLP of intermediate_size, the router without bias.
func hunyuanMoEDefaults() scale.Config {
	c := hunyuanDefaults()
	c.NumLocalExperts, c.NumExpertsPerTok = 1, 1
	c.NumSharedExperts = 1
	return c
}

// What the Hunyuan readers follow (no preset cites it yet):
// transformers modeling_hunyuan_v1_dense.py / modeling_hunyuan_v1_moe.py:
// LlamaAttention's q/k/v/o (bias where attention_bias says, head_dim from
// config.json) with query_layernorm and key_layernorm = RMSNorm(head_dim)
// after RoPE; the dense model's MLP is gate/up/down of intermediate_size
// without bias; the MoE model's every layer has gate.wg Linear(hidden,
// num_experts) without bias, num_experts gated experts and one shared_mlp,
// all of intermediate_size; input_layernorm and post_attention_layernorm
// RMSNorms, final norm, lm_head tied where tie_word_embeddings says

func readHunyuanDense(f *hfFields) scale.Config {
	c := f.hunyuanBlock(hunyuanDefaults())
	c.IntermediateSize = f.required("intermediate_size")
	return c
}

func readHunyuanMoE(f *hfFields) scale.Config {
	d := hunyuanMoEDefaults()
	c := f.hunyuanBlock(d)
	width := f.required("intermediate_size") // every expert and the shared MLP
	c.MoEIntermediateSize, c.SharedExpertIntermediateSize = width, width
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	f.alias("shared_expert_intermediate_size", f.name("intermediate_size"))
	f.followsIf(width <= 0, "shared_expert_intermediate_size")
	c.NumLocalExperts = f.perLayerInt("num_experts", d.NumLocalExperts, c.NumHiddenLayers)
	c.NumExpertsPerTok = f.perLayerInt("moe_topk", d.NumExpertsPerTok, c.NumHiddenLayers)
	f.alias("num_local_experts", f.name("num_experts"))
	f.alias("num_experts_per_tok", f.name("moe_topk"))
	// The remote code's per-layer expert width and shared-expert count,
	// which transformers' class does not read: refused where they differ
	// from what it builds, since the checkpoint then has other shapes.
	if _, ok := f.value("moe_intermediate_size"); ok {
		w := f.perLayerInt("moe_intermediate_size", width, c.NumHiddenLayers)
		f.unmodelled(w != width, "moe_intermediate_size",
			fmt.Sprintf("transformers' HunYuanMoEV1 builds every expert of intermediate_size (%d)", width))
	}
	if _, ok := f.value("num_shared_expert"); ok {
		n := f.perLayerInt("num_shared_expert", 1, c.NumHiddenLayers)
		f.unmodelled(n != 1, "num_shared_expert", "transformers' HunYuanMoEV1 builds one shared MLP per layer")
	}
	c.IntermediateSize = 0 // every layer MoE: the shared MLP is counted as the shared expert
	return c
}

// hunyuanBlock reads what Hunyuan's dense and MoE models share: the
// decoder shape, head_dim (hidden_size / num_attention_heads where the file
// leaves it out or null), attention_bias on q, k, v and o, and refuses
// cross-layer attention.
func (f *hfFields) hunyuanBlock(d scale.Config) scale.Config {
	c := f.decoder(d)
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	f.unmodelled(f.boolOr("use_cla", false), "use_cla",
		"cross-layer attention (key/value projections shared between layers) is not modelled")
	if !f.boolOr("use_qk_norm", true) {
		f.notes = append(f.notes, "use_qk_norm false is not read: transformers' Hunyuan classes always build "+
			"query_layernorm and key_layernorm, and tscale counts what they build")
	}
	return c
}

// perLayerInt reads field name, an integer or a list of one per layer
// (Hunyuan's per-layer MoE fields): a list must hold the same value for
// every layer, which tscale models; def where the file leaves it out.
func (f *hfFields) perLayerInt(name string, def, layers int64) int64 {
	v, ok := f.value(name)
	if !ok {
		return f.intOr(name, def, f.modelType+" default")
	}
	items, isList := v.([]any)
	if !isList {
		return f.toInt(name, v)
	}
	values, ok := f.intList(name)
	if !ok {
		return 0
	}
	if len(values) == 0 || (layers > 0 && layers <= scale.MaxLayers && int64(len(values)) < layers) {
		f.errorf(ErrInvalidValue, name, "%s lists %d values, fewer than num_hidden_layers (%d)", f.name(name), len(items), layers)
		return 0
	}
	if layers > 0 && layers <= scale.MaxLayers {
		values = values[:layers] // transformers reads entry layer_idx of each
	}
	for i, x := range values {
		if x != values[0] {
			f.errorf(ErrUnmodelled, name, "%s[%d] is %d where %s[0] is %d: per-layer values that differ are not modelled",
				f.name(name), i, x, f.name(name), values[0])
			return 0
		}
	}
	return values[0]
}
