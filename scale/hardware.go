package scale

import (
	"errors"
	"fmt"
	"math/big"
)

// Device is an accelerator: its memory, memory bandwidth and dense peak
// throughput per precision (no structured sparsity), with the sources of
// each figure. Package presets holds a table of them.
type Device struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	// MemoryBytes is the memory one GPU offers; MemoryNote says how the
	// figure was read (the vendor's label, what the driver reports).
	MemoryBytes int64  `json:"memory_bytes"`
	MemoryNote  string `json:"memory_note,omitempty"`
	// BandwidthBytesPerSecond is the peak memory bandwidth, in bytes (10^0)
	// per second.
	BandwidthBytesPerSecond int64 `json:"bandwidth_bytes_per_second"`
	// PeakFLOPs are the dense peaks, per precision (int8 in operations).
	PeakFLOPs []PeakFLOPs `json:"peak_flops"`
	Sources   []string    `json:"sources"`
}

// PeakFLOPs is a dense peak throughput at one precision: "fp32" (vector),
// "tf32", "bf16", "fp16", "fp8", "int8" (operations), "fp4".
type PeakFLOPs struct {
	Precision string `json:"precision"`
	PerSecond int64  `json:"per_second"`
}

// Peak is the dense peak of d at precision p (a DType's name, or "tf32",
// "fp4"); 0 when the device has none published.
func (d Device) Peak(p string) int64 {
	for _, f := range d.PeakFLOPs {
		if f.Precision == p {
			return f.PerSecond
		}
	}
	return 0
}

// Validate returns every broken rule of d, each named by the flag-like
// field that describes a device: gpu_memory, bandwidth, peak_flops.
func (d Device) Validate() error {
	var v validator
	v.positive("gpu_memory", d.MemoryBytes)
	v.positive("bandwidth", d.BandwidthBytesPerSecond)
	for _, f := range d.PeakFLOPs {
		v.positive("peak_flops", f.PerSecond)
	}
	return v.err()
}

// DefaultMFU is the model FLOPs utilisation the time estimates assume when
// none is given: 2/5.
var DefaultMFU = big.NewRat(2, 5)

// PublishedRun is a training run whose size a model's authors published:
// its tokens and, where published, the GPU-hours it took on Device.
type PublishedRun struct {
	Tokens   int64   `json:"tokens"`
	GPUHours int64   `json:"gpu_hours,omitempty"`
	Device   *Device `json:"-"`
	Source   string  `json:"source"`
}

// Deployment is where a model runs: a parallel layout and a device, both
// optional, the MFU the time estimates assume (nil: DefaultMFU) and a
// published run to check them against.
type Deployment struct {
	Layout    *Layout
	Device    *Device
	MFU       *big.Rat
	Published *PublishedRun
}

