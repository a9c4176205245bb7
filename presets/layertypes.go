package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// The attention kinds of a config.json's layer_types list (transformers'
// ALLOWED_LAYER_TYPES that tscale models).
const (
	layerFull    = "full_attention"
	layerSliding = "sliding_attention"
)

// layerTypes reads layer_types, where the file has one, into c's window
// pattern, which it replaces: the list is what transformers builds the
// layers from. tscale models three patterns: every layer alike, every Nth
// layer full among sliding ones (global_attention_interval: Gemma 2 and 3,
// gpt-oss), and full layers below an index, sliding from it on
// (window_from_layer: Qwen2's max_window_layers). Any other list, a list
// whose length is not num_hidden_layers, and sliding layers without a
// sliding_window are errors naming layer_types. The work is the list's,
// bounded by the file. It reports whether the file has a list.
func (f *hfFields) layerTypes(c *scale.Config) bool {
	v, ok := f.value("layer_types")
	if !ok {
		return false
	}
	items, ok := v.([]any)
	if !ok {
		f.errorf(ErrWrongType, "layer_types", "%s must be a list of strings, got %s", f.name("layer_types"), describe(v))
		return true
	}
	sliding := make([]bool, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok || (s != layerFull && s != layerSliding) {
			f.errorf(ErrUnmodelled, "layer_types", "%s[%d] is %s: tscale models %q and %q layers",
				f.name("layer_types"), i, describe(it), layerFull, layerSliding)
			return true
		}
		sliding[i] = s == layerSliding
	}
	if c.NumHiddenLayers > 0 && int64(len(sliding)) != c.NumHiddenLayers {
		f.errorf(ErrInvalidValue, "layer_types", "%s lists %d layers, not num_hidden_layers (%d)",
			f.name("layer_types"), len(sliding), c.NumHiddenLayers)
		return true
	}
	from, interval, ok := slidingPattern(sliding)
	switch {
	case !ok:
		f.errorf(ErrUnmodelled, "layer_types", "%s: this pattern of sliding and full layers is not modelled; tscale "+
			"models every layer alike, every Nth layer full among sliding ones, or full layers below an index and "+
			"sliding ones from it on", f.name("layer_types"))
	case from < 0: // no sliding layer: the window is unused
		c.SlidingWindow, c.WindowFromLayer, c.GlobalAttentionInterval = 0, 0, 0
	case c.SlidingWindow <= 0:
		f.errorf(ErrInvalidValue, "layer_types", "%s has sliding layers, but sliding_window is not set", f.name("layer_types"))
	default:
		c.WindowFromLayer, c.GlobalAttentionInterval = from, interval
		f.alias("window_from_layer", f.name("layer_types"))
		f.alias("global_attention_interval", f.name("layer_types"))
	}
	return true
}

// slidingPattern finds the pattern of a list of sliding (true) and full
// layers: sliding from index from on (−1: none), every interval-th of them
// full (0: none). ok is false for a list of no such pattern.
func slidingPattern(sliding []bool) (from, interval int64, ok bool) {
	from = -1
	for i, s := range sliding {
		if s {
			from = int64(i)
			break
		}
	}
	if from < 0 {
		return -1, 0, true
	}
	tail := sliding[from:]
	// The first full layer after from sets the interval, if there is one.
	for i, s := range tail {
		if !s {
			interval = int64(i) + 1
			break
		}
	}
	if interval > 0 && from > 0 {
		return 0, 0, false // full layers both below from and among the sliding ones
	}
	for i, s := range tail {
		want := interval == 0 || (int64(i)+1)%interval != 0
		if s != want {
			return 0, 0, false
		}
	}
	return from, interval, true
}

