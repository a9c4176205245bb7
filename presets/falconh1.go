package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// falconH1Defaults are FalconH1Config's (model_type falcon_h1): every layer
// an RMSNorm, Llama attention and a Mamba-2 mixer side by side on it (both
// added to the residual), an RMSNorm and a gated SiLU MLP; Mamba-2 of 128
// heads, 1 group, state 256, conv kernel 4 with bias, mamba_d_ssm 1024, no
// projection biases, no gated norm (mamba_rms_norm false), chunks of 256;
// an untied head.
func falconH1Defaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 8192
	c.Mamba2BesideAttention, c.Mamba2NoNorm = true, true
	c.Mamba2NumHeads, c.Mamba2NGroups, c.Mamba2StateSize, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 128, 1, 256, 4, 256
	c.Mamba2ConvBias = true
	return c
}

const falconH1Code = "transformers modeling_falcon_h1.py: FalconH1DecoderLayer = input_layernorm → self_attn (Llama attention, " +
	"head_dim, bias where attention_bias says) and mamba (FalconH1Mixer: in_proj h → mamba_d_ssm + conv_dim + mamba_n_heads " +
	"with bias where mamba_proj_bias says, conv1d over conv_dim = mamba_d_ssm + 2·mamba_n_groups·mamba_d_state channels of " +
	"kernel mamba_d_conv with bias where mamba_conv_bias says, dt_bias, A_log, D, FalconH1RMSNormGated(mamba_d_ssm) only where " +
	"mamba_rms_norm says, out_proj with bias where projectors_bias says) on the same normed input, both added to the residual → " +
	"pre_ff_layernorm → feed_forward (gate/up/down, bias where mlp_bias says) → residual; final_layernorm, lm_head; the " +
	"µP multipliers scale activations elementwise"

// falconH1Mamba2 is where FalconH1Config keeps the Mamba-2 fields
// (mamba_d_head read apart: it may say "auto").
var falconH1Mamba2 = mamba2Names{heads: "mamba_n_heads", headDim: "mamba_d_head", state: "mamba_d_state",
	groups: "mamba_n_groups", kernel: "mamba_d_conv", chunk: "mamba_chunk_size", projBias: "mamba_proj_bias",
	convBias: "mamba_conv_bias", outBias: "projectors_bias"}

// gatedNorm is c with the Mamba-2 mixers' gated RMSNorm (mamba_rms_norm
// true), which FalconH1Config's default leaves out.
func gatedNorm(c scale.Config) scale.Config {
	c.Mamba2NoNorm = false
	return c
}

func falconH1Family() []Preset {
	return []Preset{{
		Slug: "falcon-h1-0.5b", Name: "Falcon-H1 0.5B", Family: "Falcon-H1",
		Config: shaped(falconH1Defaults(), scale.Config{
			VocabSize: 32784, HiddenSize: 1024, NumHiddenLayers: 36, NumAttentionHeads: 8, NumKeyValueHeads: 2, HeadDim: 64,
			IntermediateSize: 2048, MaxPositionEmbeddings: 16384,
			Mamba2NumHeads: 24, Mamba2HeadDim: 64, Mamba2StateSize: 128, Mamba2ChunkSize: 128,
		}),
		Sources: []string{
			hfConfig("tiiuae/Falcon-H1-0.5B-Base") + ", head_dim, attention_bias, mlp_bias, mamba_d_ssm, mamba_n_heads, " +
				"mamba_d_head, mamba_d_state, mamba_n_groups, mamba_d_conv, mamba_chunk_size, mamba_conv_bias, mamba_proj_bias, " +
				"mamba_rms_norm, projectors_bias, attn_layer_indices",
			falconH1Code,
		},
		Notes: []string{
			"36 layers, each with attention (8 query, 2 KV heads of 64) and a Mamba-2 mixer (24 heads of 64, d_ssm 1536) side by side",
			"mamba_rms_norm false: the Mamba-2 mixers have no gated norm (the gate multiplies elementwise)",
			"the µP multipliers (embedding, lm_head, attention in/out, key, ssm in/out, ssm_multipliers, mlp_multipliers) scale " +
				"activations: no parameters, no matmul FLOPs",
		},
	}, {
		Slug: "falcon-h1-7b", Name: "Falcon-H1 7B", Family: "Falcon-H1",
		Config: gatedNorm(shaped(falconH1Defaults(), scale.Config{
			VocabSize: 130048, HiddenSize: 3072, NumHiddenLayers: 44, NumAttentionHeads: 12, NumKeyValueHeads: 2, HeadDim: 128,
			IntermediateSize: 12288, MaxPositionEmbeddings: 262144,
			Mamba2NumHeads: 24, Mamba2HeadDim: 128, Mamba2ChunkSize: 128,
		})),
		Sources: []string{
			hfConfig("tiiuae/Falcon-H1-7B-Base") + ", head_dim, mamba_d_ssm, mamba_n_heads, mamba_d_head, mamba_d_state, " +
				"mamba_n_groups, mamba_d_conv, mamba_chunk_size, attn_layer_indices",
			falconH1Code,
		},
		Notes: []string{
			"44 layers, each with attention (12 query, 2 KV heads of 128) and a Mamba-2 mixer (24 heads of 128, d_ssm 3072, " +
				"state 256, 1 group) side by side",
			"mamba_rms_norm true, as Megatron-Bridge's FalconH1ModelProvider7B (from the 7B-Instruct config.json) and a " +
				"third-party loader of the 7B both state: the Mamba-2 mixers have the gated RMSNorm; the biases as FalconH1Config's " +
				"defaults (conv bias only), as both sources say",
			"those two sources give the Instruct model's vocab_size as 130049 (one token more than the Base's 130048: 6,144 " +
				"weights, embedding and head) and mamba_chunk_size 256 (no count depends on it)",
			"TII names it 7B; the Hub page shows 7.59B",
		},
	}, {
		Slug: "falcon-h1-34b", Name: "Falcon-H1 34B", Family: "Falcon-H1",
		Config: gatedNorm(shaped(falconH1Defaults(), scale.Config{
			VocabSize: 261120, HiddenSize: 5120, NumHiddenLayers: 72, NumAttentionHeads: 20, NumKeyValueHeads: 4, HeadDim: 128,
			IntermediateSize: 21504, MaxPositionEmbeddings: 262144,
			Mamba2NumHeads: 32, Mamba2HeadDim: 128, Mamba2NGroups: 2, Mamba2ChunkSize: 128,
		})),
		Sources: []string{
			hfConfig("tiiuae/Falcon-H1-34B-Instruct") + ", head_dim, attention_bias, mlp_bias, mamba_d_ssm, mamba_n_heads, " +
				"mamba_d_head, mamba_d_state, mamba_n_groups, mamba_d_conv, mamba_chunk_size, mamba_conv_bias, mamba_proj_bias, " +
				"mamba_rms_norm, projectors_bias, attn_layer_indices",
			falconH1Code,
		},
		Notes: []string{
			"72 layers, each with attention (20 query, 4 KV heads of 128: a query width of 2560, half the hidden size) and a " +
				"Mamba-2 mixer (32 heads of 128, d_ssm 4096 as the file sets it, not expand × hidden, state 256, 2 groups) side by side",
			"mamba_rms_norm true: the Mamba-2 mixers have the gated RMSNorm over d_ssm",
			"the Instruct model's config; the Base model has the same architecture as far as published copies show",
			"TII names it 34B; third-party catalogues show 33.6B",
		},
	}}
}

