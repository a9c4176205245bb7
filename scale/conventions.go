package scale

import "fmt"

// conventions lists, in words, the counting conventions a report of c uses.
// The package documentation states the same rules with their formulas.
func conventions(c Config) []string {
	list := []string{
		"FLOPs count matrix multiplications only, 2 FLOPs per multiply-accumulate; softmax, norms, activation functions, residual adds and the MoE combine are not counted",
		"flops.forward counts causal attention exactly: query i scores keys 0..i, s(s+1)/2 pairs per head per sequence for Q·Kᵀ and for weights·V",
		"flops.forward_dense counts all s² (query, key) pairs, as Kaplan et al. 2020, Hoffmann et al. 2022 and PaLM do",
		"the LM head is applied at every position; the embedding lookup is a gather of 0 FLOPs",
		"params count unique weights as Hugging Face model.num_parameters() does; buffers (rotary tables, causal masks, DeepSeek-V3's e_score_correction_bias) are not parameters",
		"params.embedding is the token embedding plus learned position embeddings; params.non_embedding is the rest",
		"activation elements sum the output elements of every op that writes a new tensor, each once; reshapes to and from heads are views and count 0",
		"numbers are exact integers; the text report adds a short form: bytes in IEC units (1 KiB = 2^10 B, 1 GiB = 2^30 B), parameter and element counts in K, M, B, T (10^3, 10^6, 10^9, 10^12), FLOPs with SI prefixes (1 TFLOP = 10^12 FLOPs)",
	}
	list = append(list,
		"flops.training = 3 × flops.forward (backward = 2 × forward); with full activation recomputation 4 × flops.forward",
		"decoding at KV length k: one token of one sequence scoring k keys (the new token included); steps 1..s sum to the causal forward pass",
		"a decoded token reads the KV cache of the keys it scores and every weight it uses, but of an input embedding table only its row (a tied token embedding is read whole, as the LM head)",
		"training state: mixed-precision Adam, 16 bytes per parameter (bf16 weights 2, bf16 gradients 2, fp32 master weights 4, Adam m 4, Adam v 4)",
	)
	if c.SlidingWindow > 0 || c.AttentionChunkSize > 0 {
		list = append(list, "windowed and chunked layers score and cache only their span; forward_dense still counts all s² pairs; "+
			"a token decoded at KV length k reads min(k, w) cached keys on a windowed layer and (k−1) mod c + 1 on a chunked one, those it scores")
	}
	if c.IsMLA() {
		list = append(list, "MLA is counted as trained, with keys and values expanded per head; its KV cache is the compressed latent plus the rotary key",
			"memory.kv_cache_elements_per_token_mha is DeepSeek-V2's Table 1 MHA baseline, 2·n_h·d_h·l with d_h the per-head key and value widths without the rotary part; "+
				"memory.kv_cache_elements_per_token_expanded joins the rotary part to every key, as attention computes it")
	}
	if c.TieWordEmbeddings {
		list = append(list, "the LM head shares the token embedding matrix (tied): its weight is counted once, under embed_tokens")
	}
	if c.IsMoE() {
		list = append(list,
			"MoE: routed experts process token slots = tokens × num_experts_per_tok; params.active counts num_experts_per_tok routed experts, the shared experts, the router and every non-expert weight",
		)
	}
	if c.PositionEmbedding == PositionALiBi {
		list = append(list, "ALiBi: the per-head linear biases are computed, not learned, and added to the scores elementwise: no parameters and 0 FLOPs (not a matmul)")
	}
	if c.PositionOffset > 0 {
		list = append(list, "the learned position table has max_position_embeddings + position_offset rows (OPT's 2 offset rows), all of them parameters in params.embedding")
	}
	if c.EmbeddingNorm {
		list = append(list, "a norm over the token embeddings (BLOOM's word_embeddings_layernorm) is a non-embedding parameter: params.embedding counts the lookup tables only")
	}
	if c.Norm == LayerNormNoBias {
		list = append(list, "norms are LayerNorms without bias: hidden_size weights each, as an RMSNorm")
	}
	if c.ZeroComputationExperts > 0 {
		list = append(list, "zero-computation experts: the router scores them beside the FFN experts; a slot routed to one passes the token through (0 parameters, 0 FLOPs); "+
			"params.active and the FLOPs count zero_computation_slots_per_tok of each token's num_experts_per_tok slots as such (the rest run FFN experts), "+
			"and params.active_min and params.active_max count none and all of them as FFN experts")
	}
	if c.DenseMLPWithMoE {
		list = append(list, "dense_mlp_with_moe: an MoE layer runs a dense MLP of intermediate_size beside its experts on the same normed input; both outputs join the residual")
	}
	if c.AttentionSinks {
		list = append(list, "attention sinks: one learned logit per head per layer joins each softmax row; num_attention_heads parameters per layer and 0 FLOPs (not a matmul)")
	}
	if c.MTPLayers > 0 {
		list = append(list, "params.mtp: the multi-token-prediction modules (2 norms, eh_proj 2h → h, one decoder layer and a norm each), which the checkpoint stores and transformers does not build; not in params.total, and their embedding and head, shared with the model, not counted again")
	}
	if c.QKNorm && c.QKNormPerHead {
		list = append(list, "QK norm per head with each head's own weights: num_attention_heads × head_dim parameters on queries and num_key_value_heads × head_dim on keys per layer")
	}
	if c.ActivationParams > 0 {
		list = append(list, "the MLP activation is learned: activation_params parameters per dense MLP (xIELU's alpha_p and alpha_n; its beta and eps are buffers, not parameters), 0 FLOPs")
	}
	if c.HasShortConv() {
		list = append(list, "short-convolution layers (LFM2): in_proj (h → 3h) and out_proj are matmuls, the depthwise conv counts hidden·short_conv_kernel MACs per token, the B·x and C gates are elementwise; "+
			"memory.recurrent_state_* holds each such layer's conv window, hidden × short_conv_kernel per sequence")
	}
	if c.HasGatedDeltaNet() {
		list = append(list,
			"Gated DeltaNet layers (Qwen3-Next): in_proj_qkvz, in_proj_ba and out_proj are matmuls; the depthwise conv1d counts (2·key + value)·gdn_conv_kernel MACs per token; flops.forward counts the delta rule in its recurrent form, 3·value_heads·key_head_dim·value_head_dim MACs per token (the state's readout at the key, the rank-one update and the readout at the query); "+
				"the decay, β's sigmoid, g's softplus, the L2 norms of q and k and the SiLU gate are elementwise and not counted; decoding a token costs the same at every KV length on these layers",
			fmt.Sprintf("flops.forward_chunked counts the delta rule in the chunked parallel form (transformers' torch_chunk_gated_delta_rule, its row-by-row triangular solve included) with chunks of %d tokens (gdn_chunk_size), the sequence padded to whole chunks", c.GDNChunkSize),
			"memory.kv_cache_* counts the attention layers only; memory.recurrent_state_* is the Gated DeltaNet layers' state (value_heads × key_head_dim × value_head_dim) and conv state ((2·key + value) × conv_kernel) per sequence, at the KV dtype, constant in seq_len")
	}
	if c.HasLightning() {
		list = append(list,
			"lightning-attention layers (MiniMax): qkv_proj, output_gate and out_proj are matmuls; flops.forward counts the linear attention in its recurrent form, 2·heads·head_dim² MACs per token (the state's update kᵀ·v and the readout q·S); "+
				"the decays, qkv_proj's activation and the sigmoid gate are elementwise and not counted; decoding a token costs the same at every KV length on these layers",
			fmt.Sprintf("flops.forward_chunked counts lightning attention in transformers' blockwise form with blocks of %d tokens (lightning_block_size), the last block holding what is left: per block of q tokens and head 2·q²·head_dim + 2·q·head_dim²", c.LightningBlockSize),
			"memory.kv_cache_* counts the softmax-attention layers only; memory.recurrent_state_* is the lightning-attention layers' state, heads × head_dim × head_dim per sequence, at the KV dtype, constant in seq_len")
	}
	if c.AttentionOutputGate {
		list = append(list, "gated attention (Qwen3-Next): q_proj also makes the output gate (2·heads·head_dim wide); the sigmoid and the product with the attention output are elementwise and not counted")
	}
	if c.HasSharedBlocks() {
		list = append(list, "shared transformer blocks (Zamba2): their weights are counted once, in params.shared_blocks (a block no layer uses is not built); "+
			"their FLOPs, activations and KV cache at every layer that runs one, each use with its own Linear(h, h) and adapters; "+
			"transformers 5.x with tie_word_embeddings false builds a copy of the block, with its adapters, at each such layer and counts every copy, "+
			"where 4.x, 5.x with tied embeddings and the checkpoints hold each block once")
	}
	if c.HasMamba1() {
		list = append(list, "Mamba-1 layers (Jamba): in_proj, x_proj, dt_proj and out_proj are matmuls; the conv1d counts d_inner·conv_kernel MACs per token and the selective scan 2·d_inner·state_size (state update and readout); "+
			"the scan has no chunked form, so flops.forward_chunked counts it as run; memory.recurrent_state_* holds d_inner × state_size and d_inner × conv_kernel per layer and sequence")
	}
	if c.HasMamba2() {
		list = append(list,
			"Mamba-2 layers: flops.forward counts the scan in its recurrent form, 2·d_inner·state_size MACs per token (state update and readout), and the depthwise conv1d as conv_dim·conv_kernel MACs per token; "+
				"Δ's softplus, the decay, the D skip, the SiLU gates and the gated norm are elementwise and not counted; decoding a token costs the same at every KV length on these layers",
			fmt.Sprintf("flops.forward_chunked counts the Mamba-2 scan in the chunked parallel form (transformers' torch_forward) with chunks of %d tokens (mamba2_chunk_size), the sequence padded to whole chunks", c.Mamba2ChunkSize),
			"memory.kv_cache_* counts the attention layers only; memory.recurrent_state_* is the Mamba-2 layers' SSM state (num_heads × head_dim × state_size) and conv state (conv_dim × conv_kernel) per sequence, at the KV dtype, constant in seq_len",
		)
		if c.Mamba2BesideAttention {
			list = append(list, "every layer runs attention and a Mamba-2 block side by side on its input norm (Falcon-H1): it caches keys and values and keeps the Mamba-2 state")
		}
	}
	if c.NumKeyValueHeads != c.NumAttentionHeads {
		list = append(list, "grouped K/V heads are not expanded: scores and weights·V read each KV head once per query head of its group, with no copy")
	}
	return list
}

