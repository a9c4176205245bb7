package scale

import (
	"errors"
	"fmt"
)

// MLPKind says how many matrices a feed-forward block has.
type MLPKind string

const (
	// MLPStandard is up_proj → activation → down_proj (GPT-2, GPT-3, Falcon, Phi-2).
	MLPStandard MLPKind = "standard"
	// MLPGated is act(gate_proj(x)) · up_proj(x) → down_proj: three matrices
	// (SwiGLU/GeGLU: Llama, Mistral, Gemma, Qwen, Phi-3).
	MLPGated MLPKind = "gated"
)

// NormKind is the normalisation layer used throughout the model.
type NormKind string

const (
	// LayerNorm has a weight and a bias: 2 × hidden_size parameters.
	LayerNorm NormKind = "layernorm"
	// RMSNorm has a weight only: hidden_size parameters.
	RMSNorm NormKind = "rmsnorm"
	// LayerNormNoBias is a LayerNorm without a bias (nn.LayerNorm(bias=False):
	// MPT, DBRX): a weight only, hidden_size parameters, as an RMSNorm.
	LayerNormNoBias NormKind = "layernorm_nobias"
)

// PositionKind is how token positions enter the model.
type PositionKind string

const (
	// PositionLearned is a learned table of max_position_embeddings × hidden_size
	// added to the token embeddings (GPT-2, GPT-3). It owns parameters and
	// limits the sequence length to max_position_embeddings.
	PositionLearned PositionKind = "learned"
	// PositionRoPE is rotary position embedding: no parameters, no matmul.
	PositionRoPE PositionKind = "rope"
	// PositionALiBi is attention with linear biases: no parameters.
	PositionALiBi PositionKind = "alibi"
	// PositionNone: attention layers encode no position (Nemotron-H, whose
	// Mamba-2 layers carry the order): no parameters, no FLOPs.
	PositionNone PositionKind = "none"
)

