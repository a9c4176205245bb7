package scale

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// QuantMethod is how a checkpoint stores quantised weights: a
// config.json's quantization_config.quant_method.
type QuantMethod string

// The quantisation methods whose storage tscale counts. Each stores the
// weight matrix of a quantised Linear(in, out) as the tensors listed with
// Quantization.WeightTensors; its bias and every weight it leaves alone are
// stored at Quantization.DType (AWQ and GPTQ store a quantised layer's bias
// in fp16).
const (
	// QuantAWQ is AutoAWQ's 4-bit format (awq/modules/linear/gemm.py,
	// WQLinear_GEMM: qweight int32 [in, out/8], qzeros int32 [in/g, out/8],
	// scales fp16 [in/g, out]; gemv.py, WQLinear_GEMV: qweight int32
	// [out, in/8], qzeros int32 [out, z], scales fp16 [out, 8z], z =
	// calculate_zeros_width(in, g)).
	QuantAWQ QuantMethod = "awq"
	// QuantGPTQ is AutoGPTQ's format (auto_gptq/nn_modules/qlinear/
	// qlinear_cuda_old.py, QuantLinear: qweight int32 [⌊in/32⌋·bits, out],
	// qzeros int32 [⌈in/g⌉, ⌊out/32⌋·bits], scales fp16 [⌈in/g⌉, out],
	// g_idx int32 [in]), which optimum and gptqmodel load.
	QuantGPTQ QuantMethod = "gptq"
	// QuantBitsAndBytes is bitsandbytes' 4-bit (NF4 or FP4) and 8-bit
	// (LLM.int8) storage as transformers serialises it (bitsandbytes
	// functional.py quantize_4bit and QuantState.as_dict; nn/modules.py
	// Linear8bitLt._save_to_state_dict).
	QuantBitsAndBytes QuantMethod = "bitsandbytes"
	// QuantFP8 is transformers' fine-grained FP8 (integrations/
	// finegrained_fp8.py, FP8Linear: weight float8_e4m3fn [out, in],
	// weight_scale_inv float32 [⌈out/bo⌉, ⌈in/bi⌉] for weight_block_size
	// [bo, bi], or one float32 for the whole tensor).
	QuantFP8 QuantMethod = "fp8"
	// QuantMXFP4 is OCP microscaling FP4 as gpt-oss stores its routed
	// experts (transformers integrations/mxfp4.py): per expert, output row
	// and block of 32 weights along the input, 16 bytes of FP4 values
	// (_blocks) and one E8M0 scale byte (_scales), a partial block padded.
	// Only the routed experts are converted.
	QuantMXFP4 QuantMethod = "mxfp4"
	// QuantCompressedTensors is llm-compressor's compressed-tensors formats
	// (compressed_tensors/compressors/quantized_compressors): Format
	// pack-quantized (integer weights packed eight 4-bit or four 8-bit to an
	// int32), float-quantized (FP8 weights) or nvfp4-pack-quantized.
	QuantCompressedTensors QuantMethod = "compressed-tensors"
)

// The compressed-tensors formats tscale counts (Quantization.Format).
const (
	FormatPackQuantized  = "pack-quantized"
	FormatFloatQuantized = "float-quantized"
	FormatNVFP4Packed    = "nvfp4-pack-quantized"
)

// The AWQ kernels' layouts (Quantization.Format).
const (
	FormatAWQGEMM = "gemm"
	FormatAWQGEMV = "gemv"
)

