package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// ernie45Defaults are ERNIE 4.5's dense models' (model_type ernie4_5) and
// Ernie4_5Config's: the Llama block with a bias on q, k, v, o and on the
// MLP's gate, up and down projections only where use_bias says, 2 KV heads,
// head_dim 128 whatever the hidden size, a tied LM head (without bias) and a
// context of 131072.
func ernie45Defaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 131072
	c.NumKeyValueHeads, c.HeadDim = 2, 128
	c.TieWordEmbeddings = true
	return c
}

// ernie45MoEDefaults are ERNIE 4.5's MoE models' (model_type ernie4_5_moe)
// and Ernie4_5_MoeConfig's: ERNIE 4.5's block with 4 KV heads (head_dim
// hidden_size / num_attention_heads unless the file sets it), a bias on
// every projection and on the LM head only where use_bias says, and from
// layer 1 on a mixture of 64 gated experts (6 per token) with 2 shared
// experts; each MoE layer's router keeps a per-expert score correction
// (moe_statics.e_score_correction_bias), an nn.Parameter, counted as the
// router's bias (router_bias): num_experts parameters, 0 FLOPs. Tied LM
// head, a context of 131072.
func ernie45MoEDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 131072
	c.NumKeyValueHeads = 4
	c.TieWordEmbeddings = true
	c.NumLocalExperts, c.NumExpertsPerTok, c.NumSharedExperts = 64, 6, 2
	c.FirstKDenseReplace, c.MoELayerInterval = 1, 1
	c.RouterBias = true
	return c
}

const ernie45MoECode = "transformers modeling_ernie4_5_moe.py: q/k/v/o with bias where use_bias says; layer i is MoE when " +
	"(i + 1) % moe_layer_interval == 0 and moe_layer_start_index ≤ i ≤ moe_layer_end_index (-1: the last layer), else " +
	"a dense gated MLP of intermediate_size; an MoE layer has gate Linear(hidden, moe_num_experts) without bias, " +
	"moe_statics.e_score_correction_bias nn.Parameter([1, moe_num_experts], requires_grad=False), moe_num_experts " +
	"gated experts of moe_intermediate_size and one shared MLP of moe_num_shared_experts × moe_intermediate_size, every " +
	"MLP with bias where use_bias says; RMSNorms; lm_head Linear(hidden, vocab, bias=use_bias), tied where " +
	"tie_word_embeddings says; the mtp weights are ignored on load"

const ernie45MoEFields = "config.json: vocab_size, hidden_size, intermediate_size, moe_intermediate_size, num_hidden_layers, " +
	"num_attention_heads, num_key_value_heads, moe_num_experts, moe_k, moe_num_shared_experts, moe_layer_start_index, " +
	"moe_layer_interval, use_bias, max_position_embeddings, tie_word_embeddings"

func ernieFamily() []Preset {
	bias := "e_score_correction_bias (moe_statics, one value per expert in each MoE layer) is an nn.Parameter with " +
		"requires_grad=False in transformers' Ernie4_5_MoeStatics, so num_parameters() counts it; tscale counts it as the " +
		"router's bias (router_bias): the same num_experts parameters per MoE layer, active, and no FLOPs"
	mtp := "num_nextn_predict_layers 1: the checkpoint's multi-token-prediction weights (mtp_*), which transformers " +
		"ignores on load, are not in params.total; their layout is not modelled, so params.mtp is not given"
	return []Preset{
		{
			Slug: "ernie-4.5-21b-a3b", Name: "ERNIE 4.5 21B-A3B", Family: "ERNIE",
			Config: sharedMoE(ernie45MoEDefaults(), scale.Config{
				VocabSize: 103424, HiddenSize: 2560, NumHiddenLayers: 28, NumAttentionHeads: 20, NumKeyValueHeads: 4,
				IntermediateSize: 12288, MaxPositionEmbeddings: 131072, TieWordEmbeddings: true,
				NumLocalExperts: 64, NumExpertsPerTok: 6, MoEIntermediateSize: 1536, NumSharedExperts: 2,
				FirstKDenseReplace: 1, MoELayerInterval: 1,
			}),
			Sources: []string{"Hugging Face baidu/ERNIE-4.5-21B-A3B-PT " + ernie45MoEFields, ernie45MoECode,
				"Baidu, ERNIE 4.5 Technical Report and model card: 21B total parameters, 3B activated per token, " +
					"28 layers, 20 query and 4 KV heads, 64 text experts (6 per token) and 2 shared experts"},
			Notes: []string{
				"layer 0 is dense (moe_layer_start_index 1); layers 1–27 are MoE",
				"tie_word_embeddings true: the LM head is the token embedding, counted once",
				bias, mtp,
				"params.active is 3.35B with the embedding and head (the card's 3B activated)",
			},
		},
		{
			Slug: "ernie-4.5-300b-a47b", Name: "ERNIE 4.5 300B-A47B", Family: "ERNIE",
			Config: untiedWithoutSharedExperts(sharedMoE(ernie45MoEDefaults(), scale.Config{
				VocabSize: 103424, HiddenSize: 8192, NumHiddenLayers: 54, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				IntermediateSize: 28672, MaxPositionEmbeddings: 131072,
				NumLocalExperts: 64, NumExpertsPerTok: 8, MoEIntermediateSize: 3584,
				FirstKDenseReplace: 3, MoELayerInterval: 1,
			})),
			Sources: []string{"Hugging Face baidu/ERNIE-4.5-300B-A47B-PT " + ernie45MoEFields, ernie45MoECode,
				"Baidu, ERNIE 4.5 Technical Report and model card: 300B total parameters, 47B activated per token, " +
					"54 layers, 64 query and 8 KV heads, 64 text experts (8 per token), no shared expert"},
			Notes: []string{
				"layers 0–2 are dense (moe_layer_start_index 3); layers 3–53 are MoE",
				"moe_num_shared_experts 0: no shared expert (Ernie4_5_MoeConfig's default is 2, so the file must say 0)",
				"tie_word_embeddings false: a checkpoint tensor list of the model holds its own lm_head.weight",
				bias, mtp,
				"params.active is 47.93B with the embedding and the head, 47.08B without the embedding: the card's 47B",
			},
		},
	}
}