// Config is the architecture of a decoder-only transformer language model.
// Field names follow Hugging Face config.json where one exists. Sizes are
// counts of elements; nothing here depends on the workload.
//
// Derived facts are never stored: the attention type (MHA, GQA, MQA) and the
// group size follow from NumAttentionHeads and NumKeyValueHeads.
type Config struct {
	VocabSize             int64 `json:"vocab_size"`
	HiddenSize            int64 `json:"hidden_size"`
	NumHiddenLayers       int64 `json:"num_hidden_layers"`
	NumAttentionHeads     int64 `json:"num_attention_heads"`
	NumKeyValueHeads      int64 `json:"num_key_value_heads"`
	HeadDim               int64 `json:"head_dim"`
	IntermediateSize      int64 `json:"intermediate_size"`
	MaxPositionEmbeddings int64 `json:"max_position_embeddings"`
	TieWordEmbeddings     bool  `json:"tie_word_embeddings"`

	MLP               MLPKind      `json:"mlp"`
	HiddenAct         string       `json:"hidden_act"`
	Norm              NormKind     `json:"norm"`
	PositionEmbedding PositionKind `json:"position_embedding"`

	// ParallelBlock: attention and MLP both read the layer input and their
	// outputs are added to the residual together (GPT-J, Falcon, Phi-2).
	ParallelBlock bool `json:"parallel_block"`
	// NormsPerLayer: 2 for a sequential pre-norm block, 4 for a block with
	// post-attention and post-MLP norms as well (Gemma-2); 1 for a parallel
	// block whose attention and MLP share one norm (Falcon-7B, Phi-2), 2 for a
	// parallel block with one norm each (Falcon-40B).
	NormsPerLayer int64 `json:"norms_per_layer"`

	// Sliding-window attention: a layer with window w lets query i score keys
	// max(0, i−w+1)..i and caches at most w tokens. Chunked attention: a
	// layer with chunk c lets query i score keys ⌊i/c⌋·c..i and caches at
	// most c tokens. At most one of the two is set (0: none).
	SlidingWindow      int64 `json:"sliding_window"`
	AttentionChunkSize int64 `json:"attention_chunk_size"`
	// GlobalAttentionInterval N > 0 makes every Nth layer (indices N−1,
	// 2N−1, …) global and the others windowed or chunked (Gemma-2: 2,
	// Llama-4: 4); 0 makes every layer windowed or chunked (Mistral-7B).
	GlobalAttentionInterval int64 `json:"global_attention_interval"`
	// WindowFromLayer: layers below this index attend to the whole causal
	// prefix whatever the window, chunk or interval; from it on those rules
	// apply (Qwen2's max_window_layers with use_sliding_window). 0: from
	// layer 0.
	WindowFromLayer int64 `json:"window_from_layer"`
	// AttentionSinks: every layer has one learned logit per attention head
	// that joins each query's softmax as an extra column (gpt-oss's sinks):
	// num_attention_heads parameters per layer and no matmul.
	AttentionSinks bool `json:"attention_sinks"`

	// Multi-head latent attention (DeepSeek-V2/V3), used when KVLoraRank > 0:
	// queries through a rank-QLoraRank bottleneck (0: one q_proj), keys and
	// values through a shared rank-KVLoraRank latent plus a QKRopeHeadDim
	// rotary key shared by all heads. head_dim must be QKNopeHeadDim +
	// QKRopeHeadDim, and num_key_value_heads = num_attention_heads.
	QLoraRank     int64 `json:"q_lora_rank"`
	KVLoraRank    int64 `json:"kv_lora_rank"`
	QKNopeHeadDim int64 `json:"qk_nope_head_dim"`
	QKRopeHeadDim int64 `json:"qk_rope_head_dim"`
	VHeadDim      int64 `json:"v_head_dim"`

	// QKNorm: a norm of the model's kind over head_dim on queries and on
	// keys, shared by the heads: an RMSNorm has head_dim weights (Qwen3), a
	// LayerNorm head_dim weights and head_dim biases (Phi's qk_layernorm).
	// Weightless QK norms change no count and are not modelled.
	QKNorm bool `json:"qk_norm"`
	// QKNormFullWidth: the QK norms span the whole projection before it is
	// split into heads, q over num_attention_heads × head_dim and k over
	// num_key_value_heads × head_dim, each with its own weights (OLMo 2).
	QKNormFullWidth bool `json:"qk_norm_full_width"`
	// PostNorm: a sequential block's two norms follow attention and the MLP
	// (normalising their outputs before the residual add) instead of
	// preceding them (OLMo 2). The counts are a pre-norm block's.
	PostNorm bool `json:"post_norm"`

	AttentionQKVBias bool `json:"attention_qkv_bias"`
	AttentionOutBias bool `json:"attention_out_bias"`
	MLPBias          bool `json:"mlp_bias"`
	// RoutedExpertsNoBias: with mlp_bias, the dense MLPs and the shared
	// experts have biases but the routed experts have none (Nemotron-H).
	RoutedExpertsNoBias bool `json:"routed_experts_no_bias"`
	LMHeadBias          bool `json:"lm_head_bias"`

	// Mixture of experts. NumLocalExperts = 0 is a dense model.
	NumLocalExperts  int64 `json:"num_local_experts"`
	NumExpertsPerTok int64 `json:"num_experts_per_tok"`
	// MoEIntermediateSize is the width of one routed expert's MLP.
	MoEIntermediateSize int64 `json:"moe_intermediate_size"`
	// NumSharedExperts run on every token; together they form one MLP of
	// width SharedExpertIntermediateSize (the sum of their widths).
	NumSharedExperts             int64 `json:"num_shared_experts"`
	SharedExpertIntermediateSize int64 `json:"shared_expert_intermediate_size"`
	// SharedExpertGate: a sigmoid gate Linear(hidden, 1) scales the shared
	// experts' output (Qwen2-MoE). Without shared experts (width 0) the
	// gate is still built and counted, scaling an output of zeros: hidden
	// parameters per MoE layer (Qwen3-Next's shared_expert_intermediate_size
	// 0, for which transformers builds zero-width shared-expert matrices and
	// the gate).
	SharedExpertGate bool `json:"shared_expert_gate"`
	// RouterScoreBias: a per-expert bias added to the routing scores to
	// choose the experts (DeepSeek-V3's e_score_correction_bias, set by load
	// statistics rather than gradients). transformers registers it as a
	// buffer, so it is not a parameter and owns no FLOPs.
	RouterScoreBias bool `json:"router_score_bias"`
	// RouterBias: the router Linear(hidden, num_local_experts) has a
	// learned bias, num_local_experts parameters (gpt-oss).
	RouterBias bool `json:"router_bias"`
	// FirstKDenseReplace: the first k layers have a dense MLP of
	// intermediate_size instead of experts (DeepSeek).
	FirstKDenseReplace int64 `json:"first_k_dense_replace"`
	// MoELayerInterval N: of the layers after the first k, those with index
	// i where (i+1) is a multiple of N are MoE, the rest dense (Llama-4
	// Maverick: 2; Qwen2-MoE decoder_sparse_step). 0 and 1 mean every layer.
	MoELayerInterval int64 `json:"moe_layer_interval"`
	// MoELayerFirstInCycle moves the MoE layer of each cycle of
	// moe_layer_interval to its start: the layers after the first k with
	// index i where i is a multiple of N (DeepSeek's moe_layer_freq).
	MoELayerFirstInCycle bool `json:"moe_layer_first_in_cycle"`

	// MTPLayers is the number of multi-token-prediction modules the
	// checkpoint stores beside the model (DeepSeek-V3 and GLM-4.5's
	// num_nextn_predict_layers). transformers does not build them, so they
	// are not in params.total; params.mtp counts them.
	MTPLayers int64 `json:"mtp_layers"`

	// ExpertWeightsFormat is how the checkpoint stores the routed experts'
	// weight matrices when it differs from the rest: "" (as the rest) or
	// "mxfp4" (gpt-oss). It changes no count; the report adds the bytes of
	// the weights as stored.
	ExpertWeightsFormat WeightFormat `json:"expert_weights_format"`
	// VisionParams is the parameters of a multimodal checkpoint's vision
	// tower and projector, which the text backbone analysed here does not
	// use (Gemma 3). 0: none, or not counted.
	VisionParams int64 `json:"vision_params"`

	// Zero-computation experts and the shortcut-connected MoE
	// (LongCat-Flash).
	//
	// ZeroComputationExperts Z: the router scores Z identity experts beside
	// the num_local_experts FFN experts, so that it is Linear(hidden, E + Z)
	// (with E + Z biases where router_bias says). A token slot routed to one
	// passes the token through, scaled by its routing weight: no parameters
	// and no FLOPs. 0: none.
	ZeroComputationExperts int64 `json:"zero_computation_experts"`
	// ZeroComputationSlotsPerTok is how many of each token's
	// num_experts_per_tok slots the report counts as routed to
	// zero-computation experts; the others run FFN experts. Which slots a
	// token gives to identity experts depends on the data, so params.active
	// and the FLOPs follow this stated convention (params.active_min and
	// params.active_max give the bounds). Between 0 and num_experts_per_tok,
	// at most zero_computation_experts.
	ZeroComputationSlotsPerTok int64 `json:"zero_computation_slots_per_tok"`
	// DenseMLPWithMoE: an MoE layer keeps a dense MLP of intermediate_size
	// beside its experts, both reading the layer's MLP norm and both added
	// to the residual (LongCat-Flash's shortcut-connected MoE, read as two
	// layers per LongCat layer: the first's MLP input feeds the MoE, whose
	// output joins the residual after the second).
	DenseMLPWithMoE bool `json:"dense_mlp_with_moe"`

	// Layers, when set, gives each decoder layer its own shape: its
	// attention and MLP kept, removed or replaced by one linear layer, its
	// own KV heads and MLP width (Nemotron-NAS's block_configs). It has
	// num_hidden_layers entries; nil: every layer is the model's.
	Layers []LayerShape `json:"layers,omitempty"`

	// Dense 2025 families (Apertus); rules in validateDense2025.
	//
	// ActivationParams is the number of learned parameters the activation
	// function of every dense MLP owns (Apertus's xIELU: alpha_p and
	// alpha_n, 2 per layer); 0 for a fixed function. They cost no matmul.
	ActivationParams int64 `json:"activation_params"`

	// Classic decoders (OPT, BLOOM): where their embeddings differ from
	// GPT-2's.
	//
	// PositionOffset is the number of rows the learned position table has
	// beyond max_position_embeddings (OPT's OPTLearnedPositionalEmbedding
	// adds 2 for its padding offset): the table is (max_position_embeddings
	// + position_offset) × hidden_size. 0 unless position_embedding is
	// learned.
	PositionOffset int64 `json:"position_offset"`
	// EmbeddingNorm: a norm of the model's kind follows the token embedding
	// (BLOOM's word_embeddings_layernorm). Its parameters are not embedding
	// parameters: params.embedding counts the lookup tables only.
	EmbeddingNorm bool `json:"embedding_norm"`

	// Per-head QK norms (StableLM 2's qk_layernorm, Cohere's use_qk_norm, a
	// norm of shape (heads, head_dim)). QKNormPerHead: every query head and
	// every key/value head has its own QK norm over head_dim —
	// num_attention_heads × head_dim weights on queries and
	// num_key_value_heads × head_dim on keys. QKNormKind is the kind of the
	// QK norms where it differs from the model's norm (StableLM's are
	// LayerNorms without bias under a model of LayerNorms); "": the model's.
	QKNormPerHead bool     `json:"qk_norm_per_head"`
	QKNormKind    NormKind `json:"qk_norm_kind"`

	// Quantization is how the checkpoint stores the weights when
	// config.json's quantization_config quantises them (nil: as the model's
	// dtype). It changes no count; the report adds the bytes as stored.
	Quantization *Quantization `json:"quantization,omitempty"`

	// Mamba-2 (SSD) token mixers (Mamba-2, Nemotron-H, Bamba, Granite 4.0
	// hybrid); rules in validateMamba2. A layer whose LayerShape.Attention
	// is "mamba2" mixes its tokens with this block instead of attention:
	// in_proj (h → 2·d_inner + 2·n_groups·state_size + num_heads), a
	// depthwise causal conv1d of kernel conv_kernel over x, B and C
	// (conv_dim = d_inner + 2·n_groups·state_size channels), dt_bias, A_log
	// and D (num_heads each), the selective state-space scan, a gated
	// RMSNorm over d_inner and out_proj (d_inner → h), where d_inner =
	// num_heads × head_dim. 0 heads: the model has no Mamba-2 layer.
	Mamba2NumHeads   int64 `json:"mamba2_num_heads"`
	Mamba2HeadDim    int64 `json:"mamba2_head_dim"`
	Mamba2StateSize  int64 `json:"mamba2_state_size"`
	Mamba2NGroups    int64 `json:"mamba2_n_groups"`
	Mamba2ConvKernel int64 `json:"mamba2_conv_kernel"`
	// Mamba2ChunkSize is the chunk length of the chunked (SSD) parallel
	// form whose FLOPs flops.forward_chunked reports.
	Mamba2ChunkSize int64 `json:"mamba2_chunk_size"`
	// Mamba2InProjBias and Mamba2OutProjBias: in_proj and out_proj have
	// biases (use_bias sets both; Falcon-H1 sets them apart);
	// Mamba2ConvBias: the conv1d has conv_dim biases (use_conv_bias).
	Mamba2InProjBias  bool `json:"mamba2_in_proj_bias"`
	Mamba2OutProjBias bool `json:"mamba2_out_proj_bias"`
	Mamba2ConvBias    bool `json:"mamba2_conv_bias"`
	// Mamba2NoNorm: the block has no gated RMSNorm; the gate multiplies
	// the scan's output elementwise (Falcon-H1's mamba_rms_norm false).
	Mamba2NoNorm bool `json:"mamba2_no_norm"`
	// Mamba2BesideAttention: every layer runs its attention and a Mamba-2
	// block side by side on the same normed input, and both outputs join
	// the residual (Falcon-H1); no per-layer shapes.
	Mamba2BesideAttention bool `json:"mamba2_beside_attention"`

	// Mamba-1 (selective SSM) token mixers (Jamba); rules in
	// validateMamba1. A layer whose LayerShape.Attention is "mamba" mixes
	// its tokens with in_proj (h → 2·d_inner), a depthwise causal conv1d
	// over d_inner channels of kernel mamba_conv_kernel, x_proj (d_inner →
	// dt_rank + 2·state_size, no bias), dt_proj (dt_rank → d_inner with
	// bias), A_log (d_inner × state_size), D (d_inner), the selective scan
	// and out_proj (d_inner → h). 0: no Mamba-1 layer.
	MambaInnerSize  int64 `json:"mamba_inner_size"`
	MambaStateSize  int64 `json:"mamba_state_size"`
	MambaConvKernel int64 `json:"mamba_conv_kernel"`
	MambaDTRank     int64 `json:"mamba_dt_rank"`
	// MambaConvBias: the conv1d has biases; MambaProjBias: in_proj and
	// out_proj have biases; MambaInnerNorms: RMSNorms over Δ (dt_rank), B
	// and C (state_size) after x_proj (Jamba's dt_layernorm, b_layernorm,
	// c_layernorm).
	MambaConvBias   bool `json:"mamba_conv_bias"`
	MambaProjBias   bool `json:"mamba_proj_bias"`
	MambaInnerNorms bool `json:"mamba_inner_norms"`

	// Short-convolution token mixers (LFM2); rules in validateShortConv. A
	// layer whose LayerShape.Attention is "short_conv" mixes its tokens
	// with in_proj (h → 3h: B, C and x), a depthwise causal conv1d over h
	// channels of kernel short_conv_kernel applied to B·x, the gate C and
	// out_proj (h → h); short_conv_bias puts biases on all three. 0: none.
	ShortConvKernel int64 `json:"short_conv_kernel"`
	ShortConvBias   bool  `json:"short_conv_bias"`

	// Gated DeltaNet token mixers and gated attention (Qwen3-Next); rules
	// in validateGatedDeltaNet. A layer whose LayerShape.Attention is
	// "gated_deltanet" mixes its tokens with in_proj_qkvz (h → 2·key +
	// 2·value: q, k, v and the gate z), in_proj_ba (h → 2·value_heads), a
	// depthwise causal conv1d without bias over q, k and v (2·key + value
	// channels, kernel gdn_conv_kernel), dt_bias and A_log (value_heads
	// each), the gated delta rule, a gated RMSNorm over value_head_dim and
	// out_proj (value → h), where key = key_heads × key_head_dim and value
	// = value_heads × value_head_dim. GDNChunkSize is the chunk length of
	// the chunked parallel form whose FLOPs flops.forward_chunked reports.
	// 0: no Gated DeltaNet layer.
	GDNNumKeyHeads   int64 `json:"gdn_num_key_heads"`
	GDNNumValueHeads int64 `json:"gdn_num_value_heads"`
	GDNKeyHeadDim    int64 `json:"gdn_key_head_dim"`
	GDNValueHeadDim  int64 `json:"gdn_value_head_dim"`
	GDNConvKernel    int64 `json:"gdn_conv_kernel"`
	GDNChunkSize     int64 `json:"gdn_chunk_size"`
	// AttentionOutputGate: q_proj also makes a gate per query element
	// (width 2·num_attention_heads·head_dim), and the attention output is
	// multiplied by its sigmoid before o_proj (Qwen3-Next); the product is
	// elementwise, not counted.
	AttentionOutputGate bool `json:"attention_output_gate"`

	// Lightning attention (MiniMax); rules in validateLightning. A layer
	// whose LayerShape.Attention is "lightning" mixes its tokens with
	// qkv_proj (h → 3·num_attention_heads·head_dim), a linear attention
	// whose state decays per head, an RMSNorm over heads·head_dim, a
	// sigmoid output gate output_gate (h → heads·head_dim) and out_proj
	// (heads·head_dim → h). LightningBlockSize is the block length of the
	// blockwise form whose FLOPs flops.forward_chunked reports (the
	// config's block_size). 0: no lightning-attention layer.
	LightningBlockSize int64 `json:"lightning_block_size"`

	// Shared transformer blocks (Zamba2); rules in validateSharedBlocks. A
	// layer whose LayerShape.SharedBlock is set first runs the next of
	// SharedBlocks transformer blocks, in turn (block j mod SharedBlocks
	// at the layer's j-th use): the concatenation of the residual stream
	// and the token embeddings (2·hidden wide), an RMSNorm over it,
	// attention from that width (num_attention_heads and
	// num_key_value_heads heads of head_dim, no biases, o_proj to hidden),
	// an RMSNorm over hidden and the model's gated MLP; then a Linear(h, h)
	// without bias of the layer's own, whose output is added to the
	// layer's input before its token mixer's norm. The blocks' weights are
	// counted once (params.shared_blocks; a block no layer uses is not
	// built), their FLOPs, activations and KV cache at every use. Each use
	// also has its own low-rank adapters of rank SharedBlockAdapterRank on
	// the MLP's fused gate and up projection (h → rank → 2·intermediate),
	// and with SharedAttentionAdapters on q, k and v (2h → rank → 2h each),
	// added to the projections' outputs.
	SharedBlocks            int64 `json:"shared_blocks"`
	SharedBlockAdapterRank  int64 `json:"shared_block_adapter_rank"`
	SharedAttentionAdapters bool  `json:"shared_attention_adapters"`
}

