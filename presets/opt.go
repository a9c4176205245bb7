package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// optDefaults are OPT's and OPTConfig's: a sequential pre-LayerNorm block
// (do_layer_norm_before true), a learned position table with 2 offset rows
// beyond max_position_embeddings (2048), biases on q/k/v/out_proj and
// fc1/fc2 (enable_bias true), a standard ReLU MLP, multi-head attention and
// an LM head without bias tied to the token embedding (tie_word_embeddings
// true).
func optDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 2048,
		TieWordEmbeddings:     true,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "relu",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionLearned,
		PositionOffset:        optPositionOffset,
		NormsPerLayer:         2,
		AttentionQKVBias:      true,
		AttentionOutBias:      true,
		MLPBias:               true,
	}
}

// optPositionOffset is OPTLearnedPositionalEmbedding's offset: the table
// has max_position_embeddings + 2 rows, and position i reads row i + 2.
const optPositionOffset = 2

const optCode = "transformers modeling_opt.py and configuration_opt.py: embed_tokens (vocab × word_embed_proj_dim), " +
	"embed_positions = OPTLearnedPositionalEmbedding(max_position_embeddings + 2, hidden_size); per layer " +
	"self_attn_layer_norm and final_layer_norm (nn.LayerNorm, weight and bias), q/k/v/out_proj and fc1/fc2 with " +
	"bias=enable_bias (default true); the decoder's final_layer_norm when do_layer_norm_before; lm_head without bias, " +
	"tied to embed_tokens"

const optOffsetNote = "the position table has 2050 rows, not 2048: OPTLearnedPositionalEmbedding adds 2 rows for " +
	"its padding offset (position i reads row i + 2), 2 × hidden_size parameters that every exact count includes; " +
	"keras-hub's OPT, which drops them, counts 2 × hidden_size fewer"

// optSize is one OPT model: OPT paper (Zhang et al. 2022) Table 1's layers,
// heads and d_model, with ffn_dim 4 × d_model.
type optSize struct {
	slug, name, repo string
	layers, heads    int64
	hidden           int64
	notes            []string
}

func optFamily() []Preset {
	var out []Preset
	for _, m := range []optSize{
		{"opt-125m", "OPT-125M", "facebook/opt-125m", 12, 12, 768, nil},
		{"opt-1.3b", "OPT-1.3B", "facebook/opt-1.3b", 24, 32, 2048, nil},
		{"opt-2.7b", "OPT-2.7B", "facebook/opt-2.7b", 32, 32, 2560, nil},
		{"opt-6.7b", "OPT-6.7B", "facebook/opt-6.7b", 32, 32, 4096, nil},
		{"opt-13b", "OPT-13B", "facebook/opt-13b", 40, 40, 5120, []string{
			"the vLLM paper (Kwon et al. 2023, §3) sizes OPT-13B's KV cache at 800 KB per token: 2 (key and value) × 5120 × " +
				"40 layers × 2 bytes (FP16) = 819,200 bytes, 800 KiB, which memory.kv_cache_bytes_per_token gives in fp16",
			"config.json's output_projection true is a metaseq key that OPTConfig ignores: the LM head is the tied lm_head",
		}},
		{"opt-30b", "OPT-30B", "facebook/opt-30b", 48, 56, 7168, nil},
		{"opt-66b", "OPT-66B", "facebook/opt-66b", 64, 72, 9216, nil},
		{"opt-175b", "OPT-175B", "", 96, 96, 12288, []string{
			"OPT-175B's weights are released on request through metaseq, not on the Hugging Face Hub; its shape is the paper's " +
				"Table 1 (96 layers, 96 heads, d_model 12288) and the vocabulary, context and block the smaller models' config.json files share",
		}},
	} {
		source := fmt.Sprintf("Hugging Face %s config.json: vocab_size, hidden_size, ffn_dim, num_hidden_layers, "+
			"num_attention_heads, max_position_embeddings, do_layer_norm_before, word_embed_proj_dim, activation_function", m.repo)
		if m.repo == "" {
			source = "Zhang et al. 2022 (OPT), Table 1: 96 layers, 96 heads, d_model 12288; ffn_dim 4 × d_model, vocabulary 50272 " +
				"and context 2048 as in every OPT config.json"
		}
		out = append(out, Preset{
			Slug: m.slug, Name: m.name, Family: "OPT",
			Config: shaped(optDefaults(), scale.Config{
				VocabSize: 50272, HiddenSize: m.hidden, NumHiddenLayers: m.layers, NumAttentionHeads: m.heads,
				NumKeyValueHeads: m.heads, IntermediateSize: 4 * m.hidden, MaxPositionEmbeddings: 2048,
			}),
			Sources: []string{source, optCode,
				fmt.Sprintf("Zhang et al. 2022 (OPT), Table 1: %d layers, %d heads, d_model %d", m.layers, m.heads, m.hidden)},
			Notes: append([]string{optOffsetNote,
				"config.json has no tie_word_embeddings key; OPTConfig's default (true) ties lm_head to embed_tokens"}, m.notes...),
		})
	}
	return out
}

func readOPT(f *hfFields) scale.Config {
	d := optDefaults()
	c := d
	f.shape(&c, "hidden_size", "num_hidden_layers", "num_attention_heads")
	c.NumKeyValueHeads = c.NumAttentionHeads // OPTAttention: k_proj and v_proj are hidden_size × hidden_size
	f.alias("num_key_value_heads", "num_attention_heads")
	f.follows("num_key_value_heads")
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "hidden_size", "num_attention_heads")
	c.IntermediateSize = f.required("ffn_dim")
	f.alias("intermediate_size", "ffn_dim")
	f.alias("hidden_act", "activation_function")
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, "opt default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	c.HiddenAct = f.stringOr("activation_function", d.HiddenAct)
	bias := f.boolOr("enable_bias", true) // q/k/v/out_proj and fc1/fc2 alike
	c.AttentionQKVBias, c.AttentionOutBias, c.MLPBias = bias, bias, bias

	f.unmodelled(!f.boolOr("do_layer_norm_before", true), "do_layer_norm_before",
		"post-LayerNorm OPT (opt-350m) has no final layer norm in transformers and is not modelled")
	f.unmodelled(f.boolOr("_remove_final_layer_norm", false), "_remove_final_layer_norm",
		"an OPT decoder without its final layer norm is not modelled")
	f.unmodelled(!f.boolOr("layer_norm_elementwise_affine", true), "layer_norm_elementwise_affine",
		"LayerNorms without weight and bias are not modelled")
	if p, ok := f.optional("word_embed_proj_dim"); ok && p != c.HiddenSize {
		f.unmodelled(true, "word_embed_proj_dim",
			"an embedding narrower or wider than hidden_size, with project_in and project_out (opt-350m), is not modelled")
	}
	return c
}
