package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// longcatFFNExpertsPerTok is the number of FFN experts a LongCat-Flash
// token runs on average, the convention params.active and the FLOPs
// follow: the technical report (arXiv 2509.01322) gives 18.6B–31.3B
// activated parameters, ~27B on average, and counted from the modelling
// code (without the input embedding, as those bounds are) every FFN
// expert a token runs adds 1.057B to a base of 18.694B, so 27B is
// 7.86 experts, 8 to the nearest whole expert (27.15B). The other
// slots of moe_topk go to zero-computation experts.
const longcatFFNExpertsPerTok = 8

// longcatDefaults are LongCat-Flash's (model_type longcat_flash) and
// LongcatFlashConfig's, each LongCat layer read as two tscale layers
// (num_hidden_layers = 2 × num_layers, as transformers sets it): on each,
// multi-head latent attention with a rank-1536 query and a rank-512
// key/value latent, RMSNorms and a dense gated SiLU MLP of ffn_hidden_size;
// on the first of each pair, beside that MLP, the shortcut-connected MoE
// (512 FFN experts and 256 zero-computation experts, 12 slots per token, a
// router without bias whose e_score_correction_bias is a buffer). An
// untied LM head and a context of 131072.
func longcatDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 131072
	c.QLoraRank = 1536
	c.NumLocalExperts, c.NumExpertsPerTok, c.ZeroComputationExperts = 512, 12, 256
	c.MoELayerInterval, c.MoELayerFirstInCycle, c.DenseMLPWithMoE = 2, true, true
	c.RouterScoreBias = true
	return c
}

// longcatZeroSlots is how many of topK slots the report counts on the
// zeroExperts zero-computation experts: those past longcatFFNExpertsPerTok
// FFN experts (or past all experts FFN experts, where there are fewer).
func longcatZeroSlots(topK, experts, zeroExperts int64) int64 {
	return min(max(topK-min(longcatFFNExpertsPerTok, experts), 0), max(zeroExperts, 0))
}

const longcatCode = "transformers modeling_longcat_flash.py: LongcatFlashDecoderLayer holds two MLA blocks (DeepSeek-V3's: " +
	"q_a_proj, q_a_layernorm, q_b_proj, kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj, o_proj; the LoRA scales are " +
	"scalars), two dense MLPs of ffn_hidden_size (mlps), two input_layernorm and two post_attention_layernorm RMSNorms, " +
	"and one LongcatFlashMoE that reads the first post_attention_layernorm's output and joins the residual after the " +
	"second MLP; the MoE's router classifier is Linear(hidden, n_routed_experts + zero_expert_num) (bias where " +
	"router_bias says) with an e_score_correction_bias buffer, its n_routed_experts experts gated MLPs of " +
	"expert_ffn_hidden_size and its zero_expert_num experts nn.Identity; the cache has 2 × num_layers layers; " +
	"lm_head untied; the MTP weights (model.mtp.*) are ignored on load"