// Quantization is how a checkpoint stores its weights when
// quantization_config says they are quantised: the method, its layout and
// which linear layers it leaves alone. It changes no count; the report adds
// the bytes as stored (memory.checkpoint_weights_bytes, itemised in
// memory.checkpoint_weights).
//
// By default every linear layer of the decoder layers and an untied LM head
// is quantised (MXFP4: the routed experts only); NotQuantized names the
// others.
type Quantization struct {
	Method QuantMethod `json:"method"`
	// Format is the AWQ kernel layout (gemm or gemv) or the
	// compressed-tensors format; empty for the other methods.
	Format string `json:"format,omitempty"`
	// Bits is the width of one quantised weight.
	Bits int64 `json:"bits"`
	// GroupSize is how many weights along the input share a scale (AWQ,
	// GPTQ, compressed-tensors group strategy, MXFP4's 32) or an absmax
	// (bitsandbytes 4-bit's block of 64, counted along the flattened
	// matrix); 0: one scale per output row (per channel), or per tensor
	// where PerTensor says so, or FP8 blocks (BlockSize).
	GroupSize int64 `json:"group_size,omitempty"`
	// BlockSize is FP8's weight_block_size [output, input]: one scale per
	// block of the matrix.
	BlockSize []int64 `json:"block_size,omitempty"`
	// PerTensor: one scale for the whole matrix (FP8 without blocks,
	// compressed-tensors' tensor strategy).
	PerTensor bool `json:"per_tensor,omitempty"`
	// ZeroPoints: asymmetric compressed-tensors weights store packed zero
	// points (AWQ and GPTQ always store qzeros).
	ZeroPoints bool `json:"zero_points,omitempty"`
	// ActOrder: compressed-tensors' group activation ordering stores
	// weight_g_idx (GPTQ always stores g_idx).
	ActOrder bool `json:"act_order,omitempty"`
	// DoubleQuant: bitsandbytes 4-bit quantises the absmax values again
	// (bnb_4bit_use_double_quant), in blocks of 256.
	DoubleQuant bool `json:"double_quant,omitempty"`
	// StaticActivations: the checkpoint stores an input scale per quantised
	// layer (FP8 activation_scheme static: activation_scale;
	// compressed-tensors static input activations: input_scale; NVFP4:
	// input_global_scale).
	StaticActivations bool `json:"static_activations,omitempty"`
	// Storage is bitsandbytes 4-bit's bnb_4bit_quant_storage, the dtype
	// its packed values are stored in ("" is U8).
	Storage TensorDType `json:"storage,omitempty"`
	// DType is the type of every weight stored unquantised (config.json's
	// torch_dtype), and of compressed-tensors' integer and FP8 scales.
	DType DType `json:"dtype"`
	// NotQuantized are the linear layers the method leaves in DType.
	NotQuantized []QuantSkip `json:"not_quantized,omitempty"`
}

// QuantSkip names a linear op stored unquantised: in the layers listed, or
// in every layer (and the head) when Layers is empty.
type QuantSkip struct {
	Op     string  `json:"op"`
	Layers []int64 `json:"layers,omitempty"`
}

// TensorDType is a safetensors data type: "BF16", "F8_E4M3", "I32", ….
type TensorDType string

// The safetensors data types.
const (
	TensorBool    TensorDType = "BOOL"
	TensorU8      TensorDType = "U8"
	TensorI8      TensorDType = "I8"
	TensorF8E5M2  TensorDType = "F8_E5M2"
	TensorF8E4M3  TensorDType = "F8_E4M3"
	TensorF8E8M0  TensorDType = "F8_E8M0"
	TensorI16     TensorDType = "I16"
	TensorU16     TensorDType = "U16"
	TensorF16     TensorDType = "F16"
	TensorBF16    TensorDType = "BF16"
	TensorI32     TensorDType = "I32"
	TensorU32     TensorDType = "U32"
	TensorF32     TensorDType = "F32"
	TensorF64     TensorDType = "F64"
	TensorI64     TensorDType = "I64"
	TensorU64     TensorDType = "U64"
	TensorF4      TensorDType = "F4"
	TensorF6E2M3  TensorDType = "F6_E2M3"
	TensorF6E3M2  TensorDType = "F6_E3M2"
	tensorUnknown TensorDType = ""
)

var tensorBits = map[TensorDType]int64{
	TensorBool: 8, TensorU8: 8, TensorI8: 8, TensorF8E5M2: 8, TensorF8E4M3: 8, TensorF8E8M0: 8,
	TensorI16: 16, TensorU16: 16, TensorF16: 16, TensorBF16: 16, TensorI32: 32, TensorU32: 32, TensorF32: 32,
	TensorF64: 64, TensorI64: 64, TensorU64: 64, TensorF4: 4, TensorF6E2M3: 6, TensorF6E3M2: 6,
}

