package presets

import "github.com/tscale/tscale/scale"

// graniteDefaults are Granite's (model_type granite, Granite 3.x) and
// GraniteConfig's: the Llama block and LlamaConfig's defaults (no biases
// unless attention_bias or mlp_bias say, an untied LM head, a context of
// 2048). Its four multipliers scale activations and own no parameters.
func graniteDefaults() scale.Config { return llamaDefaults() }

const graniteCode = "transformers modular_granite.py: GraniteAttention, GraniteDecoderLayer and GraniteModel are Llama's " +
	"(q/k/v/o with bias where attention_bias says, gate/up/down where mlp_bias says, input_layernorm and " +
	"post_attention_layernorm RMSNorms, final norm, lm_head tied where tie_word_embeddings says) with " +
	"embedding_multiplier, attention_multiplier, residual_multiplier and logits_scaling"

// graniteMultipliers says what Granite's multipliers do and that they
// change no count.
const graniteMultipliers = "embedding_multiplier scales the embeddings, attention_multiplier replaces 1/√head_dim as " +
	"the softmax scale, residual_multiplier scales each sublayer's output before the residual add and logits_scaling " +
	"divides the logits: elementwise, no parameters and no matmul FLOPs, so they change no count"

func graniteFamily() []Preset {
	return []Preset{{
		Slug: "granite-3.3-8b", Name: "Granite 3.3 8B", Family: "Granite",
		Config: shaped(graniteDefaults(), scale.Config{
			VocabSize: 49159, HiddenSize: 4096, NumHiddenLayers: 40, NumAttentionHeads: 32, NumKeyValueHeads: 8,
			IntermediateSize: 12800, MaxPositionEmbeddings: 131072, TieWordEmbeddings: true,
		}),
		Sources: []string{
			hfConfig("ibm-granite/granite-3.3-8b-instruct") + ", attention_bias, mlp_bias (the base model has the same architecture)",
			graniteCode,
		},
		Notes: []string{
			"embeddings tied: config.json says tie_word_embeddings true, where GraniteConfig's default is false",
			graniteMultipliers + " (config.json: 12.0, 0.0078125 = 1/128, 0.22 and 16.0)",
			"the config.json read is granite-3.3-8b-instruct's; the base and instruct checkpoints both hold 8,170,864,640 " +
				"parameters (HF safetensors counts)",
		},
	}}
}

func readGranite(f *hfFields) scale.Config {
	c := f.llama(graniteDefaults())
	for _, m := range []string{"embedding_multiplier", "attention_multiplier", "residual_multiplier", "logits_scaling"} {
		if _, ok := f.value(m); ok {
			f.notes = append(f.notes, graniteMultipliers)
			break
		}
	}
	return c
}
