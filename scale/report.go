package scale

import "math/big"

// Report is everything the engine computes for one Config and Workload.
// Counts are exact integers. What depends on the model alone (parameters,
// widths, bytes of weights and of the KV cache per token) is int64, checked
// against overflow. What grows with the workload (tokens, elements, MACs,
// FLOPs, bytes of activations and of the whole KV cache) is a big.Int at
// every scope, op, layer and model alike, so it is exact for any workload
// Validate accepts. JSON names are the public contract of the reports.
type Report struct {
	Config       Config          `json:"config"`
	Architecture Architecture    `json:"architecture"`
	Workload     WorkloadSummary `json:"workload"`
	Conventions  []string        `json:"conventions"`
	Params       Params          `json:"params"`
	FLOPs        FLOPs           `json:"flops"`
	Memory       Memory          `json:"memory"`
	Embedding    Stage           `json:"embedding"`
	Layers       []LayerGroup    `json:"layers"`
	Head         Stage           `json:"head"`
	Inference    Inference       `json:"inference"`
	CrossChecks  []CrossCheck    `json:"cross_checks"`
	// Parallel, PerGPU, Hardware and Time are set by AnalyzeOn: the first two
	// with a layout, the last two with a device.
	Parallel *Parallel `json:"parallel,omitempty"`
	PerGPU   *PerGPU   `json:"per_gpu,omitempty"`
	Hardware *Device   `json:"hardware,omitempty"`
	Time     *Time     `json:"time,omitempty"`
}

// Architecture holds the facts derived from a Config, for readers.
type Architecture struct {
	AttentionType string `json:"attention_type"` // MHA, GQA or MQA
	GroupSize     int64  `json:"group_size"`     // query heads per KV head
	QueryWidth    int64  `json:"query_width"`    // num_attention_heads × head_dim
	KVWidth       int64  `json:"kv_width"`       // num_key_value_heads × head_dim
}

// WorkloadSummary is the Workload with the number of tokens it processes.
type WorkloadSummary struct {
	Workload
	Tokens *big.Int `json:"tokens"` // batch_size × seq_len
}

// Params counts unique weights, as Hugging Face model.num_parameters() does:
// a tied input/output embedding is counted once.
type Params struct {
	Total int64 `json:"total"`
	// Active is what one token uses: all non-expert weights, the router, the
	// shared experts and num_experts_per_tok routed experts.
	Active int64 `json:"active"`
	// Embedding is the lookup tables: the token embedding plus learned
	// position embeddings (a norm over the embeddings is not among them).
	Embedding int64 `json:"embedding"`
	// NonEmbedding is Total − Embedding (an untied LM head is in here).
	NonEmbedding int64 `json:"non_embedding"`
	// MTP is the multi-token-prediction modules' own parameters, which are
	// not in Total (transformers does not build them): per module two
	// norms over the embedding and the hidden state, eh_proj (2h → h), one
	// decoder layer of the model's kind at its index and a final norm. The
	// embedding and LM head they share with the model are not counted again.
	// 0 when the config has none.
	MTP int64 `json:"mtp,omitempty"`
	// ActiveMin and ActiveMax bound Active in a model with zero-computation
	// experts, whose tokens run between 0 and num_experts_per_tok FFN
	// experts as the router decides: every slot to an identity expert, and
	// every slot to an FFN expert. Active counts the convention
	// zero_computation_slots_per_tok states. 0 without such experts.
	ActiveMin int64 `json:"active_min,omitempty"`
	ActiveMax int64 `json:"active_max,omitempty"`
	// Vision is a multimodal checkpoint's vision tower and projector
	// (config vision_params), not in Total. 0 when there is none.
	Vision int64 `json:"vision,omitempty"`
	// SharedBlocks is the shared transformer blocks' weights (Zamba2),
	// counted once although the blocks run at several layers; in Total and
	// Active. 0 when there are none.
	SharedBlocks int64 `json:"shared_blocks,omitempty"`
	// Checkpoint is what a checkpoint's headers hold, checked against the
	// config (CompareCheckpoint); nil unless one was read.
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
}