// untiedWithoutSharedExperts is c with an untied LM head and no shared
// expert: what ERNIE 4.5 300B-A47B's config.json sets against the class's
// defaults, which a preset's shape cannot (its zero values keep them).
func untiedWithoutSharedExperts(c scale.Config) scale.Config {
	c.TieWordEmbeddings = false
	c.NumSharedExperts, c.SharedExpertIntermediateSize = 0, 0
	return c
}

func readErnie45(f *hfFields) scale.Config {
	d := ernie45Defaults()
	c := f.decoderShape(d)
	// Ernie4_5Config.head_dim: 128 where the file leaves it out; null is
	// hidden_size / num_attention_heads (its __post_init__).
	if _, present := f.m["head_dim"]; present {
		c.HeadDim = f.headDim(c.HiddenSize, c.NumAttentionHeads)
	} else {
		c.HeadDim = f.intOr("head_dim", d.HeadDim, "ernie4_5 default")
	}
	c.IntermediateSize = f.required("intermediate_size")
	bias := f.boolOr("use_bias", false) // q, k, v, o and the MLP; lm_head never
	c.AttentionQKVBias, c.AttentionOutBias, c.MLPBias = bias, bias, bias
	return c
}

func readErnie45MoE(f *hfFields) scale.Config {
	d := ernie45MoEDefaults()
	c := f.decoder(d)                   // head_dim, or hidden_size / num_attention_heads (Ernie4_5_MoeAttention's getattr)
	bias := f.boolOr("use_bias", false) // every projection, every MLP and the LM head
	c.AttentionQKVBias, c.AttentionOutBias, c.MLPBias, c.LMHeadBias = bias, bias, bias, bias
	c.NumLocalExperts = f.intOr("moe_num_experts", d.NumLocalExperts, "ernie4_5_moe default")
	c.NumExpertsPerTok = f.intOr("moe_k", d.NumExpertsPerTok, "ernie4_5_moe default")
	c.MoEIntermediateSize = f.required("moe_intermediate_size")
	f.alias("num_local_experts", f.name("moe_num_experts"))
	f.alias("num_experts_per_tok", f.name("moe_k"))
	shared := f.intOr("moe_num_shared_experts", d.NumSharedExperts, "ernie4_5_moe default")
	c.NumSharedExperts = shared
	c.SharedExpertIntermediateSize = f.mul("moe_num_shared_experts × moe_intermediate_size", shared, c.MoEIntermediateSize)
	f.alias("num_shared_experts", f.name("moe_num_shared_experts"))
	f.alias("shared_expert_intermediate_size", "shared_expert_intermediate_size (moe_num_shared_experts × moe_intermediate_size)")
	f.followsIf(shared < 0 || c.MoEIntermediateSize <= 0, "shared_expert_intermediate_size")

	c.FirstKDenseReplace = f.intOr("moe_layer_start_index", d.FirstKDenseReplace, "ernie4_5_moe default")
	c.MoELayerInterval = f.intOr("moe_layer_interval", d.MoELayerInterval, "ernie4_5_moe default")
	f.alias("first_k_dense_replace", f.name("moe_layer_start_index"))
	f.alias("moe_layer_interval", f.name("moe_layer_interval"))
	if c.MoELayerInterval < 1 { // (layer_idx + 1) % moe_layer_interval needs a positive divisor
		f.errorf(ErrInvalidValue, "moe_layer_interval", "%s must be a positive integer, got %d",
			f.name("moe_layer_interval"), c.MoELayerInterval)
	}
	if c.FirstKDenseReplace < 0 { // a negative start index makes layer 0 MoE as 0 does
		f.unmodelled(true, "moe_layer_start_index", "a negative start index is not modelled")
	}
	if end, ok := f.optional("moe_layer_end_index"); ok && end != -1 {
		f.unmodelled(c.NumHiddenLayers > 0 && end < c.NumHiddenLayers-1, "moe_layer_end_index",
			fmt.Sprintf("MoE layers that stop before the last layer (%d) are not modelled", c.NumHiddenLayers-1))
	}
	c.RouterBias = d.RouterBias // moe_statics.e_score_correction_bias, a parameter
	c.IntermediateSize = 0      // every layer MoE: no dense MLP
	if c.FirstKDenseReplace > 0 || c.MoELayerInterval > 1 {
		c.IntermediateSize = f.required("intermediate_size")
	}
	if n, ok := f.optional("num_nextn_predict_layers"); ok && n > 0 {
		f.notes = append(f.notes, fmt.Sprintf("num_nextn_predict_layers %d: the checkpoint's multi-token-prediction "+
			"weights, which transformers ignores on load, are not in params.total", n))
	}
	return c
}
