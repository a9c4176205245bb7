// Package scale computes the exact scale of a decoder-only transformer
// language model: tensor shapes, parameter counts, FLOPs, activation
// elements and KV cache, from an architecture (Config) and a workload
// (Workload). It is pure: no I/O, no formatting. It reports numbers and
// typed facts (a layer group's ranges, span and MoE flag; why a published
// formula does not apply); package render turns them into words. The only
// text it builds is error messages and the names of its conventions.
//
// This comment is the one place where the counting conventions are written
// down; reports name the ones they use (Report.Conventions).
//
// # Notation
//
//	b  batch size            s  sequence length       T = b·s tokens
//	h  hidden_size           H  num_attention_heads   K  num_key_value_heads
//	d  head_dim              f  intermediate_size     V  vocab_size
//	L  num_hidden_layers     E  num_local_experts     k  num_experts_per_tok
//	fₑ moe_intermediate_size fₛ shared_expert_intermediate_size
//
// # Attention type
//
// The attention type is derived, never stored: MHA when K = H, MQA when
// K = 1 (and H > 1), GQA otherwise. The group size is H/K query heads per
// key/value head; Validate requires H to be a multiple of K. head_dim is
// given explicitly: H·d need not equal h (Gemma-7B: 16 × 256 on 3072).
//
// # FLOPs
//
// Only matrix multiplications are counted, at 2 FLOPs per
// multiply-accumulate (MAC). A linear layer from width i to width o over T
// rows is T·i·o MACs. Per layer:
//
//	q_proj            T·h·H·d       k_proj, v_proj   T·h·K·d each
//	scores (Q·Kᵀ)     b·H·d·P       weighted_values  b·H·d·P
//	o_proj            T·H·d·h
//	dense MLP         T·h·f per matrix: 2 matrices (standard) or 3 (gated)
//	MoE router        T·h·E, or T·h·(E + Z) with Z zero-computation experts
//	routed experts    (T·c)·h·fₑ per matrix: the T·c token slots that run an
//	                  FFN expert, c = k less zero_computation_slots_per_tok
//	shared experts    T·h·fₛ per matrix
//	LM head           T·h·V, at every position
//
// P is the number of (query, key) pairs one head scores in one sequence.
// Forward (flops.forward) counts causal attention exactly: query i scores
// keys 0..i, so P = s(s+1)/2. Dense (flops.forward_dense) counts all
// P = s² pairs, the convention of Kaplan et al. 2020, Hoffmann et al. 2022
// (Chinchilla) and PaLM. The difference is exactly 4·b·H·d·(s² − s(s+1)/2)
// per layer. Grouped K/V heads are not expanded: each query head reads the
// K/V head of its group.
//
// A layer with sliding window w lets query i score keys max(0, i−w+1)..i:
// P = w(w+1)/2 + (s−w)·w when w < s. A layer with attention chunk c lets
// query i score keys ⌊i/c⌋·c..i: P = ⌊s/c⌋·c(c+1)/2 + r(r+1)/2, r = s mod c.
// The scores and softmax tensors are still counted at their full s×s shape
// (the mask is materialised); forward_dense ignores windows and chunks.
//
// Multi-head latent attention (DeepSeek) is counted as trained: queries
// through q_a_proj, q_a_layernorm and q_b_proj (or one q_proj), keys and
// values through kv_a_proj_with_mqa, kv_a_layernorm and kv_b_proj, expanded
// per head; Q·Kᵀ runs over qk_nope_head_dim + qk_rope_head_dim dimensions
// and weights·V over v_head_dim.
//
// Not counted as FLOPs: the embedding lookup (a gather), softmax, norms,
// activation functions and gating products, residual adds and the MoE
// combine (an elementwise weighted sum). The split of FLOPs by block is
// attention projections (q, k, v, o), attention scores (Q·Kᵀ and
// weights·V), MLP (dense MLP, or router + shared + routed experts) and LM
// head; the parts sum to the total exactly.
//
// # Parameters
//
// Parameters are unique weights, as Hugging Face model.num_parameters()
// counts them: a tied LM head shares the token embedding and is counted
// once, under embed_tokens; buffers (rotary tables, causal masks) are not
// parameters. A LayerNorm has 2h parameters (weight and bias), an RMSNorm
// h, a LayerNorm without bias (layernorm_nobias: MPT, DBRX) h. Biases are
// counted per linear where Config says the model has them; a fused
// projection (GPT-NeoX's and BLOOM's query_key_value, DBRX's Wqkv) has the
// parameters and FLOPs of its parts. The embedding parameters are the
// lookup tables: the token embedding V·h plus a learned position table
// (max_position_embeddings + position_offset)·h where the model has one
// (OPT's has 2 offset rows); the non-embedding parameters are the rest (an
// untied LM head among them, and a norm over the embeddings, BLOOM's
// word_embeddings_layernorm). Active parameters are those one token uses:
// every non-expert weight, the router, the shared experts and k routed
// experts.
//
// Positions that are computed own no parameters and no FLOPs: rotary
// embeddings, whole or partial (GPT-J's rotary_dim, GPT-NeoX's rotary_pct
// rotate part of each head; the rest passes through), and ALiBi (BLOOM,
// MPT), whose per-head linear biases are added to the scores elementwise,
// not by a matmul. A parallel block (GPT-J, GPT-NeoX, Falcon) has the
// matmuls of a sequential one; its norms are one shared by attention and
// MLP or one each. Logit scaling and QKV clipping change no count.
//
// Zero-computation experts (LongCat-Flash) are Z identity experts the
// router scores beside the E FFN experts: the router is Linear(h, E + Z),
// and a token slot routed to one passes the token through, with no
// parameters and no FLOPs. How many of a token's k slots go to them is the
// router's choice, token by token, so params.active and the FLOPs count a
// stated number of them per token, zero_computation_slots_per_tok (the
// model's published average), and params.active_min and params.active_max
// give the bounds: every slot to an identity expert, and every slot to an
// FFN expert. With dense_mlp_with_moe (LongCat-Flash's shortcut-connected
// MoE) an MoE layer keeps a dense MLP of intermediate_size beside its
// experts: both read the layer's MLP norm and both outputs join the
// residual, so the layer's parameters and FLOPs are the sum of the two.
//
// Attention sinks (gpt-oss) are H learned logits per layer that join every
// softmax row as an extra column: H parameters per layer, 0 FLOPs. A QK norm
// spans one head (head_dim weights, shared by the heads) or, with
// qk_norm_full_width (OLMo 2), the whole projection: H·d weights on queries
// and K·d on keys; with qk_norm_per_head (StableLM 2) each head has its
// own norm over head_dim, H·d and K·d weights too; qk_norm_kind is their
// kind where it differs from the model's norm. Multi-token-prediction modules (DeepSeek-V3's and
// GLM-4.5's num_nextn_predict_layers) are not built by transformers, so
// they are outside params.total; params.mtp counts each module's own
// weights — enorm and hnorm (h each), eh_proj (2h·h), one decoder layer of
// the kind its index num_hidden_layers + j gives, and shared_head.norm (h) —
// and not the embedding and LM head it shares with the model, of which the
// checkpoint stores copies.
//
// Cohere's CohereLayerNorm is a LayerNorm without bias (norm
// layernorm_nobias): h parameters, as an RMSNorm. A QK norm with per-head
// weights (qk_norm_per_head: Cohere's use_qk_norm) normalises each head
// over head_dim like the shared one, but owns H·d weights on queries and
// K·d on keys (2H·d and 2K·d for a LayerNorm with bias). A learned
// activation (activation_params: Apertus's xIELU, whose alpha_p and
// alpha_n are parameters and whose beta and eps are buffers) adds
// activation_params parameters to every dense MLP and 0 FLOPs. A logit
// scale (Cohere's logit_scale) multiplies the logits elementwise: it owns
// no parameter and no matmul, and is not a Config field.
//
// # Mamba-2 layers
//
// A layer's token mixer is attention or, with layers[i].attention
// "mamba2", a Mamba-2 (SSD) block (transformers' Mamba2Mixer, NemotronH,
// Bamba and GraniteMoeHybrid mixers), read with its pre-norm (h weights)
// and its residual add; its MLP or experts are the model's, or none. With
// H_m = mamba2_num_heads, P = mamba2_head_dim, N = mamba2_state_size,
// G = mamba2_n_groups, k = mamba2_conv_kernel, d_inner = H_m·P and
// conv_dim = d_inner + 2·G·N, a block owns in_proj h × (2·d_inner + 2·G·N
// + H_m) (+ as many biases with mamba2_proj_bias), a depthwise conv1d of
// conv_dim·k weights (+ conv_dim biases with mamba2_conv_bias), dt_bias,
// A_log and D (H_m each), a gated RMSNorm over d_inner (d_inner weights)
// and out_proj d_inner × h (+ h biases). Its FLOPs per token: the two
// projections' matmuls; the conv1d, conv_dim·k MACs (a depthwise
// convolution, not a matmul, counted as its MACs); and the scan in its
// recurrent form, 2·d_inner·N MACs (the state update h ← exp(Δ·A)·h +
// Δ·x·Bᵀ, one MAC per state element, and the readout y = h·C, one per
// state element). flops.forward counts the scan so, linear in s, and so
// does decoding: a Mamba-2 layer costs the same at every KV length.
// flops.forward_chunked counts it in the chunked parallel form of
// transformers' torch_forward over ⌈s/Q⌉ chunks of Q = mamba2_chunk_size
// tokens (s padded to whole chunks): per chunk and head Q²·N (C·Bᵀ) +
// Q²·P (scores · x) + 2·Q·N·P (the chunk's state and the carried state's
// readout) + P·N (the state passed to the next chunk, counted as the
// sequential pass the SSD kernels make; torch_forward's reference einsum
// over all pairs of chunks is quadratic in their number). Elementwise and
// not counted: Δ's softplus, the decay exp(Δ·A), the D skip, the SiLU
// gates, the conv's activation and the norm. The per-sequence recurrent
// state of a Mamba-2 layer is its SSM state H_m·P·N plus its conv state
// conv_dim·k elements (transformers' Mamba2Cache keeps k columns), at the
// KV dtype, constant in the context; the KV cache figures count the
// attention layers only. A decoded token reads and writes back the whole
// state. With mamba2_beside_attention (Falcon-H1) every layer runs its
// attention and a Mamba-2 block (without a norm of its own) side by side
// on the layer's input norm, both outputs joining the residual; the layer
// caches keys and values and keeps the state. mamba2_no_norm drops the
// gated RMSNorm (the gate then multiplies elementwise), and in_proj's and
// out_proj's biases are set apart. A checkpoint holds conv1d.weight [conv_dim, 1, k] (and bias) and
// dt_bias, A_log and D [H_m]. Per-GPU memory refuses tp > 1 and cp > 1 on such models (no
// split of the block is modelled); at tp = 1 a block is held whole and
// stores the inputs of each of its ops for the backward pass.
//
// A Mamba-1 layer (layers[i].attention "mamba": Jamba's JambaMambaMixer)
// with d_inner = mamba_inner_size, N = mamba_state_size, R =
// mamba_dt_rank and k = mamba_conv_kernel owns in_proj h × 2·d_inner (+
// biases with mamba_proj_bias), a depthwise conv1d of d_inner·k weights (+
// d_inner biases with mamba_conv_bias), x_proj d_inner × (R + 2N) without
// bias, RMSNorms over Δ, B and C (R + 2N weights, with mamba_inner_norms),
// dt_proj R × d_inner with d_inner biases, A_log d_inner × N and D
// d_inner, and out_proj d_inner × h. Its matmuls, its conv (d_inner·k MACs
// per token) and its scan (2·d_inner·N MACs per token, as Mamba-2's) are
// counted as Mamba-2's; it has no chunked form, so flops.forward_chunked
// counts its scan as run. Its state is d_inner·N + d_inner·k elements per
// sequence (Jamba's cache keeps k conv columns). A model has Mamba-1 or
// Mamba-2 blocks, not both.
//
// A short-convolution layer (layers[i].attention "short_conv": LFM2's
// Lfm2ShortConv) owns in_proj h × 3h, a depthwise conv of h·k weights (k =
// short_conv_kernel) and out_proj h × h (biases on all three with
// short_conv_bias); per token it costs its two matmuls and h·k conv MACs
// (the B·x and C products are elementwise), and it keeps a conv window of
// h·k elements per sequence.
//
// A Gated DeltaNet layer (layers[i].attention "gated_deltanet": Qwen3-Next's
// Qwen3NextGatedDeltaNet) owns in_proj_qkvz h × (2·key + 2·value),
// in_proj_ba h × 2·value_heads, a depthwise conv1d of (2·key + value)·k
// weights without bias (k = gdn_conv_kernel), dt_bias and A_log
// (value_heads each), a gated RMSNorm of value_head_dim weights and
// out_proj value × h, where key = gdn_num_key_heads × gdn_key_head_dim and
// value = gdn_num_value_heads × gdn_value_head_dim. Per token the delta
// rule costs 3·value_heads·key_head_dim·value_head_dim MACs in the
// recurrent form (readout at the key, rank-one update, readout at the
// query); flops.forward_chunked counts transformers 4.x's chunked form with
// chunks of gdn_chunk_size Q: per chunk and value head 3·Q²·dk + 2·Q²·dv +
// 3·Q·dk·dv matmul MACs and Σ i² (i < Q) for the row-by-row triangular
// solve. transformers 5.x computes the same rule with a triangular solve
// (torch.linalg, not a matmul) and 2·Q²·dk + Q²·dv + 3·Q·dk·dv matmul
// MACs, as its FlopCounterMode count shows. Its state is value_heads × key_head_dim ×
// value_head_dim plus the conv window (2·key + value) × k per sequence.
// attention_output_gate doubles q_proj for Qwen3-Next's sigmoid output
// gate (the product is elementwise).
//
// A lightning-attention layer (layers[i].attention "lightning": MiniMax's
// MiniMaxLightningAttention) owns qkv_proj h × 3·H·d, an RMSNorm of H·d
// weights, output_gate h × H·d and out_proj H·d × h (H =
// num_attention_heads, d = head_dim); its per-head decay slopes are
// buffers, not parameters. Per token the linear attention costs 2·H·d²
// MACs in the recurrent form (the update kᵀ·v and the readout q·S);
// flops.forward_chunked counts transformers' blockwise form with blocks of
// lightning_block_size, 2·q²·d + 2·q·d² per block of q tokens and head.
// Its state is H × d × d per sequence, with no conv window.
//
// A shared transformer block (Zamba2; layers[i].shared_block on a Mamba-2
// layer without an MLP) runs before that layer's mixer: the concatenation
// of the residual stream and the token embeddings (2h), an RMSNorm of 2h
// weights, q, k and v from 2h (H·d and K·d wide, d = head_dim, no biases),
// attention, o_proj H·d × h, an RMSNorm of h and the gated MLP
// (2·h·intermediate_size + intermediate_size·h, biases with mlp_bias); the
// layer's own Linear(h, h) then adds its output to the mixer's input. The
// shared_blocks blocks are used in turn; a block's weights are counted once
// (params.shared_blocks, in params.total), only for the blocks some layer
// reaches, while every use counts its FLOPs, activations and KV cache (2·K·d
// per token). Each use also owns rank-r adapters (r =
// shared_block_adapter_rank): h·r + r·2·intermediate_size on the MLP's gate
// and up projection and, with shared_attention_adapters, 3·(2h·r + r·2h) on
// q, k and v.
//
// # Training and inference
//
// Training FLOPs are forward + backward with the backward pass counted as
// twice the forward: flops.training = 3 × flops.forward (model FLOPs); with
// full activation recomputation, 4 × flops.forward (hardware FLOPs). Per-token
// values are averages over the workload's tokens, written as exact fractions
// ("N" or "N/D"). A run of D training tokens costs flops.training × D / T,
// rounded to the nearest FLOP.
//
// Prefill is flops.forward. Decoding one token of one sequence at KV length
// k (the new token included) costs the weight matmuls of one token plus
// 2·H·(qk_dim + v_dim) FLOPs per key it scores: k keys, or min(k, w) on a
// windowed layer, or (k−1) mod c + 1 on a chunked one; decoding tokens 1..s
// one at a time sums exactly to the causal forward pass over s tokens. A
// decoded token reads every weight of a dense model and the active weights
// of an MoE model (as if alone in its batch), except that of the untied
// token embedding and of a learned position table it reads one row (h
// elements) each; a tied token embedding is read whole, as the LM head. It
// reads the KV cache of exactly the keys it scores: k on a global layer,
// min(k, w) on a windowed one, (k−1) mod c + 1 on a chunked one.
//
// Memory: weights at each dtype; the training state of mixed-precision Adam,
// 16 bytes per parameter (bf16 weights 2, bf16 gradients 2, fp32 master
// weights 4, Adam m 4, Adam v 4); training activations under named
// conventions: every intermediate stored (activation elements × dtype
// bytes), flash attention (the same without the s×s scores and softmax),
// and Korthikanti et al. 2022, L·sbh(34 + 5as/h) bytes without recomputation
// and L·34·sbh with selective recomputation, stated only for the standard
// GPT block it assumes (MHA with H·d = h, a 4h two-matrix MLP, sequential
// pre-norm blocks, no experts, full attention, 2-byte activations).
//
// Cross-checks evaluate published formulas beside the exact quantity each
// estimates, and mark those whose assumptions the model breaks:
//
//	2N, 6N              N = params.total, params.non_embedding, params.active
//	Kaplan et al. 2020  C_forward = 2N + 2·n_layer·n_ctx·d_attn per token, N the
//	                    parameters less every embedding and unembedding matrix
//	                    (params.non_embedding less an untied LM head)
//	Hoffmann et al.     Appendix F per sequence, × 3 for training, with and
//	2022 (Chinchilla)   without the embedding and final-logit terms; without
//	                    them it reproduces Table A4's ratios to 6ND
//	PaLM, nanoGPT       6N + 12·L·H·Q·T per token, N = params.total less
//	                    position embeddings, Q = head_dim, T = seq_len
//	MaxText             calculate_tflops_training_per_device, in FLOPs
//	Megatron-LM         num_floating_point_operations, the vocabulary padded to
//	                    a multiple of 128 (tensor parallel size 1) and not
//	Narayanan et al.    96·B·s·l·h²(1 + s/6h + V/16lh), with recomputation
//	2021
//	Korthikanti et al.  72·B·s·l·h²(1 + s/6h + V/12lh)
//	2022
//
// For MaxText's and Megatron-LM's, every term of flops.training − value is
// reported (CrossCheck.Differences): both count s²/2 (query, key) pairs per
// head and sequence where causal attention scores s(s+1)/2, so that on L
// global layers without MLA they fall short by exactly 6·B·s·L·H·d (MLA:
// 3·B·s·L·H·(qk_nope + qk_rope + v)); MaxText counts a windowed layer as
// s·min(w, s)/2 pairs and a chunked one as (⌊s/c⌋·c² + (s mod c)²)/2;
// Megatron-LM leaves out the MoE router (6·B·s·h·E per MoE layer), counts
// MLA's q_a and kv_a norms as matmuls (6·B·s·(q_lora_rank + kv_lora_rank)
// per layer) and its logits over the padded vocabulary; neither counts
// Qwen2-MoE's shared-expert gate (6·B·s·h per MoE layer).
//
// # Activation elements
//
// The activation elements of a forward pass are the sum, over every op
// that writes a new tensor, of its output elements, each tensor counted
// once, as if every intermediate were kept. Reshapes to and from heads are
// views and count 0. The s×s score and softmax tensors (b·H·s² elements
// each per layer) are reported as their own share.
//
// # KV cache and bytes
//
// The KV cache holds 2·K·d elements per token per layer (keys and values),
// or kv_lora_rank + qk_rope_head_dim with MLA; a windowed or chunked layer
// holds at most w or c tokens. Beside it are the cache expanded per head as
// attention computes it, 2·H·d (MLA: H·(qk_nope_head_dim + qk_rope_head_dim
// + v_head_dim), the rotary key joined to every head's key), and the cache
// of multi-head attention with the same heads, DeepSeek-V2's Table 1
// baseline 2·n_h·d_h·l: 2·H·d, or with MLA H·(qk_nope_head_dim +
// v_head_dim) per layer (1,966,080 elements per token for DeepSeek-V2). The cache is stored in the workload's kv_dtype (default: its dtype).
// Bytes are elements × the dtype's bits / 8, rounded up to a whole byte
// (int4 is 4 bits). Every number is an exact integer; the text report adds
// a short form in one unit system per kind of quantity, whatever the
// magnitude: bytes in IEC units (1 GiB = 2^30 bytes), parameter and element
// counts in K, M, B, T (10^3 … 10^12), FLOPs with SI prefixes (1 TFLOP =
// 10^12 FLOPs).
//
// # Exactness
//
// All arithmetic is on integers. What the model alone fixes (parameters,
// widths, bytes of weights and of the KV cache per token) is int64, and
// every product and sum of it is checked: a value past the int64 range is an
// *OverflowError naming it, never a wrapped number. What grows with the
// workload (tokens, token slots, MACs, FLOPs, activation and KV-cache
// elements and bytes, decode costs) is a big.Int at every scope, op, layer
// and model alike, so it is exact at any workload Validate accepts: seq_len
// and batch_size up to 2^32 each (MaxSeqLen, MaxBatchSize) and
// training_tokens up to 2^63−1, where one op's FLOPs pass 2^100. A config
// may have at most MaxLayers (100,000) layers; past a limit, Validate names
// the field and the limit, and no work grows with the number claimed.
//
// The routed experts' rows are shaped [batch, seq, num_experts_per_tok]: one
// row per token slot, batch·seq·k in all.
//
// # Parallel layouts, devices and time
//
// AnalyzeOn adds, for a Layout, the memory of the most loaded GPU
// (Report.PerGPU) and, for a Device, the time estimates (Report.Time).
// Every pipeline stage is evaluated and the largest shown; the first L mod
// pp stages hold one layer more than the others. Tensor parallelism splits
// layers as Megatron-LM does (column-parallel q, k, v, gate, up; row-
// parallel o_proj, down_proj; norms and the router replicated; embeddings
// by vocabulary rows); a tensor split n ways holds ⌈size/n⌉ of the split
// dimension. Each of K KV heads is held by tp/K GPUs when tp > K. Routed
// experts are E/ep whole experts per GPU, each split etp ways.
//
// Model states follow Rajbhandari et al. 2020 (ZeRO): bf16 weights and
// gradients (2 bytes each) and the optimizer state — Adam's K = 12 bytes
// (fp32 master weights, m and v), 8-bit Adam's 4 + 1 + 1 bytes and one fp32
// absmax per block of 2048 of each moment (Dettmers et al. 2022), SGD's 4 + 4
// bytes of master weights and momentum, Muon's 4 + 4 bytes on the hidden
// weight matrices and AdamW's 4 + 8 elsewhere. Stage z of ZeRO shards the
// optimizer state (z ≥ 1), the gradients (z ≥ 2) and the weights (z = 3)
// over the data-parallel ranks, N_d = dp × cp (experts over their own
// N_e = tp × dp × cp / (ep × etp)); a shard of a buffer of Ψ elements is
// ⌈Ψ/N⌉ elements. For Ψ parameters and K = 12 the four stages keep
// (2+2+K)Ψ, 2Ψ+2Ψ+KΨ/N_d, 2Ψ+(2+K)Ψ/N_d and (2+2+K)Ψ/N_d bytes.
//
// Activations follow Korthikanti et al. 2022, Table 2, per layer and
// micro-batch, s = seq_len / cp, b = micro_batch_size, t = tp:
//
//	no parallelism                        sbh(34 + 5as/h)
//	tensor parallel                       sbh(10 + 24/t + 5as/(ht))
//	tensor + sequence parallel            sbh(34/t + 5as/(ht))
//	tensor parallel + selective recompute sbh(10 + 24/t)
//	tensor + sequence + selective         sbh(34/t)
//	full recomputation                    sbh·2
//
// with 2-byte activations and 1-byte dropout masks. For another block the
// same rule is generalised: every tensor the backward pass reads is stored
// once (the inputs of norms and linears, Q, K, V, the softmax output with
// its dropout mask and output, the MLP activation's inputs), routed experts
// per token slot under balanced routing. Under 1F1B stage i holds
// min(pp − i, micro_batches) micro-batches at once, so with enough
// micro-batches the first stage holds L layers' worth.
//
// Time: training takes model FLOPs (3 × forward) ÷ (GPUs × dense peak ×
// MFU), the MFU an assumption (DefaultMFU, 2/5) that folds in every loss.
// Prefill takes at least flops.forward ÷ (tp × pp × peak); decoding one
// token at KV length seq_len at least the bytes it reads ÷ (tp ×
// bandwidth), and its FLOPs ÷ (tp × peak). A published run's implied MFU is
// its training FLOPs ÷ (GPU-hours × 3600 × peak).
//
// # Checkpoints
//
// A quantised checkpoint (Config.Quantization, or expert_weights_format)
// stores each quantised Linear(in, out) as its method's tensors
// (Quantization.WeightTensors: values, scales, zero points, indices, with
// the shapes of the method's code, floor and ceiling divisions included)
// and every other parameter at the quantization's dtype (AWQ and GPTQ
// biases in fp16): memory.checkpoint_weights_bytes, itemised by op. It
// changes no count. A stored checkpoint's tensors (CompareCheckpoint) are
// checked against the tensors the config implies (ExpectedTensors: one per
// layer, op, part and routed expert, nn.Linear's [out, in], fused and
// stacked tensors holding their ops' widths); its values are counted by
// safetensors dtype and by role, and each difference is listed by name.
//
// # The seed tool's names
//
// The original Python tool used other names; they map to Config as follows.
//
//	seed name            Config field                  note
//	embedding_dim        HiddenSize                    hidden_size
//	ffn_dim              IntermediateSize              intermediate_size (MoEIntermediateSize for experts)
//	num_heads            NumAttentionHeads             num_attention_heads
//	group_size           (derived) GroupSize()         the seed stored it and derived KV heads = heads / group_size;
//	                                                   we store NumKeyValueHeads and derive the group size
//	moe_enabled          (derived) IsMoE()             true when NumLocalExperts > 0
//	num_experts          NumLocalExperts               num_local_experts
//	active_experts       NumExpertsPerTok              num_experts_per_tok (routed experts per token)
//	num_shared_experts   NumSharedExperts              with SharedExpertIntermediateSize, their total width
//	num_routed_experts   NumLocalExperts               the routed experts of a shared-expert MoE
package scale
