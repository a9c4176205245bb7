package presets

import (
	"slices"

	"github.com/tscale/tscale/scale"
)

// smolLM3Defaults are SmolLM3's (model_type smollm3) and SmolLM3Config's:
// the Llama block (biases where attention_bias and mlp_bias say, default
// none), 4 KV heads, embeddings tied to the LM head, a context of 32768,
// no sliding window (use_sliding_window false), and RoPE on every layer
// but each fourth (no_rope_layer_interval 4), which has no positional
// encoding and no parameter for it.
func smolLM3Defaults() scale.Config {
	c := llamaDefaults()
	c.NumKeyValueHeads = 4
	c.MaxPositionEmbeddings = 32768
	c.TieWordEmbeddings = true
	return c
}

const smolLM3Code = "transformers modeling_smollm3.py: LlamaAttention's q/k/v/o with bias where attention_bias says, " +
	"RoPE skipped where no_rope_layers[i] is 0; LlamaMLP gate/up/down with bias where mlp_bias says; " +
	"input_layernorm, post_attention_layernorm and final RMSNorms; lm_head tied where tie_word_embeddings says " +
	"(default true); a layer slides only with use_sliding_window, a sliding_window and layer_types[i] sliding"

func smolLM3Family() []Preset {
	return []Preset{{
		Slug: "smollm3-3b", Name: "SmolLM3 3B", Family: "SmolLM",
		Config: shaped(smolLM3Defaults(), scale.Config{
			VocabSize: 128256, HiddenSize: 2048, NumHiddenLayers: 36, NumAttentionHeads: 16, NumKeyValueHeads: 4,
			IntermediateSize: 11008, MaxPositionEmbeddings: 65536, TieWordEmbeddings: true,
		}),
		Sources: []string{hfConfig("HuggingFaceTB/SmolLM3-3B") + ", no_rope_layers, use_sliding_window, layer_types " +
			"(the -Base config has the same architecture)", smolLM3Code},
		Notes: []string{
			"NoPE: every fourth layer (no_rope_layers 0) skips RoPE; RoPE has no parameter, so no count changes",
			"embeddings tied: the LM head is embed_tokens, counted once; the safetensors index stores no lm_head.weight",
			"use_sliding_window false: every layer attends to the whole prefix",
		},
	}}
}

func readSmolLM3(f *hfFields) scale.Config {
	c := f.llama(smolLM3Defaults()) // num_key_value_heads absent: 4, SmolLM3Config's default
	if _, ok := f.value("tie_word_embeddings"); !ok {
		f.notes = append(f.notes, "tie_word_embeddings absent: true (smollm3 default)")
	}
	_, listed := f.value("no_rope_layers")
	if _, interval := f.value("no_rope_layer_interval"); listed || interval {
		f.notes = append(f.notes, "no_rope_layers: layers without RoPE own no parameter for it; no count changes")
	}
	window, _ := f.optional("sliding_window") // default null
	if !f.boolOr("use_sliding_window", false) || window <= 0 {
		if v, ok := f.value("layer_types"); ok {
			if list, isList := v.([]any); isList && slices.Contains(list, any(layerSliding)) {
				f.errorf(ErrUnmodelled, "layer_types", "%s lists sliding layers, but use_sliding_window is false or "+
					"sliding_window null: SmolLM3Attention would not slide where its mask does", f.name("layer_types"))
			}
		}
		return c // every layer full attention
	}
	c.SlidingWindow = window
	if f.layerTypes(&c) {
		f.notes = append(f.notes, describeLayerTypes(c))
		return c
	}
	// SmolLM3Config: layer i slides where it has no RoPE: no_rope_layers[i]
	// is 0, by default where (i + 1) % no_rope_layer_interval == 0.
	interval := f.intOr("no_rope_layer_interval", 4, "SmolLM3Config default")
	rope, listed := f.intList("no_rope_layers")
	switch {
	case len(f.errs) > 0 || c.NumHiddenLayers <= 0 || c.NumHiddenLayers > scale.MaxLayers:
		return c // reported; no list to build
	case listed && int64(len(rope)) < c.NumHiddenLayers:
		f.errorf(ErrInvalidValue, "no_rope_layers", "%s lists %d layers, fewer than num_hidden_layers (%d)",
			f.name("no_rope_layers"), len(rope), c.NumHiddenLayers)
		return c
	case !listed && interval <= 0:
		f.errorf(ErrInvalidValue, "no_rope_layer_interval", "%s must be a positive integer, got %d (transformers "+
			"divides by it)", f.name("no_rope_layer_interval"), interval)
		return c
	}
	sliding := make([]bool, c.NumHiddenLayers)
	for i := range sliding {
		if listed {
			sliding[i] = rope[i] == 0
		} else {
			sliding[i] = (int64(i)+1)%interval == 0
		}
	}
	f.slidingList(&c, sliding, "use_sliding_window with the layers without RoPE sliding")
	return c
}
