package scale

import "math/big"

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
}

// CostModel evaluates the headline numbers of one model at any workload
// without rebuilding its ops: built once per Config and dtypes, then At
// gives a Point for each (seq_len, batch_size).
type CostModel struct {
	cfg            Config
	dtype, kvDType DType
	// Params, WeightsBytes and KVCacheBytesPerToken do not depend on the
	// workload.
	Params               Params
	WeightsBytes         int64
	KVCacheBytesPerToken int64
}

// NewCostModel validates c and the dtypes (kvDType "" is dtype) and
// returns the model's cost model.
func NewCostModel(c Config, dtype, kvDType DType) (*CostModel, error) {
	r, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 1, DType: dtype, KVDType: kvDType})
	if err != nil {
		return nil, err
	}
	return &CostModel{cfg: c, dtype: dtype, kvDType: r.Workload.KVDType, Params: r.Params,
		WeightsBytes: r.Memory.WeightsBytes, KVCacheBytesPerToken: r.Memory.KVCacheBytesPerToken}, nil
}

// At is the Point at batch sequences of seq tokens; the workload is
// validated as Analyze validates it.
func (m *CostModel) At(seq, batch int64) (Point, error) {
	r, err := Analyze(m.cfg, Workload{BatchSize: batch, SeqLen: seq, DType: m.dtype, KVDType: m.kvDType})
	if err != nil {
		return Point{}, err
	}
	last := r.Inference.Decode[len(r.Inference.Decode)-1]
	return Point{SeqLen: seq, BatchSize: batch, Tokens: r.Workload.Tokens,
		Forward: r.FLOPs.Forward, ForwardDense: r.FLOPs.ForwardDense, Training: r.FLOPs.Training,
		ForwardPerToken: r.FLOPs.PerToken.Forward, KVCacheBytes: r.Memory.KVCacheBytes,
		ActivationElements: r.Memory.ActivationElements.Total, DecodeFLOPs: last.FLOPs}, nil
}
