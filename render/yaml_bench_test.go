package render

import (
	"bytes"
	"testing"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// BenchmarkYAMLReport, BenchmarkJSONReport and BenchmarkTextReport render
// one large report (deepseek-v3, 61 layers, 256 experts) in each format.
func BenchmarkYAMLReport(b *testing.B) { benchmarkReport(b, FormatYAML) }

func BenchmarkJSONReport(b *testing.B) { benchmarkReport(b, FormatJSON) }

func BenchmarkTextReport(b *testing.B) { benchmarkReport(b, FormatText) }

func benchmarkReport(b *testing.B, f Format) {
	p, err := presets.Lookup("deepseek-v3")
	if err != nil {
		b.Fatal(err)
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: p.Context(), DType: scale.BF16})
	if err != nil {
		b.Fatal(err)
	}
	d := NewDocument(p.Model(), r)
	var buf bytes.Buffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := Write(&buf, d, f); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
