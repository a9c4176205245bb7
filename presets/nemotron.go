package presets

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/tscale/tscale/scale"
)

// nasDefaults are Nemotron-NAS's (DeciLM, model_type nemotron-nas, remote
// code only): the Llama block — RMSNorms, RoPE, a gated SiLU MLP, no
// biases, an untied head — with every layer shaped by its block_configs
// entry.
func nasDefaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 2048
	return c
}

const nasCode = "DeciLM modeling_decilm.py (remote code of nvidia/Llama-3_3-Nemotron-Super-49B-v1, as NVIDIA's " +
	"Model-Optimizer copy and the vLLM, TensorRT-LLM and llama.cpp ports write it): per layer, attention no_op builds no " +
	"attention and no input_layernorm, replace_with_linear a Linear(h, h) without bias after input_layernorm, else " +
	"Llama attention with num_attention_heads / n_heads_in_group KV heads; ffn no_op builds no MLP and no " +
	"post_attention_layernorm, replace_with_linear a Linear(h, h) without bias, else a gated MLP of width " +
	"_ffn_mult_to_intermediate_size(ffn_mult, h) = int(2·ffn_mult·h/3) rounded up to a multiple of 256"

// nasIntermediateSize is DeciLM's _ffn_mult_to_intermediate_size:
// int(2 · ffn_mult · h / 3), in float64 and in that order as Python
// evaluates it, truncated, then rounded up to a multiple of 256. ok is
// false when the width is not a positive int64.
func nasIntermediateSize(ffnMult float64, h int64) (int64, bool) {
	x := 2 * ffnMult * float64(h) / 3
	if !(x >= 1) || x > math.MaxInt64/2 {
		return 0, false
	}
	n := int64(x)
	if r := n % 256; r != 0 {
		n += 256 - r
	}
	return n, true
}

// nasRun is a run of identical layers of a Nemotron-NAS preset: count
// layers with attention (no_op when kvGroup is 0) and an MLP of ffnMult.
type nasRun struct {
	count   int
	kvGroup int64 // n_heads_in_group; 0: attention no_op
	ffnMult float64
}

// nasLayers expands the runs of a preset into per-layer shapes, each MLP's
// width by nasIntermediateSize, as the reader does.
func nasLayers(h, heads int64, runs []nasRun) []scale.LayerShape {
	var layers []scale.LayerShape
	for _, r := range runs {
		l := scale.LayerShape{Attention: scale.PartNone}
		if r.kvGroup > 0 {
			l = scale.LayerShape{NumKeyValueHeads: heads / r.kvGroup}
		}
		l.IntermediateSize, _ = nasIntermediateSize(r.ffnMult, h)
		for range r.count {
			layers = append(layers, l)
		}
	}
	return layers
}

func nemotronNASFamily() []Preset {
	return []Preset{
		{
			Slug: "nemotron-super-49b", Name: "Llama-3.3-Nemotron-Super-49B v1", Family: "Nemotron",
			Config: shaped(nasDefaults(), scale.Config{
				VocabSize: 128256, HiddenSize: 8192, NumHiddenLayers: 80, NumAttentionHeads: 64, NumKeyValueHeads: 8,
				HeadDim: 128, MaxPositionEmbeddings: 131072,
				// block_configs, in order: runs of (layers, n_heads_in_group or 0 for no_op, ffn_mult).
				Layers: nasLayers(8192, 64, []nasRun{
					{1, 8, 2.625}, {5, 8, 5.25}, {2, 0, 2.625}, {3, 8, 5.25}, {1, 0, 3.28125}, {30, 8, 5.25},
					{1, 0, 1.3125}, {2, 0, 2.625}, {1, 0, 1.3125}, {1, 0, 5.25}, {1, 0, 1.3125}, {1, 0, 2.625},
					{3, 0, 1.3125}, {1, 8, 5.25}, {1, 0, 1.3125}, {2, 0, 1.0}, {1, 0, 1.3125}, {3, 0, 1.0},
					{2, 0, 1.3125}, {2, 0, 0.5}, {2, 0, 1.0}, {2, 0, 0.5}, {1, 0, 1.0}, {2, 0, 0.5}, {9, 8, 5.25},
				}),
			}),
			Sources: []string{"Hugging Face nvidia/Llama-3_3-Nemotron-Super-49B-v1 config.json: vocab_size, hidden_size, " +
				"num_hidden_layers, num_attention_heads, max_position_embeddings, tie_word_embeddings, block_configs " +
				"(attention no_op, replace_with_linear, n_heads_in_group; ffn no_op, replace_with_linear, ffn_mult)", nasCode},
			Notes: []string{
				"a Llama-3.3-70B derived by neural architecture search: 49 layers keep attention (8 KV heads), 31 have none " +
					"(no_op: no weights, no norm, no KV cache); every layer keeps a gated MLP, of width 2816 to 28672",
				"nemotron-nas is not a transformers model_type: the model loads with trust_remote_code, and params.total is " +
					"num_parameters() of that remote code; NVIDIA's model card gives 49,867,145,216",
				"num_key_value_heads is null in config.json; the model-level KV heads shown (8) are the attention layers' own",
			},
		},
	}
}

