package presets

import "github.com/tscale/tscale/scale"

// apertusDefaults are Apertus's (model_type apertus) and ApertusConfig's:
// the Llama block with a standard (non-gated) MLP up_proj → xIELU →
// down_proj without bias, whose xIELU activation learns two scalars per
// layer (alpha_p and alpha_n), an RMSNorm over head_dim on every query
// and key head (q_norm, k_norm), RMSNorms before attention and the MLP
// (attention_layernorm, feedforward_layernorm), no attention biases
// (attention_bias false), an untied LM head and a context of 65536.
func apertusDefaults() scale.Config {
	c := llamaDefaults()
	c.MLP, c.HiddenAct = scale.MLPStandard, "xielu"
	c.ActivationParams = xieluParams
	c.QKNorm = true
	c.MaxPositionEmbeddings = 65536
	return c
}

// xieluParams is the learned parameters of transformers' XIELUActivation:
// alpha_p and alpha_n, each an nn.Parameter of shape [1] (its beta and eps
// are registered buffers).
const xieluParams = 2

const apertusCode = "transformers modeling_apertus.py: LlamaAttention's q/k/v/o with bias where attention_bias says, " +
	"plus q_norm and k_norm RMSNorm(head_dim); ApertusMLP (NemotronMLP) up_proj and down_proj without bias " +
	"(hard-coded) around ACT2CLS[\"xielu\"] when hidden_act is xielu; attention_layernorm and feedforward_layernorm " +
	"RMSNorms before attention and the MLP; final norm; lm_head untied where tie_word_embeddings says (default false); " +
	"activations.py XIELUActivation: alpha_p and alpha_n nn.Parameter([1]) each, beta and eps register_buffer"

// apertusXIELU says what the xIELU activation adds.
const apertusXIELU = "xIELU learns alpha_p and alpha_n in every layer's MLP: 2 parameters per layer, in params.total as " +
	"num_parameters() counts them; its beta and eps are buffers, which the checkpoint also stores (2 more values per " +
	"layer in the safetensors total)"

func apertusFamily() []Preset {
	qk := "q_norm and k_norm: one RMSNorm over head_dim (128 weights) each, shared by the heads"
	keys := "config.json's qk_norm true, post_norm false and mlp_bias false are keys transformers does not read: they " +
		"describe the block it builds (tscale refuses other values)"
	return []Preset{
		{
			Slug: "apertus-8b", Name: "Apertus 8B (2509)", Family: "Apertus",
			Config: shaped(apertusDefaults(), scale.Config{
				VocabSize: 131072, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 8,
				IntermediateSize: 21504, MaxPositionEmbeddings: 65536,
			}),
			Sources: []string{hfConfig("swiss-ai/Apertus-8B-2509") + " (the Instruct-2509 config has the same architecture)",
				apertusCode},
			Notes: []string{apertusXIELU, qk, keys,
				"a model loaded with transformers reports 8,053,338,176 parameters, this count"},
		},
		{
			Slug: "apertus-70b", Name: "Apertus 70B (2509)", Family: "Apertus",
			Config: shaped(apertusDefaults(), scale.Config{
				VocabSize: 131072, HiddenSize: 8192, NumHiddenLayers: 80, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				IntermediateSize: 43008, MaxPositionEmbeddings: 65536,
			}),
			Sources: []string{hfConfig("swiss-ai/Apertus-70B-2509") + " (the Instruct-2509 config has the same architecture)",
				apertusCode},
			Notes: []string{apertusXIELU, qk, keys, "the card says 70B; no exact count is published"},
		},
	}
}

func readApertus(f *hfFields) scale.Config {
	d := apertusDefaults()
	c := f.decoder(d) // head_dim: hidden_size / num_attention_heads unless the file sets it
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.ActivationParams = 0
	if c.HiddenAct == "xielu" {
		c.ActivationParams = xieluParams
		f.notes = append(f.notes, apertusXIELU)
	}
	// Keys of the Apertus training code, which transformers does not read: a
	// value other than the block it builds describes another model.
	f.unmodelled(!f.boolOr("qk_norm", true), "qk_norm",
		"transformers' ApertusAttention always has q_norm and k_norm (qk_norm true)")
	f.unmodelled(f.boolOr("post_norm", false), "post_norm",
		"transformers' Apertus normalises before attention and the MLP only (post_norm false)")
	f.unmodelled(f.boolOr("mlp_bias", false), "mlp_bias",
		"transformers' ApertusMLP has no bias (mlp_bias false)")
	return c
}
