package scale

import "fmt"

// This file is LFM2's short-convolution token mixer: its validation and
// its ops. Its state is the conv window, h × short_conv_kernel elements
// per sequence; it has no scan.

// HasShortConv reports whether some layer mixes its tokens with a short
// convolution.
func (c Config) HasShortConv() bool {
	for _, l := range c.Layers {
		if l.Attention == PartShortConv {
			return true
		}
	}
	return false
}

// validateShortConv checks the short-convolution fields: set exactly when
// some layer is a short-convolution block; no Mamba block beside them.
func (c Config) validateShortConv(v *validator) {
	if !c.HasShortConv() {
		v.check(c.ShortConvKernel == 0, "short_conv_kernel", "must be 0 unless some layer is a short-convolution block", c.ShortConvKernel)
		v.check(!c.ShortConvBias, "short_conv_bias", "must be false unless some layer is a short-convolution block", c.ShortConvBias)
		return
	}
	v.positive("short_conv_kernel", c.ShortConvKernel)
	v.check(c.ShortConvKernel <= MaxMamba2Width, "short_conv_kernel", fmt.Sprintf("must not exceed %d", int64(MaxMamba2Width)), c.ShortConvKernel)
	v.check(!c.HasMamba1() && !c.HasMamba2(), "layers", "must not mix short-convolution and Mamba blocks (no model does)", "both")
}

// shortConvOps is one short-convolution block with its norm and residual
// add (transformers' Lfm2ShortConv): in_proj to B, C and x, the depthwise
// conv over B·x (the product elementwise), the gate C (elementwise) and
// out_proj.
func (ob *opBuilder) shortConvOps(normName string) []Op {
	c := ob.cfg
	b, s, h := ob.b, ob.s, c.HiddenSize
	rows := []int64{b, s}
	convParams := ob.calc.mul("conv params", h, c.ShortConvKernel)
	if c.ShortConvBias {
		convParams = ob.calc.add("conv params", convParams, h)
	}
	convMACs := bigProduct(b, s, h, c.ShortConvKernel)
	var ops []Op
	if normName != "" {
		ops = append(ops, ob.hiddenNorm(normName, BlockSSM))
	}
	ops = append(ops,
		ob.linear("in_proj", BlockSSM, rows, h, ob.calc.mul("in_proj width", 3, h), c.ShortConvBias),
		ob.op(Op{Name: "conv", Block: BlockSSM, Kind: KindConv,
			Inputs: [][]int64{shape(rows, h)}, Output: shape(rows, h), MACs: convMACs, Params: convParams}, convMACs),
		ob.linear("out_proj", BlockSSM, rows, h, h, c.ShortConvBias),
		ob.residual("mixer_residual", BlockSSM, 2))
	for i := range ops {
		ops[i].Block = BlockSSM
	}
	return ops
}
