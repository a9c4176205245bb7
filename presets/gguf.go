package presets

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tscale/tscale/gguf"
	"github.com/tscale/tscale/scale"
)

// ErrUnsupportedArchitecture: a GGUF file's general.architecture names an
// architecture tscale does not map to a config.
var ErrUnsupportedArchitecture = errors.New("unsupported general.architecture")

// ggufArch is how tscale reads one llama.cpp architecture: as the
// config.json of a transformers model_type (moeType when the file has
// experts), through the same family reader and defaults.
type ggufArch struct {
	modelType, moeType string
	// window: llama.cpp applies <arch>.attention.sliding_window (Gemma 2
	// every other layer, Gemma 3 five layers in six, Phi-3 every layer).
	window bool
	// fusedGateUp: ffn_up holds gate_proj and up_proj joined along the
	// output (Phi-3's gate_up_proj).
	fusedGateUp bool
}

// ggufArchs are the architectures FromGGUF reads. llama.cpp converts
// Mistral's and Mixtral's checkpoints to "llama" (with experts for
// Mixtral).
var ggufArchs = map[string]ggufArch{
	"llama":    {modelType: "llama", moeType: "mixtral"},
	"qwen2":    {modelType: "qwen2"},
	"qwen2moe": {modelType: "qwen2_moe", moeType: "qwen2_moe"},
	"qwen3":    {modelType: "qwen3"},
	"qwen3moe": {modelType: "qwen3_moe", moeType: "qwen3_moe"},
	"gemma":    {modelType: "gemma"},
	"gemma2":   {modelType: "gemma2", window: true},
	"gemma3":   {modelType: "gemma3_text", window: true},
	"phi3":     {modelType: "phi3", window: true, fusedGateUp: true},
}