// FLOPs are matmul floating-point operations of one forward pass over the
// workload, 2 per multiply-accumulate.
type FLOPs struct {
	// Forward counts causal attention exactly: query i scores keys 0..i.
	Forward *big.Int `json:"forward"`
	// ForwardDense counts all seq_len² (query, key) pairs.
	ForwardDense *big.Int   `json:"forward_dense"`
	Blocks       BlockFLOPs `json:"blocks"`       // split of Forward
	BlocksDense  BlockFLOPs `json:"blocks_dense"` // split of ForwardDense
	// Training is forward + backward, the backward pass counted as twice the
	// forward: 3 × Forward (model FLOPs).
	Training *big.Int `json:"training"`
	// TrainingWithRecomputation adds a second forward pass for full
	// activation recomputation: 4 × Forward (hardware FLOPs).
	TrainingWithRecomputation *big.Int `json:"training_with_recomputation"`
	// PerToken are the averages over the workload's tokens, as exact
	// fractions.
	PerToken PerTokenFLOPs `json:"per_token"`
	// ForwardChunked is Forward with the Mamba-2 scans counted in the
	// chunked (SSD) parallel form that prefill and training run, chunks of
	// SSMChunkSize tokens (config mamba2_chunk_size); absent without
	// Mamba-2 layers. Forward counts them in the recurrent form.
	ForwardChunked *big.Int `json:"forward_chunked,omitempty"`
	SSMChunkSize   int64    `json:"ssm_chunk_size,omitempty"`
	// TrainingRun is the compute of a run of workload.training_tokens
	// tokens, when one is given.
	TrainingRun *TrainingRun `json:"training_run,omitempty"`
}

// PerTokenFLOPs are FLOPs per token of the workload, as exact fractions.
type PerTokenFLOPs struct {
	Forward                   *Fraction `json:"forward"`
	ForwardDense              *Fraction `json:"forward_dense"`
	Training                  *Fraction `json:"training"`
	TrainingWithRecomputation *Fraction `json:"training_with_recomputation"`
}

// TrainingRun is the training compute of a run of Tokens tokens made of
// steps like the workload: Training × Tokens / (batch_size × seq_len),
// rounded to the nearest FLOP (an error under one FLOP in 10^20).
type TrainingRun struct {
	Tokens                 int64    `json:"tokens"`
	FLOPs                  *big.Int `json:"flops"`
	FLOPsWithRecomputation *big.Int `json:"flops_with_recomputation"`
	Formula                string   `json:"formula"`
}

// BlockFLOPs splits a model's FLOPs by block.
type BlockFLOPs struct {
	AttentionProjections *big.Int `json:"attention_projections"` // q, k, v, o
	AttentionScores      *big.Int `json:"attention_scores"`      // Q·Kᵀ and weights·V
	MLP                  *big.Int `json:"mlp"`                   // MLP or MoE, router included
	LMHead               *big.Int `json:"lm_head"`
	SSM                  *big.Int `json:"ssm,omitempty"` // Mamba-2 blocks, recurrent form; absent without them
}

