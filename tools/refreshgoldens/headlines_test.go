package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/render"
	"github.com/tscale/tscale/scale"
)

// TestHeadlinesMatchTheEngine: the headline numbers read back from a YAML
// report are the engine's, exactly — FLOPs beyond 2^63 included.
func TestHeadlinesMatchTheEngine(t *testing.T) {
	for _, tt := range []struct {
		slug string
		w    scale.Workload
	}{
		{"gpt2", scale.Workload{BatchSize: 1, SeqLen: 1024, DType: scale.BF16}},
		{"mixtral-8x7b", scale.Workload{BatchSize: 1, SeqLen: 32768, DType: scale.BF16}},
		{"llama-3.1-405b", scale.Workload{BatchSize: 64, SeqLen: 131072, DType: scale.FP8}}, // FLOPs > 2^63
	} {
		t.Run(tt.slug, func(t *testing.T) {
			p, err := presets.Lookup(tt.slug)
			if err != nil {
				t.Fatal(err)
			}
			r, err := scale.Analyze(p.Config, tt.w)
			if err != nil {
				t.Fatal(err)
			}
			var y bytes.Buffer
			if err := render.Write(&y, render.NewDocument(p.Model(), r), render.FormatYAML); err != nil {
				t.Fatal(err)
			}
			got, err := headlines(y.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"params.total":                     fmt.Sprint(r.Params.Total),
				"params.active":                    fmt.Sprint(r.Params.Active),
				"flops.forward":                    r.FLOPs.Forward.String(),
				"flops.forward_dense":              r.FLOPs.ForwardDense.String(),
				"memory.weights_bytes":             fmt.Sprint(r.Memory.WeightsBytes),
				"memory.kv_cache_bytes_per_token":  fmt.Sprint(r.Memory.KVCacheBytesPerToken),
				"memory.kv_cache_bytes":            r.Memory.KVCacheBytes.String(),
				"memory.activation_elements.total": r.Memory.ActivationElements.Total.String(),
			}
			for _, key := range headlineKeys {
				if got[key] != want[key] {
					t.Errorf("%s = %s, want %s", key, got[key], want[key])
				}
			}
		})
	}
}

// TestHeadlinesErrors: a report without a headline, or with one that is not
// a number, is refused with the key named.
func TestHeadlinesErrors(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{"params: {total: 1}\n", "read YAML report: no params.active"},
		{"params: {total: [1, 2]}\n", "read YAML report: params.total is not a number"},
		{"params: [\n", "read YAML report: "},
	} {
		_, err := headlines([]byte(tt.doc))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("headlines(%q): error %v, want %q", tt.doc, err, tt.want)
		}
	}
}