// GGUFArchitectures lists the general.architecture values FromGGUF reads.
func GGUFArchitectures() []string {
	var out []string
	for a := range ggufArchs {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// ggufKey is one <arch>.* metadata key and the config.json field it gives.
type ggufKey struct {
	key, field string
}

// ggufKeys are the keys FromGGUF reads for every architecture, with the
// config.json field each gives (llama.cpp's convert_hf_to_gguf writes
// them from those fields).
var ggufKeys = []ggufKey{
	{"embedding_length", "hidden_size"},
	{"block_count", "num_hidden_layers"},
	{"attention.head_count", "num_attention_heads"},
	{"attention.head_count_kv", "num_key_value_heads"},
	{"feed_forward_length", "intermediate_size"},
	{"context_length", "max_position_embeddings"},
	{"expert_count", "num_local_experts"},
	{"expert_used_count", "num_experts_per_tok"},
	{"expert_feed_forward_length", "moe_intermediate_size"},
	{"expert_shared_feed_forward_length", "shared_expert_intermediate_size"},
	{"vocab_size", "vocab_size"},
}

// ggufFields is FromGGUF's reading of one file: the config.json it amounts
// to, what it noted, and its errors.
type ggufFields struct {
	file *gguf.File
	arch string
	m    map[string]any
	from []string // "hidden_size 4096 (llama.embedding_length)"
	// source is where each config.json field came from: a metadata key, or
	// how it was derived.
	source map[string]string
	notes  []string
	errs   []error
}

func (g *ggufFields) errorf(kind error, key, format string, args ...any) {
	g.errs = append(g.errs, &fieldError{kind: kind, field: key, msg: fmt.Sprintf(format, args...)})
}

// int reads <arch>.key as a non-negative integer: a scalar, or a per-layer
// array whose values are all one (tscale models a model whose layers share
// the value). ok is false when the key is absent or refused.
func (g *ggufFields) int(key string) (n int64, ok bool) {
	full := g.arch + "." + key
	v, present := g.file.Get(full)
	if !present {
		return 0, false
	}
	if v.Type == gguf.Array {
		ints, kept := v.Ints()
		switch {
		case !kept || len(ints) == 0:
			g.errorf(ErrWrongType, full, "metadata %s must be an integer or a list of at most %d integers, got an array of %d %s",
				full, gguf.KeptArrayLen, v.Len, v.Elem)
			return 0, false
		case slices.Min(ints) != slices.Max(ints):
			g.errorf(ErrUnmodelled, full, "metadata %s gives the layers different values (%d to %d); tscale models layers of one shape for %s",
				full, slices.Min(ints), slices.Max(ints), g.arch)
			return 0, false
		}
		n = ints[0]
	} else if n, ok = v.Int(); !ok {
		g.errorf(ErrWrongType, full, "metadata %s must be an integer, got a %s", full, v.Type)
		return 0, false
	}
	if n < 0 {
		g.errorf(ErrInvalidValue, full, "metadata %s must not be negative, got %d", full, n)
		return 0, false
	}
	return n, true
}

// set records config.json field as n, read from what.
func (g *ggufFields) set(field string, n int64, what string) {
	g.m[field] = json.Number(strconv.FormatInt(n, 10))
	g.from = append(g.from, fmt.Sprintf("%s %d (%s)", field, n, what))
	g.source[field] = what
}

// FromGGUF reads the architecture of a GGUF file (path names it) from its
// metadata, as a Preset, and maps its tensors to the ops of that
// architecture (scale.CompareGGUF checks them). general.architecture
// names a llama.cpp architecture (GGUFArchitectures); its <arch>.* keys
// give the config.json fields llama.cpp's converter wrote them from
// (ggufKeys), read by the same family reader, with the same defaults, as
// a config.json of that model_type. What the metadata does not state is
// taken as llama.cpp takes it, and noted: the KV heads are the heads,
// head_dim is embedding_length / head_count, the vocabulary is the
// tokenizer's (tokenizer.ggml.tokens) or token_embd's rows, and a file
// without output.weight ties the LM head to the embedding.
//
// Every error starts with path and wraps one of the Err kinds of
// FromHFConfig or ErrUnsupportedArchitecture.
func FromGGUF(path string, f *gguf.File) (Preset, []scale.GGUFTensor, error) {
	fail := func(err error) (Preset, []scale.GGUFTensor, error) {
		return Preset{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	archValue, ok := f.Get("general.architecture")
	archName, isString := archValue.Str()
	switch {
	case !ok:
		return fail(&fieldError{kind: ErrMissingField, field: "general.architecture", msg: "metadata general.architecture"})
	case !isString:
		return fail(&fieldError{kind: ErrWrongType, field: "general.architecture",
			msg: fmt.Sprintf("metadata general.architecture must be a string, got a %s", archValue.Type)})
	}
	arch, ok := ggufArchs[archName]
	if !ok {
		return fail(&fieldError{kind: ErrUnsupportedArchitecture, field: "general.architecture",
			msg: fmt.Sprintf("%q; tscale reads %s", archName, strings.Join(GGUFArchitectures(), ", "))})
	}
	g := &ggufFields{file: f, arch: archName, m: map[string]any{}, source: map[string]string{}}
	values := map[string]int64{}
	for _, k := range ggufKeys {
		if n, ok := g.int(k.key); ok {
			values[k.field] = n
			g.set(k.field, n, archName+"."+k.key)
		}
	}
	for _, k := range []string{"embedding_length", "block_count", "attention.head_count", "context_length"} {
		if _, ok := f.Get(archName + "." + k); !ok {
			g.errorf(ErrMissingField, archName+"."+k, "metadata %s.%s", archName, k)
		}
	}
	if n := values["num_hidden_layers"]; n > scale.MaxLayers {
		g.errorf(ErrTooLarge, archName+".block_count", "metadata %s.block_count %d is more than the %d layers tscale analyses",
			archName, n, scale.MaxLayers)
	}
	modelType := arch.modelType
	if values["num_local_experts"] > 0 {
		if arch.moeType == "" {
			g.errorf(ErrUnmodelled, archName+".expert_count", "metadata %s.expert_count %d: %s is read as a dense model",
				archName, values["num_local_experts"], archName)
		}
		modelType = arch.moeType
	}
	switch _, ffn := values["intermediate_size"]; {
	case modelType == "qwen2_moe" || modelType == "qwen3_moe":
		// Qwen's MoE configs name the expert count num_experts.
		g.m["num_experts"] = g.m["num_local_experts"]
		if _, ok := values["shared_expert_intermediate_size"]; !ok && modelType == "qwen2_moe" {
			g.set("shared_expert_intermediate_size", 0, "no "+archName+".expert_shared_feed_forward_length: no shared expert")
		}
		if !ffn {
			g.set("intermediate_size", 0, "no "+archName+".feed_forward_length: every layer has experts")
		}
	case !ffn:
		g.errorf(ErrMissingField, archName+".feed_forward_length", "metadata %s.feed_forward_length", archName)
	}
	if _, ok := values["num_key_value_heads"]; !ok {
		if heads, ok := values["num_attention_heads"]; ok {
			g.set("num_key_value_heads", heads, "no "+archName+".attention.head_count_kv: llama.cpp's default, the heads")
		}
	}
	g.headDim(values)
	g.vocab(values)
	g.windows(arch)
	_, untied := tensorIndex(f)["output.weight"]
	g.m["tie_word_embeddings"] = !untied
	if untied {
		g.from = append(g.from, "tie_word_embeddings false (the file stores output.weight)")
	} else {
		g.from = append(g.from, "tie_word_embeddings true (the file stores no output.weight: llama.cpp uses token_embd as the LM head)")
	}
	if err := errors.Join(g.errs...); err != nil {
		return fail(err)
	}

	h := &hfFields{m: g.m, modelType: modelType}
	c := hfReaders[modelType](h)
	if err := errors.Join(h.errs...); err != nil {
		return fail(fmt.Errorf("read as a %s config.json: %w", modelType, err))
	}
	for field, what := range g.source { // Validate's errors name the metadata keys
		h.alias(field, what)
	}
	if modelType == "mixtral" {
		h.alias("moe_intermediate_size", g.source["intermediate_size"])
	}
	if err := c.Validate(); err != nil {
		return fail(h.fileFieldErrors(err))
	}

	name := filepath.Base(path)
	if v, ok := f.Get("general.name"); ok {
		if s, ok := v.Str(); ok && s != "" && !strings.ContainsAny(s, "\n\r") {
			name = s
		}
	}
	p := Preset{
		Slug:   slugFromGGUFPath(path),
		Name:   fmt.Sprintf("%s (GGUF %s)", name, archName),
		Family: archName,
		Config: c,
		Sources: []string{
			fmt.Sprintf("GGUF file %s (version %d, general.architecture %s), read as a %s config.json: %s",
				path, f.Version, archName, modelType, strings.Join(g.from, ", ")),
		},
		Notes: append(g.notes, h.notes...),
	}
	return p, ggufTensors(f, arch), nil
}

// headDim reads attention.key_length and value_length: tscale models one
// head_dim, so they must agree. Absent, head_dim is embedding_length /
// head_count, as llama.cpp takes it (and as the family readers default).
func (g *ggufFields) headDim(values map[string]int64) {
	k, kOK := g.int("attention.key_length")
	v, vOK := g.int("attention.value_length")
	switch {
	case kOK && vOK && k != v:
		g.errorf(ErrUnmodelled, g.arch+".attention.value_length",
			"metadata %s.attention.value_length %d differs from key_length %d; tscale models one head_dim", g.arch, v, k)
	case kOK:
		g.set("head_dim", k, g.arch+".attention.key_length")
	case vOK:
		g.set("head_dim", v, g.arch+".attention.value_length")
	default:
		h, heads := values["hidden_size"], values["num_attention_heads"]
		if h > 0 && heads > 0 && h%heads == 0 {
			g.set("head_dim", h/heads, fmt.Sprintf("no %s.attention.key_length: embedding_length / head_count, as llama.cpp takes it", g.arch))
		} // else Validate names embedding_length or head_count, or the reader the division
	}
}

// vocab sets vocab_size where <arch>.vocab_size does not: the length of
// tokenizer.ggml.tokens, else the rows of token_embd.weight.
func (g *ggufFields) vocab(values map[string]int64) {
	if _, ok := values["vocab_size"]; ok {
		return
	}
	if v, ok := g.file.Get("tokenizer.ggml.tokens"); ok {
		if n, ok := v.ArrayLen(); ok {
			g.set("vocab_size", n, "the length of tokenizer.ggml.tokens")
			return
		}
	}
	if i, ok := tensorIndex(g.file)["token_embd.weight"]; ok {
		if dims := g.file.Tensors[i].Dims; len(dims) == 2 {
			g.set("vocab_size", dims[1], "the rows of token_embd.weight: the file has no vocabulary")
			return
		}
	}
	g.errorf(ErrMissingField, g.arch+".vocab_size",
		"the vocabulary size: the file has no %s.vocab_size, tokenizer.ggml.tokens or two-dimensional token_embd.weight", g.arch)
}

// windows sets sliding_window as llama.cpp applies it: from
// <arch>.attention.sliding_window for the architectures whose code reads
// it, none otherwise.
func (g *ggufFields) windows(arch ggufArch) {
	key := g.arch + ".attention.sliding_window"
	w, ok := g.int("attention.sliding_window")
	switch {
	case ok && arch.window && w > 0:
		g.set("sliding_window", w, key)
	case ok && w > 0:
		g.m["sliding_window"] = nil
		g.notes = append(g.notes, fmt.Sprintf("%s %d is not applied: tscale reads sliding windows of GGUF files for gemma2, gemma3 and phi3", key, w))
	default:
		g.m["sliding_window"] = nil // none, whatever the family's config.json default
		if arch.window {
			g.notes = append(g.notes, fmt.Sprintf("no %s: every layer attends to the whole context, as llama.cpp runs it", key))
		}
	}
	if g.arch == "gemma3" {
		p, ok := g.int("attention.sliding_window_pattern")
		if ok {
			g.set("sliding_window_pattern", p, g.arch+".attention.sliding_window_pattern")
		} else {
			g.set("sliding_window_pattern", 6, "llama.cpp's gemma3 pattern: every sixth layer full attention")
		}
	}
	if g.arch == "llama" {
		g.notes = append(g.notes, "llama.cpp converts Mistral and Mixtral checkpoints to llama files, whose metadata "+
			"states no sliding window: tscale applies none (the parameters do not depend on it)")
	}
}

// tensorIndex maps each tensor name of f to its index.
func tensorIndex(f *gguf.File) map[string]int {
	idx := make(map[string]int, len(f.Tensors))
	for i, t := range f.Tensors {
		idx[t.Name] = i
	}
	return idx
}

// slugFromGGUFPath names a GGUF file's model: the file name without .gguf.
func slugFromGGUFPath(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), ".gguf")
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(base), "-"), "-.")
	if !validSlug(slug) {
		return "gguf-file"
	}
	return slug
}

