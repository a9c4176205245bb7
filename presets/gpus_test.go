package presets

import (
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// TestGPUTable: every device is valid, has a bf16 peak and a source, and
// every slug and alias names one device.
func TestGPUTable(t *testing.T) {
	seen := map[string]string{}
	for _, d := range GPUs() {
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", d.Slug, err)
		}
		if d.Peak("bf16") == 0 || len(d.Sources) == 0 || d.Name == "" || d.MemoryNote == "" {
			t.Errorf("%s: no bf16 peak, source, name or memory note", d.Slug)
		}
		for _, name := range append([]string{d.Slug}, GPUAliases(d.Slug)...) {
			if other, dup := seen[name]; dup {
				t.Errorf("%q names %s and %s", name, other, d.Slug)
			}
			seen[name] = d.Slug
			if !validSlug(name) {
				t.Errorf("%q is not a well-formed slug", name)
			}
			got, err := LookupGPU(strings.ToUpper(name))
			if err != nil || got.Slug != d.Slug {
				t.Errorf("LookupGPU(%q) = %s, %v; want %s", name, got.Slug, err, d.Slug)
			}
		}
	}
	for _, want := range []string{"a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h200", "b200", "gb200", "mi300x", "mi325x",
		"tpu-v5e", "tpu-v5p", "l40s", "rtx-4090"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("no device %s", want)
		}
	}
	if _, err := LookupGPU("a100-80"); err == nil || !strings.Contains(err.Error(), "did you mean a100-80gb") {
		t.Errorf("LookupGPU(a100-80): %v, want a suggestion of a100-80gb", err)
	}
}

// TestPublishedRuns: every published run belongs to a preset, and its
// device, where it has GPU-hours, is in the table.
func TestPublishedRuns(t *testing.T) {
	for slug, run := range publishedRuns {
		p, err := Lookup(slug)
		if err != nil {
			t.Fatalf("published run of %s: %v", slug, err)
		}
		got := p.PublishedRun()
		if got.Tokens != run.tokens || got.Source == "" || (run.gpuHours > 0) != (got.Device != nil) {
			t.Errorf("%s: published run %+v", slug, got)
		}
	}
}

// TestEveryPresetOnALayout: every preset analyses under a layout that
// splits it every way it allows (tp 2, pp 2, ep 2), on every device: each
// op with parameters has a tensor-parallel rule.
func TestEveryPresetOnALayout(t *testing.T) {
	dev, err := LookupGPU("h100")
	if err != nil {
		t.Fatal(err)
	}
	splits := map[string]int{}
	for _, p := range All() {
		c := p.Config
		l := scale.Layout{TP: 1, PP: 1, DP: 2, EP: 1, CP: 1, MicroBatchSize: 1, ZeRO: 3, Optimizer: scale.OptimizerMuon}
		w := scale.Workload{BatchSize: 1, SeqLen: 512, DType: scale.BF16}
		// Each split the model allows, as Layout.Validate says (heads,
		// recurrent kinds, shared blocks and experts each have their rule).
		try := func(name string, set func(*scale.Layout)) {
			next := l
			if set(&next); next.Validate(c, w) == nil {
				l = next
				splits[name]++
			}
		}
		try("tp", func(l *scale.Layout) { l.TP = 2 })
		try("pp", func(l *scale.Layout) { l.PP = 2 })
		try("ep", func(l *scale.Layout) { l.EP = 2 })
		r, err := scale.AnalyzeOn(c, w, scale.Deployment{Layout: &l, Device: &dev, Published: p.PublishedRun()})
		if err != nil {
			t.Errorf("%s on %+v: %v", p.Slug, l, err)
			continue
		}
		if r.PerGPU.Training.TotalBytes.Sign() <= 0 || r.Time == nil || r.Time.InferenceGPUs == nil {
			t.Errorf("%s: no per-GPU memory or time", p.Slug)
		}
	}
	// Most presets allow each split (today tp 117, pp 131 and ep 32 of 133):
	// a rule that refused them all would leave this test with nothing to check.
	if n := len(All()); splits["tp"] < n*3/4 || splits["pp"] < n*9/10 || splits["ep"] < 25 {
		t.Errorf("split by tp %d, pp %d, ep %d of %d presets: too few", splits["tp"], splits["pp"], splits["ep"], n)
	}
}
