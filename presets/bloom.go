package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// bloomDefaults are BLOOM's and BloomConfig's: ALiBi (no position
// parameters), a LayerNorm over the word embeddings
// (word_embeddings_layernorm), a sequential pre-LayerNorm block, a fused
// query_key_value and a dense projection with biases, a standard GELU MLP
// of 4 × hidden_size with biases and an LM head without bias tied to the
// embedding. BloomConfig has no context length; 2048 is BLOOM's training
// sequence length.
func bloomDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: bloomContext,
		TieWordEmbeddings:     true,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "bloom_gelu",
		Norm:                  scale.LayerNorm,
		PositionEmbedding:     scale.PositionALiBi,
		EmbeddingNorm:         true,
		NormsPerLayer:         2,
		AttentionQKVBias:      true,
		AttentionOutBias:      true,
		MLPBias:               true,
	}
}

// bloomContext is the sequence length BLOOM was trained on (the BLOOM
// paper, Le Scao et al. 2022, and its model cards); with ALiBi the model
// itself has no limit.
const bloomContext = 2048

const bloomCode = "transformers modeling_bloom.py and configuration_bloom.py: word_embeddings; word_embeddings_layernorm " +
	"(nn.LayerNorm, weight and bias); per layer input_layernorm and post_attention_layernorm (nn.LayerNorm), " +
	"query_key_value = Linear(h, 3h) and dense = Linear(h, h) with bias, dense_h_to_4h = Linear(h, 4h) and " +
	"dense_4h_to_h with bias (the MLP width is 4 × hidden_size, fixed); ln_f; lm_head without bias, tied to " +
	"word_embeddings; ALiBi slopes are computed per head, not learned; BloomGelu is the tanh approximation of GELU"

const bloomContextNote = "BLOOM uses ALiBi and BloomConfig has no max_position_embeddings: the preset's context is the " +
	"2048-token training sequence length, which limits nothing in the count"

func bloomFamily() []Preset {
	var out []Preset
	for _, m := range []struct {
		slug, name, repo      string
		hidden, layers, heads int64
		published             string
	}{
		{"bloom-560m", "BLOOM-560M", "bigscience/bloom-560m", 1024, 24, 16, "559,214,592"},
		{"bloom-7b1", "BLOOM-7B1", "bigscience/bloom-7b1", 4096, 30, 32, "7,069,016,064"},
		{"bloom-176b", "BLOOM (176B)", "bigscience/bloom", 14336, 70, 112, "176,247,271,424"},
	} {
		out = append(out, Preset{
			Slug: m.slug, Name: m.name, Family: "BLOOM",
			Config: shaped(bloomDefaults(), scale.Config{
				VocabSize: 250880, HiddenSize: m.hidden, NumHiddenLayers: m.layers, NumAttentionHeads: m.heads,
				NumKeyValueHeads: m.heads, IntermediateSize: 4 * m.hidden, MaxPositionEmbeddings: bloomContext,
			}),
			Sources: []string{
				fmt.Sprintf("Hugging Face %s config.json: vocab_size, hidden_size (n_embed), n_layer, n_head "+
					"(num_attention_heads)", m.repo),
				bloomCode,
				fmt.Sprintf("the %s model card: %s parameters", m.repo, m.published),
			},
			Notes: []string{
				bloomContextNote,
				"the word-embedding LayerNorm (2 × hidden_size) is counted in params.non_embedding; params.embedding is " +
					"the token table alone",
				"vocabulary 250880: the tokenizer's 250,680 tokens padded; the padded rows are parameters",
			},
		})
	}
	return out
}

func readBloom(f *hfFields) scale.Config {
	d := bloomDefaults()
	c := d
	// BloomConfig takes n_embed for hidden_size, and num_hidden_layers and
	// num_attention_heads (its attribute_map) for n_layer and n_head; where
	// a file has both, the second of each pair is what it keeps.
	pick := func(name, alt string) string {
		if _, ok := f.value(alt); ok {
			return alt
		}
		return name
	}
	hidden, layers, heads := pick("hidden_size", "n_embed"), pick("n_layer", "num_hidden_layers"), pick("n_head", "num_attention_heads")
	c.VocabSize = f.required("vocab_size")
	c.HiddenSize = f.required(hidden)
	c.NumHiddenLayers = f.layers(layers)
	c.NumAttentionHeads = f.required(heads)
	f.alias("hidden_size", hidden)
	f.alias("num_attention_heads", heads)
	f.alias("num_key_value_heads", heads)
	c.NumKeyValueHeads = c.NumAttentionHeads // query_key_value is h → 3h
	f.follows("num_key_value_heads")
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, hidden, heads)
	f.alias("intermediate_size", "intermediate_size (4 × "+hidden+")")
	f.followsIf(c.HiddenSize <= 0, "intermediate_size")
	c.IntermediateSize = f.mul("4 × "+hidden, 4, c.HiddenSize) // BloomMLP: dense_h_to_4h is h → 4h
	if n, ok := f.optional("n_inner"); ok && n != c.IntermediateSize {
		f.unmodelled(true, "n_inner", "transformers' BloomMLP is 4 × hidden_size wide whatever n_inner says")
	}
	f.alias("max_position_embeddings", "seq_length")
	c.MaxPositionEmbeddings = f.intOr("seq_length", d.MaxPositionEmbeddings,
		"BloomConfig has no context length (ALiBi); BLOOM's training sequence length")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	if f.boolOr("apply_residual_connection_post_layernorm", false) {
		f.notes = append(f.notes, "apply_residual_connection_post_layernorm true: the residual is taken after the "+
			"norm; the same parameters and FLOPs")
	}
	return c
}
