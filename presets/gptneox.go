package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// gptNeoXDefaults are GPT-NeoX's and GPTNeoXConfig's: a parallel block
// (use_parallel_residual true: x + attn(ln1(x)) + mlp(ln2(x))) with two
// LayerNorms per layer, a fused query_key_value and a dense output
// projection with biases (attention_bias true), a standard GELU MLP with
// biases, rotary embeddings on rotary_pct (0.25) of each head, an untied
// LM head (embed_out) without bias and a context of 2048.
func gptNeoXDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 2048,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "gelu",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionRoPE,
		ParallelBlock:         true,
		NormsPerLayer:         2,
		AttentionQKVBias:      true,
		AttentionOutBias:      true,
		MLPBias:               true,
	}
}

const gptNeoXCode = "transformers modeling_gpt_neox.py and configuration_gpt_neox.py: embed_in; per layer input_layernorm " +
	"and post_attention_layernorm (nn.LayerNorm, weight and bias; both built whether or not the residual is parallel), " +
	"query_key_value = Linear(h, 3h) and dense = Linear(h, h) with bias=attention_bias (default true), dense_h_to_4h " +
	"and dense_4h_to_h with bias; final_layer_norm; embed_out = Linear(h, vocab) without bias, untied " +
	"(tie_word_embeddings default false); a fused projection has the parameters and FLOPs of its parts"

const gptNeoXRotary = "rotary_pct 0.25: RoPE rotates 25% of each head's dimensions and passes the rest through; " +
	"rotary embeddings have no parameters and no matmul, whatever their width"

// pythiaNonEmbedding is the note that ties a Pythia preset to the suite's
// own table, whose non-embedding count leaves out embed_in and embed_out.
const pythiaNonEmbedding = "the Pythia README and paper (Biderman et al. 2023, Table 1) count non-embedding parameters " +
	"without embed_in and embed_out: params.non_embedding less the untied LM head (Kaplan's N)"

func gptNeoXFamily() []Preset {
	out := []Preset{{
		Slug: "gpt-neox-20b", Name: "GPT-NeoX-20B", Family: "GPT-NeoX",
		Config: shaped(gptNeoXDefaults(), scale.Config{
			VocabSize: 50432, HiddenSize: 6144, NumHiddenLayers: 44, NumAttentionHeads: 64, NumKeyValueHeads: 64,
			IntermediateSize: 24576, MaxPositionEmbeddings: 2048, HiddenAct: "gelu_fast",
		}),
		Sources: []string{
			hfConfig("EleutherAI/gpt-neox-20b") + ", rotary_pct, use_parallel_residual",
			gptNeoXCode,
			"the EleutherAI/gpt-neox-20b model card: n_parameters 20,554,567,680, 44 layers, d_model 6144, 64 heads; " +
				"Black et al. 2022 (GPT-NeoX-20B)",
		},
		Notes: []string{
			gptNeoXRotary,
			"config.json has no use_parallel_residual key (it predates it); GPTNeoXConfig's default (true) is the parallel block " +
				"the model was trained with",
			"vocabulary 50432: the embedding is padded beyond the tokenizer's tokens (for tensor parallelism); the padded rows are parameters",
		},
	}}
	for _, m := range []struct {
		slug, name          string
		layers, hidden, hds int64
		vocab               int64
	}{
		{"pythia-70m", "Pythia-70M", 6, 512, 8, 50304},
		{"pythia-160m", "Pythia-160M", 12, 768, 12, 50304},
		{"pythia-410m", "Pythia-410M", 24, 1024, 16, 50304},
		{"pythia-1b", "Pythia-1B", 16, 2048, 8, 50304},
		{"pythia-1.4b", "Pythia-1.4B", 24, 2048, 16, 50304},
		{"pythia-2.8b", "Pythia-2.8B", 32, 2560, 32, 50304},
		{"pythia-6.9b", "Pythia-6.9B", 32, 4096, 32, 50432},
		{"pythia-12b", "Pythia-12B", 36, 5120, 40, 50688},
	} {
		out = append(out, Preset{
			Slug: m.slug, Name: m.name, Family: "Pythia",
			Config: shaped(gptNeoXDefaults(), scale.Config{
				VocabSize: m.vocab, HiddenSize: m.hidden, NumHiddenLayers: m.layers, NumAttentionHeads: m.hds,
				NumKeyValueHeads: m.hds, IntermediateSize: 4 * m.hidden, MaxPositionEmbeddings: 2048,
			}),
			Sources: []string{
				hfConfig("EleutherAI/"+m.slug) + ", rotary_pct, use_parallel_residual",
				gptNeoXCode,
				fmt.Sprintf("Biderman et al. 2023 (Pythia), Table 1: %d layers, model dim %d, %d heads", m.layers, m.hidden, m.hds),
			},
			Notes: []string{
				gptNeoXRotary, pythiaNonEmbedding,
				fmt.Sprintf("vocabulary %d: the embedding is padded beyond the GPT-NeoX-20B tokenizer's tokens (for tensor parallelism); the padded rows are parameters", m.vocab),
			},
		})
	}
	return out
}

func readGPTNeoX(f *hfFields) scale.Config {
	d := gptNeoXDefaults()
	c := d
	f.shape(&c, "hidden_size", "num_hidden_layers", "num_attention_heads")
	c.NumKeyValueHeads = c.NumAttentionHeads // query_key_value is h → 3h: one K and V head per query head
	f.alias("num_key_value_heads", "num_attention_heads")
	f.follows("num_key_value_heads")
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "hidden_size", "num_attention_heads")
	c.IntermediateSize = f.required("intermediate_size")
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, "gpt_neox default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	c.HiddenAct = f.stringOr("hidden_act", d.HiddenAct)
	// Parallel or sequential, a layer has input_layernorm and
	// post_attention_layernorm: two norms either way.
	c.ParallelBlock = f.boolOr("use_parallel_residual", d.ParallelBlock)
	bias := f.boolOr("attention_bias", true) // query_key_value and dense alike; the MLP always has biases
	c.AttentionQKVBias, c.AttentionOutBias = bias, bias
	return c
}