// Bits is the width of one element in bits; 0 for an unknown type.
func (d TensorDType) Bits() int64 { return tensorBits[d] }

// IsFloat reports whether d holds floating-point values at 16 bits or more:
// a type an unquantised weight may be stored in.
func (d TensorDType) IsFloat() bool {
	return d == TensorF16 || d == TensorBF16 || d == TensorF32 || d == TensorF64
}

// TensorDTypeOf is the safetensors type of a weight stored at d.
func TensorDTypeOf(d DType) TensorDType {
	switch d {
	case FP32:
		return TensorF32
	case FP16:
		return TensorF16
	case FP8:
		return TensorF8E4M3
	case INT8:
		return TensorI8
	}
	return TensorBF16
}

// TensorSpec is one stored tensor of a quantised weight matrix: its name
// after the module's (qweight, weight_scale_inv, blocks, …), type and shape.
type TensorSpec struct {
	Part  string      `json:"part"`
	DType TensorDType `json:"dtype"`
	Shape []int64     `json:"shape"`
}

// WeightTensors lists the tensors that store the weight of one quantised
// Linear(in, out), bias excluded, in the method's layout. The shapes follow
// the modules' code, floor and ceiling divisions included.
func (q *Quantization) WeightTensors(in, out int64) []TensorSpec {
	ceil := func(a, b int64) int64 { return (a + b - 1) / b }
	g := q.GroupSize
	if g <= 0 {
		g = in
	}
	t := func(part string, d TensorDType, shape ...int64) TensorSpec {
		return TensorSpec{Part: part, DType: d, Shape: shape}
	}
	switch q.Method {
	case QuantAWQ:
		pack := 32 / q.Bits
		if q.Format == FormatAWQGEMV {
			z := awqZerosWidth(in, g, pack)
			return []TensorSpec{t("qweight", TensorI32, out, in/pack), t("qzeros", TensorI32, out, z),
				t("scales", TensorF16, out, z*pack)}
		}
		return []TensorSpec{t("qweight", TensorI32, in, out/pack), t("qzeros", TensorI32, in/g, out/pack),
			t("scales", TensorF16, in/g, out)}
	case QuantGPTQ:
		return []TensorSpec{t("qweight", TensorI32, in/32*q.Bits, out), t("qzeros", TensorI32, ceil(in, g), out/32*q.Bits),
			t("scales", TensorF16, ceil(in, g), out), t("g_idx", TensorI32, in)}
	case QuantBitsAndBytes:
		if q.Bits == 8 {
			return []TensorSpec{t("weight", TensorI8, out, in), t("SCB", TensorF32, out), t("weight_format", TensorU8)}
		}
		n := in * out
		storage := q.Storage
		if storage == "" {
			storage = TensorU8
		}
		blocks := ceil(n, q.GroupSize)
		specs := []TensorSpec{t("weight", storage, (n+1)/(storage.Bits()/8*2), 1)}
		if q.DoubleQuant {
			specs = append(specs, t("weight.absmax", TensorU8, blocks), t("weight.quant_map", TensorF32, 16),
				t("weight.nested_absmax", TensorF32, ceil(blocks, 256)), t("weight.nested_quant_map", TensorF32, 256))
		} else {
			specs = append(specs, t("weight.absmax", TensorF32, blocks), t("weight.quant_map", TensorF32, 16))
		}
		return specs
	case QuantFP8:
		specs := []TensorSpec{t("weight", TensorF8E4M3, out, in)}
		if len(q.BlockSize) == 2 {
			specs = append(specs, t("weight_scale_inv", TensorF32, ceil(out, q.BlockSize[0]), ceil(in, q.BlockSize[1])))
		} else {
			specs = append(specs, t("weight_scale_inv", TensorF32))
		}
		if q.StaticActivations {
			specs = append(specs, t("activation_scale", TensorF32))
		}
		return specs
	case QuantMXFP4:
		return []TensorSpec{t("blocks", TensorU8, out, ceil(in, 32), 16), t("scales", TensorU8, out, ceil(in, 32))}
	case QuantCompressedTensors:
		return q.compressedTensors(in, out)
	}
	return nil
}

