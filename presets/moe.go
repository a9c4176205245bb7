package presets

import "tscale/scale"

// deepseekMoE is DeepSeek-V2/V3's decoder: MLA attention and DeepSeekMoE
// (shared experts, fine-grained routed experts, dense first layers), RMSNorm,
// SiLU gated MLPs without bias and an untied LM head.
func deepseekMoE(vocab, hidden, layers, heads, qLoraRank, denseFFN, expertFFN, experts, perToken, shared, firstDense int64) scale.Config {
	c := llamaBlock(vocab, hidden, layers, heads, heads, denseFFN, 163840)
	c.KVLoraRank, c.QLoraRank = 512, qLoraRank
	c.QKNopeHeadDim, c.QKRopeHeadDim, c.VHeadDim = 128, 64, 128
	c.HeadDim = c.QKNopeHeadDim + c.QKRopeHeadDim
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = experts, perToken, expertFFN
	c.NumSharedExperts, c.SharedExpertIntermediateSize = shared, shared*expertFFN
	c.FirstKDenseReplace = firstDense
	return c
}

const deepseekCode = "transformers modeling_deepseek_v2.py / modeling_deepseek_v3.py and the repos' modeling_deepseek.py: " +
	"q_a_proj, q_a_layernorm and q_b_proj (or one q_proj when q_lora_rank is null), kv_a_proj_with_mqa, kv_a_layernorm, " +
	"kv_b_proj, o_proj, no biases; the shared experts form one MLP of n_shared_experts × moe_intermediate_size; " +
	"layers before first_k_dense_replace are dense with intermediate_size"

const deepseekFields = "config.json: vocab_size, hidden_size, intermediate_size, moe_intermediate_size, num_hidden_layers, " +
	"num_attention_heads, q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim, n_shared_experts, " +
	"n_routed_experts, num_experts_per_tok, first_k_dense_replace, moe_layer_freq 1, max_position_embeddings, tie_word_embeddings"

func deepseekMoEFamily() []Preset {
	v3 := deepseekMoE(129280, 7168, 61, 128, 1536, 18432, 2048, 256, 8, 1, 3)
	v3.RouterBias = true
	mlaNote := "multi-head latent attention: the KV cache holds the 512-wide latent and the 64-wide rotary key per token per " +
		"layer; FLOPs are counted as trained, with keys and values expanded per head"
	return []Preset{
		{
			Slug: "deepseek-v2-lite", Name: "DeepSeek-V2-Lite", Family: "DeepSeek",
			Config:  deepseekMoE(102400, 2048, 27, 16, 0, 10944, 1408, 64, 6, 2, 1),
			Sources: []string{"Hugging Face deepseek-ai/DeepSeek-V2-Lite " + deepseekFields, deepseekCode},
			Notes:   []string{"q_lora_rank is null: one q_proj and no q_a_layernorm", mlaNote},
		},
		{
			Slug: "deepseek-v2", Name: "DeepSeek-V2", Family: "DeepSeek",
			Config:  deepseekMoE(102400, 5120, 60, 128, 1536, 12288, 1536, 160, 6, 2, 1),
			Sources: []string{"Hugging Face deepseek-ai/DeepSeek-V2 " + deepseekFields, deepseekCode},
			Notes: []string{mlaNote, "DeepSeek-V2 (arXiv 2405.04434) Table 1: MLA caches (d_c + d_h^R)·l elements per token, " +
				"d_c = 512 and d_h^R = 64"},
		},
		{
			Slug: "deepseek-coder-v2", Name: "DeepSeek-Coder-V2 (236B)", Family: "DeepSeek",
			Config: deepseekMoE(102400, 5120, 60, 128, 1536, 12288, 1536, 160, 6, 2, 1),
			Sources: []string{"Hugging Face deepseek-ai/DeepSeek-Coder-V2-Instruct " + deepseekFields +
				" (the Base model has the same shapes)", deepseekCode},
			Notes: []string{"DeepSeek-Coder-V2 continues training DeepSeek-V2: the same MLA + MoE architecture " +
				"(the seed tool wrote it as a dense multi-head model)", mlaNote},
		},
		{
			Slug: "deepseek-v3", Name: "DeepSeek-V3", Family: "DeepSeek",
			Config: v3,
			Sources: []string{"Hugging Face deepseek-ai/DeepSeek-V3 " + deepseekFields + ", topk_method noaux_tc",
				deepseekCode + "; noaux_tc routing adds e_score_correction_bias, one value per routed expert"},
			Notes: []string{
				"the 61-layer main model; the multi-token-prediction module (num_nextn_predict_layers 1, stored as layer 61 " +
					"with its own copies of the embedding and head) is not counted: the checkpoint's 685B is 671B main + 14B MTP",
				"e_score_correction_bias (256 per MoE layer, 14,848 in all) is counted as a parameter, as DeepSeek's code " +
					"declares it; transformers registers it as a buffer, so its num_parameters() is 14,848 lower",
				"DeepSeek's README_WEIGHTS gives 36.7B activated parameters; counted from the code, params.active is 37.55B " +
					"(embedding and head included)",
				mlaNote,
			},
		},
	}
}