// Memory is what the workload stores.
type Memory struct {
	// WeightsBytes is params.total at the workload dtype.
	WeightsBytes int64 `json:"weights_bytes"`
	// KVCacheElementsPerToken is what the cache holds per token over all
	// layers, as long as no sliding window or chunk is full: keys plus
	// values, or MLA's latent plus rotary key.
	KVCacheElementsPerToken int64 `json:"kv_cache_elements_per_token"`
	// KVCacheElementsPerTokenExpanded is the same with keys and values
	// materialised per attention head as attention computes them: 2·H·d per
	// layer, or with MLA H·(qk_nope_head_dim + qk_rope_head_dim +
	// v_head_dim), the rotary key joined to every head's key.
	KVCacheElementsPerTokenExpanded int64 `json:"kv_cache_elements_per_token_expanded"`
	// KVCacheElementsPerTokenMHA is the cache of multi-head attention with
	// the model's heads, the baseline of DeepSeek-V2 (arXiv 2405.04434)
	// Table 1: 2·n_h·d_h per layer with attention. d_h is head_dim, or with
	// MLA the per-head key and value widths qk_nope_head_dim and v_head_dim
	// (keys without the decoupled rotary part): H·(qk_nope_head_dim +
	// v_head_dim) per layer, 1,966,080 elements for DeepSeek-V2. Without
	// MLA it equals KVCacheElementsPerTokenExpanded.
	KVCacheElementsPerTokenMHA int64 `json:"kv_cache_elements_per_token_mha"`
	// KVCacheBytesPerToken is KVCacheElementsPerToken at the workload dtype.
	KVCacheBytesPerToken int64 `json:"kv_cache_bytes_per_token"`
	// KVCacheElements is the cache of batch_size sequences of seq_len
	// tokens; a windowed or chunked layer holds at most its window or chunk.
	KVCacheElements *big.Int `json:"kv_cache_elements"`
	// KVCacheBytes is KVCacheElements at the workload dtype.
	KVCacheBytes       *big.Int           `json:"kv_cache_bytes"`
	ActivationElements ActivationElements `json:"activation_elements"`
	// RecurrentStateElementsPerSequence is the Mamba-2 layers' state of
	// one sequence, SSM and conv states, constant in the context;
	// RecurrentStateBytesPerSequence the same at the KV dtype, and
	// RecurrentStateBytes that of batch_size sequences. The KV cache
	// figures above count the attention layers only. Absent without
	// Mamba-2 layers.
	RecurrentStateElementsPerSequence int64    `json:"recurrent_state_elements_per_sequence,omitempty"`
	RecurrentStateBytesPerSequence    int64    `json:"recurrent_state_bytes_per_sequence,omitempty"`
	RecurrentStateBytes               *big.Int `json:"recurrent_state_bytes,omitempty"`
	// CheckpointWeightsBytes is params.total as a quantised checkpoint
	// stores it (config quantization, or expert_weights_format): the
	// quantised weight matrices in the method's layout, scales and zero
	// points included (MXFP4: 17 bytes per block of 32 weights along the
	// input dimension, a partial block padded), every other parameter in
	// the quantization's dtype (bf16 for expert_weights_format). 0 when the
	// checkpoint is not quantised.
	CheckpointWeightsBytes int64 `json:"checkpoint_weights_bytes,omitempty"`
	// CheckpointWeights itemises CheckpointWeightsBytes by quantised op and
	// tensor; nil when the checkpoint is not quantised.
	CheckpointWeights *CheckpointWeights `json:"checkpoint_weights,omitempty"`
	// WeightsByDType is params.total and params.active at each data type.
	WeightsByDType []DTypeBytes `json:"weights_by_dtype"`
	// TrainingStateBytes is what mixed-precision Adam keeps per parameter,
	// 16 bytes, itemised in TrainingState.
	TrainingStateBytes int64        `json:"training_state_bytes"`
	TrainingState      []StateBytes `json:"training_state"`
	// TrainingActivations is the activation memory a training step keeps
	// for the backward pass, under named conventions.
	TrainingActivations []ActivationMemory `json:"training_activations"`
}

// DTypeBytes is the weight memory at one data type.
type DTypeBytes struct {
	DType       DType `json:"dtype"`
	TotalBytes  int64 `json:"total_bytes"`
	ActiveBytes int64 `json:"active_bytes"`
}

// StateBytes is one part of the training state.
type StateBytes struct {
	Name          string `json:"name"`
	BytesPerParam int64  `json:"bytes_per_param"`
	Bytes         int64  `json:"bytes"`
}

// ActivationMemory is the training activation memory under one convention.
// Bytes is 0 when the convention does not apply; NotApplicable says why.
type ActivationMemory struct {
	Convention    string     `json:"convention"`
	Applies       bool       `json:"applies"`
	Bytes         *big.Int   `json:"bytes"`
	NotApplicable []Mismatch `json:"-"`
}