// LayerPart is what a layer has in place of its attention or its MLP.
type LayerPart string

// The parts a LayerShape can give a layer.
const (
	// PartFull ("") is the block of the model's kind.
	PartFull LayerPart = ""
	// PartNone removes the block with its norm: the layer passes its input
	// through (Nemotron-NAS's no_op).
	PartNone LayerPart = "none"
	// PartLinear replaces the block by its norm and one Linear(h, h)
	// without bias (Nemotron-NAS's replace_with_linear).
	PartLinear LayerPart = "linear"
	// PartMamba2 replaces attention by the model's Mamba-2 block with its
	// norm and residual add (as attention: the layer's token mixer). Only
	// in LayerShape.Attention.
	PartMamba2 LayerPart = "mamba2"
	// PartMamba1 replaces attention by the model's Mamba-1 block with its
	// norm and residual add (Jamba). Only in LayerShape.Attention.
	PartMamba1 LayerPart = "mamba"
	// PartShortConv replaces attention by the model's short-convolution
	// block with its norm and residual add (LFM2). Only in
	// LayerShape.Attention.
	PartShortConv LayerPart = "short_conv"
	// PartGatedDeltaNet replaces attention by the model's Gated DeltaNet
	// block with its norm and residual add (Qwen3-Next). Only in
	// LayerShape.Attention.
	PartGatedDeltaNet LayerPart = "gated_deltanet"
	// PartLightning replaces attention by the model's lightning-attention
	// block with its norm and residual add (MiniMax). Only in
	// LayerShape.Attention.
	PartLightning LayerPart = "lightning"
	// PartExperts gives the layer the model's mixture of experts (its norm,
	// router, experts and shared experts) in place of a dense MLP. Only in
	// LayerShape.MLP. With any such layer, which layers have experts is
	// read from the shapes alone: a layer whose MLP is empty has a dense MLP
	// of the model's kind (Nemotron-H's "E" and "-", Qwen3-Next's
	// mlp_only_layers), and first_k_dense_replace and moe_layer_interval
	// must be 0.
	PartExperts LayerPart = "experts"
)

