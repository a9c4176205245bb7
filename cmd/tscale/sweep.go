package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/render"
	"github.com/tscale/tscale/scale"
)

// maxSweepPoints bounds a sweep: models × sequence lengths × batch sizes.
const maxSweepPoints = 10_000_000

// sweepMetric is one column of a sweep: its name, what it is, and its value
// at a point (an exact integer or fraction).
type sweepMetric struct {
	name, doc string
	unit      render.Unit
	value     func(p *scale.Point) sweepValue
	// deployed, in place of value, reads the point's report on a layout or
	// device (deployedMetrics); needsDevice says it needs a device.
	deployed    func(r *scale.Report) sweepValue
	needsDevice bool
}

// valueAt is the metric's value at point p, whose report on the sweep's
// layout and device is r (nil when no metric needs it).
func (m sweepMetric) valueAt(p *scale.Point, r *scale.Report) sweepValue {
	if m.deployed != nil {
		return m.deployed(r)
	}
	return m.value(p)
}

// sweepValue is an exact integer (n) or fraction (f).
type sweepValue struct {
	n *big.Int
	f *scale.Fraction
}

func intValue(n *big.Int) sweepValue { return sweepValue{n: n} }

var sweepMetrics = []sweepMetric{
	{name: "tokens", doc: "batch × sequence length", unit: render.UnitCount, value: func(p *scale.Point) sweepValue { return intValue(p.Tokens) }},
	{name: "forward_flops", doc: "flops.forward: one forward pass over the workload, causal", unit: render.UnitFLOPs, value: func(p *scale.Point) sweepValue { return intValue(p.Forward) }},
	{name: "forward_dense_flops", doc: "flops.forward_dense: all s² attention pairs", unit: render.UnitFLOPs, value: func(p *scale.Point) sweepValue { return intValue(p.ForwardDense) }},
	{name: "training_flops", doc: "flops.training: 3 × forward", unit: render.UnitFLOPs, value: func(p *scale.Point) sweepValue { return intValue(p.Training) }},
	{name: "forward_flops_per_token", doc: "flops.per_token.forward, an exact fraction", unit: render.UnitFLOPs, value: func(p *scale.Point) sweepValue { return sweepValue{f: p.ForwardPerToken} }},
	{name: "kv_cache_bytes", doc: "memory.kv_cache_bytes: the whole workload's KV cache", unit: render.UnitBytes, value: func(p *scale.Point) sweepValue { return intValue(p.KVCacheBytes) }},
	{name: "activation_elements", doc: "memory.activation_elements.total", unit: render.UnitCount, value: func(p *scale.Point) sweepValue { return intValue(p.ActivationElements) }},
	{name: "decode_flops", doc: "decoding one token of one sequence at KV length seq", unit: render.UnitFLOPs, value: func(p *scale.Point) sweepValue { return intValue(p.DecodeFLOPs) }},
	{name: "recurrent_state_bytes", doc: "memory.recurrent_state_bytes: the recurrent (Mamba, short-convolution, Gated DeltaNet, lightning-attention) layers' state of the batch, constant in seq", unit: render.UnitBytes, value: func(p *scale.Point) sweepValue { return intValue(p.RecurrentStateBytes) }},
}

func init() { sweepMetrics = append(sweepMetrics, deployedMetrics...) }

// metricNames lists the metrics, for help and errors.
func metricNames() string {
	names := make([]string, len(sweepMetrics))
	for i, m := range sweepMetrics {
		names[i] = m.name
	}
	return strings.Join(names, ", ")
}

func metricHelp() string {
	var b strings.Builder
	width := 0
	for _, m := range sweepMetrics {
		width = max(width, len(m.name))
	}
	for _, m := range sweepMetrics {
		fmt.Fprintf(&b, "  %-*s %s\n", width, m.name, m.doc)
	}
	return b.String()
}

