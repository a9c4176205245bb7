package main

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/render"
	"github.com/tscale/tscale/scale"
)

// deploymentFlags are the flags of a parallel layout and a device, which
// report, sweep and compare share.
type deploymentFlags struct {
	tp, pp, dp, ep, etp, cp, zero, microBatch, microBatches, gpus *countValue
	sp                                                            *boolFlag
	recompute, schedule, optimizer, gpu, mfu                      *stringFlag
	gpuMemory, peakFLOPs, bandwidth                               *countValue
}

// maxDeployedSweepPoints bounds a sweep with per-GPU metrics, each point of
// which is a whole report on a layout and device (about a millisecond).
const maxDeployedSweepPoints = 10_000

// deployedMetrics are the sweep metrics of a point's report on a layout
// or a device: the most loaded GPU's memory and, on a device, its headroom
// and the time bounds.
var deployedMetrics = []sweepMetric{
	{name: "gpu_training_bytes", doc: "per_gpu.training.total_bytes: the most loaded GPU's training memory (layout or device)",
		unit: render.UnitBytes, deployed: func(r *scale.Report) sweepValue { return intValue(r.PerGPU.Training.TotalBytes) }},
	{name: "gpu_inference_bytes", doc: "per_gpu.inference.total_bytes: weights and the workload's KV cache on the most loaded GPU",
		unit: render.UnitBytes, deployed: func(r *scale.Report) sweepValue { return intValue(r.PerGPU.Inference.TotalBytes) }},
	{name: "gpu_training_headroom_bytes", doc: "device memory − gpu_training_bytes, negative when it does not fit (device)",
		unit: render.UnitBytes, needsDevice: true,
		deployed: func(r *scale.Report) sweepValue { return intValue(r.PerGPU.Training.Fit.HeadroomBytes) }},
	{name: "gpu_inference_headroom_bytes", doc: "device memory − gpu_inference_bytes, negative when it does not fit (device)",
		unit: render.UnitBytes, needsDevice: true,
		deployed: func(r *scale.Report) sweepValue { return intValue(r.PerGPU.Inference.Fit.HeadroomBytes) }},
	{name: "inference_gpus", doc: "the fewest devices, tp × pp, that hold the model and the workload's KV cache; 0: none (device)",
		unit: render.UnitCount, needsDevice: true,
		deployed: func(r *scale.Report) sweepValue { return intValue(big.NewInt(r.Time.InferenceGPUs.GPUs)) }},
	{name: "decode_tokens_per_second", doc: "upper bound for one sequence at KV length seq, an exact fraction (device)",
		unit: render.UnitCount, needsDevice: true,
		deployed: func(r *scale.Report) sweepValue { return sweepValue{f: r.Time.Decode.TokensPerSecond} }},
}

// deploymentFlagNames names the flag that sets each field of a
// scale.Layout, a scale.Device and the MFU, for usage errors.
var deploymentFlagNames = map[string]string{
	"tp": "-tp", "pp": "-pp", "dp": "-dp", "ep": "-ep", "etp": "-etp", "cp": "-cp",
	"sequence_parallel": "-sp", "zero": "-zero", "recompute": "-recompute",
	"micro_batch_size": "-micro-batch", "micro_batches": "-micro-batches", "schedule": "-schedule",
	"optimizer": "-optimizer", "gpus": "-gpus",
	"gpu_memory": "-gpu-memory", "bandwidth": "-bandwidth", "peak_flops": "-peak-flops", "mfu": "-mfu",
}

// flagName is the flag that sets a workload, layout or device field ("" if
// none does).
func flagName(field string) string {
	if f, ok := workloadFlags[field]; ok {
		return f
	}
	return deploymentFlagNames[field]
}

