package presets

import (
	"strconv"
	"strings"

	"github.com/tscale/tscale/scale"
)

// Checkpoint is what tscale read of a model folder's safetensors files:
// their headers, each tensor named as the model's ops.
type Checkpoint struct {
	// Files are the .safetensors files read, in name order.
	Files []string
	// IndexTotalSize is model.safetensors.index.json's metadata.total_size
	// (0: no index, or none given).
	IndexTotalSize int64
	Tensors        []scale.StoredTensor
}

// hfModule is how a model family's Hugging Face checkpoint names the
// tensors of one op (or of ops fused into one matrix). path is a module
// path with {L} for the decoder layer and {E} for the routed expert; a
// tensor is path + "." + part. An attr module is a parameter of its parent
// named by path itself (gpt-oss's sinks, fused experts): the tensor is path
// (its weight) or path + "_bias", "_blocks", "_scales".
type hfModule struct {
	path string
	ops  []string
	attr bool
	// stacked: every routed expert in one tensor; transposed: an
	// unquantised weight stored [in, out].
	stacked, transposed bool
	role                scale.TensorRole
	// linear: the module is an nn.Linear, which the generic quantisers
	// (AWQ, GPTQ, bitsandbytes, FP8, compressed-tensors' "Linear" target)
	// replace; conv1d: transformers' Conv1D, which bitsandbytes and GPTQ
	// also replace.
	linear, conv1d bool
	// part is an attr module's part for its bare name ("weight"), or the
	// fixed part of a buffer entry.
	part string
}

// hfParts are the tensor names after a module's path that tscale knows:
// weights and biases, the quantised layouts' tensors (scale.Quantization
// WeightTensors) and buffers. Longer names come first.
var hfParts = []string{
	"weight.quant_state.bitsandbytes__nf4", "weight.quant_state.bitsandbytes__fp4",
	"weight.nested_quant_map", "weight.nested_absmax", "weight.quant_map", "weight.absmax",
	"weight_scale_inv", "weight_global_scale", "weight_zero_point", "weight_packed", "weight_shape", "weight_scale",
	"weight_g_idx", "weight_format", "input_global_scale", "input_scale", "activation_scale",
	"e_score_correction_bias", "qweight", "qzeros", "scales", "g_idx", "SCB", "weight", "bias",
}

// The families' module names, from their transformers modelling code
// (modeling_<family>.py, the attribute names of each module).
func linearModule(path string, ops ...string) hfModule {
	return hfModule{path: path, ops: ops, linear: true}
}

func paramModule(path string, ops ...string) hfModule { return hfModule{path: path, ops: ops} }

// llamaLayer is the Llama decoder layer's modules (LlamaDecoderLayer):
// self_attn.{q,k,v,o}_proj, the Qwen3/OLMo 2 q_norm and k_norm,
// mlp.{gate,up,down}_proj, input_layernorm before attention and
// post_attention_layernorm before the MLP.
func llamaLayer(p string) []hfModule {
	return []hfModule{
		paramModule(p+"input_layernorm", "attention_norm"),
		paramModule(p+"post_attention_layernorm", "mlp_norm"),
		linearModule(p+"self_attn.q_proj", "q_proj"), linearModule(p+"self_attn.k_proj", "k_proj"),
		linearModule(p+"self_attn.v_proj", "v_proj"), linearModule(p+"self_attn.o_proj", "o_proj"),
		paramModule(p+"self_attn.q_norm", "q_norm"), paramModule(p+"self_attn.k_norm", "k_norm"),
		linearModule(p+"mlp.gate_proj", "gate_proj"), linearModule(p+"mlp.up_proj", "up_proj"),
		linearModule(p+"mlp.down_proj", "down_proj"),
	}
}

// llamaStage is the embedding, final norm and LM head of a Llama-style
// model under prefix p ("model.").
func llamaStage(p, head string) []hfModule {
	return []hfModule{paramModule(p+"embed_tokens", "embed_tokens"), paramModule(p+"norm", "final_norm"),
		linearModule(head, "lm_head")}
}

