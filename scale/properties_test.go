package scale

import (
	"math/big"
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomConfig draws a valid config small enough that nothing overflows.
// kvHeads is chosen among the divisors of the head count.
func randomConfig(rng *rand.Rand) Config {
	pick := func(xs ...int64) int64 { return xs[rng.Intn(len(xs))] }
	heads := pick(1, 2, 4, 6, 8, 12, 16, 32)
	var divisors []int64
	for k := int64(1); k <= heads; k++ {
		if heads%k == 0 {
			divisors = append(divisors, k)
		}
	}
	c := Config{
		VocabSize:             1 + rng.Int63n(5000),
		HiddenSize:            1 + rng.Int63n(512),
		NumHiddenLayers:       1 + rng.Int63n(8),
		NumAttentionHeads:     heads,
		NumKeyValueHeads:      divisors[rng.Intn(len(divisors))],
		HeadDim:               1 + rng.Int63n(128),
		IntermediateSize:      1 + rng.Int63n(2048),
		MaxPositionEmbeddings: 1 + rng.Int63n(4096),
		TieWordEmbeddings:     rng.Intn(2) == 0,
		MLP:                   []MLPKind{MLPStandard, MLPGated}[rng.Intn(2)],
		HiddenAct:             "silu",
		Norm:                  []NormKind{LayerNorm, RMSNorm}[rng.Intn(2)],
		PositionEmbedding:     []PositionKind{PositionLearned, PositionRoPE, PositionALiBi}[rng.Intn(3)],
		ParallelBlock:         rng.Intn(3) == 0,
		AttentionQKVBias:      rng.Intn(2) == 0,
		AttentionOutBias:      rng.Intn(2) == 0,
		MLPBias:               rng.Intn(2) == 0,
		LMHeadBias:            rng.Intn(4) == 0,
	}
	if c.ParallelBlock {
		c.NormsPerLayer = pick(1, 2)
	} else {
		c.NormsPerLayer = pick(2, 4)
	}
	if rng.Intn(3) == 0 {
		c.NumLocalExperts = 1 + rng.Int63n(16)
		c.NumExpertsPerTok = 1 + rng.Int63n(c.NumLocalExperts)
		c.MoEIntermediateSize = 1 + rng.Int63n(1024)
		if rng.Intn(2) == 0 {
			c.NumSharedExperts = 1 + rng.Int63n(2)
			c.SharedExpertIntermediateSize = 1 + rng.Int63n(1024)
		}
		c.IntermediateSize = 0 // every layer MoE: no dense MLP
	}
	return c
}

func randomWorkload(rng *rand.Rand, c Config) Workload {
	w := Workload{BatchSize: 1 + rng.Int63n(4), SeqLen: 1 + rng.Int63n(512), DType: DTypes()[rng.Intn(len(DTypes()))]}
	if c.PositionEmbedding == PositionLearned && w.SeqLen > c.MaxPositionEmbeddings {
		w.SeqLen = c.MaxPositionEmbeddings
	}
	return w
}

// forEachRandom runs f on n random valid configs and workloads from a fixed seed.
func forEachRandom(t *testing.T, n int, f func(t *testing.T, c Config, w Workload)) {
	t.Helper()
	rng := rand.New(rand.NewSource(20261126))
	for i := 0; i < n; i++ {
		c := randomConfig(rng)
		w := randomWorkload(rng, c)
		f(t, c, w)
		if t.Failed() {
			t.Fatalf("failed on config %+v, workload %+v", c, w)
		}
	}
}

func mustAnalyze(t *testing.T, c Config, w Workload) *Report {
	t.Helper()
	r, err := Analyze(c, w)
	if err != nil {
		t.Fatalf("Analyze(%+v, %+v): %v", c, w, err)
	}
	return r
}

var bigComparer = cmp.Comparer(func(a, b *big.Int) bool { return a.Cmp(b) == 0 })

// opsByName indexes the ops of the first layer group.
func opsByName(r *Report) map[string]Op {
	m := map[string]Op{}
	for _, o := range r.Layers[0].Ops {
		m[o.Name] = o
	}
	return m
}

// TestMHAMatchesTextbook: with as many KV heads as query heads, every
// attention op equals the textbook multi-head attention formulas, written
// here independently of the engine.
func TestMHAMatchesTextbook(t *testing.T) {
	forEachRandom(t, 2000, func(t *testing.T, c Config, w Workload) {
		c.NumKeyValueHeads = c.NumAttentionHeads
		r := mustAnalyze(t, c, w)
		if got := r.Architecture.AttentionType; got != "MHA" {
			t.Errorf("attention type %s, want MHA", got)
		}
		ops := opsByName(r)
		b, s, h, H, d := w.BatchSize, w.SeqLen, c.HiddenSize, c.NumAttentionHeads, c.HeadDim
		tokens := b * s
		for _, name := range []string{"q_proj", "k_proj", "v_proj"} {
			if got, want := ops[name].MACs, tokens*h*H*d; !isInt(got, want) {
				t.Errorf("%s MACs %d, want tokens·h·H·d = %d", name, got, want)
			}
		}
		if got, want := ops["scores"].MACs, b*H*d*s*(s+1)/2; !isInt(got, want) {
			t.Errorf("scores MACs %d, want %d", got, want)
		}
		if got, want := ops["scores"].OutputElements, b*H*s*s; !isInt(got, want) {
			t.Errorf("scores elements %d, want %d", got, want)
		}
		if got, want := r.Layers[0].KVCacheElementsPerToken, 2*H*d; got != want {
			t.Errorf("KV elements/token/layer %d, want 2·H·d = %d", got, want)
		}
	})
}

// TestMQAIsGQAWithOneKVHead: MQA is reported as such, and its K/V path is
// one head wide.
func TestMQAIsGQAWithOneKVHead(t *testing.T) {
	forEachRandom(t, 2000, func(t *testing.T, c Config, w Workload) {
		c.NumKeyValueHeads = 1
		r := mustAnalyze(t, c, w)
		want := "MQA"
		if c.NumAttentionHeads == 1 {
			want = "MHA" // one query head and one KV head is both; MHA wins
		}
		if got := r.Architecture.AttentionType; got != want {
			t.Errorf("attention type %s, want %s", got, want)
		}
		if got := r.Architecture.GroupSize; got != c.NumAttentionHeads {
			t.Errorf("group size %d, want %d", got, c.NumAttentionHeads)
		}
		ops := opsByName(r)
		if got, want := ops["k_proj"].Output, []int64{w.BatchSize, w.SeqLen, c.HeadDim}; !cmp.Equal(got, want) {
			t.Errorf("k_proj output %v, want %v", got, want)
		}
	})
}

// TestKVHeadsLinearity: K/V projection outputs, K/V weights and the KV cache
// are linear in the number of KV heads; the query path, scores, softmax,
// weights·V and the output projection do not depend on it; and the
// attention activation elements strictly fall as KV heads fall.
func TestKVHeadsLinearity(t *testing.T) {
	forEachRandom(t, 1000, func(t *testing.T, c Config, w Workload) {
		one := c
		one.NumKeyValueHeads = 1
		base := mustAnalyze(t, one, w)
		baseOps := opsByName(base)
		var prevAttention *big.Int
		for k := int64(1); k <= c.NumAttentionHeads; k++ {
			if c.NumAttentionHeads%k != 0 {
				continue
			}
			ck := c
			ck.NumKeyValueHeads = k
			r := mustAnalyze(t, ck, w)
			ops := opsByName(r)
			for _, name := range []string{"k_proj", "v_proj"} {
				weights := func(o Op) int64 {
					if c.AttentionQKVBias {
						return o.Params - o.Params/(c.HiddenSize+1) // weight part: bias is one row of h+1
					}
					return o.Params
				}
				if got, want := ops[name].OutputElements, scaledBy(baseOps[name].OutputElements, k); got.Cmp(want) != 0 {
					t.Errorf("%s elements at %d KV heads = %d, want %d", name, k, got, want)
				}
				if got, want := ops[name].MACs, scaledBy(baseOps[name].MACs, k); got.Cmp(want) != 0 {
					t.Errorf("%s MACs at %d KV heads = %d, want %d", name, k, got, want)
				}
				if got, want := weights(ops[name]), k*weights(baseOps[name]); got != want {
					t.Errorf("%s weights at %d KV heads = %d, want %d", name, k, got, want)
				}
			}
			if got, want := r.Memory.KVCacheElementsPerToken, k*base.Memory.KVCacheElementsPerToken; got != want {
				t.Errorf("KV cache elements at %d KV heads = %d, want %d", k, got, want)
			}
			for _, name := range []string{"q_proj", "scores", "softmax", "weighted_values", "o_proj"} {
				if diff := cmp.Diff(baseOps[name], ops[name], bigComparer, cmp.FilterPath(func(p cmp.Path) bool {
					return p.Last().String() == ".Inputs" || p.Last().String() == ".Note"
				}, cmp.Ignore())); diff != "" {
					t.Errorf("%s depends on KV heads (%d vs 1):\n%s", name, k, diff)
				}
			}
			if a := r.Memory.ActivationElements.Attention; prevAttention != nil && a.Cmp(prevAttention) <= 0 {
				t.Errorf("attention elements %d at %d KV heads, not above %d at fewer", a, k, prevAttention)
			} else {
				prevAttention = a
			}
		}
	})
}

// TestDenseMinusCausal: forward_dense − forward is exactly the FLOPs of the
// masked pairs: per head and sequence s² − s(s+1)/2 pairs, for Q·Kᵀ and for
// weights·V, 2 FLOPs × head_dim each.
func TestDenseMinusCausal(t *testing.T) {
	forEachRandom(t, 2000, func(t *testing.T, c Config, w Workload) {
		r := mustAnalyze(t, c, w)
		s := w.SeqLen
		masked := s*s - s*(s+1)/2
		want := big.NewInt(2 * 2 * w.BatchSize * c.NumAttentionHeads * c.HeadDim * masked * c.NumHiddenLayers)
		got := new(big.Int).Sub(r.FLOPs.ForwardDense, r.FLOPs.Forward)
		if got.Cmp(want) != 0 {
			t.Errorf("dense − causal = %v, want %v", got, want)
		}
	})
}

// denseOf is c with its experts removed: every layer a dense MLP of
// intermediate_size.
func denseOf(c Config) Config {
	if c.IntermediateSize == 0 { // an all-MoE model: the dense MLP takes the experts' width
		c.IntermediateSize = c.MoEIntermediateSize
	}
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 0, 0, 0
	c.NumSharedExperts, c.SharedExpertIntermediateSize, c.SharedExpertGate = 0, 0, false
	c.RouterScoreBias, c.FirstKDenseReplace, c.MoELayerInterval = false, 0, 0
	return c
}

// TestSingleExpertMoE: an MoE with one expert, top-1 and no shared expert
// equals the dense MLP plus its router (hidden × 1 weights, 2·tokens·hidden FLOPs).
func TestSingleExpertMoE(t *testing.T) {
	forEachRandom(t, 1000, func(t *testing.T, c Config, w Workload) {
		dense := denseOf(c)
		moe := dense
		moe.NumLocalExperts, moe.NumExpertsPerTok, moe.MoEIntermediateSize, moe.IntermediateSize = 1, 1, dense.IntermediateSize, 0
		rd, rm := mustAnalyze(t, dense, w), mustAnalyze(t, moe, w)
		L, h, tokens := c.NumHiddenLayers, c.HiddenSize, w.BatchSize*w.SeqLen
		if got, want := rm.Params.Total-rd.Params.Total, L*h; got != want {
			t.Errorf("MoE(1, top-1) params − dense = %d, want router %d", got, want)
		}
		if got, want := rm.Params.Active, rm.Params.Total; got != want {
			t.Errorf("MoE(1, top-1) active %d ≠ total %d", got, want)
		}
		diff := new(big.Int).Sub(rm.FLOPs.Forward, rd.FLOPs.Forward)
		if want := big.NewInt(2 * tokens * h * L); diff.Cmp(want) != 0 {
			t.Errorf("MoE(1, top-1) FLOPs − dense = %v, want router %v", diff, want)
		}
		if cmp.Diff(rd.FLOPs.Blocks.AttentionScores, rm.FLOPs.Blocks.AttentionScores, bigComparer) != "" {
			t.Errorf("attention changed by MoE")
		}
	})
}

// TestTotalsAreSumsOfParts: every total equals the sum of its parts.
func TestTotalsAreSumsOfParts(t *testing.T) {
	forEachRandom(t, 2000, func(t *testing.T, c Config, w Workload) {
		r := mustAnalyze(t, c, w)
		var params, active, layers int64
		fwd, dense := new(big.Int), new(big.Int)
		for _, st := range []Stage{r.Embedding, r.Head} {
			for _, o := range st.Ops {
				params += o.Params
				active += o.ActiveParams
				fwd.Add(fwd, o.FLOPs)
				dense.Add(dense, o.FLOPsDense)
			}
		}
		act := bigSum(r.Embedding.ActivationElements, r.Head.ActivationElements)
		for _, lg := range r.Layers {
			layers += lg.Count
			var lp, la int64
			lf, lel := new(big.Int), new(big.Int)
			for _, o := range lg.Ops {
				lp += o.Params
				la += o.ActiveParams
				lf.Add(lf, o.FLOPs)
				lel.Add(lel, materialized(o))
			}
			if lp != lg.Params || la != lg.ActiveParams || lf.Cmp(lg.FLOPs.Forward) != 0 || lel.Cmp(lg.ActivationElements.Total) != 0 {
				t.Errorf("layer sums: params %d/%d active %d/%d flops %d/%d elements %d/%d",
					lp, lg.Params, la, lg.ActiveParams, lf, lg.FLOPs.Forward, lel, lg.ActivationElements.Total)
			}
			f := lg.FLOPs
			if bigSum(f.AttentionProjections, f.AttentionScores, f.MLP).Cmp(f.Forward) != 0 {
				t.Errorf("layer FLOPs split %+v does not sum to forward", f)
			}
			if a := lg.ActivationElements; bigSum(a.Attention, a.MLP).Cmp(a.Total) != 0 || a.AttentionScores.Cmp(a.Attention) > 0 {
				t.Errorf("layer activation split %+v inconsistent", a)
			}
			params += lg.Count * lg.Params
			active += lg.Count * lg.ActiveParams
			fwd.Add(fwd, scaledBy(f.Forward, lg.Count))
			dense.Add(dense, scaledBy(f.ForwardDense, lg.Count))
			act.Add(act, scaledBy(lg.ActivationElements.Total, lg.Count))
		}
		if layers != c.NumHiddenLayers {
			t.Errorf("layer groups cover %d layers, want %d", layers, c.NumHiddenLayers)
		}
		p := r.Params
		if params != p.Total || active != p.Active || p.Embedding+p.NonEmbedding != p.Total || p.Active > p.Total {
			t.Errorf("params %+v; ops sum to total %d, active %d", p, params, active)
		}
		if !c.IsMoE() && p.Active != p.Total {
			t.Errorf("dense model: active %d ≠ total %d", p.Active, p.Total)
		}
		if fwd.Cmp(r.FLOPs.Forward) != 0 || dense.Cmp(r.FLOPs.ForwardDense) != 0 {
			t.Errorf("FLOPs: ops sum to %v / %v, report %v / %v", fwd, dense, r.FLOPs.Forward, r.FLOPs.ForwardDense)
		}
		for _, split := range []struct {
			b     BlockFLOPs
			total *big.Int
		}{{r.FLOPs.Blocks, r.FLOPs.Forward}, {r.FLOPs.BlocksDense, r.FLOPs.ForwardDense}} {
			sum := new(big.Int).Add(split.b.AttentionProjections, split.b.AttentionScores)
			sum.Add(sum, split.b.MLP).Add(sum, split.b.LMHead)
			if sum.Cmp(split.total) != 0 {
				t.Errorf("block split sums to %v, want %v", sum, split.total)
			}
		}
		a := r.Memory.ActivationElements
		if act.Cmp(a.Total) != 0 || bigSum(a.Embedding, a.Attention, a.MLP, a.Head).Cmp(a.Total) != 0 {
			t.Errorf("activation elements %+v; layers sum to %d", a, act)
		}
		if got, want := r.Memory.WeightsBytes*8, p.Total*w.DType.Bits(); got < want || got >= want+8 {
			t.Errorf("weights bytes %d for %d params at %d bits", r.Memory.WeightsBytes, p.Total, w.DType.Bits())
		}
	})
}

func TestBytesRoundsUp(t *testing.T) {
	calc := &checked{}
	for _, tt := range []struct{ n, bits, want int64 }{
		{7, 4, 4}, {8, 4, 4}, {0, 4, 0}, {3, 16, 6}, {5, 8, 5}, {1, 32, 4},
	} {
		if got := bytesOf(calc, "x", tt.n, tt.bits); got != tt.want {
			t.Errorf("bytesOf(%d elements, %d bits) = %d, want %d", tt.n, tt.bits, got, tt.want)
		}
	}
}
