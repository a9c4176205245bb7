package scale

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// Recompute is how much of a layer's activations the backward pass
// recomputes instead of storing (Korthikanti et al. 2022).
type Recompute string

// The recomputation choices.
const (
	// RecomputeNone stores every activation the backward pass reads.
	RecomputeNone Recompute = "none"
	// RecomputeSelective recomputes the attention core (QKᵀ, softmax,
	// dropout, weights·V): the 5as²b term of Table 2 is not stored.
	RecomputeSelective Recompute = "selective"
	// RecomputeFull stores only each layer's input and recomputes the
	// layer's forward pass in the backward pass.
	RecomputeFull Recompute = "full"
)

// Schedule is the pipeline schedule.
type Schedule string

// Schedule1F1B is the one-forward-one-backward schedule of PipeDream-Flush
// (Narayanan et al. 2021, §2.2.1): stage i of p holds the activations of at
// most p − i micro-batches at once.
const Schedule1F1B Schedule = "1f1b"

// Optimizer is the training optimizer, which sets the optimizer state
// kept per parameter (Layout.Optimizer).
type Optimizer string

// The optimizers, in mixed precision: bf16 weights and gradients, an fp32
// master copy of the weights, and the optimizer's own state.
const (
	// OptimizerAdam is Adam or AdamW: fp32 m and v, 12 bytes per parameter
	// with the master weights (ZeRO's K = 12).
	OptimizerAdam Optimizer = "adam"
	// OptimizerAdam8bit is 8-bit Adam (Dettmers et al. 2022): m and v in
	// one byte each, with one fp32 absmax per block of 2048 values of each.
	OptimizerAdam8bit Optimizer = "adam-8bit"
	// OptimizerSGD is SGD with momentum: one fp32 momentum buffer.
	OptimizerSGD Optimizer = "sgd"
	// OptimizerMuon is Muon (Jordan et al. 2024) on the hidden layers'
	// weight matrices, with one fp32 momentum buffer, and AdamW on every
	// other parameter (embeddings, LM head, norms, biases).
	OptimizerMuon Optimizer = "muon"
)

// Optimizers lists the optimizers, in the order errors name them.
func Optimizers() []Optimizer {
	return []Optimizer{OptimizerAdam, OptimizerAdam8bit, OptimizerSGD, OptimizerMuon}
}

// ParseOptimizer returns the optimizer named s, in any case ("adamw" is
// Adam, whose state is the same), or an error listing the known ones.
func ParseOptimizer(s string) (Optimizer, error) {
	o := Optimizer(strings.ToLower(s))
	if o == "adamw" {
		return OptimizerAdam, nil
	}
	for _, known := range Optimizers() {
		if o == known {
			return o, nil
		}
	}
	return "", fmt.Errorf("optimizer must be one of %s, got %q", optimizerNames(), s)
}

func optimizerNames() string {
	names := make([]string, 0, 4)
	for _, o := range Optimizers() {
		names = append(names, string(o))
	}
	return strings.Join(names, ", ")
}

// MaxParallel is the largest degree of any one kind of parallelism, and
// of the micro-batch size, that a Layout may give.
const MaxParallel = 1 << 24

// MaxGPUs is the largest GPU count, TP·PP·DP·CP, a Layout may give.
const MaxGPUs = 1 << 32

// Layout is how a model is split over GPUs for training or serving:
// tensor (TP), pipeline (PP), data (DP), expert (EP, with ETP-way tensor
// parallelism inside each expert) and context (CP) parallelism, sequence
// parallelism, the ZeRO stage, activation recomputation, micro-batching
// under the 1F1B schedule, and the optimizer. The GPUs are TP·PP·DP·CP; the
// expert-parallel groups are carved out of the TP·DP·CP GPUs of a stage, as
// in Megatron-LM.
//
// TP, PP, DP, EP, CP and MicroBatchSize are at least 1. A zero ETP is TP
// (Megatron-LM's default), zero MicroBatches is PP (the fewest that keep
// every 1F1B stage busy), and zero GPUs means the count is not given; an
// empty Recompute, Schedule or Optimizer is none, 1F1B and Adam.
type Layout struct {
	TP  int64 `json:"tp"`
	PP  int64 `json:"pp"`
	DP  int64 `json:"dp"`
	EP  int64 `json:"ep"`
	ETP int64 `json:"etp"`
	CP  int64 `json:"cp"`
	// SequenceParallel splits the activations TP cannot split (norms,
	// dropouts, the first linears' inputs) along the sequence over the TP
	// ranks (Korthikanti et al. 2022, §4.2.2).
	SequenceParallel bool `json:"sequence_parallel"`
	// ZeRO is the ZeRO stage (Rajbhandari et al. 2020): 1 shards the
	// optimizer state over the data-parallel ranks (Megatron-LM's
	// distributed optimizer), 2 the gradients too, 3 the weights too.
	ZeRO      int64     `json:"zero"`
	Recompute Recompute `json:"recompute"`
	// MicroBatchSize is the sequences of one micro-batch; MicroBatches the
	// micro-batches of one step on each pipeline.
	MicroBatchSize int64     `json:"micro_batch_size"`
	MicroBatches   int64     `json:"micro_batches"`
	Schedule       Schedule  `json:"schedule"`
	Optimizer      Optimizer `json:"optimizer"`
	// GPUs, when given, must be TP·PP·DP·CP.
	GPUs int64 `json:"gpus"`
}