// expertModules are a mixture's routed experts stored one tensor per
// expert (mlp.experts.{E}.gate_proj), its router and its shared experts.
func expertModules(p, router string, routerLinear bool, gate, up, down, shared string) []hfModule {
	r := paramModule(p+router, "router")
	r.linear = routerLinear
	mods := []hfModule{r,
		linearModule(p+"experts.{E}."+gate, "experts.gate_proj"),
		linearModule(p+"experts.{E}."+up, "experts.up_proj"),
		linearModule(p+"experts.{E}."+down, "experts.down_proj"),
	}
	if shared != "" {
		mods = append(mods,
			linearModule(p+shared+".gate_proj", "shared_expert.gate_proj"),
			linearModule(p+shared+".up_proj", "shared_expert.up_proj"),
			linearModule(p+shared+".down_proj", "shared_expert.down_proj"))
	}
	return mods
}

// hfModules is how the checkpoint of model_type modelType (with config c)
// names its tensors; nil for a family tscale does not map.
func hfModules(modelType string, c scale.Config) []hfModule {
	const layer = "model.layers.{L}."
	switch modelType {
	case "llama", "mistral", "qwen2", "qwen3", "gemma", "granite", "nemotron-nas":
		return append(llamaStage("model.", "lm_head"), llamaLayer(layer)...)
	case "gemma2":
		// Gemma2DecoderLayer: input_layernorm, post_attention_layernorm
		// (after attention), pre_feedforward_layernorm and
		// post_feedforward_layernorm.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[2:]...)
		return append(mods, paramModule(layer+"input_layernorm", "attention_norm"),
			paramModule(layer+"post_attention_layernorm", "post_attention_norm"),
			paramModule(layer+"pre_feedforward_layernorm", "mlp_norm"),
			paramModule(layer+"post_feedforward_layernorm", "post_mlp_norm"))
	case "olmo2":
		// Olmo2DecoderLayer: post_attention_layernorm and
		// post_feedforward_layernorm after each sublayer, no input norm.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[2:]...)
		return append(mods, paramModule(layer+"post_attention_layernorm", "post_attention_norm"),
			paramModule(layer+"post_feedforward_layernorm", "post_mlp_norm"))
	case "starcoder2":
		// Starcoder2MLP: c_fc and c_proj (nn.Linear).
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[:8]...)
		return append(mods, linearModule(layer+"mlp.c_fc", "up_proj"), linearModule(layer+"mlp.c_proj", "down_proj"))
	case "mixtral":
		// MixtralSparseMoeBlock: gate (nn.Linear) and experts.{E}.w1
		// (gate), w3 (up), w2 (down).
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[:8]...)
		return append(mods, expertModules(layer+"block_sparse_moe.", "gate", true, "w1", "w3", "w2", "")...)
	case "qwen2_moe", "qwen3_moe":
		// Qwen2MoeSparseMoeBlock: gate (nn.Linear), experts.{E}, one
		// shared_expert and shared_expert_gate (nn.Linear(h, 1)); dense
		// layers (mlp_only_layers, decoder_sparse_step) a plain mlp.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)...)
		mods = append(mods, expertModules(layer+"mlp.", "gate", true, "gate_proj", "up_proj", "down_proj", "shared_expert")...)
		return append(mods, linearModule(layer+"mlp.shared_expert_gate", "shared_expert_gate"))
	case "deepseek_v2", "deepseek_v3":
		// DeepseekV3Attention: q_proj or q_a_proj, q_a_layernorm, q_b_proj;
		// kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj; o_proj.
		// DeepseekV3MoE: gate (DeepseekV3TopkRouter: a weight parameter,
		// not an nn.Linear, and the e_score_correction_bias buffer),
		// experts.{E}, shared_experts. The checkpoint's
		// multi-token-prediction layers (model.layers.{L} from
		// num_hidden_layers on) add enorm, hnorm, eh_proj and
		// shared_head.norm, and store their own copies of the embedding
		// and the head (embed_tokens, shared_head.head).
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)...)
		mods = append(mods,
			linearModule(layer+"self_attn.q_a_proj", "q_a_proj"), paramModule(layer+"self_attn.q_a_layernorm", "q_a_layernorm"),
			linearModule(layer+"self_attn.q_b_proj", "q_b_proj"),
			linearModule(layer+"self_attn.kv_a_proj_with_mqa", "kv_a_proj_with_mqa"),
			paramModule(layer+"self_attn.kv_a_layernorm", "kv_a_layernorm"), linearModule(layer+"self_attn.kv_b_proj", "kv_b_proj"),
			hfModule{path: layer + "mlp.gate.e_score_correction_bias", ops: []string{"router"}, attr: true,
				part: "e_score_correction_bias", role: scale.RoleBuffer},
			paramModule(layer+"enorm", "enorm"), paramModule(layer+"hnorm", "hnorm"), linearModule(layer+"eh_proj", "eh_proj"),
			paramModule(layer+"shared_head.norm", "shared_head.norm"),
			hfModule{path: layer + "embed_tokens", ops: []string{"embed_tokens"}, role: scale.RoleCopy},
			hfModule{path: layer + "shared_head.head", ops: []string{"lm_head"}, role: scale.RoleCopy})
		return append(mods, expertModules(layer+"mlp.", "gate", false, "gate_proj", "up_proj", "down_proj", "shared_experts")...)
	case "phi":
		// PhiDecoderLayer: one input_layernorm; self_attn.{q,k,v}_proj,
		// dense (the output projection), q_layernorm, k_layernorm;
		// mlp.fc1, fc2. PhiModel's final_layernorm.
		return []hfModule{
			paramModule("model.embed_tokens", "embed_tokens"), paramModule("model.final_layernorm", "final_norm"),
			linearModule("lm_head", "lm_head"),
			paramModule(layer+"input_layernorm", "input_norm"),
			linearModule(layer+"self_attn.q_proj", "q_proj"), linearModule(layer+"self_attn.k_proj", "k_proj"),
			linearModule(layer+"self_attn.v_proj", "v_proj"), linearModule(layer+"self_attn.dense", "o_proj"),
			paramModule(layer+"self_attn.q_layernorm", "q_norm"), paramModule(layer+"self_attn.k_layernorm", "k_norm"),
			linearModule(layer+"mlp.fc1", "up_proj"), linearModule(layer+"mlp.fc2", "down_proj"),
		}
	case "phi3":
		// Phi3Attention: qkv_proj (q, k, v fused) and o_proj; Phi3MLP:
		// gate_up_proj (gate and up fused) and down_proj.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[:2]...)
		return append(mods, linearModule(layer+"self_attn.qkv_proj", "q_proj", "k_proj", "v_proj"),
			linearModule(layer+"self_attn.o_proj", "o_proj"),
			linearModule(layer+"mlp.gate_up_proj", "gate_proj", "up_proj"), linearModule(layer+"mlp.down_proj", "down_proj"))
	case "gpt2":
		// GPT2Model: wte, wpe, h.{L}.ln_1, attn.c_attn (q, k, v fused),
		// attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj, ln_f; every matrix a
		// Conv1D, its weight stored [in, out]. The original checkpoints
		// name them without the "transformer." prefix and keep the causal
		// mask buffers attn.bias and attn.masked_bias.
		var mods []hfModule
		for _, p := range []string{"transformer.", ""} {
			conv := func(path string, ops ...string) hfModule {
				return hfModule{path: p + path, ops: ops, transposed: true, conv1d: true}
			}
			mods = append(mods,
				paramModule(p+"wte", "embed_tokens"), paramModule(p+"wpe", "embed_positions"), paramModule(p+"ln_f", "final_norm"),
				paramModule(p+"h.{L}.ln_1", "attention_norm"), paramModule(p+"h.{L}.ln_2", "mlp_norm"),
				conv("h.{L}.attn.c_attn", "q_proj", "k_proj", "v_proj"), conv("h.{L}.attn.c_proj", "o_proj"),
				conv("h.{L}.mlp.c_fc", "up_proj"), conv("h.{L}.mlp.c_proj", "down_proj"),
				hfModule{path: p + "h.{L}.attn.bias", ops: []string{"scores"}, attr: true, part: "causal_mask", role: scale.RoleBuffer},
				hfModule{path: p + "h.{L}.attn.masked_bias", ops: []string{"scores"}, attr: true, part: "masked_bias",
					role: scale.RoleBuffer})
		}
		return append(mods, linearModule("lm_head", "lm_head"))
	case "falcon":
		// FalconDecoderLayer: self_attention.query_key_value (q, k, v
		// fused), self_attention.dense; mlp.dense_h_to_4h, dense_4h_to_h;
		// input_layernorm (shared by a parallel block with one norm, else
		// before attention), ln_attn and ln_mlp (new_decoder_architecture),
		// post_attention_layernorm (a sequential block).
		input := "attention_norm"
		if c.ParallelBlock && c.NormsPerLayer == 1 {
			input = "input_norm"
		}
		const fl = "transformer.h.{L}."
		return []hfModule{
			paramModule("transformer.word_embeddings", "embed_tokens"), paramModule("transformer.ln_f", "final_norm"),
			linearModule("lm_head", "lm_head"),
			paramModule(fl+"input_layernorm", input), paramModule(fl+"ln_attn", "attention_norm"),
			paramModule(fl+"ln_mlp", "mlp_norm"), paramModule(fl+"post_attention_layernorm", "mlp_norm"),
			linearModule(fl+"self_attention.query_key_value", "q_proj", "k_proj", "v_proj"),
			linearModule(fl+"self_attention.dense", "o_proj"),
			linearModule(fl+"mlp.dense_h_to_4h", "up_proj"), linearModule(fl+"mlp.dense_4h_to_h", "down_proj"),
		}
	case "llama4", "llama4_text":
		// Llama4TextDecoderLayer: feed_forward is a Llama4TextMoe (router,
		// an nn.Linear; experts.gate_up_proj [E, h, 2f] and down_proj
		// [E, f, h], parameters of Llama4TextExperts; shared_expert) or a
		// dense Llama4TextMLP. The multimodal checkpoint puts the text
		// model under language_model. and adds vision_model. and
		// multi_modal_projector.
		p, head := "model.", "lm_head"
		if modelType == "llama4" {
			p, head = "language_model.model.", "language_model.lm_head"
		}
		l := p + "layers.{L}."
		mods := append(llamaStage(p, head), llamaLayer(l)[:8]...)
		ff := l + "feed_forward."
		mods = append(mods, linearModule(ff+"gate_proj", "gate_proj"), linearModule(ff+"up_proj", "up_proj"),
			linearModule(ff+"down_proj", "down_proj"), linearModule(ff+"router", "router"),
			hfModule{path: ff + "experts.gate_up_proj", ops: []string{"experts.gate_proj", "experts.up_proj"}, attr: true,
				stacked: true, transposed: true, part: "weight"},
			hfModule{path: ff + "experts.down_proj", ops: []string{"experts.down_proj"}, attr: true, stacked: true,
				transposed: true, part: "weight"},
			linearModule(ff+"shared_expert.gate_proj", "shared_expert.gate_proj"),
			linearModule(ff+"shared_expert.up_proj", "shared_expert.up_proj"),
			linearModule(ff+"shared_expert.down_proj", "shared_expert.down_proj"))
		return mods
	case "kimi_k2", "glm4_moe", "glm4_moe_lite":
		// Kimi K2 is DeepSeek-V3's code under another name; Glm4Moe and
		// Glm4MoeLite take DeepSeek-V3's MoE (a Glm4MoeTopkRouter weight
		// parameter with e_score_correction_bias, experts.{E},
		// shared_experts) and MTP layer, with Llama's attention (q_norm and
		// k_norm where use_qk_norm) or DeepSeek's MLA.
		return hfModules("deepseek_v3", c)
	case "gemma3", "gemma3_text":
		// Gemma3DecoderLayer: Gemma 2's four norms, q_norm and k_norm. The
		// multimodal checkpoint puts the text model under language_model.
		// (transformers before 4.52) or model.language_model. (after), the
		// vision tower and projector beside it.
		prefixes := []string{"model."}
		if modelType == "gemma3" {
			prefixes = []string{"language_model.model.", "model.language_model."}
		}
		var mods []hfModule
		for _, p := range prefixes {
			l := p + "layers.{L}."
			head := "lm_head"
			if p == "language_model.model." {
				head = "language_model.lm_head"
			}
			mods = append(mods, llamaStage(p, head)...)
			mods = append(mods, llamaLayer(l)[2:]...)
			mods = append(mods, paramModule(l+"input_layernorm", "attention_norm"),
				paramModule(l+"post_attention_layernorm", "post_attention_norm"),
				paramModule(l+"pre_feedforward_layernorm", "mlp_norm"),
				paramModule(l+"post_feedforward_layernorm", "post_mlp_norm"))
		}
		return mods
	case "cohere", "cohere2":
		// CohereDecoderLayer: one input_layernorm read by attention and the
		// MLP (a parallel block), q_norm and k_norm with per-head weights.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[2:]...)
		return append(mods, paramModule(layer+"input_layernorm", "input_norm"))
	case "glm4":
		// Glm4DecoderLayer: input_layernorm, post_self_attn_layernorm (after
		// attention), post_attention_layernorm (before the MLP) and
		// post_mlp_layernorm; Phi3MLP's fused gate_up_proj.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[2:8]...)
		return append(mods, paramModule(layer+"input_layernorm", "attention_norm"),
			paramModule(layer+"post_self_attn_layernorm", "post_attention_norm"),
			paramModule(layer+"post_attention_layernorm", "mlp_norm"),
			paramModule(layer+"post_mlp_layernorm", "post_mlp_norm"),
			linearModule(layer+"mlp.gate_up_proj", "gate_proj", "up_proj"), linearModule(layer+"mlp.down_proj", "down_proj"))
	case "apertus":
		// ApertusDecoderLayer: attention_layernorm and feedforward_layernorm;
		// ApertusMLP's up_proj, down_proj and xIELU act_fn, whose alpha_p and
		// alpha_n are the activation's parameters 0 and 1.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[2:]...)
		return append(mods, paramModule(layer+"attention_layernorm", "attention_norm"),
			paramModule(layer+"feedforward_layernorm", "mlp_norm"),
			hfModule{path: layer + "mlp.act_fn.alpha_p", ops: []string{"act"}, attr: true, part: "0"},
			hfModule{path: layer + "mlp.act_fn.alpha_n", ops: []string{"act"}, attr: true, part: "1"})
	case "exaone4", "olmo3":
		return hfModules("olmo2", c) // Olmo2DecoderLayer's post-norms, q_norm and k_norm
	case "seed_oss", "smollm3", "arcee", "ministral", "stablelm":
		// StableLM's per-head QK norms (qk_layernorm: q_layernorm.norms.{H})
		// are not named here.
		return append(llamaStage("model.", "lm_head"), llamaLayer(layer)...)
	case "olmoe":
		// OlmoeSparseMoeBlock: gate (nn.Linear) and experts.{E}.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[:8]...)
		return append(mods, expertModules(layer+"mlp.", "gate", true, "gate_proj", "up_proj", "down_proj", "")...)
	case "phimoe":
		// PhimoeSparseMoeBlock: Mixtral's gate and experts.{E}.w1, w3, w2.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[:8]...)
		return append(mods, expertModules(layer+"block_sparse_moe.", "gate", true, "w1", "w3", "w2", "")...)
	case "granitemoe":
		// GraniteMoeMoE: router.layer (nn.Linear), and ParallelExperts
		// input_linear [E, 2f, h] (gate and up) and output_linear [E, h, f],
		// each weight [experts, output, input].
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[:8]...)
		return append(mods, linearModule(layer+"block_sparse_moe.router.layer", "router"),
			hfModule{path: layer + "block_sparse_moe.input_linear", ops: []string{"experts.gate_proj", "experts.up_proj"}, stacked: true},
			hfModule{path: layer + "block_sparse_moe.output_linear", ops: []string{"experts.down_proj"}, stacked: true})
	case "gpt_neox":
		// GPTNeoXLayer: input_layernorm and post_attention_layernorm (a
		// parallel block with a norm each), attention.query_key_value (q, k,
		// v fused), attention.dense, mlp.dense_h_to_4h, dense_4h_to_h;
		// GPTNeoXModel's embed_in and final_layer_norm; embed_out.
		const l = "gpt_neox.layers.{L}."
		return []hfModule{
			paramModule("gpt_neox.embed_in", "embed_tokens"), paramModule("gpt_neox.final_layer_norm", "final_norm"),
			linearModule("embed_out", "lm_head"),
			paramModule(l+"input_layernorm", "attention_norm"), paramModule(l+"post_attention_layernorm", "mlp_norm"),
			linearModule(l+"attention.query_key_value", "q_proj", "k_proj", "v_proj"), linearModule(l+"attention.dense", "o_proj"),
			linearModule(l+"mlp.dense_h_to_4h", "up_proj"), linearModule(l+"mlp.dense_4h_to_h", "down_proj"),
			hfModule{path: l + "attention.bias", ops: []string{"scores"}, attr: true, part: "causal_mask", role: scale.RoleBuffer},
			hfModule{path: l + "attention.masked_bias", ops: []string{"scores"}, attr: true, part: "masked_bias", role: scale.RoleBuffer},
		}
	case "gptj":
		// GPTJBlock: ln_1 (shared by attention and the MLP), attn.q_proj,
		// k_proj, v_proj, out_proj, mlp.fc_in, fc_out; and the old
		// checkpoints' causal mask buffers.
		const l = "transformer.h.{L}."
		return []hfModule{
			paramModule("transformer.wte", "embed_tokens"), paramModule("transformer.ln_f", "final_norm"),
			linearModule("lm_head", "lm_head"),
			paramModule(l+"ln_1", "input_norm"),
			linearModule(l+"attn.q_proj", "q_proj"), linearModule(l+"attn.k_proj", "k_proj"),
			linearModule(l+"attn.v_proj", "v_proj"), linearModule(l+"attn.out_proj", "o_proj"),
			linearModule(l+"mlp.fc_in", "up_proj"), linearModule(l+"mlp.fc_out", "down_proj"),
			hfModule{path: l + "attn.bias", ops: []string{"scores"}, attr: true, part: "causal_mask", role: scale.RoleBuffer},
			hfModule{path: l + "attn.masked_bias", ops: []string{"scores"}, attr: true, part: "masked_bias", role: scale.RoleBuffer},
		}
	case "opt":
		// OPTDecoderLayer: self_attn.q_proj, k_proj, v_proj, out_proj,
		// self_attn_layer_norm, fc1, fc2, final_layer_norm (before the MLP);
		// OPTDecoder's embed_tokens, embed_positions and final_layer_norm.
		// Older checkpoints drop the "model." prefix.
		var mods []hfModule
		for _, p := range []string{"model.decoder.", "decoder."} {
			l := p + "layers.{L}."
			mods = append(mods,
				paramModule(p+"embed_tokens", "embed_tokens"), paramModule(p+"embed_positions", "embed_positions"),
				paramModule(p+"final_layer_norm", "final_norm"),
				paramModule(l+"self_attn_layer_norm", "attention_norm"), paramModule(l+"final_layer_norm", "mlp_norm"),
				linearModule(l+"self_attn.q_proj", "q_proj"), linearModule(l+"self_attn.k_proj", "k_proj"),
				linearModule(l+"self_attn.v_proj", "v_proj"), linearModule(l+"self_attn.out_proj", "o_proj"),
				linearModule(l+"fc1", "up_proj"), linearModule(l+"fc2", "down_proj"))
		}
		return append(mods, linearModule("lm_head", "lm_head"))
	case "bloom":
		// BloomModel: word_embeddings, word_embeddings_layernorm, h.{L}
		// (input_layernorm, self_attention.query_key_value with q, k, v
		// fused, self_attention.dense, post_attention_layernorm,
		// mlp.dense_h_to_4h, dense_4h_to_h), ln_f; with or without the
		// "transformer." prefix.
		var mods []hfModule
		for _, p := range []string{"transformer.", ""} {
			l := p + "h.{L}."
			mods = append(mods,
				paramModule(p+"word_embeddings", "embed_tokens"), paramModule(p+"word_embeddings_layernorm", "embed_norm"),
				paramModule(p+"ln_f", "final_norm"),
				paramModule(l+"input_layernorm", "attention_norm"), paramModule(l+"post_attention_layernorm", "mlp_norm"),
				linearModule(l+"self_attention.query_key_value", "q_proj", "k_proj", "v_proj"),
				linearModule(l+"self_attention.dense", "o_proj"),
				linearModule(l+"mlp.dense_h_to_4h", "up_proj"), linearModule(l+"mlp.dense_4h_to_h", "down_proj"))
		}
		return append(mods, linearModule("lm_head", "lm_head"))
	case "mpt":
		// MptBlock: norm_1, attn.Wqkv (q, k, v fused), attn.out_proj, norm_2,
		// ffn.up_proj, ffn.down_proj; MptModel's wte and norm_f.
		const l = "transformer.blocks.{L}."
		return []hfModule{
			paramModule("transformer.wte", "embed_tokens"), paramModule("transformer.norm_f", "final_norm"),
			linearModule("lm_head", "lm_head"),
			paramModule(l+"norm_1", "attention_norm"), paramModule(l+"norm_2", "mlp_norm"),
			linearModule(l+"attn.Wqkv", "q_proj", "k_proj", "v_proj"), linearModule(l+"attn.out_proj", "o_proj"),
			linearModule(l+"ffn.up_proj", "up_proj"), linearModule(l+"ffn.down_proj", "down_proj"),
		}
	case "gpt_oss":
		// GptOssDecoderLayer: self_attn.{q,k,v,o}_proj and sinks; mlp.router
		// (GptOssTopKRouter: weight and bias parameters, not an
		// nn.Linear); mlp.experts.gate_up_proj [E, h, 2f] and down_proj
		// [E, f, h] with _bias, or as MXFP4 _blocks and _scales.
		mods := append(llamaStage("model.", "lm_head"), llamaLayer(layer)[:8]...)
		return append(mods,
			hfModule{path: layer + "self_attn.sinks", ops: []string{"softmax"}, attr: true, part: "weight"},
			paramModule(layer+"mlp.router", "router"),
			hfModule{path: layer + "mlp.experts.gate_up_proj", ops: []string{"experts.gate_proj", "experts.up_proj"}, attr: true,
				stacked: true, transposed: true, part: "weight"},
			hfModule{path: layer + "mlp.experts.down_proj", ops: []string{"experts.down_proj"}, attr: true, stacked: true,
				transposed: true, part: "weight"})
	}
	return nil
}

