package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sebdah/goldie/v2"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

func TestParseAxis(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []int64
		err  string
	}{
		{in: "1k", want: []int64{1000}},
		{in: "1k,4k,32Ki", want: []int64{1000, 4000, 32768}},
		{in: "1Ki..8Ki", want: []int64{1024, 2048, 4096, 8192}},
		{in: "1k..5k", want: []int64{1000, 2000, 4000, 5000}},
		{in: "7..7", want: []int64{7}},
		{in: "1..1000/4", want: []int64{1, 10, 100, 1000}},
		{in: "1..3/5", want: []int64{1, 2, 3}}, // rounded, duplicates dropped
		{in: "8..1", err: "1 ≤ A ≤ B"},
		{in: "0..8", err: "1 ≤ A ≤ B"},
		{in: "1..8/1", err: "/N"},
		{in: "1..8/x", err: "/N"},
		{in: "1..", err: "range"},
		{in: "1,,2", err: "list of counts"},
		{in: "0x10", err: "list of counts"},
	} {
		got, err := parseAxis("seq", tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseAxis(%q) error %v, want one saying %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("parseAxis(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestSweepEqualsReport: every number of a sweep is the report's at the
// same workload.
func TestSweepEqualsReport(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"sweep", "-seq", "1,1000,5000", "-batch", "1,3", "-kv-dtype", "fp8",
		"-metric", "tokens,forward_flops,forward_dense_flops,training_flops,forward_flops_per_token,kv_cache_bytes,activation_elements,decode_flops",
		"mistral-7b", "llama-4-scout", "deepseek-v2-lite"}
	if code := run(args, nil, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+3*3*2 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, row := range rows[1:] {
		p, err := presets.Lookup(row[0])
		if err != nil {
			t.Fatal(err)
		}
		var seq, batch int64
		json.Unmarshal([]byte(row[1]), &seq)
		json.Unmarshal([]byte(row[2]), &batch)
		r, err := scale.Analyze(p.Config, scale.Workload{SeqLen: seq, BatchSize: batch, DType: scale.BF16, KVDType: scale.FP8})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{r.Workload.Tokens.String(), r.FLOPs.Forward.String(), r.FLOPs.ForwardDense.String(),
			r.FLOPs.Training.String(), r.FLOPs.PerToken.Forward.String(), r.Memory.KVCacheBytes.String(),
			r.Memory.ActivationElements.Total.String(), r.Inference.Decode[len(r.Inference.Decode)-1].FLOPs.String()}
		if diff := cmp.Diff(want, row[3:]); diff != "" {
			t.Errorf("%v (-report +sweep):\n%s", row[:3], diff)
		}
	}
}

func TestSweepFormats(t *testing.T) {
	for _, format := range []string{"json", "markdown"} {
		var out, errOut bytes.Buffer
		if code := run([]string{"sweep", "-format", format, "-seq", "256..1k", "gpt2"}, nil, &out, &errOut); code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, errOut.String())
		}
		switch format {
		case "json":
			var rows []map[string]any
			if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 3 {
				t.Errorf("json: %v, %d rows:\n%s", err, len(rows), out.String())
			}
		case "markdown":
			if !strings.HasPrefix(out.String(), "| model | seq_len | batch_size |") || strings.Count(out.String(), "\n") != 5 {
				t.Errorf("markdown:\n%s", out.String())
			}
		}
	}
}

// TestSweepAtLimits: exact at 2^32 × 2^32 tokens.
func TestSweepAtLimits(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"sweep", "-seq", "4Gi", "-batch", "4Gi", "-metric", "tokens", "llama-3.1-8b"}, nil, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := new(big.Int).Lsh(big.NewInt(1), 64).String()
	if !strings.HasSuffix(strings.TrimSpace(out.String()), ","+want) {
		t.Errorf("got %s", out.String())
	}
}

func BenchmarkSweepCSV(b *testing.B) {
	args := []string{"sweep", "-seq", "1k..1M/100", "-batch", "1k..1M/100", "llama-3.1-8b"} // 10^4 points
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var out, errOut bytes.Buffer
		if code := run(args, nil, &out, &errOut); code != exitOK {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
	}
}

// TestSweepSVG: -format svg draws one metric, pinned by a golden drawn from
// the engine's exact numbers (testdata/charts); the chart itself is tested
// in render, rendering with rsvg-convert included.
func TestSweepSVG(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"sweep", "-seq", "1Ki..128Ki", "-metric", "kv_cache_bytes", "-format", "svg",
		"llama-3.1-8b", "mistral-7b", "deepseek-v3", "gemma-2-9b"}
	if code := run(args, nil, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	d := xml.NewDecoder(bytes.NewReader(out.Bytes()))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v", err)
		}
	}
	g := goldie.New(t, goldie.WithFixtureDir(filepath.Join("..", "..", "testdata", "charts")), goldie.WithNameSuffix(".svg"))
	g.Assert(t, "sweep-kv-cache", out.Bytes())

	out.Reset()
	errOut.Reset()
	if code := run([]string{"sweep", "-format", "svg", "gpt2"}, nil, &out, &errOut); code != exitUsage ||
		!strings.Contains(errOut.String(), "-format svg draws one metric") {
		t.Errorf("two metrics as svg: exit %d, %s", code, errOut.String())
	}
}
