package scale

import (
	"math/big"
	"strings"
	"testing"
)

// naiveRecurrent is what the naive loops of a recurrent layer kind count
// over one sequence: the whole block's MACs in the recurrent form, the
// scan's alone, the scan's in the chunked form, the state and conv-state
// elements it keeps, and the chunk length.
type naiveRecurrent struct {
	blockMACs, scanMACs, chunkedMACs, state, conv, chunk int64
}

// checkRecurrentReport: every layer of kind in r (b sequences) costs and
// keeps what the naive loops say, caches no keys, and the model's state
// per sequence is the two such layers'; at seq_len 5 the config's own
// checkpoint agrees.
func checkRecurrentReport(t *testing.T, c Config, r *Report, kind LayerPart, want naiveRecurrent) {
	t.Helper()
	s, b := r.Workload.SeqLen, r.Workload.BatchSize
	for _, lg := range r.Layers {
		if lg.Shape.Attention != kind {
			continue
		}
		for _, f := range []struct {
			what string
			got  *big.Int
			macs int64
		}{{"block", lg.FLOPs.SSM, want.blockMACs}, {"recurrent scan", lg.FLOPs.SSMScan, want.scanMACs},
			{"chunked scan", lg.FLOPs.SSMScanChunked, want.chunkedMACs}} {
			if w := big.NewInt(2 * b * f.macs); f.got.Cmp(w) != 0 {
				t.Errorf("s=%d: %s %s FLOPs %v, naive loops %v", s, kind, f.what, f.got, w)
			}
		}
		if lg.SSMStateElements != want.state || lg.ConvStateElements != want.conv || lg.KVCacheTokens != 0 {
			t.Errorf("s=%d: state %d + %d, naive %d + %d; KV tokens %d", s, lg.SSMStateElements, lg.ConvStateElements, want.state, want.conv, lg.KVCacheTokens)
		}
	}
	if got, w := r.Memory.RecurrentStateElementsPerSequence, 2*(want.state+want.conv); got != w {
		t.Errorf("s=%d: recurrent state %d, want %d", s, got, w)
	}
	if r.FLOPs.SSMChunkSize != want.chunk {
		t.Errorf("chunk size %d, want %d", r.FLOPs.SSMChunkSize, want.chunk)
	}
	if s == 5 {
		checkOwnCheckpoint(t, c, r)
	}
}

func mustRefuse(t *testing.T, c Config, says string) {
	t.Helper()
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), says) {
		t.Errorf("want a refusal saying %q, got %v", says, err)
	}
}

// tinyQwen3Next is a tiny Qwen3-Next-like hybrid: Gated DeltaNet, gated
// attention with QK norms, Gated DeltaNet, every layer with routed experts
// and a gated shared expert.
func tinyQwen3Next() Config {
	c := tinyHybrid()
	c.Layers = []LayerShape{{Attention: PartGatedDeltaNet}, {}, {Attention: PartGatedDeltaNet}}
	c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 0, 0, 0, 0, 0, 0
	c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = false, false, false
	c.GDNNumKeyHeads, c.GDNNumValueHeads, c.GDNKeyHeadDim, c.GDNValueHeadDim, c.GDNConvKernel, c.GDNChunkSize = 2, 4, 3, 2, 4, 4
	c.QKNorm, c.AttentionOutputGate = true, true
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 4, 2, 6
	c.NumSharedExperts, c.SharedExpertIntermediateSize, c.SharedExpertGate = 1, 5, true
	c.IntermediateSize = 0
	return c
}