// HasCheckpointNames reports whether tscale knows how the checkpoints of
// model_type modelType name their tensors.
func HasCheckpointNames(modelType string) bool {
	return hfModules(modelType, scale.Config{}) != nil
}

// visionPrefixes are the tensor names of a multimodal checkpoint's vision
// tower and projector.
var visionPrefixes = map[string][]string{
	"llama4": {"vision_model.", "multi_modal_projector."},
	"gemma3": {"vision_tower.", "multi_modal_projector.", "model.vision_tower.", "model.multi_modal_projector."},
}

// moduleIndex finds a family's module by a tensor's module path: the path
// with every all-digit component replaced by {N}, then the numbers in order.
type moduleIndex struct {
	modules map[string]indexedModule
}

type indexedModule struct {
	hfModule
	// slots says what each {N} of the path is: 'L' or 'E'.
	slots []byte
}

func newModuleIndex(mods []hfModule) moduleIndex {
	idx := moduleIndex{modules: map[string]indexedModule{}}
	for _, m := range mods {
		parts := strings.Split(m.path, ".")
		var slots []byte
		for i, p := range parts {
			switch p {
			case "{L}", "{E}":
				slots = append(slots, p[1])
				parts[i] = "{N}"
			}
		}
		key := strings.Join(parts, ".")
		if _, dup := idx.modules[key]; !dup {
			idx.modules[key] = indexedModule{hfModule: m, slots: slots}
		}
	}
	return idx
}

