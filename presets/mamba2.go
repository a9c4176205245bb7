package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// mamba2Defaults are Mamba2Config's (model_type mamba2): every layer an
// RMSNorm, a Mamba-2 mixer and a residual add, no attention and no MLP;
// 128 heads of 64, state 128, 8 groups, conv kernel 4 with bias, no
// projection bias, expand 2, chunks of 256; an untied LM head.
func mamba2Defaults() scale.Config {
	return scale.Config{
		VocabSize: 32768, HiddenSize: 4096, NumHiddenLayers: 64, MaxPositionEmbeddings: 2048,
		MLP: scale.MLPGated, HiddenAct: "silu", Norm: scale.RMSNorm, PositionEmbedding: scale.PositionNone, NormsPerLayer: 2,
		Mamba2NumHeads: 128, Mamba2HeadDim: 64, Mamba2StateSize: 128, Mamba2NGroups: 8, Mamba2ConvKernel: 4,
		Mamba2ChunkSize: 256, Mamba2ConvBias: true,
	}
}

const mamba2Code = "transformers modeling_mamba2.py: Mamba2Block = norm (Mamba2RMSNorm h) → Mamba2Mixer → residual add; " +
	"Mamba2Mixer: in_proj h → intermediate_size + conv_dim + num_heads (bias where use_bias says), conv1d over conv_dim = " +
	"intermediate_size + 2·n_groups·state_size channels (kernel conv_kernel, bias where use_conv_bias says), dt_bias, " +
	"A_log and D of num_heads, MambaRMSNormGated(intermediate_size), out_proj (bias where use_bias says), with " +
	"intermediate_size = expand × hidden_size, reshaped to num_heads × head_dim; embeddings, norm_f, lm_head (tied where " +
	"tie_word_embeddings says); Mamba2Cache: conv_states conv_dim × conv_kernel, ssm_states num_heads × head_dim × state_size"

// mamba2Fields is where Mamba2Config keeps the Mamba-2 fields.
var mamba2Fields = mamba2Names{heads: "num_heads", headDim: "head_dim", state: "state_size", groups: "n_groups",
	kernel: "conv_kernel", chunk: "chunk_size", projBias: "use_bias", convBias: "use_conv_bias"}

// mamba2Layers is n Mamba-2 layers without attention or MLP.
func mamba2Layers(n int) []scale.LayerShape {
	layers := make([]scale.LayerShape, n)
	for i := range layers {
		layers[i] = scale.LayerShape{Attention: scale.PartMamba2, MLP: scale.PartNone}
	}
	return layers
}

func mamba2Family() []Preset {
	return []Preset{{
		Slug: "mamba2-2.7b", Name: "Mamba-2 2.7B", Family: "Mamba-2",
		Config: shaped(mamba2Defaults(), scale.Config{
			VocabSize: 50288, HiddenSize: 2560, NumHiddenLayers: 64, TieWordEmbeddings: true,
			Mamba2NumHeads: 80, Mamba2NGroups: 1, Layers: mamba2Layers(64),
		}),
		Sources: []string{
			"Hugging Face config.json of Mamba-2 2.7B in transformers' format (state-spaces/mamba2-2.7b converted): " +
				"vocab_size (50277 padded to a multiple of 16), hidden_size, num_hidden_layers, num_heads, head_dim, " +
				"state_size, n_groups, conv_kernel, expand, chunk_size, use_bias, use_conv_bias, tie_word_embeddings",
			mamba2Code,
		},
		Notes: []string{
			"no attention and no MLP: every layer is an RMSNorm and a Mamba-2 mixer; there is no KV cache, only the recurrent state",
			"max_position_embeddings is not a Mamba2Config field: the context is unbounded; tscale keeps 2048 as the report's default sequence",
			"Dao and Gu 2024 (arXiv 2405.21060) name it Mamba-2 2.7B; no exact count is published",
		},
	}}
}

// readMamba2 reads model_type mamba2. The mixer's width is expand ×
// hidden_size, which num_heads × head_dim must equal (the modelling code
// reshapes the one into the other).
func readMamba2(f *hfFields) scale.Config {
	d := mamba2Defaults()
	c := d
	c.VocabSize = f.required("vocab_size")
	c.HiddenSize = f.required("hidden_size")
	c.NumHiddenLayers = f.layers("num_hidden_layers")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	c.HiddenAct = f.stringOr("hidden_act", d.HiddenAct)
	f.mamba2(&c, d, mamba2Fields)
	f.timeStepLimit("time_step_limit")
	expand := f.intOr("expand", 2, "mamba2 default")
	inner := f.mul("expand × hidden_size", expand, c.HiddenSize)
	if c.Mamba2NumHeads > 0 && c.Mamba2HeadDim > 0 && f.mul("num_heads × head_dim", c.Mamba2NumHeads, c.Mamba2HeadDim) != inner {
		f.errorf(ErrInvalidValue, "num_heads", "%s × %s (%d × %d) is not expand × hidden_size (%d), the mixer's width",
			f.name("num_heads"), f.name("head_dim"), c.Mamba2NumHeads, c.Mamba2HeadDim, inner)
	}
	if c.NumHiddenLayers > 0 && c.NumHiddenLayers <= scale.MaxLayers {
		c.Layers = mamba2Layers(int(c.NumHiddenLayers))
	}
	f.notes = append(f.notes, fmt.Sprintf("mamba2: %d Mamba-2 layers, no attention, no MLP; the report's sequence defaults to %d "+
		"(Mamba2Config has no max_position_embeddings)", c.NumHiddenLayers, c.MaxPositionEmbeddings))
	return c
}