// deploymentHelp is the help of the layout and device flags.
const deploymentHelp = "A parallel layout (-tp, -pp, -dp, -ep, -cp, -sp, -zero, -recompute, -micro-batch,\n" +
	"-micro-batches, -optimizer, -gpus) adds the sections parallel and per_gpu: the memory of the most\n" +
	"loaded GPU, part by part, for training and for inference. A device (-gpu NAME from 'tscale gpus', or\n" +
	"-gpu-memory, -peak-flops and -bandwidth for any other) adds hardware and time: whether it fits, and\n" +
	"training, prefill and decode times as estimates at -mfu (default 0.4), with their assumptions.\n" +
	"Without either, the report is unchanged."

func addDeploymentFlags(fs *flagSet) *deploymentFlags {
	f := &deploymentFlags{
		tp:           fs.count("tp", 1, "tensor-parallel GPUs, a `count` dividing the attention heads"),
		pp:           fs.count("pp", 1, "pipeline stages, a `count` (stages differ by at most one layer)"),
		dp:           fs.count("dp", 1, "data-parallel replicas, a `count`"),
		ep:           fs.count("ep", 1, "expert-parallel GPUs, a `count` dividing the experts"),
		etp:          fs.count("etp", 0, "tensor-parallel GPUs inside each expert, a `count` (default: -tp)"),
		cp:           fs.count("cp", 1, "context-parallel GPUs, a `count` dividing -seq"),
		zero:         fs.count("zero", 0, "ZeRO `stage` 0-3: shard optimizer state (1), gradients (2) and weights (3) over dp × cp"),
		microBatch:   fs.count("micro-batch", 1, "sequences per micro-batch, a `count`"),
		microBatches: fs.count("micro-batches", 0, "micro-batches per step, a `count` (default: -pp)"),
		gpus:         fs.count("gpus", 0, "total GPUs, a `count` that must equal tp × pp × dp × cp (default: that product)"),
		sp:           &boolFlag{},
		recompute:    &stringFlag{value: string(scale.RecomputeNone)},
		schedule:     &stringFlag{value: string(scale.Schedule1F1B)},
		optimizer:    &stringFlag{value: string(scale.OptimizerAdam)},
		gpu:          &stringFlag{},
		mfu:          &stringFlag{},
		gpuMemory:    fs.count("gpu-memory", 0, "memory of one GPU in bytes, a `count` (80Gi); with -gpu, replaces its figure"),
		peakFLOPs:    fs.count("peak-flops", 0, "dense peak FLOP/s of one GPU at -dtype, a `count` (989.5T); with -gpu, replaces its figure"),
		bandwidth:    fs.count("bandwidth", 0, "memory bandwidth of one GPU in bytes per second, a `count` (3.35T); with -gpu, replaces its figure"),
	}
	fs.Var(f.sp, "sp", "sequence parallelism: split the activations tensor parallelism leaves whole along the sequence")
	fs.Var(f.recompute, "recompute", "activation recomputation: none, selective or full")
	fs.Var(f.schedule, "schedule", "pipeline schedule: 1f1b (the one modelled)")
	fs.Var(f.optimizer, "optimizer", "optimizer: adam (or adamw), adam-8bit, sgd (with momentum) or muon")
	fs.Var(f.gpu, "gpu", "the device, by `name` (tscale gpus lists them)")
	fs.Var(f.mfu, "mfu", "model FLOPs utilisation the training time assumes, a `fraction` (0.4, 2/5 or 40%; default 0.4)")
	return f
}

// stringFlag is a string flag that records whether it was given.
type stringFlag struct {
	value string
	set   bool
}

func (s *stringFlag) String() string     { return s.value }
func (s *stringFlag) Set(v string) error { s.value, s.set = v, true; return nil }

// boolFlag is a boolean flag that records whether it was given.
type boolFlag struct{ value, set bool }

func (b *boolFlag) String() string   { return fmt.Sprint(b.value) }
func (b *boolFlag) IsBoolFlag() bool { return true }
func (b *boolFlag) Set(v string) error {
	switch v {
	case "true", "1":
		b.value = true
	case "false", "0":
		b.value = false
	default:
		return fmt.Errorf("-sp takes no value (or true, false), got %q", v)
	}
	b.set = true
	return nil
}

