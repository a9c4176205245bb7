package presets

import "github.com/tscale/tscale/scale"

// phiDefaults are Phi's (Phi-1, Phi-1.5, Phi-2): a parallel block whose
// attention and MLP read one LayerNorm, RoPE, a standard GELU MLP, biases on
// every linear and on the LM head, an untied LM head and PhiConfig's
// context of 2048.
func phiDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 2048,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "gelu_new",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionRoPE,
		ParallelBlock:         true,
		NormsPerLayer:         1,
		AttentionQKVBias:      true,
		AttentionOutBias:      true,
		MLPBias:               true,
		LMHeadBias:            true,
	}
}

// phi3Defaults are Phi-3's: the Llama block (fused qkv_proj and
// gate_up_proj count as their parts) with Phi3Config's context of 4096.
func phi3Defaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 4096
	return c
}

func phiFamily() []Preset {
	phi3Code := "transformers modeling_phi3.py: fused qkv_proj and gate_up_proj without bias, RMSNorm, untied lm_head; " +
		"a fused projection has the parameters and FLOPs of its parts"
	phi3Window := "config.json sets sliding_window 2047 and transformers' modeling_phi3.py applies it on every attention path " +
		"(restored to the eager/sdpa mask by transformers PR #33586), so each query scores its last 2047 keys; the flash-attention " +
		"path passes window_size=(2047, 2047) and sees 2048, vLLM notes the same off-by-one — tscale follows the mask (2047)"
	return []Preset{
		{
			Slug: "phi-2", Name: "Phi-2", Family: "Phi",
			Config: shaped(phiDefaults(), scale.Config{
				VocabSize: 51200, HiddenSize: 2560, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
				HeadDim: 80, IntermediateSize: 10240, MaxPositionEmbeddings: 2048,
			}),
			Sources: []string{
				hfConfig("microsoft/phi-2") + ", partial_rotary_factor",
				"transformers modeling_phi.py: q/k/v/dense and fc1/fc2 with biases, one input_layernorm per layer read by " +
					"attention and MLP (parallel block), final_layernorm, lm_head with bias",
			},
			Notes: []string{"partial_rotary_factor 0.4: RoPE on 32 of 80 head dims (no parameters, no matmul)"},
		},
		{
			Slug: "phi-3-mini", Name: "Phi-3 Mini (4k)", Family: "Phi",
			Config: shaped(phi3Defaults(), scale.Config{
				VocabSize: 32064, HiddenSize: 3072, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
				IntermediateSize: 8192, MaxPositionEmbeddings: 4096, SlidingWindow: 2047,
			}),
			Sources: []string{hfConfig("microsoft/Phi-3-mini-4k-instruct") + ", sliding_window", phi3Code},
			Notes:   []string{phi3Window},
		},
		{
			Slug: "phi-3-medium", Name: "Phi-3 Medium (4k)", Family: "Phi",
			Config: shaped(phi3Defaults(), scale.Config{
				VocabSize: 32064, HiddenSize: 5120, NumHiddenLayers: 40, NumAttentionHeads: 40, NumKeyValueHeads: 10,
				IntermediateSize: 17920, MaxPositionEmbeddings: 4096, SlidingWindow: 2047,
			}),
			Sources: []string{hfConfig("microsoft/Phi-3-medium-4k-instruct") + ", sliding_window", phi3Code},
			Notes: []string{
				"vocabulary 32064 and intermediate size 17920 with 10 KV heads (the seed tool had both wrong)",
				phi3Window,
			},
		},
		{
			Slug: "phi-4", Name: "Phi-4", Family: "Phi",
			Config: shaped(phi3Defaults(), scale.Config{
				VocabSize: 100352, HiddenSize: 5120, NumHiddenLayers: 40, NumAttentionHeads: 40, NumKeyValueHeads: 10,
				IntermediateSize: 17920, MaxPositionEmbeddings: 16384,
			}),
			Sources: []string{hfConfig("microsoft/phi-4") + ", sliding_window", phi3Code},
			Notes: []string{
				"model_type phi3 (Phi3ForCausalLM): Phi-3 Medium's block widths with a 100352-token vocabulary and a 16384 context",
				"sliding_window null: full causal attention on every layer (Phi-3's configs set 2047)",
				"head_dim absent: hidden_size / num_attention_heads = 128; rope_scaling null",
				"the config.json copy read may predate a later revision's bos/eos/pad token ids, which change no count",
			},
		},
	}
}

func readPhi(f *hfFields) scale.Config {
	c := f.decoder(phiDefaults())
	c.IntermediateSize = f.required("intermediate_size")
	c.QKNorm = f.boolOr("qk_layernorm", false) // q_layernorm, k_layernorm: LayerNorm(head_dim) with bias
	return c
}

func readPhi3(f *hfFields) scale.Config {
	d := phi3Defaults()
	c := f.decoder(d)
	c.IntermediateSize = f.required("intermediate_size")
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	f.unmodelled(f.boolOr("attention_bias", false), "attention_bias", "Phi-3's qkv_proj and o_proj are modelled without bias")
	return c
}