// LayerShape is one decoder layer's own shape. A zero field is the
// model's.
type LayerShape struct {
	Attention        LayerPart `json:"attention,omitempty"`
	NumKeyValueHeads int64     `json:"num_key_value_heads,omitempty"`
	MLP              LayerPart `json:"mlp,omitempty"`
	IntermediateSize int64     `json:"intermediate_size,omitempty"`
	// SharedBlock: the layer first runs the next shared transformer block
	// (Config.SharedBlocks) and its own Linear(h, h).
	SharedBlock bool `json:"shared_block,omitempty"`
}

// WeightFormat is a storage format of weights in a checkpoint.
type WeightFormat string

// MXFP4 is OCP microscaling FP4: per block of 32 weights along a matrix's
// input dimension, 32 4-bit values (16 bytes) and one 8-bit E8M0 scale,
// 17 bytes: 4.25 bits per weight.
const MXFP4 WeightFormat = "mxfp4"

// AttentionType is "MHA" when every query head has its own key/value head,
// "MQA" when all share one, and "GQA" otherwise.
func (c Config) AttentionType() string {
	switch {
	case c.NumAttentionHeads == 0:
		return "none"
	case c.IsMLA():
		return "MLA"
	case c.NumKeyValueHeads == c.NumAttentionHeads:
		return "MHA"
	case c.NumKeyValueHeads == 1:
		return "MQA"
	default:
		return "GQA"
	}
}