// parseMetrics reads a comma-separated list of metric names.
func parseMetrics(s string) ([]sweepMetric, error) {
	var out []sweepMetric
	for _, name := range strings.Split(s, ",") {
		found := false
		for _, m := range sweepMetrics {
			if m.name == strings.TrimSpace(name) {
				out, found = append(out, m), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("-metric must be a comma-separated list of %s, got %q", metricNames(), name)
		}
	}
	return out, nil
}

// parseAxis reads the values of -seq or -batch: a comma-separated list of
// counts ("1k,4k,32k"), or a range "A..B" (A, 2A, 4A, … up to B, and B
// itself) or "A..B/N" (N points spaced evenly on a log scale from A to B,
// rounded to whole numbers). Counts are written as parseCount reads them.
func parseAxis(flag, s string) ([]int64, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("-%s %s, got %q", flag, fmt.Sprintf(format, args...), s)
	}
	lo, hi, isRange := strings.Cut(s, "..")
	if !isRange {
		var out []int64
		for _, part := range strings.Split(s, ",") {
			n, err := parseCount(part)
			if err != nil {
				return nil, bad("must be a list of counts or a range A..B[/N]: %s", err)
			}
			out = append(out, n)
		}
		return out, nil
	}
	hi, steps, logSpaced := strings.Cut(hi, "/")
	a, errA := parseCount(lo)
	b, errB := parseCount(hi)
	if err := errors.Join(errA, errB); err != nil {
		return nil, bad("must be a range A..B[/N] of counts: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if a < 1 || b < a {
		return nil, bad("must be a range A..B with 1 ≤ A ≤ B")
	}
	if !logSpaced {
		var out []int64
		for x := a; x <= b; {
			out = append(out, x)
			if x > b/2 {
				break
			}
			x *= 2
		}
		if out[len(out)-1] != b {
			out = append(out, b)
		}
		return out, nil
	}
	n, err := strconv.Atoi(steps)
	if err != nil || n < 2 || n > maxSweepPoints {
		return nil, bad("has /N with N a whole number from 2 to %d", maxSweepPoints)
	}
	ratio := math.Log(float64(b)/float64(a)) / float64(n-1)
	out := []int64{a}
	for i := 1; i < n; i++ {
		x := int64(math.Round(float64(a) * math.Exp(ratio*float64(i))))
		if i == n-1 {
			x = b
		}
		if x > out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out, nil
}

func (c *cli) sweep(args []string) error {
	fs := newFlagSet("sweep", "sweep [-seq LIST|RANGE] [-batch LIST|RANGE] [-metric M,...] [-format csv|json|markdown|svg] [-dtype T] [-kv-dtype T] [layout and device flags] (SLUG... | -hf config.json...)",
		"Evaluates models at many workloads: one row per (model, sequence length, batch size), every\n"+
			"number exact (the same as tscale report at that workload). -seq and -batch take a list\n"+
			"(1k,4k,32k) or a range: A..B doubles from A up to B (and ends at B); A..B/N takes N points\n"+
			"spaced evenly on a log scale. -seq defaults to each model's context; -batch to 1.\n"+
			"-format svg draws one metric as a line chart: x is -seq (or -batch, when only it varies) on\n"+
			"a log scale, one line per model (and per value of the other axis); a fraction is drawn at\n"+
			"its nearest integer, the chart's only rounding.\n\n"+
			"With a layout or a device (the flags of tscale report), the per-GPU metrics below are\n"+
			"available, each point a whole report (at most 10,000 points), and are added to the default\n"+
			"metrics.\n\n"+
			"Metrics:\n"+metricHelp()+"\n"+countSyntax,
		[]string{
			"tscale sweep -seq 1k..128k llama-3.1-8b mistral-7b",
			"tscale sweep -seq 4k -batch 1..256 -metric kv_cache_bytes,decode_flops llama-3.1-70b",
			"tscale sweep -seq 1k..1M/64 -batch 1,8,64 -format json deepseek-v3",
			"tscale sweep -seq 1Ki..128Ki -metric kv_cache_bytes -format svg llama-3.1-8b mistral-7b > kv.svg",
			"tscale sweep -hf ~/models/Qwen3-8B/config.json -seq 1k..32k",
			"tscale sweep -seq 8k..128k -batch 1,8 -tp 8 -gpu h100 llama-3.1-70b",
		})
	seqFlag := fs.String("seq", "", "sequence lengths: a list or a range (default: each model's context)")
	batchFlag := fs.String("batch", "1", "batch sizes: a list or a range")
	metricFlag := fs.String("metric", "forward_flops_per_token,kv_cache_bytes", "metrics: "+metricNames())
	format := fs.String("format", "csv", "output format: csv, json, markdown or svg (one metric)")
	dtype := fs.String("dtype", "bf16", "data type of weights and activations: "+scale.DTypeNames())
	kvDType := fs.String("kv-dtype", "", "data type of the KV cache (default: -dtype)")
	var hf stringList
	fs.Var(&hf, "hf", "add the model of this Hugging Face `config.json` or model folder (may be repeated; -: from stdin, once)")
	deploy := addDeploymentFlags(fs)
	slugs, err := fs.parse(args, c.stdout)
	if err != nil {
		return err
	}
	usage := func(err error) error { return usageError{"sweep", err} }
	if *format != "csv" && *format != "json" && *format != "markdown" && *format != "svg" {
		return usagef("sweep", "-format must be csv, json, markdown or svg, got %q", *format)
	}
	metricSet := false
	fs.Visit(func(f *flag.Flag) { metricSet = metricSet || f.Name == "metric" })
	if !metricSet && deploy.hasLayout() { // a layout or device adds its metrics to the default ones
		*metricFlag += ",gpu_training_bytes,gpu_inference_bytes"
	}
	if !metricSet && deploy.hasDevice() {
		*metricFlag += ",inference_gpus,decode_tokens_per_second"
	}
	metrics, err := parseMetrics(*metricFlag)
	if err != nil {
		return usage(err)
	}
	if *format == "svg" && len(metrics) != 1 {
		return usagef("sweep", "-format svg draws one metric; -metric names %d", len(metrics))
	}
	deployed := false
	for _, m := range metrics {
		switch {
		case m.needsDevice && !deploy.hasDevice():
			return usagef("sweep", "-metric %s needs a device (-gpu, or -gpu-memory, -peak-flops and -bandwidth)", m.name)
		case m.deployed != nil && !deploy.hasLayout() && !deploy.hasDevice():
			return usagef("sweep", "-metric %s needs a layout (-tp, -pp, -dp, …) or a device (-gpu)", m.name)
		}
		deployed = deployed || m.deployed != nil
	}
	var seqs []int64
	if *seqFlag != "" {
		if seqs, err = parseAxis("seq", *seqFlag); err != nil {
			return usage(err)
		}
	}
	batches, err := parseAxis("batch", *batchFlag)
	if err != nil {
		return usage(err)
	}
	// The data types are checked by the workload rules, as report checks them;
	// they hold for any model.
	dt, kvdt := scale.DType(strings.ToLower(*dtype)), scale.DType(strings.ToLower(*kvDType))
	if err := validateWorkload("sweep", scale.Workload{SeqLen: 1, BatchSize: 1, DType: dt, KVDType: kvdt}, scale.Config{}); err != nil {
		return err
	}
	if n := occurrences(hf, stdinPath); n > 1 {
		return usagef("sweep", "-hf - (stdin) may be given once, got %d times", n)
	}
	models, bad, err := c.models("sweep", slugs, hf)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return bad
	}
	if len(models) == 0 {
		return usagef("sweep", "sweep takes preset slugs or -hf config files (tscale list shows the slugs)")
	}
	points := int64(len(models)) * int64(max(len(seqs), 1)) * int64(len(batches))
	if points > maxSweepPoints {
		return usagef("sweep", "%d points (models × -seq values × -batch values) is more than the %d a sweep evaluates", points, maxSweepPoints)
	}
	if deployed && points > maxDeployedSweepPoints {
		return usagef("sweep", "%d points (models × -seq values × -batch values) is more than the %d a sweep with per-GPU metrics evaluates",
			points, maxDeployedSweepPoints)
	}
	// Validate every model and workload before writing anything.
	// The workload rules bear on the sequence length and the batch size
	// separately: checking each value of each axis checks every point.
	var sweeps []modelSweep
	for _, p := range models {
		m, err := scale.NewCostModel(p.Config, dt, kvdt)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Slug, err)
		}
		ms := modelSweep{p: p, m: m, seqs: seqs, dtype: dt, kvDType: kvdt}
		if deployed {
			ms.deploy = deploy
		}
		if ms.seqs == nil {
			ms.seqs = []int64{p.Context()}
		}
		for _, s := range ms.seqs {
			if err := validateWorkload("sweep", scale.Workload{SeqLen: s, BatchSize: 1, DType: dt}, p.Config); err != nil {
				return modelError(p, err)
			}
		}
		for _, b := range batches {
			if err := validateWorkload("sweep", scale.Workload{SeqLen: 1, BatchSize: b, DType: dt}, p.Config); err != nil {
				return modelError(p, err)
			}
		}
		sweeps = append(sweeps, ms)
	}
	if *format == "svg" {
		return sweepChart(c.stdout, sweeps, batches, metrics[0])
	}
	w := bufio.NewWriterSize(c.stdout, 1<<16)
	out := newSweepWriter(w, *format, metrics)
	if deployed { // every point's deployment is checked before anything is written
		for _, ms := range sweeps {
			for _, s := range ms.seqs {
				for _, b := range batches {
					if _, err := ms.report(s, b); err != nil {
						return err
					}
				}
			}
		}
	}
	var p scale.Point
	for _, ms := range sweeps {
		for _, s := range ms.seqs {
			for _, b := range batches {
				if err := ms.m.Eval(s, b, &p); err != nil {
					return fmt.Errorf("%s: %w", ms.p.Slug, err)
				}
				r, err := ms.report(s, b)
				if err != nil {
					return err
				}
				out.row(ms.p.Slug, &p, r)
			}
		}
	}
	out.end()
	return w.Flush()
}