// compressedTensors is WeightTensors for compressed-tensors: pack-quantized
// (pack_quantized.py, compress_weight: weight_packed int32 [out,
// ⌈in/(32/bits)⌉], weight_shape int64 [2] from torch.tensor(weight.shape),
// zero points packed along the output, [⌈out/(32/bits)⌉, groups]),
// float-quantized (weight float8_e4m3fn [out, in]) and nvfp4-pack-quantized
// (nvfp4_quantized.py: weight_packed uint8 [out, in/2], FP8 scales per 16
// weights, a float32 global scale). Scales are initialised by
// lifecycle/initialize.py _initialize_scale_zero_point: [out, groups],
// [out, 1] per channel, [1] per tensor, in the model's dtype.
func (q *Quantization) compressedTensors(in, out int64) []TensorSpec {
	scale := TensorDTypeOf(q.DType)
	groups := int64(1)
	if q.GroupSize > 0 {
		groups = (in + q.GroupSize - 1) / q.GroupSize
	}
	scaleShape := []int64{out, groups}
	if q.PerTensor {
		scaleShape = []int64{1}
	}
	var specs []TensorSpec
	switch q.Format {
	case FormatPackQuantized:
		pack := 32 / q.Bits
		specs = []TensorSpec{{"weight_packed", TensorI32, []int64{out, (in + pack - 1) / pack}},
			{"weight_shape", TensorI64, []int64{2}}, {"weight_scale", scale, scaleShape}}
		if q.ZeroPoints {
			specs = append(specs, TensorSpec{"weight_zero_point", TensorI32, []int64{(out + pack - 1) / pack, groups}})
		}
		if q.ActOrder {
			specs = append(specs, TensorSpec{"weight_g_idx", TensorI32, []int64{in}})
		}
	case FormatFloatQuantized:
		specs = []TensorSpec{{"weight", TensorF8E4M3, []int64{out, in}}, {"weight_scale", scale, scaleShape}}
		if q.StaticActivations {
			specs = append(specs, TensorSpec{"input_scale", scale, []int64{1}})
		}
	case FormatNVFP4Packed:
		specs = []TensorSpec{{"weight_packed", TensorU8, []int64{out, in / 2}},
			{"weight_scale", TensorF8E4M3, []int64{out, groups}}, {"weight_global_scale", TensorF32, []int64{1}}}
		if q.StaticActivations {
			specs = append(specs, TensorSpec{"input_global_scale", TensorF32, []int64{1}})
		}
	}
	return specs
}

// awqZerosWidth is AutoAWQ's calculate_zeros_width: ⌈(in/g)/pack⌉ rounded
// up to a multiple of 1, 2 or 4 for groups of ≥128, 64 and 32 weights.
func awqZerosWidth(in, g, pack int64) int64 {
	mult := int64(1)
	switch g {
	case 64:
		mult = 2
	case 32:
		mult = 4
	}
	base := (in/g + pack - 1) / pack
	return (base + mult - 1) / mult * mult
}

// biasDType is the type a quantised layer's bias is stored in: fp16 in
// AutoAWQ's and AutoGPTQ's modules, the model's type otherwise.
func (q *Quantization) biasDType() TensorDType {
	if q.Method == QuantAWQ || q.Method == QuantGPTQ {
		return TensorF16
	}
	return TensorDTypeOf(q.DType)
}

// variableTensors is how many tensors of unknown length the method adds per
// quantised matrix: bitsandbytes 4-bit's quant_state.bitsandbytes__nf4 (or
// __fp4), its non-tensor state as JSON bytes, whose length depends on the
// data (nested_offset) and on the original dtype's name.
func (q *Quantization) variableTensors() int64 {
	if q.Method == QuantBitsAndBytes && q.Bits == 4 {
		return 1
	}
	return 0
}

// quantization is the storage c's weights have, if any: Quantization, or
// for expert_weights_format mxfp4 the routed experts in MXFP4 and the rest
// in bf16.
func (c Config) quantization() *Quantization {
	switch {
	case c.Quantization != nil:
		return c.Quantization
	case c.ExpertWeightsFormat == MXFP4:
		return &Quantization{Method: QuantMXFP4, Bits: 4, GroupSize: 32, DType: BF16}
	}
	return nil
}

