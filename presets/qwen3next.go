package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// qwen3NextDefaults are Qwen3NextConfig's (model_type qwen3_next): layers of
// an RMSNorm, a token mixer (gated attention, 16 heads, 2 KV heads of 256,
// with RMSNorms over head_dim on queries and keys, every
// full_attention_interval-th layer (4); a Gated DeltaNet of 16 key heads
// and 32 value heads of 128, conv kernel 4, elsewhere), an RMSNorm and a
// sparse MoE block (512 experts of 512, 10 per token, a shared expert of
// 512 with a sigmoid gate) on every layer; an untied head.
func qwen3NextDefaults() scale.Config {
	c := qwen3Defaults()
	c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim = 16, 2, 256
	c.AttentionOutputGate = true
	c.GDNNumKeyHeads, c.GDNNumValueHeads, c.GDNKeyHeadDim, c.GDNValueHeadDim, c.GDNConvKernel = 16, 32, 128, 128, 4
	c.GDNChunkSize = 64 // torch_chunk_gated_delta_rule's chunk_size default
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.MoELayerInterval = 512, 10, 512, 1
	c.NumSharedExperts, c.SharedExpertIntermediateSize, c.SharedExpertGate = 1, 512, true
	return c
}

const qwen3NextCode = "transformers modeling_qwen3_next.py: Qwen3NextDecoderLayer = input_layernorm → Qwen3NextAttention " +
	"(q_proj h → 2·heads·head_dim, the queries and a sigmoid output gate; k/v/o_proj; bias where attention_bias says; " +
	"q_norm and k_norm RMSNorm(head_dim); partial rotary) where layer_types says full_attention, else " +
	"Qwen3NextGatedDeltaNet (in_proj_qkvz h → 2·key_dim + 2·value_dim, in_proj_ba h → 2·linear_num_value_heads, depthwise " +
	"conv1d over 2·key_dim + value_dim channels of kernel linear_conv_kernel_dim without bias, dt_bias and A_log " +
	"[linear_num_value_heads], the gated delta rule, Qwen3NextRMSNormGated(linear_value_head_dim), out_proj value_dim → h) → " +
	"residual → post_attention_layernorm → Qwen3NextSparseMoeBlock (gate Linear(h, num_experts) without bias, num_experts " +
	"gated SiLU experts of moe_intermediate_size, a shared expert of shared_expert_intermediate_size and its " +
	"shared_expert_gate Linear(h, 1)) unless mlp_only_layers or decoder_sparse_step say a dense MLP → residual; norm, " +
	"lm_head. The zero-centred RMSNorms (1 + weight) have the usual weight count; the checkpoint's mtp.* tensors are " +
	"not loaded (_keys_to_ignore_on_load_unexpected)"

func qwen3NextFamily() []Preset {
	return []Preset{{
		Slug: "qwen3-next-80b-a3b", Name: "Qwen3-Next 80B-A3B", Family: "Qwen",
		Config: shaped(qwen3NextDefaults(), scale.Config{
			VocabSize: 151936, HiddenSize: 2048, NumHiddenLayers: 48, MaxPositionEmbeddings: 262144,
			Layers: mixerEvery(48, 4, scale.PartGatedDeltaNet),
		}),
		Sources: []string{
			hfConfig("Qwen/Qwen3-Next-80B-A3B-Instruct") + ", full_attention_interval, head_dim, linear_* fields, num_experts, " +
				"num_experts_per_tok, moe_intermediate_size, shared_expert_intermediate_size, decoder_sparse_step, mlp_only_layers",
			qwen3NextCode,
		},
		Notes: []string{
			"48 layers: gated attention at 3, 7, …, 47 (full_attention_interval 4), Gated DeltaNet elsewhere; experts on every layer",
			"intermediate_size 5120 is unused: decoder_sparse_step 1 and mlp_only_layers [] make every layer MoE",
			"the Thinking model has the same config.json counts",
			"params.total is what transformers' model builds, without the checkpoint's multi-token-prediction (mtp.*) " +
				"layer, which transformers does not load; Qwen names it 80B total, 3B active, " +
				"NVIDIA's NIM card 80B total, 3.9B active",
			"flops.forward_chunked uses chunks of 64 tokens, torch_chunk_gated_delta_rule's default; " +
				"partial_rotary_factor 0.25 changes no count",
		},
	}}
}