// modelSweep is one model of a sweep and the sequence lengths it is
// evaluated at.
type modelSweep struct {
	p    presets.Preset
	m    *scale.CostModel
	seqs []int64
	// deploy, when a metric needs it, is the layout and device each point
	// is analysed on.
	deploy         *deploymentFlags
	dtype, kvDType scale.DType
}

// report is the model's report at (seq, batch) on the sweep's layout and
// device; nil when no metric needs it.
func (ms modelSweep) report(seq, batch int64) (*scale.Report, error) {
	if ms.deploy == nil {
		return nil, nil
	}
	w := scale.Workload{SeqLen: seq, BatchSize: batch, DType: ms.dtype, KVDType: ms.kvDType}
	dep, err := ms.deploy.deployment("sweep", ms.p, w)
	if err != nil {
		return nil, modelError(ms.p, err)
	}
	r, err := scale.AnalyzeOn(ms.p.Config, w, dep)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ms.p.Slug, err)
	}
	return r, nil
}

// sweepChart draws metric over the sweep as one SVG line chart: x is the
// sequence length, or the batch size when only it varies; one line per
// model and value of the other axis.
func sweepChart(w io.Writer, sweeps []modelSweep, batches []int64, metric sweepMetric) error {
	xIsSeq := len(batches) == 1
	for _, ms := range sweeps {
		xIsSeq = xIsSeq || len(ms.seqs) > 1
	}
	chart := render.Chart{YLabel: metric.name, YUnit: metric.unit}
	if xIsSeq {
		chart.Title = metric.name + " by context length"
		chart.XLabel, chart.XUnit = "sequence length (tokens)", render.UnitTokens
	} else {
		chart.Title = metric.name + " by batch size"
		chart.XLabel, chart.XUnit = "batch size (sequences)", render.UnitSequences
	}
	var p scale.Point
	for _, ms := range sweeps {
		outer, inner := batches, ms.seqs
		if !xIsSeq {
			outer, inner = ms.seqs, batches
		}
		for _, o := range outer {
			series := render.ChartSeries{Label: ms.p.Slug}
			if len(outer) > 1 {
				if xIsSeq {
					series.Label += fmt.Sprintf(" (batch %d)", o)
				} else {
					series.Label += fmt.Sprintf(" (seq %d)", o)
				}
			}
			for _, x := range inner {
				seq, batch := x, o
				if !xIsSeq {
					seq, batch = o, x
				}
				if err := ms.m.Eval(seq, batch, &p); err != nil {
					return fmt.Errorf("%s: %w", ms.p.Slug, err)
				}
				r, err := ms.report(seq, batch)
				if err != nil {
					return err
				}
				v := metric.valueAt(&p, r)
				y := v.n
				if y == nil { // a fraction: drawn at its nearest integer
					r := v.f.Rat()
					y = new(big.Int).Quo(new(big.Int).Add(new(big.Int).Lsh(r.Num(), 1), r.Denom()), new(big.Int).Lsh(r.Denom(), 1))
				} else {
					y = new(big.Int).Set(y)
				}
				series.Points = append(series.Points, render.ChartPoint{X: big.NewInt(x), Y: y})
			}
			chart.Series = append(chart.Series, series)
		}
	}
	return render.WriteSVG(w, chart)
}

