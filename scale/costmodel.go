package scale

import (
	"math/big"
)

// Point is the headline numbers of a model at one workload: BatchSize
// sequences of SeqLen tokens. Every count is exact and equals what Analyze
// reports for the same Config and Workload.
type Point struct {
	SeqLen    int64
	BatchSize int64
	// Tokens is BatchSize × SeqLen.
	Tokens *big.Int
	// Forward and ForwardDense are flops.forward and flops.forward_dense;
	// Training is flops.training (3 × Forward).
	Forward      *big.Int
	ForwardDense *big.Int
	Training     *big.Int
	// ForwardPerToken is flops.per_token.forward.
	ForwardPerToken *Fraction
	// KVCacheBytes is memory.kv_cache_bytes, in the model's KV dtype.
	KVCacheBytes *big.Int
	// ActivationElements is memory.activation_elements.total.
	ActivationElements *big.Int
	// DecodeFLOPs is decoding one token of one sequence at KV length SeqLen:
	// the last of inference.decode.
	DecodeFLOPs *big.Int
	// RecurrentStateBytes is memory.recurrent_state_bytes: the recurrent
	// layers' state of BatchSize sequences, constant in SeqLen (0 without
	// such layers).
	RecurrentStateBytes *big.Int

	scratch [6]big.Int // Eval's temporaries
}

// CostModel evaluates the headline numbers of one model at any workload
// from closed forms in the sequence length s and batch size b, without
// rebuilding its ops: built once per Config and dtypes from the ops of a
// one-token forward pass, then At (or Eval, which reuses a Point's storage)
// gives the numbers at each (s, b).
//
// Per layer group of n layers, with its weight-matmul FLOPs w and its
// activation elements a per token (one-token ops, the s×s tensors left
// out), its attention FLOPs per (query, key) pair p = 2·H·(qk_dim + v_dim)
// and its s×s tensors' elements q per pair and batch row:
//
//	forward         T·(embedding + head + Σ n·w) + Σ n·p·b·pairs(s)
//	forward_dense   the same with s² pairs
//	activations     T·(embedding + head + Σ n·a) + Σ n·q·b·s²
//	KV cache        Σ n·(elements per token)·b·cached(s), in bytes of kv_dtype
//	decode at k     embedding + head + Σ n·w + Σ n·p·keys(k)
//
// where pairs, cached and keys are the span's exact piecewise forms.
type CostModel struct {
	cfg            Config
	dtype, kvDType DType
	// Params, WeightsBytes and KVCacheBytesPerToken do not depend on the
	// workload.
	Params               Params
	WeightsBytes         int64
	KVCacheBytesPerToken int64
	// RecurrentStateBytesPerSequence is memory.recurrent_state_bytes_per_sequence:
	// the Mamba-2 layers' state, constant in seq (0 without them).
	RecurrentStateBytesPerSequence int64
	// WeightsByDType is memory.weights_by_dtype.
	WeightsByDType []DTypeBytes

	decoder      *decoder // one token's weight matmuls, and each group's pairs and KV cache terms
	actPerToken  *big.Int // activation elements of one token, s×s tensors left out
	square       *big.Int // Σ n·q: s×s elements per s² per batch row
	densePerPair *big.Int // Σ n·p: attention FLOPs per pair, all layers
}

// NewCostModel validates c and the dtypes (kvDType "" is dtype) and
// returns the model's cost model.
func NewCostModel(c Config, dtype, kvDType DType) (*CostModel, error) {
	r, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 1, DType: dtype, KVDType: kvDType})
	if err != nil {
		return nil, err
	}
	calc := &checked{}
	d := newDecoder(calc, r, groupLayers(c.layerSpecs()))
	if calc.err != nil {
		return nil, calc.err
	}
	m := &CostModel{cfg: c, dtype: dtype, kvDType: r.Workload.KVDType, Params: r.Params,
		WeightsBytes: r.Memory.WeightsBytes, KVCacheBytesPerToken: r.Memory.KVCacheBytesPerToken,
		RecurrentStateBytesPerSequence: r.Memory.RecurrentStateBytesPerSequence,
		WeightsByDType:                 r.Memory.WeightsByDType, decoder: d,
		actPerToken: bigSum(r.Embedding.ActivationElements, r.Head.ActivationElements),
		square:      new(big.Int), densePerPair: new(big.Int)}
	// The report at one token holds each group's activations per token, and
	// its s×s tensors are those of a single pair.
	for _, lg := range r.Layers {
		linear := new(big.Int).Sub(lg.ActivationElements.Total, lg.ActivationElements.AttentionScores)
		m.actPerToken.Add(m.actPerToken, scaledBy(linear, lg.Count))
		m.square.Add(m.square, scaledBy(lg.ActivationElements.AttentionScores, lg.Count))
	}
	for _, g := range d.groups {
		m.densePerPair.Add(m.densePerPair, g.perPair)
	}
	return m, nil
}

