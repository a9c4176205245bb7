package presets

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/tscale/tscale/scale"
)

// readQuantization reads config.json's quantization_config (top is the
// file's top-level object, also for the llama4 wrapper) into the storage
// of c's weights: nil when the file has none. Which linear layers stay
// unquantised follows each method's loader:
//
//   - awq: AutoAWQ quantises the nn.Linear modules of the decoder layers,
//     never the LM head; modules_to_not_convert names the others.
//   - gptq: optimum's GPTQQuantizer.convert_model replaces every nn.Linear
//     and Conv1D of the decoder layers (get_layers under
//     block_name_to_quantize), only those whose name ends with an entry of
//     modules_in_block_to_quantize when it is set; the LM head only with
//     gptqmodel's lm_head true.
//   - bitsandbytes, fp8: transformers replaces every nn.Linear (and, for
//     bitsandbytes, Conv1D) except modules_to_not_convert
//     (llm_int8_skip_modules), which defaults to the output embedding,
//     lm_head (HfQuantizer.get_modules_to_not_convert,
//     get_keys_to_not_convert). A module is skipped when an entry
//     re.match-es its name, with or without a following dot, or ends it
//     (quantizers_utils.py should_convert_module).
//   - compressed-tensors: every module whose class is a target ("Linear")
//     except those ignore names exactly or matches with a "re:" pattern
//     (compressed_tensors.utils.match_name).
//
// A module tscale's family tables do not name as an nn.Linear (DeepSeek's
// router, fused 3-D experts) is never quantised by these methods.
func readQuantization(top map[string]any, prefix, modelType string, c scale.Config) (*scale.Quantization, []string, []error) {
	v, ok := top["quantization_config"]
	if !ok || v == nil {
		return nil, nil, nil
	}
	f := &hfFields{m: top, modelType: modelType}
	qc, ok := v.(map[string]any)
	if !ok {
		f.errorf(ErrWrongType, "quantization_config", "quantization_config must be an object, got %s", describe(v))
		return nil, nil, f.errs
	}
	dtype := f.torchDType()
	sub := &hfFields{m: qc, modelType: modelType, prefix: prefix + "quantization_config."}
	method := sub.stringOr("quant_method", "")
	q := &scale.Quantization{Method: scale.QuantMethod(method), DType: dtype}
	var rule moduleRule
	switch q.Method {
	case scale.QuantAWQ:
		rule = sub.readAWQ(q)
	case scale.QuantGPTQ:
		rule = sub.readGPTQ(q)
	case scale.QuantBitsAndBytes:
		rule = sub.readBitsAndBytes(q)
	case scale.QuantFP8:
		rule = sub.readFP8(q)
	case scale.QuantCompressedTensors:
		rule = sub.readCompressedTensors(q)
	case scale.QuantMXFP4:
		sub.errorf(ErrUnmodelled, "quant_method", "%squant_method \"mxfp4\": transformers converts only gpt-oss's experts "+
			"to MXFP4 (model_type gpt_oss), not a %s model's", sub.prefix, modelType)
	case "":
		sub.errorf(ErrMissingField, "quant_method", "%squant_method", sub.prefix)
	default:
		sub.errorf(ErrUnmodelled, "quant_method", "%squant_method %q: tscale counts the storage of awq, gptq, "+
			"bitsandbytes, fp8, mxfp4 (gpt-oss) and compressed-tensors checkpoints", sub.prefix, method)
	}
	errs := append(f.errs, sub.errs...)
	if len(errs) > 0 || rule == nil {
		return nil, nil, errs
	}
	skips, err := notQuantized(modelType, c, q.Method, rule)
	if err != nil {
		return nil, nil, []error{err}
	}
	q.NotQuantized = skips
	notes := append(f.notes, sub.notes...)
	return q, notes, nil
}

// quantizationFields are the config.json names of scale.Quantization's
// fields, for Validate's errors.
var quantizationFields = map[string]string{
	"quantization.method": "quantization_config.quant_method", "quantization.bits": "quantization_config.bits",
	"quantization.group_size": "quantization_config.group_size", "quantization.format": "quantization_config.format",
	"quantization.block_size": "quantization_config.weight_block_size", "quantization.dtype": "torch_dtype",
	"quantization.storage":    "quantization_config.bnb_4bit_quant_storage",
	"quantization.per_tensor": "quantization_config.config_groups.*.weights.strategy",
}