// Inference is the cost of serving the model on the workload.
type Inference struct {
	// PrefillFLOPs processes the whole workload at once: flops.forward.
	PrefillFLOPs *big.Int `json:"prefill_flops"`
	// WeightsBytesPerDecodedToken is what one decoded token reads of the
	// weights at the workload dtype: every weight of a dense model, the
	// active ones of an MoE model (one token alone in its batch), except
	// that of an input embedding table it reads one row: the untied token
	// embedding and a learned position table count h elements each. A tied
	// token embedding is read whole, as the LM head.
	WeightsBytesPerDecodedToken int64 `json:"weights_bytes_per_decoded_token"`
	// Decode is one new token of one sequence at a few KV lengths.
	Decode []DecodeStep `json:"decode"`
}

// DecodeStep is the cost of decoding one token of one sequence when the
// cache, this token included, holds KVLength tokens: the token scores
// KVLength keys (fewer on windowed or chunked layers), and KVCacheBytesRead
// is the cache of exactly the keys it scores on each layer: min(k, w) on a
// windowed layer, (k−1) mod c + 1 on a chunked one.
type DecodeStep struct {
	KVLength         int64    `json:"kv_length"`
	FLOPs            *big.Int `json:"flops"`
	KVCacheBytesRead *big.Int `json:"kv_cache_bytes_read"`
	// RecurrentStateBytesRead is the Mamba-2 layers' state the token reads
	// (and writes back), whatever k; absent without them.
	RecurrentStateBytesRead *big.Int `json:"recurrent_state_bytes_read,omitempty"`
}

// CrossCheck is a published formula evaluated on the model, beside the
// exact number it estimates.
type CrossCheck struct {
	Name string `json:"name"`
	// Value is what the formula gives, in the unit of CompareWith.
	Value *big.Int `json:"value"`
	// CompareWith names the exact tscale quantity the formula estimates,
	// and Exact is its value.
	CompareWith string    `json:"compare_with"`
	Exact       *Fraction `json:"exact"`
	// RatioToExact is Value / Exact, to 6 significant digits; 0 when the
	// formula's assumptions do not hold.
	RatioToExact float64 `json:"ratio_to_exact"`
	Source       string  `json:"source"`
	Applies      bool    `json:"applies"`
	// Differences break Exact − Value into the terms the formula counts
	// otherwise than tscale; they sum to Exact − Value exactly. They are
	// given for the formulas whose every difference is known (Megatron-LM's
	// and MaxText's) where they apply; empty for the others.
	Differences []Difference `json:"differences,omitempty"`
	// NotApplicable says why the formula's assumptions do not hold.
	NotApplicable []Mismatch `json:"-"`
}

// Difference is one term of Exact − Value of a cross-check.
type Difference struct {
	Term Term `json:"term"`
	// FLOPs is what tscale counts less what the formula counts in this
	// term (negative where the formula counts more).
	FLOPs *big.Int `json:"flops"`
	// PaddedVocabSize is the vocabulary the formula's logits span
	// (TermVocabPadding only).
	PaddedVocabSize int64 `json:"padded_vocab_size,omitempty"`
}

// Term names a part of the count in which a formula differs from tscale.
type Term string

// The terms.
const (
	// TermAttentionPairs: the formula counts s²/2 (query, key) pairs per
	// head and sequence on a global layer (s·min(w, s)/2 on a windowed one,
	// (⌊s/c⌋·c² + (s mod c)²)/2 on a chunked one) where tscale counts the
	// causal pairs exactly, s(s+1)/2 on a global layer: 3·H·(qk_dim +
	// v_dim)·b per pair of difference in training, 6·B·s·L·H·d in all for
	// L global layers without MLA.
	TermAttentionPairs Term = "attention_pairs"
	// TermRouter: the formula leaves out the MoE router, h → E: 6·B·s·h·E
	// per MoE layer in training.
	TermRouter Term = "router"
	// TermSharedExpertGate: the formula leaves out the shared experts'
	// sigmoid gate, h → 1: 6·B·s·h per MoE layer in training.
	TermSharedExpertGate Term = "shared_expert_gate"
	// TermLatentNorms: the formula counts MLA's q_a and kv_a norms as a
	// matmul of width 1, 6·B·s·(q_lora_rank + kv_lora_rank) per layer in
	// training; tscale counts no norm.
	TermLatentNorms Term = "latent_norms"
	// TermVocabPadding: the formula's logits span the vocabulary padded to
	// PaddedVocabSize: 6·B·s·h·(PaddedVocabSize − V) in training.
	TermVocabPadding Term = "vocab_padding"
)