// ggufStage maps llama.cpp's tensors outside the decoder layers (the
// LLM_TENSOR_NAMES of llama.cpp's src/llama-arch.cpp) to ops.
var ggufStage = map[string]string{
	"token_embd":    "embed_tokens",
	"position_embd": "embed_positions",
	"output_norm":   "final_norm",
	"output":        "lm_head",
}

// ggufNotParams are tensors of values llama.cpp computes from the config
// when converting and stores for convenience; the model has no parameter
// for them (transformers computes them, or keeps them as buffers).
var ggufNotParams = map[string]bool{
	"rope_freqs":         true, // Llama 3.1's rope scaling factors
	"rope_factors_long":  true, // Phi-3's LongRoPE factors
	"rope_factors_short": true,
}

// ggufLayer maps the blk.N.* tensors of llama.cpp to ops; the expert
// tensors are in ggufExperts.
var ggufLayer = map[string][]string{
	"attn_norm":           {"attention_norm"},
	"attn_q":              {"q_proj"},
	"attn_k":              {"k_proj"},
	"attn_v":              {"v_proj"},
	"attn_qkv":            {"q_proj", "k_proj", "v_proj"},
	"attn_output":         {"o_proj"},
	"attn_q_norm":         {"q_norm"},
	"attn_k_norm":         {"k_norm"},
	"post_attention_norm": {"post_attention_norm"},
	"ffn_norm":            {"mlp_norm"},
	"post_ffw_norm":       {"post_mlp_norm"},
	"ffn_gate":            {"gate_proj"},
	"ffn_up":              {"up_proj"},
	"ffn_down":            {"down_proj"},
	"ffn_gate_inp":        {"router"},
	"ffn_gate_shexp":      {"shared_expert.gate_proj"},
	"ffn_up_shexp":        {"shared_expert.up_proj"},
	"ffn_down_shexp":      {"shared_expert.down_proj"},
	"ffn_gate_inp_shexp":  {"shared_expert_gate"},
}

