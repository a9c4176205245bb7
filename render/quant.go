package render

import (
	"fmt"
	"strings"

	"github.com/tscale/tscale/scale"
)

// decimal writes an exact fraction as a decimal of at most three places,
// trailing zeros dropped: "4.25", "4.156".
func decimal(f *scale.Fraction) string {
	s := f.Rat().FloatString(3)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// quantMethodName names a quantisation method and its layout for people:
// "AWQ 4-bit (gemm, groups of 128)", "FP8 e4m3 (128 × 128 blocks)".
func quantMethodName(q *scale.Quantization) string {
	var detail []string
	groups := func() {
		switch {
		case q.GroupSize > 0:
			detail = append(detail, fmt.Sprintf("groups of %d", q.GroupSize))
		case q.PerTensor:
			detail = append(detail, "one scale per tensor")
		default:
			detail = append(detail, "one scale per output row")
		}
	}
	var name string
	switch q.Method {
	case scale.QuantAWQ:
		name = fmt.Sprintf("AWQ %d-bit", q.Bits)
		detail = append(detail, q.Format)
		groups()
	case scale.QuantGPTQ:
		name = fmt.Sprintf("GPTQ %d-bit", q.Bits)
		groups()
	case scale.QuantBitsAndBytes:
		name = "bitsandbytes int8"
		if q.Bits == 4 {
			name = "bitsandbytes 4-bit"
			detail = append(detail, fmt.Sprintf("absmax per %d weights", q.GroupSize))
			if q.DoubleQuant {
				detail = append(detail, "double quantisation")
			}
		}
	case scale.QuantFP8:
		name = "FP8 e4m3"
		if len(q.BlockSize) == 2 {
			detail = append(detail, fmt.Sprintf("%d × %d blocks", q.BlockSize[0], q.BlockSize[1]))
		} else {
			detail = append(detail, "one scale per tensor")
		}
	case scale.QuantMXFP4:
		return "MXFP4"
	case scale.QuantCompressedTensors:
		name = "compressed-tensors " + q.Format
		detail = append(detail, fmt.Sprintf("%d-bit", q.Bits))
		groups()
	}
	if len(detail) == 0 {
		return name
	}
	return name + " (" + strings.Join(detail, ", ") + ")"
}

// checkpointWeightsPhrase says how a quantised checkpoint stores the
// weights: "experts in MXFP4, 4.25 bits per weight with scales; the rest
// bf16".
func checkpointWeightsPhrase(c scale.Config, cw *scale.CheckpointWeights) string {
	q := c.Quantization
	if q == nil {
		q = &scale.Quantization{Method: cw.Method}
	}
	what := "experts"
	for _, o := range cw.Quantized {
		if !strings.HasPrefix(o.Op, "experts.") {
			what = "linear layers"
		}
	}
	with := "scales"
	switch {
	case q.Method == scale.QuantGPTQ:
		with = "scales, zero points and g_idx"
	case q.Method == scale.QuantAWQ || q.ZeroPoints:
		with = "scales and zero points"
	}
	s := fmt.Sprintf("%s in %s, %s bits per weight with %s; the rest %s", what, quantMethodName(q),
		decimal(cw.BitsPerWeight), with, cw.UnquantizedDType)
	if cw.VariableTensors > 0 {
		s += fmt.Sprintf("; %s quant_state tensors of data-dependent length not counted", grouped(cw.VariableTensors))
	}
	return s
}

// notQuantizedPhrase lists the linear ops a quantisation leaves alone.
func notQuantizedPhrase(q *scale.Quantization) string {
	parts := make([]string, len(q.NotQuantized))
	for i, s := range q.NotQuantized {
		parts[i] = s.Op
		if len(s.Layers) > 0 {
			parts[i] += fmt.Sprintf(" (%d %s)", len(s.Layers), plural(int64(len(s.Layers)), "layer", "layers"))
		}
	}
	return strings.Join(parts, ", ")
}
