package presets

import "tscale/scale"

func qwen25Family() []Preset {
	qwen := func(hidden, layers, heads, kvHeads, ffn int64) scale.Config {
		c := llamaBlock(152064, hidden, layers, heads, kvHeads, ffn, 131072)
		c.AttentionQKVBias = true
		return c
	}
	code := "transformers modeling_qwen2.py: q_proj, k_proj, v_proj with bias, o_proj without; gated SiLU MLP without bias; RMSNorm"
	window := "config.json carries sliding_window with use_sliding_window false: attention is full causal on every layer"
	return []Preset{
		{
			Slug: "qwen2.5-7b", Name: "Qwen2.5 7B", Family: "Qwen",
			Config:  qwen(3584, 28, 28, 4, 18944),
			Sources: []string{hfConfig("Qwen/Qwen2.5-7B"), code},
			Notes:   []string{window, "embeddings untied (only the 0.5B–3B Qwen2.5 models tie them)"},
		},
		{
			Slug: "qwen2.5-72b", Name: "Qwen2.5 72B", Family: "Qwen",
			Config:  qwen(8192, 80, 64, 8, 29568),
			Sources: []string{hfConfig("Qwen/Qwen2.5-72B"), code},
			Notes:   []string{window},
		},
	}
}

// qwenSliding rejects Qwen's per-layer sliding windows, which tscale does
// not model; with use_sliding_window false (the released models) the
// sliding_window field is unused.
func (f *hfFields) qwenSliding() {
	f.unmodelled(f.boolOr("use_sliding_window", false), "use_sliding_window",
		"Qwen's sliding window on layers from max_window_layers on is not modelled")
}

func readQwen2(f *hfFields) scale.Config {
	c := f.decoder(32768, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias = true // q_proj, k_proj, v_proj with bias; o_proj without
	f.qwenSliding()
	return c
}

func readQwen3(f *hfFields) scale.Config {
	c := f.decoder(32768, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.QKNorm = true // q_norm and k_norm: RMSNorm(head_dim)
	f.qwenSliding()
	return c
}

// qwenMoE reads the experts of qwen2_moe and qwen3_moe; every layer is MoE
// unless decoder_sparse_step or mlp_only_layers say otherwise.
func (f *hfFields) qwenMoE(c *scale.Config) {
	c.NumLocalExperts = f.required("num_experts")
	c.NumExpertsPerTok = f.required("num_experts_per_tok")
	c.MoEIntermediateSize = f.required("moe_intermediate_size")
	c.MoELayerInterval = f.intOr("decoder_sparse_step", 1, "every layer MoE")
	f.alias("num_local_experts", f.name("num_experts"))
	f.alias("moe_layer_interval", f.name("decoder_sparse_step"))
	if only, ok := f.intList("mlp_only_layers"); ok {
		f.unmodelled(len(only) > 0, "mlp_only_layers", "a list of dense layers is not modelled; only decoder_sparse_step is")
	}
	if c.MoELayerInterval > 1 {
		c.IntermediateSize = f.required("intermediate_size")
	}
}

func readQwen2MoE(f *hfFields) scale.Config {
	c := f.decoder(32768, false, "silu")
	c.AttentionQKVBias = f.boolOr("qkv_bias", true)
	f.qwenMoE(&c)
	c.SharedExpertIntermediateSize = f.required("shared_expert_intermediate_size")
	if c.SharedExpertIntermediateSize > 0 {
		c.NumSharedExperts, c.SharedExpertGate = 1, true
	}
	f.follows("num_shared_experts") // both derived from shared_expert_intermediate_size
	f.follows("shared_expert_gate")
	f.qwenSliding()
	return c
}

func readQwen3MoE(f *hfFields) scale.Config {
	c := readQwen3(f)
	c.IntermediateSize = 0
	f.qwenMoE(&c)
	return c
}
