package scale

import (
	"math/big"
	"testing"
)

// tinyZamba2 is a tiny Zamba2-like model: five Mamba-2 layers, of which
// layers 1, 2 and 4 run a shared block first (two blocks, used in turn:
// 0, 1, 0), with MLP adapters of rank 3 and biases on the MLP and the
// Mamba-2 projections.
func tinyZamba2() Config {
	c := tinyHybrid()
	c.NumHiddenLayers = 5
	c.Layers = make([]LayerShape, 5)
	for i := range c.Layers {
		c.Layers[i] = LayerShape{Attention: PartMamba2, MLP: PartNone, SharedBlock: i == 1 || i == 2 || i == 4}
	}
	c.HeadDim = 2 * c.HiddenSize / c.NumAttentionHeads // 8
	c.MLPBias = true
	c.SharedBlocks, c.SharedBlockAdapterRank = 2, 3
	return c
}

// TestSharedBlocksByHand counts Zamba2's parameters, FLOPs and KV cache
// module by module from transformers' modeling_zamba2.py, apart from the
// engine's ops.
func TestSharedBlocksByHand(t *testing.T) {
	c := tinyZamba2()
	const b, s = 2, 7
	r := mustAnalyze(t, c, Workload{BatchSize: b, SeqLen: s, DType: BF16})
	h, V, I, H, K, d, rk := c.HiddenSize, c.VocabSize, c.IntermediateSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.SharedBlockAdapterRank
	nH, P, N, G, k := c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel
	inner := nH * P
	convDim := inner + 2*G*N
	proj := inner + convDim + nH
	mambaLayer := h + // input_layernorm
		h*proj + proj + // in_proj with bias
		convDim*k + convDim + // conv1d with bias
		3*nH + // dt_bias, A_log, D
		inner + // gated norm
		inner*h + h // out_proj with bias
	block := 2*h + // input_layernorm over the concatenation
		2*h*H*d + 2*(2*h*K*d) + H*d*h + // q, k, v from 2h; o_proj
		h + // pre_ff_layernorm
		h*2*I + 2*I + I*h + h // gate_up_proj and down_proj with biases
	perUse := h*h + // the layer's linear
		h*rk + rk*2*I // gate_up_proj adapter
	const uses, built = 3, 2
	want := V*h + 5*mambaLayer + uses*perUse + built*block + h + V*h // untied head
	if r.Params.Total != want || r.Params.SharedBlocks != built*block {
		t.Errorf("params.total %d (shared_blocks %d), want %d (%d)", r.Params.Total, r.Params.SharedBlocks, want, built*block)
	}

	// FLOPs: every use runs its block in full; a sequence of s tokens scores
	// s(s+1)/2 pairs per head, Q·Kᵀ and weights·V.
	T := int64(b * s)
	pairs := int64(b * s * (s + 1) / 2)
	blockMACs := T*(2*h*H*d+2*(2*h*K*d)+H*d*h+h*2*I+I*h+h*h+h*rk+rk*2*I) + 2*pairs*H*d
	single := c
	single.Layers = make([]LayerShape, 5)
	for i := range single.Layers {
		single.Layers[i] = LayerShape{Attention: PartMamba2, MLP: PartNone}
	}
	single.SharedBlocks, single.SharedBlockAdapterRank = 0, 0
	single.NumAttentionHeads, single.NumKeyValueHeads, single.HeadDim, single.IntermediateSize, single.MLPBias = 0, 0, 0, 0, false
	plain := mustAnalyze(t, single, Workload{BatchSize: b, SeqLen: s, DType: BF16})
	got := new(big.Int).Sub(r.FLOPs.Forward, plain.FLOPs.Forward)
	if want := big.NewInt(2 * uses * blockMACs); got.Cmp(want) != 0 {
		t.Errorf("shared blocks' FLOPs %v, want %v (3 uses)", got, want)
	}

	// KV cache: each use caches its keys and values; the Mamba-2 state is
	// unchanged by the blocks.
	if got, want := r.Memory.KVCacheElementsPerToken, int64(uses*2*K*d); got != want {
		t.Errorf("KV cache elements per token %d, want %d", got, want)
	}
	if r.Memory.RecurrentStateBytesPerSequence != plain.Memory.RecurrentStateBytesPerSequence {
		t.Errorf("recurrent state %d, without the blocks %d", r.Memory.RecurrentStateBytesPerSequence, plain.Memory.RecurrentStateBytesPerSequence)
	}
}

