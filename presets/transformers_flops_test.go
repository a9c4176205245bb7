package presets

import (
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tscale/tscale/scale"
)

// TestTransformersFLOPs: for every random tiny hybrid config, the matmul
// FLOPs FlopCounterMode counted in transformers' eager forward pass equal
// tscale's in the same convention: flops.forward_dense (eager attention
// computes every s² score) less the recurrent scans and the depthwise
// convolutions, which transformers' torch paths compute elementwise or as a
// convolution, plus the scan parts those paths run as matmuls — lightning
// attention's blockwise form (flops.forward_chunked's scan, exactly),
// Mamba-1's readout C·h (2·d_inner·state_size per token) and Gated
// DeltaNet's chunked matmuls as transformers 5.x runs them (see the scale
// package documentation).
func TestTransformersFLOPs(t *testing.T) {
	rows := transformersCSV(t, "flops.csv", 5)
	if len(rows) < 200 {
		t.Errorf("%d rows in flops.csv, want at least 200", len(rows))
	}
	for _, cols := range rows {
		seq, err1 := strconv.ParseInt(cols[1], 10, 64)
		batch, err2 := strconv.ParseInt(cols[2], 10, 64)
		want, ok := new(big.Int).SetString(cols[3], 10)
		if err1 != nil || err2 != nil || !ok {
			t.Fatalf("malformed row %q", cols)
		}
		t.Run(cols[0]+"@"+cols[1], func(t *testing.T) {
			got, err := transformersMatmulFLOPs(cols[0], seq, batch)
			if err != nil {
				t.Fatal(err)
			}
			if got.Cmp(want) != 0 {
				t.Errorf("matmul FLOPs %v, transformers %v (differ by %v)", got, want, new(big.Int).Sub(got, want))
			}
		})
	}
}

// transformersMatmulFLOPs is tscale's count of the config at file in the
// convention of TestTransformersFLOPs.
func transformersMatmulFLOPs(file string, seq, batch int64) (*big.Int, error) {
	path := filepath.Join("..", "testdata", filepath.FromSlash(file))
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := FromHFConfig(path, data)
	if err != nil {
		return nil, err
	}
	c := p.Config
	r, err := scale.Analyze(c, scale.Workload{BatchSize: batch, SeqLen: seq, DType: scale.BF16})
	if err != nil {
		return nil, err
	}
	n := new(big.Int).Set(r.FLOPs.ForwardDense)
	for _, lg := range r.Layers {
		count := big.NewInt(lg.Count)
		for _, o := range lg.Ops {
			if o.Kind == scale.KindScan || o.Kind == scale.KindConv {
				n.Sub(n, new(big.Int).Mul(o.FLOPsDense, count))
			}
		}
		switch {
		case lg.Shape == nil:
		case lg.Shape.Attention == scale.PartLightning:
			n.Add(n, new(big.Int).Mul(lg.FLOPs.SSMScanChunked, count))
		case lg.Shape.Attention == scale.PartGatedDeltaNet: // 5.x's matmuls: 2·Q²·dk + Q²·dv + 3·Q·dk·dv per chunk and head
			Q, dk, dv := c.GDNChunkSize, c.GDNKeyHeadDim, c.GDNValueHeadDim
			chunks := (seq + Q - 1) / Q
			macs := big.NewInt(2*Q*Q*dk + Q*Q*dv + 3*Q*dk*dv)
			n.Add(n, macs.Mul(macs, big.NewInt(2*batch*chunks*c.GDNNumValueHeads*lg.Count)))
		case lg.Shape.Attention == scale.PartMamba1:
			readout := big.NewInt(2 * c.MambaInnerSize * c.MambaStateSize)
			n.Add(n, readout.Mul(readout, big.NewInt(batch*seq*lg.Count)))
		}
	}
	return n, nil
}