// ggufExperts maps the routed experts' tensors: stacked (ffn_up_exps, the
// expert outermost) or one per expert (blk.N.ffn_up.E, older Mixtral
// files).
var ggufExperts = map[string][]string{
	"ffn_gate_exps":    {"experts.gate_proj"},
	"ffn_up_exps":      {"experts.up_proj"},
	"ffn_down_exps":    {"experts.down_proj"},
	"ffn_gate_up_exps": {"experts.gate_proj", "experts.up_proj"},
	"ffn_gate":         {"experts.gate_proj"}, // with an expert index
	"ffn_up":           {"experts.up_proj"},
	"ffn_down":         {"experts.down_proj"},
}

var ggufBlock = regexp.MustCompile(`^blk\.([0-9]{1,9})\.([a-z_]+)(?:\.([0-9]{1,9}))?\.(weight|bias)$`)

// ggufTensors are f's tensors with their shapes outermost first and what
// each holds: nil for a name tscale does not map.
func ggufTensors(f *gguf.File, arch ggufArch) []scale.GGUFTensor {
	out := make([]scale.GGUFTensor, len(f.Tensors))
	for i, t := range f.Tensors {
		shape := slices.Clone(t.Dims)
		slices.Reverse(shape)
		out[i] = scale.GGUFTensor{Name: t.Name, Type: t.Type.String(), BlockSize: t.Type.BlockSize(),
			BlockBytes: t.Type.BlockBytes(), Shape: shape, Ref: ggufRef(t.Name, arch)}
	}
	return out
}

