package presets

import (
	"math/big"
	"slices"

	"github.com/tscale/tscale/scale"
)

// gemma3Defaults are Gemma 3's text model's, Gemma3TextConfig's: Gemma 2's
// block (four RMSNorms per layer, a GeGLU MLP, embeddings tied to the LM
// head) with an RMSNorm over head_dim on every query and key head (q_norm,
// k_norm), a vocabulary of 262,208, 8 heads and 4 KV heads of 256, a
// context of 131,072, and a window of 4096 tokens on every layer but each
// sixth (sliding_window_pattern 6), which attends to the whole prefix.
func gemma3Defaults() scale.Config {
	c := gemma2Defaults()
	c.VocabSize = 262_208
	c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim = 8, 4, 256
	c.MaxPositionEmbeddings = 131_072
	c.QKNorm = true
	c.SlidingWindow, c.GlobalAttentionInterval = 4096, 6
	return c
}

// gemma3SigLIP is the vision tower of Gemma 3 4B, 12B and 27B, one SigLIP
// shared by the three (the Gemma 3 report, §2.1; their config.json
// vision_config).
func gemma3SigLIP() siglipVision {
	return siglipVision{HiddenSize: 1152, IntermediateSize: 4304, NumHiddenLayers: 27, NumAttentionHeads: 16,
		NumChannels: 3, ImageSize: 896, PatchSize: 14}
}

// gemma3VisionParams is the vision side of Gemma3ForConditionalGeneration
// on a text model of hidden size textHidden: the SigLIP tower v and
// Gemma3MultiModalProjector, whose mm_input_projection_weight is
// [vision hidden, text hidden] without bias and whose mm_soft_emb_norm is
// an RMSNorm over the vision hidden size (its average pooling has no
// parameters). Exact for any size; the caller checks that it fits an int64.
func gemma3VisionParams(v siglipVision, textHidden int64) *big.Int {
	h := big.NewInt(v.HiddenSize)
	projector := new(big.Int).Mul(h, big.NewInt(textHidden))
	projector.Add(projector, h)
	return projector.Add(projector, v.params())
}

// withGemma3Vision is c, a Gemma 3 text backbone, with the vision tower of
// the 4B, 12B and 27B checkpoints and its projector to c's hidden size.
func withGemma3Vision(c scale.Config) scale.Config {
	c.VisionParams = gemma3VisionParams(gemma3SigLIP(), c.HiddenSize).Int64()
	return c
}