// torchDType reads torch_dtype (or dtype, its newer name): the type of the
// weights a quantised checkpoint leaves alone.
func (f *hfFields) torchDType() scale.DType {
	name, field := "", "torch_dtype"
	for _, k := range []string{"torch_dtype", "dtype"} {
		if _, ok := f.value(k); ok {
			name, field = f.stringOr(k, ""), k
			break
		}
	}
	switch name {
	case "bfloat16":
		return scale.BF16
	case "float16":
		return scale.FP16
	case "float32":
		return scale.FP32
	case "":
		f.notes = append(f.notes, "torch_dtype absent: the unquantised weights are counted in bfloat16")
		return scale.BF16
	}
	f.errorf(ErrUnmodelled, field, "%s %q: a quantised checkpoint's other weights are counted in bfloat16, float16 or "+
		"float32", field, name)
	return scale.BF16
}

// moduleRule says whether a quantisation method converts the nn.Linear
// module at path (layer −1: the head).
type moduleRule func(path string, layer int64) bool

// transformersSkips is should_convert_module's test, inverted: whether an
// entry of patterns re.match-es path (anchored at its start) or ends it.
// nil patterns: the default, lm_head.
func (f *hfFields) transformersSkips(field string) func(path string) bool {
	patterns, set := f.stringList(field)
	if !set {
		patterns = []string{"lm_head"}
	}
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		re, err := regexp.Compile("^(?:" + p + ")")
		if err != nil {
			f.errorf(ErrUnmodelled, field, "%s%s[%d] %q is not a regular expression tscale can read: %v", f.prefix, field, i, p, err)
			return nil
		}
		res[i] = re
	}
	return func(path string) bool {
		for i, re := range res {
			if re.MatchString(path) || strings.HasSuffix(path, patterns[i]) {
				return true
			}
		}
		return false
	}
}

// stringList reads a list of strings (null: not set).
func (f *hfFields) stringList(name string) ([]string, bool) {
	v, ok := f.value(name)
	if !ok {
		return nil, false
	}
	items, ok := v.([]any)
	if !ok {
		f.errorf(ErrWrongType, name, "%s must be a list of strings, got %s", f.name(name), describe(v))
		return nil, true
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			f.errorf(ErrWrongType, name, "%s[%d] must be a string, got %s", f.name(name), i, describe(it))
			continue
		}
		out = append(out, s)
	}
	return out, true
}

// groupSize reads a group size where −1 means the whole input row (0).
func (f *hfFields) groupSize(name string, def int64) int64 {
	g, ok := f.optional(name)
	switch {
	case !ok:
		return def
	case g == -1:
		return 0
	case g <= 0:
		f.errorf(ErrInvalidValue, name, "%s %d must be positive or −1 (one group per row)", f.name(name), g)
	}
	return g
}

// readAWQ reads an AutoAWQ config (AwqConfig): bits (w_bit), group_size
// (q_group_size), version, modules_to_not_convert.
func (f *hfFields) readAWQ(q *scale.Quantization) moduleRule {
	q.Bits = f.intOrAlias("bits", "w_bit", 4)
	if _, ok := f.value("group_size"); ok || f.m["q_group_size"] == nil {
		q.GroupSize = f.groupSize("group_size", 128)
	} else {
		q.GroupSize = f.groupSize("q_group_size", 128)
	}
	q.Format = strings.ToLower(f.stringOr("version", scale.FormatAWQGEMM))
	if q.Format != scale.FormatAWQGEMM && q.Format != scale.FormatAWQGEMV {
		f.errorf(ErrUnmodelled, "version", "%sversion %q: tscale counts AutoAWQ's gemm and gemv layouts", f.prefix, q.Format)
	}
	skip := f.transformersSkips("modules_to_not_convert")
	if skip == nil {
		return nil
	}
	return func(path string, layer int64) bool { return layer >= 0 && !skip(path) }
}

// intOrAlias reads integer field name, or its older name alias, or def.
func (f *hfFields) intOrAlias(name, alias string, def int64) int64 {
	if v, ok := f.optional(name); ok {
		return v
	}
	if v, ok := f.optional(alias); ok {
		return v
	}
	return def
}

