package presets

import "tscale/scale"

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

func readGemma(f *hfFields) scale.Config {
	c := f.decoderShape(8192, true, "gelu_pytorch_tanh")
	c.HeadDim = f.intOr("head_dim", 256, "gemma default")
	c.IntermediateSize = f.required("intermediate_size")
	// Gemma's code uses hidden_activation, and the tanh GELU when it is absent.
	c.HiddenAct = f.stringOr("hidden_activation", "gelu_pytorch_tanh")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	return c
}

func readGemma2(f *hfFields) scale.Config {
	c := readGemma(f)
	c.NormsPerLayer = 4 // input, post-attention, pre- and post-feedforward RMSNorms
	c.SlidingWindow = f.slidingWindow(4096)
	if c.SlidingWindow > 0 {
		c.GlobalAttentionInterval = 2 // even layers windowed, odd layers global
	}
	return c
}