// readNAS reads nemotron-nas: the Llama fields and block_configs, one entry
// per layer. Every block field tscale does not model (sparsify, sink
// tokens, a window) must be null or false.
func readNAS(f *hfFields) scale.Config {
	c := f.decoderShape(nasDefaults())
	c.HeadDim = f.headDim(c.HiddenSize, c.NumAttentionHeads)
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	c.MLPBias = f.boolOr("mlp_bias", false)
	f.unmodelled(c.MLPBias, "mlp_bias", "DeciLM's gated MLP is modelled without bias")
	if _, ok := f.optional("intermediate_size"); ok {
		f.notes = append(f.notes, "intermediate_size is unused: each layer's width comes from its block_configs entry")
	}
	v, ok := f.value("block_configs")
	if !ok {
		f.errorf(ErrMissingField, "block_configs", "block_configs (nemotron-nas): one entry per layer")
		return c
	}
	blocks, ok := v.([]any)
	if !ok {
		f.errorf(ErrWrongType, "block_configs", "block_configs must be a list, got %s", describe(v))
		return c
	}
	if c.NumHiddenLayers > 0 && int64(len(blocks)) != c.NumHiddenLayers {
		f.errorf(ErrInvalidValue, "block_configs", "block_configs lists %d layers, not num_hidden_layers (%d)",
			len(blocks), c.NumHiddenLayers)
		return c
	}
	c.Layers = make([]scale.LayerShape, len(blocks))
	f.alias("layers", f.name("block_configs"))
	kv := int64(0)
	for i, b := range blocks {
		l, ok := f.nasBlock(i, b, c)
		if !ok {
			return c
		}
		c.Layers[i] = l
		if kv == 0 && l.NumKeyValueHeads > 0 {
			kv = l.NumKeyValueHeads
		}
	}
	c.NumKeyValueHeads = kv // the model-level value: the first attention layer's
	if kv == 0 {            // no layer has attention: the model-level value is unused
		c.NumKeyValueHeads = c.NumAttentionHeads
	}
	f.alias("num_key_value_heads", "num_key_value_heads (the first attention layer's, from block_configs)")
	f.notes = append(f.notes, "block_configs: every layer has its own shape (layer groups list them)")
	return c
}

// nasBlock reads block_configs[i] into a layer shape.
func (f *hfFields) nasBlock(i int, b any, c scale.Config) (scale.LayerShape, bool) {
	var l scale.LayerShape
	name := fmt.Sprintf("block_configs[%d]", i)
	block, ok := b.(map[string]any)
	if !ok {
		f.errorf(ErrWrongType, "block_configs", "%s must be an object, got %s", f.name(name), describe(b))
		return l, false
	}
	part := func(key string) (map[string]any, bool) {
		p, ok := block[key].(map[string]any)
		if !ok {
			f.errorf(ErrWrongType, "block_configs", "%s.%s must be an object, got %s", f.name(name), key, describe(block[key]))
		}
		return p, ok
	}
	attn, ok := part("attention")
	if !ok {
		return l, false
	}
	ffn, ok := part("ffn")
	if !ok {
		return l, false
	}
	errs := len(f.errs)
	flag := func(p map[string]any, where, key string) bool {
		v, present := p[key]
		if !present || v == nil {
			return false
		}
		x, ok := v.(bool)
		if !ok {
			f.errorf(ErrWrongType, "block_configs", "%s.%s.%s must be true or false, got %s", f.name(name), where, key, describe(v))
		}
		return x
	}
	unset := func(p map[string]any, where string, keys ...string) {
		for _, key := range keys {
			if v, present := p[key]; present && v != nil && v != false {
				f.errorf(ErrUnmodelled, "block_configs", "%s.%s.%s %s: not modelled", f.name(name), where, key, show(v))
			}
		}
	}
	unset(attn, "attention", "sparsify", "num_sink_tokens", "unshifted_sink", "use_prefill_window_in_sink_attention",
		"window_length")
	unset(ffn, "ffn", "sparsify")
	number := func(p map[string]any, where, key string) (json.Number, bool) {
		v := p[key]
		n, ok := v.(json.Number)
		if !ok {
			f.errorf(ErrWrongType, "block_configs", "%s.%s.%s must be a number, got %s", f.name(name), where, key, describe(v))
		}
		return n, ok
	}
	switch {
	case flag(attn, "attention", "no_op"):
		l.Attention = scale.PartNone
	case flag(attn, "attention", "replace_with_linear"):
		l.Attention = scale.PartLinear
	default:
		n, ok := number(attn, "attention", "n_heads_in_group")
		if !ok {
			break
		}
		group, err := n.Int64()
		if err != nil || group <= 0 || c.NumAttentionHeads%group != 0 {
			f.errorf(ErrInvalidValue, "block_configs", "%s.attention.n_heads_in_group %s must be a positive divisor of "+
				"num_attention_heads (%d)", f.name(name), n, c.NumAttentionHeads)
			break
		}
		l.NumKeyValueHeads = c.NumAttentionHeads / group
	}
	switch {
	case flag(ffn, "ffn", "no_op"):
		l.MLP = scale.PartNone
	case flag(ffn, "ffn", "replace_with_linear"):
		l.MLP = scale.PartLinear
	case ffn["intermediate_size"] != nil: // the newer form: the width itself
		n, ok := number(ffn, "ffn", "intermediate_size")
		if !ok {
			break
		}
		w, err := n.Int64()
		if err != nil || w <= 0 {
			f.errorf(ErrInvalidValue, "block_configs", "%s.ffn.intermediate_size %s must be a positive integer", f.name(name), n)
			break
		}
		l.IntermediateSize = w
	default:
		n, ok := number(ffn, "ffn", "ffn_mult")
		if !ok {
			break
		}
		mult, err := n.Float64()
		w, fits := nasIntermediateSize(mult, c.HiddenSize)
		if err != nil || !fits {
			f.errorf(ErrInvalidValue, "block_configs", "%s.ffn.ffn_mult %s gives no positive MLP width for hidden_size %d",
				f.name(name), n, c.HiddenSize)
			break
		}
		l.IntermediateSize = w
	}
	return l, len(f.errs) == errs
}
