package scale

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// quantTestConfig is a small Llama: h 256, 2 layers, 4 heads of 64 with 2
// KV heads, a gated MLP of 512, vocabulary 1000, untied head. Its linear
// layers, per layer: q and o 256×256, k and v 256→128, gate and up
// 256→512, down 512→256.
func quantTestConfig() Config { return llamaStyle(1000, 256, 2, 4, 2, 64, 512) }

// quantLinears are quantTestConfig's linear layers (in, out), once per
// layer.
var quantLinears = [][2]int64{{256, 256}, {256, 128}, {256, 128}, {256, 256}, {256, 512}, {256, 512}, {512, 256}}

const quantTestLayers = 2

// TestQuantizedWeightBytesByHand: a checkpoint's bytes, method by method,
// worked out here from each format's layout in its source, one Linear(in,
// out) at a time, independently of Quantization.WeightTensors: the
// quantised matrices of every decoder layer (the LM head left alone) plus
// every other parameter at 2 bytes.
func TestQuantizedWeightBytesByHand(t *testing.T) {
	ceil := func(a, b int64) int64 { return (a + b - 1) / b }
	lmHead := []QuantSkip{{Op: "lm_head"}}
	for _, tc := range []struct {
		name string
		q    Quantization
		// linear is the bytes of one quantised Linear(in, out), bias excluded.
		linear func(in, out int64) int64
	}{
		{"A 4-bit AWQ config's weight bytes are exact, scales included (gemm, group 128)",
			Quantization{Method: QuantAWQ, Format: FormatAWQGEMM, Bits: 4, GroupSize: 128, DType: FP16, NotQuantized: lmHead},
			// qweight int32 [in, out/8]: half a byte a weight; qzeros int32
			// [in/128, out/8]; scales fp16 [in/128, out].
			func(in, out int64) int64 { return in*out/8*4 + in/128*out/8*4 + in/128*out*2 }},
		{"AWQ gemv, group 64",
			Quantization{Method: QuantAWQ, Format: FormatAWQGEMV, Bits: 4, GroupSize: 64, DType: FP16, NotQuantized: lmHead},
			// qweight int32 [out, in/8]; z = calculate_zeros_width: ⌈(in/64)/8⌉
			// rounded up to even (group 64); qzeros int32 [out, z]; scales
			// fp16 [out, 8z]. in 256: 4 groups → 1 → 2; in 512: 8 → 1 → 2.
			func(in, out int64) int64 { return out*in/8*4 + out*2*4 + out*16*2 }},
		{"GPTQ 4-bit, group 128",
			Quantization{Method: QuantGPTQ, Bits: 4, GroupSize: 128, DType: FP16, NotQuantized: lmHead},
			// qweight int32 [in/32·4, out]; qzeros int32 [⌈in/128⌉, out/32·4];
			// scales fp16 [⌈in/128⌉, out]; g_idx int32 [in].
			func(in, out int64) int64 {
				return in/32*4*out*4 + ceil(in, 128)*out/32*4*4 + ceil(in, 128)*out*2 + in*4
			}},
		{"GPTQ 3-bit, one group per row",
			Quantization{Method: QuantGPTQ, Bits: 3, DType: FP16, NotQuantized: lmHead},
			func(in, out int64) int64 { return in/32*3*out*4 + out/32*3*4 + out*2 + in*4 }},
		{"bitsandbytes NF4",
			Quantization{Method: QuantBitsAndBytes, Bits: 4, GroupSize: 64, DType: BF16, NotQuantized: lmHead},
			// weight uint8 [(n+1)/2, 1]; absmax float32 per 64 weights;
			// quant_map float32 [16].
			func(in, out int64) int64 { n := in * out; return (n+1)/2 + ceil(n, 64)*4 + 16*4 }},
		{"bitsandbytes NF4 with double quantisation",
			Quantization{Method: QuantBitsAndBytes, Bits: 4, GroupSize: 64, DoubleQuant: true, DType: BF16, NotQuantized: lmHead},
			// absmax uint8 per 64 weights, nested_absmax float32 per 256 of
			// them, nested_quant_map float32 [256].
			func(in, out int64) int64 {
				n := in * out
				return (n+1)/2 + ceil(n, 64) + 16*4 + ceil(ceil(n, 64), 256)*4 + 256*4
			}},
		{"bitsandbytes int8",
			Quantization{Method: QuantBitsAndBytes, Bits: 8, DType: BF16, NotQuantized: lmHead},
			// weight int8 [out, in]; SCB float32 [out]; weight_format uint8.
			func(in, out int64) int64 { return in*out + out*4 + 1 }},
		{"FP8, 128 × 128 blocks",
			Quantization{Method: QuantFP8, Bits: 8, BlockSize: []int64{128, 128}, DType: BF16, NotQuantized: lmHead},
			// weight float8 [out, in]; weight_scale_inv float32 per block.
			func(in, out int64) int64 { return in*out + ceil(out, 128)*ceil(in, 128)*4 }},
		{"FP8, one scale per tensor, static activations",
			Quantization{Method: QuantFP8, Bits: 8, PerTensor: true, StaticActivations: true, DType: BF16, NotQuantized: lmHead},
			func(in, out int64) int64 { return in*out + 4 + 4 }},
		{"compressed-tensors W4A16, group 128, asymmetric",
			Quantization{Method: QuantCompressedTensors, Format: FormatPackQuantized, Bits: 4, GroupSize: 128, ZeroPoints: true,
				DType: BF16, NotQuantized: lmHead},
			// weight_packed int32 [out, in/8]; weight_shape int64 [2];
			// weight_scale bf16 [out, in/128]; weight_zero_point int32
			// [out/8, in/128].
			func(in, out int64) int64 { return out*in/8*4 + 16 + out*(in/128)*2 + out/8*(in/128)*4 }},
		{"compressed-tensors FP8, per channel",
			Quantization{Method: QuantCompressedTensors, Format: FormatFloatQuantized, Bits: 8, DType: BF16, NotQuantized: lmHead},
			func(in, out int64) int64 { return in*out + out*2 }},
		{"compressed-tensors NVFP4",
			Quantization{Method: QuantCompressedTensors, Format: FormatNVFP4Packed, Bits: 4, GroupSize: 16, StaticActivations: true,
				DType: BF16, NotQuantized: lmHead},
			// weight_packed uint8 [out, in/2]; weight_scale fp8 [out, in/16];
			// weight_global_scale and input_global_scale float32 [1].
			func(in, out int64) int64 { return out*in/2 + out*in/16 + 4 + 4 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := Workload{BatchSize: 1, SeqLen: 8, DType: BF16}
			c := quantTestConfig()
			plain := mustAnalyze(t, c, w)
			q := tc.q
			c.Quantization = &q
			r := mustAnalyze(t, c, w)
			if diff := cmp.Diff(plain, r, sameNumbers, cmpopts.IgnoreFields(Memory{}, "CheckpointWeightsBytes", "CheckpointWeights")); diff != "" {
				t.Errorf("the quantisation changes a number:\n%s", diff)
			}
			var quantized, matrixBytes int64
			for _, l := range quantLinears {
				quantized += quantTestLayers * l[0] * l[1]
				matrixBytes += quantTestLayers * tc.linear(l[0], l[1])
			}
			want := matrixBytes + (r.Params.Total-quantized)*2
			if got := r.Memory.CheckpointWeightsBytes; got != want {
				t.Errorf("checkpoint bytes %d, want %d", got, want)
			}
			cw := r.Memory.CheckpointWeights
			if cw.UnquantizedParams != r.Params.Total-quantized || cw.Bytes != want {
				t.Errorf("unquantised params %d, bytes %d; want %d, %d", cw.UnquantizedParams, cw.Bytes, r.Params.Total-quantized, want)
			}
			var sum int64
			for _, o := range cw.Quantized {
				var tensors int64
				for _, tb := range o.Tensors {
					tensors += tb.Bytes
				}
				if tensors != o.Bytes || o.Matrices != quantTestLayers || o.Params != o.Matrices*o.In*o.Out {
					t.Errorf("%s: tensors %d bytes, op %d; %d matrices of %d × %d, %d params", o.Op, tensors, o.Bytes,
						o.Matrices, o.In, o.Out, o.Params)
				}
				if o.Bytes != quantTestLayers*tc.linear(o.In, o.Out) {
					t.Errorf("%s: %d bytes, want %d", o.Op, o.Bytes, quantTestLayers*tc.linear(o.In, o.Out))
				}
				sum += o.Bytes
			}
			if sum != matrixBytes || len(cw.Quantized) != len(quantLinears) {
				t.Errorf("%d quantised ops of %d bytes, want %d of %d", len(cw.Quantized), sum, len(quantLinears), matrixBytes)
			}
		})
	}
}