// readGPTQ reads a GPTQ config (optimum's GPTQQuantizer, gptqmodel):
// bits, group_size, checkpoint_format, modules_in_block_to_quantize,
// block_name_to_quantize, lm_head.
func (f *hfFields) readGPTQ(q *scale.Quantization) moduleRule {
	q.Bits = f.intOrAlias("bits", "w_bit", 4)
	q.GroupSize = f.groupSize("group_size", 128)
	switch format := f.stringOr("checkpoint_format", "gptq"); format {
	case "gptq", "gptq_v2":
	default:
		f.errorf(ErrUnmodelled, "checkpoint_format", "%scheckpoint_format %q: tscale counts the gptq and gptq_v2 "+
			"layouts (qweight, qzeros, scales, g_idx)", f.prefix, format)
	}
	if block := f.stringOr("block_name_to_quantize", ""); block != "" && !strings.HasSuffix(block, "layers") &&
		block != "transformer.h" && block != "h" {
		f.errorf(ErrUnmodelled, "block_name_to_quantize", "%sblock_name_to_quantize %q: tscale counts GPTQ on the "+
			"decoder layers", f.prefix, block)
	}
	var keep []string
	if v, ok := f.value("modules_in_block_to_quantize"); ok {
		groups, isList := v.([]any)
		if !isList {
			f.errorf(ErrWrongType, "modules_in_block_to_quantize", "%smodules_in_block_to_quantize must be a list of lists "+
				"of module names, got %s", f.prefix, describe(v))
		}
		for _, g := range groups {
			names, _ := g.([]any)
			if names == nil {
				f.errorf(ErrWrongType, "modules_in_block_to_quantize", "%smodules_in_block_to_quantize must be a list of "+
					"lists of module names", f.prefix)
				break
			}
			for _, n := range names {
				s, _ := n.(string)
				keep = append(keep, s)
			}
		}
		if keep == nil {
			keep = []string{}
		}
	}
	lmHead := f.boolOr("lm_head", false)
	return func(path string, layer int64) bool {
		if layer < 0 {
			return lmHead
		}
		if keep == nil {
			return true
		}
		for _, k := range keep {
			if k != "" && strings.HasSuffix(path, k) {
				return true
			}
		}
		return false
	}
}

// readBitsAndBytes reads a BitsAndBytesConfig: load_in_4bit or
// load_in_8bit, bnb_4bit_use_double_quant, bnb_4bit_quant_storage,
// llm_int8_skip_modules. bitsandbytes quantises 4-bit weights in blocks
// of 64 (Params4bit's blocksize), which transformers does not change.
func (f *hfFields) readBitsAndBytes(q *scale.Quantization) moduleRule {
	four := f.boolOr("load_in_4bit", f.boolOr("_load_in_4bit", false))
	eight := f.boolOr("load_in_8bit", f.boolOr("_load_in_8bit", false))
	switch {
	case four == eight:
		f.errorf(ErrInvalidValue, "load_in_4bit", "%sload_in_4bit and load_in_8bit: exactly one must be true", f.prefix)
	case four:
		q.Bits, q.GroupSize = 4, 64
		q.DoubleQuant = f.boolOr("bnb_4bit_use_double_quant", false)
		switch storage := f.stringOr("bnb_4bit_quant_storage", "uint8"); storage {
		case "uint8":
		case "bfloat16":
			q.Storage = scale.TensorBF16
		case "float16":
			q.Storage = scale.TensorF16
		case "float32":
			q.Storage = scale.TensorF32
		default:
			f.errorf(ErrUnmodelled, "bnb_4bit_quant_storage", "%sbnb_4bit_quant_storage %q: tscale counts uint8, "+
				"bfloat16, float16 and float32 storage", f.prefix, storage)
		}
		if t := f.stringOr("bnb_4bit_quant_type", "fp4"); t != "fp4" && t != "nf4" {
			f.errorf(ErrUnmodelled, "bnb_4bit_quant_type", "%sbnb_4bit_quant_type %q: fp4 or nf4", f.prefix, t)
		}
	default:
		q.Bits = 8
	}
	skip := f.transformersSkips("llm_int8_skip_modules")
	if skip == nil {
		return nil
	}
	return func(path string, _ int64) bool { return !skip(path) }
}