// readQwen3Next reads model_type qwen3_next.
func readQwen3Next(f *hfFields) scale.Config {
	d := qwen3NextDefaults()
	c := f.decoderShape(d)
	why := "qwen3_next default"
	c.HeadDim = f.intOr("head_dim", d.HeadDim, why)
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.GDNNumKeyHeads = f.intOr("linear_num_key_heads", d.GDNNumKeyHeads, why)
	c.GDNNumValueHeads = f.intOr("linear_num_value_heads", d.GDNNumValueHeads, why)
	c.GDNKeyHeadDim = f.intOr("linear_key_head_dim", d.GDNKeyHeadDim, why)
	c.GDNValueHeadDim = f.intOr("linear_value_head_dim", d.GDNValueHeadDim, why)
	c.GDNConvKernel = f.intOr("linear_conv_kernel_dim", d.GDNConvKernel, why)
	for field, name := range map[string]string{"gdn_num_key_heads": "linear_num_key_heads", "gdn_num_value_heads": "linear_num_value_heads",
		"gdn_key_head_dim": "linear_key_head_dim", "gdn_value_head_dim": "linear_value_head_dim", "gdn_conv_kernel": "linear_conv_kernel_dim"} {
		f.alias(field, f.name(name))
	}
	f.notes = append(f.notes, fmt.Sprintf("gdn_chunk_size %d: torch_chunk_gated_delta_rule's default chunk, not a config field", d.GDNChunkSize))
	c.NumLocalExperts = f.intOr("num_experts", d.NumLocalExperts, why)
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, why)
	c.MoEIntermediateSize = f.intOr("moe_intermediate_size", d.MoEIntermediateSize, why)
	step := f.intOr("decoder_sparse_step", 1, why)
	c.SharedExpertIntermediateSize = f.intOr("shared_expert_intermediate_size", d.SharedExpertIntermediateSize, why)
	c.NumSharedExperts = 0
	if c.SharedExpertIntermediateSize > 0 {
		c.NumSharedExperts = 1
	}
	f.alias("num_local_experts", f.name("num_experts"))
	f.follows("num_shared_experts") // derived from shared_expert_intermediate_size
	if c.SharedExpertIntermediateSize == 0 {
		f.notes = append(f.notes, "shared_expert_intermediate_size 0: Qwen3NextSparseMoeBlock still builds shared_expert_gate "+
			"Linear(h, 1), counted, beside zero-width shared-expert matrices")
	}
	only, _ := f.intList("mlp_only_layers")
	if step < 1 {
		f.errorf(ErrInvalidValue, "decoder_sparse_step", "%s must be at least 1, got %d", f.name("decoder_sparse_step"), step)
	}
	if c.NumHiddenLayers <= 0 || c.NumHiddenLayers > scale.MaxLayers {
		return c
	}
	if !f.mixerLayerTypes(&c, scale.PartGatedDeltaNet) {
		interval := f.intOr("full_attention_interval", 4, why)
		if interval < 1 {
			f.errorf(ErrInvalidValue, "full_attention_interval", "%s must be at least 1, got %d", f.name("full_attention_interval"), interval)
			return c
		}
		c.Layers = mixerEvery(c.NumHiddenLayers, interval, scale.PartGatedDeltaNet)
		f.alias("layers", f.name("full_attention_interval"))
	}
	if !c.HasGatedDeltaNet() {
		c.GDNNumKeyHeads, c.GDNNumValueHeads, c.GDNKeyHeadDim, c.GDNValueHeadDim, c.GDNConvKernel, c.GDNChunkSize = 0, 0, 0, 0, 0, 0
	}
	if c.Layers != nil && step >= 1 && c.NumLocalExperts >= 0 {
		f.qwen3NextExperts(&c, step, only)
	}
	return c
}

// qwen3NextExperts sets which of c's layers have experts as
// Qwen3NextDecoderLayer decides: layer i has Qwen3NextSparseMoeBlock when
// num_experts > 0, i is not in mlp_only_layers and (i + 1) is a multiple
// of decoder_sparse_step, else a dense Qwen3NextMLP of intermediate_size
// (default 5632). Every layer MoE is the model's rule; some is named per
// layer (layers[i].mlp "experts"); none is a dense model.
func (f *hfFields) qwen3NextExperts(c *scale.Config, step int64, mlpOnly []int64) {
	dense := map[int64]bool{}
	for _, i := range mlpOnly {
		if i < 0 || i >= c.NumHiddenLayers {
			f.notes = append(f.notes, fmt.Sprintf("mlp_only_layers lists %d, no layer of the %d: it changes nothing", i, c.NumHiddenLayers))
		}
		dense[i] = true
	}
	var moe int64
	for i := range c.Layers {
		if c.NumLocalExperts > 0 && !dense[int64(i)] && (int64(i)+1)%step == 0 {
			c.Layers[i].MLP = scale.PartExperts
			moe++
		}
	}
	switch {
	case moe == c.NumHiddenLayers: // every layer: the model's rule, as the presets write it
		for i := range c.Layers {
			c.Layers[i].MLP = scale.PartFull
		}
		c.MoELayerInterval = 1
		return
	case moe == 0: // a dense model
		c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 0, 0, 0
		c.NumSharedExperts, c.SharedExpertIntermediateSize, c.SharedExpertGate, c.MoELayerInterval = 0, 0, false, 0
		f.notes = append(f.notes, "no layer has experts (num_experts, mlp_only_layers and decoder_sparse_step): every "+
			"layer has a dense Qwen3NextMLP")
	default:
		c.MoELayerInterval = 0
		f.alias("layers", fmt.Sprintf("%s (with %s and %s)", f.fileName("layers"), f.name("mlp_only_layers"),
			f.name("decoder_sparse_step")))
		f.notes = append(f.notes, fmt.Sprintf("%d of the %d layers have experts (mlp_only_layers and decoder_sparse_step %d); "+
			"the others a dense Qwen3NextMLP", moe, c.NumHiddenLayers, step))
	}
	c.IntermediateSize = f.intOr("intermediate_size", 5632, "qwen3_next default")
}
