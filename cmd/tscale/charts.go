package main

import (
	"bytes"
	"fmt"
	"math/big"
	"path/filepath"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/render"
	"github.com/tscale/tscale/scale"
)

// chartSlugs are the presets the charts of tscale reports show side by
// side: a few of each family, so that every line can be told apart.
var chartSlugs = []string{"llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "mistral-7b", "mixtral-8x22b",
	"gemma-2-27b", "qwen2.5-72b", "deepseek-v3", "llama-4-maverick"}

// chartContexts are the context lengths the charts sweep: 1Ki to 128Ki.
var chartContexts = []int64{1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17}

// presetCharts are the charts tscale reports writes into svg/: forward
// FLOPs per token and KV cache bytes by context length (batch 1, bf16), and
// the weights' bytes by bits per weight. all is presets.All(), which the
// caller has already made.
func presetCharts(all []presets.Preset) ([]outFile, error) {
	var sweeps []modelSweep
	weights := render.Chart{Title: "weights by data type", XLabel: "bits per weight", XUnit: render.UnitCount,
		YLabel: "weights", YUnit: render.UnitBytes}
	bySlug := map[string]presets.Preset{} // one All(), not one per chart line
	for _, p := range all {
		bySlug[p.Slug] = p
	}
	for _, slug := range chartSlugs {
		p, ok := bySlug[slug]
		if !ok {
			_, err := presets.Lookup(slug) // the error that names the nearest slugs
			return nil, err
		}
		m, err := scale.NewCostModel(p.Config, scale.BF16, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", slug, err)
		}
		sweeps = append(sweeps, modelSweep{p: p, m: m, seqs: chartContexts})
		series := render.ChartSeries{Label: slug}
		plotted := map[int64]bool{} // one point per width: fp16 is bf16's, int8 fp8's
		for _, d := range m.WeightsByDType {
			if plotted[d.DType.Bits()] {
				continue
			}
			plotted[d.DType.Bits()] = true
			series.Points = append(series.Points, render.ChartPoint{X: big.NewInt(d.DType.Bits()), Y: big.NewInt(d.TotalBytes)})
		}
		weights.Series = append(weights.Series, series)
	}
	var files []outFile
	for _, name := range []string{"forward_flops_per_token", "kv_cache_bytes"} {
		metrics, err := parseMetrics(name)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := sweepChart(&b, sweeps, []int64{1}, metrics[0]); err != nil {
			return nil, err
		}
		files = append(files, outFile{filepath.Join("svg", name+".svg"), b.Bytes()})
	}
	var b bytes.Buffer
	if err := render.WriteSVG(&b, weights); err != nil {
		return nil, err
	}
	return append(files, outFile{filepath.Join("svg", "weights_bytes.svg"), b.Bytes()}), nil
}
