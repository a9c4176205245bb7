// Package scale computes the exact scale of a decoder-only transformer
// language model: tensor shapes, parameter counts, FLOPs, activation
// elements and KV cache, from an architecture (Config) and a workload
// (Workload). It is pure: no I/O, no formatting.
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
//	MoE router        T·h·E
//	routed experts    (T·k)·h·fₑ per matrix: the T·k token slots
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
// h. Biases are counted per linear where Config says the model has them.
// The embedding parameters are the token embedding V·h plus a learned
// position table max_position_embeddings·h where the model has one; the
// non-embedding parameters are the rest (an untied LM head among them).
// Active parameters are those one token uses: every non-expert weight, the
// router, the shared experts and k routed experts.
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
// The KV cache holds 2·K·d elements per token per layer (keys and values).
// Bytes are elements × the dtype's bits / 8, rounded up to a whole byte
// (int4 is 4 bits). Every number is an exact integer; the text report adds
// a short form in one unit system per kind of quantity, whatever the
// magnitude: bytes in IEC units (1 GiB = 2^30 bytes), parameter and element
// counts in K, M, B, T (10^3 … 10^12), FLOPs with SI prefixes (1 TFLOP =
// 10^12 FLOPs).
//
// # Exactness
//
// All arithmetic is on integers. Per-op and per-layer quantities, parameter
// counts, element counts and bytes are int64, and every product and sum is
// checked: a value past the int64 range is an *OverflowError naming it,
// never a wrapped number. Model-wide FLOPs are big.Int, because a
// long-context model at a large batch exceeds 2^63 FLOPs.
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
