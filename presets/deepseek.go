package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

func deepseekLLMFamily() []Preset {
	code := llamaCode + " (DeepSeek LLM uses LlamaForCausalLM)"
	return []Preset{
		{
			Slug: "deepseek-llm-7b", Name: "DeepSeek LLM 7B", Family: "DeepSeek",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 102400, HiddenSize: 4096, NumHiddenLayers: 30, NumAttentionHeads: 32, NumKeyValueHeads: 32,
				IntermediateSize: 11008, MaxPositionEmbeddings: 4096,
			}),
			Sources: []string{hfConfig("deepseek-ai/deepseek-llm-7b-base"), code},
			Notes:   []string{"30 layers and vocabulary 102400 (the seed tool said 32 and 100672); multi-head attention"},
		},
		{
			Slug: "deepseek-llm-67b", Name: "DeepSeek LLM 67B", Family: "DeepSeek",
			Config: shaped(llamaDefaults(), scale.Config{
				VocabSize: 102400, HiddenSize: 8192, NumHiddenLayers: 95, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				IntermediateSize: 22016, MaxPositionEmbeddings: 4096,
			}),
			Sources: []string{hfConfig("deepseek-ai/deepseek-llm-67b-base"), code},
			Notes:   []string{"95 layers with grouped-query attention (8 KV heads); the model card gives only \"67 billion\""},
		},
	}
}

// deepseekDefaults are DeepSeek-V2's and V3's (model_type deepseek_v2 or
// deepseek_v3): the Llama block's norms and gated SiLU MLPs without bias,
// an untied LM head, and the configuration class's context (2048 for V2,
// 4096 for V3). The attention (MLA) and the experts are the model's.
func deepseekDefaults(modelType string) scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = map[string]int64{"deepseek_v2": 2048, "deepseek_v3": 4096}[modelType]
	return c
}

// deepseekMoE is a DeepSeek-V2/V3 preset: shape on modelType's defaults,
// with what readDeepSeek derives rather than reads (mlaMoE).
func deepseekMoE(modelType string, shape scale.Config) scale.Config {
	return mlaMoE(deepseekDefaults(modelType), shape)
}

// mlaMoE is a preset of an MLA model with DeepSeek's experts: shape on the
// family's defaults d, with what the readers derive rather than read:
// head_dim is qk_nope_head_dim + qk_rope_head_dim, every head has its own
// keys and values (MLA expands them per head), and the shared experts form
// one MLP (sharedMoE).
func mlaMoE(d, shape scale.Config) scale.Config {
	shape.HeadDim = shape.QKNopeHeadDim + shape.QKRopeHeadDim
	shape.NumKeyValueHeads = shape.NumAttentionHeads
	return sharedMoE(d, shape)
}

// sharedMoE is a preset of a model with DeepSeek's experts (DeepseekV3MoE
// and GLM's copies of it): shape on the family's defaults d, the shared
// experts forming one MLP n_shared_experts × moe_intermediate_size wide.
func sharedMoE(d, shape scale.Config) scale.Config {
	c := shaped(d, shape)
	c.SharedExpertIntermediateSize = c.NumSharedExperts * c.MoEIntermediateSize
	return c
}

// deepseekQLoraRank is q_lora_rank where config.json leaves it out: the
// default of DeepseekV2Config and DeepseekV3Config (transformers and the
// repos' configuration_deepseek.py). An explicit null means one q_proj.
const deepseekQLoraRank = 1536

const deepseekCode = "transformers modeling_deepseek_v2.py / modeling_deepseek_v3.py and the repos' modeling_deepseek.py: " +
	"q_a_proj, q_a_layernorm and q_b_proj (or one q_proj when q_lora_rank is null), kv_a_proj_with_mqa, kv_a_layernorm, " +
	"kv_b_proj, o_proj, no biases; the shared experts form one MLP of n_shared_experts × moe_intermediate_size; " +
	"layers before first_k_dense_replace are dense with intermediate_size"

const deepseekFields = "config.json: vocab_size, hidden_size, intermediate_size, moe_intermediate_size, num_hidden_layers, " +
	"num_attention_heads, q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim, n_shared_experts, " +
	"n_routed_experts, num_experts_per_tok, first_k_dense_replace, moe_layer_freq 1, max_position_embeddings, tie_word_embeddings"