// ggufRef is what tensor name holds, or nil.
func ggufRef(name string, arch ggufArch) *scale.GGUFRef {
	if base, part, ok := strings.Cut(name, "."); ok && (part == "weight" || part == "bias") {
		if op, ok := ggufStage[base]; ok {
			return &scale.GGUFRef{Layer: -1, Ops: []string{op}, Part: part, Expert: -1}
		}
		if ggufNotParams[base] {
			return &scale.GGUFRef{Layer: -1, Part: part, Expert: -1, NotParam: true}
		}
		return nil
	}
	m := ggufBlock.FindStringSubmatch(name)
	if m == nil {
		return nil
	}
	layer, _ := strconv.ParseInt(m[1], 10, 64)
	ref := &scale.GGUFRef{Layer: layer, Part: m[4], Expert: -1}
	switch {
	case m[3] != "": // blk.N.ffn_up.E
		ops, ok := ggufExperts[m[2]]
		if !ok || strings.HasSuffix(m[2], "_exps") {
			return nil
		}
		ref.Ops, ref.Expert = ops, mustInt(m[3])
	case strings.HasSuffix(m[2], "_exps"):
		ops, ok := ggufExperts[m[2]]
		if !ok {
			return nil
		}
		ref.Ops, ref.Stacked = ops, true
	case m[2] == "attn_rot_embd": // an old rotary table: computed, no parameter
		ref.Ops, ref.NotParam = nil, true
	case m[2] == "ffn_up" && arch.fusedGateUp:
		ref.Ops = []string{"gate_proj", "up_proj"}
	default:
		ops, ok := ggufLayer[m[2]]
		if !ok {
			return nil
		}
		ref.Ops = ops
	}
	return ref
}

// mustInt is s, at most nine digits, as an integer.
func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
