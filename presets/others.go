package presets

import "tscale/scale"

// moe makes a Llama block a mixture of experts of the given expert width.
func moe(c scale.Config, experts, perToken, expertWidth int64) scale.Config {
	c.IntermediateSize = 0 // no dense MLP layers
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = experts, perToken, expertWidth
	return c
}

const mixtralCode = "transformers modeling_mixtral.py: router (gate) Linear(hidden, num_local_experts) without bias; " +
	"each expert a gated SiLU MLP (w1, w3, w2) of intermediate_size"

func mistralFamily() []Preset {
	mistral := llamaBlock(32000, 4096, 32, 32, 8, 14336, 32768)
	mistral.SlidingWindow = 4096
	return []Preset{
		{
			Slug: "mistral-7b", Name: "Mistral 7B (v0.1)", Family: "Mistral",
			Config: mistral,
			Sources: []string{
				hfConfig("mistralai/Mistral-7B-v0.1") + ", sliding_window",
				"transformers modeling_mistral.py: Llama block; every layer attends within sliding_window tokens",
			},
			Notes: []string{"sliding window of 4096 tokens on every layer: query i scores keys i−4095..i, and the KV cache " +
				"holds at most 4096 tokens per layer (Jiang et al. 2023, §2)"},
		},
		{
			Slug: "mixtral-8x7b", Name: "Mixtral 8x7B", Family: "Mixtral",
			Config: moe(llamaBlock(32000, 4096, 32, 32, 8, 0, 32768), 8, 2, 14336),
			Sources: []string{
				hfConfig("mistralai/Mixtral-8x7B-v0.1") + ", num_local_experts, num_experts_per_tok",
				mixtralCode,
			},
			Notes: []string{
				"8 KV heads (the seed tool said 4); the seed also counted only the router as FFN compute",
				"sliding_window is null in the current config (older copies said 4096); attention is full causal",
			},
		},
		{
			Slug: "mixtral-8x22b", Name: "Mixtral 8x22B", Family: "Mixtral",
			Config: moe(llamaBlock(32000, 6144, 56, 48, 8, 0, 65536), 8, 2, 16384),
			Sources: []string{
				hfConfig("mistralai/Mixtral-8x22B-v0.1") + ", num_local_experts, num_experts_per_tok",
				"Mistral AI model weights documentation: Mixtral-8x22B-v0.1 has a 32k (32000) vocabulary; v0.3 and Instruct 32768",
				mixtralCode,
			},
			Notes: []string{"the base v0.1 has vocab_size 32000; Mixtral-8x22B-Instruct-v0.1 has 32768 (9,437,184 more parameters)"},
		},
	}
}

func deepseekLLMFamily() []Preset {
	code := llamaCode + " (DeepSeek LLM uses LlamaForCausalLM)"
	return []Preset{
		{
			Slug: "deepseek-llm-7b", Name: "DeepSeek LLM 7B", Family: "DeepSeek",
			Config:  llamaBlock(102400, 4096, 30, 32, 32, 11008, 4096),
			Sources: []string{hfConfig("deepseek-ai/deepseek-llm-7b-base"), code},
			Notes:   []string{"30 layers and vocabulary 102400 (the seed tool said 32 and 100672); multi-head attention"},
		},
		{
			Slug: "deepseek-llm-67b", Name: "DeepSeek LLM 67B", Family: "DeepSeek",
			Config:  llamaBlock(102400, 8192, 95, 64, 8, 22016, 4096),
			Sources: []string{hfConfig("deepseek-ai/deepseek-llm-67b-base"), code},
			Notes:   []string{"95 layers with grouped-query attention (8 KV heads); the model card gives only \"67 billion\""},
		},
	}
}

// falconBlock is Falcon's parallel block: attention and MLP read the same
// input and add to the residual together; LayerNorm; a standard GELU MLP
// 4 × hidden; no linear biases; RoPE; an LM head tied to the embedding.
func falconBlock(hidden, layers, heads, kvHeads, norms int64) scale.Config {
	return scale.Config{
		VocabSize: 65024, HiddenSize: hidden, NumHiddenLayers: layers,
		NumAttentionHeads: heads, NumKeyValueHeads: kvHeads, HeadDim: hidden / heads,
		IntermediateSize: 4 * hidden, MaxPositionEmbeddings: 2048, TieWordEmbeddings: true,
		MLP: scale.MLPStandard, HiddenAct: "gelu", Norm: scale.LayerNorm, PositionEmbedding: scale.PositionRoPE,
		ParallelBlock: true, NormsPerLayer: norms,
	}
}