// lookup finds the module at path, with its layer and expert (−1 where the
// path has none).
func (idx moduleIndex) lookup(path string) (indexedModule, int64, int64, bool) {
	parts := strings.Split(path, ".")
	var nums []int64
	for i, p := range parts {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return indexedModule{}, 0, 0, false
			}
			nums = append(nums, n)
			parts[i] = "{N}"
		}
	}
	m, ok := idx.modules[strings.Join(parts, ".")]
	if !ok || len(m.slots) != len(nums) {
		return indexedModule{}, 0, 0, false
	}
	layer, expert := int64(-1), int64(-1)
	for i, s := range m.slots {
		if s == 'L' {
			layer = nums[i]
		} else {
			expert = nums[i]
		}
	}
	return m, layer, expert, true
}

// CheckpointTensors names each tensor of a checkpoint as the ops of the
// model: its layer, op(s) and part, by the Hugging Face module names of
// model_type modelType. A tensor whose name the family does not use gets no
// Ref (scale reports it as not accounted for). The tensors keep their
// order.
func CheckpointTensors(modelType string, c scale.Config, tensors []SafetensorsTensor) []scale.StoredTensor {
	idx := newModuleIndex(hfModules(modelType, c))
	out := make([]scale.StoredTensor, len(tensors))
	for i, t := range tensors {
		out[i] = scale.StoredTensor{Name: t.Name, DType: t.DType, Shape: t.Shape, Bytes: t.End - t.Begin,
			Ref: idx.ref(modelType, c, t.Name)}
	}
	return out
}