// AnalyzeOn is Analyze with a deployment: with a layout, the report adds
// the layout (Parallel) and the memory of the most loaded GPU (PerGPU);
// with a device, the device (Hardware) and the time estimates (Time), on the
// layout or on one GPU. Every rule of c, w and d is checked at once.
func AnalyzeOn(c Config, w Workload, d Deployment) (*Report, error) {
	if d.Layout == nil && d.Device == nil {
		return Analyze(c, w)
	}
	l := OneGPU()
	if d.Layout != nil {
		l = *d.Layout
	}
	errs := []error{c.Validate(), w.Validate(c)}
	if errs[0] == nil { // the layout's rules read the config
		errs = append(errs, l.Validate(c, w))
	}
	if d.Device != nil {
		errs = append(errs, d.Device.Validate())
	}
	mfu := DefaultMFU
	if d.MFU != nil {
		mfu = d.MFU
		if mfu.Sign() <= 0 || mfu.Cmp(big.NewRat(1, 1)) > 0 {
			errs = append(errs, &FieldError{Field: "mfu", Rule: "must be above 0 and at most 1", Value: mfu.FloatString(4)})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	r, err := Analyze(c, w)
	if err != nil {
		return nil, err
	}
	l = l.resolved()
	calc := &checked{}
	r.Parallel = parallelSummary(c, l)
	if r.PerGPU, err = perGPU(calc, r, l, d.Device); err != nil {
		return nil, err
	}
	if d.Device != nil {
		r.Hardware = d.Device
		if r.Time, err = timeEstimates(calc, r, l, d.Device, mfu, d.MFU == nil, d.Published); err != nil {
			return nil, err
		}
	}
	if calc.err != nil {
		return nil, calc.err
	}
	return r, nil
}

// Parallel is the layout of a report, with its derived sizes.
type Parallel struct {
	Layout
	// GlobalBatch is the sequences of one training step: dp ×
	// micro_batch_size × micro_batches.
	GlobalBatch *big.Int `json:"global_batch"`
	// PipelineBubble is the idle share of a 1F1B step relative to its ideal
	// time, (pp − 1)/micro_batches (Narayanan et al. 2021, §2.2.1); the
	// time estimates fold it into the MFU.
	PipelineBubble *Fraction `json:"pipeline_bubble"`
	// ExpertDataParallel is the ranks holding the same experts:
	// tp × dp × cp / (ep × etp); 0 in a dense model.
	ExpertDataParallel int64 `json:"expert_data_parallel,omitempty"`
}

func parallelSummary(c Config, l Layout) *Parallel {
	return &Parallel{Layout: l, GlobalBatch: bigProduct(l.DP, l.MicroBatchSize, l.MicroBatches),
		PipelineBubble:     newFraction(big.NewInt(l.PP-1), big.NewInt(l.MicroBatches)),
		ExpertDataParallel: expertDataParallel(c, l)}
}

// Time is the time estimates of a report on its device: lower bounds from
// the device's peaks, and training time at an assumed MFU. They are
// estimates: Assumptions says what each assumes.
type Time struct {
	Assumptions []string `json:"assumptions"`
	// MFU is the model FLOPs utilisation assumed; MFUDefault says it is
	// DefaultMFU, not given.
	MFU        *Fraction `json:"mfu"`
	MFUDefault bool      `json:"mfu_default"`
	// GPUs is the layout's tp × pp × dp × cp; Precision the workload dtype
	// and PeakFLOPsPerSecond the device's dense peak at it (0: none
	// published, and no estimate that needs it).
	GPUs               int64         `json:"gpus"`
	Precision          DType         `json:"precision"`
	PeakFLOPsPerSecond int64         `json:"peak_flops_per_second"`
	Step               *TrainingTime `json:"training_step,omitempty"`
	Run                *TrainingTime `json:"training_run,omitempty"`
	Prefill            *Bound        `json:"prefill,omitempty"`
	Decode             *Decode       `json:"decode,omitempty"`
	// InferenceGPUs is the fewest devices that hold the model for
	// inference at the workload.
	InferenceGPUs *InferenceGPUs  `json:"inference_gpus,omitempty"`
	Published     *PublishedCheck `json:"published,omitempty"`
}

// TrainingTime is the time of some training tokens: FLOPs (model FLOPs, 3 ×
// forward) ÷ (GPUs × peak × MFU), and the GPU-hours it takes.
type TrainingTime struct {
	Tokens *big.Int `json:"tokens"`
	// TokensFrom says where the token count comes from: "global_batch",
	// "training_tokens" or "published".
	TokensFrom string    `json:"tokens_from"`
	FLOPs      *big.Int  `json:"flops"`
	Seconds    *Fraction `json:"seconds"`
	GPUHours   *Fraction `json:"gpu_hours"`
}

// Bound is a lower bound on a time: Work ÷ (GPUs × rate).
type Bound struct {
	FLOPs   *big.Int  `json:"flops"`
	GPUs    int64     `json:"gpus"`
	Seconds *Fraction `json:"seconds"`
}

// Decode is decoding one token of one sequence at KV length seq_len on a
// tensor-parallel group of GPUs: the time is at least the bytes it reads ÷
// (GPUs × bandwidth), and at least its FLOPs ÷ (GPUs × peak); tokens per
// second is at most 1 ÷ the larger, which Bound names.
type Decode struct {
	KVLength        int64     `json:"kv_length"`
	BytesRead       *big.Int  `json:"bytes_read"`
	FLOPs           *big.Int  `json:"flops"`
	GPUs            int64     `json:"gpus"`
	MemorySeconds   *Fraction `json:"memory_seconds"`
	ComputeSeconds  *Fraction `json:"compute_seconds,omitempty"`
	TokensPerSecond *Fraction `json:"tokens_per_second"`
	Bound           string    `json:"bound"` // "memory" or "compute"
}

// InferenceGPUs is the smallest tensor × pipeline layout of the device
// whose most loaded GPU holds the weights and the workload's KV cache. GPUs
// is 0 when no layout holds it (even one layer per GPU at the largest tp is
// too much), or when the search stopped at its budget before finding one
// (Exhausted).
type InferenceGPUs struct {
	GPUs      int64    `json:"gpus"`
	TP        int64    `json:"tp,omitempty"`
	PP        int64    `json:"pp,omitempty"`
	PerGPU    *big.Int `json:"per_gpu_bytes,omitempty"`
	Searched  int64    `json:"layouts_searched"`
	Exhausted bool     `json:"search_exhausted,omitempty"`
}

// PublishedCheck is a published training run beside the estimate: the
// exact training FLOPs of its tokens at this workload's sequence length,
// the MFU its GPU-hours imply on its device, and the GPU-hours the
// estimate's MFU gives there.
type PublishedCheck struct {
	PublishedRun
	Device             string    `json:"device,omitempty"`
	FLOPs              *big.Int  `json:"flops"`
	ImpliedMFU         float64   `json:"implied_mfu,omitempty"`
	EstimatedGPUHours  *Fraction `json:"estimated_gpu_hours,omitempty"`
	PeakFLOPsPerSecond int64     `json:"peak_flops_per_second,omitempty"`
}

// The sources of the token count of a TrainingTime (TrainingTime.TokensFrom).
const (
	TokensGlobalBatch    = "global_batch"
	TokensTrainingTokens = "training_tokens"
	TokensPublished      = "published"
)

// inferenceSearchBudget bounds the work of the smallest-inference search:
// it evaluates at most this many decoder layers in all (each layout it
// tries costs one evaluation per layer), so that it stays fast whatever the
// model.
const inferenceSearchBudget = 1 << 22

// timeEstimates is the Time of r on dev under layout l.
func timeEstimates(calc *checked, r *Report, l Layout, dev *Device, mfu *big.Rat, mfuDefault bool, pub *PublishedRun) (*Time, error) {
	w := r.Workload
	t := &Time{MFU: (*Fraction)(new(big.Rat).Set(mfu)), MFUDefault: mfuDefault, GPUs: l.GPUs, Precision: w.DType,
		PeakFLOPsPerSecond: dev.Peak(string(w.DType))}
	t.Assumptions = timeAssumptions(w.DType)
	perSequence := new(big.Int).Quo(r.FLOPs.Training, big.NewInt(w.BatchSize)) // exact: FLOPs are linear in batch
	trainingFLOPs := func(tokens *big.Int) *big.Int {
		return roundedQuotient(new(big.Int).Mul(r.FLOPs.Training, tokens), w.Tokens)
	}
	span := func(tokens *big.Int, from string, flops *big.Int) *TrainingTime {
		rate := new(big.Rat).Mul(new(big.Rat).SetInt(bigProduct(l.GPUs, t.PeakFLOPsPerSecond)), mfu)
		secs := new(big.Rat).Quo(new(big.Rat).SetInt(flops), rate)
		hours := new(big.Rat).Mul(secs, big.NewRat(l.GPUs, 3600))
		return &TrainingTime{Tokens: tokens, TokensFrom: from, FLOPs: flops, Seconds: (*Fraction)(secs), GPUHours: (*Fraction)(hours)}
	}
	peak := t.PeakFLOPsPerSecond
	if peak > 0 {
		step := bigProduct(l.DP, l.MicroBatchSize, l.MicroBatches)
		t.Step = span(scaledBy(step, w.SeqLen), TokensGlobalBatch, new(big.Int).Mul(perSequence, step))
		switch {
		case w.TrainingTokens > 0:
			t.Run = span(big.NewInt(w.TrainingTokens), TokensTrainingTokens, r.FLOPs.TrainingRun.FLOPs)
		case pub != nil && pub.Tokens > 0:
			D := big.NewInt(pub.Tokens)
			t.Run = span(D, TokensPublished, trainingFLOPs(D))
		}
		replica := l.TP * l.PP
		t.Prefill = &Bound{FLOPs: r.Inference.PrefillFLOPs, GPUs: replica,
			Seconds: (*Fraction)(new(big.Rat).SetFrac(r.Inference.PrefillFLOPs, bigProduct(replica, peak)))}
	}
	last := r.Inference.Decode[len(r.Inference.Decode)-1]
	d := &Decode{KVLength: last.KVLength, FLOPs: last.FLOPs, GPUs: l.TP,
		BytesRead: new(big.Int).Add(big.NewInt(r.Inference.WeightsBytesPerDecodedToken), last.KVCacheBytesRead)}
	mem := new(big.Rat).SetFrac(d.BytesRead, bigProduct(l.TP, dev.BandwidthBytesPerSecond))
	d.MemorySeconds, d.Bound = (*Fraction)(mem), "memory"
	slowest := mem
	if peak > 0 {
		comp := new(big.Rat).SetFrac(d.FLOPs, bigProduct(l.TP, peak))
		d.ComputeSeconds = (*Fraction)(comp)
		if comp.Cmp(mem) > 0 {
			d.Bound, slowest = "compute", comp
		}
	}
	d.TokensPerSecond = (*Fraction)(new(big.Rat).Inv(slowest))
	t.Decode = d
	var err error
	if t.InferenceGPUs, err = smallestInference(calc, r, dev); err != nil {
		return nil, err
	}
	if pub != nil {
		D := big.NewInt(pub.Tokens)
		check := &PublishedCheck{PublishedRun: *pub, FLOPs: trainingFLOPs(D)}
		if pub.GPUHours > 0 && pub.Device != nil {
			check.Device = pub.Device.Name
			check.PeakFLOPsPerSecond = pub.Device.Peak(string(w.DType))
		}
		if p := check.PeakFLOPsPerSecond; p > 0 {
			// implied MFU = FLOPs ÷ (GPU-hours × 3600 × peak)
			check.ImpliedMFU = ratio(check.FLOPs, new(big.Rat).SetInt(bigProduct(pub.GPUHours, 3600, p)))
			// GPU-hours at the assumed MFU = FLOPs ÷ (peak × MFU) ÷ 3600
			hours := new(big.Rat).Quo(new(big.Rat).SetInt(check.FLOPs), new(big.Rat).Mul(new(big.Rat).SetInt(bigProduct(p, 3600)), mfu))
			check.EstimatedGPUHours = (*Fraction)(hours)
		}
		t.Published = check
	}
	return t, nil
}

// timeAssumptions says what the time estimates assume.
func timeAssumptions(dtype DType) []string {
	return []string{
		fmt.Sprintf("peaks are the device's dense datasheet figures at %s, without structured sparsity", dtype),
		"training time = model FLOPs (flops.training, 3 × forward, at this workload's sequence length) ÷ (GPUs × peak × MFU); the MFU folds in the pipeline bubble, communication, recomputation and every other loss",
		"the default MFU 2/5 is an assumption, near published large runs: 38–43% for Llama 3 405B on H100s (Dubey et al. 2024), 44.9% for GPT-3 175B on 1024 A100s (140 of 312 TFLOP/s, Narayanan et al. 2021 §5.1)",
		"GPU-hours = seconds × GPUs ÷ 3600",
		"prefill: a lower bound, compute-bound: flops.forward of the workload ÷ (tp × pp GPUs × peak)",
		"decode: one token of one sequence at KV length seq_len; a lower bound, memory-bound: the active weights and the KV cache it reads ÷ (tp GPUs × bandwidth), with the compute bound FLOPs ÷ (tp × peak) beside it; tokens per second at most 1 ÷ the larger",
		"smallest GPU count for inference: the fewest GPUs, tp × pp, whose most loaded GPU holds the weights and the workload's KV cache within the device memory, over every valid tp and every pp; no room left for activations, buffers or fragmentation",
	}
}

// smallestInference finds the fewest devices that hold r's model for
// inference: over every valid tp (dividing the heads, and the KV heads or
// a multiple of them) and every pp up to the layer count, the smallest
// tp × pp whose most loaded GPU fits; ties go to the larger tp.
func smallestInference(calc *checked, r *Report, dev *Device) (*InferenceGPUs, error) {
	c := r.Config
	m := newGPUModel(calc, r)
	var best *InferenceGPUs
	searched, limit := int64(0), max(inferenceSearchBudget/c.NumHiddenLayers, 1)
	for tp := min(max(c.NumAttentionHeads, 1), MaxParallel); tp >= 1; tp-- { // no attention heads (pure Mamba-2): tp 1
		if c.NumAttentionHeads > 0 && c.NumAttentionHeads%tp != 0 {
			continue
		}
		l := OneGPU()
		l.TP, l.ETP = tp, tp
		if l.Validate(c, Workload{}) != nil {
			continue
		}
		for pp := int64(1); pp <= c.NumHiddenLayers; pp++ {
			if searched == limit {
				return &InferenceGPUs{Searched: searched, Exhausted: true}, nil
			}
			if best != nil && tp*pp >= best.GPUs {
				break
			}
			l.PP = pp
			searched++
			mem, err := m.inference(l)
			if err != nil {
				return nil, err
			}
			if mem.TotalBytes.Cmp(big.NewInt(dev.MemoryBytes)) <= 0 {
				best = &InferenceGPUs{GPUs: tp * pp, TP: tp, PP: pp, PerGPU: mem.TotalBytes}
				break
			}
		}
	}
	if best == nil {
		return &InferenceGPUs{Searched: searched}, nil
	}
	best.Searched = searched
	return best, nil
}