const falconCode = "transformers modeling_falcon.py and configuration_falcon.py: parallel_attn, bias false, " +
	"ffn_hidden_size default 4 × hidden_size, max_position_embeddings default 2048, lm_head tied to word_embeddings"

const falconStored = "Falcon checkpoints store lm_head.weight as well as the tied word_embeddings.weight: " +
	"a count of stored tensors (safetensors index) is one embedding matrix higher than params.total"

func falconFamily() []Preset {
	return []Preset{
		{
			Slug: "falcon-7b", Name: "Falcon 7B", Family: "Falcon",
			Config: falconBlock(4544, 32, 71, 1, 1),
			Sources: []string{
				"Hugging Face tiiuae/falcon-7b config.json: vocab_size, hidden_size, n_layer, n_head, multi_query true, " +
					"parallel_attn true, bias false",
				falconCode + "; one input_layernorm shared by attention and MLP when new_decoder_architecture is false",
			},
			Notes: []string{
				"multi-query attention (1 KV head); re-saved configs carry num_kv_heads 71, which the code ignores when multi_query is true",
				"intermediate size 4 × 4544 = 18176 (the seed tool said 11712)",
				falconStored,
			},
		},
		{
			Slug: "falcon-40b", Name: "Falcon 40B", Family: "Falcon",
			Config: falconBlock(8192, 60, 128, 8, 2),
			Sources: []string{
				"Hugging Face tiiuae/falcon-40b config.json: vocab_size, hidden_size, n_layer, n_head 128, n_head_kv 8, " +
					"parallel_attn true, bias false, new_decoder_architecture (in-library config)",
				falconCode + "; new_decoder_architecture has two norms per layer, ln_attn and ln_mlp",
			},
			Notes: []string{
				"8 KV heads for 128 query heads (the seed tool gave multi-query attention)",
				falconStored,
			},
		},
	}
}

func phiFamily() []Preset {
	phi3Code := "transformers modeling_phi3.py: fused qkv_proj and gate_up_proj without bias, RMSNorm, untied lm_head; " +
		"a fused projection has the parameters and FLOPs of its parts"
	phi3Window := "config.json sets sliding_window 2047 and transformers' modeling_phi3.py applies it on every attention path " +
		"(restored to the eager/sdpa mask by transformers PR #33586), so each query scores its last 2047 keys; the flash-attention " +
		"path passes window_size=(2047, 2047) and sees 2048, vLLM notes the same off-by-one — tscale follows the mask (2047)"
	phi3 := func(hidden, layers, heads, kvHeads, ffn int64) scale.Config {
		c := llamaBlock(32064, hidden, layers, heads, kvHeads, ffn, 4096)
		c.SlidingWindow = 2047
		return c
	}
	return []Preset{
		{
			Slug: "phi-2", Name: "Phi-2", Family: "Phi",
			Config: scale.Config{
				VocabSize: 51200, HiddenSize: 2560, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
				HeadDim: 80, IntermediateSize: 10240, MaxPositionEmbeddings: 2048,
				MLP: scale.MLPStandard, HiddenAct: "gelu_new", Norm: scale.LayerNorm, PositionEmbedding: scale.PositionRoPE,
				ParallelBlock: true, NormsPerLayer: 1,
				AttentionQKVBias: true, AttentionOutBias: true, MLPBias: true, LMHeadBias: true,
			},
			Sources: []string{
				hfConfig("microsoft/phi-2") + ", partial_rotary_factor",
				"transformers modeling_phi.py: q/k/v/dense and fc1/fc2 with biases, one input_layernorm per layer read by " +
					"attention and MLP (parallel block), final_layernorm, lm_head with bias",
			},
			Notes: []string{"partial_rotary_factor 0.4: RoPE on 32 of 80 head dims (no parameters, no matmul)"},
		},
		{
			Slug: "phi-3-mini", Name: "Phi-3 Mini (4k)", Family: "Phi",
			Config:  phi3(3072, 32, 32, 32, 8192),
			Sources: []string{hfConfig("microsoft/Phi-3-mini-4k-instruct") + ", sliding_window", phi3Code},
			Notes:   []string{phi3Window},
		},
		{
			Slug: "phi-3-medium", Name: "Phi-3 Medium (4k)", Family: "Phi",
			Config:  phi3(5120, 40, 40, 10, 17920),
			Sources: []string{hfConfig("microsoft/Phi-3-medium-4k-instruct") + ", sliding_window", phi3Code},
			Notes: []string{
				"vocabulary 32064 and intermediate size 17920 with 10 KV heads (the seed tool had both wrong)",
				phi3Window,
			},
		},
	}
}

