package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// The sections of a report on a parallel layout and a device: the layout,
// the most loaded GPU's memory, the device, and the time estimates. Each is
// present only when the report has it (scale.AnalyzeOn).

// perGPUDoc is the per_gpu section with a note on the activation rows.
type perGPUDoc struct {
	scale.PerGPU
	Activations activationsDoc `json:"activations"`
}

type activationsDoc struct {
	scale.Activations
	Note string `json:"note"`
}

// newPerGPUDoc is r's per_gpu section as documents show it (nil: none).
func newPerGPUDoc(r *scale.Report) *perGPUDoc {
	if r.PerGPU == nil {
		return nil
	}
	return &perGPUDoc{PerGPU: *r.PerGPU, Activations: activationsDoc{r.PerGPU.Activations, activationRowsNote(r)}}
}

// activationRowsNote says whether the Table 2 rows are the paper's or the
// same rule generalised to the model's block.
func activationRowsNote(r *scale.Report) string {
	a := r.PerGPU.Activations
	if a.Applies {
		return "Korthikanti et al. 2022 Table 2 as printed, with s = seq_len / cp, b = micro_batch_size, t = tp, " +
			"16-bit activations and 1-byte dropout masks; each row rounded up to a whole byte"
	}
	return "Table 2 " + notApplicable(r, a.NotApplicable) + "; the rows are its rule generalised to this block: every tensor the backward " +
		"pass reads stored once (norm and linear inputs, Q, K, V, softmax output, its dropout mask and output, the MLP activation's inputs) " +
		"in the workload's dtype, with 1-byte dropout masks after attention and MLP; routed experts keep their dispatched input and MLP " +
		"tensors for each token slot under balanced routing"
}

// parallelSections writes the text sections of a layout and a device.
func parallelSections(b *bytes.Buffer, d Document) {
	r := d.Report
	if r.Parallel != nil {
		layoutSection(b, r)
	}
	if r.PerGPU != nil {
		perGPUSection(b, r)
	}
	if r.Hardware != nil {
		hardwareSection(b, *r.Hardware)
	}
	if r.Time != nil {
		timeSection(b, r)
	}
}

func layoutSection(b *bytes.Buffer, r *scale.Report) {
	p := r.Parallel
	section(b, "Parallel layout")
	t := newTable(nil)
	t.add("GPUs", fmt.Sprintf("tp %d × pp %d × dp %d × cp %d = %s", p.TP, p.PP, p.DP, p.CP, grouped(p.GPUs)))
	if r.Config.IsMoE() {
		t.add("experts", fmt.Sprintf("ep %d (%d experts per GPU), etp %d inside each expert; %d GPUs hold the same experts",
			p.EP, r.Config.NumLocalExperts/p.EP, p.ETP, p.ExpertDataParallel))
	}
	t.add("sequence parallel", onOff(p.SequenceParallel))
	t.add("ZeRO", zeroPhrase(p.ZeRO))
	t.add("recomputation", string(p.Recompute))
	t.add("optimizer", optimizerPhrase(p.Optimizer))
	t.add("schedule", fmt.Sprintf("%s: %d micro-%s of %d %s per step; global batch %s %s (dp × micro-batch × micro-batches)",
		strings.ToUpper(string(p.Schedule)), p.MicroBatches, plural(p.MicroBatches, "batch", "batches"), p.MicroBatchSize,
		plural(p.MicroBatchSize, "sequence", "sequences"), GroupedBig(p.GlobalBatch), pluralBig(p.GlobalBatch, "sequence", "sequences")))
	t.add("pipeline bubble", fmt.Sprintf("(pp − 1)/micro-batches = %s of a step's ideal time (in the MFU below)", p.PipelineBubble))
	t.write(b, "  ")
}