// hasLayout reports whether any layout flag was given.
func (f *deploymentFlags) hasLayout() bool {
	for _, c := range []*countValue{f.tp, f.pp, f.dp, f.ep, f.etp, f.cp, f.zero, f.microBatch, f.microBatches, f.gpus} {
		if c.set {
			return true
		}
	}
	return f.sp.set || f.recompute.set || f.schedule.set || f.optimizer.set
}

// hasDevice reports whether a device was given.
func (f *deploymentFlags) hasDevice() bool {
	return f.gpu.set || f.gpuMemory.set || f.peakFLOPs.set || f.bandwidth.set
}

// deployment is the layout and device the flags describe for preset p on
// workload w (already valid), checked: a usage error of command cmd names
// every broken rule by its flag.
func (f *deploymentFlags) deployment(cmd string, p presets.Preset, w scale.Workload) (scale.Deployment, error) {
	var d scale.Deployment
	if !f.hasLayout() && !f.hasDevice() {
		if f.mfu.set {
			return d, usagef(cmd, "-mfu needs a device (-gpu, or -gpu-memory, -peak-flops and -bandwidth)")
		}
		return d, nil
	}
	var errs []error
	if f.hasLayout() {
		l := scale.Layout{TP: f.tp.n, PP: f.pp.n, DP: f.dp.n, EP: f.ep.n, ETP: f.etp.n, CP: f.cp.n,
			SequenceParallel: f.sp.value, ZeRO: f.zero.n, Recompute: scale.Recompute(strings.ToLower(f.recompute.value)),
			MicroBatchSize: f.microBatch.n, MicroBatches: f.microBatches.n, Schedule: scale.Schedule(strings.ToLower(f.schedule.value)),
			GPUs: f.gpus.n}
		o, err := scale.ParseOptimizer(f.optimizer.value)
		if err != nil {
			errs = append(errs, &scale.FieldError{Field: "optimizer", Rule: "must be one of adam, adamw, adam-8bit, sgd, muon",
				Value: fmt.Sprintf("%q", f.optimizer.value)})
		}
		l.Optimizer = o
		if err == nil {
			errs = append(errs, l.Validate(p.Config, w))
		}
		d.Layout = &l
	}
	if f.hasDevice() {
		dev, err := f.device(w.DType)
		if err != nil {
			return d, usageError{cmd, err}
		}
		errs = append(errs, dev.Validate())
		d.Device = &dev
		d.Published = p.PublishedRun()
	}
	if f.mfu.set {
		mfu, err := parseFraction(f.mfu.value)
		if err != nil {
			return d, usagef(cmd, "-mfu %v, got %q", err, f.mfu.value)
		}
		if mfu.Sign() <= 0 || mfu.Cmp(big.NewRat(1, 1)) > 0 {
			errs = append(errs, &scale.FieldError{Field: "mfu", Rule: "must be above 0 and at most 1", Value: f.mfu.value})
		}
		d.MFU = mfu
	}
	if err := fieldUsage(cmd, errors.Join(errs...)); err != nil {
		return d, err
	}
	return d, nil
}