func gemmaFamily() []Preset {
	gemma := func(hidden, layers, heads, kvHeads, ffn int64) scale.Config {
		c := llamaBlock(256000, hidden, layers, heads, kvHeads, ffn, 8192)
		c.HeadDim = 256 // config.json head_dim, not hidden/heads
		c.HiddenAct = "gelu_pytorch_tanh"
		c.TieWordEmbeddings = true
		return c
	}
	code := "transformers modeling_gemma.py: GeGLU MLP (gate, up, down) without bias, RMSNorm, embeddings tied to " +
		"lm_head (tie_word_embeddings defaults to true), head_dim from config.json"
	actNote := "config.json says hidden_act gelu; the modelling code uses the tanh approximation (gelu_pytorch_tanh); no count depends on it"
	return []Preset{
		{
			Slug: "gemma-2b", Name: "Gemma 2B", Family: "Gemma",
			Config:  gemma(2048, 18, 8, 1, 16384),
			Sources: []string{hfConfig("google/gemma-2b") + ", head_dim", code},
			Notes:   []string{"multi-query attention (1 KV head) with head_dim 256", actNote},
		},
		{
			Slug: "gemma-7b", Name: "Gemma 7B", Family: "Gemma",
			Config:  gemma(3072, 28, 16, 16, 24576),
			Sources: []string{hfConfig("google/gemma-7b") + ", head_dim", code},
			Notes: []string{
				"16 heads × head_dim 256 = 4096, wider than hidden_size 3072 (the seed tool lost this by taking hidden/heads = 192)",
				actNote,
			},
		},
	}
}

func gemma2Family() []Preset {
	gemma2 := func(hidden, layers, heads, kvHeads, headDim, ffn int64) scale.Config {
		c := llamaBlock(256000, hidden, layers, heads, kvHeads, ffn, 8192)
		c.HeadDim = headDim
		c.HiddenAct = "gelu_pytorch_tanh"
		c.TieWordEmbeddings = true
		c.NormsPerLayer = 4
		c.SlidingWindow, c.GlobalAttentionInterval = 4096, 2
		return c
	}
	code := "transformers modeling_gemma2.py: input_layernorm, post_attention_layernorm, pre_feedforward_layernorm and " +
		"post_feedforward_layernorm RMSNorms (4 per layer); sliding_window on even layers " +
		"(`config.sliding_window if not bool(layer_idx % 2)`), global attention on odd layers; embeddings tied"
	notes := []string{
		"head_dim is set in config.json and differs from hidden/heads",
		"attention and final logit soft-capping (tanh) are elementwise: no parameters, no matmul FLOPs",
	}
	return []Preset{
		{
			Slug: "gemma-2-2b", Name: "Gemma 2 2B", Family: "Gemma",
			Config:  gemma2(2304, 26, 8, 4, 256, 9216),
			Sources: []string{hfConfig("google/gemma-2-2b") + ", head_dim, sliding_window", code},
			Notes:   notes,
		},
		{
			Slug: "gemma-2-9b", Name: "Gemma 2 9B", Family: "Gemma",
			Config:  gemma2(3584, 42, 16, 8, 256, 14336),
			Sources: []string{hfConfig("google/gemma-2-9b") + ", head_dim, sliding_window", code},
			Notes:   notes,
		},
		{
			Slug: "gemma-2-27b", Name: "Gemma 2 27B", Family: "Gemma",
			Config:  gemma2(4608, 46, 32, 16, 128, 36864),
			Sources: []string{hfConfig("google/gemma-2-27b") + ", head_dim, sliding_window", code},
			Notes: append([]string{"intermediate size 36864 (the seed tool had half of it)",
				"query_pre_attn_scalar 144 (= hidden/heads) scales the scores; it changes no count"}, notes...),
		},
	}
}

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