// pluralBig is plural for an exact count.
func pluralBig(n *big.Int, one, many string) string {
	if n.IsInt64() {
		return plural(n.Int64(), one, many)
	}
	return many
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// zeroPhrase says what a ZeRO stage shards.
func zeroPhrase(stage int64) string {
	return [...]string{
		"stage 0: every data-parallel GPU keeps all model states",
		"stage 1: optimizer state sharded over the data-parallel GPUs (Megatron-LM's distributed optimizer)",
		"stage 2: optimizer state and gradients sharded over the data-parallel GPUs",
		"stage 3: optimizer state, gradients and weights sharded over the data-parallel GPUs",
	}[stage]
}

// optimizerPhrase names an optimizer and the state it keeps.
func optimizerPhrase(o scale.Optimizer) string {
	switch o {
	case scale.OptimizerAdam8bit:
		return "8-bit Adam (Dettmers et al. 2022), mixed precision"
	case scale.OptimizerSGD:
		return "SGD with momentum, mixed precision"
	case scale.OptimizerMuon:
		return "Muon on the hidden weight matrices, AdamW on the rest, mixed precision"
	}
	return "Adam / AdamW, mixed precision"
}

// partName names a part of a GPU's memory.
func partName(name string) string {
	return map[string]string{scale.PartWeights: "weights", scale.PartGradients: "gradients", scale.PartOptimizer: "optimizer state",
		scale.PartActivations: "activations", scale.PartKVCache: "KV cache"}[name]
}

func perGPUSection(b *bytes.Buffer, r *scale.Report) {
	g := r.PerGPU
	section(b, "Per-GPU memory: the most loaded GPU (exact bytes)")
	pp := r.Parallel.PP
	tr := g.Training
	fmt.Fprintf(b, "  training: pipeline stage %d of %d (%d %s), %d micro-%s in flight\n", tr.Stage, pp, tr.Layers,
		plural(tr.Layers, "layer", "layers"), tr.MicroBatchesInFlight, plural(tr.MicroBatchesInFlight, "batch", "batches"))
	gpuParamsLine(b, r, tr.Params)
	gpuMemoryTable(b, r, tr)
	in := g.Inference
	fmt.Fprintf(b, "\n  inference (weights in %s, the workload's KV cache in %s): pipeline stage %d of %d (%d %s)\n",
		r.Workload.DType, r.Workload.KVDType, in.Stage, pp, in.Layers, plural(in.Layers, "layer", "layers"))
	gpuMemoryTable(b, r, in)
	switch {
	case g.KVCacheReplicated:
		fmt.Fprintf(b, "    the compressed MLA cache is not split by head: each of the %d tensor-parallel GPUs holds all of it\n", r.Parallel.TP)
	case g.KVHeadCopies > 1:
		fmt.Fprintf(b, "    KV heads replicated: tp %d > %d KV heads, so each GPU holds 1 KV head and each head is held by %d GPUs\n",
			r.Parallel.TP, r.Config.NumKeyValueHeads, g.KVHeadCopies)
	case g.KVHeadsPerGPU > 0:
		fmt.Fprintf(b, "    %d of %d KV heads per GPU\n", g.KVHeadsPerGPU, r.Config.NumKeyValueHeads)
	}
	a := g.Activations
	fmt.Fprintf(b, "\n  activations of one layer, one micro-batch, one GPU (s = %s, b = %d, t = %d; * = this layout's row)\n",
		grouped(a.SeqLen), a.MicroBatchSize, a.TP)
	fmt.Fprintf(b, "    %s\n", activationRowsNote(r))
	for _, grp := range a.Groups {
		if len(a.Groups) > 1 {
			lg := r.Layers[grp.Group]
			fmt.Fprintf(b, "    layer group %d (%s × %d):\n", grp.Group+1, layerKind(lg), lg.Count)
		}
		t := newTable(nil, 3)
		for _, row := range grp.Rows {
			mark := ""
			if row.Selected {
				mark = "*"
			}
			formula := row.Formula
			if !a.Applies {
				formula = "generalised " + formula
			}
			t.add(mark, row.Row, formula, bytesBig(row.BytesPerLayer))
		}
		t.write(b, "    ")
	}
	fmt.Fprintln(b, "\n  conventions:")
	for _, c := range g.Conventions {
		fmt.Fprintf(b, "    - %s\n", c)
	}
}

// gpuParamsLine writes the parameters one GPU holds and its ZeRO groups.
func gpuParamsLine(b *bytes.Buffer, r *scale.Report, p scale.GPUParams) {
	s := fmt.Sprintf("    parameters on this GPU: Ψ = %s", count(p.Total))
	if p.Expert > 0 {
		s += fmt.Sprintf(" (dense Ψ_d %s, experts Ψ_e %s)", count(p.Dense), count(p.Expert))
	}
	if r.Parallel.Optimizer == scale.OptimizerMuon {
		s += fmt.Sprintf("; hidden weight matrices Ψ_m %s", count(p.Matrix))
	}
	s += fmt.Sprintf("; ZeRO shards over N_d = dp × cp = %d", p.DenseShards)
	if p.Expert > 0 {
		s += fmt.Sprintf(", experts over N_e = tp × dp × cp / (ep × etp) = %d", p.ExpertShards)
	}
	fmt.Fprintln(b, s)
}

// gpuMemoryTable writes the parts of one GPU's memory, its total and
// whether it fits the device.
func gpuMemoryTable(b *bytes.Buffer, r *scale.Report, m scale.GPUMemory) {
	t := newTable(nil, 1)
	for _, p := range m.Parts {
		t.add(partName(p.Name), bytesBig(p.Bytes), p.Formula)
	}
	t.add("total", bytesBig(m.TotalBytes))
	t.write(b, "    ")
	if f := m.Fit; f != nil {
		fmt.Fprintf(b, "    %s\n", fitPhrase(r, f))
	}
}

// fitPhrase says whether a total fits the device, with the headroom.
func fitPhrase(r *scale.Report, f *scale.DeviceFit) string {
	dev := r.Hardware.Slug
	if f.Fits {
		return fmt.Sprintf("fits one %s of %s: yes, headroom %s, %.1f%% used", dev, byteCount(f.DeviceBytes), bytesBig(f.HeadroomBytes), 100*f.UsedRatio)
	}
	return fmt.Sprintf("fits one %s of %s: NO, %s over, %.1f%% of its memory", dev, byteCount(f.DeviceBytes),
		bytesBig(new(big.Int).Neg(f.HeadroomBytes)), 100*f.UsedRatio)
}

func hardwareSection(b *bytes.Buffer, dev scale.Device) {
	section(b, "Hardware")
	t := newTable(nil)
	t.add("device", fmt.Sprintf("%s (%s)", dev.Name, dev.Slug))
	t.add("memory", byteCount(dev.MemoryBytes))
	if dev.MemoryNote != "" {
		t.add("", dev.MemoryNote)
	}
	t.add("bandwidth", rate(big.NewInt(dev.BandwidthBytesPerSecond), "B/s"))
	peaks := make([]string, len(dev.PeakFLOPs))
	for i, p := range dev.PeakFLOPs {
		unit := "FLOP/s"
		if p.Precision == "int8" {
			unit = "OP/s"
		}
		peaks[i] = p.Precision + " " + rate(big.NewInt(p.PerSecond), unit)
	}
	t.add("dense peaks", strings.Join(peaks, ", "))
	for i, s := range dev.Sources {
		name := ""
		if i == 0 {
			name = "sources"
		}
		t.add(name, s)
	}
	t.write(b, "  ")
}

// rate writes a rate with an SI prefix: "2.04 TB/s", "312 TFLOP/s".
func rate(n *big.Int, unit string) string {
	return human(n, 1000, []string{unit, "k" + unit, "M" + unit, "G" + unit, "T" + unit, "P" + unit, "E" + unit})
}

func timeSection(b *bytes.Buffer, r *scale.Report) {
	t := r.Time
	section(b, "Time: estimates, with the assumptions below")
	mfu := fmt.Sprintf("MFU %s", percent(t.MFU))
	if t.MFUDefault {
		mfu += " (the default: an assumption; -mfu sets it)"
	}
	fmt.Fprintf(b, "  %s; %s %s; dense peak at %s %s\n", mfu, grouped(t.GPUs), plural(t.GPUs, "GPU", "GPUs"), t.Precision,
		peakPhrase(t.PeakFLOPsPerSecond))
	tab := newTable(nil)
	if s := t.Step; s != nil {
		tab.add("training step", trainingTimePhrase(s, "the global batch"))
	}
	if s := t.Run; s != nil {
		from := map[string]string{scale.TokensTrainingTokens: "-tokens", scale.TokensPublished: "the published run"}[s.TokensFrom]
		tab.add("training run", trainingTimePhrase(s, from))
	}
	if p := t.Prefill; p != nil {
		tab.add("prefill", fmt.Sprintf("≥ %s: %s of the workload on tp × pp = %d GPUs at peak (compute-bound)",
			duration(p.Seconds), flops(p.FLOPs), p.GPUs))
	}
	if d := t.Decode; d != nil {
		s := fmt.Sprintf("≥ %s per token (memory-bound: %s read on %d %s)", duration(d.MemorySeconds), bytesBig(d.BytesRead),
			d.GPUs, plural(d.GPUs, "GPU", "GPUs"))
		if d.ComputeSeconds != nil {
			s += fmt.Sprintf("; compute bound %s (%s)", duration(d.ComputeSeconds), flops(d.FLOPs))
		}
		tab.add("decode", s)
		tab.add("", fmt.Sprintf("≤ %s tokens/s for one sequence at KV length %s (%s-bound)", approx(d.TokensPerSecond),
			grouped(d.KVLength), d.Bound))
	}
	switch g := t.InferenceGPUs; {
	case g == nil:
	case g.GPUs > 0:
		tab.add("inference GPUs", fmt.Sprintf("%d %s hold the model and the workload's KV cache (tp %d × pp %d: %s on the most loaded)",
			g.GPUs, r.Hardware.Slug, g.TP, g.PP, bytesBig(g.PerGPU)))
	case g.Exhausted:
		tab.add("inference GPUs", fmt.Sprintf("none found in the %d tp × pp layouts the search evaluates", g.Searched))
	default:
		tab.add("inference GPUs", "no tp × pp layout holds the model and the workload's KV cache")
	}
	tab.write(b, "  ")
	if p := t.Published; p != nil {
		fmt.Fprintf(b, "  published: %s tokens", count(p.Tokens))
		if p.GPUHours > 0 {
			fmt.Fprintf(b, ", %s GPU-hours on %s", count(p.GPUHours), p.Device)
		}
		fmt.Fprintf(b, "\n    %s training FLOPs at seq %s", flops(p.FLOPs), grouped(r.Workload.SeqLen))
		if p.ImpliedMFU > 0 {
			fmt.Fprintf(b, "; implied MFU %.1f%%; at MFU %s the estimate is %s GPU-hours", 100*p.ImpliedMFU, percent(t.MFU),
				approx(p.EstimatedGPUHours))
		}
		fmt.Fprintf(b, "\n    source: %s\n", p.Source)
	}
	fmt.Fprintln(b, "  assumptions:")
	for _, a := range t.Assumptions {
		fmt.Fprintf(b, "    - %s\n", a)
	}
}

// peakPhrase writes a device peak, or says none is published.
func peakPhrase(peak int64) string {
	if peak == 0 {
		return "not published: no compute estimate"
	}
	return rate(big.NewInt(peak), "FLOP/s")
}

// trainingTimePhrase writes the time of some training tokens.
func trainingTimePhrase(s *scale.TrainingTime, from string) string {
	return fmt.Sprintf("%s tokens (%s): %s → %s, %s GPU-hours", GroupedBig(s.Tokens), from, flops(s.FLOPs), duration(s.Seconds),
		approx(s.GPUHours))
}

// approx writes an estimate to three significant digits with thousands
// separators: "708,000", "45.5", "0.0221".
func approx(f *scale.Fraction) string {
	v, _ := f.Rat().Float64()
	s := fmt.Sprintf("%.3g", v)
	if strings.Contains(s, "e+") { // 1,000 and above: whole, grouped
		rounded, _ := strconv.ParseFloat(s, 64)
		n, _ := new(big.Float).SetFloat64(rounded).Int(nil)
		return GroupedBig(n)
	}
	return s
}

// percent writes a fraction as a percentage: "40%", "44.9%".
func percent(f *scale.Fraction) string {
	v, _ := f.Rat().Float64()
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", 100*v), "0"), ".") + "%"
}

// duration writes seconds in the largest unit that keeps the number at
// least 1, to three significant digits: "18.2 ms", "28.9 days".
func duration(f *scale.Fraction) string {
	v, _ := f.Rat().Float64()
	units := []struct {
		name string
		secs float64
	}{{"days", 86400}, {"hours", 3600}, {"min", 60}, {"s", 1}, {"ms", 1e-3}, {"µs", 1e-6}, {"ns", 1e-9}}
	for _, u := range units {
		if v >= u.secs || u.name == "ns" {
			x := v / u.secs
			if x >= 1000 {
				return fmt.Sprintf("%s %s", string(groupDigits(strconv.AppendFloat(nil, x, 'f', 0, 64), 0)), u.name)
			}
			return fmt.Sprintf("%.3g %s", x, u.name)
		}
	}
	return ""
}

// gpuDoc is one accelerator as tscale gpus -format json shows it.
type gpuDoc struct {
	scale.Device
	Aliases []string `json:"aliases"`
}

// WriteGPUs writes the accelerators devs to w: a text table (slug, memory,
// bandwidth, dense bf16 and fp8 peaks) followed by each device's name,
// other names, memory note and sources, or with asJSON a JSON list of the
// devices with every figure.
func WriteGPUs(w io.Writer, devs []scale.Device, asJSON bool) error {
	if asJSON {
		docs := make([]gpuDoc, len(devs))
		for i, d := range devs {
			docs[i] = gpuDoc{Device: d, Aliases: presets.GPUAliases(d.Slug)}
			if docs[i].Aliases == nil {
				docs[i].Aliases = []string{}
			}
		}
		out, err := json.MarshalIndent(docs, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(out, '\n'))
		return err
	}
	var b bytes.Buffer
	t := newTable([]string{"slug", "memory", "bandwidth", "bf16 dense", "fp8 dense"}, 1, 2, 3, 4)
	peak := func(d scale.Device, p string) string {
		if v := d.Peak(p); v > 0 {
			return rate(big.NewInt(v), "FLOP/s")
		}
		return "—"
	}
	for _, d := range devs {
		t.add(d.Slug, byteCount(d.MemoryBytes), rate(big.NewInt(d.BandwidthBytesPerSecond), "B/s"), peak(d, "bf16"), peak(d, "fp8"))
	}
	t.write(&b, "")
	b.WriteString("\nDense peaks (no structured sparsity); memory as the driver reports it where published. Sources:\n")
	for _, d := range devs {
		fmt.Fprintf(&b, "\n%s: %s", d.Slug, d.Name)
		if a := presets.GPUAliases(d.Slug); len(a) > 0 {
			fmt.Fprintf(&b, " (also %s)", strings.Join(a, ", "))
		}
		b.WriteString("\n")
		peaks := make([]string, len(d.PeakFLOPs))
		for i, p := range d.PeakFLOPs {
			peaks[i] = p.Precision + " " + rate(big.NewInt(p.PerSecond), "FLOP/s")
		}
		fmt.Fprintf(&b, "  peaks: %s\n  memory: %s\n", strings.Join(peaks, ", "), d.MemoryNote)
		for _, s := range d.Sources {
			fmt.Fprintf(&b, "  source: %s\n", s)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// deployedRow is what a comparison table shows of a report on a layout
// and a device: the most loaded GPU's training and inference memory,
// whether each fits, the fewest devices that serve the model and the
// decode bound.
type deployedRow struct {
	layout          scale.Layout
	device          string // slug; "" without a device
	training, infer scale.GPUMemory
	inferenceGPUs   int64
	tokensPerSecond *scale.Fraction
}

// deployedRowOf is d's deployed row, nil without a layout or device.
func deployedRowOf(d Document) *deployedRow {
	r := d.Report
	if r.PerGPU == nil {
		return nil
	}
	row := &deployedRow{layout: r.Parallel.Layout, training: r.PerGPU.Training, infer: r.PerGPU.Inference}
	if r.Hardware != nil {
		row.device = r.Hardware.Slug
		row.tokensPerSecond = r.Time.Decode.TokensPerSecond
		row.inferenceGPUs = r.Time.InferenceGPUs.GPUs
	}
	return row
}

// deployedHeader is the columns of deployed rows in text and Markdown.
func deployedHeader(r *deployedRow) []string {
	h := []string{"GPU training", "GPU inference"}
	if r.device != "" {
		h = append(h, "inference GPUs", "decode tokens/s ≤")
	}
	return h
}

// deployedCSVHeader is the columns of deployed rows in CSV, every one
// present (empty without a device).
var deployedCSVHeader = []string{"gpu_training_bytes", "gpu_training_fits", "gpu_inference_bytes", "gpu_inference_fits",
	"inference_gpus", "decode_tokens_per_second_max"}

// memoryCell writes one GPU's total and whether it fits.
func memoryCell(m scale.GPUMemory, short bool) string {
	s := GroupedBig(m.TotalBytes) + " B"
	if short {
		s = human(m.TotalBytes, 1024, byteUnits)
	}
	switch {
	case m.Fit == nil:
		return s
	case m.Fit.Fits:
		return s + " (fits)"
	}
	return s + " (does not fit)"
}

func deployedCells(r *deployedRow, short bool) []string {
	if r == nil {
		return nil
	}
	cells := []string{memoryCell(r.training, short), memoryCell(r.infer, short)}
	if r.device != "" {
		gpus := "none found"
		if r.inferenceGPUs > 0 {
			gpus = grouped(r.inferenceGPUs)
		}
		cells = append(cells, gpus, approx(r.tokensPerSecond))
	}
	return cells
}

func deployedCSV(r *deployedRow) []string {
	if r == nil {
		return nil
	}
	fits := func(m scale.GPUMemory) string {
		if m.Fit == nil {
			return ""
		}
		return fmt.Sprint(m.Fit.Fits)
	}
	gpus, tps := "", ""
	if r.device != "" {
		gpus, tps = fmt.Sprint(r.inferenceGPUs), r.tokensPerSecond.String()
	}
	return []string{r.training.TotalBytes.String(), fits(r.training), r.infer.TotalBytes.String(), fits(r.infer), gpus, tps}
}

// deployedFootnote says what the deployed columns mean ("" without them).
func deployedFootnote(r *deployedRow) string {
	if r == nil {
		return ""
	}
	l := r.layout
	s := fmt.Sprintf("GPU training and inference: the most loaded GPU's memory on tp %d × pp %d × dp %d × cp %d (ep %d), ZeRO %d, "+
		"recomputation %s, %s; training with %s, inference the weights and the workload's KV cache.",
		l.TP, l.PP, l.DP, l.CP, l.EP, l.ZeRO, l.Recompute, map[bool]string{true: "sequence parallel", false: "no sequence parallelism"}[l.SequenceParallel],
		optimizerPhrase(l.Optimizer))
	if r.device != "" {
		s += fmt.Sprintf(" Fits: within one %s. Inference GPUs: the fewest %s, tp × pp, that hold the model; decode: one sequence at KV length seq_len, "+
			"an upper bound (memory- or compute-bound on tp GPUs).", r.device, r.device)
	}
	return s + "\n"
}