// TestAWQBitsPerWeight: AWQ 4-bit in groups of 128 stores 4 + 4/128 + 16/128
// bits per weight (values, zero points, fp16 scales): 4.15625 exactly.
func TestAWQBitsPerWeight(t *testing.T) {
	c := quantTestConfig()
	c.Quantization = &Quantization{Method: QuantAWQ, Format: FormatAWQGEMM, Bits: 4, GroupSize: 128, DType: FP16,
		NotQuantized: []QuantSkip{{Op: "lm_head"}}}
	r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: 8, DType: BF16})
	if got := r.Memory.CheckpointWeights.BitsPerWeight.String(); got != "133/32" {
		t.Errorf("bits per weight %s, want 133/32 (4.15625)", got)
	}
}

// TestQuantizationSkipsByLayer: a skip with layers leaves the op
// unquantised there only; biases of AWQ layers are fp16 whatever the
// model's dtype; bitsandbytes 4-bit counts its quant_state tensors apart.
func TestQuantizationSkipsByLayer(t *testing.T) {
	w := Workload{BatchSize: 1, SeqLen: 8, DType: BF16}
	c := quantTestConfig()
	c.AttentionQKVBias = true
	c.Quantization = &Quantization{Method: QuantAWQ, Format: FormatAWQGEMM, Bits: 4, GroupSize: 128, DType: FP32,
		NotQuantized: []QuantSkip{{Op: "lm_head"}, {Op: "down_proj", Layers: []int64{1}}}}
	r := mustAnalyze(t, c, w)
	awq := func(in, out int64) int64 { return in*out/2 + in/128*out/2 + in/128*out*2 }
	var quantized, bytes int64
	for i, l := range quantLinears {
		layers := int64(quantTestLayers)
		if i == 6 { // down_proj, left alone in layer 1
			layers = 1
		}
		quantized += layers * l[0] * l[1]
		bytes += layers * awq(l[0], l[1])
	}
	biases := int64(quantTestLayers * (256 + 128 + 128)) // q, k, v, fp16 in an AWQ layer
	want := bytes + biases*2 + (r.Params.Total-quantized-biases)*4
	if got := r.Memory.CheckpointWeightsBytes; got != want {
		t.Errorf("checkpoint bytes %d, want %d", got, want)
	}

	c = quantTestConfig()
	c.Quantization = &Quantization{Method: QuantBitsAndBytes, Bits: 4, GroupSize: 64, DType: BF16}
	r = mustAnalyze(t, c, w)
	if got, want := r.Memory.CheckpointWeights.VariableTensors, int64(quantTestLayers*7+1); got != want {
		t.Errorf("%d quant_state tensors, want %d (seven matrices a layer and the LM head)", got, want)
	}
}

