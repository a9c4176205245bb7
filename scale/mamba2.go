package scale

import (
	"fmt"
	"math/big"
	"slices"
)

// This file is the Mamba-2 (SSD) token mixer: its validation, its ops and
// its per-sequence recurrent state. One rule in one place: the widths are
// written in mamba2Widths, the scan's FLOPs in mamba2ScanMACs.

// hasAttention reports whether some layer has attention: every layer,
// unless per-layer shapes give each a Mamba-2 block or none instead.
func (c Config) hasAttention() bool {
	if c.Layers == nil {
		return true
	}
	for _, l := range c.Layers {
		if l.Attention == PartFull || l.Attention == PartLinear || l.SharedBlock {
			return true
		}
	}
	return false
}

// HasMamba2 reports whether some layer mixes its tokens with a Mamba-2
// block.
func (c Config) HasMamba2() bool {
	if c.Mamba2BesideAttention {
		return true
	}
	for _, l := range c.Layers {
		if l.Attention == PartMamba2 {
			return true
		}
	}
	return false
}

// onlyMixersVary reports whether the per-layer shapes differ in the token
// mixer alone: every layer keeps the model's MLP (or experts).
func (c Config) onlyMixersVary() bool {
	for _, l := range c.Layers {
		if l.MLP != PartFull || l.IntermediateSize != 0 || l.NumKeyValueHeads != 0 || l.SharedBlock {
			return false
		}
	}
	return true
}

// validateMamba2 checks the Mamba-2 fields: set exactly when some layer is
// a Mamba-2 block, positive, with n_groups dividing num_heads.
func (c Config) validateMamba2(v *validator) {
	fields := []struct {
		name  string
		value int64
	}{
		{"mamba2_num_heads", c.Mamba2NumHeads}, {"mamba2_head_dim", c.Mamba2HeadDim},
		{"mamba2_state_size", c.Mamba2StateSize}, {"mamba2_n_groups", c.Mamba2NGroups},
		{"mamba2_conv_kernel", c.Mamba2ConvKernel}, {"mamba2_chunk_size", c.Mamba2ChunkSize},
	}
	if !c.HasMamba2() {
		for _, f := range fields {
			v.check(f.value == 0, f.name, "must be 0 unless some layer is a Mamba-2 block (layers[i].attention \"mamba2\")", f.value)
		}
		for _, f := range []struct {
			name  string
			value bool
		}{{"mamba2_in_proj_bias", c.Mamba2InProjBias}, {"mamba2_out_proj_bias", c.Mamba2OutProjBias}, {"mamba2_no_norm", c.Mamba2NoNorm}} {
			v.check(!f.value, f.name, "must be false unless some layer is a Mamba-2 block", f.value)
		}
		v.check(!c.Mamba2ConvBias, "mamba2_conv_bias", "must be false unless some layer is a Mamba-2 block", c.Mamba2ConvBias)
		return
	}
	v.check(!c.Mamba2BesideAttention || (c.Layers == nil && !c.ParallelBlock && !c.IsMLA()), "mamba2_beside_attention",
		"needs a sequential model without per-layer shapes and without MLA", c.Mamba2BesideAttention)
	for _, f := range fields {
		v.positive(f.name, f.value)
		v.check(f.value <= MaxMamba2Width, f.name, fmt.Sprintf("must not exceed %d", int64(MaxMamba2Width)), f.value)
	}
	if c.Mamba2NGroups > 0 && c.Mamba2NumHeads > 0 {
		v.check(c.Mamba2NumHeads%c.Mamba2NGroups == 0, "mamba2_num_heads",
			fmt.Sprintf("must be divisible by mamba2_n_groups (%d)", c.Mamba2NGroups), c.Mamba2NumHeads)
	}
}

// MaxMamba2Width bounds each Mamba-2 width, so that products of a few of
// them fit an int64.
const MaxMamba2Width = 1 << 20

// mamba2Widths are the Mamba-2 block's widths: d_inner = heads × head_dim,
// the B and C width n_groups × state_size (each), conv_dim = d_inner +
// 2·n_groups·state_size and in_proj's output 2·d_inner + 2·n_groups·
// state_size + heads (z, x, B, C and dt).
type mamba2Widths struct {
	inner, bc, conv, proj int64
}