// quantSkips is the lookup of Quantization.NotQuantized: per op, the
// layers it is skipped in (nil set: every layer).
type quantSkips map[string]map[int64]bool

func (q *Quantization) skips() quantSkips {
	s := quantSkips{}
	for _, k := range q.NotQuantized {
		if len(k.Layers) == 0 {
			s[k.Op] = nil
			continue
		}
		if layers, seen := s[k.Op]; seen && layers == nil {
			continue
		}
		if s[k.Op] == nil {
			s[k.Op] = map[int64]bool{}
		}
		for _, l := range k.Layers {
			s[k.Op][l] = true
		}
	}
	return s
}

// quantizes reports whether the weight of op o, in decoder layer layer (−1
// for the head), is stored quantised: o is a linear op with a weight of its
// own (not a tied LM head), the method converts it (MXFP4: the routed
// experts only) and NotQuantized does not name it.
func (q *Quantization) quantizes(s quantSkips, o Op, layer int64) bool {
	if o.Kind != KindLinear || linearWeight(o) == 0 {
		return false
	}
	if q.Method == QuantMXFP4 && !isExpertOp(o.Name) {
		return false
	}
	layers, skipped := s[o.Name]
	return !skipped || (layers != nil && !layers[layer])
}

// isExpertOp reports whether the op is one of the routed experts' (its
// params count every expert).
func isExpertOp(name string) bool { return strings.HasPrefix(name, "experts.") }

// linearShape is the input and output width of linear op o.
func linearShape(o Op) (in, out int64) {
	return o.Inputs[0][len(o.Inputs[0])-1], o.Output[len(o.Output)-1]
}

// linearWeight is the number of weights of linear op o's matrix (per
// expert for the routed experts): in × out, or 0 for an LM head whose
// weight is the tied embedding's.
func linearWeight(o Op) int64 {
	in, out := linearShape(o)
	if o.Params < in*out { // a tied head owns its bias at most
		return 0
	}
	return in * out
}

// linearBias is the bias of one matrix of linear op o (0 or out).
func linearBias(o Op, experts int64) int64 {
	in, out := linearShape(o)
	if linearWeight(o) == 0 {
		return o.Params
	}
	return o.Params/experts - in*out
}

// CheckpointWeights itemises memory.checkpoint_weights_bytes: params.total
// as a quantised checkpoint stores it.
type CheckpointWeights struct {
	Method QuantMethod `json:"method"`
	// Quantized are the ops whose weight matrices are stored quantised, by
	// op name, summed over the layers that quantise them.
	Quantized []QuantizedOp `json:"quantized"`
	// UnquantizedParams are every other parameter (embeddings, norms,
	// biases, the layers left alone), stored in UnquantizedDType
	// (biases of AWQ and GPTQ layers in fp16).
	UnquantizedParams int64 `json:"unquantized_params"`
	UnquantizedDType  DType `json:"unquantized_dtype"`
	UnquantizedBytes  int64 `json:"unquantized_bytes"`
	// Bytes is memory.checkpoint_weights_bytes.
	Bytes int64 `json:"bytes"`
	// BitsPerWeight is the quantised ops' bytes × 8 over their weights:
	// the values with their scales, zero points and indices.
	BitsPerWeight *Fraction `json:"bits_per_weight"`
	// VariableTensors counts the tensors whose length the config does not
	// fix and Bytes leaves out (bitsandbytes 4-bit: one quant_state per
	// quantised matrix); 0 for the other methods.
	VariableTensors int64 `json:"variable_tensors,omitempty"`
}

// QuantizedOp is one op's quantised weight matrices over the model.
type QuantizedOp struct {
	Op string `json:"op"`
	// Matrices is how many matrices are stored quantised: one per layer
	// that quantises the op, times the experts for a routed expert's op.
	Matrices int64 `json:"matrices"`
	In       int64 `json:"in"`
	Out      int64 `json:"out"`
	// Params is the weights they hold, Matrices × In × Out.
	Params int64 `json:"params"`
	// Tensors are the tensors of one matrix, with the bytes of all of them.
	Tensors []QuantizedTensor `json:"tensors"`
	Bytes   int64             `json:"bytes"`
	// BitsPerWeight is Bytes × 8 / Params.
	BitsPerWeight *Fraction `json:"bits_per_weight"`
}

