package presets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/tscale/tscale/scale"
)

// The kinds of error FromHFConfig returns, for errors.Is. Each error names
// the config.json field it is about (as the file names it, inside
// text_config or vision_config for the llama4 and gemma3 wrappers), or
// says what is wrong with the file as a whole (ErrMalformedJSON, and
// ErrTooLarge for its size).
var (
	// ErrMalformedJSON: the file is not one JSON object, or has data after it.
	ErrMalformedJSON = errors.New("malformed JSON")
	// ErrMissingField: a required field is absent or null.
	ErrMissingField = errors.New("missing required field")
	// ErrWrongType: a field holds the wrong kind of value; for an integer
	// field, anything but an integer in the int64 range (4096.5, 1e400,
	// 99999999999999999999).
	ErrWrongType = errors.New("field of the wrong type")
	// ErrUnsupportedModelType: model_type names a family tscale does not read.
	ErrUnsupportedModelType = errors.New("unsupported model_type")
	// ErrUnmodelled: a field's value changes the architecture in a way tscale
	// does not count.
	ErrUnmodelled = errors.New("architecture tscale does not model")
	// ErrInvalidValue: a value breaks a rule of the architecture (a count
	// that is not positive, a hidden size that its heads do not divide); the
	// error wraps the *scale.FieldError, its field renamed to the file's.
	ErrInvalidValue = errors.New("invalid value")
	// ErrTooLarge: the file is longer than MaxConfigBytes, the layer count
	// is past scale.MaxLayers, or a size computed from the file's values
	// overflows int64.
	ErrTooLarge = errors.New("too large")
)

// hfReaders maps each supported model_type to the function that reads it.
var hfReaders = map[string]func(*hfFields) scale.Config{
	"gpt2":         readGPT2,
	"llama":        readLlama,
	"mistral":      readMistral,
	"mixtral":      readMixtral,
	"qwen2":        readQwen2,
	"qwen2_moe":    readQwen2MoE,
	"qwen3":        readQwen3,
	"qwen3_moe":    readQwen3MoE,
	"gemma":        readGemma,
	"gemma2":       readGemma2,
	"phi":          readPhi,
	"phi3":         readPhi3,
	"falcon":       readFalcon,
	"deepseek_v2":  readDeepSeek,
	"deepseek_v3":  readDeepSeek,
	"llama4":       readLlama4,
	"llama4_text":  readLlama4,
	"nemotron-nas": readNAS,
	"olmo2":        readOlmo2,
	"granite":      readGranite,
	"starcoder2":   readStarcoder2,
	"gpt_oss":      readGptOss,
	"gemma3":       readGemma3,
	"gemma3_text":  readGemma3Text,

	// The classic decoders papers cite.
	"opt":           readOPT,
	"gpt_neox":      readGPTNeoX,
	"gptj":          readGPTJ,
	"bloom":         readBloom,
	"mpt":           readMPT,
	"dbrx":          readDBRX,
	"stablelm":      readStableLM,
	"kimi_k2":       readKimiK2, // DeepSeek-V3's architecture under another name
	"glm4_moe":      readGlm4MoE,
	"glm4_moe_lite": readGlm4MoELite,
	// The dense 2025 families.
	"cohere":           readCohere,
	"cohere2":          readCohere2,
	"glm4":             readGlm4,
	"seed_oss":         readSeedOss,
	"apertus":          readApertus,
	"exaone4":          readExaone4,
	"smollm3":          readSmolLM3,
	"olmo3":            readOlmo3,
	"arcee":            readArcee,
	"ministral":        readMinistral,
	"olmoe":            readOlmoe,
	"phimoe":           readPhimoe,
	"granitemoe":       readGraniteMoE,
	"ernie4_5":         readErnie45,
	"ernie4_5_moe":     readErnie45MoE,
	"hunyuan_v1_dense": readHunyuanDense,
	"hunyuan_v1_moe":   readHunyuanMoE,
	"dots1":            readDots1,
	"longcat_flash":    readLongcatFlash,
	// Hybrid models: Mamba-2 beside attention.
	"nemotron_h":       readNemotronH,
	"bamba":            readBamba,
	"granitemoehybrid": readGraniteMoEHybrid,
	"mamba2":           readMamba2,
	"zamba2":           readZamba2,
	"falcon_h1":        readFalconH1,
	"jamba":            readJamba,
	"lfm2":             readLfm2,
	"qwen3_next":       readQwen3Next,
	"minimax":          readMiniMax,
}