// OneGPU is the layout of a single GPU: no parallelism, no ZeRO, no
// recomputation, one micro-batch of one sequence, Adam.
func OneGPU() Layout {
	return Layout{TP: 1, PP: 1, DP: 1, EP: 1, CP: 1, MicroBatchSize: 1}
}

// resolved is l with its derived defaults filled in: ETP = TP,
// MicroBatches = PP, Recompute none, Schedule 1F1B, Optimizer Adam and
// GPUs = TP·PP·DP·CP.
func (l Layout) resolved() Layout {
	if l.ETP == 0 {
		l.ETP = l.TP
	}
	if l.MicroBatches == 0 {
		l.MicroBatches = l.PP
	}
	if l.Recompute == "" {
		l.Recompute = RecomputeNone
	}
	if l.Schedule == "" {
		l.Schedule = Schedule1F1B
	}
	if l.Optimizer == "" {
		l.Optimizer = OptimizerAdam
	}
	if l.GPUs == 0 {
		l.GPUs = l.TP * l.PP * l.DP * l.CP // Validate bounds the product by 2^32
	}
	return l
}

// Validate returns every broken rule of l for the model c on the workload w
// at once, each a *FieldError named by the layout's JSON field: a degree
// out of range, TP not dividing the attention heads, TP and the KV heads
// neither dividing the other, PP above the layer count, EP not dividing the
// experts, EP·ETP not dividing TP·DP·CP, CP not dividing seq_len, GPUs not
// TP·PP·DP·CP. PP need not divide the layers: stages differ by at most one
// layer.
func (l Layout) Validate(c Config, w Workload) error {
	var v validator
	for _, f := range []struct {
		name  string
		value int64
		min   int64
	}{
		{"tp", l.TP, 1}, {"pp", l.PP, 1}, {"dp", l.DP, 1}, {"ep", l.EP, 1}, {"etp", l.ETP, 0}, {"cp", l.CP, 1},
		{"micro_batch_size", l.MicroBatchSize, 1}, {"micro_batches", l.MicroBatches, 0},
	} {
		switch {
		case f.value < f.min && f.min == 1:
			v.positive(f.name, f.value)
		case f.value < f.min:
			v.check(false, f.name, "must not be negative", f.value)
		case f.value > MaxParallel:
			v.check(false, f.name, fmt.Sprintf("must not exceed %d (2^24)", MaxParallel), f.value)
		}
	}
	v.check(l.GPUs >= 0, "gpus", "must not be negative", l.GPUs)
	v.check(l.ZeRO >= 0 && l.ZeRO <= 3, "zero", "must be a ZeRO stage from 0 to 3", l.ZeRO)
	v.check(l.Recompute == "" || l.Recompute == RecomputeNone || l.Recompute == RecomputeSelective || l.Recompute == RecomputeFull,
		"recompute", fmt.Sprintf("must be %q, %q or %q", RecomputeNone, RecomputeSelective, RecomputeFull), fmt.Sprintf("%q", l.Recompute))
	v.check(l.Schedule == "" || l.Schedule == Schedule1F1B, "schedule", fmt.Sprintf("must be %q (the one schedule modelled)", Schedule1F1B),
		fmt.Sprintf("%q", l.Schedule))
	known := l.Optimizer == ""
	for _, o := range Optimizers() {
		known = known || l.Optimizer == o
	}
	v.check(known, "optimizer", "must be one of "+optimizerNames(), fmt.Sprintf("%q", l.Optimizer))
	if len(v.errs) > 0 {
		return v.err() // the rules below divide by these
	}
	if bigProduct(l.TP, l.PP, l.DP, l.CP).Cmp(big.NewInt(MaxGPUs)) > 0 {
		v.check(false, "gpus", fmt.Sprintf("tp × pp × dp × cp must not exceed %d (2^32)", int64(MaxGPUs)),
			bigProduct(l.TP, l.PP, l.DP, l.CP))
		return v.err()
	}
	r := l.resolved()
	H := c.NumAttentionHeads
	if H > 0 {
		v.check(H%r.TP == 0, "tp", fmt.Sprintf("must divide num_attention_heads (%d)", H), r.TP)
	}
	if !c.IsMLA() && H > 0 && H%r.TP == 0 { // the KV rule, once the heads divide
		for _, K := range c.kvHeadCounts() {
			v.check(K%r.TP == 0 || r.TP%K == 0, "tp",
				fmt.Sprintf("must divide num_key_value_heads (%d) or be a multiple of it (each KV head then held by tp/%d GPUs)", K, K), r.TP)
		}
	}
	if c.HasRecurrent() {
		if c.HasMamba1() || c.HasShortConv() || c.HasGatedDeltaNet() || c.HasLightning() {
			v.check(r.TP == 1, "tp", "must be 1 on a model with Mamba-1, short-convolution, Gated DeltaNet or lightning-attention layers (their tensor-parallel split is not modelled)", r.TP)
		} else { // Mamba-2 alone: split by heads and groups, as Megatron-LM's MambaMixer
			v.check(c.Mamba2NumHeads%r.TP == 0 && c.Mamba2NGroups%r.TP == 0, "tp",
				fmt.Sprintf("must divide mamba2_num_heads (%d) and mamba2_n_groups (%d): a Mamba-2 block is split by whole heads and groups",
					c.Mamba2NumHeads, c.Mamba2NGroups), r.TP)
		}
		v.check(r.CP == 1, "cp", "must be 1 on a model with Mamba, short-convolution, Gated DeltaNet or lightning-attention layers (a recurrence split along the sequence is not modelled)", r.CP)
	}
	if c.HasSharedBlocks() {
		v.check(r.PP == 1, "pp", "must be 1 on a model with shared transformer blocks (each stage running one would hold a copy: not modelled)", r.PP)
		v.check(r.TP == 1, "tp", "must be 1 on a model with shared transformer blocks (their tensor-parallel split is not modelled)", r.TP)
	}
	if L := c.NumHiddenLayers; L > 0 {
		v.check(r.PP <= L, "pp", fmt.Sprintf("must not exceed num_hidden_layers (%d): each stage holds at least one layer", L), r.PP)
	}
	if c.IsMoE() {
		v.check(c.NumLocalExperts%r.EP == 0, "ep", fmt.Sprintf("must divide num_local_experts (%d)", c.NumLocalExperts), r.EP)
		v.check((r.TP*r.DP*r.CP)%(r.EP*r.ETP) == 0, "ep",
			fmt.Sprintf("× etp (%d) must divide tp × dp × cp (%d): expert-parallel groups are carved out of a stage's GPUs", r.ETP, r.TP*r.DP*r.CP), r.EP)
	} else {
		v.check(r.EP == 1, "ep", "must be 1 in a dense model (num_local_experts = 0)", r.EP)
		v.check(l.ETP == 0 || l.ETP == r.TP, "etp", "must be unset (or tp) in a dense model (num_local_experts = 0)", l.ETP)
	}
	if w.SeqLen > 0 {
		v.check(w.SeqLen%r.CP == 0, "cp", fmt.Sprintf("must divide seq_len (%d)", w.SeqLen), r.CP)
	}
	if l.GPUs > 0 {
		v.check(l.GPUs == r.TP*r.PP*r.DP*r.CP, "gpus",
			fmt.Sprintf("must equal tp × pp × dp × cp (%d × %d × %d × %d = %d)", r.TP, r.PP, r.DP, r.CP, r.TP*r.PP*r.DP*r.CP), l.GPUs)
	}
	return v.err()
}

