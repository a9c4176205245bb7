package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// zamba2Defaults are Zamba2Config's (model_type zamba2, a "Zamba2-2.7B
// style" configuration): 54 layers of 2560, each an RMSNorm and a Mamba-2
// mixer (8 heads, 1 group, state 64, conv kernel 4, expand 2, chunks of
// 256); a shared transformer block (32 heads, a gated GELU MLP of 4 ×
// hidden_size) run before the mixer of the "hybrid" layers of its default
// pattern; adapters of rank 128; no biases (add_bias_linear false); no
// rotary embedding (use_mem_rope false); the LM head tied
// (PretrainedConfig's tie_word_embeddings).
func zamba2Defaults() scale.Config {
	return scale.Config{
		VocabSize: 32000, HiddenSize: 2560, NumHiddenLayers: 54, MaxPositionEmbeddings: 4096,
		NumAttentionHeads: 32, NumKeyValueHeads: 32, IntermediateSize: 4 * 2560,
		MLP: scale.MLPGated, HiddenAct: "gelu", Norm: scale.RMSNorm, PositionEmbedding: scale.PositionNone, NormsPerLayer: 2,
		TieWordEmbeddings: true,
		Mamba2NumHeads:    8, Mamba2StateSize: 64, Mamba2NGroups: 1, Mamba2ConvKernel: 4, Mamba2ChunkSize: 256,
		Mamba2ConvBias: true, SharedBlocks: 1, SharedBlockAdapterRank: 128,
	}
}

// zamba2DefaultPattern is Zamba2Config's layers_block_type when the file
// leaves it out: mamba, then (5 mamba, hybrid) 7 times, 4 mamba, hybrid,
// 3 mamba, hybrid, 2 mamba.
func zamba2DefaultPattern() []string {
	p := []string{"mamba"}
	for range 7 {
		p = append(p, "mamba", "mamba", "mamba", "mamba", "mamba", "hybrid")
	}
	p = append(p, "mamba", "mamba", "mamba", "mamba", "hybrid", "mamba", "mamba", "mamba", "hybrid", "mamba", "mamba")
	return p
}

const zamba2Code = "transformers modeling_zamba2.py: every layer a Zamba2MambaDecoderLayer (input_layernorm h → " +
	"Zamba2MambaMixer: in_proj h → 2·d_inner + 2·ngroups·d_state + heads with add_bias_linear's bias, conv1d over " +
	"d_inner + 2·ngroups·d_state channels always with bias (use_conv_bias is not read), dt_bias, A_log and D of " +
	"n_mamba_heads, a gated RMSNorm over d_inner in ngroups groups, out_proj d_inner → h with add_bias_linear's bias; " +
	"d_inner = mamba_expand × hidden_size, mamba_headdim = d_inner / n_mamba_heads); a \"hybrid\" layer first runs " +
	"Zamba2AttentionDecoderLayer, one of num_mem_blocks in turn (concat(hidden, embeddings) 2h → input_layernorm(2h) → " +
	"q, k, v from 2h without bias, head_dim = 2·hidden_size / num_attention_heads, o_proj → h → pre_ff_layernorm(h) → " +
	"Zamba2MLP gate_up_proj h → 2·intermediate_size and down_proj with add_bias_linear's bias), then its own " +
	"Linear(h, h) without bias, added to the mixer's input; per use, Zamba2MLP always builds a gate_up_proj adapter " +
	"(h → adapter_rank → 2·intermediate_size) and Zamba2Attention, with use_shared_attention_adapter, q, k and v " +
	"adapters (2h → adapter_rank → 2h); the blocks reach the model only through the hybrid layers, so that one no " +
	"layer uses is not built; final_layernorm; lm_head tied where tie_word_embeddings says"

