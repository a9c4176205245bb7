package scale

import (
	"strings"
	"testing"
)

// tinyMiniMax is a tiny MiniMax-like hybrid: lightning attention, softmax
// attention, lightning attention, every layer with routed experts.
func tinyMiniMax() Config {
	c := tinyHybrid()
	c.Layers = []LayerShape{{Attention: PartLightning}, {}, {Attention: PartLightning}}
	c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 0, 0, 0, 0, 0, 0
	c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = false, false, false
	c.LightningBlockSize = 3
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 4, 2, 6
	c.IntermediateSize = 0
	return c
}

// naiveLightningRecurrent runs one lightning-attention block's recurrent
// form over s tokens of one sequence with plain loops, counting
// multiply-accumulates the way transformers' MiniMaxLightningAttention
// decoding loop computes them: qkv_proj, per head the state's decay
// (elementwise), its update kᵀ·v and the readout q·S, output_gate and
// out_proj. It returns the MACs and the state it keeps.
func naiveLightningRecurrent(c Config, s int64) (macs, state int64) {
	h, H, d := c.HiddenSize, c.NumAttentionHeads, c.HeadDim
	S := make([][][]float64, H) // [head][d][d]
	for i := range S {
		S[i] = make([][]float64, d)
		for j := range S[i] {
			S[i][j] = make([]float64, d)
		}
	}
	for range s {
		macs += h * 3 * H * d // qkv_proj
		for hd := range S {
			q, k, v := make([]float64, d), make([]float64, d), make([]float64, d)
			for i := range q {
				q[i], k[i], v[i] = 1, 0.5, 0.25
			}
			const ratio = 0.9
			for i := range S[hd] { // S = ratio·S + kᵀv
				for j := range S[hd][i] {
					S[hd][i][j] = ratio*S[hd][i][j] + k[i]*v[j]
					macs++
				}
			}
			out := make([]float64, d)
			for i := range S[hd] { // o = q·S
				for j := range S[hd][i] {
					out[j] += q[i] * S[hd][i][j]
					macs++
				}
			}
		}
		macs += h * H * d // output_gate
		macs += H * d * h // out_proj
	}
	for hd := range S {
		state += int64(len(S[hd]) * len(S[hd][0]))
	}
	return macs, state
}

// naiveLightningChunked counts lightning attention's MACs in the blockwise
// form transformers runs without a cache over s tokens of one sequence,
// loop by loop: per head and block (the last one short) q·kᵀ, its product
// with v, the readout of the carried state and the state's update.
func naiveLightningChunked(c Config, s int64) (macs int64) {
	Q, d, H := c.LightningBlockSize, c.HeadDim, c.NumAttentionHeads
	matmul := func(m, n, p int64) { // [m, n] @ [n, p]
		for range m {
			for range p {
				for range n {
					macs++
				}
			}
		}
	}
	for range H {
		for start := int64(0); start < s; start += Q {
			q := min(start+Q, s) - start
			matmul(q, d, q) // q @ kᵀ
			matmul(q, q, d) // (· decay) @ v
			matmul(q, d, d) // (q·decay) @ state
			matmul(d, q, d) // (k·decay)ᵀ @ v
		}
	}
	return macs
}

// TestLightningByHand: a tiny MiniMax-like hybrid's parameters by hand
// from modeling_minimax.py (MiniMaxLightningAttention, MiniMaxAttention,
// MiniMaxSparseMoeBlock), its lightning-attention FLOPs and state against
// the naive recurrence, the blockwise form against the naive loops, and a
// checkpoint of its own tensors.
func TestLightningByHand(t *testing.T) {
	c := tinyMiniMax()
	h, H, d := int64(8), int64(2), int64(4)
	lightning := h + // input_layernorm
		h*3*H*d + // qkv_proj
		H*d + // norm over heads·head_dim
		h*H*d + // output_gate
		H*d*h // out_proj
	attention := h + h*2*4 + 2*h*4 + 2*4*h // norm, q_proj, k/v_proj, o_proj
	moe := h + h*4 + 4*3*h*6               // norm, router, experts
	for _, s := range []int64{1, 5, 8, 13} {
		const b = 2
		r := mustAnalyze(t, c, Workload{BatchSize: b, SeqLen: s, DType: BF16})
		if want := 2*16*h + h + 2*lightning + attention + 3*moe; r.Params.Total != want {
			t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
		}
		macs, state := naiveLightningRecurrent(c, s)
		checkRecurrentReport(t, c, r, PartLightning, naiveRecurrent{
			blockMACs: macs, scanMACs: s * 2 * H * d * d, chunkedMACs: naiveLightningChunked(c, s), state: state, chunk: 3,
		})
	}
}

// TestLightningStateConstant: a pure lightning-attention model keeps the
// same state at every seq_len and decodes at the same cost at every KV
// length; decoding tokens one at a time sums to the forward pass.
func TestLightningStateConstant(t *testing.T) {
	c := tinyMiniMax()
	c.Layers = []LayerShape{{Attention: PartLightning}, {Attention: PartLightning}, {Attention: PartLightning}}
	checkRecurrentStateConstant(t, c)
}

// TestLightningRefusals: the block size needs a lightning layer, and no
// Mamba block beside them; no tensor parallelism.
func TestLightningRefusals(t *testing.T) {
	c := tinyMiniMax()
	c.Layers = nil
	mustRefuse(t, c, "lightning_block_size must be 0 unless some layer is a lightning-attention block")
	c = tinyMiniMax()
	c.LightningBlockSize = 0
	mustRefuse(t, c, "lightning_block_size")
	c = tinyMiniMax()
	c.Layers[1].Attention = PartMamba2
	c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 3, 2, 5, 3, 4, 4
	mustRefuse(t, c, "must not mix lightning-attention blocks with Mamba")
	c = tinyMiniMax()
	w := Workload{BatchSize: 1, SeqLen: 8, DType: BF16}
	l := OneGPU()
	l.TP, l.GPUs = 2, 2
	if err := l.Validate(c, w); err == nil || !strings.Contains(err.Error(), "tp must be 1 on a model with") {
		t.Errorf("tp 2 on a lightning hybrid: %v", err)
	}
}