// kvHeadCounts is every distinct KV-head count of c's attention layers.
func (c Config) kvHeadCounts() []int64 {
	counts := []int64{}
	if c.NumKeyValueHeads > 0 && c.usesModelKVHeads() {
		counts = append(counts, c.NumKeyValueHeads)
	}
	for _, l := range c.Layers {
		if l.Attention == PartFull && l.NumKeyValueHeads > 0 && !slices.Contains(counts, l.NumKeyValueHeads) {
			counts = append(counts, l.NumKeyValueHeads)
		}
	}
	return counts
}

// usesModelKVHeads reports whether some attention layer has the model's
// num_key_value_heads.
func (c Config) usesModelKVHeads() bool {
	if c.Layers == nil {
		return true
	}
	for _, l := range c.Layers {
		if l.Attention == PartFull && l.NumKeyValueHeads == 0 {
			return true
		}
	}
	return false
}

// kvHeadsPerGPU is how many of K KV heads one of tp tensor-parallel GPUs
// holds: K/tp, or 1 when tp > K (each head then held by tp/K GPUs).
func kvHeadsPerGPU(K, tp int64) int64 {
	if tp >= K {
		return 1
	}
	return K / tp
}

// stageLayers is the layers of pipeline stage i of pp over L layers: the
// first L mod pp stages hold ⌊L/pp⌋ + 1 layers, the others ⌊L/pp⌋.
// first is the index of its first layer.
func stageLayers(L, pp, i int64) (first, n int64) {
	base, extra := L/pp, L%pp
	n = base
	if i < extra {
		n++
	}
	first = i*base + min(i, extra)
	return first, n
}