// describeLayerTypes is the note a reader adds for a pattern it read.
func describeLayerTypes(c scale.Config) string {
	switch {
	case c.SlidingWindow == 0:
		return "layer_types: every layer full attention"
	case c.WindowFromLayer > 0:
		return fmt.Sprintf("layer_types: layers 0–%d full attention, from layer %d on sliding (window %d)",
			c.WindowFromLayer-1, c.WindowFromLayer, c.SlidingWindow)
	case c.GlobalAttentionInterval > 0:
		return fmt.Sprintf("layer_types: every %d layers, the last full attention and the others sliding (window %d)",
			c.GlobalAttentionInterval, c.SlidingWindow)
	default:
		return fmt.Sprintf("layer_types: every layer sliding (window %d)", c.SlidingWindow)
	}
}

// mixerLayerTypes reads the layer_types list of a linear-attention hybrid
// into c.Layers: "full_attention" layers keep softmax attention and
// "linear_attention" layers get mixer (Qwen3-Next's Gated DeltaNet,
// MiniMax's lightning attention). It reports whether the file has a list;
// without one the caller's default pattern applies. A list of the wrong
// length or with another kind is an error naming layer_types. Call it
// with a layer count in range: the work is the list's.
func (f *hfFields) mixerLayerTypes(c *scale.Config, mixer scale.LayerPart) bool {
	v, present := f.value("layer_types")
	if !present || v == nil {
		return false
	}
	items, ok := v.([]any)
	if !ok || int64(len(items)) != c.NumHiddenLayers {
		f.errorf(ErrInvalidValue, "layer_types", "%s must list num_hidden_layers (%d) layer types, got %s",
			f.name("layer_types"), c.NumHiddenLayers, describe(v))
		return true
	}
	layers := make([]scale.LayerShape, c.NumHiddenLayers)
	for i, it := range items {
		switch it {
		case layerFull:
		case "linear_attention":
			layers[i].Attention = mixer
		default:
			f.errorf(ErrUnmodelled, "layer_types", "%s[%d] is %s: tscale models \"linear_attention\" and \"full_attention\" layers",
				f.name("layer_types"), i, describe(it))
			return true
		}
	}
	c.Layers = layers
	f.alias("layers", f.name("layer_types"))
	return true
}

// mixerAt is n layers of a hybrid whose token mixer is mixer, with softmax
// attention at the given layer indices (Bamba's attn_layer_indices, LFM2's
// full_attention layers).
func mixerAt(n int, mixer scale.LayerPart, attention ...int) []scale.LayerShape {
	layers := make([]scale.LayerShape, n)
	for i := range layers {
		layers[i].Attention = mixer
	}
	for _, i := range attention {
		layers[i].Attention = scale.PartFull
	}
	return layers
}

// mixerEvery is n layers of a hybrid whose every interval-th layer (indices
// interval−1, 2·interval−1, …) keeps softmax attention and whose others use
// mixer (Qwen3-Next's full_attention_interval, MiniMax-Text-01's 1 in 8).
func mixerEvery(n, interval int64, mixer scale.LayerPart) []scale.LayerShape {
	layers := make([]scale.LayerShape, n)
	for i := range layers {
		if (int64(i)+1)%interval != 0 {
			layers[i].Attention = mixer
		}
	}
	return layers
}

// unusedAttention zeroes the attention fields of a hybrid none of whose
// layers has attention (every layer's token mixer is a Mamba or
// short-convolution block): transformers builds no attention module, so
// num_attention_heads, num_key_value_heads and head_dim change no count,
// and a note says they are not used. Without per-layer shapes it does
// nothing.
func (f *hfFields) unusedAttention(c *scale.Config) {
	if c.Layers == nil {
		return
	}
	for _, l := range c.Layers {
		if l.Attention == scale.PartFull {
			return
		}
	}
	if c.NumAttentionHeads != 0 || c.NumKeyValueHeads != 0 || c.HeadDim != 0 {
		f.notes = append(f.notes, "no layer has attention: num_attention_heads, num_key_value_heads and head_dim are not used")
	}
	c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim = 0, 0, 0
	c.AttentionQKVBias, c.AttentionOutBias, c.QKNorm = false, false, false
}