// naiveGDNRecurrent runs one Gated DeltaNet block's recurrent form over s
// tokens of one sequence with plain loops, counting multiply-accumulates
// the way transformers' torch_recurrent_gated_delta_rule step computes
// them: in_proj_qkvz and in_proj_ba, the depthwise conv over its window,
// per value head the state's readout at the key, the rank-one update with
// δ = (v − kv_mem)·β and the readout at the query, out_proj. It returns
// the MACs and the state it keeps.
func naiveGDNRecurrent(c Config, s int64) (macs, state, convState int64) {
	h, Hk, Hv, dk, dv, k := c.HiddenSize, c.GDNNumKeyHeads, c.GDNNumValueHeads, c.GDNKeyHeadDim, c.GDNValueHeadDim, c.GDNConvKernel
	key, value := Hk*dk, Hv*dv
	S := make([][][]float64, Hv) // [value head][dk][dv]
	for i := range S {
		S[i] = make([][]float64, dk)
		for j := range S[i] {
			S[i][j] = make([]float64, dv)
		}
	}
	conv := make([][]float64, 2*key+value)
	for i := range conv {
		conv[i] = make([]float64, k)
	}
	for range s {
		macs += h * (2*key + 2*value) // in_proj_qkvz
		macs += h * 2 * Hv            // in_proj_ba
		for ch := range conv {
			copy(conv[ch], conv[ch][1:])
			conv[ch][k-1] = 1
			for range conv[ch] {
				macs++
			}
		}
		for hv := range S {
			q, kk, v := make([]float64, dk), make([]float64, dk), make([]float64, dv)
			for i := range kk {
				q[i], kk[i] = 1, 0.5
			}
			const beta, decay = 0.5, 0.9
			for i := range S[hv] { // decay: elementwise
				for j := range S[hv][i] {
					S[hv][i][j] *= decay
				}
			}
			mem := make([]float64, dv)
			for i := range S[hv] { // kv_mem = Sᵀk
				for j := range S[hv][i] {
					mem[j] += S[hv][i][j] * kk[i]
					macs++
				}
			}
			for i := range S[hv] { // S += k·δᵀ
				for j := range S[hv][i] {
					S[hv][i][j] += kk[i] * (v[j] - mem[j]) * beta
					macs++
				}
			}
			out := make([]float64, dv)
			for i := range S[hv] { // o = Sᵀq
				for j := range S[hv][i] {
					out[j] += S[hv][i][j] * q[i]
					macs++
				}
			}
		}
		macs += value * h // out_proj
	}
	for hv := range S {
		state += int64(len(S[hv]) * len(S[hv][0]))
	}
	for i := range conv {
		convState += int64(len(conv[i]))
	}
	return macs, state, convState
}

// naiveGDNChunked counts the delta rule's MACs in transformers'
// torch_chunk_gated_delta_rule over s tokens of one sequence, loop by loop
// as the code runs them: the sequence padded to chunks of Q, per head and
// chunk the matrix (k·β)kᵀ, the row-by-row solve, the transformed values
// and keys; then per chunk q·kᵀ, the two readouts of the carried state,
// the intra-chunk output and the state's update.
func naiveGDNChunked(c Config, s int64) (macs int64) {
	Q, dk, dv, H := c.GDNChunkSize, c.GDNKeyHeadDim, c.GDNValueHeadDim, c.GDNNumValueHeads
	chunks := (s + Q - 1) / Q
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
		for range chunks {
			matmul(Q, dk, Q) // attn = (k·β) @ kᵀ
			for i := int64(1); i < Q; i++ {
				for range i { // (row.unsqueeze(-1) * sub).sum(-2): i × i
					for range i {
						macs++
					}
				}
			}
			matmul(Q, Q, dv) // value = attn @ (v·β)
			matmul(Q, Q, dk) // k_cumdecay = attn @ (k·β·exp g)
		}
		for range chunks {
			matmul(Q, dk, Q)  // q @ kᵀ
			matmul(Q, dk, dv) // v_prime = k_cumdecay @ state
			matmul(Q, dk, dv) // attn_inter = (q·exp g) @ state
			matmul(Q, Q, dv)  // attn @ v_new
			matmul(dk, Q, dv) // state update kᵀ @ v_new
		}
	}
	return macs
}

