package scale

import "fmt"

// This file is the Mamba-1 (selective SSM) token mixer of Jamba: its
// validation, its ops and its per-sequence state. Its scan counts as
// Mamba-2's (mamba2ScanMACs): 2·d_inner·state_size MACs per token.

// HasMamba1 reports whether some layer mixes its tokens with a Mamba-1
// block.
func (c Config) HasMamba1() bool {
	for _, l := range c.Layers {
		if l.Attention == PartMamba1 {
			return true
		}
	}
	return false
}

// HasRecurrent reports whether some layer keeps a recurrent state (a
// Mamba-1 or Mamba-2 block).
func (c Config) HasRecurrent() bool {
	return c.HasMamba2() || c.HasMamba1() || c.HasShortConv() || c.HasGatedDeltaNet() || c.HasLightning()
}

// validateMamba1 checks the Mamba-1 fields: set exactly when some layer is
// a Mamba-1 block, and positive.
func (c Config) validateMamba1(v *validator) {
	fields := []struct {
		name  string
		value int64
	}{
		{"mamba_inner_size", c.MambaInnerSize}, {"mamba_state_size", c.MambaStateSize},
		{"mamba_conv_kernel", c.MambaConvKernel}, {"mamba_dt_rank", c.MambaDTRank},
	}
	if !c.HasMamba1() {
		for _, f := range fields {
			v.check(f.value == 0, f.name, "must be 0 unless some layer is a Mamba-1 block (layers[i].attention \"mamba\")", f.value)
		}
		for _, f := range []struct {
			name  string
			value bool
		}{{"mamba_conv_bias", c.MambaConvBias}, {"mamba_proj_bias", c.MambaProjBias}, {"mamba_inner_norms", c.MambaInnerNorms}} {
			v.check(!f.value, f.name, "must be false unless some layer is a Mamba-1 block", f.value)
		}
		return
	}
	for _, f := range fields {
		v.positive(f.name, f.value)
		v.check(f.value <= MaxMamba2Width, f.name, fmt.Sprintf("must not exceed %d", int64(MaxMamba2Width)), f.value)
	}
	v.check(!c.HasMamba2(), "layers", "must not mix Mamba-1 and Mamba-2 blocks (no model does)", "both")
}

// mambaConv is the kernel and bias of the model's conv1d: Mamba-1's or
// Mamba-2's (a model has one kind).
func (c Config) mambaConv() (kernel int64, bias bool) {
	if c.HasShortConv() {
		return c.ShortConvKernel, c.ShortConvBias
	}
	if c.HasGatedDeltaNet() { // no conv bias
		return c.GDNConvKernel, false
	}
	if c.HasMamba1() {
		return c.MambaConvKernel, c.MambaConvBias
	}
	return c.Mamba2ConvKernel, c.Mamba2ConvBias
}

// scanTensors are the tensors of a scan op and the shape of each: Mamba-1's
// A_log [d_inner, state_size] and D [d_inner], or Mamba-2's dt_bias, A_log
// and D [num_heads].
func (c Config) scanTensors() map[string][]int64 {
	if c.HasGatedDeltaNet() {
		h := []int64{c.GDNNumValueHeads}
		return map[string][]int64{"dt_bias": h, "A_log": h}
	}
	if c.HasMamba1() {
		return map[string][]int64{"A_log": {c.MambaInnerSize, c.MambaStateSize}, "D": {c.MambaInnerSize}}
	}
	h := []int64{c.Mamba2NumHeads}
	return map[string][]int64{"dt_bias": h, "A_log": h, "D": h}
}

// mamba1State is one Mamba-1 layer's per-sequence state: the SSM state
// d_inner × state_size and the conv state d_inner × conv_kernel (Jamba's
// cache keeps conv_kernel columns).
func (c Config) mamba1State(calc *checked) (ssm, conv int64) {
	return calc.mul("SSM state elements", c.MambaInnerSize, c.MambaStateSize),
		calc.mul("conv state elements", c.MambaInnerSize, c.MambaConvKernel)
}

// mamba1Ops is one Mamba-1 block with its norm and residual add: in_proj
// (x and the gate z), the depthwise conv1d over x, x_proj to Δ, B and C
// (with Jamba's RMSNorms over each), dt_proj, the scan (A_log and D) and
// out_proj.
func (ob *opBuilder) mamba1Ops(normName string) []Op {
	c := ob.cfg
	b, s, h := ob.b, ob.s, c.HiddenSize
	rows := []int64{b, s}
	inner, N, R := c.MambaInnerSize, c.MambaStateSize, c.MambaDTRank
	const what = "Mamba-1 widths"
	xWidth := ob.calc.add(what, R, ob.calc.mul(what, 2, N))
	convParams := ob.calc.mul("conv1d params", inner, c.MambaConvKernel)
	if c.MambaConvBias {
		convParams = ob.calc.add("conv1d params", convParams, inner)
	}
	convMACs := bigProduct(b, s, inner, c.MambaConvKernel)
	scanMACs := mamba2ScanMACs(inner, N, ob.tokens)
	var ops []Op
	if normName != "" {
		ops = append(ops, ob.hiddenNorm(normName, BlockSSM))
	}
	ops = append(ops,
		ob.linear("in_proj", BlockSSM, rows, h, ob.calc.mul(what, 2, inner), c.MambaProjBias),
		ob.op(Op{Name: "conv1d", Block: BlockSSM, Kind: KindConv,
			Inputs: [][]int64{shape(rows, inner)}, Output: shape(rows, inner), MACs: convMACs, Params: convParams}, convMACs),
		ob.linear("x_proj", BlockSSM, rows, inner, xWidth, false))
	if c.MambaInnerNorms {
		ops = append(ops,
			ob.norm("dt_layernorm", BlockSSM, shape(rows, R), R, RMSNorm),
			ob.norm("b_layernorm", BlockSSM, shape(rows, N), N, RMSNorm),
			ob.norm("c_layernorm", BlockSSM, shape(rows, N), N, RMSNorm))
	}
	ops = append(ops,
		ob.linear("dt_proj", BlockSSM, rows, R, inner, true),
		ob.op(Op{Name: "ssm_scan", Block: BlockSSM, Kind: KindScan,
			Inputs: [][]int64{shape(rows, inner), shape(rows, N), shape(rows, N), shape(rows, inner)},
			Output: shape(rows, inner), MACs: scanMACs,
			Params: ob.calc.add("A_log and D params", ob.calc.mul("A_log params", inner, N), inner),
		}, scanMACs),
		ob.linear("out_proj", BlockSSM, rows, inner, h, c.MambaProjBias),
		ob.residual("mixer_residual", BlockSSM, 2))
	for i := range ops {
		ops[i].Block = BlockSSM
	}
	return ops
}