// readFP8 reads transformers' FineGrainedFP8Config: weight_block_size,
// activation_scheme, fmt, modules_to_not_convert.
func (f *hfFields) readFP8(q *scale.Quantization) moduleRule {
	q.Bits = 8
	if block, ok := f.intList("weight_block_size"); ok {
		if len(block) != 2 {
			f.errorf(ErrInvalidValue, "weight_block_size", "%sweight_block_size must be [output, input], got %d sizes",
				f.prefix, len(block))
		}
		q.BlockSize = block
	} else {
		q.PerTensor = true
	}
	switch scheme := f.stringOr("activation_scheme", "dynamic"); scheme {
	case "dynamic":
	case "static":
		q.StaticActivations = true
	default:
		f.errorf(ErrUnmodelled, "activation_scheme", "%sactivation_scheme %q: dynamic or static", f.prefix, scheme)
	}
	if format := f.stringOr("fmt", "e4m3"); format != "e4m3" {
		f.errorf(ErrUnmodelled, "fmt", "%sfmt %q: tscale counts float8_e4m3fn weights", f.prefix, format)
	}
	skip := f.transformersSkips("modules_to_not_convert")
	if skip == nil {
		return nil
	}
	return func(path string, _ int64) bool { return !skip(path) }
}

// readCompressedTensors reads a compressed-tensors config: format, one
// config group targeting Linear with its weights and input activations,
// ignore. Formats other than pack-quantized, float-quantized and
// nvfp4-pack-quantized, several groups, sparsity and KV-cache schemes are
// refused.
func (f *hfFields) readCompressedTensors(q *scale.Quantization) moduleRule {
	q.Format = f.stringOr("format", "")
	if status := f.stringOr("quantization_status", "compressed"); status != "compressed" {
		f.errorf(ErrUnmodelled, "quantization_status", "%squantization_status %q: tscale counts compressed checkpoints",
			f.prefix, status)
	}
	for _, field := range []string{"kv_cache_scheme", "sparsity_config", "transform_config"} {
		if v, ok := f.value(field); ok {
			if m, isMap := v.(map[string]any); !isMap || len(m) > 0 {
				f.unmodelled(true, field, "tscale counts weight quantisation only")
			}
		}
	}
	groups, _ := f.m["config_groups"].(map[string]any)
	if len(groups) != 1 {
		f.errorf(ErrUnmodelled, "config_groups", "%sconfig_groups: tscale counts one group (targets [\"Linear\"]), got %d",
			f.prefix, len(groups))
		return nil
	}
	var name string
	for k := range groups { // the one group
		name = k
	}
	g, _ := groups[name].(map[string]any)
	gf := &hfFields{m: g, modelType: f.modelType, prefix: f.prefix + "config_groups." + name + "."}
	if targets, _ := gf.stringList("targets"); len(targets) != 1 || targets[0] != "Linear" {
		gf.errorf(ErrUnmodelled, "targets", "%stargets %v: tscale counts groups that target [\"Linear\"]", gf.prefix, targets)
	}
	if format := gf.stringOr("format", q.Format); format != q.Format {
		gf.errorf(ErrUnmodelled, "format", "%sformat %q differs from the checkpoint's %q", gf.prefix, format, q.Format)
	}
	wv, _ := g["weights"].(map[string]any)
	w := &hfFields{m: wv, modelType: f.modelType, prefix: gf.prefix + "weights."}
	q.Bits = w.required("num_bits")
	kind := w.stringOr("type", "int")
	strategy := w.stringOr("strategy", "tensor")
	switch strategy {
	case "group", "tensor_group":
		q.GroupSize = w.required("group_size")
	case "channel":
	case "tensor":
		q.PerTensor = true
	default:
		w.errorf(ErrUnmodelled, "strategy", "%sstrategy %q: tscale counts tensor, channel, group and tensor_group scales",
			w.prefix, strategy)
	}
	q.ZeroPoints = !w.boolOr("symmetric", true)
	if w.boolOr("dynamic", false) {
		w.errorf(ErrUnmodelled, "dynamic", "%sdynamic true: weights quantised at run time store no scales", w.prefix)
	}
	switch ao := w.m["actorder"]; ao {
	case nil, false, "weight", "static", "dynamic":
	case "group", true:
		q.ActOrder = true
	}
	want := map[string]string{scale.FormatPackQuantized: "int", scale.FormatFloatQuantized: "float",
		scale.FormatNVFP4Packed: "float"}[q.Format]
	if want != "" && kind != want {
		w.errorf(ErrUnmodelled, "type", "%stype %q: %s stores %s weights", w.prefix, kind, q.Format, want)
	}
	if q.ZeroPoints && q.Format != scale.FormatPackQuantized {
		w.errorf(ErrUnmodelled, "symmetric", "%ssymmetric false: tscale counts zero points in pack-quantized only", w.prefix)
	}
	if in, ok := g["input_activations"].(map[string]any); ok {
		dynamic := in["dynamic"]
		q.StaticActivations = dynamic == false || (q.Format == scale.FormatNVFP4Packed && dynamic != true)
	}
	f.errs = append(f.errs, append(gf.errs, w.errs...)...)
	ignore, _ := f.stringList("ignore")
	var res []*regexp.Regexp
	exact := map[string]bool{}
	for i, p := range ignore {
		if pattern, ok := strings.CutPrefix(p, "re:"); ok {
			re, err := regexp.Compile("^(?:" + pattern + ")")
			if err != nil {
				f.errorf(ErrUnmodelled, "ignore", "%signore[%d] %q is not a regular expression tscale can read: %v", f.prefix, i, p, err)
				return nil
			}
			res = append(res, re)
		} else {
			exact[p] = true
		}
	}
	return func(path string, _ int64) bool {
		if exact[path] {
			return false
		}
		for _, re := range res {
			if re.MatchString(path) {
				return false
			}
		}
		return true
	}
}

