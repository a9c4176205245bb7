package presets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"tscale/scale"
)

// The kinds of error FromHFConfig returns, for errors.Is.
var (
	ErrMalformedJSON        = errors.New("malformed JSON")
	ErrMissingField         = errors.New("missing required field")
	ErrWrongType            = errors.New("field of the wrong type")
	ErrUnsupportedModelType = errors.New("unsupported model_type")
	ErrUnmodelled           = errors.New("architecture tscale does not model")
)

// hfReaders maps each supported model_type to the function that reads it.
var hfReaders = map[string]func(*hfFields) scale.Config{
	"gpt2":        readGPT2,
	"llama":       readLlama,
	"mistral":     readMistral,
	"mixtral":     readMixtral,
	"qwen2":       readQwen2,
	"qwen2_moe":   readQwen2MoE,
	"qwen3":       readQwen3,
	"qwen3_moe":   readQwen3MoE,
	"gemma":       readGemma,
	"gemma2":      readGemma2,
	"phi":         readPhi,
	"phi3":        readPhi3,
	"falcon":      readFalcon,
	"deepseek_v2": readDeepSeek,
	"deepseek_v3": readDeepSeek,
	"llama4":      readLlama4,
	"llama4_text": readLlama4,
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
// another model. A field whose value tscale does not model is an error.
func FromHFConfig(path string, data []byte) (Preset, error) {
	fail := func(err error) (Preset, error) { return Preset{}, fmt.Errorf("%s: %w", path, err) }
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrMalformedJSON, err))
	}
	if dec.More() {
		return fail(fmt.Errorf("%w: data after the top-level object", ErrMalformedJSON))
	}
	modelType, ok := m["model_type"].(string)
	if !ok {
		if _, present := m["model_type"]; present {
			return fail(fmt.Errorf("%w: model_type must be a string, got %v", ErrWrongType, m["model_type"]))
		}
		return fail(fmt.Errorf("%w: model_type", ErrMissingField))
	}
	read, ok := hfReaders[modelType]
	if !ok {
		return fail(fmt.Errorf("%w %q; tscale reads %s", ErrUnsupportedModelType, modelType, strings.Join(HFModelTypes(), ", ")))
	}
	if modelType == "llama4" { // the multimodal wrapper: its text model is text_config
		text, ok := m["text_config"].(map[string]any)
		if !ok {
			return fail(fmt.Errorf("%w: text_config (the llama4 text model)", ErrMissingField))
		}
		m = text
	}
	f := &hfFields{m: m, modelType: modelType}
	c := read(f)
	if err := errors.Join(f.errs...); err != nil {
		return fail(err)
	}
	if err := c.Validate(); err != nil {
		return fail(err)
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
	if !ValidSlug(slug) {
		return "hf-config"
	}
	return slug
}

// hfFields reads typed fields of a config.json and collects every error and
// every default it applies.
type hfFields struct {
	m         map[string]any
	modelType string
	errs      []error
	notes     []string
}

func (f *hfFields) errorf(kind error, format string, args ...any) {
	f.errs = append(f.errs, fmt.Errorf("%w: "+format, append([]any{kind}, args...)...))
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
	v, ok := f.value(name)
	if !ok {
		f.notes = append(f.notes, fmt.Sprintf("%s absent: %d (%s)", name, def, why))
		return def
	}
	return f.toInt(name, v)
}

// required returns integer field name, recording an error when it is absent.
func (f *hfFields) required(name string) int64 {
	v, ok := f.value(name)
	if !ok {
		f.errorf(ErrMissingField, "%s (%s)", name, f.modelType)
		return 0
	}
	return f.toInt(name, v)
}

// optional returns integer field name and whether it is set.
func (f *hfFields) optional(name string) (int64, bool) {
	v, ok := f.value(name)
	if !ok {
		return 0, false
	}
	return f.toInt(name, v), true
}

func (f *hfFields) toInt(name string, v any) int64 {
	n, ok := v.(json.Number)
	if ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	f.errorf(ErrWrongType, "%s must be an integer, got %s", name, describe(v))
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
		f.errorf(ErrWrongType, "%s must be %s, got %s", name, want, describe(v))
	}
	return x
}

// intList returns integer-list field name and whether it is set.
func (f *hfFields) intList(name string) ([]int64, bool) {
	v, ok := f.value(name)
	if !ok {
		return nil, false
	}
	items, ok := v.([]any)
	if !ok {
		f.errorf(ErrWrongType, "%s must be a list of integers, got %s", name, describe(v))
		return nil, true
	}
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = f.toInt(fmt.Sprintf("%s[%d]", name, i), it)
	}
	return out, true
}

