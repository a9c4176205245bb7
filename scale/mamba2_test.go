package scale

import (
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// tinyHybrid is a small model of three layers: a Mamba-2 block alone, an
// attention layer with its MLP, and a Mamba-2 block with an MLP.
func tinyHybrid() Config {
	return Config{
		VocabSize: 16, HiddenSize: 8, NumHiddenLayers: 3, NumAttentionHeads: 2, NumKeyValueHeads: 1, HeadDim: 4,
		IntermediateSize: 12, MaxPositionEmbeddings: 64, MLP: MLPGated, HiddenAct: "silu", Norm: RMSNorm,
		PositionEmbedding: PositionRoPE, NormsPerLayer: 2,
		Layers:         []LayerShape{{Attention: PartMamba2, MLP: PartNone}, {}, {Attention: PartMamba2}},
		Mamba2NumHeads: 3, Mamba2HeadDim: 2, Mamba2StateSize: 5, Mamba2NGroups: 3, Mamba2ConvKernel: 4,
		Mamba2ChunkSize: 4, Mamba2InProjBias: true, Mamba2OutProjBias: true, Mamba2ConvBias: true,
	}
}

// naiveMamba2 runs a Mamba-2 block's recurrent form over s tokens with
// plain loops, counting multiply-accumulates as it goes, the way the
// modelling code's single-token step computes them: in_proj, the
// depthwise conv over its window, the state update and readout of every
// head, out_proj. It returns the MACs and the state it keeps.
func naiveMamba2(c Config, s int64) (macs, ssmState, convState int64) {
	h, H, P, N, G, k := c.HiddenSize, c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel
	inner := H * P
	convDim := inner + 2*G*N
	state := make([][][]float64, H) // [head][p][n]
	for i := range state {
		state[i] = make([][]float64, P)
		for j := range state[i] {
			state[i][j] = make([]float64, N)
		}
	}
	conv := make([][]float64, convDim) // [channel][tap]
	for i := range conv {
		conv[i] = make([]float64, k)
	}
	for t := int64(0); t < s; t++ {
		for o := int64(0); o < 2*inner+2*G*N+H; o++ { // in_proj: z, x, B, C, dt
			for i := int64(0); i < h; i++ {
				macs++
			}
		}
		for ch := range conv { // shift the window, then one MAC per tap
			copy(conv[ch], conv[ch][1:])
			conv[ch][k-1] = 1
			for range conv[ch] {
				macs++
			}
		}
		for hd := range state { // head hd reads its group's B and C
			for p := range state[hd] {
				for n := range state[hd][p] {
					state[hd][p][n] = 0.5*state[hd][p][n] + 1 // decay (elementwise) + Δ·x·B: one MAC
					macs++
				}
				var y float64
				for n := range state[hd][p] { // y = h·C
					y += state[hd][p][n]
					macs++
				}
				_ = y
			}
		}
		for o := int64(0); o < h; o++ { // out_proj
			for i := int64(0); i < inner; i++ {
				macs++
			}
		}
	}
	for _, hd := range state {
		for _, p := range hd {
			ssmState += int64(len(p))
		}
	}
	for _, ch := range conv {
		convState += int64(len(ch))
	}
	return macs, ssmState, convState
}

// naiveChunkedScanMACs counts the chunked (SSD) form's scan MACs with
// loops over chunks, heads and the entries of each product.
func naiveChunkedScanMACs(c Config, b, s int64) int64 {
	Q, N, P, H := c.Mamba2ChunkSize, c.Mamba2StateSize, c.Mamba2HeadDim, c.Mamba2NumHeads
	var macs int64
	for seq := int64(0); seq < b; seq++ {
		for start := int64(0); start < s; start += Q { // the last chunk padded to Q
			for hd := int64(0); hd < H; hd++ {
				for i := int64(0); i < Q; i++ {
					for j := int64(0); j < Q; j++ {
						macs += N // (C·Bᵀ)[i][j]
						macs += P // (scores · x)[i] gets row j
					}
					macs += 2 * N * P // Bᵀ·x into the chunk state; C·state out
				}
				macs += P * N // the state carried to the next chunk
			}
		}
	}
	return macs
}

// TestMamba2ByHand: a tiny hybrid's parameters by hand from the modelling
// code, and its Mamba-2 FLOPs and state against the naive recurrence.
func TestMamba2ByHand(t *testing.T) {
	c := tinyHybrid()
	const b, s = 2, 10
	r := mustAnalyze(t, c, Workload{BatchSize: b, SeqLen: s, DType: BF16})
	h, V, f := int64(8), int64(16), int64(12)
	inner, bc, H := int64(6), int64(15), int64(3)
	convDim := inner + 2*bc
	mamba := h + // the block's norm
		h*(2*inner+2*bc+H) + (2*inner + 2*bc + H) + // in_proj with bias
		convDim*4 + convDim + // conv1d with bias
		3*H + // dt_bias, A_log, D
		inner + // gated RMSNorm
		inner*h + h // out_proj with bias
	mlp := h + 3*h*f
	attention := h + h*8 + 2*h*4 + 8*h
	want := 2*V*h + h + mamba + (attention + mlp) + (mamba + mlp)
	if r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	macs, ssmState, convState := naiveMamba2(c, s)
	for _, lg := range r.Layers {
		if lg.Shape.Attention != PartMamba2 {
			if lg.FLOPs.SSM != nil || lg.SSMStateElements != 0 {
				t.Errorf("attention layer has Mamba-2 numbers: %v, %d", lg.FLOPs.SSM, lg.SSMStateElements)
			}
			continue
		}
		if got, want := lg.FLOPs.SSM, big.NewInt(2*b*macs); got.Cmp(want) != 0 {
			t.Errorf("Mamba-2 block FLOPs %v, naive recurrence %v", got, want)
		}
		if lg.SSMStateElements != ssmState || lg.ConvStateElements != convState {
			t.Errorf("state %d + %d elements, naive %d + %d", lg.SSMStateElements, lg.ConvStateElements, ssmState, convState)
		}
		if got, want := lg.FLOPs.SSMScanChunked, big.NewInt(2*naiveChunkedScanMACs(c, b, s)); got.Cmp(want) != 0 {
			t.Errorf("chunked scan FLOPs %v, naive %v", got, want)
		}
		if lg.KVCacheElementsPerToken != 0 || lg.KVCacheTokens != 0 {
			t.Errorf("Mamba-2 layer caches keys: %d per token, %d tokens", lg.KVCacheElementsPerToken, lg.KVCacheTokens)
		}
	}
	if got, want := r.Memory.KVCacheElementsPerToken, int64(2*1*4); got != want {
		t.Errorf("KV cache per token %d, want %d (the one attention layer)", got, want)
	}
	if got, want := r.Memory.RecurrentStateElementsPerSequence, 2*(ssmState+convState); got != want {
		t.Errorf("recurrent state %d, want %d", got, want)
	}
	if got, want := r.Memory.RecurrentStateBytes, big.NewInt(b*2*2*(ssmState+convState)); got.Cmp(want) != 0 {
		t.Errorf("recurrent state bytes %v, want %v", got, want)
	}
	scan := big.NewInt(2 * 2 * 2 * b * s * inner * 5) // two layers, 2 FLOPs per MAC, 2 MACs per state element
	chunked := big.NewInt(2 * 2 * naiveChunkedScanMACs(c, b, s))
	if got, want := r.FLOPs.ForwardChunked, new(big.Int).Add(new(big.Int).Sub(r.FLOPs.Forward, scan), chunked); got.Cmp(want) != 0 {
		t.Errorf("forward_chunked %v, want %v", got, want)
	}
	found := false
	for _, s := range r.Conventions {
		found = found || strings.Contains(s, "chunks of 4 tokens (mamba2_chunk_size)")
	}
	if !found {
		t.Errorf("no convention names the chunk size: %q", r.Conventions)
	}
}

// TestMamba2StateConstant: the recurrent state does not change with
// seq_len, and a pure Mamba-2 model decodes at the same cost at every KV
// length; decoding tokens one at a time sums to the forward pass.
func TestMamba2StateConstant(t *testing.T) {
	c := tinyHybrid()
	c.Layers = []LayerShape{{Attention: PartMamba2, MLP: PartNone}, {Attention: PartMamba2, MLP: PartNone}, {Attention: PartMamba2, MLP: PartNone}}
	c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.IntermediateSize = 0, 0, 0, 0
	checkRecurrentStateConstant(t, c)
}

// TestHybridAllAttentionIsTransformer: a hybrid whose every layer is
// attention is the plain transformer, number for number.
func TestHybridAllAttentionIsTransformer(t *testing.T) {
	c := tinyHybrid()
	c.Layers = nil
	c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 0, 0, 0, 0, 0, 0
	c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = false, false, false
	hybrid := c
	hybrid.Layers = make([]LayerShape, c.NumHiddenLayers)
	w := Workload{BatchSize: 2, SeqLen: 12, DType: BF16}
	if diff := cmp.Diff(mustAnalyze(t, c, w), mustAnalyze(t, hybrid, w), sameNumbers, cmpopts.IgnoreFields(LayerGroup{}, "Shape")); diff != "" {
		t.Errorf("all-attention hybrid differs from the transformer (-transformer +hybrid):\n%s", diff)
	}
}

// TestMamba2Refusals: the Mamba-2 fields are set exactly when a layer is a
// Mamba-2 block, and layouts that split one are refused.
func TestMamba2Refusals(t *testing.T) {
	c := tinyHybrid()
	c.Mamba2NGroups = 2
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "mamba2_num_heads must be divisible by mamba2_n_groups (2)") {
		t.Errorf("n_groups not dividing heads: %v", err)
	}
	c = tinyHybrid()
	c.Layers = nil
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "mamba2_num_heads must be 0 unless some layer is a Mamba-2 block") {
		t.Errorf("Mamba-2 fields without a Mamba-2 layer: %v", err)
	}
	c = tinyHybrid()
	w := Workload{BatchSize: 1, SeqLen: 8, DType: BF16}
	l := OneGPU()
	l.TP, l.GPUs = 2, 2
	if err := l.Validate(c, w); err == nil || !strings.Contains(err.Error(), "tp must divide mamba2_num_heads (3) and mamba2_n_groups (3)") {
		t.Errorf("tp 2 on a hybrid of 3 Mamba-2 heads: %v", err)
	}
	m1 := tinyMiniMax()
	if err := l.Validate(m1, w); err == nil || !strings.Contains(err.Error(), "tp must be 1 on a model with Mamba-1, short-convolution, Gated DeltaNet or lightning-attention layers") {
		t.Errorf("tp 2 on lightning attention: %v", err)
	}
}

