package scale

import (
	"fmt"
	"math/big"
)

// This file is Qwen3-Next's Gated DeltaNet token mixer: its validation,
// its ops and its per-sequence recurrent state. One rule in one place: the
// widths are written in gdnWidths, the delta rule's FLOPs in gdnScanMACs
// and gdnChunkedMACs.

// HasGatedDeltaNet reports whether some layer mixes its tokens with a
// Gated DeltaNet block.
func (c Config) HasGatedDeltaNet() bool {
	for _, l := range c.Layers {
		if l.Attention == PartGatedDeltaNet {
			return true
		}
	}
	return false
}

// validateGatedDeltaNet checks the Gated DeltaNet fields: set exactly when
// some layer is a Gated DeltaNet block, positive, the key heads dividing
// the value heads; no Mamba or short-convolution block beside them; and
// the attention output gate, which needs grouped-query attention.
func (c Config) validateGatedDeltaNet(v *validator) {
	fields := []struct {
		name  string
		value int64
	}{
		{"gdn_num_key_heads", c.GDNNumKeyHeads}, {"gdn_num_value_heads", c.GDNNumValueHeads},
		{"gdn_key_head_dim", c.GDNKeyHeadDim}, {"gdn_value_head_dim", c.GDNValueHeadDim},
		{"gdn_conv_kernel", c.GDNConvKernel}, {"gdn_chunk_size", c.GDNChunkSize},
	}
	v.check(!c.AttentionOutputGate || (c.hasAttention() && !c.IsMLA()), "attention_output_gate",
		"needs some layer with (non-MLA) attention", c.AttentionOutputGate)
	if !c.HasGatedDeltaNet() {
		for _, f := range fields {
			v.check(f.value == 0, f.name, "must be 0 unless some layer is a Gated DeltaNet block (layers[i].attention \"gated_deltanet\")", f.value)
		}
		return
	}
	for _, f := range fields {
		v.positive(f.name, f.value)
		v.check(f.value <= MaxMamba2Width, f.name, fmt.Sprintf("must not exceed %d", int64(MaxMamba2Width)), f.value)
	}
	if c.GDNNumKeyHeads > 0 && c.GDNNumValueHeads > 0 {
		v.check(c.GDNNumValueHeads%c.GDNNumKeyHeads == 0, "gdn_num_value_heads",
			fmt.Sprintf("must be divisible by gdn_num_key_heads (%d)", c.GDNNumKeyHeads), c.GDNNumValueHeads)
	}
	v.check(!c.HasMamba1() && !c.HasMamba2() && !c.HasShortConv(), "layers",
		"must not mix Gated DeltaNet blocks with Mamba or short-convolution blocks (no model does)", "both")
}

// gdnWidths are the Gated DeltaNet block's widths: key = key_heads ×
// key_head_dim, value = value_heads × value_head_dim, conv = 2·key + value
// (q, k and v through the conv), qkvz = 2·key + 2·value (in_proj_qkvz:
// q, k, v and the gate z) and ba = 2·value_heads (in_proj_ba: β and a).
type gdnWidths struct {
	key, value, conv, qkvz, ba int64
}

func (c Config) gdnWidths(calc *checked) gdnWidths {
	const what = "Gated DeltaNet widths"
	var w gdnWidths
	w.key = calc.mul(what, c.GDNNumKeyHeads, c.GDNKeyHeadDim)
	w.value = calc.mul(what, c.GDNNumValueHeads, c.GDNValueHeadDim)
	w.conv = calc.add(what, calc.mul(what, 2, w.key), w.value)
	w.qkvz = calc.add(what, w.conv, w.value)
	w.ba = calc.mul(what, 2, c.GDNNumValueHeads)
	return w
}

// gdnState is one Gated DeltaNet layer's per-sequence state: the delta
// rule's state value_heads × key_head_dim × value_head_dim and the conv
// state conv × conv_kernel (transformers' Qwen3NextDynamicCache keeps
// conv_kernel columns).
func (c Config) gdnState(calc *checked) (ssm, conv int64) {
	w := c.gdnWidths(calc)
	return calc.mul("delta-rule state elements", c.GDNNumValueHeads, c.GDNKeyHeadDim, c.GDNValueHeadDim),
		calc.mul("conv state elements", w.conv, c.GDNConvKernel)
}