// QuantizedTensor is one of a quantised matrix's tensors: its type and
// shape for one matrix, and the bytes over every matrix of the op.
type QuantizedTensor struct {
	TensorSpec
	Bytes int64 `json:"bytes"`
}

// tensorBytes is the storage of a tensor of the given type and shape,
// rounded up to a whole byte.
func tensorBytes(calc *checked, what string, d TensorDType, shape []int64) int64 {
	n := calc.mul(what, shape...)
	return bytesOf(calc, what, n, d.Bits())
}

// checkpointWeights sets memory.checkpoint_weights_bytes and its items for
// a config with a quantised checkpoint.
func checkpointWeights(calc *checked, r *Report) {
	q := r.Config.quantization()
	if q == nil {
		return
	}
	const what = "memory.checkpoint_weights_bytes"
	skips := q.skips()
	cw := &CheckpointWeights{Method: q.Method, UnquantizedDType: q.DType}
	byName := map[string]int{}
	var quantParams, quantBytes, fp16Biases int64
	add := func(o Op, layers int64) {
		experts := r.Config.opExperts(o.Name)
		in, out := linearShape(o)
		matrices := calc.mul(what, layers, experts)
		i, seen := byName[o.Name]
		if !seen {
			i = len(cw.Quantized)
			byName[o.Name] = i
			qo := QuantizedOp{Op: o.Name, In: in, Out: out}
			for _, t := range q.WeightTensors(in, out) {
				qo.Tensors = append(qo.Tensors, QuantizedTensor{TensorSpec: t})
			}
			cw.Quantized = append(cw.Quantized, qo)
		}
		qo := &cw.Quantized[i]
		qo.Matrices = calc.add(what, qo.Matrices, matrices)
		qo.Params = calc.add(what, qo.Params, calc.mul(what, matrices, in, out))
		for j := range qo.Tensors {
			t := &qo.Tensors[j]
			b := calc.mul(what, matrices, tensorBytes(calc, what, t.DType, t.Shape))
			t.Bytes = calc.add(what, t.Bytes, b)
			qo.Bytes = calc.add(what, qo.Bytes, b)
		}
		if q.biasDType() == TensorF16 {
			fp16Biases = calc.add(what, fp16Biases, calc.mul(what, matrices, linearBias(o, experts)))
		}
		cw.VariableTensors = calc.add(what, cw.VariableTensors, calc.mul(what, matrices, q.variableTensors()))
	}
	for _, lg := range r.Layers {
		indices := rangeIndices(lg.Ranges)
		for _, o := range lg.Ops {
			var n int64
			for _, l := range indices {
				if q.quantizes(skips, o, l) {
					n++
				}
			}
			if n > 0 {
				add(o, n)
			}
		}
	}
	for _, o := range r.Head.Ops {
		if q.quantizes(skips, o, -1) {
			add(o, 1)
		}
	}
	for i := range cw.Quantized {
		qo := &cw.Quantized[i]
		quantParams = calc.add(what, quantParams, qo.Params)
		quantBytes = calc.add(what, quantBytes, qo.Bytes)
		qo.BitsPerWeight = newFraction(bigProduct(qo.Bytes, 8), big.NewInt(max(qo.Params, 1)))
	}
	cw.UnquantizedParams = r.Params.Total - quantParams
	rest := cw.UnquantizedParams - fp16Biases
	cw.UnquantizedBytes = calc.add(what, bytesOf(calc, what, rest, q.DType.Bits()), calc.mul(what, fp16Biases, 2))
	cw.Bytes = calc.add(what, quantBytes, cw.UnquantizedBytes)
	cw.BitsPerWeight = newFraction(bigProduct(quantBytes, 8), big.NewInt(max(quantParams, 1)))
	r.Memory.CheckpointWeightsBytes = cw.Bytes
	r.Memory.CheckpointWeights = cw
}

