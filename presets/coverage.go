package presets

import "sort"

// hfFollows names, for each model_type tscale reads, the transformers
// class whose num_parameters() params.total follows (remote code where
// transformers has none). The README's coverage table is this map.
var hfFollows = map[string]string{
	"apertus":          "ApertusForCausalLM",
	"bamba":            "BambaForCausalLM (attn_layer_indices attention, Mamba-2 elsewhere)",
	"arcee":            "ArceeForCausalLM",
	"bloom":            "BloomForCausalLM",
	"cohere":           "CohereForCausalLM",
	"cohere2":          "Cohere2ForCausalLM",
	"dbrx":             "DbrxForCausalLM",
	"deepseek_v2":      "DeepseekV2ForCausalLM (e_score_correction_bias a buffer; moe_layer_freq as DeepSeek's code reads it)",
	"deepseek_v3":      "DeepseekV3ForCausalLM (e_score_correction_bias a buffer; MTP modules apart, as params.mtp)",
	"dots1":            "Dots1ForCausalLM",
	"ernie4_5":         "Ernie4_5ForCausalLM",
	"ernie4_5_moe":     "Ernie4_5_MoeForCausalLM",
	"exaone4":          "Exaone4ForCausalLM",
	"falcon":           "FalconForCausalLM",
	"falcon_h1":        "FalconH1ForCausalLM (attention and Mamba-2 side by side in every layer)",
	"gemma":            "GemmaForCausalLM",
	"gemma2":           "Gemma2ForCausalLM",
	"gemma3":           "Gemma3ForConditionalGeneration: the text backbone, the SigLIP tower and projector as params.vision",
	"gemma3_text":      "Gemma3ForCausalLM",
	"glm4":             "Glm4ForCausalLM",
	"glm4_moe":         "Glm4MoeForCausalLM (MTP modules apart, as params.mtp)",
	"glm4_moe_lite":    "Glm4MoeLiteForCausalLM (MTP modules apart, as params.mtp)",
	"gpt2":             "GPT2LMHeadModel",
	"gpt_neox":         "GPTNeoXForCausalLM",
	"gpt_oss":          "GptOssForCausalLM (experts counted as built from the config, not as MXFP4 kernels)",
	"gptj":             "GPTJForCausalLM",
	"granite":          "GraniteForCausalLM",
	"granitemoe":       "GraniteMoeForCausalLM",
	"granitemoehybrid": "GraniteMoeHybridForCausalLM (layer_types mamba and attention)",
	"hunyuan_v1_dense": "HunYuanDenseV1ForCausalLM",
	"hunyuan_v1_moe":   "HunYuanMoEV1ForCausalLM",
	"jamba":            "JambaForCausalLM (Mamba-1 and attention layers by attn_layer_period/offset, experts by expert_layer_period/offset)",
	"minimax":          "MiniMaxForCausalLM (lightning attention and softmax attention by layer_types; Mixtral's experts on every layer)",
	"qwen3_next":       "Qwen3NextForCausalLM (Gated DeltaNet and gated attention by layer_types or full_attention_interval; experts with a gated shared expert, dense MLPs where mlp_only_layers and decoder_sparse_step say)",
	"lfm2":             "Lfm2ForCausalLM (layer_types conv and full_attention; the MLP width adjusted as Lfm2MLP does)",
	"kimi_k2":          "DeepseekV3ForCausalLM (Kimi's remote code counts the router's score bias too)",
	"llama":            "LlamaForCausalLM",
	"llama4":           "Llama4ForConditionalGeneration: the text backbone",
	"llama4_text":      "Llama4ForCausalLM",
	"longcat_flash":    "LongcatFlashForCausalLM (zero-computation experts own no weights)",
	"mamba2":           "Mamba2ForCausalLM",
	"zamba2":           "Zamba2ForCausalLM (shared transformer blocks counted once)",
	"ministral":        "MinistralForCausalLM",
	"mistral":          "MistralForCausalLM",
	"mixtral":          "MixtralForCausalLM",
	"mpt":              "MptForCausalLM",
	"nemotron-nas":     "DeciLMForCausalLM, remote code (trust_remote_code): transformers has no such class",
	"nemotron_h":       "NemotronHForCausalLM of transformers 5.17 (layers_block_type or hybrid_override_pattern: M, *, - and E layers; head_dim, not attention_head_dim; the head never tied; notes give 4.x's difference)",
	"olmo2":            "Olmo2ForCausalLM",
	"olmo3":            "Olmo3ForCausalLM",
	"olmoe":            "OlmoeForCausalLM",
	"opt":              "OPTForCausalLM",
	"phi":              "PhiForCausalLM",
	"phi3":             "Phi3ForCausalLM",
	"phimoe":           "PhimoeForCausalLM",
	"qwen2":            "Qwen2ForCausalLM",
	"qwen2_moe":        "Qwen2MoeForCausalLM",
	"qwen3":            "Qwen3ForCausalLM",
	"qwen3_moe":        "Qwen3MoeForCausalLM",
	"seed_oss":         "SeedOssForCausalLM",
	"smollm3":          "SmolLM3ForCausalLM",
	"stablelm":         "StableLmForCausalLM",
	"starcoder2":       "Starcoder2ForCausalLM",
}

// hfRefused says why tscale refuses model types people bring it: the
// error for each names the reason, and the README's coverage table lists
// them.
var hfRefused = map[string]string{
	"RefinedWebModel": "Falcon's original remote-code config: the in-library falcon config.json of the same model is read",
	"RefinedWeb":      "Falcon's original remote-code config: the in-library falcon config.json of the same model is read",
	"bert":            "an encoder, not a decoder-only language model",
	"t5":              "an encoder-decoder, not a decoder-only language model",
	"mamba":           "state-space layers, not attention: not modelled yet",
}

// HFTypeRow is one line of the coverage table: a model_type and what
// tscale does with it.
type HFTypeRow struct {
	ModelType string
	// Follows is the class whose count tscale follows (for a type it
	// reads), or why it refuses the type.
	Follows string
}

// HFCoverage lists the model types tscale reads, with the class each
// follows, and those it refuses on purpose, with the reason; each sorted.
func HFCoverage() (read, refused []HFTypeRow) {
	for _, t := range HFModelTypes() {
		read = append(read, HFTypeRow{t, hfFollows[t]})
	}
	for t, why := range hfRefused {
		refused = append(refused, HFTypeRow{t, why})
	}
	sort.Slice(refused, func(i, j int) bool { return refused[i].ModelType < refused[j].ModelType })
	return read, refused
}