// TestSharedBlocksOneBuilt: more blocks than uses builds only the used
// ones, and attention adapters add 3 · 2 · (2h · rank) per use.
func TestSharedBlocksOneBuilt(t *testing.T) {
	c := tinyZamba2()
	w := Workload{BatchSize: 1, SeqLen: 4, DType: BF16}
	base := mustAnalyze(t, c, w)
	c.SharedBlocks = 7 // three uses: three blocks built
	more := mustAnalyze(t, c, w)
	if got, want := more.Params.SharedBlocks, base.Params.SharedBlocks/2*3; got != want {
		t.Errorf("7 blocks, 3 uses: shared_blocks %d, want 3 blocks = %d", got, want)
	}
	c = tinyZamba2()
	c.NumKeyValueHeads = c.NumAttentionHeads // adapters need k and v 2h wide
	noAdapters := mustAnalyze(t, c, w)
	c.SharedAttentionAdapters = true
	adapters := mustAnalyze(t, c, w)
	if got, want := adapters.Params.Total-noAdapters.Params.Total, int64(3*3*2*(2*c.HiddenSize*c.SharedBlockAdapterRank)); got != want {
		t.Errorf("attention adapters add %d, want %d", got, want)
	}
}

// TestSharedBlocksCostModel: the cost model equals Analyze on a model with
// shared blocks, the decode cost included (the blocks' attention scores
// the cached keys at every use).
func TestSharedBlocksCostModel(t *testing.T) {
	c := tinyZamba2()
	m, err := NewCostModel(c, BF16, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, sb := range [][2]int64{{1, 1}, {7, 2}, {33, 3}, {200, 1}} {
		r := mustAnalyze(t, c, Workload{SeqLen: sb[0], BatchSize: sb[1], DType: BF16})
		p, err := m.At(sb[0], sb[1])
		if err != nil {
			t.Fatal(err)
		}
		last := r.Inference.Decode[len(r.Inference.Decode)-1]
		if p.Forward.Cmp(r.FLOPs.Forward) != 0 || p.KVCacheBytes.Cmp(r.Memory.KVCacheBytes) != 0 ||
			p.ActivationElements.Cmp(r.Memory.ActivationElements.Total) != 0 || p.DecodeFLOPs.Cmp(last.FLOPs) != 0 {
			t.Errorf("seq %d batch %d: cost model %v / %v / %v / %v, Analyze %v / %v / %v / %v", sb[0], sb[1],
				p.Forward, p.KVCacheBytes, p.ActivationElements, p.DecodeFLOPs,
				r.FLOPs.Forward, r.Memory.KVCacheBytes, r.Memory.ActivationElements.Total, last.FLOPs)
		}
	}
}

// TestSharedBlocksRules: the fields belong together, on Zamba2's layer form.
func TestSharedBlocksRules(t *testing.T) {
	c := tinyZamba2()
	c.SharedBlocks = 0
	mustRefuse(t, c, "shared_blocks must be between 1 and")
	c = tinyZamba2()
	c.Layers[1].MLP = PartFull
	mustRefuse(t, c, `layers[1].shared_block is modelled only on a layer whose attention is "mamba2"`)
	c = tinyZamba2()
	c.SharedAttentionAdapters = true // K·d = 8 ≠ 2h = 16
	mustRefuse(t, c, "shared_attention_adapters need queries, keys and values 2·hidden_size wide")
	d := tinyHybrid()
	d.SharedBlocks = 1
	mustRefuse(t, d, "shared_blocks must be 0 unless some layer runs a shared block")
	c = tinyZamba2()
	if _, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 4, DType: BF16}); err != nil {
		t.Fatal(err)
	}
	l := Layout{TP: 1, PP: 2, DP: 1, EP: 1, ETP: 1, CP: 1}
	if err := l.Validate(c, Workload{BatchSize: 1, SeqLen: 4, DType: BF16}); err == nil {
		t.Error("pp 2 on shared blocks: want a refusal")
	}
}

// TestSharedBlocksActivations: a layer that runs a shared block stores, per
// token and beyond its Mamba-2 mixer's inputs, the block's norm input and
// q/k/v input (2h each), the MLP's norm and input and the layer linear's
// input (h each), and split by heads the attention's inputs and output
// (2·H·d + 2·K·d) and the MLP's gate, up and down inputs (3·intermediate);
// one dropout mask of h after o_proj.
func TestSharedBlocksActivations(t *testing.T) {
	c := tinyZamba2()
	r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: 4, DType: BF16})
	var with, without actWidths
	for _, lg := range r.Layers {
		if lg.Shape.SharedBlock {
			with = activationWidths(&checked{}, c, lg, 1, 1)
		} else {
			without = activationWidths(&checked{}, c, lg, 1, 1)
		}
	}
	h, H, K, d, I := c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.IntermediateSize
	if got, want := with.replicated-without.replicated, 7*h; got != want {
		t.Errorf("replicated widths %d more, want %d", got, want)
	}
	if got, want := with.split-without.split, 2*H*d+2*K*d+3*I; got != want {
		t.Errorf("split widths %d more, want %d", got, want)
	}
	if got, want := with.masks-without.masks, h; got != want || with.coreHeads != H {
		t.Errorf("masks %d more (want %d), core heads %d (want %d)", got, want, with.coreHeads, H)
	}
}
