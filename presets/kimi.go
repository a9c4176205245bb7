package presets

import "github.com/tscale/tscale/scale"

func kimiFamily() []Preset {
	return []Preset{
		{
			Slug: "kimi-k2", Name: "Kimi K2 (1T-A32B)", Family: "Kimi",
			Config: deepseekMoE("deepseek_v3", scale.Config{
				VocabSize: 163840, HiddenSize: 7168, NumHiddenLayers: 61, NumAttentionHeads: 64,
				IntermediateSize: 18432, MaxPositionEmbeddings: 131072,
				QLoraRank: 1536, KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128,
				NumLocalExperts: 384, NumExpertsPerTok: 8, MoEIntermediateSize: 2048, NumSharedExperts: 1,
				FirstKDenseReplace: 1, RouterScoreBias: true, Quantization: deepseekV3FP8(),
			}),
			Sources: []string{"Hugging Face moonshotai/Kimi-K2-Instruct " + deepseekFields +
				", topk_method noaux_tc, num_nextn_predict_layers 0 (Kimi-K2-Base has the same architecture)",
				deepseekCode + "; noaux_tc routing adds e_score_correction_bias, one value per routed expert"},
			Notes: []string{
				"model_type kimi_k2 is registered in no transformers release: config.json's architectures and auto_map " +
					"name DeepseekV3ForCausalLM, the repo's modeling_deepseek.py (DeepSeek-V3's code), so tscale reads kimi_k2 " +
					"as deepseek_v3, with DeepseekV3Config's defaults",
				"DeepSeek-V3's architecture with 384 routed experts (V3: 256), 64 heads (V3: 128), one dense layer first " +
					"(V3: 3) and a vocabulary of 163840; num_nextn_predict_layers 0: no multi-token-prediction module, and " +
					"the checkpoint stores none",
				"params.total follows transformers' native DeepseekV3 classes, in which e_score_correction_bias is a " +
					"buffer: 1,026,408,209,408, as for deepseek-v3, whose Hub auto_map also points at remote code; the " +
					"repo's own code (trust_remote_code) declares it an nn.Parameter, 384 in each of the 60 MoE layers, and " +
					"counts 23,040 more: 1,026,408,232,448",
				"Moonshot's card gives 1T total and 32B activated parameters; params.active is 32.86B with the embedding " +
					"and head, 31.69B without the embedding; the 1.04T of some texts matches no exact grouping",
				"the FP8 checkpoint also stores 62,495,192 weight_scale_inv values (one per 128 × 128 block of each FP8 " +
					"matrix) besides the 23,040 e_score_correction_bias values",
				"multi-head latent attention: the KV cache holds the 512-wide latent and the 64-wide rotary key per token " +
					"per layer; FLOPs are counted as trained, with keys and values expanded per head",
			},
		},
	}
}

// readKimiK2 reads Kimi K2's config.json as deepseek_v3: transformers
// registers no kimi_k2, and the file's architectures and auto_map name
// DeepseekV3ForCausalLM (DeepSeek-V3's code, shipped in the repo), so
// DeepseekV3Config's defaults apply.
func readKimiK2(f *hfFields) scale.Config {
	f.notes = append(f.notes, "model_type kimi_k2: read as deepseek_v3 (DeepseekV3ForCausalLM, with DeepseekV3Config's "+
		"defaults); transformers registers no kimi_k2")
	f.modelType = "deepseek_v3"
	return readDeepSeek(f)
}