// Mismatch is one reason a published formula's assumptions do not hold for
// a model or workload. Formulas that state one assumption differently have
// their own reasons (a gated MLP is three matrices where Korthikanti et al.
// assume two, and a second MLP matrix where Chinchilla counts one pair).
type Mismatch string

// The reasons.
const (
	// MismatchMoE: a mixture of experts, where the formula assumes one dense MLP.
	MismatchMoE Mismatch = "moe"
	// MismatchMoEActive: an MoE runs only its active experts per token; the
	// N_active rows apply instead.
	MismatchMoEActive Mismatch = "moe_active"
	// MismatchMLA: multi-head latent attention.
	MismatchMLA Mismatch = "mla"
	// MismatchWindowedKeys: windowed or chunked layers score fewer keys than
	// the formula's context.
	MismatchWindowedKeys Mismatch = "windowed_keys"
	// MismatchWindowed: windowed or chunked attention.
	MismatchWindowed Mismatch = "windowed"
	// MismatchKVProjections: fewer KV heads than query heads, where the
	// formula counts a key and value projection per query head.
	MismatchKVProjections Mismatch = "kv_projections"
	// MismatchFewerKVHeads: fewer KV heads than query heads.
	MismatchFewerKVHeads Mismatch = "fewer_kv_heads"
	// MismatchGatedTwoMatrices: a gated MLP, where the formula counts two
	// MLP matrices.
	MismatchGatedTwoMatrices Mismatch = "gated_two_matrices"
	// MismatchGatedMLP: a gated MLP (three matrices).
	MismatchGatedMLP Mismatch = "gated_mlp"
	// MismatchMLPWidth: the MLP is not 4 × hidden wide.
	MismatchMLPWidth Mismatch = "mlp_width"
	// MismatchHeadWidth: heads × head_dim differs from the hidden size.
	MismatchHeadWidth Mismatch = "head_width"
	// MismatchBlock: not a sequential block with two norms.
	MismatchBlock Mismatch = "block"
	// MismatchLayerShapes: layers of different shapes (config layers), where
	// the formula assumes n_layer identical ones.
	MismatchLayerShapes Mismatch = "layer_shapes"
	// MismatchMamba2: Mamba-2 blocks beside attention (Falcon-H1), which the
	// formula does not count.
	MismatchMamba2 Mismatch = "mamba2"
	// MismatchActivationDType: the formula assumes 2-byte activations.
	MismatchActivationDType Mismatch = "activation_dtype"
	// MismatchZeroComputationExperts: the router also scores
	// zero-computation experts, and a token runs fewer FFN experts than
	// num_experts_per_tok (LongCat-Flash).
	MismatchZeroComputationExperts Mismatch = "zero_computation_experts"
	// MismatchDenseMLPWithMoE: MoE layers keep a dense MLP beside the
	// experts (LongCat-Flash's shortcut-connected MoE).
	MismatchDenseMLPWithMoE Mismatch = "dense_mlp_with_moe"
)

// ActivationElements sums the output elements of every op that materialises
// a tensor (views excluded), each counted once, over the whole forward pass.
type ActivationElements struct {
	Total     *big.Int `json:"total"`
	Embedding *big.Int `json:"embedding"`
	Attention *big.Int `json:"attention"`
	MLP       *big.Int `json:"mlp"`
	Head      *big.Int `json:"head"`
	// AttentionScores is the share of Attention held by the seq_len × seq_len
	// score and softmax tensors.
	AttentionScores *big.Int `json:"attention_scores"`
	// SSM is the Mamba-2 blocks' (absent without them).
	SSM *big.Int `json:"ssm,omitempty"`
}