// sweepWriter writes the rows of a sweep in one format, appending to a
// reused buffer: exact integers and fractions, nothing rounded.
type sweepWriter struct {
	w       *bufio.Writer
	format  string
	metrics []sweepMetric
	buf     []byte
	rows    int
}

func newSweepWriter(w *bufio.Writer, format string, metrics []sweepMetric) *sweepWriter {
	sw := &sweepWriter{w: w, format: format, metrics: metrics}
	names := []string{"model", "seq_len", "batch_size"}
	for _, m := range metrics {
		names = append(names, m.name)
	}
	switch format {
	case "csv":
		w.WriteString(strings.Join(names, ",") + "\n")
	case "markdown":
		w.WriteString("| " + strings.Join(names, " | ") + " |\n|" + strings.Repeat(" --- |", len(names)) + "\n")
	case "json":
		w.WriteString("[")
	}
	return sw
}

func (sw *sweepWriter) appendValue(b []byte, v sweepValue, quoteFraction bool) []byte {
	if v.n != nil {
		return render.AppendDecimal(b, v.n)
	}
	r := v.f.Rat()
	if quoteFraction {
		b = append(b, '"')
	}
	b = render.AppendDecimal(b, r.Num())
	if !r.IsInt() {
		b = append(b, '/')
		b = render.AppendDecimal(b, r.Denom())
	}
	if quoteFraction {
		b = append(b, '"')
	}
	return b
}

