package scale

import (
	"math/big"
	"testing"
)

// naiveMamba1 runs a Mamba-1 block's recurrent form over s tokens with
// plain loops, counting multiply-accumulates: in_proj (x and z), the
// depthwise conv over its window, x_proj to Δ, B and C, dt_proj, the state
// update and readout of every channel, out_proj. It returns the MACs and
// the state it keeps.
func naiveMamba1(c Config, s int64) (macs, ssmState, convState int64) {
	h, inner, N, R, k := c.HiddenSize, c.MambaInnerSize, c.MambaStateSize, c.MambaDTRank, c.MambaConvKernel
	state := make([][]float64, inner)
	conv := make([][]float64, inner)
	for i := range state {
		state[i], conv[i] = make([]float64, N), make([]float64, k)
	}
	for t := int64(0); t < s; t++ {
		macs += h * 2 * inner // in_proj
		for ch := range conv {
			copy(conv[ch], conv[ch][1:])
			conv[ch][k-1] = 1
			for range conv[ch] {
				macs++
			}
		}
		macs += inner * (R + 2*N) // x_proj
		macs += R * inner         // dt_proj
		for ch := range state {
			for n := range state[ch] {
				state[ch][n] = 0.5*state[ch][n] + 1 // decay + Δ·x·B: one MAC
				macs++
			}
			for range state[ch] { // y = h·C
				macs++
			}
		}
		macs += inner * h // out_proj
	}
	for i := range state {
		ssmState += int64(len(state[i]))
		convState += int64(len(conv[i]))
	}
	return macs, ssmState, convState
}

// TestMamba1ByHand: a tiny Jamba-like hybrid's parameters by hand from
// modeling_jamba.py's JambaMambaMixer, and its FLOPs and state against the
// naive recurrence; decoding costs the same at every KV length on its
// Mamba-1 layers.
func TestMamba1ByHand(t *testing.T) {
	c := tinyHybrid()
	c.Layers = []LayerShape{{Attention: PartMamba1, MLP: PartNone}, {}, {Attention: PartMamba1}}
	c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 0, 0, 0, 0, 0, 0
	c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = false, false, false
	c.MambaInnerSize, c.MambaStateSize, c.MambaConvKernel, c.MambaDTRank = 16, 4, 3, 2
	c.MambaConvBias, c.MambaInnerNorms = true, true
	const b, s = 2, 10
	r := mustAnalyze(t, c, Workload{BatchSize: b, SeqLen: s, DType: BF16})
	h, inner, N, R, k := int64(8), int64(16), int64(4), int64(2), int64(3)
	mamba := h + // the block's norm
		h*2*inner + // in_proj
		inner*k + inner + // conv1d with bias
		inner*(R+2*N) + // x_proj
		R + 2*N + // dt, B and C RMSNorms
		R*inner + inner + // dt_proj with bias
		inner*N + inner + // A_log, D
		inner*h // out_proj
	mlp := h + 3*h*12
	attention := h + h*8 + 2*h*4 + 8*h
	if want := 2*16*h + h + mamba + (attention + mlp) + (mamba + mlp); r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	macs, ssmState, convState := naiveMamba1(c, s)
	for _, lg := range r.Layers {
		if lg.Shape.Attention != PartMamba1 {
			continue
		}
		if got, want := lg.FLOPs.SSM, big.NewInt(2*b*macs); got.Cmp(want) != 0 {
			t.Errorf("Mamba-1 block FLOPs %v, naive recurrence %v", got, want)
		}
		if lg.SSMStateElements != ssmState || lg.ConvStateElements != convState {
			t.Errorf("state %d + %d, naive %d + %d", lg.SSMStateElements, lg.ConvStateElements, ssmState, convState)
		}
	}
	if r.FLOPs.ForwardChunked.Cmp(r.FLOPs.Forward) != 0 || r.FLOPs.SSMChunkSize != 0 {
		t.Errorf("Mamba-1 has no chunked form: forward_chunked %v, forward %v, chunk %d", r.FLOPs.ForwardChunked, r.FLOPs.Forward, r.FLOPs.SSMChunkSize)
	}
	checkOwnCheckpoint(t, c, r)
}

// tinyShortConv is tinyHybrid with LFM2's short convolutions (kernel 3,
// with bias) in place of its Mamba-2 blocks.
func tinyShortConv() Config {
	c := tinyHybrid()
	c.Layers = []LayerShape{{Attention: PartShortConv}, {}, {Attention: PartShortConv, MLP: PartNone}}
	c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 0, 0, 0, 0, 0, 0
	c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = false, false, false
	c.ShortConvKernel, c.ShortConvBias = 3, true
	return c
}

// TestShortConvByHand: LFM2's short-convolution block counted with plain
// loops over tokens: in_proj (h → 3h), the depthwise conv over its window
// (one MAC per channel and tap), out_proj; its state is the window, h × k
// per sequence, whatever the sequence length; a checkpoint of its tensors
// agrees.
func TestShortConvByHand(t *testing.T) {
	c := tinyShortConv()
	h, k := c.HiddenSize, c.ShortConvKernel
	for _, s := range []int64{1, 10, 100} {
		r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: s, DType: BF16})
		var macs int64
		window := make([][]float64, h)
		for ch := range window {
			window[ch] = make([]float64, k)
		}
		for range s {
			macs += h * 3 * h
			for ch := range window {
				copy(window[ch], window[ch][1:])
				for range window[ch] {
					macs++
				}
			}
			macs += h * h
		}
		lg := r.Layers[0]
		if got, want := lg.FLOPs.SSM, big.NewInt(2*macs); got.Cmp(want) != 0 {
			t.Errorf("s=%d: short-convolution FLOPs %v, naive %v", s, got, want)
		}
		if got := r.Memory.RecurrentStateElementsPerSequence; got != 2*h*k {
			t.Errorf("s=%d: state %d, want 2 × %d", s, got, h*k)
		}
		if s == 10 {
			checkOwnCheckpoint(t, c, r)
		}
	}
}

// checkOwnCheckpoint: a checkpoint of exactly the tensors c implies agrees
// with it and holds params.total.
func checkOwnCheckpoint(t *testing.T, c Config, r *Report) {
	t.Helper()
	ck, err := CompareCheckpoint(c, 1, 0, storedFrom(t, c))
	if err != nil || !ck.Agrees || ck.Params != r.Params.Total {
		t.Errorf("the config's own checkpoint: %v, agrees %v, params %d of %d", err, ck.Agrees, ck.Params, r.Params.Total)
	}
}

// TestRecurrentStateOnAGPU: the inference memory of one GPU holds the KV
// cache of the attention layers and the state of every recurrent layer,
// short-convolution windows included (they hold no SSM state).
func TestRecurrentStateOnAGPU(t *testing.T) {
	c := tinyShortConv()
	l := OneGPU()
	r, err := AnalyzeOn(c, Workload{BatchSize: 2, SeqLen: 16, DType: BF16}, Deployment{Layout: &l})
	if err != nil {
		t.Fatal(err)
	}
	want := new(big.Int).Add(r.Memory.KVCacheBytes, r.Memory.RecurrentStateBytes)
	if got := part(r.PerGPU.Inference, PartKVCache); got == nil || got.Cmp(want) != 0 {
		t.Errorf("KV cache and state on the GPU %v bytes, want %v (KV %v + state %v)", got, want, r.Memory.KVCacheBytes, r.Memory.RecurrentStateBytes)
	}
}