func longcatFamily() []Preset {
	c := longcatConfig(scale.Config{
		VocabSize: 131072, HiddenSize: 6144, NumHiddenLayers: 56, NumAttentionHeads: 64,
		IntermediateSize: 12288, MaxPositionEmbeddings: 131072,
		QLoraRank: 1536, KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128,
		NumLocalExperts: 512, NumExpertsPerTok: 12, MoEIntermediateSize: 2048, ZeroComputationExperts: 256,
	})
	return []Preset{{
		Slug: "longcat-flash", Name: "LongCat-Flash (560B, 18.6B–31.3B active)", Family: "LongCat",
		Config: c,
		Sources: []string{
			"Hugging Face meituan-longcat/LongCat-Flash-Chat config.json: vocab_size, hidden_size, num_layers, " +
				"num_attention_heads, q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim, " +
				"ffn_hidden_size, expert_ffn_hidden_size, n_routed_experts, zero_expert_num, zero_expert_type, moe_topk, " +
				"attention_bias, max_position_embeddings",
			longcatCode,
			"Meituan LongCat Team, LongCat-Flash Technical Report (arXiv 2509.01322): 560B parameters; zero-computation " +
				"experts activate 18.6B–31.3B per token depending on context, ~27B on average; shortcut-connected MoE",
		},
		Notes: []string{
			"each of the 28 LongCat layers is two tscale layers: layers 0, 2, …, 54 hold an MLA block, a dense MLP and, " +
				"beside it on the same normed input, the MoE; layers 1, 3, …, 55 an MLA block and a dense MLP. The MoE's " +
				"output joins the residual after the second layer of the pair (the shortcut), which changes no count; " +
				"transformers' KV cache likewise has 56 layers",
			fmt.Sprintf("zero-computation experts: the router scores 512 FFN and 256 identity experts and picks 12 per "+
				"token; a slot on an identity expert passes the token through, scaled (no parameters, no FLOPs). How "+
				"many of the 12 go to FFN experts is the router's choice, so params.active and the FLOPs follow the "+
				"report's stated average: %d FFN experts per token (zero_computation_slots_per_tok %d)",
				longcatFFNExpertsPerTok, c.ZeroComputationSlotsPerTok),
			"the report's convention, checked: every FFN expert a token runs adds 28 × 3 × 6144 × 2048 = 1,056,964,608 " +
				"parameters; without the input embedding, which the report's bounds leave out, params.active_min is " +
				"18,693,773,312 (0 FFN experts, the report's 18.6B), params.active_max 31,377,348,608 (12, its 31.3B) and " +
				"params.active 27,149,490,176 (8, its ~27B); params.active itself counts the embedding as every tscale " +
				"report does",
			"e_score_correction_bias (768 per MoE layer, over FFN and identity experts) is a buffer in transformers, so " +
				"num_parameters(), and tscale, leave it out",
			"the checkpoint's multi-token-prediction weights (model.mtp.*), which transformers ignores on load, are not " +
				"in params.total; their layout is not modelled, so params.mtp is not given",
			"transformers' fused-experts rewrite (LongcatFlashExperts) allocates gate_up_proj for n_routed_experts + " +
				"zero_expert_num experts, the identity slots included, and down_proj for the FFN experts only; its " +
				"num_parameters() is then zero_expert_num × 2 × 2048 × 6144 per LongCat layer higher, weights the " +
				"checkpoint does not hold: tscale counts the modules the checkpoint fills (the ModuleList version)",
			"LoRA scales (mla_scale_q_lora, mla_scale_kv_lora) and routed_scaling_factor are scalars: no count changes",
		},
	}}
}

// longcatConfig is a LongCat-Flash preset's Config: shape on the family's
// defaults, MLA's derived widths, and the zero-computation slots of the
// report's convention.
func longcatConfig(shape scale.Config) scale.Config {
	shape.HeadDim = shape.QKNopeHeadDim + shape.QKRopeHeadDim
	shape.NumKeyValueHeads = shape.NumAttentionHeads
	c := shaped(longcatDefaults(), shape)
	c.ZeroComputationSlotsPerTok = longcatZeroSlots(c.NumExpertsPerTok, c.NumLocalExperts, c.ZeroComputationExperts)
	return c
}