// readZamba2 reads model_type zamba2.
func readZamba2(f *hfFields) scale.Config {
	d := zamba2Defaults()
	c := d
	f.shape(&c, "hidden_size", "num_hidden_layers", "num_attention_heads") // required, as every Zyphra file states them
	if c.NumHiddenLayers > scale.MaxLayers {
		return c
	}
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, "zamba2 default")
	if f.boolOr("use_long_context", false) {
		c.MaxPositionEmbeddings = 16384
		f.notes = append(f.notes, "use_long_context: Zamba2Config sets max_position_embeddings to 16384 and rescales rope_theta")
	}
	c.NumKeyValueHeads = f.intOrFunc("num_key_value_heads", func() int64 { return c.NumAttentionHeads },
		"num_attention_heads: multi-head attention")
	c.IntermediateSize = f.required("intermediate_size")
	c.HiddenAct = f.stringOr("hidden_act", d.HiddenAct)
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	if f.boolOr("use_mem_rope", false) {
		c.PositionEmbedding = scale.PositionRoPE
	}
	bias := f.boolOr("add_bias_linear", false)
	c.MLPBias, c.Mamba2InProjBias, c.Mamba2OutProjBias = bias, bias, bias
	f.alias("mlp_bias", f.name("add_bias_linear"))
	f.alias("mamba2_in_proj_bias", f.name("add_bias_linear"))

	// head_dim: Zamba2Config computes attention_head_dim = 2·hidden_size //
	// num_attention_heads (the block reads the concatenation, 2h wide).
	if _, set := f.value("attention_head_dim"); set {
		f.notes = append(f.notes, "attention_head_dim in the file is not read: Zamba2Config sets it to 2·hidden_size // num_attention_heads")
	}
	if c.NumAttentionHeads > 0 {
		c.HeadDim = f.mul("2 × hidden_size", 2, c.HiddenSize) / c.NumAttentionHeads
	}
	f.alias("head_dim", fmt.Sprintf("head_dim (2 × %s // %s)", f.name("hidden_size"), f.name("num_attention_heads")))

	// The Mamba-2 mixer.
	c.Mamba2NumHeads = f.intOr("n_mamba_heads", d.Mamba2NumHeads, "zamba2 default")
	c.Mamba2StateSize = f.intOr("mamba_d_state", d.Mamba2StateSize, "zamba2 default")
	c.Mamba2NGroups = f.intOr("mamba_ngroups", d.Mamba2NGroups, "zamba2 default")
	c.Mamba2ConvKernel = f.intOr("mamba_d_conv", d.Mamba2ConvKernel, "zamba2 default")
	c.Mamba2ChunkSize = f.intOr("chunk_size", d.Mamba2ChunkSize, "zamba2 default")
	for field, name := range map[string]string{"mamba2_num_heads": "n_mamba_heads", "mamba2_state_size": "mamba_d_state",
		"mamba2_n_groups": "mamba_ngroups", "mamba2_conv_kernel": "mamba_d_conv", "mamba2_chunk_size": "chunk_size"} {
		f.alias(field, f.name(name))
	}
	if _, set := f.value("use_conv_bias"); set {
		f.notes = append(f.notes, "use_conv_bias is not read by Zamba2MambaMixer: its conv1d always has a bias")
	}
	f.timeStepLimit("time_step_limit")
	expand := f.intOr("mamba_expand", 2, "zamba2 default")
	inner := f.mul("mamba_expand × hidden_size", expand, c.HiddenSize)
	if _, set := f.value("mamba_headdim"); set {
		f.notes = append(f.notes, "mamba_headdim in the file is not read: Zamba2Config sets it to mamba_expand × hidden_size // n_mamba_heads")
	}
	if c.Mamba2NumHeads > 0 {
		if inner%c.Mamba2NumHeads != 0 {
			f.errorf(ErrInvalidValue, "n_mamba_heads", "%s %d does not divide mamba_expand × hidden_size (%d): the mixer reshapes "+
				"its d_inner channels into n_mamba_heads × mamba_headdim", f.name("n_mamba_heads"), c.Mamba2NumHeads, inner)
		} else {
			c.Mamba2HeadDim = inner / c.Mamba2NumHeads
		}
	}
	f.alias("mamba2_head_dim", fmt.Sprintf("mamba_headdim (mamba_expand × %s // %s)", f.name("hidden_size"), f.name("n_mamba_heads")))

	// The shared blocks.
	c.SharedBlocks = f.intOr("num_mem_blocks", d.SharedBlocks, "zamba2 default")
	c.SharedBlockAdapterRank = f.intOr("adapter_rank", d.SharedBlockAdapterRank, "zamba2 default")
	c.SharedAttentionAdapters = f.boolOr("use_shared_attention_adapter", false)
	f.alias("shared_blocks", f.name("num_mem_blocks"))
	f.alias("shared_block_adapter_rank", f.name("adapter_rank"))
	f.alias("shared_attention_adapters", f.name("use_shared_attention_adapter"))
	if _, set := f.value("use_shared_mlp_adapter"); set {
		f.notes = append(f.notes, "use_shared_mlp_adapter is not read by Zamba2MLP: every use of a shared block has its gate_up_proj adapter")
	}

	var pattern []string
	if _, set := f.value("layers_block_type"); set {
		var ok bool
		if pattern, ok = f.stringList("layers_block_type"); !ok || pattern == nil {
			return c
		}
	} else {
		pattern = zamba2DefaultPattern()
		f.notes = append(f.notes, "layers_block_type absent: Zamba2Config's default pattern of 54 layers")
	}
	if int64(len(pattern)) < c.NumHiddenLayers {
		f.errorf(ErrInvalidValue, "layers_block_type", "%s has %d entries, fewer than num_hidden_layers (%d)",
			f.name("layers_block_type"), len(pattern), c.NumHiddenLayers)
		return c
	}
	if int64(len(pattern)) > c.NumHiddenLayers {
		f.notes = append(f.notes, fmt.Sprintf("layers_block_type has %d entries: Zamba2Model builds the first num_hidden_layers (%d)",
			len(pattern), c.NumHiddenLayers))
	}
	if c.NumHiddenLayers <= 0 {
		return c
	}
	c.Layers = make([]scale.LayerShape, c.NumHiddenLayers)
	hybrid := 0
	for i := range c.Layers {
		c.Layers[i] = scale.LayerShape{Attention: scale.PartMamba2, MLP: scale.PartNone}
		switch pattern[i] {
		case "mamba":
		case "hybrid":
			c.Layers[i].SharedBlock = true
			hybrid++
		default:
			f.errorf(ErrInvalidValue, fmt.Sprintf("layers_block_type[%d]", i), "%s is %q: Zamba2 layers are \"mamba\" or \"hybrid\"",
				f.name(fmt.Sprintf("layers_block_type[%d]", i)), pattern[i])
			return c
		}
	}
	f.alias("layers", f.name("layers_block_type"))
	if hybrid == 0 { // no attention anywhere: the attention fields are unused
		c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.IntermediateSize = 0, 0, 0, 0
		c.SharedBlocks, c.SharedBlockAdapterRank, c.SharedAttentionAdapters, c.MLPBias = 0, 0, false, false
		c.PositionEmbedding = scale.PositionNone
		f.notes = append(f.notes, "no \"hybrid\" layer: no shared block is built, and its fields are unused")
	} else if int64(hybrid) < c.SharedBlocks {
		f.notes = append(f.notes, fmt.Sprintf("num_mem_blocks %d but %d hybrid layers: the blocks no layer reaches are not built",
			c.SharedBlocks, hybrid))
	}
	if hybrid > 0 && !c.TieWordEmbeddings && int64(hybrid) > min(c.SharedBlocks, int64(hybrid)) {
		f.notes = append(f.notes, "tie_word_embeddings false: transformers 5.x's num_parameters() then counts a copy of the shared "+
			"block, with its adapters, at each hybrid layer (its post_init unties them); params.total counts each block once, "+
			"as transformers 4.x and the checkpoints hold it")
	}
	f.notes = append(f.notes, fmt.Sprintf("zamba2: %d Mamba-2 layers, %d of them running one of %d shared transformer blocks first",
		c.NumHiddenLayers, hybrid, min(c.SharedBlocks, int64(hybrid))))
	return c
}