// GroupSize is the number of query heads that share one key/value head.
// It is 0 when the config is invalid (no KV heads).
func (c Config) GroupSize() int64 {
	if c.NumKeyValueHeads <= 0 {
		return 0
	}
	return c.NumAttentionHeads / c.NumKeyValueHeads
}

// IsMoE reports whether the model has mixture-of-experts layers.
func (c Config) IsMoE() bool { return c.NumLocalExperts > 0 }

// IsMLA reports whether attention is multi-head latent attention.
func (c Config) IsMLA() bool { return c.KVLoraRank > 0 }

// FieldError is one broken rule of a Config or Workload.
type FieldError struct {
	Field string // the JSON name of the field
	Rule  string // what must hold
	Value any    // what was given
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %s, got %v", e.Field, e.Rule, e.Value)
}

// validator collects every broken rule instead of stopping at the first.
type validator struct{ errs []error }

func (v *validator) check(ok bool, field, rule string, value any) {
	if !ok {
		v.fail(field, rule, value)
	}
}

// fail records that field breaks rule: check, for a rule whose words are
// made only when it is broken.
func (v *validator) fail(field, rule string, value any) {
	v.errs = append(v.errs, &FieldError{Field: field, Rule: rule, Value: value})
}

func (v *validator) positive(field string, value int64) {
	v.check(value > 0, field, "must be a positive integer", value)
}

func (v *validator) err() error { return errors.Join(v.errs...) }

