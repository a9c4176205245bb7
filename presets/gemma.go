package presets

import "github.com/tscale/tscale/scale"

// gemmaDefaults are Gemma's: the Llama block with a GeGLU MLP (the tanh
// GELU), embeddings tied to the LM head, and GemmaConfig's head_dim of 256
// and context of 8192.
func gemmaDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 8192
	c.TieWordEmbeddings = true
	c.HiddenAct = "gelu_pytorch_tanh"
	c.HeadDim = 256
	return c
}

// gemma2Defaults are Gemma 2's: Gemma's with four RMSNorms per layer (input,
// post-attention, pre- and post-feedforward) and Gemma2Config's sliding
// window of 4096 tokens on even layers, odd layers global.
func gemma2Defaults() scale.Config {
	c := gemmaDefaults()
	c.NormsPerLayer = 4
	c.SlidingWindow, c.GlobalAttentionInterval = 4096, 2
	return c
}

func gemmaFamily() []Preset {
	code := "transformers modeling_gemma.py: GeGLU MLP (gate, up, down) without bias, RMSNorm, embeddings tied to " +
		"lm_head (tie_word_embeddings defaults to true), head_dim from config.json"
	actNote := "config.json says hidden_act gelu; the modelling code uses the tanh approximation (gelu_pytorch_tanh); no count depends on it"
	return []Preset{
		{
			Slug: "gemma-2b", Name: "Gemma 2B", Family: "Gemma",
			Config: shaped(gemmaDefaults(), scale.Config{
				VocabSize: 256000, HiddenSize: 2048, NumHiddenLayers: 18, NumAttentionHeads: 8, NumKeyValueHeads: 1,
				HeadDim: 256, IntermediateSize: 16384, MaxPositionEmbeddings: 8192,
			}),
			Sources: []string{hfConfig("google/gemma-2b") + ", head_dim", code},
			Notes:   []string{"multi-query attention (1 KV head) with head_dim 256", actNote},
		},
		{
			Slug: "gemma-7b", Name: "Gemma 7B", Family: "Gemma",
			Config: shaped(gemmaDefaults(), scale.Config{
				VocabSize: 256000, HiddenSize: 3072, NumHiddenLayers: 28, NumAttentionHeads: 16, NumKeyValueHeads: 16,
				HeadDim: 256, IntermediateSize: 24576, MaxPositionEmbeddings: 8192,
			}),
			Sources: []string{hfConfig("google/gemma-7b") + ", head_dim", code},
			Notes: []string{
				"16 heads × head_dim 256 = 4096, wider than hidden_size 3072 (the seed tool lost this by taking hidden/heads = 192)",
				actNote,
			},
		},
	}
}

func gemma2Family() []Preset {
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
			Config: shaped(gemma2Defaults(), scale.Config{
				VocabSize: 256000, HiddenSize: 2304, NumHiddenLayers: 26, NumAttentionHeads: 8, NumKeyValueHeads: 4,
				HeadDim: 256, IntermediateSize: 9216, MaxPositionEmbeddings: 8192, SlidingWindow: 4096,
			}),
			Sources: []string{hfConfig("google/gemma-2-2b") + ", head_dim, sliding_window", code},
			Notes:   notes,
		},
		{
			Slug: "gemma-2-9b", Name: "Gemma 2 9B", Family: "Gemma",
			Config: shaped(gemma2Defaults(), scale.Config{
				VocabSize: 256000, HiddenSize: 3584, NumHiddenLayers: 42, NumAttentionHeads: 16, NumKeyValueHeads: 8,
				HeadDim: 256, IntermediateSize: 14336, MaxPositionEmbeddings: 8192, SlidingWindow: 4096,
			}),
			Sources: []string{hfConfig("google/gemma-2-9b") + ", head_dim, sliding_window", code},
			Notes:   notes,
		},
		{
			Slug: "gemma-2-27b", Name: "Gemma 2 27B", Family: "Gemma",
			Config: shaped(gemma2Defaults(), scale.Config{
				VocabSize: 256000, HiddenSize: 4608, NumHiddenLayers: 46, NumAttentionHeads: 32, NumKeyValueHeads: 16,
				HeadDim: 128, IntermediateSize: 36864, MaxPositionEmbeddings: 8192, SlidingWindow: 4096,
			}),
			Sources: []string{hfConfig("google/gemma-2-27b") + ", head_dim, sliding_window", code},
			Notes: append([]string{"intermediate size 36864 (the seed tool had half of it)",
				"query_pre_attn_scalar 144 (= hidden/heads) scales the scores; it changes no count"}, notes...),
		},
	}
}

func readGemma(f *hfFields) scale.Config { return f.gemma(gemmaDefaults()) }

func readGemma2(f *hfFields) scale.Config {
	d := gemma2Defaults()
	c := f.gemma(d)
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	c.GlobalAttentionInterval = 0 // without a window every layer is global
	if c.SlidingWindow > 0 {
		c.GlobalAttentionInterval = d.GlobalAttentionInterval // even layers windowed, odd layers global
	}
	return c
}

// gemma reads what Gemma and Gemma 2 share onto their defaults d.
func (f *hfFields) gemma(d scale.Config) scale.Config {
	c := f.decoderShape(d)
	c.HeadDim = f.intOr("head_dim", d.HeadDim, "gemma default")
	c.IntermediateSize = f.required("intermediate_size")
	// Gemma's code uses hidden_activation, and the tanh GELU when it is absent.
	c.HiddenAct = f.stringOr("hidden_activation", d.HiddenAct)
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	return c
}
