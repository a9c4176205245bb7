package presets

import "github.com/tscale/tscale/scale"

// gptJDefaults are GPT-J's and GPTJConfig's: a parallel block whose
// attention and MLP read one LayerNorm (ln_1), q/k/v/out_proj without bias,
// a standard gelu_new MLP (fc_in, fc_out) with biases, rotary embeddings on
// rotary_dim (64) dimensions of each head, an untied LM head with a bias
// and n_positions 2048. n_inner null means 4 × n_embd.
func gptJDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 2048,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "gelu_new",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionRoPE,
		ParallelBlock:         true,
		NormsPerLayer:         1,
		MLPBias:               true,
		LMHeadBias:            true,
	}
}

const gptJCode = "transformers modeling_gptj.py and configuration_gptj.py: wte; per layer ln_1 (nn.LayerNorm, weight and bias) " +
	"read by attention and MLP alike (hidden = attn(ln_1(x)) + mlp(ln_1(x)) + x), q_proj/k_proj/v_proj/out_proj with " +
	"bias=False, fc_in/fc_out nn.Linear with bias, inner dimension n_inner or 4 × n_embd; ln_f; lm_head = " +
	"nn.Linear(n_embd, vocab_size) with bias, untied (tie_word_embeddings default false); the sinusoidal rotary table " +
	"embed_positions is a plain tensor, not a parameter"

func gptJFamily() []Preset {
	return []Preset{{
		Slug: "gpt-j-6b", Name: "GPT-J-6B", Family: "GPT-J",
		Config: shaped(gptJDefaults(), scale.Config{
			VocabSize: 50400, HiddenSize: 4096, NumHiddenLayers: 28, NumAttentionHeads: 16, NumKeyValueHeads: 16,
			IntermediateSize: 4 * 4096, MaxPositionEmbeddings: 2048,
		}),
		Sources: []string{
			"Hugging Face EleutherAI/gpt-j-6b config.json: vocab_size, n_embd, n_layer, n_head, n_inner, n_positions, " +
				"rotary_dim, activation_function, tie_word_embeddings",
			gptJCode,
		},
		Notes: []string{
			"rotary_dim 64: RoPE on 64 of each head's 256 dimensions (no parameters, no matmul)",
			"vocabulary 50400: the embedding is padded beyond the 50257 GPT-2 tokens; the padded rows are parameters",
			"the model card's n_parameters 6,053,381,344 is 2,498,560 = 610 × 4096 more than transformers' count " +
				"(6,050,882,784, which third parties' tensor sums and num_parameters() agree on); the difference is " +
				"consistent with Mesh Transformer JAX counting its 8 model-parallel shards' copies of the replicated vectors " +
				"(per layer ln_1's weight and bias and fc_out's bias, 7 extra copies each: 28 × 21 × 4096; ln_f's two, " +
				"14 × 4096) and the 8 copies of a bias on its embedding projection that the transformers model does not have " +
				"(8 × 4096); tscale counts the transformers model",
		},
	}}
}

func readGPTJ(f *hfFields) scale.Config { return f.gpt2Style(gptJDefaults()) }