// Stage is a part of the model run once: the embedding or the head.
type Stage struct {
	Params             int64    `json:"params"`
	FLOPs              *big.Int `json:"flops"`
	ActivationElements *big.Int `json:"activation_elements"`
	Ops                []Op     `json:"ops"`
}

// LayerGroup is one kind of decoder layer and how many layers are of it.
// Every per-layer number is for one layer of the group.
type LayerGroup struct {
	Count int64 `json:"count"`
	// Ranges are the layer indices of the group, in order.
	Ranges []LayerRange `json:"-"`
	// MoE: the layers have experts instead of a dense MLP.
	MoE bool `json:"-"`
	// SlidingWindow and AttentionChunkSize are the layer's attention span
	// (0: the whole causal prefix).
	SlidingWindow      int64 `json:"sliding_window"`
	AttentionChunkSize int64 `json:"attention_chunk_size"`

	Params                  int64                   `json:"params"`
	ActiveParams            int64                   `json:"active_params"`
	FLOPs                   LayerFLOPs              `json:"flops"`
	ActivationElements      LayerActivationElements `json:"activation_elements"`
	KVCacheElementsPerToken int64                   `json:"kv_cache_elements_per_token"`
	// KVCacheElementsPerTokenExpanded: keys and values per attention head.
	KVCacheElementsPerTokenExpanded int64 `json:"kv_cache_elements_per_token_expanded"`
	// KVCacheTokens is how many tokens of each sequence the layer caches at
	// the workload: seq_len, or its window or chunk if smaller.
	KVCacheTokens int64 `json:"kv_cache_tokens"`
	// SSMStateElements and ConvStateElements are a Mamba-2 layer's
	// per-sequence recurrent state, constant in the context: num_heads ×
	// head_dim × state_size and conv_dim × conv_kernel.
	SSMStateElements  int64    `json:"ssm_state_elements,omitempty"`
	ConvStateElements int64    `json:"conv_state_elements,omitempty"`
	Routing           *Routing `json:"routing,omitempty"`
	// Shape is the layers' own shape where the model gives each layer one
	// (config layers); nil otherwise.
	Shape *LayerShape `json:"shape,omitempty"`
	Ops   []Op        `json:"ops"`
}

// LayerRange is the layer indices First, First+Step, …, Last.
type LayerRange struct {
	First, Last, Step int64
}

// LayerFLOPs are the FLOPs of one layer over the workload.
type LayerFLOPs struct {
	Forward              *big.Int `json:"forward"`
	ForwardDense         *big.Int `json:"forward_dense"`
	AttentionProjections *big.Int `json:"attention_projections"`
	AttentionScores      *big.Int `json:"attention_scores"`
	AttentionScoresDense *big.Int `json:"attention_scores_dense"`
	MLP                  *big.Int `json:"mlp"`
	// SSM is the Mamba-2 block's FLOPs (in_proj, conv1d, the scan in its
	// recurrent form, out_proj); SSMScan the scan's alone and
	// SSMScanChunked the scan's in the chunked parallel form. Absent on
	// other layers.
	SSM            *big.Int `json:"ssm,omitempty"`
	SSMScan        *big.Int `json:"ssm_scan,omitempty"`
	SSMScanChunked *big.Int `json:"ssm_scan_chunked,omitempty"`
}

// LayerActivationElements are the activation elements of one layer.
type LayerActivationElements struct {
	Total           *big.Int `json:"total"`
	Attention       *big.Int `json:"attention"`
	MLP             *big.Int `json:"mlp"`
	AttentionScores *big.Int `json:"attention_scores"` // score and softmax tensors
	SSM             *big.Int `json:"ssm,omitempty"`    // the Mamba-2 block's
}

