package render

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// deployedDocument is the report of a preset on a layout and a device.
func deployedDocument(t *testing.T, slug string, w scale.Workload, l scale.Layout, gpu string) Document {
	t.Helper()
	p, err := presets.Lookup(slug)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := presets.LookupGPU(gpu)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.AnalyzeOn(p.Config, w, scale.Deployment{Layout: &l, Device: &dev, Published: p.PublishedRun()})
	if err != nil {
		t.Fatal(err)
	}
	return NewDocument(p.Model(), r)
}

var deployments = []struct {
	slug, gpu string
	w         scale.Workload
	l         scale.Layout
}{
	{"gpt3-175b", "a100-80gb", scale.Workload{BatchSize: 1, SeqLen: 2048, DType: scale.BF16},
		scale.Layout{TP: 8, PP: 16, DP: 8, EP: 1, CP: 1, MicroBatchSize: 1, SequenceParallel: true, Recompute: scale.RecomputeSelective}},
	{"llama-3.1-405b", "h100", scale.Workload{BatchSize: 4, SeqLen: 8192, DType: scale.FP8, TrainingTokens: 15_000_000_000_000},
		scale.Layout{TP: 16, PP: 9, DP: 2, EP: 1, CP: 2, MicroBatchSize: 2, ZeRO: 3, Optimizer: scale.OptimizerAdam8bit}},
	{"deepseek-v3", "b200", scale.Workload{BatchSize: 1, SeqLen: 4096, DType: scale.BF16},
		scale.Layout{TP: 2, PP: 16, DP: 64, EP: 64, ETP: 1, CP: 1, MicroBatchSize: 1, ZeRO: 1, Optimizer: scale.OptimizerMuon}},
	{"gpt2", "tpu-v5e", scale.Workload{BatchSize: 1, SeqLen: 1024, DType: scale.FP32}, scale.OneGPU()},
}

// TestDeployedDocuments: with a layout and a device, emitYAML still writes
// yaml.v3's bytes itself, the YAML holds the JSON tree, and the JSON
// decodes back into the engine's report.
func TestDeployedDocuments(t *testing.T) {
	for _, dp := range deployments {
		d := deployedDocument(t, dp.slug, dp.w, dp.l, dp.gpu)
		if !checkEmit(t, dp.slug, compactJSON(t, d)) {
			t.Errorf("%s: emitYAML left the document to yaml.v3", dp.slug)
		}
		js, y := write(t, d, FormatJSON), write(t, d, FormatYAML)
		var node yaml.Node
		if err := yaml.Unmarshal(y, &node); err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.UseNumber()
		var generic any
		if err := dec.Decode(&generic); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(jsonTree(generic), yamlTree(&node)); diff != "" {
			t.Errorf("%s: YAML and JSON differ (-json +yaml):\n%s", dp.slug, diff)
		}
		var back Document
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		bigEqual := cmp.Comparer(func(a, b *big.Int) bool { return a.Cmp(b) == 0 })
		fractions := cmp.Comparer(func(a, b *scale.Fraction) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(b)) })
		words := cmp.Options{cmpopts.IgnoreFields(scale.LayerGroup{}, "Ranges", "MoE"),
			cmpopts.IgnoreFields(scale.CrossCheck{}, "NotApplicable"),
			cmpopts.IgnoreFields(scale.ActivationMemory{}, "NotApplicable"),
			cmpopts.IgnoreFields(scale.Activations{}, "NotApplicable"),
			cmpopts.IgnoreFields(scale.PublishedRun{}, "Device")}
		if diff := cmp.Diff(d, back, bigEqual, fractions, words); diff != "" {
			t.Errorf("%s: JSON does not decode back to the report (-engine +decoded):\n%s", dp.slug, diff)
		}
		txt := string(write(t, d, FormatText))
		for _, s := range []string{"\nParallel layout\n", "\nPer-GPU memory", "\nHardware\n", "\nTime: estimates"} {
			if !strings.Contains(txt, s) {
				t.Errorf("%s: the text report has no %q", dp.slug, strings.TrimSpace(s))
			}
		}
	}
}

// TestNoDeploymentNoSections: a report without a layout or device has none
// of the four sections, in any format.
func TestNoDeploymentNoSections(t *testing.T) {
	d := presetDocument(t, "gpt2", scale.Workload{})
	for _, f := range []Format{FormatText, FormatYAML, FormatJSON} {
		out := string(write(t, d, f))
		for _, s := range []string{"parallel", "per_gpu", "hardware", "Per-GPU", "Hardware", "Time: estimates"} {
			if strings.Contains(out, "\n"+s) || strings.Contains(out, "\""+s+"\"") {
				t.Errorf("%s report without a deployment has %q", f, s)
			}
		}
	}
}

// TestDurations: seconds in the largest unit that keeps the number at
// least 1, three significant digits.
func TestDurations(t *testing.T) {
	for _, tt := range []struct {
		secs *big.Rat
		want string
	}{
		{big.NewRat(1, 1), "1 s"}, {big.NewRat(90, 1), "1.5 min"}, {big.NewRat(2492781, 1), "28.9 days"},
		{big.NewRat(1, 45), "22.2 ms"}, {big.NewRat(1, 7000), "143 µs"}, {big.NewRat(86400*2000, 1), "2,000 days"},
	} {
		if got := duration((*scale.Fraction)(tt.secs)); got != tt.want {
			t.Errorf("duration(%s) = %q, want %q", tt.secs.RatString(), got, tt.want)
		}
	}
	for _, tt := range []struct {
		v    *big.Rat
		want string
	}{{big.NewRat(708288, 1), "708,000"}, {big.NewRat(455, 10), "45.5"}, {big.NewRat(2, 5), "0.4"}} {
		if got := approx((*scale.Fraction)(tt.v)); got != tt.want {
			t.Errorf("approx(%s) = %q, want %q", tt.v.RatString(), got, tt.want)
		}
	}
}
