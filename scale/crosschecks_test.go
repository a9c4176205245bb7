package scale_test

import (
	"math/big"
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

func crossCheckValue(t *testing.T, r *scale.Report, name string) *big.Int {
	t.Helper()
	for _, cc := range r.CrossChecks {
		if cc.Name == name {
			if !cc.Applies {
				t.Errorf("%s does not apply: %v", name, cc.NotApplicable)
			}
			return cc.Value
		}
	}
	t.Fatalf("no cross-check %q", name)
	return nil
}

// TestFrameworkFormulasWorkedValues pins the values of Megatron-LM's
// num_floating_point_operations (megatron/training/training.py,
// transformer_flops) and MaxText's calculate_tflops_training_per_device
// (maxtext_utils.py, times 10^12) as their Python code evaluates them, in
// exact arithmetic, with the models' own arguments: GPT-3 175B (no swiglu,
// kv_channels 128, padded_vocab_size 50,304), Llama 3.1 8B (GQA, 8 query
// groups, swiglu), DeepSeek-V3 (MLA with q_lora_rank 1536, 256 experts top-8
// with one shared expert of 2048, moe_layer_freq [0]*3+[1]*58; MaxText's
// deepseek block), Mixtral 8x7B (MaxText's generic MoE path with gate_flops),
// Gemma 2 9B (MaxText's gemma2 block: a window of 4096 on every other layer)
// and Llama 4 Scout (MaxText's llama4 block: chunks of 8192, every 4th layer
// global).
func TestFrameworkFormulasWorkedValues(t *testing.T) {
	for _, tt := range []struct {
		slug              string
		seq, batch        int64
		megatron, maxText string // "" where the formula does not apply
	}{
		{"gpt3-175b", 2048, 1, "2174733068009472", "2174725971247104"},
		{"llama-3.1-8b", 8192, 2, "843291058765824", "843291058765824"},
		{"deepseek-v3", 4096, 1, "1023230173249536", "1025842738102272"},
		{"mixtral-8x7b", 4096, 1, "326477644038144", "326503413841920"},
		{"gemma-2-9b", 8192, 1, "", "506170485768192"},
		{"llama-4-scout", 20000, 1, "", "2246899956449280"},
	} {
		r := presetReport(t, tt.slug, tt.seq, tt.batch)
		for name, want := range map[string]string{scale.CheckMegatronLM: tt.megatron, scale.CheckMaxText: tt.maxText} {
			if want == "" {
				continue
			}
			if got := crossCheckValue(t, r, name); got.String() != want {
				t.Errorf("%s at %d × %d: %s = %v, its source gives %s", tt.slug, tt.batch, tt.seq, name, got, want)
			}
		}
	}
}

// TestMegatronLMIsTrainingLessHalfPairs: for llama-3.1-8b, llama-2-7b,
// llama-3-70b and gpt3-175b, Megatron-LM's current formula with the
// unpadded vocabulary is tscale's flops.training less 6·B·s·L·H·d exactly:
// it counts s²/2 attention pairs per head where tscale counts s(s+1)/2.
// Their vocabularies but GPT-3's are multiples of 128, so padding changes
// nothing there.
func TestMegatronLMIsTrainingLessHalfPairs(t *testing.T) {
	for _, slug := range []string{"llama-3.1-8b", "llama-2-7b", "llama-3-70b", "gpt3-175b"} {
		const seq, batch = 4096, 3
		p, _ := presets.Lookup(slug)
		s := min(seq, p.Context())
		r := presetReport(t, slug, s, batch)
		c := r.Config
		want := new(big.Int).Sub(r.FLOPs.Training, big.NewInt(6*batch*s*c.NumHiddenLayers*c.NumAttentionHeads*c.HeadDim))
		if got := crossCheckValue(t, r, scale.CheckMegatronLMUnpadded); got.Cmp(want) != 0 {
			t.Errorf("%s: Megatron-LM %v, flops.training − 6·B·s·L·H·d = %v", slug, got, want)
		}
		padded := crossCheckValue(t, r, scale.CheckMegatronLM)
		if same := padded.Cmp(want) == 0; same != (c.VocabSize%128 == 0) {
			t.Errorf("%s: vocabulary %d, padded value %v, unpadded %v", slug, c.VocabSize, padded, want)
		}
	}
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
