package scale

import (
	"errors"
	"math/big"
	"testing"
)

// FuzzAnalyzeOn: any layout and device on a few models of every kind (MHA
// with biases, GQA, MoE with shared experts, MLA) give a report or errors
// that name their field or quantity, never a panic; a report's totals are
// the sums of their parts and its stages exist.
func FuzzAnalyzeOn(f *testing.F) {
	f.Add(uint8(0), int64(8), int64(16), int64(8), int64(1), int64(0), int64(1), int64(1), int64(0), int64(1), int64(0), uint8(6), int64(2048), int64(1))
	f.Add(uint8(2), int64(2), int64(2), int64(4), int64(4), int64(1), int64(1), int64(2), int64(3), int64(1), int64(8), uint8(1), int64(64), int64(3))
	f.Add(uint8(3), int64(4), int64(1), int64(2), int64(1), int64(0), int64(2), int64(0), int64(2), int64(1), int64(0), uint8(9), int64(256), int64(2))
	models := []Config{gpt2Style(96, 7, 12), llamaStyle(500, 128, 5, 16, 4, 8, 200), moeStyle(), mla(8)}
	f.Fuzz(func(t *testing.T, model uint8, tp, pp, dp, ep, etp, cp, mbs, m, zero, gpus int64, flags uint8, seq, batch int64) {
		c := models[int(model)%len(models)]
		if seq > c.MaxPositionEmbeddings && c.PositionEmbedding == PositionLearned {
			seq = c.MaxPositionEmbeddings
		}
		l := Layout{TP: tp, PP: pp, DP: dp, EP: ep, ETP: etp, CP: cp, MicroBatchSize: mbs, MicroBatches: m, ZeRO: zero, GPUs: gpus,
			SequenceParallel: flags&1 != 0, Recompute: []Recompute{"", RecomputeNone, RecomputeSelective, RecomputeFull, "x"}[flags>>1%5],
			Optimizer: Optimizers()[int(flags>>4)%4]}
		dev := &Device{Slug: "toy", MemoryBytes: 1 << 30, BandwidthBytesPerSecond: 1 << 40,
			PeakFLOPs: []PeakFLOPs{{Precision: "bf16", PerSecond: 1 << 50}}}
		w := Workload{BatchSize: batch, SeqLen: seq, DType: BF16}
		r, err := AnalyzeOn(c, w, Deployment{Layout: &l, Device: dev})
		if err != nil {
			for _, e := range flatten(err) {
				var fe *FieldError
				var oe *OverflowError
				if !errors.As(e, &fe) && !errors.As(e, &oe) {
					t.Fatalf("%+v: an error that names no field: %v", l, e)
				}
			}
			return
		}
		for _, g := range []GPUMemory{r.PerGPU.Training, r.PerGPU.Inference} {
			sum := new(big.Int)
			for _, p := range g.Parts {
				sum.Add(sum, p.Bytes)
			}
			if sum.Cmp(g.TotalBytes) != 0 || g.Stage < 0 || g.Stage >= r.Parallel.PP || g.Layers < 1 {
				t.Fatalf("%+v: parts sum to %v, total %v, stage %d of %d with %d layers", l, sum, g.TotalBytes, g.Stage, r.Parallel.PP, g.Layers)
			}
		}
	})
}

// moeStyle is a small MoE model with shared experts.
func moeStyle() Config {
	c := llamaStyle(300, 64, 4, 8, 2, 8, 0)
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 8, 2, 32
	c.NumSharedExperts, c.SharedExpertIntermediateSize = 1, 48
	return c
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