// Validate returns every broken rule of c at once, joined; nil when c is a
// model the engine can analyse. Each error is a *FieldError.
func (c Config) Validate() error {
	var v validator
	v.positive("vocab_size", c.VocabSize)
	v.positive("hidden_size", c.HiddenSize)
	v.positive("num_hidden_layers", c.NumHiddenLayers)
	v.check(c.NumHiddenLayers <= MaxLayers, "num_hidden_layers", fmt.Sprintf("must not exceed %d", MaxLayers), c.NumHiddenLayers)
	if c.hasAttention() || c.HasLightning() { // lightning attention uses the heads and head_dim
		v.positive("num_attention_heads", c.NumAttentionHeads)
		v.positive("num_key_value_heads", c.NumKeyValueHeads)
		v.positive("head_dim", c.HeadDim)
	} else { // no layer has attention (a pure Mamba-2 model)
		for _, f := range []struct {
			name  string
			value int64
		}{{"num_attention_heads", c.NumAttentionHeads}, {"num_key_value_heads", c.NumKeyValueHeads}, {"head_dim", c.HeadDim}} {
			v.check(f.value == 0, f.name, "must be 0 when no layer has attention", f.value)
		}
	}
	v.positive("max_position_embeddings", c.MaxPositionEmbeddings)
	if c.NumKeyValueHeads > 0 && c.NumAttentionHeads > 0 {
		v.check(c.NumKeyValueHeads <= c.NumAttentionHeads, "num_key_value_heads",
			fmt.Sprintf("must not exceed num_attention_heads (%d)", c.NumAttentionHeads), c.NumKeyValueHeads)
		v.check(c.NumAttentionHeads%c.NumKeyValueHeads == 0, "num_attention_heads",
			fmt.Sprintf("must be divisible by num_key_value_heads (%d)", c.NumKeyValueHeads), c.NumAttentionHeads)
	}
	v.check(c.MLP == MLPStandard || c.MLP == MLPGated, "mlp",
		fmt.Sprintf("must be %q or %q", MLPStandard, MLPGated), fmt.Sprintf("%q", c.MLP))
	v.check(c.Norm == LayerNorm || c.Norm == RMSNorm || c.Norm == LayerNormNoBias, "norm",
		fmt.Sprintf("must be %q, %q or %q", LayerNorm, RMSNorm, LayerNormNoBias), fmt.Sprintf("%q", c.Norm))
	v.check(c.PositionEmbedding == PositionLearned || c.PositionEmbedding == PositionRoPE || c.PositionEmbedding == PositionALiBi ||
		c.PositionEmbedding == PositionNone,
		"position_embedding", fmt.Sprintf("must be %q, %q, %q or %q", PositionLearned, PositionRoPE, PositionALiBi, PositionNone),
		fmt.Sprintf("%q", c.PositionEmbedding))
	if c.ParallelBlock {
		v.check(c.NormsPerLayer == 1 || c.NormsPerLayer == 2, "norms_per_layer",
			"must be 1 (shared) or 2 (one each) in a parallel block", c.NormsPerLayer)
	} else {
		v.check(c.NormsPerLayer == 2 || c.NormsPerLayer == 4, "norms_per_layer",
			"must be 2 (pre-norms) or 4 (pre- and post-norms) in a sequential block", c.NormsPerLayer)
	}
	v.check(c.SlidingWindow >= 0, "sliding_window", "must not be negative", c.SlidingWindow)
	v.check(c.AttentionChunkSize >= 0, "attention_chunk_size", "must not be negative", c.AttentionChunkSize)
	v.check(c.SlidingWindow == 0 || c.AttentionChunkSize == 0, "attention_chunk_size",
		fmt.Sprintf("must be 0 when sliding_window (%d) is set", c.SlidingWindow), c.AttentionChunkSize)
	v.check(c.GlobalAttentionInterval >= 0, "global_attention_interval", "must not be negative", c.GlobalAttentionInterval)
	v.check(c.GlobalAttentionInterval == 0 || c.SlidingWindow > 0 || c.AttentionChunkSize > 0, "global_attention_interval",
		"must be 0 unless sliding_window or attention_chunk_size is set", c.GlobalAttentionInterval)
	v.check(c.WindowFromLayer >= 0, "window_from_layer", "must not be negative", c.WindowFromLayer)
	v.check(c.WindowFromLayer == 0 || c.SlidingWindow > 0 || c.AttentionChunkSize > 0, "window_from_layer",
		"must be 0 unless sliding_window or attention_chunk_size is set", c.WindowFromLayer)
	v.check(!c.QKNormFullWidth || c.QKNorm, "qk_norm_full_width", "needs qk_norm", c.QKNormFullWidth)
	v.check(!c.PostNorm || (!c.ParallelBlock && c.NormsPerLayer == 2), "post_norm",
		"needs a sequential block with norms_per_layer 2", c.PostNorm)
	v.check(c.MTPLayers >= 0, "mtp_layers", "must not be negative", c.MTPLayers)
	v.check(c.MTPLayers <= MaxLayers, "mtp_layers", fmt.Sprintf("must not exceed %d", MaxLayers), c.MTPLayers)
	v.check(c.ExpertWeightsFormat == "" || (c.ExpertWeightsFormat == MXFP4 && c.IsMoE()), "expert_weights_format",
		fmt.Sprintf("must be empty, or %q in a mixture-of-experts model", MXFP4), fmt.Sprintf("%q", c.ExpertWeightsFormat))
	v.check(c.VisionParams >= 0, "vision_params", "must not be negative", c.VisionParams)
	c.validateLayers(&v)
	c.validateMLA(&v)
	c.validateDense2025(&v)
	c.validateEmbeddings(&v)
	c.validateZeroComputation(&v)
	c.validateQuantization(&v)
	c.validateMamba2(&v)
	c.validateMamba1(&v)
	c.validateShortConv(&v)
	c.validateGatedDeltaNet(&v)
	c.validateLightning(&v)
	c.validateSharedBlocks(&v)
	if c.IsMoE() {
		v.check(c.FirstKDenseReplace >= 0 && c.FirstKDenseReplace <= c.NumHiddenLayers, "first_k_dense_replace",
			fmt.Sprintf("must be between 0 and num_hidden_layers (%d)", c.NumHiddenLayers), c.FirstKDenseReplace)
		v.check(c.MoELayerInterval >= 0, "moe_layer_interval", "must not be negative", c.MoELayerInterval)
		if c.NumHiddenLayers <= MaxLayers {
			if c.hasDenseLayers() {
				v.check(c.IntermediateSize > 0, "intermediate_size",
					"must be a positive integer: first_k_dense_replace, moe_layer_interval or dense_mlp_with_moe leave dense MLPs", c.IntermediateSize)
			} else {
				v.check(c.IntermediateSize == 0, "intermediate_size",
					"must be 0: every layer is MoE, so no layer has a dense MLP (the experts' width is moe_intermediate_size)",
					c.IntermediateSize)
			}
		}
		if c.ZeroComputationExperts > 0 { // chosen among the FFN and the zero-computation experts
			v.check(c.NumExpertsPerTok >= 1 && c.NumExpertsPerTok-c.ZeroComputationExperts <= c.NumLocalExperts,
				"num_experts_per_tok", fmt.Sprintf("must be between 1 and num_local_experts + zero_computation_experts (%d)",
					c.NumLocalExperts+c.ZeroComputationExperts), c.NumExpertsPerTok)
		} else {
			v.check(c.NumExpertsPerTok >= 1 && c.NumExpertsPerTok <= c.NumLocalExperts, "num_experts_per_tok",
				fmt.Sprintf("must be between 1 and num_local_experts (%d)", c.NumLocalExperts), c.NumExpertsPerTok)
		}
		v.positive("moe_intermediate_size", c.MoEIntermediateSize)
		v.check(c.NumSharedExperts >= 0, "num_shared_experts", "must not be negative", c.NumSharedExperts)
		v.check(c.SharedExpertIntermediateSize >= 0, "shared_expert_intermediate_size", "must not be negative",
			c.SharedExpertIntermediateSize)
		v.check((c.NumSharedExperts > 0) == (c.SharedExpertIntermediateSize > 0), "shared_expert_intermediate_size",
			fmt.Sprintf("must be positive exactly when num_shared_experts (%d) is", c.NumSharedExperts),
			c.SharedExpertIntermediateSize)
	} else {
		v.check(c.NumLocalExperts == 0, "num_local_experts", "must not be negative", c.NumLocalExperts)
		if c.usesModelMLPWidth() {
			v.positive("intermediate_size", c.IntermediateSize)
		} else {
			v.check(c.IntermediateSize >= 0, "intermediate_size", "must not be negative", c.IntermediateSize)
		}
		for _, f := range []struct {
			name  string
			value int64
		}{
			{"num_experts_per_tok", c.NumExpertsPerTok},
			{"moe_intermediate_size", c.MoEIntermediateSize},
			{"num_shared_experts", c.NumSharedExperts},
			{"shared_expert_intermediate_size", c.SharedExpertIntermediateSize},
			{"first_k_dense_replace", c.FirstKDenseReplace},
			{"moe_layer_interval", c.MoELayerInterval},
		} {
			v.check(f.value == 0, f.name, "must be 0 in a dense model (num_local_experts = 0)", f.value)
		}
		v.check(!c.RouterScoreBias, "router_score_bias", "must be false in a dense model (num_local_experts = 0)", c.RouterScoreBias)
		v.check(!c.SharedExpertGate, "shared_expert_gate", "must be false in a dense model (num_local_experts = 0)", c.SharedExpertGate)
		v.check(!c.RouterBias, "router_bias", "must be false in a dense model (num_local_experts = 0)", c.RouterBias)
		v.check(!c.RoutedExpertsNoBias, "routed_experts_no_bias", "must be false in a dense model (num_local_experts = 0)",
			c.RoutedExpertsNoBias)
		v.check(!c.MoELayerFirstInCycle, "moe_layer_first_in_cycle", "must be false in a dense model (num_local_experts = 0)",
			c.MoELayerFirstInCycle)
	}
	c.validateQuantizedShapes(&v)
	return v.err()
}

