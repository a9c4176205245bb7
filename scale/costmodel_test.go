package scale

import (
	"math/big"
	"math/rand"
	"testing"
)

// TestCostModelEqualsAnalyze: at thousands of random (config, seq, batch)
// points, windows, chunks, MLA and MoE included, every number of the cost
// model equals the report of Analyze.
func TestCostModelEqualsAnalyze(t *testing.T) {
	rng := rand.New(rand.NewSource(29112026))
	points := 0
	forEachRandom(t, 400, func(t *testing.T, c Config, w Workload) {
		switch rng.Intn(4) {
		case 1:
			c.SlidingWindow, c.GlobalAttentionInterval = 1+rng.Int63n(40), rng.Int63n(4)
		case 2:
			c.AttentionChunkSize, c.GlobalAttentionInterval = 1+rng.Int63n(40), rng.Int63n(4)
		case 3:
			if !c.IsMoE() && rng.Intn(2) == 0 {
				c = mla(1 + rng.Int63n(8))
			}
		}
		w.KVDType = DTypes()[rng.Intn(len(DTypes()))]
		m, err := NewCostModel(c, w.DType, w.KVDType)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 10; i++ {
			seq, batch := 1+rng.Int63n(300), 1+rng.Int63n(5)
			if i == 9 { // a long context and a large batch
				seq, batch = 1+rng.Int63n(MaxSeqLen), 1+rng.Int63n(MaxBatchSize)
			}
			if c.PositionEmbedding == PositionLearned {
				seq = min(seq, c.MaxPositionEmbeddings)
			}
			ww := w
			ww.SeqLen, ww.BatchSize = seq, batch
			r := mustAnalyze(t, c, ww)
			p, err := m.At(seq, batch)
			if err != nil {
				t.Fatal(err)
			}
			points++
			last := r.Inference.Decode[len(r.Inference.Decode)-1]
			check := func(name string, got, want *big.Int) {
				if got.Cmp(want) != 0 {
					t.Errorf("seq %d batch %d: %s = %v, Analyze %v", seq, batch, name, got, want)
				}
			}
			check("tokens", p.Tokens, r.Workload.Tokens)
			check("forward", p.Forward, r.FLOPs.Forward)
			check("forward_dense", p.ForwardDense, r.FLOPs.ForwardDense)
			check("training", p.Training, r.FLOPs.Training)
			check("kv_cache_bytes", p.KVCacheBytes, r.Memory.KVCacheBytes)
			check("activation elements", p.ActivationElements, r.Memory.ActivationElements.Total)
			check("decode", p.DecodeFLOPs, last.FLOPs)
			if !p.ForwardPerToken.Equal(r.FLOPs.PerToken.Forward) {
				t.Errorf("seq %d batch %d: per-token forward %v, Analyze %v", seq, batch, p.ForwardPerToken, r.FLOPs.PerToken.Forward)
			}
			if m.Params != r.Params || m.WeightsBytes != r.Memory.WeightsBytes || m.KVCacheBytesPerToken != r.Memory.KVCacheBytesPerToken {
				t.Errorf("workload-free numbers differ")
			}
		}
	})
	if points < 4000 {
		t.Errorf("only %d points checked", points)
	}
}

// TestCostModelRefusesWhatAnalyzeRefuses: the same workload limits.
func TestCostModelRefusesWhatAnalyzeRefuses(t *testing.T) {
	c := gpt2Style(768, 12, 12)
	m, err := NewCostModel(c, BF16, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range [][2]int64{{0, 1}, {1, 0}, {c.MaxPositionEmbeddings + 1, 1}, {1, MaxBatchSize + 1}} {
		if _, err := m.At(w[0], w[1]); err == nil {
			t.Errorf("At(%d, %d) accepted", w[0], w[1])
		}
	}
}

func BenchmarkCostModelAt(b *testing.B) {
	m := benchCostModel(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := m.At(int64(1+i%131072), int64(1+i%64)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCostModelEval is the sweep's path: one Point reused.
func BenchmarkCostModelEval(b *testing.B) {
	m := benchCostModel(b)
	var p Point
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := m.Eval(int64(1+i%131072), int64(1+i%64), &p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeOnePoint is the baseline the cost model replaces.
func BenchmarkAnalyzeOnePoint(b *testing.B) {
	c := benchConfig()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Analyze(c, Workload{BatchSize: int64(1 + i%64), SeqLen: int64(1 + i%131072), DType: BF16}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchConfig is Llama-3.1-8B's shape.
func benchConfig() Config {
	c := llamaStyle(128256, 4096, 32, 32, 8, 128, 14336)
	c.MaxPositionEmbeddings = 131072
	return c
}

func benchCostModel(b *testing.B) *CostModel {
	m, err := NewCostModel(benchConfig(), BF16, "")
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// TestPerTokenLowestTerms: perToken equals base + n/s as math/big reduces
// it, numerator and denominator alike, for random n of up to 200 bits and
// s up to 2^32, and for the edge cases s = 1 and n = 0.
func TestPerTokenLowestTerms(t *testing.T) {
	rng := rand.New(rand.NewSource(30112026))
	var q, x, y big.Int
	for i := 0; i < 5000; i++ {
		base := new(big.Int).Rand(rng, new(big.Int).Lsh(big.NewInt(1), uint(rng.Intn(80))))
		n := new(big.Int).Rand(rng, new(big.Int).Lsh(big.NewInt(1), uint(rng.Intn(200))))
		s := 1 + rng.Int63n(MaxSeqLen)
		switch i {
		case 0:
			s = 1
		case 1:
			n.SetInt64(0)
		}
		got := new(big.Rat)
		perToken(got, base, n, s, &q, &x, &y)
		want := new(big.Rat).SetFrac(new(big.Int).Add(new(big.Int).Mul(base, big.NewInt(s)), n), big.NewInt(s))
		if got.Num().Cmp(want.Num()) != 0 || got.Denom().Cmp(want.Denom()) != 0 {
			t.Fatalf("base %v + %v/%d: %v, want %v", base, n, s, got, want)
		}
	}
}