func (c Config) mamba2Widths(calc *checked) mamba2Widths {
	const what = "Mamba-2 widths"
	var w mamba2Widths
	w.inner = calc.mul(what, c.Mamba2NumHeads, c.Mamba2HeadDim)
	w.bc = calc.mul(what, c.Mamba2NGroups, c.Mamba2StateSize)
	w.conv = calc.add(what, w.inner, calc.mul(what, 2, w.bc))
	w.proj = calc.add(what, w.inner, w.conv, c.Mamba2NumHeads)
	return w
}

// Mamba2StateElements is one Mamba-2 layer's per-sequence state: the SSM
// state num_heads × head_dim × state_size and the conv state conv_dim ×
// conv_kernel (transformers' Mamba2Cache keeps conv_kernel columns).
func (c Config) mamba2State(calc *checked) (ssm, conv int64) {
	w := c.mamba2Widths(calc)
	return calc.mul("SSM state elements", w.inner, c.Mamba2StateSize), calc.mul("conv state elements", w.conv, c.Mamba2ConvKernel)
}

// mamba2ScanMACs is the scan's multiply-accumulates over tokens rows of
// one sequence in the recurrent form, per token 2·d_inner·state_size: the
// state update h ← exp(Δ·A)·h + Δ·x·Bᵀ (one MAC per state element, the
// outer product accumulated into the decayed state) and the readout y =
// h·C (one per state element). The decay, Δ's softplus, the D skip and the
// gate are elementwise, not counted.
func mamba2ScanMACs(inner, n int64, tokens *big.Int) *big.Int {
	return new(big.Int).Mul(tokens, bigProduct(2, inner, n))
}

// mamba2ChunkedMACs is the scan's MACs in the chunked (SSD) parallel form
// of transformers' torch_forward, over b sequences of s tokens padded to
// ⌈s/Q⌉ chunks of Q tokens, per chunk and head: C·Bᵀ (Q·Q·N), the masked
// scores times x (Q·Q·P), the chunk's state Bᵀ·x (Q·N·P) and the readout
// of the carried state C·state (Q·N·P); and the state passed from chunk to
// chunk, one MAC per state element per chunk (P·N per head). Q·Q is the
// whole block, as the matmul computes it before the causal mask.
func mamba2ChunkedMACs(c Config, b, s int64) *big.Int {
	Q, N, P, H := c.Mamba2ChunkSize, c.Mamba2StateSize, c.Mamba2HeadDim, c.Mamba2NumHeads
	chunks := s/Q + min(s%Q, 1)
	perChunk := bigSum(bigProduct(Q, Q, N), bigProduct(Q, Q, P), bigProduct(2, Q, N, P), bigProduct(P, N))
	return perChunk.Mul(perChunk, bigProduct(b, chunks, H))
}

