package scale_test

import (
	"testing"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// presetReport analyses the preset slug at batch sequences of seq tokens.
func presetReport(t *testing.T, slug string, seq, batch int64) *scale.Report {
	t.Helper()
	p, err := presets.Lookup(slug)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: batch, SeqLen: seq, DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDeepSeekV2TableOne reproduces DeepSeek-V2 (arXiv 2405.04434) Table 1
// for DeepSeek-V2 itself (n_h = 128, d_h = 128, l = 60, d_c = 512,
// d_h^R = 64): MHA caches 2·n_h·d_h·l = 1,966,080 elements per token, MLA
// (d_c + d_h^R)·l = 34,560 ≈ 9/2·d_h·l; and reads the per-head expansion as
// attention computes it, keys of 128 + 64 and values of 128 per head:
// 2,457,600, which is not the paper's MHA.
func TestDeepSeekV2TableOne(t *testing.T) {
	m := presetReport(t, "deepseek-v2", 4096, 1).Memory
	const nh, dh, l, dc, dhR = 128, 128, 60, 512, 64
	if 2*nh*dh*l != 1_966_080 {
		t.Fatalf("2·n_h·d_h·l = %d", 2*nh*dh*l)
	}
	if m.KVCacheElementsPerTokenMHA != 2*nh*dh*l {
		t.Errorf("MHA baseline %d elements per token, Table 1: 2·n_h·d_h·l = %d", m.KVCacheElementsPerTokenMHA, 2*nh*dh*l)
	}
	if m.KVCacheElementsPerToken != (dc+dhR)*l || 2*m.KVCacheElementsPerToken != 9*dh*l {
		t.Errorf("MLA %d elements per token, Table 1: (d_c + d_h^R)·l = %d = 9/2·d_h·l", m.KVCacheElementsPerToken, (dc+dhR)*l)
	}
	if m.KVCacheElementsPerTokenExpanded != nh*(dh+dhR+dh)*l {
		t.Errorf("expanded %d elements per token, want n_h·(d_h + d_h^R + d_h)·l = %d", m.KVCacheElementsPerTokenExpanded, nh*(dh+dhR+dh)*l)
	}
	// Without MLA, the MHA baseline is the expanded cache: 2·H·d per layer.
	for _, slug := range []string{"llama-3.1-8b", "gemma-7b", "falcon-7b"} {
		m := presetReport(t, slug, 64, 1).Memory
		if m.KVCacheElementsPerTokenMHA != m.KVCacheElementsPerTokenExpanded {
			t.Errorf("%s: MHA baseline %d, expanded %d", slug, m.KVCacheElementsPerTokenMHA, m.KVCacheElementsPerTokenExpanded)
		}
	}
}