// maxQuantizedExperts bounds the experts whose module names notQuantized
// tests one by one.
const maxQuantizedExperts = 1 << 16

// notQuantized lists the linear ops of c that method's rule leaves
// unquantised, by op: every layer's (no layers listed) or some layers'.
// A rule that converts some of a layer's experts and not others is refused.
func notQuantized(modelType string, c scale.Config, method scale.QuantMethod, rule moduleRule) ([]scale.QuantSkip, error) {
	mods := hfModules(modelType, c)
	if mods == nil {
		return nil, fmt.Errorf("%w: quantization_config: tscale does not know the module names of model_type %q, so "+
			"not which layers its quantisation converts", ErrUnmodelled, modelType)
	}
	type opSkips struct {
		layers    []int64
		occurs    int
		firstSeen int
	}
	byOp := map[string]*opSkips{}
	var order []string
	for _, lo := range scale.LinearOps(c) {
		s := byOp[lo.Op]
		if s == nil {
			s = &opSkips{firstSeen: len(order)}
			byOp[lo.Op] = s
			order = append(order, lo.Op)
		}
		s.occurs++
		if lo.Experts > maxQuantizedExperts {
			return nil, fmt.Errorf("%w: %d experts: tscale applies quantization_config's module rules to at most %d experts per "+
				"layer", ErrTooLarge, lo.Experts, maxQuantizedExperts)
		}
		converted := 0
		for e := range lo.Experts {
			path, linear, ok := hfModulePath(mods, lo.Op, lo.Layer, e, method)
			if ok && linear && rule(path, lo.Layer) {
				converted++
			}
		}
		switch {
		case converted == 0:
			s.layers = append(s.layers, lo.Layer)
		case converted < int(lo.Experts):
			return nil, fmt.Errorf("%w: quantization_config leaves %d of layer %d's %d experts' %s unquantised; tscale "+
				"counts all of a layer's experts alike", ErrUnmodelled, int(lo.Experts)-converted, lo.Layer, lo.Experts, lo.Op)
		}
	}
	var skips []scale.QuantSkip
	for _, op := range order {
		s := byOp[op]
		switch {
		case len(s.layers) == 0:
		case len(s.layers) == s.occurs:
			skips = append(skips, scale.QuantSkip{Op: op})
		default:
			sort.Slice(s.layers, func(i, j int) bool { return s.layers[i] < s.layers[j] })
			skips = append(skips, scale.QuantSkip{Op: op, Layers: s.layers})
		}
	}
	return skips, nil
}