// ref maps one tensor name.
func (idx moduleIndex) ref(modelType string, c scale.Config, name string) *scale.TensorRef {
	for _, p := range visionPrefixes[modelType] {
		if strings.HasPrefix(name, p) {
			return &scale.TensorRef{Layer: -1, Role: scale.RoleVision}
		}
	}
	mk := func(m indexedModule, layer, expert int64, part string) *scale.TensorRef {
		r := &scale.TensorRef{Layer: layer, Ops: m.ops, Part: part, Expert: expert, Stacked: m.stacked,
			Transposed: m.transposed, Role: m.role}
		// A tied LM head stored anyway is a copy of the embedding.
		if len(r.Ops) == 1 && r.Ops[0] == "lm_head" && part == "weight" && c.TieWordEmbeddings {
			r.Ops, r.Role = []string{"embed_tokens"}, scale.RoleCopy
		}
		return r
	}
	// A parameter named by its module path itself, or with a suffix.
	for _, suffix := range []struct{ s, part string }{{"", ""}, {"_bias", "bias"}, {"_blocks", "blocks"}, {"_scales", "scales"}} {
		if m, layer, expert, ok := idx.lookup(strings.TrimSuffix(name, suffix.s)); ok && m.attr &&
			strings.HasSuffix(name, suffix.s) {
			part := suffix.part
			if part == "" {
				part = m.part
			}
			return mk(m, layer, expert, part)
		}
	}
	for _, part := range hfParts {
		path, ok := strings.CutSuffix(name, "."+part)
		if !ok {
			continue
		}
		if m, layer, expert, ok := idx.lookup(path); ok && !m.attr {
			return mk(m, layer, expert, part)
		}
	}
	return nil
}

// hfModulePath is the module path of op in layer (and expert) of a family,
// as quantization_config's module lists name it; ok is false for an op the
// family does not name. linear says whether the generic quantisers replace
// it (method: the quantization_config's, for Conv1D).
func hfModulePath(mods []hfModule, op string, layer, expert int64, method scale.QuantMethod) (path string, linear, ok bool) {
	for _, m := range mods {
		if m.role != scale.RoleParam || !containsString(m.ops, op) {
			continue
		}
		path = strings.ReplaceAll(m.path, "{L}", strconv.FormatInt(layer, 10))
		path = strings.ReplaceAll(path, "{E}", strconv.FormatInt(expert, 10))
		linear = m.linear || (m.conv1d && (method == scale.QuantBitsAndBytes || method == scale.QuantGPTQ))
		return path, linear, true
	}
	return "", false, false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