// At is the Point at batch sequences of seq tokens. The workload is
// validated as Analyze validates it.
func (m *CostModel) At(seq, batch int64) (Point, error) {
	var p Point
	err := m.Eval(seq, batch, &p)
	return p, err
}

// Eval sets p to the Point at batch sequences of seq tokens, reusing p's
// storage: a sweep that passes the same Point allocates almost nothing.
// The workload is validated as Analyze validates it.
func (m *CostModel) Eval(seq, batch int64, p *Point) error {
	w := Workload{BatchSize: batch, SeqLen: seq, DType: m.dtype, KVDType: m.kvDType}
	if err := w.Validate(m.cfg); err != nil {
		return err
	}
	p.init()
	s, b := &p.scratch[0], &p.scratch[1]
	t, u := &p.scratch[2], &p.scratch[3]
	s.SetInt64(seq)
	b.SetInt64(batch)
	p.SeqLen, p.BatchSize = seq, batch
	p.Tokens.Mul(b, s)
	p.Forward.Mul(p.Tokens, m.decoder.base)
	p.ActivationElements.Mul(p.Tokens, m.actPerToken)
	u.Mul(p.Tokens, s) // b·s²
	p.ForwardDense.Mul(u, m.densePerPair)
	p.ForwardDense.Add(p.ForwardDense, p.Forward)
	p.ActivationElements.Add(p.ActivationElements, t.Mul(u, m.square))
	// n: one sequence's attention FLOPs over its pairs, Σ pairs(s)·perPair;
	// forward = T·base + b·n, and per token base + n/s.
	n, q := &p.scratch[4], &p.scratch[5]
	n.SetInt64(0)
	for _, g := range m.decoder.groups {
		t.SetUint64(g.span.pairs64(seq))
		n.Add(n, t.Mul(t, g.perPair))
	}
	p.Forward.Add(p.Forward, t.Mul(n, b))
	m.decoder.kvElementsInto(p.KVCacheBytes, t, seq)
	bytesInto(p.KVCacheBytes.Mul(p.KVCacheBytes, b), m.decoder.kvBits)
	p.Training.Mul(p.Forward, t.SetInt64(3))
	perToken(p.ForwardPerToken.Rat(), m.decoder.base, n, seq, q, t, u)
	m.decoder.flopsInto(p.DecodeFLOPs, t, seq)
	p.RecurrentStateBytes.Mul(b, t.SetInt64(m.RecurrentStateBytesPerSequence))
	return nil
}

// perToken sets z to base + n/s in lowest terms, s ≥ 1: (base·s + n)/s
// shares with s only the factors of gcd(n mod s, s), which the words of s
// give without a big GCD. q, t and u are scratch.
func perToken(z *big.Rat, base, n *big.Int, s int64, q, t, u *big.Int) {
	q.QuoRem(n, u.SetInt64(s), t) // t = n mod s < s
	g := gcd64(uint64(t.Int64()), uint64(s))
	q.Quo(n, u.SetUint64(g))                        // n/g, exact: g divides s and n mod s
	q.Add(q, t.Mul(base, u.SetUint64(uint64(s)/g))) // (base·s + n)/g
	// Already in lowest terms: set numerator and denominator without
	// SetFrac's GCD (z is initialised by SetInt, so Denom is z's own).
	z.SetInt(q)
	if d := uint64(s) / g; d != 1 {
		z.Denom().SetUint64(d)
	}
}

// gcd64 is the greatest common divisor of a and b (gcd(0, b) = b).
func gcd64(a, b uint64) uint64 {
	for a != 0 {
		a, b = b%a, a
	}
	return b
}

// init allocates p's numbers once.
func (p *Point) init() {
	if p.Tokens != nil {
		return
	}
	p.Tokens, p.Forward, p.ForwardDense, p.Training = new(big.Int), new(big.Int), new(big.Int), new(big.Int)
	p.KVCacheBytes, p.ActivationElements, p.DecodeFLOPs, p.RecurrentStateBytes = new(big.Int), new(big.Int), new(big.Int), new(big.Int)
	p.ForwardPerToken = (*Fraction)(new(big.Rat))
}