// HFModelTypes lists the supported config.json model_type values.
func HFModelTypes() []string {
	var types []string
	for t := range hfReaders {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

// FromHFConfig reads a Hugging Face config.json (path names it in the
// preset and in errors) into a Preset. Where a field is absent it applies
// the default of the family's transformers configuration class, and says
// so in the preset's notes; the shape fields that define the model
// (vocab_size, hidden_size, num_hidden_layers, num_attention_heads and the
// MLP widths) are required, since a class default would silently describe
// another model. Gemma 3 is the exception: its official configs leave
// vocab_size and the heads to Gemma3TextConfig's defaults (transformers
// writes only the values that differ from them), so its readers apply
// them, noted. A field whose value tscale does not model is an error.
//
// Reading is strict and bounded: data longer than MaxConfigBytes, anything
// but whitespace after the JSON object, an integer field holding anything
// but an integer in the int64 range, a hidden size its heads do not divide
// (where head_dim is implicit), a layer count past scale.MaxLayers and a
// size computed from the file that overflows int64 are errors. Every error
// starts with path and wraps one of the Err kinds above.
func FromHFConfig(path string, data []byte) (Preset, error) {
	fail := func(err error) (Preset, error) { return Preset{}, fmt.Errorf("%s: %w", path, err) }
	if len(data) > MaxConfigBytes {
		return fail(&fieldError{kind: ErrTooLarge,
			msg: fmt.Sprintf("the file is %d bytes; tscale reads at most %d (16 MiB)", len(data), MaxConfigBytes)})
	}
	data = nonFiniteLiterals(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return fail(&fieldError{kind: ErrMalformedJSON, msg: err.Error()})
	}
	if rest := data[dec.InputOffset():]; len(bytes.TrimLeft(rest, " \t\r\n")) > 0 {
		return fail(&fieldError{kind: ErrMalformedJSON,
			msg: fmt.Sprintf("data after the top-level object at byte %d", len(data)-len(bytes.TrimLeft(rest, " \t\r\n")))})
	}
	if m == nil { // the file is null
		return fail(&fieldError{kind: ErrMalformedJSON, msg: "the file is null, not a JSON object"})
	}
	f := &hfFields{m: m}
	modelType := f.stringOr("model_type", "")
	if len(f.errs) > 0 {
		return fail(f.errs[0])
	}
	if modelType == "" {
		return fail(&fieldError{kind: ErrMissingField, field: "model_type", msg: "model_type"})
	}
	read, ok := hfReaders[modelType]
	if !ok {
		why := ""
		if reason, known := hfRefused[modelType]; known {
			why = " (" + reason + ")"
		}
		return fail(&fieldError{kind: ErrUnsupportedModelType, field: "model_type",
			msg: fmt.Sprintf("%q%s; tscale reads %s", modelType, why, strings.Join(HFModelTypes(), ", "))})
	}
	f.modelType = modelType
	if modelType == "llama4" { // the multimodal wrapper: its text model is text_config
		text, ok := f.object("text_config", "the llama4 text model")
		if !ok {
			return fail(f.errs[0])
		}
		f.m, f.prefix = text, "text_config."
	}
	c := read(f)
	if err := errors.Join(f.errs...); err != nil {
		return fail(err)
	}
	if err := c.Validate(); err != nil {
		return fail(f.fileFieldErrors(err))
	}
	if c.ExpertWeightsFormat == "" { // gpt-oss's reader reads its own MXFP4 quantization_config
		q, notes, errs := readQuantization(m, "", modelType, c)
		if err := errors.Join(errs...); err != nil {
			return fail(err)
		}
		c.Quantization, f.notes = q, append(f.notes, notes...)
		for field, name := range quantizationFields {
			f.alias(field, name)
		}
		if err := c.Validate(); err != nil {
			return fail(f.fileFieldErrors(err))
		}
	}
	slug := slugFromPath(path)
	return Preset{
		Slug: slug, Name: fmt.Sprintf("%s (%s)", path, modelType), Family: modelType,
		Config:  c,
		Sources: []string{fmt.Sprintf("Hugging Face config.json read from %s (model_type %s)", path, modelType)},
		Notes:   f.notes,
	}, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9.]+`)

// slugFromPath names an imported config: the file name without .json, or
// the folder's name for a file named config.json.
func slugFromPath(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), ".json")
	if base == "config" {
		base = filepath.Base(filepath.Dir(path))
	}
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(base), "-"), "-.")
	if !validSlug(slug) {
		return "hf-config"
	}
	return slug
}

// fieldError is one problem FromHFConfig found: its kind, the config.json
// field it is about ("" for the file as a whole) and the message, which
// names that field.
type fieldError struct {
	kind  error
	field string
	msg   string
	cause error // the renamed *scale.FieldError of an ErrInvalidValue
}

func (e *fieldError) Error() string {
	if e.kind == ErrUnsupportedModelType {
		return e.kind.Error() + " " + e.msg // unsupported model_type "bert"
	}
	return e.kind.Error() + ": " + e.msg
}

func (e *fieldError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// hfFields reads typed fields of a config.json and collects every error and
// every default it applies.
type hfFields struct {
	m         map[string]any
	modelType string
	// prefix is "text_config." when the fields are a multimodal wrapper's
	// text_config (llama4, gemma3), "vision_config." while gemma3's vision
	// tower is read; errors name fields with it.
	prefix string
	// fileNames maps a scale.Config field (its JSON name) to what the file
	// calls it, or how the reader derives it, where the two differ.
	fileNames map[string]string
	// consequences are the scale.Config fields the reader derived from
	// values Validate refuses in their own right: their errors are left out.
	consequences map[string]bool
	errs         []error
	notes        []string
}

// name is field as an error names it: inside text_config where the fields are.
func (f *hfFields) name(field string) string { return f.prefix + field }

// errorf records an error of kind about field.
func (f *hfFields) errorf(kind error, field, format string, args ...any) {
	f.errs = append(f.errs, &fieldError{kind: kind, field: f.name(field), msg: fmt.Sprintf(format, args...)})
}

// alias records that the file holds scale.Config field configField as
// fileField (or derives it as described), so that validation errors name
// what the user wrote.
func (f *hfFields) alias(configField, fileField string) {
	if f.fileNames == nil {
		f.fileNames = map[string]string{}
	}
	f.fileNames[configField] = fileField
}

// follows records that Validate's errors on scale.Config field configField,
// which the reader derived, follow from another field's error.
func (f *hfFields) follows(configField string) {
	if f.consequences == nil {
		f.consequences = map[string]bool{}
	}
	f.consequences[configField] = true
}

// followsIf is follows where cond holds.
func (f *hfFields) followsIf(cond bool, configField string) {
	if cond {
		f.follows(configField)
	}
}

// fileName is what the file calls scale.Config field configField.
func (f *hfFields) fileName(configField string) string {
	if n, ok := f.fileNames[configField]; ok {
		return n
	}
	return f.name(configField)
}

// configFields are the JSON names of scale.Config's fields that hold an
// underscore: the words of a validation rule fileFieldErrors renames.
var configFields = func() map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeFor[scale.Config]()
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("json"); strings.Contains(name, "_") {
			names[name] = true
		}
	}
	return names
}()

var ruleWord = regexp.MustCompile(`[a-z][a-z0-9_]*`)

// fileFieldErrors turns the joined *scale.FieldErrors of Config.Validate
// into ErrInvalidValue errors that name the fields as the file does (n_embd
// for hidden_size in a GPT-2 config), in the field and in the rule. It
// leaves out what follows from another error: an error on a field the
// reader derived from a refused one (head_dim from n_head 0), a rule
// relative to a field refused in itself (dense-model rules when n_routed_experts is
// negative), and a repeat (n_head for both kinds of heads in GPT-2).
func (f *hfFields) fileFieldErrors(err error) error {
	var leaves []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		leaves = j.Unwrap()
	} else {
		leaves = []error{err}
	}
	type renamedError struct {
		fe   *scale.FieldError
		refs []string // the fields its rule refers to, renamed
	}
	var renamed []renamedError
	refused := map[string]bool{}
	for _, e := range leaves {
		var fe *scale.FieldError
		if !errors.As(e, &fe) {
			return &fieldError{kind: ErrInvalidValue, msg: e.Error(), cause: e} // Validate returns only FieldErrors
		}
		if f.consequences[fe.Field] {
			continue
		}
		r := renamedError{fe: &scale.FieldError{Field: f.fileName(fe.Field), Value: fe.Value}}
		r.fe.Rule = ruleWord.ReplaceAllStringFunc(fe.Rule, func(w string) string {
			if !configFields[w] {
				return w
			}
			r.refs = append(r.refs, f.fileName(w))
			return f.fileName(w)
		})
		if len(r.refs) == 0 {
			refused[r.fe.Field] = true // wrong in itself, not relative to another field
		}
		renamed = append(renamed, r)
	}
	var out []error
	seen := map[string]bool{}
	for _, r := range renamed {
		follows := seen[r.fe.Error()]
		for _, ref := range r.refs {
			follows = follows || (ref != r.fe.Field && refused[ref])
		}
		if !follows {
			seen[r.fe.Error()] = true
			out = append(out, &fieldError{kind: ErrInvalidValue, field: r.fe.Field, msg: r.fe.Error(), cause: r.fe})
		}
	}
	return errors.Join(out...)
}

// value returns the field's value; null counts as absent, as transformers
// treats None as "use the default".
func (f *hfFields) value(name string) (any, bool) {
	v, ok := f.m[name]
	if !ok || v == nil {
		return nil, false
	}
	return v, true
}

// intOr returns integer field name, or def (noted) when it is absent.
func (f *hfFields) intOr(name string, def int64, why string) int64 {
	return f.intOrFunc(name, func() int64 { return def }, why)
}

// intOrFunc returns integer field name, or def() (noted) when it is absent;
// def is called only then, so a default computed from other fields is
// checked only where it is used.
func (f *hfFields) intOrFunc(name string, def func() int64, why string) int64 {
	v, ok := f.value(name)
	if !ok {
		d := def()
		f.notes = append(f.notes, fmt.Sprintf("%s absent: %d (%s)", name, d, why))
		return d
	}
	return f.toInt(name, v)
}

// required returns integer field name, recording an error when it is absent.
func (f *hfFields) required(name string) int64 {
	v, ok := f.value(name)
	if !ok {
		f.errorf(ErrMissingField, name, "%s (%s)", f.name(name), f.modelType)
		return 0
	}
	return f.toInt(name, v)
}

// presentOrNull records a missing-field error when field is absent from
// the file (null is accepted): a field whose absence the family's codes
// read differently, as why says.
func (f *hfFields) presentOrNull(field, why string) {
	if _, present := f.m[field]; !present {
		f.errorf(ErrMissingField, field, "%s (%s): required, since %s", f.name(field), f.modelType, why)
	}
}

// optional returns integer field name and whether it is set.
func (f *hfFields) optional(name string) (int64, bool) {
	v, ok := f.value(name)
	if !ok {
		return 0, false
	}
	return f.toInt(name, v), true
}

// integerLiteral is a JSON number written without fraction or exponent.
var integerLiteral = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// toInt returns v as an int64: it must be a JSON integer in the int64 range.
// The error quotes the number as the file writes it.
func (f *hfFields) toInt(name string, v any) int64 {
	n, ok := v.(json.Number)
	if ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	got := describe(v)
	if ok && integerLiteral.MatchString(n.String()) {
		got += " (out of range)"
	}
	f.errorf(ErrWrongType, name, "%s must be an integer, got %s", f.name(name), got)
	return 0
}

// boolOr returns boolean field name, or def when it is absent.
func (f *hfFields) boolOr(name string, def bool) bool { return fieldOr(f, name, def, "true or false") }

// stringOr returns string field name, or def when it is absent.
func (f *hfFields) stringOr(name, def string) string { return fieldOr(f, name, def, "a string") }

// fieldOr returns field name as a T, or def when it is absent; want says
// what a T is, for the error when the field holds something else.
func fieldOr[T any](f *hfFields, name string, def T, want string) T {
	v, ok := f.value(name)
	if !ok {
		return def
	}
	x, ok := v.(T)
	if !ok {
		f.errorf(ErrWrongType, name, "%s must be %s, got %s", f.name(name), want, describe(v))
	}
	return x
}

// intList returns integer-list field name and whether it is set and a
// list of integers (else the error is recorded). Its length is bounded by
// the file's.
func (f *hfFields) intList(name string) ([]int64, bool) {
	v, ok := f.value(name)
	if !ok {
		return nil, false
	}
	items, ok := v.([]any)
	if !ok {
		f.errorf(ErrWrongType, name, "%s must be a list of integers, got %s", f.name(name), describe(v))
		return nil, false
	}
	errs := len(f.errs)
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = f.toInt(fmt.Sprintf("%s[%d]", name, i), it)
	}
	return out, len(f.errs) == errs
}

// object returns object field name, a composite config's sub-config (what
// says which), and whether the file has it as an object; where it does not,
// the error is recorded.
func (f *hfFields) object(name, what string) (map[string]any, bool) {
	v, present := f.value(name)
	m, ok := v.(map[string]any)
	switch {
	case !present:
		f.errorf(ErrMissingField, name, "%s (%s)", f.name(name), what)
	case !ok:
		f.errorf(ErrWrongType, name, "%s must be an object (%s), got %s", f.name(name), what, describe(v))
	}
	return m, present && ok
}

// unmodelled records an error when cond holds: the field's value changes
// the architecture in a way tscale does not count.
func (f *hfFields) unmodelled(cond bool, name, why string) {
	if cond {
		f.errorf(ErrUnmodelled, name, "%s %s: %s", f.name(name), show(f.m[name]), why)
	}
}

// nonFinitePrefix marks the strings nonFiniteLiterals writes in place of
// Python's non-finite number literals.
const nonFinitePrefix = "\x00non-finite "

// nonFiniteLiterals rewrites the literals NaN, Infinity and -Infinity that
// Python's json module writes for non-finite floats (Mamba-2's
// time_step_limit [0.0, Infinity]) into marked strings, outside strings
// only, so that strict JSON reads the file: a field tscale does not read
// may hold one, and one that changes a count is refused, named, by the
// reader of its type ("must be an integer, got Infinity"). Other data is
// returned unchanged.
func nonFiniteLiterals(data []byte) []byte {
	var out []byte
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		ch := data[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
			if out != nil {
				out = append(out, ch)
			}
			continue
		}
		if ch == '"' {
			inString = true
		}
		lit := ""
		for _, l := range []string{"NaN", "Infinity", "-Infinity"} {
			if bytes.HasPrefix(data[i:], []byte(l)) {
				lit = l
			}
		}
		if lit == "" {
			if out != nil {
				out = append(out, ch)
			}
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(data)+32), data[:i]...)
		}
		out = append(out, '"')
		out = append(out, `\u0000non-finite `...)
		out = append(out, lit...)
		out = append(out, '"')
		i += len(lit) - 1
	}
	if out == nil {
		return data
	}
	return out
}

// show is a value as the file writes it, briefly.
func show(v any) string {
	switch v := v.(type) {
	case string:
		if lit, ok := strings.CutPrefix(v, nonFinitePrefix); ok {
			return lit
		}
		return fmt.Sprintf("%q", v)
	case []any:
		return "(a list)"
	case map[string]any:
		return "(an object)"
	}
	return fmt.Sprintf("%v", v)
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		if lit, ok := strings.CutPrefix(v, nonFinitePrefix); ok {
			return "the non-finite number " + lit
		}
		return fmt.Sprintf("the string %q", v)
	case json.Number:
		return "the number " + v.String()
	case bool:
		return fmt.Sprintf("%v", v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%v", v)
}

// mul returns a × b, recording an ErrTooLarge error that names what (the
// fields multiplied) when the product overflows int64.
func (f *hfFields) mul(what string, a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		f.errorf(ErrTooLarge, what, "%s overflows int64 (%d × %d)", what, a, b)
		return 0
	}
	return p
}

// add returns a + b, recording an ErrTooLarge error that names what (the
// fields added) when the sum overflows int64.
func (f *hfFields) add(what string, a, b int64) int64 {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		f.errorf(ErrTooLarge, what, "%s overflows int64 (%d + %d)", what, a, b)
		return 0
	}
	return s
}

// layers reads the layer count from field name and refuses one past
// scale.MaxLayers here, before anything is done per layer.
func (f *hfFields) layers(name string) int64 {
	n := f.required(name)
	f.alias("num_hidden_layers", f.name(name))
	if n > scale.MaxLayers {
		f.errorf(ErrTooLarge, name, "%s %d is more than the %d layers tscale analyses", f.name(name), n, scale.MaxLayers)
	}
	return n
}

// implicitHeadDim is hidden / heads, the head_dim of a model whose config
// leaves it implicit; as in transformers, heads must divide hidden exactly.
// hiddenName and headsName are the fields as the file names them. Where
// either is not positive, Validate reports it.
func (f *hfFields) implicitHeadDim(hidden, heads int64, hiddenName, headsName string) int64 {
	f.alias("head_dim", fmt.Sprintf("head_dim (%s / %s)", f.name(hiddenName), f.name(headsName)))
	if hidden <= 0 || heads <= 0 {
		f.follows("head_dim")
		return 0
	}
	if hidden%heads != 0 {
		f.errorf(ErrInvalidValue, hiddenName, "%s %d is not a multiple of %s %d (head_dim is %s / %s)",
			f.name(hiddenName), hidden, f.name(headsName), heads, f.name(hiddenName), f.name(headsName))
		return 0
	}
	return hidden / heads
}

// headDim is head_dim, or hidden/heads as the modelling code defaults.
func (f *hfFields) headDim(hidden, heads int64) int64 {
	if d, ok := f.optional("head_dim"); ok {
		return d
	}
	d := f.implicitHeadDim(hidden, heads, "hidden_size", "num_attention_heads")
	if d > 0 {
		f.notes = append(f.notes, fmt.Sprintf("head_dim absent: hidden_size / num_attention_heads = %d", d))
	}
	return d
}

// decoder reads the fields every Llama-style decoder shares onto the
// family's defaults d: sizes, heads, head_dim (hidden/heads when absent),
// and max_position_embeddings, tie_word_embeddings and hidden_act, each d's
// where the file leaves it out; num_key_value_heads, where the file leaves
// it out, is d's if d sets one, else num_attention_heads. The facts a
// config.json does not state (the norm, the MLP, the position encoding,
// biases the code fixes) are d's.
func (f *hfFields) decoder(d scale.Config) scale.Config {
	c := f.decoderShape(d)
	c.HeadDim = f.headDim(c.HiddenSize, c.NumAttentionHeads)
	return c
}

// shape reads the four required shape fields into c: vocab_size and the
// hidden size, layer count and head count under the names the family's
// config.json gives them (GPT-2's n_embd, n_layer, n_head; MPT's d_model,
// n_layers, n_heads). The layer count is bounded as layers bounds it.
func (f *hfFields) shape(c *scale.Config, hidden, layers, heads string) {
	c.VocabSize = f.required("vocab_size")
	c.HiddenSize = f.required(hidden)
	c.NumHiddenLayers = f.layers(layers)
	c.NumAttentionHeads = f.required(heads)
}

// decoderShape is decoder without head_dim, for families that set it their way.
func (f *hfFields) decoderShape(d scale.Config) scale.Config {
	c := d
	f.shape(&c, "hidden_size", "num_hidden_layers", "num_attention_heads")
	kvWhy := "num_attention_heads: multi-head attention"
	if d.NumKeyValueHeads > 0 {
		kvWhy = f.modelType + " default"
	}
	c.NumKeyValueHeads = f.intOrFunc("num_key_value_heads", func() int64 {
		if d.NumKeyValueHeads > 0 { // the family's own default (Starcoder2Config: 2)
			return d.NumKeyValueHeads
		}
		f.followsIf(c.NumAttentionHeads <= 0, "num_key_value_heads")
		return c.NumAttentionHeads
	}, kvWhy)
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, f.modelType+" default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	c.HiddenAct = f.stringOr("hidden_act", d.HiddenAct)
	return c
}

// attentionBias reads attention_bias, which puts a bias on q, k, v and o
// alike (default false).
func (f *hfFields) attentionBias() (qkv, out bool) {
	bias := f.boolOr("attention_bias", false)
	return bias, bias
}

// slidingWindow reads sliding_window (null or absent: none, unless the
// family's default def applies).
func (f *hfFields) slidingWindow(def int64) int64 {
	if _, present := f.m["sliding_window"]; !present && def > 0 {
		f.notes = append(f.notes, fmt.Sprintf("sliding_window absent: %d (%s default)", def, f.modelType))
		return def
	}
	w, _ := f.optional("sliding_window")
	return w
}