// TestMamba2BesideAttentionByHand: Falcon-H1's layers run attention and a
// Mamba-2 block (without its own norm: they share the layer's input norm)
// side by side, and both outputs join the residual; the layer caches keys
// and values and keeps the Mamba-2 state. Without the gated norm the block
// owns d_inner fewer parameters; out_proj's bias is its own.
func TestMamba2BesideAttentionByHand(t *testing.T) {
	c := tinyHybrid()
	c.Layers = nil
	c.Mamba2BesideAttention, c.Mamba2NoNorm, c.Mamba2InProjBias = true, true, false
	plain := tinyHybrid()
	plain.Layers = nil
	plain.Mamba2NumHeads, plain.Mamba2HeadDim, plain.Mamba2StateSize, plain.Mamba2NGroups = 0, 0, 0, 0
	plain.Mamba2ConvKernel, plain.Mamba2ChunkSize = 0, 0
	plain.Mamba2InProjBias, plain.Mamba2OutProjBias, plain.Mamba2ConvBias = false, false, false
	const b, s = 2, 10
	w := Workload{BatchSize: b, SeqLen: s, DType: BF16}
	r, base := mustAnalyze(t, c, w), mustAnalyze(t, plain, w)
	h, inner, bc, H := int64(8), int64(6), int64(15), int64(3)
	convDim := inner + 2*bc
	mamba := h*(2*inner+2*bc+H) + convDim*4 + convDim + 3*H + inner*h + h // no norm; in_proj without bias, out_proj with
	if got, want := r.Params.Total, base.Params.Total+3*mamba; got != want {
		t.Errorf("params.total %d, want the transformer's %d + 3 × %d", got, base.Params.Total, mamba)
	}
	macs, ssmState, convState := naiveMamba2(c, s)
	lg := r.Layers[0]
	if got, want := lg.FLOPs.SSM, big.NewInt(2*b*macs); got.Cmp(want) != 0 {
		t.Errorf("Mamba-2 FLOPs %v, naive %v", got, want)
	}
	if lg.KVCacheElementsPerToken != base.Layers[0].KVCacheElementsPerToken || lg.KVCacheTokens != s ||
		lg.SSMStateElements != ssmState || lg.ConvStateElements != convState {
		t.Errorf("layer keeps KV %d × %d and state %d + %d; want the transformer's KV and %d + %d", lg.KVCacheElementsPerToken,
			lg.KVCacheTokens, lg.SSMStateElements, lg.ConvStateElements, ssmState, convState)
	}
	// Decoding: the attention's cost grows with k as the transformer's, the
	// Mamba-2 block's does not.
	for i, d := range r.Inference.Decode {
		extra := new(big.Int).Sub(d.FLOPs, base.Inference.Decode[i].FLOPs)
		if want := big.NewInt(3 * 2 * macs / s); extra.Cmp(want) != 0 {
			t.Errorf("k=%d: decode costs %v more than the transformer, want %v (three Mamba-2 blocks, one token)", d.KVLength, extra, want)
		}
	}
	c.Layers = make([]LayerShape, c.NumHiddenLayers)
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "mamba2_beside_attention needs a sequential model without per-layer shapes") {
		t.Errorf("beside attention with per-layer shapes: %v", err)
	}
}

