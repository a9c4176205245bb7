package presets

import "github.com/tscale/tscale/scale"

// dots1Defaults are dots.llm1's (model_type dots1) and Dots1Config's:
// Qwen3's attention (q/k/v/o with bias only where attention_bias says,
// q_norm and k_norm RMSNorm(head_dim)) with DeepSeek-V3's experts (a router
// without bias whose e_score_correction_bias is a buffer, routed experts of
// moe_intermediate_size and one shared MLP of n_shared_experts ×
// moe_intermediate_size, the layers before first_k_dense_replace dense),
// 32 KV heads, an untied LM head and a context of 2048.
func dots1Defaults() scale.Config {
	c := llamaDefaults()
	c.QKNorm = true
	c.NumKeyValueHeads = 32
	c.RouterScoreBias = true
	return c
}

const dots1Code = "transformers modular_dots1.py: Dots1Attention is Qwen3Attention (q/k/v/o with bias where attention_bias " +
	"says, q_norm and k_norm RMSNorm(head_dim), head_dim hidden_size / num_attention_heads unless config.json sets it); " +
	"Dots1MoE is DeepseekV3MoE (router weight [n_routed_experts, hidden] without bias and an e_score_correction_bias " +
	"buffer, n_routed_experts gated experts of moe_intermediate_size, shared_experts one MLP of n_shared_experts × " +
	"moe_intermediate_size) on layers from first_k_dense_replace on, a dense MLP of intermediate_size before; " +
	"RMSNorms; lm_head untied by default"

func dots1Family() []Preset {
	return []Preset{{
		Slug: "dots.llm1", Name: "dots.llm1 (142B-A14B)", Family: "dots.llm1",
		Config: sharedMoE(dots1Defaults(), scale.Config{
			VocabSize: 152064, HiddenSize: 4096, NumHiddenLayers: 62, NumAttentionHeads: 32, NumKeyValueHeads: 32,
			IntermediateSize: 10944, MaxPositionEmbeddings: 32768,
			NumLocalExperts: 128, NumExpertsPerTok: 6, MoEIntermediateSize: 1408, NumSharedExperts: 2,
			FirstKDenseReplace: 1,
		}),
		Sources: []string{
			"Hugging Face rednote-hilab/dots.llm1.base config.json: vocab_size, hidden_size, intermediate_size, " +
				"moe_intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, n_routed_experts, " +
				"n_shared_experts, num_experts_per_tok, first_k_dense_replace, attention_bias, max_position_embeddings, " +
				"tie_word_embeddings (the .inst model has the same architecture)",
			dots1Code,
			"rednote hilab, dots.llm1 technical report (arXiv 2506.05767) and model card: 142B total parameters, 14B " +
				"activated, 62 layers, 128 routed experts with 6 per token and 2 shared experts, QK-norm",
		},
		Notes: []string{
			"layer 0 is dense (first_k_dense_replace 1); layers 1–61 are MoE",
			"head_dim absent: hidden_size / num_attention_heads = 128; q_norm and k_norm are RMSNorm(128), shared by the heads",
			"e_score_correction_bias (128 per MoE layer) is a buffer in transformers (register_buffer), so " +
				"num_parameters(), and tscale, leave it out",
			"sliding_window and max_window_layers make no layer windowed: Dots1Config's layer_types marks layer i " +
				"sliding only from max_window_layers (62) on",
			"params.active is 14.02B with the embedding and head, 12.77B without them: the card's 14B activated",
		},
	}}
}

func readDots1(f *hfFields) scale.Config {
	d := dots1Defaults()
	c := f.decoder(d)
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.IntermediateSize = f.required("intermediate_size")
	c.NumLocalExperts = f.required("n_routed_experts") // Dots1Config: None, which DeepseekV3MoE cannot build
	c.NumExpertsPerTok = f.required("num_experts_per_tok")
	c.MoEIntermediateSize = f.required("moe_intermediate_size")
	f.alias("num_local_experts", f.name("n_routed_experts"))
	f.sharedExperts(&c, f.required("n_shared_experts"))
	c.FirstKDenseReplace = f.intOr("first_k_dense_replace", 0, "dots1 default")
	c.RouterScoreBias = d.RouterScoreBias
	if c.FirstKDenseReplace == 0 {
		c.IntermediateSize = 0 // every layer MoE: no dense MLP
	}
	// Dots1Config's layer_types: sliding from max_window_layers on where
	// sliding_window is set (4096 and 62 by default); a listed layer_types
	// decides.
	c.SlidingWindow = f.slidingWindow(4096)
	if !f.layerTypes(&c) && c.SlidingWindow > 0 {
		from := f.intOr("max_window_layers", 62, "dots1 default")
		f.alias("window_from_layer", f.name("max_window_layers"))
		if c.NumHiddenLayers > 0 && from < c.NumHiddenLayers {
			c.WindowFromLayer = max(from, 0)
		} else {
			c.SlidingWindow = 0 // no layer reaches max_window_layers
		}
	}
	if c.SlidingWindow > 0 {
		f.notes = append(f.notes, describeLayerTypes(c))
	}
	return c
}
