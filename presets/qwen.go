package presets

import "github.com/tscale/tscale/scale"

// qwen2Defaults are Qwen2's: the Llama block with biases on q_proj, k_proj
// and v_proj (o_proj has none) and Qwen2Config's context of 32768. Qwen2.5
// is Qwen2's architecture.
func qwen2Defaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 32768
	c.AttentionQKVBias = true
	return c
}

// qwen3Defaults are Qwen3's: the Llama block with an RMSNorm on queries and
// on keys (q_norm, k_norm), biases only where attention_bias says, and
// Qwen3Config's context of 32768.
func qwen3Defaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 32768
	c.QKNorm = true
	return c
}

func qwen25Family() []Preset {
	code := "transformers modeling_qwen2.py: q_proj, k_proj, v_proj with bias, o_proj without; gated SiLU MLP without bias; RMSNorm"
	window := "config.json carries sliding_window with use_sliding_window false: attention is full causal on every layer"
	return []Preset{
		{
			Slug: "qwen2.5-7b", Name: "Qwen2.5 7B", Family: "Qwen",
			Config: shaped(qwen2Defaults(), scale.Config{
				VocabSize: 152064, HiddenSize: 3584, NumHiddenLayers: 28, NumAttentionHeads: 28, NumKeyValueHeads: 4,
				IntermediateSize: 18944, MaxPositionEmbeddings: 131072,
			}),
			Sources: []string{hfConfig("Qwen/Qwen2.5-7B"), code},
			Notes:   []string{window, "embeddings untied (only the 0.5B–3B Qwen2.5 models tie them)"},
		},
		{
			Slug: "qwen2.5-72b", Name: "Qwen2.5 72B", Family: "Qwen",
			Config: shaped(qwen2Defaults(), scale.Config{
				VocabSize: 152064, HiddenSize: 8192, NumHiddenLayers: 80, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				IntermediateSize: 29568, MaxPositionEmbeddings: 131072,
			}),
			Sources: []string{hfConfig("Qwen/Qwen2.5-72B"), code},
			Notes:   []string{window},
		},
	}
}

// qwenSliding reads Qwen's sliding windows: with use_sliding_window true,
// layers from max_window_layers on attend to a window of sliding_window
// tokens (Qwen2Config's layer_types rule); with it false (the released
// models) sliding_window is unused. A layer_types list, where the file has
// one, is what transformers builds from and decides.
func (f *hfFields) qwenSliding(c *scale.Config) {
	if f.boolOr("use_sliding_window", false) {
		c.SlidingWindow = f.slidingWindow(4096)
		c.WindowFromLayer = f.intOr("max_window_layers", 28, "Qwen2Config default")
		f.alias("window_from_layer", f.name("max_window_layers"))
		if c.NumHiddenLayers > 0 && c.WindowFromLayer >= c.NumHiddenLayers {
			c.SlidingWindow, c.WindowFromLayer = 0, 0 // no layer reaches max_window_layers
		}
	} else {
		f.optional("sliding_window") // unused, but still a number or null
	}
	if f.layerTypes(c) || c.SlidingWindow > 0 {
		f.notes = append(f.notes, describeLayerTypes(*c))
	}
}

func readQwen2(f *hfFields) scale.Config {
	c := f.decoder(qwen2Defaults()) // q_proj, k_proj, v_proj with bias; o_proj without
	c.IntermediateSize = f.required("intermediate_size")
	f.qwenSliding(&c)
	return c
}

func readQwen3(f *hfFields) scale.Config {
	c := f.decoder(qwen3Defaults()) // with q_norm and k_norm: RMSNorm(head_dim)
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	f.qwenSliding(&c)
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
	d := qwen2Defaults()
	c := f.decoder(d)
	c.AttentionQKVBias = f.boolOr("qkv_bias", d.AttentionQKVBias)
	f.qwenMoE(&c)
	c.SharedExpertIntermediateSize = f.required("shared_expert_intermediate_size")
	if c.SharedExpertIntermediateSize > 0 {
		c.NumSharedExperts, c.SharedExpertGate = 1, true
	}
	f.follows("num_shared_experts") // both derived from shared_expert_intermediate_size
	f.follows("shared_expert_gate")
	f.qwenSliding(&c)
	return c
}

func readQwen3MoE(f *hfFields) scale.Config {
	c := readQwen3(f)
	c.IntermediateSize = 0
	f.qwenMoE(&c)
	return c
}
