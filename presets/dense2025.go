package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// The readers' helpers shared by the dense 2025 families (Cohere 2, EXAONE
// 4, OLMo 3, SmolLM3).

// intervalWindows reads which layers of c slide over sliding_window tokens
// (read before, into c) when the window pattern is a layer_types list or
// an integer every-Nth-layer-full pattern: a layer_types list where the
// file has one, else patternField (absent: def, the class's default, which
// class names), under the configuration classes' rule that layer i slides
// iff (i + 1) % pattern != 0. A pattern below 1 is an error (transformers
// divides by it), as is a sliding layer without a window (transformers
// builds its mask from sliding_window). It adds the note describing the
// pattern read.
func (f *hfFields) intervalWindows(c *scale.Config, patternField string, def int64, class string) {
	if f.layerTypes(c) {
		if _, ok := f.value(patternField); ok {
			f.notes = append(f.notes, fmt.Sprintf("%s ignored: layer_types decides", patternField))
		}
		f.notes = append(f.notes, describeLayerTypes(*c))
		return
	}
	errs := len(f.errs)
	pattern := f.intOr(patternField, def, class+" default")
	f.alias("global_attention_interval", f.name(patternField))
	switch {
	case len(f.errs) > errs: // not an integer
	case pattern <= 0:
		f.errorf(ErrInvalidValue, patternField, "%s must be a positive integer, got %d (transformers divides by it)",
			f.name(patternField), pattern)
	case pattern == 1: // (i + 1) % 1 == 0: every layer full attention
		c.SlidingWindow, c.GlobalAttentionInterval = 0, 0
	case c.SlidingWindow <= 0:
		f.errorf(ErrInvalidValue, "sliding_window", "%s is null, but %s %d makes layers sliding: transformers builds "+
			"their mask from sliding_window", f.name("sliding_window"), f.name(patternField), pattern)
	default:
		c.GlobalAttentionInterval = pattern
	}
	if len(f.errs) == errs {
		f.notes = append(f.notes, describeLayerTypes(*c))
	}
}

// slidingList applies a list of sliding (true) and full layers that the
// configuration class computes (rather than reads) to c's window pattern,
// as layerTypes does for a list the file holds; why names the rule that
// made the list, for the error when tscale does not model its pattern.
func (f *hfFields) slidingList(c *scale.Config, sliding []bool, why string) {
	from, interval, ok := slidingPattern(sliding)
	switch {
	case !ok:
		f.errorf(ErrUnmodelled, "layer_types", "%s: %s gives a pattern of sliding and full layers tscale does not model "+
			"(every layer alike, every Nth layer full among sliding ones, or full layers below an index)", f.name("layer_types"), why)
	case from < 0:
		c.SlidingWindow, c.WindowFromLayer, c.GlobalAttentionInterval = 0, 0, 0
	case c.SlidingWindow <= 0:
		f.errorf(ErrInvalidValue, "sliding_window", "%s is null, but %s makes layers sliding: transformers builds their "+
			"mask from sliding_window", f.name("sliding_window"), why)
	default:
		c.WindowFromLayer, c.GlobalAttentionInterval = from, interval
	}
}

// nullable reads integer field name whose configuration class tells an
// explicit null (ifNull()) from an absent key (def): SeedOssConfig's
// head_dim and num_key_value_heads. It notes the value it applies.
func (f *hfFields) nullable(name string, def int64, ifNull func() int64, why, nullWhy string) int64 {
	if v, present := f.m[name]; present && v == nil {
		n := ifNull()
		f.notes = append(f.notes, fmt.Sprintf("%s null: %d (%s)", name, n, nullWhy))
		return n
	}
	return f.intOr(name, def, why)
}

// logitScaleNote says that a logit scale changes no count.
const logitScaleNote = "logit_scale multiplies the logits after the LM head: an elementwise product with no parameter " +
	"and no matmul, so it changes no count"