// TestGatedDeltaNetByHand: a tiny Qwen3-Next-like hybrid's parameters by
// hand from modeling_qwen3_next.py (Qwen3NextGatedDeltaNet, the gated
// Qwen3NextAttention, Qwen3NextSparseMoeBlock), its Gated DeltaNet FLOPs
// and state against the naive recurrence, the chunked form against the
// naive chunked loops, and a checkpoint of its own tensors.
func TestGatedDeltaNetByHand(t *testing.T) {
	c := tinyQwen3Next()
	h, Hv, k := int64(8), int64(4), int64(4)
	key, value := int64(2*3), int64(4*2)
	gdn := h + // input_layernorm
		h*(2*key+2*value) + // in_proj_qkvz
		h*2*Hv + // in_proj_ba
		(2*key+value)*k + // conv1d, no bias
		2*Hv + // dt_bias, A_log
		2 + // gated RMSNorm over head_v_dim
		value*h // out_proj
	attention := h + h*2*2*4 + 2*h*4 + 2*4 + 2*4*h // norm, q_proj with gate, k/v, q/k norms, o_proj
	moe := h + h*4 + 4*3*h*6 + 3*h*5 + h           // norm, router, experts, shared expert, its gate
	for _, s := range []int64{1, 5, 8, 13} {
		const b = 2
		r := mustAnalyze(t, c, Workload{BatchSize: b, SeqLen: s, DType: BF16})
		if want := 2*16*h + h + 2*gdn + attention + 3*moe; r.Params.Total != want {
			t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
		}
		macs, state, convState := naiveGDNRecurrent(c, s)
		checkRecurrentReport(t, c, r, PartGatedDeltaNet, naiveRecurrent{
			blockMACs: macs, scanMACs: s * 3 * Hv * 3 * 2, chunkedMACs: naiveGDNChunked(c, s),
			state: state, conv: convState, chunk: 4,
		})
	}
}

// TestGatedDeltaNetStateConstant: a pure Gated DeltaNet model keeps the
// same state at every seq_len and decodes at the same cost at every KV
// length; decoding tokens one at a time sums to the forward pass.
func TestGatedDeltaNetStateConstant(t *testing.T) {
	c := tinyQwen3Next()
	c.Layers = []LayerShape{{Attention: PartGatedDeltaNet}, {Attention: PartGatedDeltaNet}, {Attention: PartGatedDeltaNet}}
	c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim = 0, 0, 0
	c.QKNorm, c.AttentionOutputGate = false, false
	checkRecurrentStateConstant(t, c)
}

// TestGatedDeltaNetRefusals: the Gated DeltaNet fields need such a layer,
// the key heads divide the value heads, and no Mamba block beside them.
func TestGatedDeltaNetRefusals(t *testing.T) {
	c := tinyQwen3Next()
	c.GDNNumValueHeads = 3
	mustRefuse(t, c, "gdn_num_value_heads must be divisible by gdn_num_key_heads (2)")
	c = tinyQwen3Next()
	c.Layers = nil
	mustRefuse(t, c, "gdn_num_key_heads must be 0 unless some layer is a Gated DeltaNet block")
	c = tinyQwen3Next()
	c.Layers[1].Attention = PartMamba2
	c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 3, 2, 5, 3, 4, 4
	mustRefuse(t, c, "must not mix Gated DeltaNet blocks with Mamba")
	c = tinyQwen3Next()
	c.Layers[1].Attention = PartGatedDeltaNet
	mustRefuse(t, c, "attention_output_gate needs some layer with (non-MLA) attention")
	c = tinyQwen3Next()
	w := Workload{BatchSize: 1, SeqLen: 8, DType: BF16}
	l := OneGPU()
	l.TP, l.GPUs = 2, 2
	if err := l.Validate(c, w); err == nil || !strings.Contains(err.Error(), "tp must be 1 on a model with") {
		t.Errorf("tp 2 on a Gated DeltaNet hybrid: %v", err)
	}
}