// rangeIndices lists the layer indices of ranges.
func rangeIndices(ranges []LayerRange) []int64 {
	var idx []int64
	for _, rg := range ranges {
		for i := rg.First; i <= rg.Last; i += rg.Step {
			idx = append(idx, i)
		}
	}
	return idx
}

// validateQuantization checks Quantization's own rules: a known method
// with the widths, groups and formats its code supports.
func (c Config) validateQuantization(v *validator) {
	q := c.Quantization
	if q == nil {
		return
	}
	const f = "quantization"
	v.check(c.ExpertWeightsFormat == "", "expert_weights_format", "must be empty when quantization is set",
		fmt.Sprintf("%q", c.ExpertWeightsFormat))
	v.check(q.DType == BF16 || q.DType == FP16 || q.DType == FP32, f+".dtype",
		fmt.Sprintf("must be %q, %q or %q", BF16, FP16, FP32), fmt.Sprintf("%q", q.DType))
	v.check(q.GroupSize >= 0, f+".group_size", "must not be negative", q.GroupSize)
	bits := func(allowed ...int64) {
		v.check(slices.Contains(allowed, q.Bits), f+".bits", fmt.Sprintf("must be one of %v for %s", allowed, q.Method), q.Bits)
	}
	switch q.Method {
	case QuantAWQ:
		bits(4)
		v.check(q.Format == FormatAWQGEMM || q.Format == FormatAWQGEMV, f+".format",
			fmt.Sprintf("must be %q or %q (AutoAWQ's WQLinear layouts)", FormatAWQGEMM, FormatAWQGEMV), fmt.Sprintf("%q", q.Format))
		if q.Format == FormatAWQGEMV && q.GroupSize > 0 {
			v.check(q.GroupSize == 32 || q.GroupSize == 64 || q.GroupSize >= 128, f+".group_size",
				"must be 32, 64 or at least 128 for the gemv layout (calculate_zeros_width)", q.GroupSize)
		}
	case QuantGPTQ:
		bits(2, 3, 4, 8)
	case QuantBitsAndBytes:
		bits(4, 8)
		if q.Bits == 4 {
			v.check(q.GroupSize > 0, f+".group_size", "must be the absmax block size (64) for 4-bit bitsandbytes", q.GroupSize)
			v.check(q.Storage == "" || q.Storage == TensorU8 || q.Storage.IsFloat(), f+".storage",
				"must be U8, F16, BF16 or F32", fmt.Sprintf("%q", q.Storage))
		}
	case QuantFP8:
		bits(8)
		v.check(len(q.BlockSize) == 0 || (len(q.BlockSize) == 2 && q.BlockSize[0] > 0 && q.BlockSize[1] > 0),
			f+".block_size", "must be empty or two positive sizes [output, input]", fmt.Sprint(q.BlockSize))
	case QuantMXFP4:
		bits(4)
		v.check(c.IsMoE(), f+".method", "mxfp4 converts the routed experts only: it needs a mixture-of-experts model",
			fmt.Sprintf("%q", q.Method))
	case QuantCompressedTensors:
		switch q.Format {
		case FormatPackQuantized:
			bits(4, 8)
			v.check(!q.PerTensor, f+".per_tensor", "must be false for pack-quantized (channel or group scales)", q.PerTensor)
		case FormatFloatQuantized:
			bits(8)
			v.check(q.GroupSize == 0, f+".group_size", "must be 0 for float-quantized (tensor or channel scales)", q.GroupSize)
		case FormatNVFP4Packed:
			bits(4)
			v.check(q.GroupSize == 16, f+".group_size", "must be 16 for nvfp4-pack-quantized", q.GroupSize)
		default:
			v.check(false, f+".format", fmt.Sprintf("must be %q, %q or %q", FormatPackQuantized, FormatFloatQuantized,
				FormatNVFP4Packed), fmt.Sprintf("%q", q.Format))
		}
	default:
		v.check(false, f+".method", fmt.Sprintf("must be one of %s", strings.Join(quantMethodNames(), ", ")),
			fmt.Sprintf("%q", q.Method))
	}
	for i, s := range q.NotQuantized {
		v.check(s.Op != "", fmt.Sprintf("%s.not_quantized[%d].op", f, i), "must name an op", `""`)
		for _, l := range s.Layers {
			v.check(l >= 0 && l < c.NumHiddenLayers, fmt.Sprintf("%s.not_quantized[%d].layers", f, i),
				fmt.Sprintf("must be layer indices below num_hidden_layers (%d)", c.NumHiddenLayers), l)
		}
	}
}