// llama4 is Llama 4's text backbone: chunked attention with every fourth
// layer global, a routed top-1 expert plus a shared expert of the same width.
func llama4(experts, moeInterval, context int64) scale.Config {
	c := llamaBlock(202048, 5120, 48, 40, 8, 16384, context)
	c.HeadDim = 128
	c.AttentionChunkSize, c.GlobalAttentionInterval = 8192, 4
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = experts, 1, 8192
	c.NumSharedExperts, c.SharedExpertIntermediateSize = 1, 8192
	c.MoELayerInterval = moeInterval
	if moeInterval <= 1 {
		c.IntermediateSize = 0 // every layer is MoE: no dense MLP
	}
	return c
}

func llama4Family() []Preset {
	fields := "text_config: vocab_size, hidden_size, intermediate_size (experts and shared expert), intermediate_size_mlp " +
		"(dense layers), num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim, num_local_experts, " +
		"num_experts_per_tok, interleave_moe_layer_step, attention_chunk_size, no_rope_layers, max_position_embeddings"
	code := "transformers modeling_llama4.py: Llama4TextMoe = router Linear(hidden, num_local_experts) without bias, " +
		"fused experts gate_up_proj [E, hidden, 2·intermediate_size] and down_proj [E, intermediate_size, hidden], and one " +
		"shared expert of intermediate_size; MoE layers at moe_layers = range(step − 1, L, step); layers (i+1) % 4 == 0 " +
		"use global attention without RoPE, the others chunked attention with attention_chunk_size"
	notes := []string{
		"the text backbone only: the vision encoder and projector (871,932,416 parameters) are not counted",
		"the weightless L2 QK-norm on RoPE layers changes no count",
	}
	return []Preset{
		{
			Slug: "llama-4-scout", Name: "Llama 4 Scout (17B active, 16 experts)", Family: "Llama 4",
			Config:  llama4(16, 1, 262144),
			Sources: []string{"Hugging Face meta-llama/Llama-4-Scout-17B-16E config.json " + fields, code},
			Notes: append([]string{"context 262144 as in the base model's config.json; the Instruct model's config and Meta's " +
				"card give 10M tokens (10485760): run it with -seq 10485760"}, notes...),
		},
		{
			Slug: "llama-4-maverick", Name: "Llama 4 Maverick (17B active, 128 experts)", Family: "Llama 4",
			Config:  llama4(128, 2, 1048576),
			Sources: []string{"Hugging Face meta-llama/Llama-4-Maverick-17B-128E config.json " + fields, code},
			Notes: append([]string{"interleave_moe_layer_step 2: layers 1, 3, …, 47 are MoE, layers 0, 2, …, 46 dense with " +
				"intermediate_size_mlp 16384", "use_qk_norm is false"}, notes...),
		},
	}
}