func readLongcatFlash(f *hfFields) scale.Config {
	d := longcatDefaults()
	c := d
	c.VocabSize = f.required("vocab_size")
	c.HiddenSize = f.required("hidden_size")
	n := f.layers("num_layers")
	c.NumHiddenLayers = f.mul("2 × num_layers", 2, n)
	f.alias("num_hidden_layers", "num_hidden_layers (2 × num_layers)")
	if n > scale.MaxLayers/2 && n <= scale.MaxLayers {
		f.errorf(ErrTooLarge, "num_layers", "%s %d is %d tscale layers, more than the %d it analyses",
			f.name("num_layers"), n, 2*n, scale.MaxLayers)
	}
	f.followsIf(n <= 0 || n > scale.MaxLayers/2, "num_hidden_layers")
	if m, ok := f.optional("num_hidden_layers"); ok && m != c.NumHiddenLayers && n > 0 {
		f.notes = append(f.notes, fmt.Sprintf("num_hidden_layers %d is not read: LongcatFlashModel builds num_layers "+
			"(%d) layers of two sublayers each and sets num_hidden_layers to %d", m, n, 2*n))
	}
	c.NumAttentionHeads = f.required("num_attention_heads")
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, "longcat_flash default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	c.HiddenAct = f.stringOr("hidden_act", d.HiddenAct)
	if v, present := f.m["q_lora_rank"]; present && v == nil {
		f.errorf(ErrUnmodelled, "q_lora_rank", "%s null: LongcatFlashMLA always runs the query through q_a_proj and "+
			"q_b_proj and scales it by hidden_size / q_lora_rank", f.name("q_lora_rank"))
	}
	f.mla(&c, d.QLoraRank)
	if qk, ok := f.optional("qk_head_dim"); ok && qk != c.HeadDim {
		f.unmodelled(true, "qk_head_dim", fmt.Sprintf("queries and keys of qk_nope_head_dim + qk_rope_head_dim (%d) "+
			"dimensions are modelled", c.HeadDim))
	}
	f.unmodelled(f.stringOr("attention_method", "MLA") != "MLA", "attention_method", "only MLA is modelled")

	c.IntermediateSize = f.required("ffn_hidden_size") // the two dense MLPs of every LongCat layer
	f.alias("intermediate_size", f.name("ffn_hidden_size"))
	c.MoEIntermediateSize = f.required("expert_ffn_hidden_size")
	f.alias("moe_intermediate_size", f.name("expert_ffn_hidden_size"))
	c.NumLocalExperts = f.intOr("n_routed_experts", d.NumLocalExperts, "longcat_flash default")
	f.alias("num_local_experts", f.name("n_routed_experts"))
	c.NumExpertsPerTok = f.intOr("moe_topk", d.NumExpertsPerTok, "longcat_flash default")
	f.alias("num_experts_per_tok", f.name("moe_topk"))
	if _, present := f.m["zero_expert_num"]; present {
		c.ZeroComputationExperts, _ = f.optional("zero_expert_num") // null: none (config.zero_expert_num or 0)
	} else {
		c.ZeroComputationExperts = f.intOr("zero_expert_num", d.ZeroComputationExperts, "longcat_flash default")
	}
	f.alias("zero_computation_experts", f.name("zero_expert_num"))
	if t := f.stringOr("zero_expert_type", "identity"); t != "identity" {
		f.unmodelled(true, "zero_expert_type", "only identity zero-computation experts are modelled")
	}
	c.ZeroComputationSlotsPerTok = longcatZeroSlots(c.NumExpertsPerTok, c.NumLocalExperts, c.ZeroComputationExperts)
	f.alias("zero_computation_slots_per_tok", fmt.Sprintf("zero_computation_slots_per_tok (moe_topk less the "+
		"report's %d FFN experts per token)", longcatFFNExpertsPerTok))
	f.followsIf(c.NumExpertsPerTok <= 0 || c.NumLocalExperts <= 0 || c.ZeroComputationExperts < 0, "zero_computation_slots_per_tok")
	if c.ZeroComputationSlotsPerTok > 0 {
		f.notes = append(f.notes, fmt.Sprintf("params.active and the FLOPs count %d FFN experts per token, LongCat-Flash's "+
			"stated average, and %d of the %d slots on zero-computation experts; params.active_min and params.active_max "+
			"give the bounds", c.NumExpertsPerTok-c.ZeroComputationSlotsPerTok, c.ZeroComputationSlotsPerTok, c.NumExpertsPerTok))
	}
	c.RouterBias = f.boolOr("router_bias", false) // getattr(config, "router_bias", False)
	return c
}