// quantMethodNames lists the methods, for errors.
func quantMethodNames() []string {
	return []string{string(QuantAWQ), string(QuantGPTQ), string(QuantBitsAndBytes), string(QuantFP8), string(QuantMXFP4),
		string(QuantCompressedTensors)}
}

// validateQuantizedShapes checks the rules a quantised layer's shape must
// meet (AutoAWQ asserts in % group_size == 0 and out % 8 == 0; NVFP4 packs
// pairs of weights along the input), on a config that is otherwise valid.
func (c Config) validateQuantizedShapes(v *validator) {
	q := c.Quantization
	if q == nil || len(v.errs) > 0 {
		return
	}
	calc := &checked{}
	one := newOpBuilder(calc, c, Workload{BatchSize: 1, SeqLen: 1})
	skips := q.skips()
	type linearKey struct {
		name    string
		in, out int64
	}
	seen := map[linearKey]bool{}
	check := func(o Op, layer int64) {
		in, out := linearShape(o)
		key := linearKey{o.Name, in, out}
		if !q.quantizes(skips, o, layer) || seen[key] {
			return
		}
		seen[key] = true
		switch {
		case q.Method == QuantAWQ:
			g := q.GroupSize
			if g == 0 {
				g = in
			}
			v.check(in%g == 0, "quantization.group_size",
				fmt.Sprintf("must divide the input width of every quantised layer (%s: %d)", o.Name, in), q.GroupSize)
			v.check(out%8 == 0, "quantization.method",
				fmt.Sprintf("awq needs output widths that are multiples of 8 (%s: %d)", o.Name, out), fmt.Sprintf("%q", q.Method))
		case q.Method == QuantCompressedTensors && q.Format == FormatNVFP4Packed:
			v.check(in%2 == 0, "quantization.format",
				fmt.Sprintf("nvfp4-pack-quantized packs pairs of weights: input widths must be even (%s: %d)", o.Name, in),
				fmt.Sprintf("%q", q.Format))
		}
	}
	for _, g := range groupLayers(c.layerSpecs()) {
		for _, o := range analyzeLayer(calc, one, g.spec).Ops {
			for _, l := range g.indices {
				check(o, l)
			}
		}
	}
	for _, o := range one.headOps() {
		check(o, -1)
	}
}

// LinearOp is a linear op with a weight of its own, in a decoder layer (or
// the head: Layer −1), as a quantisation method's module rules see it.
type LinearOp struct {
	Layer int64
	Op    string
	// Experts is num_local_experts for a routed expert's op (its weight is
	// one matrix per expert), else 1.
	Experts int64
}

// LinearOps lists c's linear ops with a weight of their own, layer by
// layer, then the head's (an untied LM head). c must be valid.
func LinearOps(c Config) []LinearOp {
	calc := &checked{}
	one := newOpBuilder(calc, c, Workload{BatchSize: 1, SeqLen: 1})
	specs := c.layerSpecs()
	byGroup := map[layerSpec][]Op{}
	var out []LinearOp
	for i, s := range specs {
		ops, ok := byGroup[s]
		if !ok {
			ops = analyzeLayer(calc, one, s).Ops
			byGroup[s] = ops
		}
		for _, o := range ops {
			if o.Kind == KindLinear && linearWeight(o) > 0 {
				out = append(out, LinearOp{Layer: int64(i), Op: o.Name, Experts: c.opExperts(o.Name)})
			}
		}
	}
	for _, o := range one.headOps() {
		if o.Kind == KindLinear && linearWeight(o) > 0 {
			out = append(out, LinearOp{Layer: -1, Op: o.Name, Experts: 1})
		}
	}
	return out
}