func deepseekMoEFamily() []Preset {
	mlaNote := "multi-head latent attention: the KV cache holds the 512-wide latent and the 64-wide rotary key per token per " +
		"layer; FLOPs are counted as trained, with keys and values expanded per head"
	return []Preset{
		{
			Slug: "deepseek-v2-lite", Name: "DeepSeek-V2-Lite", Family: "DeepSeek",
			Config: deepseekMoE("deepseek_v2", scale.Config{
				VocabSize: 102400, HiddenSize: 2048, NumHiddenLayers: 27, NumAttentionHeads: 16,
				IntermediateSize: 10944, MaxPositionEmbeddings: 163840,
				KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128,
				NumLocalExperts: 64, NumExpertsPerTok: 6, MoEIntermediateSize: 1408, NumSharedExperts: 2,
				FirstKDenseReplace: 1,
			}),
			Sources: []string{"Hugging Face deepseek-ai/DeepSeek-V2-Lite " + deepseekFields, deepseekCode},
			Notes:   []string{"q_lora_rank is null: one q_proj and no q_a_layernorm", mlaNote},
		},
		{
			Slug: "deepseek-v2", Name: "DeepSeek-V2", Family: "DeepSeek",
			Config: deepseekMoE("deepseek_v2", scale.Config{
				VocabSize: 102400, HiddenSize: 5120, NumHiddenLayers: 60, NumAttentionHeads: 128,
				IntermediateSize: 12288, MaxPositionEmbeddings: 163840,
				QLoraRank: 1536, KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128,
				NumLocalExperts: 160, NumExpertsPerTok: 6, MoEIntermediateSize: 1536, NumSharedExperts: 2,
				FirstKDenseReplace: 1,
			}),
			Sources: []string{"Hugging Face deepseek-ai/DeepSeek-V2 " + deepseekFields, deepseekCode},
			Notes: []string{mlaNote, "DeepSeek-V2 (arXiv 2405.04434) Table 1: MLA caches (d_c + d_h^R)·l elements per token, " +
				"d_c = 512 and d_h^R = 64"},
		},
		{
			Slug: "deepseek-coder-v2", Name: "DeepSeek-Coder-V2 (236B)", Family: "DeepSeek",
			Config: deepseekMoE("deepseek_v2", scale.Config{
				VocabSize: 102400, HiddenSize: 5120, NumHiddenLayers: 60, NumAttentionHeads: 128,
				IntermediateSize: 12288, MaxPositionEmbeddings: 163840,
				QLoraRank: 1536, KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128,
				NumLocalExperts: 160, NumExpertsPerTok: 6, MoEIntermediateSize: 1536, NumSharedExperts: 2,
				FirstKDenseReplace: 1,
			}),
			Sources: []string{"Hugging Face deepseek-ai/DeepSeek-Coder-V2-Instruct " + deepseekFields +
				" (the Base model has the same shapes)", deepseekCode},
			Notes: []string{"DeepSeek-Coder-V2 continues training DeepSeek-V2: the same MLA + MoE architecture " +
				"(the seed tool wrote it as a dense multi-head model)", mlaNote},
		},
		{
			Slug: "deepseek-v3", Name: "DeepSeek-V3", Family: "DeepSeek",
			Config: deepseekMoE("deepseek_v3", scale.Config{
				VocabSize: 129280, HiddenSize: 7168, NumHiddenLayers: 61, NumAttentionHeads: 128,
				IntermediateSize: 18432, MaxPositionEmbeddings: 163840,
				QLoraRank: 1536, KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128,
				NumLocalExperts: 256, NumExpertsPerTok: 8, MoEIntermediateSize: 2048, NumSharedExperts: 1,
				FirstKDenseReplace: 3, RouterScoreBias: true, MTPLayers: 1, Quantization: deepseekV3FP8(),
			}),
			Sources: []string{"Hugging Face deepseek-ai/DeepSeek-V3 " + deepseekFields + ", topk_method noaux_tc",
				deepseekCode + "; noaux_tc routing adds e_score_correction_bias, one value per routed expert"},
			Notes: []string{
				"params.total is the 61-layer main model; the multi-token-prediction module (num_nextn_predict_layers 1, " +
					"stored as layer 61), which transformers does not build, is counted apart as params.mtp = 11,610,067,968: " +
					"enorm, hnorm, eh_proj (2 × 7168 → 7168, 102,760,448), one MoE decoder layer and shared_head.norm; " +
					"README_WEIGHTS's \"11.5B unique parameters\" for it leaves out eh_proj (11,610,067,968 − 102,760,448 = " +
					"11,507,307,520)",
				"the Hub's 685B is the raw safetensors total, 684,531,386,000 = main model 671,026,404,352 + MTP own weights " +
					"11,610,067,968 + the MTP module's copies of the embedding and LM head 1,853,358,080 + the " +
					"e_score_correction_bias buffers 15,104 (256 in each of the 58 MoE layers and the MTP layer) + 41,540,496 " +
					"FP8 weight_scale_inv values (one per 128 × 128 block of each FP8 matrix; eh_proj is stored in bf16); " +
					"README_WEIGHTS's \"671B main model + 14B MTP\" splits the same 685B (the MTP layer's tensors, copies " +
					"included, are 13.46B)",
				"e_score_correction_bias (256 per MoE layer, 14,848 in all) is a buffer in transformers (register_buffer), so " +
					"num_parameters(), and tscale, leave it out: 671,026,404,352; DeepSeek's own code declares it an nn.Parameter " +
					"and the checkpoint stores it, so counting the checkpoint's tensors of the main model gives 14,848 more",
				"DeepSeek's README_WEIGHTS gives 36.7B activated parameters; counted from the code, params.active is 37.55B " +
					"(embedding and head included)",
				mlaNote,
			},
		},
	}
}