// device is the device of -gpu, with -gpu-memory, -peak-flops (at dtype)
// and -bandwidth in place of its figures; without -gpu, the device those
// three describe, all of them needed.
func (f *deploymentFlags) device(dtype scale.DType) (scale.Device, error) {
	var dev scale.Device
	if f.gpu.set {
		var err error
		if dev, err = presets.LookupGPU(f.gpu.value); err != nil {
			return dev, fmt.Errorf("-gpu: %w (tscale gpus lists them)", err)
		}
		dev.PeakFLOPs = append([]scale.PeakFLOPs(nil), dev.PeakFLOPs...)
		dev.Sources = append([]string(nil), dev.Sources...)
	} else {
		var missing []string
		for _, c := range []*countValue{f.gpuMemory, f.peakFLOPs, f.bandwidth} {
			if !c.set {
				missing = append(missing, "-"+c.name)
			}
		}
		if len(missing) > 0 {
			return dev, fmt.Errorf("a device without -gpu needs -gpu-memory, -peak-flops and -bandwidth; missing %s", strings.Join(missing, ", "))
		}
		dev = scale.Device{Slug: "custom", Name: "a device described on the command line"}
	}
	if f.gpuMemory.set {
		dev.MemoryBytes, dev.MemoryNote = f.gpuMemory.n, "-gpu-memory, given on the command line"
		dev.Sources = append(dev.Sources, fmt.Sprintf("memory: -gpu-memory %d", f.gpuMemory.n))
	}
	if f.bandwidth.set {
		dev.BandwidthBytesPerSecond = f.bandwidth.n
		dev.Sources = append(dev.Sources, fmt.Sprintf("bandwidth: -bandwidth %d", f.bandwidth.n))
	}
	if f.peakFLOPs.set {
		peak := scale.PeakFLOPs{Precision: string(dtype), PerSecond: f.peakFLOPs.n}
		replaced := false
		for i := range dev.PeakFLOPs {
			if dev.PeakFLOPs[i].Precision == peak.Precision {
				dev.PeakFLOPs[i], replaced = peak, true
			}
		}
		if !replaced {
			dev.PeakFLOPs = append(dev.PeakFLOPs, peak)
		}
		dev.Sources = append(dev.Sources, fmt.Sprintf("%s peak: -peak-flops %d", dtype, f.peakFLOPs.n))
	}
	return dev, nil
}

// parseFraction reads a fraction: a decimal (0.4), a ratio (2/5) or a
// percentage (40%).
func parseFraction(s string) (*big.Rat, error) {
	t, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	r, ok := new(big.Rat).SetString(t)
	if !ok || strings.ContainsAny(t, "eE") {
		return nil, errors.New("must be a fraction (0.4, 2/5) or a percentage (40%)")
	}
	if pct {
		r.Quo(r, big.NewRat(100, 1))
	}
	return r, nil
}

// fieldUsage turns the field errors of err into one usage error of command
// cmd, each rule named by its flag ("-tp must divide num_attention_heads
// (96), got 7"); err is returned as it is if some error names no flag.
func fieldUsage(cmd string, err error) error {
	if err == nil {
		return nil
	}
	var errs []error
	var flatten func(error)
	flatten = func(e error) {
		if joined, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range joined.Unwrap() {
				flatten(inner)
			}
			return
		}
		errs = append(errs, e)
	}
	flatten(err)
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		var fe *scale.FieldError
		if !errors.As(e, &fe) || flagName(fe.Field) == "" {
			return err // not a rule of the command line: a failure
		}
		msgs = append(msgs, fmt.Sprintf("%s %s, got %v", flagName(fe.Field), fe.Rule, fe.Value))
	}
	return usageError{cmd, errors.New(strings.Join(msgs, "; "))}
}

// documentOn analyses preset p on workload w deployed as d.
func documentOn(p presets.Preset, w scale.Workload, d scale.Deployment) (render.Document, error) {
	r, err := scale.AnalyzeOn(p.Config, w, d)
	if err != nil {
		return render.Document{}, fmt.Errorf("preset %q: %w", p.Slug, err)
	}
	if err := addCheckpoint(p, r); err != nil {
		return render.Document{}, err
	}
	return render.NewDocument(p.Model(), r), nil
}

func (c *cli) gpus(args []string) error {
	fs := newFlagSet("gpus", "gpus [-format text|json]",
		"Lists the accelerators -gpu knows: memory, memory bandwidth and dense peak throughput per\n"+
			"precision (no structured sparsity), with the sources of each figure.",
		[]string{"tscale gpus", "tscale gpus -format json"})
	format := fs.String("format", "text", "output format: text or json")
	positional, err := fs.parse(args, c.stdout)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usagef("gpus", "gpus takes no arguments, got %q", positional)
	}
	if *format != "text" && *format != "json" {
		return usagef("gpus", "-format must be one of text, json, got %q", *format)
	}
	return render.WriteGPUs(c.stdout, presets.GPUs(), *format == "json")
}