// The names of the published formulas a report checks its FLOPs against
// (CrossCheck.Name).
const (
	Check2N             = "2N, N = params.total"
	Check2NNonEmbedding = "2N, N = params.non_embedding"
	Check6N             = "6N, N = params.total"
	Check6NNonEmbedding = "6N, N = params.non_embedding"
	Check2NActive       = "2N_active, N_active = params.active"
	Check6NActive       = "6N_active, N_active = params.active"
	CheckKaplan         = "Kaplan C_forward = 2N + 2·n_layer·n_ctx·d_attn"
	// CheckChinchilla is Appendix F as written, embeddings and final
	// logits included; CheckChinchillaNoEmbeddings leaves them out, the
	// variant that reproduces the paper's Table A4.
	CheckChinchilla             = "Chinchilla Appendix F, per sequence"
	CheckChinchillaNoEmbeddings = "Chinchilla Appendix F without embeddings and logits, per sequence"
	CheckPaLM                   = "PaLM / nanoGPT 6N + 12·L·H·Q·T"
	// CheckMaxText is MaxText's calculate_tflops_training_per_device.
	CheckMaxText = "MaxText calculate_tflops_training_per_device"
	// CheckMegatronLM is Megatron-LM's current num_floating_point_operations
	// with the vocabulary padded as Megatron-LM pads it at tensor parallel
	// size 1; CheckMegatronLMUnpadded with the model's vocabulary.
	CheckMegatronLM         = "Megatron-LM num_floating_point_operations, padded vocabulary"
	CheckMegatronLMUnpadded = "Megatron-LM num_floating_point_operations, unpadded vocabulary"
	// CheckMegatron is Narayanan et al. 2021's closed form for the GPT
	// block, which Megatron-LM used before num_floating_point_operations.
	CheckMegatron    = "Megatron-LM 96·B·s·l·h²(1 + s/6h + V/16lh)"
	CheckKorthikanti = "Korthikanti 72·B·s·l·h²(1 + s/6h + V/12lh)"
)

// MegatronVocabMultiple is what Megatron-LM pads the vocabulary to a
// multiple of: --make-vocab-size-divisible-by (default 128) times the tensor
// parallel size, 1 here (GPT-2's 50,257 becomes 50,304).
const MegatronVocabMultiple = 128

// The names of the conventions of training activation memory
// (ActivationMemory.Convention).
const (
	ConventionEveryIntermediate    = "every intermediate stored"
	ConventionFlashAttention       = "flash attention"
	ConventionKorthikantiFull      = "Korthikanti et al. 2022, no recomputation"
	ConventionKorthikantiSelective = "Korthikanti et al. 2022, selective recomputation"
)