func gemma3Family() []Preset {
	code := "transformers modeling_gemma3.py: Gemma 2's block (input_layernorm, post_attention_layernorm, " +
		"pre_feedforward_layernorm, post_feedforward_layernorm RMSNorms; GeGLU MLP without bias; embeddings tied to " +
		"lm_head) with q_norm and k_norm, Gemma3RMSNorm(head_dim) on every query and key head; layer i attends to a " +
		"sliding window unless (i + 1) % sliding_window_pattern == 0 (Gemma3TextConfig's layer_types rule)"
	vision := "transformers modeling_siglip.py (SiglipVisionTransformer of vision_config; vision_use_head false: no " +
		"pooling head) and modeling_gemma3.py (Gemma3MultiModalProjector: mm_input_projection_weight " +
		"[vision hidden, text hidden], mm_soft_emb_norm RMSNorm(vision hidden)); Gemma 3 report (arXiv 2503.19786) " +
		"Table 1: a 417M vision encoder shared by 4B, 12B and 27B"
	notes := []string{
		"num_attention_heads × head_dim differs from hidden_size: head_dim is the config's",
		"query_pre_attn_scalar scales the attention scores, rope_theta, rope_local_base_freq and rope_scaling set the " +
			"rotary frequencies, and the logit soft-caps (null) would be elementwise: none changes a count",
		"the embedding is multiplied by √hidden_size, an elementwise product (embed_scale is a buffer, not a parameter)",
	}
	composite := []string{
		"params.total is the text backbone (Gemma3ForCausalLM on text_config); params.vision is the " +
			describeSigLIP(gemma3SigLIP()) + ", and the projector; the checkpoint's num_parameters() is their sum",
		"text_config leaves vocab_size to Gemma3TextConfig's default, 262208, where the 1B sets 262144: the embedding " +
			"has 64 rows more than the 1B's (KerasHub and GGUF conversions count 262144 and come out 64 × hidden_size lower)",
		"text_config leaves num_attention_heads, num_key_value_heads, head_dim, max_position_embeddings and " +
			"sliding_window_pattern to Gemma3TextConfig where it does not set them",
	}
	fields := "text_config: hidden_size, intermediate_size, num_hidden_layers, sliding_window"
	return []Preset{
		{
			Slug: "gemma-3-1b", Name: "Gemma 3 1B", Family: "Gemma",
			Config: shaped(gemma3Defaults(), scale.Config{
				VocabSize: 262144, HiddenSize: 1152, NumHiddenLayers: 26, NumAttentionHeads: 4, NumKeyValueHeads: 1,
				HeadDim: 256, IntermediateSize: 6912, MaxPositionEmbeddings: 32768, SlidingWindow: 512,
			}),
			Sources: []string{hfConfig("google/gemma-3-1b-it") + ", head_dim, sliding_window, sliding_window_pattern " +
				"(the -pt model's architecture is the same)", code},
			Notes: slices.Concat([]string{"text only (Gemma3ForCausalLM): no vision tower",
				"multi-query attention (1 KV head); every sixth layer attends to the whole prefix, the others to a window of 512 tokens"},
				notes),
		},
		{
			Slug: "gemma-3-4b", Name: "Gemma 3 4B", Family: "Gemma",
			Config: withGemma3Vision(shaped(gemma3Defaults(), scale.Config{
				VocabSize: 262208, HiddenSize: 2560, NumHiddenLayers: 34, NumAttentionHeads: 8, NumKeyValueHeads: 4,
				HeadDim: 256, IntermediateSize: 10240, MaxPositionEmbeddings: 131072, SlidingWindow: 1024,
			})),
			Sources: []string{"Hugging Face google/gemma-3-4b-it config.json " + fields +
				" (8 heads, 4 KV heads and head_dim 256 are Gemma3TextConfig's defaults), vision_config", code, vision},
			Notes: slices.Concat(composite, notes),
		},
		{
			Slug: "gemma-3-12b", Name: "Gemma 3 12B", Family: "Gemma",
			Config: withGemma3Vision(shaped(gemma3Defaults(), scale.Config{
				VocabSize: 262208, HiddenSize: 3840, NumHiddenLayers: 48, NumAttentionHeads: 16, NumKeyValueHeads: 8,
				HeadDim: 256, IntermediateSize: 15360, MaxPositionEmbeddings: 131072, SlidingWindow: 1024,
			})),
			Sources: []string{"Hugging Face google/gemma-3-12b-it config.json " + fields +
				", num_attention_heads, num_key_value_heads (head_dim 256 is Gemma3TextConfig's default), vision_config",
				code, vision},
			Notes: slices.Concat(composite, notes),
		},
		{
			Slug: "gemma-3-27b", Name: "Gemma 3 27B", Family: "Gemma",
			Config: withGemma3Vision(shaped(gemma3Defaults(), scale.Config{
				VocabSize: 262208, HiddenSize: 5376, NumHiddenLayers: 62, NumAttentionHeads: 32, NumKeyValueHeads: 16,
				HeadDim: 128, IntermediateSize: 21504, MaxPositionEmbeddings: 131072, SlidingWindow: 1024,
			})),
			Sources: []string{"Hugging Face google/gemma-3-27b-it config.json " + fields +
				", num_attention_heads, num_key_value_heads, head_dim, query_pre_attn_scalar, vision_config", code, vision},
			Notes: slices.Concat(composite, []string{"query_pre_attn_scalar 168 (= hidden_size / num_attention_heads) " +
				"scales the scores instead of head_dim 128"}, notes),
		},
	}
}