// validateDense2025 checks the fields of the dense 2025 families:
// activation parameters are counted for dense MLPs only.
func (c Config) validateDense2025(v *validator) {
	v.check(c.ActivationParams >= 0, "activation_params", "must not be negative", c.ActivationParams)
	v.check(c.ActivationParams == 0 || !c.IsMoE(), "activation_params",
		"must be 0 in a mixture-of-experts model (learned activations of experts are not modelled)", c.ActivationParams)
}

// validateZeroComputation checks LongCat-Flash's features: zero-computation
// experts and the slots counted for them, and a dense MLP beside the
// experts, only in a mixture of experts; with a dense MLP in every MoE
// layer, intermediate_size must be positive (hasDenseLayers says so).
func (c Config) validateZeroComputation(v *validator) {
	v.check(c.ZeroComputationExperts >= 0, "zero_computation_experts", "must not be negative", c.ZeroComputationExperts)
	v.check(c.ZeroComputationExperts == 0 || c.IsMoE(), "zero_computation_experts",
		"must be 0 in a dense model (num_local_experts = 0)", c.ZeroComputationExperts)
	v.check(c.ZeroComputationSlotsPerTok >= 0 && c.ZeroComputationSlotsPerTok <= min(c.NumExpertsPerTok, c.ZeroComputationExperts),
		"zero_computation_slots_per_tok", fmt.Sprintf("must be between 0 and num_experts_per_tok (%d) and at most "+
			"zero_computation_experts (%d)", c.NumExpertsPerTok, c.ZeroComputationExperts), c.ZeroComputationSlotsPerTok)
	v.check(!c.IsMoE() || c.ZeroComputationExperts <= 0 || c.ZeroComputationSlotsPerTok < 0 ||
		c.NumExpertsPerTok-c.ZeroComputationSlotsPerTok <= c.NumLocalExperts,
		"zero_computation_slots_per_tok", fmt.Sprintf("must leave at most num_local_experts (%d) of the num_experts_per_tok "+
			"(%d) slots to FFN experts", c.NumLocalExperts, c.NumExpertsPerTok), c.ZeroComputationSlotsPerTok)
	v.check(!c.DenseMLPWithMoE || c.IsMoE(), "dense_mlp_with_moe", "must be false in a dense model (num_local_experts = 0)",
		c.DenseMLPWithMoE)
}

func (c Config) validateMLA(v *validator) {
	v.check(c.KVLoraRank >= 0, "kv_lora_rank", "must not be negative", c.KVLoraRank)
	if !c.IsMLA() {
		for _, f := range []struct {
			name  string
			value int64
		}{
			{"q_lora_rank", c.QLoraRank}, {"qk_nope_head_dim", c.QKNopeHeadDim},
			{"qk_rope_head_dim", c.QKRopeHeadDim}, {"v_head_dim", c.VHeadDim},
		} {
			v.check(f.value == 0, f.name, "must be 0 unless kv_lora_rank is set (multi-head latent attention)", f.value)
		}
		return
	}
	v.check(c.QLoraRank >= 0, "q_lora_rank", "must not be negative", c.QLoraRank)
	v.positive("qk_nope_head_dim", c.QKNopeHeadDim)
	v.positive("qk_rope_head_dim", c.QKRopeHeadDim)
	v.positive("v_head_dim", c.VHeadDim)
	v.check(c.HeadDim == c.QKNopeHeadDim+c.QKRopeHeadDim, "head_dim",
		fmt.Sprintf("must be qk_nope_head_dim + qk_rope_head_dim (%d) with multi-head latent attention",
			c.QKNopeHeadDim+c.QKRopeHeadDim), c.HeadDim)
	v.check(c.NumKeyValueHeads == c.NumAttentionHeads, "num_key_value_heads",
		fmt.Sprintf("must equal num_attention_heads (%d) with multi-head latent attention", c.NumAttentionHeads),
		c.NumKeyValueHeads)
	v.check(!c.QKNorm, "qk_norm", "must be false with multi-head latent attention", c.QKNorm)
	v.check(!c.AttentionSinks, "attention_sinks", "must be false with multi-head latent attention", c.AttentionSinks)
	v.check(!c.AttentionQKVBias, "attention_qkv_bias", "must be false with multi-head latent attention", c.AttentionQKVBias)
}

