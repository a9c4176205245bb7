package scale

import (
	"fmt"
	"math/big"
)

// This file is MiniMax's lightning attention token mixer (a linear
// attention with a decay per head): its validation, its ops and its
// per-sequence state. One rule in one place: the recurrent form's FLOPs
// are written in lightningScanMACs, the chunked form's in
// lightningChunkedMACs.

// HasLightning reports whether some layer mixes its tokens with lightning
// attention.
func (c Config) HasLightning() bool {
	for _, l := range c.Layers {
		if l.Attention == PartLightning {
			return true
		}
	}
	return false
}

// validateLightning checks the lightning-attention field: set exactly when
// some layer is a lightning-attention block, positive; no Mamba,
// short-convolution or Gated DeltaNet block beside them.
func (c Config) validateLightning(v *validator) {
	if !c.HasLightning() {
		v.check(c.LightningBlockSize == 0, "lightning_block_size",
			"must be 0 unless some layer is a lightning-attention block (layers[i].attention \"lightning\")", c.LightningBlockSize)
		return
	}
	v.positive("lightning_block_size", c.LightningBlockSize)
	v.check(c.LightningBlockSize <= MaxMamba2Width, "lightning_block_size", fmt.Sprintf("must not exceed %d", int64(MaxMamba2Width)), c.LightningBlockSize)
	v.check(!c.HasMamba1() && !c.HasMamba2() && !c.HasShortConv() && !c.HasGatedDeltaNet(), "layers",
		"must not mix lightning-attention blocks with Mamba, short-convolution or Gated DeltaNet blocks (no model does)", "both")
}

// lightningState is one lightning-attention layer's per-sequence state:
// K·V summed with its decay, num_attention_heads × head_dim × head_dim
// (transformers' MiniMaxCache linear_cache); no conv state.
func (c Config) lightningState(calc *checked) int64 {
	return calc.mul("lightning-attention state elements", c.NumAttentionHeads, c.HeadDim, c.HeadDim)
}

// lightningScanMACs is lightning attention's multiply-accumulates over
// tokens rows in the recurrent form of transformers'
// MiniMaxLightningAttention (its decoding loop), per token and head
// 2·head_dim²: the state's update kᵀ·v and the output q·S. The decay
// exp(−slope)·S is elementwise, not counted.
func lightningScanMACs(c Config, tokens *big.Int) *big.Int {
	return new(big.Int).Mul(tokens, bigProduct(2, c.NumAttentionHeads, c.HeadDim, c.HeadDim))
}

// lightningChunkedMACs is lightning attention's MACs in the blockwise form
// transformers' MiniMaxLightningAttention runs without a cache, over b
// sequences of s tokens in blocks of Q = lightning_block_size (the last
// block holds what is left, not padded): per block of q tokens and head
// (d = head_dim) the intra-block q·kᵀ (q·q·d) and its product with v
// (q·q·d), the inter-block readout of the carried state (q·d·d) and the
// state's update kᵀ·v (q·d·d); the decays are elementwise. Over the
// sequence: 2·d·Σq² + 2·d²·s per head.
func lightningChunkedMACs(c Config, b, s int64) *big.Int {
	Q, d, H := c.LightningBlockSize, c.HeadDim, c.NumAttentionHeads
	full, rest := s/Q, s%Q
	squares := bigSum(bigProduct(full, Q, Q), bigProduct(rest, rest))
	perSeq := bigSum(new(big.Int).Mul(squares, bigProduct(2, d)), bigProduct(2, d, d, s))
	return perSeq.Mul(perSeq, bigProduct(b, H))
}

// lightningOps is one lightning-attention block with its norm and residual
// add (transformers' MiniMaxLightningAttention): qkv_proj (h → 3·H·d, its
// activation elementwise), the linear attention with its decay, the
// RMSNorm over H·d, the sigmoid output gate output_gate (h → H·d; the
// product elementwise) and out_proj (H·d → h).
func (ob *opBuilder) lightningOps(normName string) []Op {
	c := ob.cfg
	b, s, h := ob.b, ob.s, c.HiddenSize
	rows := []int64{b, s}
	H, d := c.NumAttentionHeads, c.HeadDim
	width := ob.calc.mul("lightning-attention width", H, d)
	scanMACs := lightningScanMACs(c, ob.tokens)
	var ops []Op
	if normName != "" {
		ops = append(ops, ob.hiddenNorm(normName, BlockSSM))
	}
	ops = append(ops,
		ob.linear("qkv_proj", BlockSSM, rows, h, ob.calc.mul("qkv_proj width", 3, width), false),
		ob.op(Op{Name: "lightning_attention", Block: BlockSSM, Kind: KindScan,
			Inputs: [][]int64{{b, H, s, d}, {b, H, s, d}, {b, H, s, d}},
			Output: []int64{b, H, s, d}, MACs: scanMACs,
		}, scanMACs),
		ob.norm("norm", BlockSSM, []int64{b, s, width}, width, RMSNorm),
		ob.linear("output_gate", BlockSSM, rows, h, width, false),
		ob.linear("out_proj", BlockSSM, rows, width, h, false),
		ob.residual("mixer_residual", BlockSSM, 2))
	for i := range ops {
		ops[i].Block = BlockSSM
	}
	return ops
}