// readGemma3Text reads a gemma3_text config.json, or a gemma3 config's
// text_config, onto Gemma3TextConfig's defaults. Unlike the other families
// it applies the class's vocab_size and heads where the file leaves them
// out: the official multimodal configs do, and transformers builds them so.
func readGemma3Text(f *hfFields) scale.Config {
	d := gemma3Defaults()
	why := "Gemma3TextConfig default"
	c := d
	c.VocabSize = f.intOr("vocab_size", d.VocabSize, why)
	c.HiddenSize = f.required("hidden_size")
	c.NumHiddenLayers = f.layers("num_hidden_layers")
	c.NumAttentionHeads = f.intOr("num_attention_heads", d.NumAttentionHeads, why)
	c.NumKeyValueHeads = f.intOr("num_key_value_heads", d.NumKeyValueHeads, why)
	c.HeadDim = f.intOr("head_dim", d.HeadDim, why)
	c.IntermediateSize = f.required("intermediate_size")
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, why)
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	c.HiddenAct = f.stringOr("hidden_activation", d.HiddenAct)
	c.AttentionQKVBias, c.AttentionOutBias = f.attentionBias()
	f.unmodelled(f.boolOr("use_bidirectional_attention", false), "use_bidirectional_attention",
		"bidirectional attention (EmbeddingGemma) is not modelled; tscale counts causal attention")
	f.gemma3Windows(&c, d)
	return c
}

// gemma3Windows reads which layers slide over sliding_window tokens: a
// layer_types list where the file has one, else every layer but each
// sliding_window_pattern-th (transformers' rule: layer i slides iff
// (i + 1) % sliding_window_pattern != 0).
func (f *hfFields) gemma3Windows(c *scale.Config, d scale.Config) {
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	if f.layerTypes(c) {
		f.optional("sliding_window_pattern") // layer_types decides, but it is still a number or null
	} else {
		errs := len(f.errs)
		pattern := f.intOr("sliding_window_pattern", d.GlobalAttentionInterval,
			"Gemma3TextConfig default: every sixth layer full attention")
		f.alias("global_attention_interval", f.name("sliding_window_pattern"))
		switch {
		case len(f.errs) > errs: // not an integer
		case pattern <= 0: // transformers divides by it
			f.errorf(ErrInvalidValue, "sliding_window_pattern", "%s must be a positive integer, got %d",
				f.name("sliding_window_pattern"), pattern)
		case pattern == 1 || c.SlidingWindow <= 0: // every layer full attention
			c.SlidingWindow, c.GlobalAttentionInterval = 0, 0
		default:
			c.GlobalAttentionInterval = pattern
		}
	}
	f.notes = append(f.notes, describeLayerTypes(*c))
}

// readGemma3 reads the multimodal gemma3 config.json: its text model is
// text_config, the model tscale analyses, and vision_config (absent: every
// default) is the SigLIP tower whose parameters and projector's are
// params.vision.
func readGemma3(f *hfFields) scale.Config {
	top := f.m
	text, ok := f.object("text_config", "the Gemma 3 text model")
	if !ok {
		return scale.Config{}
	}
	f.m, f.prefix = text, "text_config."
	c := readGemma3Text(f)
	f.m, f.prefix = top, ""
	if _, set := f.value("tie_word_embeddings"); set {
		// transformers 4.x ties lm_head as text_config says; 5.x's Gemma3Config
		// has a tie_word_embeddings of its own.
		tie := f.boolOr("tie_word_embeddings", c.TieWordEmbeddings)
		f.unmodelled(tie != c.TieWordEmbeddings, "tie_word_embeddings",
			"it differs from text_config's, and transformers versions differ on which one ties lm_head")
	}
	v, visionOK := siglipVisionDefaults(), true
	if _, set := f.value("vision_config"); !set {
		f.notes = append(f.notes, "vision_config absent: SiglipVisionConfig's defaults")
	} else if m, isObject := f.object("vision_config", "the SigLIP vision tower"); !isObject {
		visionOK = false
	} else {
		f.m, f.prefix = m, "vision_config."
		notes := len(f.notes)
		v, visionOK = f.siglipVision()
		for i := notes; i < len(f.notes); i++ {
			f.notes[i] = "vision_config." + f.notes[i]
		}
	}
	f.m, f.prefix = top, ""
	if visionOK && c.HiddenSize > 0 { // else Validate names hidden_size
		if n := gemma3VisionParams(v, c.HiddenSize); n.IsInt64() {
			c.VisionParams = n.Int64()
			f.notes = append(f.notes, "params.vision: the "+describeSigLIP(v)+", and Gemma3MultiModalProjector")
		} else {
			f.errorf(ErrTooLarge, "vision_config", "the parameters of vision_config's tower and projector (%v) overflow int64", n)
		}
	}
	f.m, f.prefix = text, "text_config." // Validate's errors are text_config's
	return c
}