// readFalconH1 reads model_type falcon_h1: the Llama fields, and the
// Mamba-2 mixer beside attention in every layer. mamba_d_ssm (default
// mamba_expand × hidden_size where null) must be mamba_n_heads ×
// mamba_d_head, the widths the mixer reshapes between.
func readFalconH1(f *hfFields) scale.Config {
	d := falconH1Defaults()
	c := f.llama(d)
	dh, hasHead := f.value("mamba_d_head")
	if s, ok := dh.(string); ok && s == "auto" {
		delete(f.m, "mamba_d_head")
		hasHead = false
	}
	f.mamba2(&c, d, falconH1Mamba2)
	c.Mamba2NoNorm = !f.boolOr("mamba_rms_norm", false)
	f.alias("mamba2_no_norm", f.name("mamba_rms_norm"))
	f.timeStepLimit("time_step_limit")
	ssm, ok := f.optional("mamba_d_ssm")
	if !ok {
		expand := f.intOr("mamba_expand", 2, "falcon_h1 default")
		ssm = f.mul("mamba_expand × hidden_size", expand, c.HiddenSize)
		f.notes = append(f.notes, fmt.Sprintf("mamba_d_ssm absent: mamba_expand × hidden_size = %d", ssm))
	}
	switch {
	case !hasHead && c.Mamba2NumHeads > 0 && ssm%c.Mamba2NumHeads == 0:
		c.Mamba2HeadDim = ssm / c.Mamba2NumHeads
		f.notes = append(f.notes, fmt.Sprintf("mamba_d_head \"auto\": mamba_d_ssm / mamba_n_heads = %d", c.Mamba2HeadDim))
	case !hasHead:
		f.errorf(ErrInvalidValue, "mamba_n_heads", "%s %d does not divide mamba_d_ssm (%d)", f.name("mamba_n_heads"), c.Mamba2NumHeads, ssm)
	case c.Mamba2NumHeads > 0 && c.Mamba2HeadDim > 0 && f.mul("mamba_n_heads × mamba_d_head", c.Mamba2NumHeads, c.Mamba2HeadDim) != ssm:
		f.errorf(ErrInvalidValue, "mamba_d_ssm", "%s %d is not %s × %s (%d × %d), the widths the mixer reshapes between",
			f.name("mamba_d_ssm"), ssm, f.name("mamba_n_heads"), f.name("mamba_d_head"), c.Mamba2NumHeads, c.Mamba2HeadDim)
	}
	if v, present := f.value("attn_layer_indices"); present {
		f.unmodelled(true, "attn_layer_indices", fmt.Sprintf("attention in some layers only (%s) is not modelled for "+
			"falcon_h1; every layer has attention beside its Mamba-2 mixer", describe(v)))
	}
	return c
}
