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

	AttentionQKVBias bool `json:"attention_qkv_bias"`
	AttentionOutBias bool `json:"attention_out_bias"`
	MLPBias          bool `json:"mlp_bias"`
	LMHeadBias       bool `json:"lm_head_bias"`

	// Mixture of experts. NumLocalExperts = 0 is a dense model.
	NumLocalExperts  int64 `json:"num_local_experts"`
	NumExpertsPerTok int64 `json:"num_experts_per_tok"`
	// MoEIntermediateSize is the width of one routed expert's MLP.
	MoEIntermediateSize int64 `json:"moe_intermediate_size"`
	// NumSharedExperts run on every token; together they form one MLP of
	// width SharedExpertIntermediateSize (the sum of their widths).
	NumSharedExperts             int64 `json:"num_shared_experts"`
	SharedExpertIntermediateSize int64 `json:"shared_expert_intermediate_size"`
}

// AttentionType is "MHA" when every query head has its own key/value head,
// "MQA" when all share one, and "GQA" otherwise.
func (c Config) AttentionType() string {
	switch {
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

// IsMoE reports whether the feed-forward blocks are mixtures of experts.
func (c Config) IsMoE() bool { return c.NumLocalExperts > 0 }

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
		v.errs = append(v.errs, &FieldError{Field: field, Rule: rule, Value: value})
	}
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
	v.positive("num_attention_heads", c.NumAttentionHeads)
	v.positive("num_key_value_heads", c.NumKeyValueHeads)
	v.positive("head_dim", c.HeadDim)
	v.positive("max_position_embeddings", c.MaxPositionEmbeddings)
	if c.NumKeyValueHeads > 0 && c.NumAttentionHeads > 0 {
		v.check(c.NumKeyValueHeads <= c.NumAttentionHeads, "num_key_value_heads",
			fmt.Sprintf("must not exceed num_attention_heads (%d)", c.NumAttentionHeads), c.NumKeyValueHeads)
		v.check(c.NumAttentionHeads%c.NumKeyValueHeads == 0, "num_attention_heads",
			fmt.Sprintf("must be divisible by num_key_value_heads (%d)", c.NumKeyValueHeads), c.NumAttentionHeads)
	}
	v.check(c.MLP == MLPStandard || c.MLP == MLPGated, "mlp",
		fmt.Sprintf("must be %q or %q", MLPStandard, MLPGated), fmt.Sprintf("%q", c.MLP))
	v.check(c.Norm == LayerNorm || c.Norm == RMSNorm, "norm",
		fmt.Sprintf("must be %q or %q", LayerNorm, RMSNorm), fmt.Sprintf("%q", c.Norm))
	v.check(c.PositionEmbedding == PositionLearned || c.PositionEmbedding == PositionRoPE || c.PositionEmbedding == PositionALiBi,
		"position_embedding", fmt.Sprintf("must be %q, %q or %q", PositionLearned, PositionRoPE, PositionALiBi),
		fmt.Sprintf("%q", c.PositionEmbedding))
	if c.ParallelBlock {
		v.check(c.NormsPerLayer == 1 || c.NormsPerLayer == 2, "norms_per_layer",
			"must be 1 (shared) or 2 (one each) in a parallel block", c.NormsPerLayer)
	} else {
		v.check(c.NormsPerLayer == 2 || c.NormsPerLayer == 4, "norms_per_layer",
			"must be 2 (pre-norms) or 4 (pre- and post-norms) in a sequential block", c.NormsPerLayer)
	}
	if c.IsMoE() {
		v.check(c.NumExpertsPerTok >= 1 && c.NumExpertsPerTok <= c.NumLocalExperts, "num_experts_per_tok",
			fmt.Sprintf("must be between 1 and num_local_experts (%d)", c.NumLocalExperts), c.NumExpertsPerTok)
		v.positive("moe_intermediate_size", c.MoEIntermediateSize)
		v.check(c.NumSharedExperts >= 0, "num_shared_experts", "must not be negative", c.NumSharedExperts)
		v.check(c.SharedExpertIntermediateSize >= 0, "shared_expert_intermediate_size", "must not be negative",
			c.SharedExpertIntermediateSize)
		v.check((c.NumSharedExperts > 0) == (c.SharedExpertIntermediateSize > 0), "shared_expert_intermediate_size",
			fmt.Sprintf("must be positive exactly when num_shared_experts (%d) is", c.NumSharedExperts),
			c.SharedExpertIntermediateSize)
	} else {
		v.check(c.NumLocalExperts == 0, "num_local_experts", "must not be negative", c.NumLocalExperts)
		v.positive("intermediate_size", c.IntermediateSize)
		for _, f := range []struct {
			name  string
			value int64
		}{
			{"num_experts_per_tok", c.NumExpertsPerTok},
			{"moe_intermediate_size", c.MoEIntermediateSize},
			{"num_shared_experts", c.NumSharedExperts},
			{"shared_expert_intermediate_size", c.SharedExpertIntermediateSize},
		} {
			v.check(f.value == 0, f.name, "must be 0 in a dense model (num_local_experts = 0)", f.value)
		}
	}
	return v.err()
}