func readDeepSeek(f *hfFields) scale.Config {
	c := f.decoderShape(deepseekDefaults(f.modelType))
	c.IntermediateSize = f.required("intermediate_size")
	f.mla(&c, deepseekQLoraRank)
	// DeepSeek's own code reads an absent n_routed_experts or n_shared_experts
	// as none, transformers' DeepseekV2Config and DeepseekV3Config as 64 and
	// 2, or 256 and 1: a file that leaves them out is refused rather than
	// read one way; null is DeepSeek's none.
	f.presentOrNull("n_routed_experts", "DeepSeek's code reads its absence as a dense model, transformers' classes as 64 (V2) or 256 (V3) experts")
	if experts, ok := f.optional("n_routed_experts"); ok {
		c.NumLocalExperts = experts
		c.NumExpertsPerTok = f.required("num_experts_per_tok")
		c.MoEIntermediateSize = f.required("moe_intermediate_size")
		f.presentOrNull("n_shared_experts", "DeepSeek's code reads its absence as no shared expert, transformers' classes as 2 (V2) or 1 (V3)")
		shared, _ := f.optional("n_shared_experts")
		f.sharedExperts(&c, shared)
		f.alias("num_local_experts", "n_routed_experts")
		c.FirstKDenseReplace = f.intOr("first_k_dense_replace", 0, "no dense layers first")
		// DeepSeek's MoE layers: index ≥ first_k_dense_replace and a multiple
		// of moe_layer_freq (modeling_deepseek.py DeepseekV2DecoderLayer;
		// transformers' own DeepseekV2/V3 classes do not read moe_layer_freq,
		// and every released config sets it to 1).
		if freq := f.intOr("moe_layer_freq", 1, "every layer after the dense ones"); freq != 1 {
			c.MoELayerInterval, c.MoELayerFirstInCycle = freq, true
			f.alias("moe_layer_interval", f.name("moe_layer_freq"))
			if freq < 1 { // DeepSeek's layer_idx % moe_layer_freq needs a positive divisor
				f.errorf(ErrInvalidValue, "moe_layer_freq", "%s must be a positive integer, got %d", f.name("moe_layer_freq"), freq)
			}
		}
		c.RouterScoreBias = f.stringOr("topk_method", map[string]string{"deepseek_v3": "noaux_tc"}[f.modelType]) == "noaux_tc"
		if c.FirstKDenseReplace == 0 && c.MoELayerInterval <= 1 {
			c.IntermediateSize = 0 // every layer MoE: no dense MLP
		}
	}
	f.mtpLayers(&c)
	return c
}