// checkRecurrentStateConstant: c, whose every layer is recurrent, keeps a
// positive state that is the same at every seq_len, has no KV cache,
// decodes at the same cost at every KV length (reading its whole state),
// sums to its forward pass token by token, and the cost model agrees.
func checkRecurrentStateConstant(t *testing.T, c Config) {
	t.Helper()
	var state int64
	for _, s := range []int64{1, 7, 64, 1000} {
		r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: s, DType: BF16})
		if state == 0 {
			state = r.Memory.RecurrentStateBytesPerSequence
			if state <= 0 {
				t.Fatalf("recurrent state %d bytes per sequence", state)
			}
		}
		if r.Memory.RecurrentStateBytesPerSequence != state || r.Memory.KVCacheBytes.Sign() != 0 {
			t.Errorf("seq %d: state %d bytes (want %d), KV cache %v", s, r.Memory.RecurrentStateBytesPerSequence, state, r.Memory.KVCacheBytes)
		}
		first := r.Inference.Decode[0].FLOPs
		for _, d := range r.Inference.Decode {
			if d.FLOPs.Cmp(first) != 0 || d.RecurrentStateBytesRead.Int64() != state {
				t.Errorf("seq %d, k %d: decode %v FLOPs (k=1: %v), state read %v", s, d.KVLength, d.FLOPs, first, d.RecurrentStateBytesRead)
			}
		}
		if sum := new(big.Int).Mul(first, big.NewInt(s)); sum.Cmp(r.FLOPs.Forward) != 0 {
			t.Errorf("seq %d: %d decoded tokens cost %v, the forward pass %v", s, s, sum, r.FLOPs.Forward)
		}
		m, err := NewCostModel(c, BF16, "")
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.At(s, 1)
		if err != nil {
			t.Fatal(err)
		}
		if p.Forward.Cmp(r.FLOPs.Forward) != 0 || p.DecodeFLOPs.Cmp(first) != 0 || m.RecurrentStateBytesPerSequence != state ||
			p.RecurrentStateBytes.Cmp(r.Memory.RecurrentStateBytes) != 0 {
			t.Errorf("seq %d: cost model forward %v decode %v state %d; report %v, %v, %d", s, p.Forward, p.DecodeFLOPs,
				m.RecurrentStateBytesPerSequence, r.FLOPs.Forward, first, state)
		}
	}
}