func (sw *sweepWriter) row(slug string, p *scale.Point, r *scale.Report) {
	b := sw.buf[:0]
	switch sw.format {
	case "csv", "markdown":
		sep := []byte(",")
		if sw.format == "markdown" {
			b = append(b, "| "...)
			sep = []byte(" | ")
		}
		b = append(b, slug...)
		b = append(b, sep...)
		b = strconv.AppendInt(b, p.SeqLen, 10)
		b = append(b, sep...)
		b = strconv.AppendInt(b, p.BatchSize, 10)
		for _, mt := range sw.metrics {
			b = append(b, sep...)
			b = sw.appendValue(b, mt.valueAt(p, r), false)
		}
		if sw.format == "markdown" {
			b = append(b, " |"...)
		}
		b = append(b, '\n')
	case "json":
		if sw.rows > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n  {\"model\": "...)
		b = appendJSONString(b, slug)
		b = append(b, ", \"seq_len\": "...)
		b = strconv.AppendInt(b, p.SeqLen, 10)
		b = append(b, ", \"batch_size\": "...)
		b = strconv.AppendInt(b, p.BatchSize, 10)
		for _, mt := range sw.metrics {
			b = append(b, ", \""...)
			b = append(b, mt.name...)
			b = append(b, "\": "...)
			b = sw.appendValue(b, mt.valueAt(p, r), true)
		}
		b = append(b, '}')
	}
	sw.rows++
	sw.buf = b
	sw.w.Write(b)
}

// appendJSONString appends s as a JSON string (encoding/json's escaping,
// not Go's, which differs outside printable ASCII).
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

func (sw *sweepWriter) end() {
	if sw.format == "json" {
		if sw.rows > 0 {
			sw.w.WriteString("\n")
		}
		sw.w.WriteString("]\n")
	}
}

// modelError names the model an error is about, keeping a usage error one.
func modelError(p presets.Preset, err error) error {
	var u usageError
	if errors.As(err, &u) {
		return usageError{u.cmd, fmt.Errorf("%s: %w", p.Slug, u.err)}
	}
	return fmt.Errorf("%s: %w", p.Slug, err)
}