// TestQuantizationValidation: the rules of each method, named by field.
func TestQuantizationValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		q     Quantization
		field string
		rule  string
	}{
		{"unknown method", Quantization{Method: "hqq", Bits: 4, DType: BF16}, "quantization.method", "must be one of"},
		{"awq 8-bit", Quantization{Method: QuantAWQ, Format: FormatAWQGEMM, Bits: 8, DType: BF16}, "quantization.bits", "[4]"},
		{"awq group not dividing", Quantization{Method: QuantAWQ, Format: FormatAWQGEMM, Bits: 4, GroupSize: 96, DType: BF16},
			"quantization.group_size", "must divide the input width"},
		{"awq gemv group 48", Quantization{Method: QuantAWQ, Format: FormatAWQGEMV, Bits: 4, GroupSize: 48, DType: BF16},
			"quantization.group_size", "32, 64 or at least 128"},
		{"gptq 5-bit", Quantization{Method: QuantGPTQ, Bits: 5, DType: BF16}, "quantization.bits", "[2 3 4 8]"},
		{"fp8 blocks", Quantization{Method: QuantFP8, Bits: 8, BlockSize: []int64{128}, DType: BF16}, "quantization.block_size",
			"two positive sizes"},
		{"mxfp4 dense", Quantization{Method: QuantMXFP4, Bits: 4, GroupSize: 32, DType: BF16}, "quantization.method",
			"mixture-of-experts"},
		{"compressed format", Quantization{Method: QuantCompressedTensors, Format: "marlin-24", Bits: 4, DType: BF16},
			"quantization.format", "must be"},
		{"dtype", Quantization{Method: QuantFP8, Bits: 8, DType: INT8}, "quantization.dtype", "must be"},
		{"skip layer", Quantization{Method: QuantFP8, Bits: 8, DType: BF16, NotQuantized: []QuantSkip{{Op: "q_proj", Layers: []int64{2}}}},
			"quantization.not_quantized[0].layers", "below num_hidden_layers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := quantTestConfig()
			q := tc.q
			c.Quantization = &q
			err := c.Validate()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Rule, tc.rule) {
				t.Errorf("Validate() = %v, want a %s error saying %q", err, tc.field, tc.rule)
			}
		})
	}
	c := quantTestConfig()
	c.ExpertWeightsFormat = MXFP4
	c.Quantization = &Quantization{Method: QuantFP8, Bits: 8, DType: BF16}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "expert_weights_format must be empty when quantization is set") {
		t.Errorf("both formats: %v", err)
	}
}

// TestLinearOps: the linear ops with a weight of their own, per layer and
// the untied head; a tied head has none.
func TestLinearOps(t *testing.T) {
	c := quantTestConfig()
	ops := LinearOps(c)
	if len(ops) != quantTestLayers*7+1 || ops[len(ops)-1] != (LinearOp{Layer: -1, Op: "lm_head", Experts: 1}) {
		t.Errorf("LinearOps = %v", ops)
	}
	c.TieWordEmbeddings = true
	if ops := LinearOps(c); len(ops) != quantTestLayers*7 {
		t.Errorf("tied: %d ops", len(ops))
	}
}