// validateEmbeddings checks the classic decoders' fields: a position
// offset only on a learned position table; per-head QK norms and a QK norm
// kind only with QK norms.
func (c Config) validateEmbeddings(v *validator) {
	v.check(c.PositionOffset >= 0, "position_offset", "must not be negative", c.PositionOffset)
	v.check(c.PositionOffset == 0 || c.PositionEmbedding == PositionLearned, "position_offset",
		fmt.Sprintf("must be 0 unless position_embedding is %q", PositionLearned), c.PositionOffset)
	v.check(!c.QKNormPerHead || (c.QKNorm && !c.QKNormFullWidth), "qk_norm_per_head",
		"needs qk_norm, and excludes qk_norm_full_width", c.QKNormPerHead)
	v.check(c.QKNormKind == "" || ((c.QKNormKind == LayerNorm || c.QKNormKind == RMSNorm || c.QKNormKind == LayerNormNoBias) && c.QKNorm),
		"qk_norm_kind", fmt.Sprintf("must be empty, or %q, %q or %q with qk_norm", LayerNorm, RMSNorm, LayerNormNoBias),
		fmt.Sprintf("%q", c.QKNormKind))
}

// validateLayers checks the per-layer shapes: one per layer, each part
// known, KV heads that divide the query heads and positive widths. Per-layer
// shapes are modelled on dense, sequential pre-norm models with standard
// attention only.
func (c Config) validateLayers(v *validator) {
	if c.Layers == nil {
		return
	}
	v.check(int64(len(c.Layers)) == c.NumHiddenLayers, "layers",
		fmt.Sprintf("must have num_hidden_layers (%d) entries", c.NumHiddenLayers), len(c.Layers))
	v.check((!c.IsMoE() || c.onlyMixersVary() || c.moeByShape()) && !c.IsMLA() && !c.ParallelBlock && !c.PostNorm && c.NormsPerLayer == 2, "layers",
		"are modelled only on sequential pre-norm models with two norms per layer and no MLA, and with experts only where the layers differ in their token mixer alone or name their experts (mlp \"experts\")", len(c.Layers))
	if c.moeByShape() {
		v.check(c.FirstKDenseReplace == 0, "first_k_dense_replace",
			"must be 0 when the layers name their experts (layers[i].mlp \"experts\")", c.FirstKDenseReplace)
		v.check(c.MoELayerInterval <= 1 && !c.MoELayerFirstInCycle, "moe_layer_interval",
			"must be 0 or 1 when the layers name their experts (layers[i].mlp \"experts\")", c.MoELayerInterval)
	}
	distinct := map[LayerShape]bool{}
	for _, l := range c.Layers {
		if distinct[l] = true; len(distinct) > MaxLayerShapes {
			break
		}
	}
	v.check(len(distinct) <= MaxLayerShapes, "layers",
		fmt.Sprintf("must hold at most %d distinct layer shapes (each is a layer group of the report)", MaxLayerShapes),
		fmt.Sprintf("more than %d", MaxLayerShapes))
	for i, l := range c.Layers {
		// The field's name is made only for an error: most configs have none.
		field := func(name string) string { return fmt.Sprintf("layers[%d].%s", i, name) }
		if !layerAttentionAllowed(l.Attention) {
			v.fail(field("attention"), fmt.Sprintf("must be empty, %q, %q, %q, %q, %q, %q or %q", PartNone, PartLinear, PartMamba2, PartMamba1,
				PartShortConv, PartGatedDeltaNet, PartLightning), fmt.Sprintf("%q", l.Attention))
		}
		if !(l.MLP == PartFull || l.MLP == PartNone || l.MLP == PartLinear || (l.MLP == PartExperts && c.IsMoE())) {
			v.fail(field("mlp"), fmt.Sprintf("must be empty, %q, %q, or %q in a mixture-of-experts model", PartNone, PartLinear, PartExperts),
				fmt.Sprintf("%q", l.MLP))
		}
		if k := l.NumKeyValueHeads; k != 0 {
			if l.Attention != PartFull {
				v.fail(field("num_key_value_heads"), "must be 0 unless the layer has attention", k)
			}
			if !(k > 0 && k <= c.NumAttentionHeads && c.NumAttentionHeads%k == 0) {
				v.fail(field("num_key_value_heads"), fmt.Sprintf("must divide num_attention_heads (%d)", c.NumAttentionHeads), k)
			}
		}
		if f := l.IntermediateSize; f != 0 {
			if l.MLP != PartFull {
				v.fail(field("intermediate_size"), "must be 0 unless the layer has a dense MLP", f)
			}
			if f < 0 {
				v.fail(field("intermediate_size"), "must not be negative", f)
			}
		}
	}
}

// layerAttentionAllowed reports whether a layer's token mixer is one the
// engine models: attention, a recurrent or convolutional mixer, a linear
// map, or none.
func layerAttentionAllowed(p LayerPart) bool {
	switch p {
	case PartFull, PartNone, PartLinear, PartMamba2, PartMamba1, PartShortConv, PartGatedDeltaNet, PartLightning:
		return true
	}
	return false
}

// ComputedExpertsPerTok is how many of a token's routed slots run FFN
// experts: num_experts_per_tok less the slots counted for zero-computation
// experts.
func (c Config) ComputedExpertsPerTok() int64 {
	return c.NumExpertsPerTok - c.ZeroComputationSlotsPerTok
}

// HasLayerShapes reports whether some layer has its own shape.
func (c Config) HasLayerShapes() bool { return c.Layers != nil }

// usesModelMLPWidth reports whether some layer's dense MLP has the model's
// intermediate_size: every layer, unless per-layer shapes give each MLP
// its own width or none.
func (c Config) usesModelMLPWidth() bool {
	if c.Layers == nil {
		return true
	}
	for _, l := range c.Layers {
		if l.MLP == PartFull && l.IntermediateSize == 0 {
			return true
		}
	}
	return false
}