// mamba2Ops is one Mamba-2 block with its norm and residual add: in_proj,
// the depthwise causal conv1d over x, B and C, the scan (with dt_bias,
// A_log and D), the gated RMSNorm and out_proj.
func (ob *opBuilder) mamba2Ops(normName string) []Op {
	c := ob.cfg
	b, s, h := ob.b, ob.s, c.HiddenSize
	rows := []int64{b, s}
	w := c.mamba2Widths(ob.calc)
	H, P, N := c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize
	ssm := func(o Op) Op { o.Block = BlockSSM; return o }
	inProj := ssm(ob.linear("in_proj", BlockSSM, rows, h, w.proj, c.Mamba2InProjBias))
	convParams := ob.calc.mul("conv1d params", w.conv, c.Mamba2ConvKernel)
	if c.Mamba2ConvBias {
		convParams = ob.calc.add("conv1d params", convParams, w.conv)
	}
	convMACs := bigProduct(b, s, w.conv, c.Mamba2ConvKernel)
	scanMACs := mamba2ScanMACs(w.inner, N, ob.tokens)
	out := ob.linear("out_proj", BlockSSM, rows, w.inner, h, c.Mamba2OutProjBias)
	var ops []Op
	if normName != "" {
		ops = append(ops, ob.hiddenNorm(normName, BlockSSM))
	}
	ops = append(ops, inProj,
		ob.op(Op{Name: "conv1d", Block: BlockSSM, Kind: KindConv,
			Inputs: [][]int64{shape(rows, w.conv)}, Output: shape(rows, w.conv), MACs: convMACs, Params: convParams}, convMACs),
		ob.op(Op{Name: "ssm_scan", Block: BlockSSM, Kind: KindScan,
			Inputs: [][]int64{{b, s, H, P}, {b, s, c.Mamba2NGroups, N}, {b, s, c.Mamba2NGroups, N}, {b, s, H}},
			Output: []int64{b, s, H, P}, MACs: scanMACs,
			Params: ob.calc.mul("dt_bias, A_log and D params", 3, H), // dt_bias, A_log, D
		}, scanMACs),
		ob.norm("gated_norm", BlockSSM, shape(rows, w.inner), w.inner, RMSNorm),
		out,
		ob.residual("mixer_residual", BlockSSM, 2))
	if c.Mamba2NoNorm { // the gate multiplies elementwise: no op of its own
		ops = slices.DeleteFunc(ops, func(o Op) bool { return o.Name == "gated_norm" })
	}
	return ops
}

// ssmInto adds op o of a Mamba-2 block, writing el new elements, to the
// layer's SSM FLOPs and activation elements.
func ssmInto(lg *LayerGroup, o Op, el *big.Int) {
	f, a := &lg.FLOPs, &lg.ActivationElements
	if f.SSM == nil {
		f.SSM, f.SSMScan, a.SSM = new(big.Int), new(big.Int), new(big.Int)
	}
	f.SSM.Add(f.SSM, o.FLOPs)
	a.SSM.Add(a.SSM, el)
	if o.Kind == KindScan {
		f.SSMScan.Add(f.SSMScan, o.FLOPs)
	}
}

// recurrentTotals fills in the model-wide Mamba-2 numbers: the blocks'
// FLOPs, flops.forward_chunked and the per-sequence recurrent state.
func recurrentTotals(calc *checked, r *Report) {
	c := r.Config
	if !c.HasRecurrent() {
		return
	}
	f, m, act := &r.FLOPs, &r.Memory, &r.Memory.ActivationElements
	f.Blocks.SSM, f.BlocksDense.SSM, act.SSM = new(big.Int), new(big.Int), new(big.Int)
	f.ForwardChunked = new(big.Int).Set(f.Forward)
	f.SSMChunkSize = c.Mamba2ChunkSize + c.GDNChunkSize + c.LightningBlockSize // 0 without Mamba-2, Gated DeltaNet or lightning layers (a model has one kind): Mamba-1 has no chunked form
	const what = "memory.recurrent_state_elements_per_sequence"
	for _, lg := range r.Layers {
		if lg.FLOPs.SSM == nil {
			continue
		}
		n := lg.Count
		addScaled(&f.Blocks.SSM, n, lg.FLOPs.SSM)
		addScaled(&f.BlocksDense.SSM, n, lg.FLOPs.SSM)
		addScaled(&act.SSM, n, lg.ActivationElements.SSM)
		f.ForwardChunked.Add(f.ForwardChunked, scaledBy(new(big.Int).Sub(lg.FLOPs.SSMScanChunked, lg.FLOPs.SSMScan), n))
		m.RecurrentStateElementsPerSequence = calc.add(what, m.RecurrentStateElementsPerSequence,
			calc.mul(what, n, calc.add(what, lg.SSMStateElements, lg.ConvStateElements)))
	}
	act.Total.Add(act.Total, act.SSM)
	w := r.Workload
	m.RecurrentStateBytesPerSequence = bytesOf(calc, "memory.recurrent_state_bytes_per_sequence",
		m.RecurrentStateElementsPerSequence, w.KVDType.Bits())
	m.RecurrentStateBytes = bigBytesOf(bigProduct(w.BatchSize, m.RecurrentStateElementsPerSequence), w.KVDType.Bits())
}
