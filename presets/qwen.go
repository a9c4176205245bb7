package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

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

const (
	qwen3Code = "transformers modeling_qwen3.py: the Llama block with q_norm and k_norm, an RMSNorm(head_dim) each, on every " +
		"query and key head before RoPE; q/k/v/o without bias (attention_bias false); gated SiLU MLP without bias"
	qwen3MoECode = "transformers modeling_qwen3_moe.py: Qwen3MoeSparseMoeBlock, a router gate Linear(hidden, num_experts) " +
		"without bias and num_experts gated SiLU experts of moe_intermediate_size, no shared expert; a layer is MoE " +
		"unless it is in mlp_only_layers or (layer_idx + 1) % decoder_sparse_step is not 0"
	qwen3Window = "use_sliding_window false and sliding_window null: full causal attention on every layer " +
		"(max_window_layers is unused)"
	qwen3Rope = "rope_scaling null; the model card's YaRN extension of the context is a rope_scaling setting, " +
		"which changes no count"
)

func qwen3Family() []Preset {
	moeSources := ", head_dim, num_experts, num_experts_per_tok, moe_intermediate_size, decoder_sparse_step, mlp_only_layers"
	// unusedFFN notes the intermediate_size that config.json sets (inter) and
	// no layer of c builds.
	unusedFFN := func(inter int64, c scale.Config) string {
		return fmt.Sprintf("intermediate_size %d is unused: decoder_sparse_step 1 and mlp_only_layers [] make all %d "+
			"layers MoE, so no dense MLP is built", inter, c.NumHiddenLayers)
	}
	active := "params.active counts the embedding, the LM head, the router in full and num_experts_per_tok of " +
		"num_experts experts in each layer"
	q06 := shaped(qwen3Defaults(), scale.Config{
		VocabSize: 151936, HiddenSize: 1024, NumHiddenLayers: 28, NumAttentionHeads: 16, NumKeyValueHeads: 8,
		HeadDim: 128, IntermediateSize: 3072, MaxPositionEmbeddings: 40960, TieWordEmbeddings: true,
	})
	q8 := shaped(qwen3Defaults(), scale.Config{
		VocabSize: 151936, HiddenSize: 4096, NumHiddenLayers: 36, NumAttentionHeads: 32, NumKeyValueHeads: 8,
		HeadDim: 128, IntermediateSize: 12288, MaxPositionEmbeddings: 40960,
	})
	q32 := shaped(qwen3Defaults(), scale.Config{
		VocabSize: 151936, HiddenSize: 5120, NumHiddenLayers: 64, NumAttentionHeads: 64, NumKeyValueHeads: 8,
		HeadDim: 128, IntermediateSize: 25600, MaxPositionEmbeddings: 40960,
	})
	q30 := shaped(qwen3Defaults(), scale.Config{
		VocabSize: 151936, HiddenSize: 2048, NumHiddenLayers: 48, NumAttentionHeads: 32, NumKeyValueHeads: 4,
		HeadDim: 128, MaxPositionEmbeddings: 40960,
		NumLocalExperts: 128, NumExpertsPerTok: 8, MoEIntermediateSize: 768, MoELayerInterval: 1,
	})
	q235 := shaped(qwen3Defaults(), scale.Config{
		VocabSize: 151936, HiddenSize: 4096, NumHiddenLayers: 94, NumAttentionHeads: 64, NumKeyValueHeads: 4,
		HeadDim: 128, MaxPositionEmbeddings: 40960,
		NumLocalExperts: 128, NumExpertsPerTok: 8, MoEIntermediateSize: 1536, MoELayerInterval: 1,
	})
	return []Preset{
		{
			Slug: "qwen3-0.6b", Name: "Qwen3 0.6B", Family: "Qwen", Config: q06,
			Sources: []string{hfConfig("Qwen/Qwen3-0.6B") + ", head_dim", qwen3Code},
			Notes: []string{
				"tie_word_embeddings true: lm_head is embed_tokens, counted once as model.num_parameters() counts it " +
					"(596,049,920, asserted in neuralmagic compressed-tensors' tests); the checkpoint stores lm_head.weight " +
					"all the same, so the Hub's safetensors total, 751,632,384, counts the embedding matrix twice",
				explicitHeadDim(q06), qwen3Window, qwen3Rope,
			},
		},
		{
			Slug: "qwen3-8b", Name: "Qwen3 8B", Family: "Qwen", Config: q8,
			Sources: []string{hfConfig("Qwen/Qwen3-8B") + ", head_dim", qwen3Code},
			Notes: []string{"embeddings untied (of the dense Qwen3 models only 0.6B, 1.7B and 4B tie them)",
				explicitHeadDim(q8), qwen3Window, qwen3Rope},
		},
		{
			Slug: "qwen3-32b", Name: "Qwen3 32B", Family: "Qwen", Config: q32,
			Sources: []string{hfConfig("Qwen/Qwen3-32B") + ", head_dim", qwen3Code},
			Notes:   []string{explicitHeadDim(q32), qwen3Window, qwen3Rope},
		},
		{
			Slug: "qwen3-30b-a3b", Name: "Qwen3 30B-A3B", Family: "Qwen", Config: q30,
			Sources: []string{hfConfig("Qwen/Qwen3-30B-A3B") + moeSources, qwen3Code, qwen3MoECode},
			Notes: []string{unusedFFN(6144, q30), explicitHeadDim(q30),
				active + " (the card: 3.3B activated)", qwen3Window, qwen3Rope},
		},
		{
			Slug: "qwen3-235b-a22b", Name: "Qwen3 235B-A22B", Family: "Qwen", Config: q235,
			Sources: []string{hfConfig("Qwen/Qwen3-235B-A22B") + moeSources, qwen3Code, qwen3MoECode},
			Notes: []string{unusedFFN(12288, q235), explicitHeadDim(q235),
				active + " (the card: 22B activated, without saying which parameters it counts)",
				"the original release (max_position_embeddings 40960, rope_theta 1e6), not the 2507 refresh (262144, 5e6); " +
					"the two have the same parameters",
				qwen3Window, qwen3Rope},
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