// TestMamba2TensorParallel: on tp GPUs a Mamba-2 block is split as
// Megatron-LM's MambaMixer splits it: in_proj by columns (z, x, B, C and dt
// each by heads and groups, its bias too), conv1d, dt_bias, A_log, D and
// the gated norm by channel or head, out_proj by rows with its bias whole;
// the layer's input norm is whole. Its state splits the same way.
func TestMamba2TensorParallel(t *testing.T) {
	c := Config{
		VocabSize: 64, HiddenSize: 8, NumHiddenLayers: 2, MaxPositionEmbeddings: 32, MLP: MLPGated, HiddenAct: "silu",
		Norm: RMSNorm, PositionEmbedding: PositionNone, NormsPerLayer: 2,
		Layers:         []LayerShape{{Attention: PartMamba2, MLP: PartNone}, {Attention: PartMamba2, MLP: PartNone}},
		Mamba2NumHeads: 4, Mamba2HeadDim: 4, Mamba2StateSize: 3, Mamba2NGroups: 2, Mamba2ConvKernel: 4, Mamba2ChunkSize: 8,
		Mamba2InProjBias: true, Mamba2OutProjBias: true, Mamba2ConvBias: true,
	}
	h, V, H, P, N, G, k := c.HiddenSize, c.VocabSize, c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel
	inner := H * P
	conv := inner + 2*G*N
	proj := inner + conv + H
	w := Workload{BatchSize: 3, SeqLen: 16, DType: BF16}
	for _, tp := range []int64{1, 2} {
		l := OneGPU()
		l.TP, l.GPUs = tp, tp
		r, err := AnalyzeOn(c, w, Deployment{Layout: &l})
		if err != nil {
			t.Fatal(err)
		}
		layer := h + // input norm, whole
			(h*proj+proj)/tp + // in_proj and its bias by columns
			(conv*k+conv)/tp + 3*H/tp + inner/tp + // conv1d, dt_bias, A_log, D, gated norm
			inner*h/tp + h // out_proj by rows, its bias whole
		want := V/tp*h + 2*layer + h + V/tp*h // embedding and untied head by vocabulary rows, final norm
		if got := r.PerGPU.Training.Params.Total; got != want {
			t.Errorf("tp %d: %d parameters on a GPU, by hand %d", tp, got, want)
		}
		state := new(big.Int).Quo(r.Memory.RecurrentStateBytes, big.NewInt(tp)) // the batch's state in bf16, split
		if got := part(r.PerGPU.Inference, PartKVCache); got == nil || got.Cmp(state) != 0 {
			t.Errorf("tp %d: KV cache and state %v bytes on a GPU, want %v", tp, got, state)
		}
	}
}