// gdnScanMACs is the delta rule's multiply-accumulates over tokens rows in
// the recurrent form of transformers' torch_recurrent_gated_delta_rule, per
// token and value head 3·key_head_dim·value_head_dim: the state's readout
// at the key (kv_mem = Sᵀk), the rank-one update S += k·δᵀ and the output
// Sᵀq. The decay S·exp(g), δ = (v − kv_mem)·β, the L2 norms of q and k,
// β's sigmoid and g's softplus are elementwise, not counted.
func gdnScanMACs(c Config, tokens *big.Int) *big.Int {
	return new(big.Int).Mul(tokens, bigProduct(3, c.GDNNumValueHeads, c.GDNKeyHeadDim, c.GDNValueHeadDim))
}

// gdnChunkedMACs is the delta rule's MACs in the chunked parallel form of
// transformers' torch_chunk_gated_delta_rule, over b sequences of s tokens
// padded to ⌈s/Q⌉ chunks of Q tokens, per chunk and value head (dk, dv the
// head widths): the intra-chunk matrix (k·β)·kᵀ (Q·Q·dk); its row-by-row
// triangular solve, row i adding i·i MACs (Σ i² over i < Q = (Q−1)Q(2Q−1)/6);
// the transformed values A·(v·β) (Q·Q·dv) and keys A·(k·β·exp g) (Q·Q·dk);
// in the loop over chunks q·kᵀ (Q·Q·dk), the carried state's readouts at
// the keys and at the queries (2·Q·dk·dv), the intra-chunk output (Q·Q·dv)
// and the state's update kᵀ·v (Q·dk·dv). Q·Q is the whole block, as the
// matmuls compute it before the causal mask.
func gdnChunkedMACs(c Config, b, s int64) *big.Int {
	Q, dk, dv, H := c.GDNChunkSize, c.GDNKeyHeadDim, c.GDNValueHeadDim, c.GDNNumValueHeads
	chunks := s/Q + min(s%Q, 1)
	solve := new(big.Int).Quo(bigProduct(Q-1, Q, 2*Q-1), big.NewInt(6))
	perChunk := bigSum(bigProduct(3, Q, Q, dk), bigProduct(2, Q, Q, dv), bigProduct(3, Q, dk, dv), solve)
	return perChunk.Mul(perChunk, bigProduct(b, chunks, H))
}

// gatedDeltaNetOps is one Gated DeltaNet block with its norm and residual
// add (transformers' Qwen3NextGatedDeltaNet): in_proj_qkvz and in_proj_ba,
// the depthwise causal conv1d over q, k and v (no bias), the delta rule
// (with dt_bias and A_log, value_heads each), the gated RMSNorm over
// value_head_dim (one weight shared by the heads) and out_proj.
func (ob *opBuilder) gatedDeltaNetOps(normName string) []Op {
	c := ob.cfg
	b, s, h := ob.b, ob.s, c.HiddenSize
	rows := []int64{b, s}
	w := c.gdnWidths(ob.calc)
	Hk, Hv, dk, dv := c.GDNNumKeyHeads, c.GDNNumValueHeads, c.GDNKeyHeadDim, c.GDNValueHeadDim
	convMACs := bigProduct(b, s, w.conv, c.GDNConvKernel)
	scanMACs := gdnScanMACs(c, ob.tokens)
	var ops []Op
	if normName != "" {
		ops = append(ops, ob.hiddenNorm(normName, BlockSSM))
	}
	ops = append(ops,
		ob.linear("in_proj_qkvz", BlockSSM, rows, h, w.qkvz, false),
		ob.linear("in_proj_ba", BlockSSM, rows, h, w.ba, false),
		ob.op(Op{Name: "conv1d", Block: BlockSSM, Kind: KindConv,
			Inputs: [][]int64{shape(rows, w.conv)}, Output: shape(rows, w.conv), MACs: convMACs,
			Params: ob.calc.mul("conv1d params", w.conv, c.GDNConvKernel)}, convMACs),
		ob.op(Op{Name: "delta_rule", Block: BlockSSM, Kind: KindScan,
			Inputs: [][]int64{{b, s, Hk, dk}, {b, s, Hk, dk}, {b, s, Hv, dv}, {b, s, Hv}, {b, s, Hv}},
			Output: []int64{b, s, Hv, dv}, MACs: scanMACs,
			Params: ob.calc.mul("dt_bias and A_log params", 2, Hv),
		}, scanMACs),
		ob.norm("gated_norm", BlockSSM, []int64{b, s, Hv, dv}, dv, RMSNorm),
		ob.linear("out_proj", BlockSSM, rows, w.value, h, false),
		ob.residual("mixer_residual", BlockSSM, 2))
	for i := range ops {
		ops[i].Block = BlockSSM
	}
	return ops
}