// zamba2Layers is n Mamba-2 layers without an MLP, those at hybrid also
// running a shared block first.
func zamba2Layers(n int, hybrid ...int) []scale.LayerShape {
	layers := mamba2Layers(n)
	for _, i := range hybrid {
		layers[i].SharedBlock = true
	}
	return layers
}

const zamba2Reconstructed = "config.json reconstructed: the Hub file was not reachable whole (see testdata/hf/SOURCES.md for each field's source)"

func zamba2Family() []Preset {
	return []Preset{{
		Slug: "zamba2-2.7b", Name: "Zamba2 2.7B", Family: "Zamba2",
		Config: shaped(zamba2Defaults(), scale.Config{
			Mamba2NumHeads: 80, Mamba2HeadDim: 64, HeadDim: 160, SharedBlocks: 2,
			Layers: zamba2Layers(54, 6, 12, 18, 24, 30, 36, 42, 47, 51),
		}),
		Sources: []string{
			hfConfig("Zyphra/Zamba2-2.7B") + " (new format, as in Zyphra/Zamba2-2.7B-Instruct-v2): hidden_size, intermediate_size, " +
				"layers_block_type, n_mamba_heads, mamba_d_state, mamba_ngroups, mamba_expand, mamba_d_conv, chunk_size, num_mem_blocks, " +
				"adapter_rank, use_shared_attention_adapter, use_mem_rope, vocab_size",
			zamba2Code,
		},
		Notes: []string{
			"54 Mamba-2 layers; two shared transformer blocks run in turn before the mixer of layers 6, 12, 18, 24, 30, 36, 42, 47 and 51",
			"Zyphra's safetensors total is 2.662B (as a third-party table quotes the Hub's count), which params.total reproduces to its rounding " +
				"with the LM head tied (no tie_word_embeddings in the file: PretrainedConfig's default) and no attention adapters",
			zamba2Reconstructed,
		},
	}, {
		Slug: "zamba2-7b", Name: "Zamba2 7B", Family: "Zamba2",
		Config: shaped(zamba2Defaults(), scale.Config{
			HiddenSize: 3584, IntermediateSize: 14336, NumHiddenLayers: 81, HeadDim: 224,
			PositionEmbedding: scale.PositionRoPE,
			Mamba2NumHeads:    112, Mamba2HeadDim: 64, Mamba2NGroups: 2, SharedBlocks: 2,
			Layers: zamba2Layers(81, 6, 11, 17, 23, 29, 35, 41, 47, 53, 59, 65, 71, 77),
		}),
		Sources: []string{
			hfConfig("Zyphra/Zamba2-7B") + " (old-format keys mapped to transformers' names: ffn_hidden_size, state_size, lora_rank, " +
				"use_shared_attention_lora false, use_shared_block_lora true, mamba_headdim 64, mamba_ngroups 2, num_mem_blocks 2, use_mem_rope true)",
			zamba2Code,
		},
		Notes: []string{
			"81 Mamba-2 layers; two shared transformer blocks run in turn before the mixer of 13 layers, every sixth from layer 6 (then 11, 17, …, 77)",
			"the paper (arXiv 2411.15242) says 7.4B; the Instruct checkpoint's bf16 shards, 14.71 GB, hold about 7.36B, as params.total " +
				"(tied LM head, no attention adapters, as the original config says; the model card speaks of LoRA on attention too, which would add 71,565,312)",
			zamba2Reconstructed,
		},
	}}
}