// Routing describes how a MoE layer spreads the workload's tokens.
type Routing struct {
	Tokens          *big.Int `json:"tokens"`
	ExpertsPerToken int64    `json:"experts_per_token"`
	// TokenSlots = Tokens × ExpertsPerToken: the rows routed to experts.
	TokenSlots *big.Int `json:"token_slots"`
	NumExperts int64    `json:"num_experts"`
	// SlotsPerExpert is the rows the NumExperts FFN experts process,
	// TokenSlots less ZeroComputationSlots, over NumExperts, exactly (2048,
	// or 4096/3): the average under even routing.
	SlotsPerExpert *Fraction `json:"slots_per_expert"`
	// ZeroComputationExperts is the identity experts the router also
	// scores (config zero_computation_experts); ZeroComputationSlots the
	// token slots counted as routed to them (zero_computation_slots_per_tok
	// per token), which cost nothing. Absent without such experts.
	ZeroComputationExperts int64    `json:"zero_computation_experts,omitempty"`
	ZeroComputationSlots   *big.Int `json:"zero_computation_slots,omitempty"`
}

// Op is one step of the forward pass.
type Op struct {
	Name  string `json:"name"`
	Block Block  `json:"block"`
	Kind  OpKind `json:"kind"`
	// Inputs are the shapes of the activations read (weights excluded).
	Inputs         [][]int64 `json:"inputs"`
	Output         []int64   `json:"output"`
	OutputElements *big.Int  `json:"output_elements"`
	// View: the output is a reshape of the input, not a new tensor; it is
	// left out of activation element totals.
	View bool `json:"view"`
	// MACs are the multiply-accumulates of the matmul, causal as run.
	MACs *big.Int `json:"macs"`
	// FLOPs = 2 × MACs; FLOPsDense counts every (query, key) pair.
	FLOPs      *big.Int `json:"flops"`
	FLOPsDense *big.Int `json:"flops_dense"`
	// Params are the weights the op owns; ActiveParams those one token uses.
	Params       int64 `json:"params"`
	ActiveParams int64 `json:"active_params"`
	// Shared: the op's weights are a shared transformer block's, counted
	// once in params.shared_blocks and not in its layer's params.
	Shared bool `json:"shared,omitempty"`
}

// Block is the part of the model an op belongs to.
type Block string

// The blocks.
const (
	BlockEmbedding Block = "embedding"
	BlockAttention Block = "attention"
	BlockMLP       Block = "mlp" // the MLP or MoE block
	BlockHead      Block = "head"
	// BlockSSM is a Mamba-2 block, a layer's token mixer in place of
	// attention.
	BlockSSM Block = "ssm"
)

// OpKind classifies ops for the block splits.
type OpKind string

// The kinds of op.
const (
	KindGather         OpKind = "gather"          // embedding lookup: 0 FLOPs
	KindNorm           OpKind = "norm"            // LayerNorm or RMSNorm
	KindLinear         OpKind = "linear"          // activation × weight matrix
	KindView           OpKind = "view"            // reshape, no new tensor
	KindScores         OpKind = "scores"          // Q·Kᵀ
	KindSoftmax        OpKind = "softmax"         // softmax over keys
	KindWeightedValues OpKind = "weighted_values" // softmax weights · V
	KindActivation     OpKind = "activation"      // elementwise non-linearity (and gating product)
	KindResidual       OpKind = "residual"        // residual add
	KindAdd            OpKind = "add"             // elementwise sum off the residual stream (a low-rank adapter's output)
	KindCombine        OpKind = "combine"         // weighted sum of expert outputs
	KindConcat         OpKind = "concat"          // tensors joined into a new one
	// KindConv is a depthwise causal convolution along the sequence: one
	// MAC per channel per kernel tap per token, not a matmul.
	KindConv OpKind = "conv"
	// KindScan is a selective state-space scan (Mamba-2's SSD), its MACs
	// those of the recurrent form; see the package doc.
	KindScan OpKind = "scan"
)