// mla reads multi-head latent attention (DeepseekV2Attention, and its copies
// in DeepSeek-V3 and GLM-4.7-Flash) onto c: q_lora_rank (qLoraRank, the
// class default, where the file leaves it out; null: one q_proj and no
// q_a_layernorm), kv_lora_rank and the head widths. head_dim is
// qk_nope_head_dim + qk_rope_head_dim, and every head has its own keys and
// values. attention_bias true, which puts biases on q_a_proj,
// kv_a_proj_with_mqa and o_proj, is refused.
func (f *hfFields) mla(c *scale.Config, qLoraRank int64) {
	if _, present := f.m["q_lora_rank"]; present {
		c.QLoraRank, _ = f.optional("q_lora_rank") // null: one q_proj
	} else {
		c.QLoraRank = f.intOr("q_lora_rank", qLoraRank, f.modelType+" default")
	}
	c.KVLoraRank = f.required("kv_lora_rank")
	c.QKNopeHeadDim = f.required("qk_nope_head_dim")
	c.QKRopeHeadDim = f.required("qk_rope_head_dim")
	c.VHeadDim = f.required("v_head_dim")
	c.HeadDim = f.add("qk_nope_head_dim + qk_rope_head_dim", c.QKNopeHeadDim, c.QKRopeHeadDim)
	f.alias("head_dim", "head_dim (qk_nope_head_dim + qk_rope_head_dim)")
	f.followsIf(c.QKNopeHeadDim <= 0 || c.QKRopeHeadDim <= 0, "head_dim")
	c.NumKeyValueHeads = c.NumAttentionHeads // MLA expands keys and values per head
	f.alias("num_key_value_heads", "num_attention_heads")
	f.follows("num_key_value_heads")
	f.unmodelled(f.boolOr("attention_bias", false), "attention_bias", "MLA projections are modelled without bias")
}

// sharedExperts sets c's shared experts, shared of them, which DeepSeek's
// MoE (and GLM's copies of it) builds as one MLP n_shared_experts ×
// moe_intermediate_size wide; c.MoEIntermediateSize must be read first.
func (f *hfFields) sharedExperts(c *scale.Config, shared int64) {
	c.NumSharedExperts = shared
	c.SharedExpertIntermediateSize = f.mul("n_shared_experts × moe_intermediate_size", shared, c.MoEIntermediateSize)
	f.alias("num_shared_experts", f.name("n_shared_experts"))
	f.alias("shared_expert_intermediate_size", "shared_expert_intermediate_size (n_shared_experts × moe_intermediate_size)")
	f.followsIf(shared < 0 || c.MoEIntermediateSize <= 0, "shared_expert_intermediate_size")
}

// mtpLayers reads num_nextn_predict_layers, the multi-token-prediction
// modules a DeepSeek-V3 or GLM-4.5 checkpoint stores beside the model.
func (f *hfFields) mtpLayers(c *scale.Config) {
	c.MTPLayers, _ = f.optional("num_nextn_predict_layers")
	f.alias("mtp_layers", f.name("num_nextn_predict_layers"))
	if c.MTPLayers > 0 {
		f.notes = append(f.notes, fmt.Sprintf("num_nextn_predict_layers %d: the multi-token-prediction modules, which "+
			"transformers does not build, are counted apart as params.mtp, not in params.total", c.MTPLayers))
	}
}

// deepseekV3FP8 is how DeepSeek-V3's checkpoint stores its weights
// (config.json quantization_config: fp8, fmt e4m3, weight_block_size
// [128, 128], activation_scheme dynamic; torch_dtype bfloat16): every
// nn.Linear in float8_e4m3fn with a float32 weight_scale_inv per 128 × 128
// block, except the router (a parameter of DeepseekV3TopkRouter, not an
// nn.Linear) and lm_head (transformers' default skip); everything else in
// bf16.
func deepseekV3FP8() *scale.Quantization {
	return &scale.Quantization{Method: scale.QuantFP8, Bits: 8, BlockSize: []int64{128, 128}, DType: scale.BF16,
		NotQuantized: []scale.QuantSkip{{Op: "router"}, {Op: "lm_head"}}}
}