// unmodelled records an error when cond holds: the field's value changes
// the architecture in a way tscale does not count.
func (f *hfFields) unmodelled(cond bool, name, why string) {
	if cond {
		f.errorf(ErrUnmodelled, "%s %v: %s", name, f.m[name], why)
	}
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
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

// headDim is head_dim, or hidden/heads as the modelling code defaults.
func (f *hfFields) headDim(hidden, heads int64) int64 {
	if d, ok := f.optional("head_dim"); ok {
		return d
	}
	if heads <= 0 {
		return 0
	}
	if hidden%heads != 0 {
		f.errorf(ErrUnmodelled, "head_dim absent and hidden_size %d is not a multiple of num_attention_heads %d", hidden, heads)
	}
	f.notes = append(f.notes, fmt.Sprintf("head_dim absent: hidden_size / num_attention_heads = %d", hidden/heads))
	return hidden / heads
}

// decoder reads the fields every Llama-style decoder shares: sizes, heads,
// head_dim (hidden/heads when absent), RMSNorm, RoPE, a gated MLP, and an
// untied head unless the config ties it.
func (f *hfFields) decoder(maxPositions int64, tied bool, act string) scale.Config {
	c := f.decoderShape(maxPositions, tied, act)
	c.HeadDim = f.headDim(c.HiddenSize, c.NumAttentionHeads)
	return c
}

// decoderShape is decoder without head_dim, for families that set it their way.
func (f *hfFields) decoderShape(maxPositions int64, tied bool, act string) scale.Config {
	c := scale.Config{
		VocabSize:         f.required("vocab_size"),
		HiddenSize:        f.required("hidden_size"),
		NumHiddenLayers:   f.required("num_hidden_layers"),
		NumAttentionHeads: f.required("num_attention_heads"),
		MLP:               scale.MLPGated, Norm: scale.RMSNorm, PositionEmbedding: scale.PositionRoPE,
		NormsPerLayer: 2,
	}
	c.NumKeyValueHeads = f.intOr("num_key_value_heads", c.NumAttentionHeads, "num_attention_heads: multi-head attention")
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", maxPositions, f.modelType+" default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", tied)
	c.HiddenAct = f.stringOr("hidden_act", act)
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

func readLlama(f *hfFields) scale.Config {
	c := f.decoder(2048, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.MLPBias = f.boolOr("mlp_bias", false)
	return c
}

func readMistral(f *hfFields) scale.Config {
	c := f.decoder(4096*32, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.SlidingWindow = f.slidingWindow(4096)
	return c
}

func readMixtral(f *hfFields) scale.Config {
	c := f.decoder(4096*32, false, "silu")
	c.NumLocalExperts = f.intOr("num_local_experts", 8, "mixtral default")
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", 2, "mixtral default")
	c.MoEIntermediateSize = f.required("intermediate_size") // every expert; no dense layers
	c.SlidingWindow = f.slidingWindow(0)
	return c
}

// qwenSliding rejects Qwen's per-layer sliding windows, which tscale does
// not model; with use_sliding_window false (the released models) the
// sliding_window field is unused.
func (f *hfFields) qwenSliding() {
	f.unmodelled(f.boolOr("use_sliding_window", false), "use_sliding_window",
		"Qwen's sliding window on layers from max_window_layers on is not modelled")
}

func readQwen2(f *hfFields) scale.Config {
	c := f.decoder(32768, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias = true // q_proj, k_proj, v_proj with bias; o_proj without
	f.qwenSliding()
	return c
}

func readQwen3(f *hfFields) scale.Config {
	c := f.decoder(32768, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.QKNorm = true // q_norm and k_norm: RMSNorm(head_dim)
	f.qwenSliding()
	return c
}

// qwenMoE reads the experts of qwen2_moe and qwen3_moe; every layer is MoE
// unless decoder_sparse_step or mlp_only_layers say otherwise.
func (f *hfFields) qwenMoE(c *scale.Config) {
	c.NumLocalExperts = f.required("num_experts")
	c.NumExpertsPerTok = f.required("num_experts_per_tok")
	c.MoEIntermediateSize = f.required("moe_intermediate_size")
	c.MoELayerInterval = f.intOr("decoder_sparse_step", 1, "every layer MoE")
	if only, ok := f.intList("mlp_only_layers"); ok {
		f.unmodelled(len(only) > 0, "mlp_only_layers", "a list of dense layers is not modelled; only decoder_sparse_step is")
	}
	if c.MoELayerInterval > 1 {
		c.IntermediateSize = f.required("intermediate_size")
	}
}

func readQwen2MoE(f *hfFields) scale.Config {
	c := f.decoder(32768, false, "silu")
	c.AttentionQKVBias = f.boolOr("qkv_bias", true)
	f.qwenMoE(&c)
	c.SharedExpertIntermediateSize = f.required("shared_expert_intermediate_size")
	if c.SharedExpertIntermediateSize > 0 {
		c.NumSharedExperts, c.SharedExpertGate = 1, true
	}
	f.qwenSliding()
	return c
}

func readQwen3MoE(f *hfFields) scale.Config {
	c := readQwen3(f)
	c.IntermediateSize = 0
	f.qwenMoE(&c)
	return c
}

func readGemma(f *hfFields) scale.Config {
	c := f.decoderShape(8192, true, "gelu_pytorch_tanh")
	c.HeadDim = f.intOr("head_dim", 256, "gemma default")
	c.IntermediateSize = f.required("intermediate_size")
	// Gemma's code uses hidden_activation, and the tanh GELU when it is absent.
	c.HiddenAct = f.stringOr("hidden_activation", "gelu_pytorch_tanh")
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	return c
}

func readGemma2(f *hfFields) scale.Config {
	c := readGemma(f)
	c.NormsPerLayer = 4 // input, post-attention, pre- and post-feedforward RMSNorms
	c.SlidingWindow = f.slidingWindow(4096)
	if c.SlidingWindow > 0 {
		c.GlobalAttentionInterval = 2 // even layers windowed, odd layers global
	}
	return c
}

func readPhi(f *hfFields) scale.Config {
	c := f.decoder(2048, false, "gelu_new")
	c.IntermediateSize = f.required("intermediate_size")
	c.MLP, c.Norm = scale.MLPStandard, scale.LayerNorm
	c.ParallelBlock, c.NormsPerLayer = true, 1
	c.AttentionQKVBias, c.AttentionOutBias, c.MLPBias, c.LMHeadBias = true, true, true, true
	f.unmodelled(f.boolOr("qk_layernorm", false), "qk_layernorm", "Phi's LayerNorm on queries and keys is not modelled")
	return c
}

func readPhi3(f *hfFields) scale.Config {
	c := f.decoder(4096, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.SlidingWindow = f.slidingWindow(0)
	f.unmodelled(f.boolOr("attention_bias", false), "attention_bias", "Phi-3's qkv_proj and o_proj are modelled without bias")
	return c
}

func readGPT2(f *hfFields) scale.Config {
	c := scale.Config{
		VocabSize:         f.required("vocab_size"),
		HiddenSize:        f.required("n_embd"),
		NumHiddenLayers:   f.required("n_layer"),
		NumAttentionHeads: f.required("n_head"),
		MLP:               scale.MLPStandard, Norm: scale.LayerNorm, PositionEmbedding: scale.PositionLearned,
		NormsPerLayer: 2, AttentionQKVBias: true, AttentionOutBias: true, MLPBias: true,
	}
	c.NumKeyValueHeads = c.NumAttentionHeads
	if c.NumAttentionHeads > 0 {
		c.HeadDim = c.HiddenSize / c.NumAttentionHeads
	}
	c.MaxPositionEmbeddings = f.intOr("n_positions", 1024, "gpt2 default")
	c.IntermediateSize = f.intOr("n_inner", 4*c.HiddenSize, "4 × n_embd")
	c.HiddenAct = f.stringOr("activation_function", "gelu_new")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", true)
	f.unmodelled(f.boolOr("add_cross_attention", false), "add_cross_attention", "cross-attention is not modelled")
	return c
}

func readFalcon(f *hfFields) scale.Config {
	name := func(hf, alias string) string { // FalconConfig accepts the original names too
		if _, ok := f.m[hf]; !ok {
			if _, ok := f.m[alias]; ok {
				return alias
			}
		}
		return hf
	}
	c := scale.Config{
		VocabSize:         f.required("vocab_size"),
		HiddenSize:        f.required("hidden_size"),
		NumHiddenLayers:   f.required(name("num_hidden_layers", "n_layer")),
		NumAttentionHeads: f.required(name("num_attention_heads", "n_head")),
		MLP:               scale.MLPStandard, Norm: scale.LayerNorm, PositionEmbedding: scale.PositionRoPE,
	}
	if f.boolOr("alibi", false) {
		c.PositionEmbedding = scale.PositionALiBi
	}
	if c.NumAttentionHeads > 0 {
		c.HeadDim = c.HiddenSize / c.NumAttentionHeads
	}
	newArch := f.boolOr("new_decoder_architecture", false)
	switch {
	case newArch:
		c.NumKeyValueHeads = f.intOr(name("num_kv_heads", "n_head_kv"), c.NumAttentionHeads, "num_attention_heads")
	case f.boolOr("multi_query", true):
		c.NumKeyValueHeads = 1
	default:
		c.NumKeyValueHeads = c.NumAttentionHeads
	}
	c.ParallelBlock = f.boolOr("parallel_attn", true)
	switch {
	case !c.ParallelBlock:
		c.NormsPerLayer = 2
	case newArch:
		c.NormsPerLayer = f.intOr("num_ln_in_parallel_attn", 2, "new_decoder_architecture: ln_attn and ln_mlp")
	default:
		c.NormsPerLayer = f.intOr("num_ln_in_parallel_attn", 1, "one input_layernorm shared by attention and MLP")
	}
	bias := f.boolOr("bias", false)
	c.AttentionQKVBias, c.AttentionOutBias, c.MLPBias = bias, bias, bias
	c.IntermediateSize = f.intOr("ffn_hidden_size", 4*c.HiddenSize, "4 × hidden_size")
	c.HiddenAct = f.stringOr("activation", "gelu")
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", 2048, "falcon default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", true)
	return c
}

func readDeepSeek(f *hfFields) scale.Config {
	maxPositions := map[string]int64{"deepseek_v2": 2048, "deepseek_v3": 4096}[f.modelType]
	c := f.decoderShape(maxPositions, false, "silu")
	c.IntermediateSize = f.required("intermediate_size")
	c.QLoraRank, _ = f.optional("q_lora_rank") // null: one q_proj
	c.KVLoraRank = f.required("kv_lora_rank")
	c.QKNopeHeadDim = f.required("qk_nope_head_dim")
	c.QKRopeHeadDim = f.required("qk_rope_head_dim")
	c.VHeadDim = f.required("v_head_dim")
	c.HeadDim = c.QKNopeHeadDim + c.QKRopeHeadDim
	c.NumKeyValueHeads = c.NumAttentionHeads // MLA expands keys and values per head
	f.unmodelled(f.boolOr("attention_bias", false), "attention_bias", "MLA projections are modelled without bias")
	if experts, ok := f.optional("n_routed_experts"); ok {
		c.NumLocalExperts = experts
		c.NumExpertsPerTok = f.required("num_experts_per_tok")
		c.MoEIntermediateSize = f.required("moe_intermediate_size")
		shared, _ := f.optional("n_shared_experts")
		c.NumSharedExperts, c.SharedExpertIntermediateSize = shared, shared*c.MoEIntermediateSize
		c.FirstKDenseReplace = f.intOr("first_k_dense_replace", 0, "no dense layers first")
		freq := f.intOr("moe_layer_freq", 1, "every layer after the dense ones")
		f.unmodelled(freq != 1, "moe_layer_freq", "only moe_layer_freq 1 is modelled")
		c.RouterBias = f.stringOr("topk_method", map[string]string{"deepseek_v3": "noaux_tc"}[f.modelType]) == "noaux_tc"
		if c.FirstKDenseReplace == 0 {
			c.IntermediateSize = 0 // every layer MoE: no dense MLP
		}
	}
	if mtp, _ := f.optional("num_nextn_predict_layers"); mtp > 0 {
		f.notes = append(f.notes, fmt.Sprintf("num_nextn_predict_layers %d: the multi-token-prediction module is not counted", mtp))
	}
	return c
}

func readLlama4(f *hfFields) scale.Config {
	c := f.decoder(4096*32, false, "silu")
	c.NumLocalExperts = f.required("num_local_experts")
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", 1, "llama4 default")
	c.MoEIntermediateSize = f.required("intermediate_size")
	c.NumSharedExperts, c.SharedExpertIntermediateSize = 1, c.MoEIntermediateSize
	step := f.intOr("interleave_moe_layer_step", 1, "every layer MoE")
	c.MoELayerInterval = step
	if listed, ok := f.intList("moe_layers"); ok && step > 0 {
		var want []int64
		for i := step - 1; i < c.NumHiddenLayers; i += step {
			want = append(want, i)
		}
		f.unmodelled(!slices.Equal(listed, want), "moe_layers", "only the layers interleave_moe_layer_step gives are modelled")
	}
	if step > 1 {
		c.IntermediateSize = f.required("intermediate_size_mlp")
	}
	c.AttentionChunkSize, _ = f.optional("attention_chunk_size")
	interval := f.intOr("no_rope_layer_interval", 4, "every fourth layer global, without RoPE")
	if ropeLayers, ok := f.intList("no_rope_layers"); ok && interval > 0 {
		want := make([]int64, len(ropeLayers))
		for i := range want {
			if (int64(i)+1)%interval != 0 {
				want[i] = 1
			}
		}
		f.unmodelled(!slices.Equal(ropeLayers, want), "no_rope_layers",
			fmt.Sprintf("only every %d-th layer global (no_rope_layer_interval) is modelled", interval))
	}
	if c.AttentionChunkSize > 0 {
		c.GlobalAttentionInterval = interval
	}
	f.unmodelled(f.boolOr("attention_bias", false), "attention_bias", "Llama 4 attention is modelled without bias")
	return c
}
