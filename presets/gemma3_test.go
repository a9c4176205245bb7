package presets

import (
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tscale/tscale/scale"
)

// importReport imports a config.json string and analyses it at batch 1 and
// sequence length seq.
func importReport(t *testing.T, config string, seq int64) (Preset, *scale.Report) {
	t.Helper()
	p, err := FromHFConfig("config.json", []byte(config))
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: seq, DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}
	return p, r
}

// gemma3TextParams is Gemma3ForCausalLM.num_parameters() written out from
// transformers modeling_gemma3.py: embed_tokens [V, H]; per layer q_proj
// [nH·d, H], k_proj and v_proj [nKV·d, H], o_proj [H, nH·d], q_norm and
// k_norm [d], four RMSNorms [H], gate_proj and up_proj [I, H], down_proj
// [H, I]; the final norm [H]; lm_head tied to embed_tokens.
func gemma3TextParams(V, H, I, L, nH, nKV, d int64) int64 {
	layer := H*nH*d + 2*H*nKV*d + nH*d*H + 2*d + 4*H + 3*H*I
	return V*H + L*layer + H
}

// TestGemma3TextByHand: a small gemma3_text config counts as the modelling
// code declares, its q_norm and k_norm are RMSNorms over head_dim, its
// sliding layers are the ones Gemma3TextConfig's rule picks, and a sliding
// layer's scores cover exactly the pairs transformers' mask keeps.
func TestGemma3TextByHand(t *testing.T) {
	const V, H, I, L, nH, nKV, d, w, pattern, s = 11, 8, 12, 7, 2, 1, 6, 3, 3, 10
	_, r := importReport(t, `{"model_type": "gemma3_text", "vocab_size": 11, "hidden_size": 8, "intermediate_size": 12,
		"num_hidden_layers": 7, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 6, "sliding_window": 3,
		"sliding_window_pattern": 3, "max_position_embeddings": 64}`, s)
	if got, want := r.Params.Total, gemma3TextParams(V, H, I, L, nH, nKV, d); got != want {
		t.Errorf("params.total = %d, by hand %d", got, want)
	}
	// layer_types = ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(L)]
	wantSliding := map[int64]bool{}
	for i := int64(0); i < L; i++ {
		wantSliding[i] = (i+1)%pattern != 0
	}
	// masking_utils: query q sees key k iff k <= q (causal) and k > q - w (sliding).
	pairs := func(window int64) int64 {
		var n int64
		for q := int64(0); q < s; q++ {
			for k := int64(0); k <= q; k++ {
				if window == 0 || k > q-window {
					n++
				}
			}
		}
		return n
	}
	seen := 0
	for _, g := range r.Layers {
		for _, rg := range g.Ranges {
			for i := rg.First; i <= rg.Last; i += max(rg.Step, 1) {
				seen++
				if sliding := g.SlidingWindow == w; sliding != wantSliding[i] {
					t.Errorf("layer %d: sliding %v, Gemma3TextConfig says %v", i, sliding, wantSliding[i])
				}
			}
		}
		window := g.SlidingWindow
		for _, o := range g.Ops {
			switch o.Name {
			case "q_norm", "k_norm":
				if o.Params != d || o.FLOPs.Sign() != 0 {
					t.Errorf("%s: %d params, %v FLOPs; want head_dim %d params and no matmul", o.Name, o.Params, o.FLOPs, d)
				}
			case "scores":
				// Q·Kᵀ: 2 FLOPs per multiply-accumulate, head_dim of them per pair and head.
				if want := big.NewInt(2 * d * nH * pairs(window)); o.FLOPs.Cmp(want) != 0 {
					t.Errorf("window %d: scores %v FLOPs, by hand %v", window, o.FLOPs, want)
				}
			}
		}
	}
	if seen != L {
		t.Errorf("the layer groups cover %d layers, want %d", seen, L)
	}
}

// TestSigLIPByHand: the SigLIP tower and the Gemma 3 projector count as
// transformers modeling_siglip.py and modeling_gemma3.py declare, written
// out here module by module, and give the research's figures for Gemma 3.
func TestSigLIPByHand(t *testing.T) {
	// hand is the tower of hidden h, MLP f, L layers, c channels, patch p
	// over images of img pixels, with or without the pooling head.
	hand := func(h, f, L, c, p, img int64, head bool) int64 {
		patch := c*p*p*h + h                              // Conv2d weight and bias
		positions := (img / p) * (img / p) * h            // nn.Embedding(num_patches, h)
		attn := 4 * (h*h + h)                             // q, k, v, out_proj with bias
		norms := 2 * (2 * h)                              // layer_norm1, layer_norm2
		mlp := (h*f + f) + (f*h + h)                      // fc1, fc2 with bias
		n := patch + positions + L*(attn+norms+mlp) + 2*h // post_layernorm
		if head {
			n += h + (3*h*h + 3*h) + (h*h + h) + 2*h + mlp // probe, in_proj, out_proj, layernorm, mlp
		}
		return n
	}
	for _, tt := range []struct {
		name string
		v    siglipVision
		want int64
		// research is an independent count (a Python transcription of
		// modeling_siglip.py), where one was made; Gemma 3's rounds to the
		// report's 417M (arXiv 2503.19786, Table 1).
		research int64
	}{
		{"gemma 3", gemma3SigLIP(), hand(1152, 4304, 27, 3, 14, 896, false), 416_866_032},
		{"gemma 3 with a head", func() siglipVision { v := gemma3SigLIP(); v.Head = true; return v }(),
			hand(1152, 4304, 27, 3, 14, 896, true), 416_866_032 + 15_238_352},
		{"SiglipVisionConfig defaults", siglipVisionDefaults(), hand(768, 3072, 12, 3, 16, 224, true), 92_884_224},
		{"small", siglipVision{HiddenSize: 6, IntermediateSize: 10, NumHiddenLayers: 3, NumAttentionHeads: 2, NumChannels: 1,
			ImageSize: 21, PatchSize: 4, Head: true}, hand(6, 10, 3, 1, 4, 21, true), 0},
	} {
		got := tt.v.params()
		if !got.IsInt64() || got.Int64() != tt.want {
			t.Errorf("%s: %v parameters, by hand %d", tt.name, got, tt.want)
		}
		if tt.research != 0 && tt.want != tt.research {
			t.Errorf("%s: by hand %d, the independent count %d", tt.name, tt.want, tt.research)
		}
	}
	// The projector: mm_input_projection_weight [1152, hidden] and mm_soft_emb_norm [1152].
	for hidden, want := range map[int64]int64{2560: 419_816_304, 3840: 421_290_864, 5376: 423_060_336} {
		got := gemma3VisionParams(gemma3SigLIP(), hidden)
		if byHand := hand(1152, 4304, 27, 3, 14, 896, false) + 1152*hidden + 1152; got.Int64() != byHand || byHand != want {
			t.Errorf("text hidden %d: vision and projector %v, by hand %d, the independent count %d", hidden, got, byHand, want)
		}
	}
}

// TestGemma3CompositeByHand: a small gemma3 config's text backbone is
// params.total, at Gemma3TextConfig's vocab_size where text_config leaves
// it out, and its vision tower (with the head vision_use_head asks for) and
// projector are params.vision.
func TestGemma3CompositeByHand(t *testing.T) {
	p, r := importReport(t, `{"model_type": "gemma3", "text_config": {"model_type": "gemma3_text", "hidden_size": 8,
		"intermediate_size": 12, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4},
		"vision_config": {"hidden_size": 6, "intermediate_size": 10, "num_hidden_layers": 3, "num_attention_heads": 2,
		"image_size": 20, "patch_size": 4, "vision_use_head": true}}`, 16)
	if got, want := r.Params.Total, gemma3TextParams(262208, 8, 12, 2, 2, 1, 4); got != want {
		t.Errorf("params.total = %d, by hand %d", got, want)
	}
	const h, f, L, c, patch, img, text int64 = 6, 10, 3, 3, 4, 20, 8
	mlp := (h*f + f) + (f*h + h)
	vision := c*patch*patch*h + h + (img/patch)*(img/patch)*h + L*(4*(h*h+h)+4*h+mlp) + 2*h + // tower
		h + (3*h*h + 3*h) + (h*h + h) + 2*h + mlp + // pooling head
		h*text + h // projector
	if r.Params.Vision != vision {
		t.Errorf("params.vision = %d, by hand %d", r.Params.Vision, vision)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"vocab_size absent: 262208", "vision_config.num_channels absent: 3", "with the attention-pooling head"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}

	// Without vision_config, SiglipVisionConfig's defaults, head included.
	_, r = importReport(t, `{"model_type": "gemma3", "text_config": {"hidden_size": 8, "intermediate_size": 12,
		"num_hidden_layers": 2}}`, 16)
	if want := siglipVisionDefaults().params().Int64() + 768*8 + 768; r.Params.Vision != want {
		t.Errorf("without vision_config: params.vision = %d, want the default tower and projector %d", r.Params.Vision, want)
	}
}

// TestGemma3KerasHubCounts: KerasHub counts Gemma 3 with the tokenizer's
// 262,144 rows where Hugging Face's text_config has 262,208; at that
// vocabulary the presets give KerasHub's published counts
// (keras-hub gemma3_presets.py), text alone and with vision.
func TestGemma3KerasHubCounts(t *testing.T) {
	for _, tt := range []struct {
		slug                string
		text, visionAndText int64
	}{
		{"gemma-3-4b", 3_880_099_328, 4_299_915_632},
		{"gemma-3-12b", 11_765_788_416, 12_187_079_280},
		{"gemma-3-27b", 27_009_002_240, 27_432_062_576},
	} {
		p, err := Lookup(tt.slug)
		if err != nil {
			t.Fatal(err)
		}
		p.Config.VocabSize = 262144
		r := analyze(t, p)
		if r.Params.Total != tt.text || r.Params.Total+r.Params.Vision != tt.visionAndText {
			t.Errorf("%s at vocab 262144: text %d, with vision %d; KerasHub %d, %d", tt.slug,
				r.Params.Total, r.Params.Total+r.Params.Vision, tt.text, tt.visionAndText)
		}
	}
}

// TestGemma3Windows: a layer_types list gives what sliding_window_pattern
// gives for the same layers; a pattern of 1 (or no window) makes every
// layer full attention.
func TestGemma3Windows(t *testing.T) {
	const base = `{"model_type": "gemma3_text", "vocab_size": 11, "hidden_size": 8, "intermediate_size": 12,
		"num_hidden_layers": 4, "sliding_window": 3`
	pattern, _ := importReport(t, base+`, "sliding_window_pattern": 2}`, 8)
	list, _ := importReport(t, base+`, "sliding_window_pattern": 6, "layer_types": ["sliding_attention", "full_attention",
		"sliding_attention", "full_attention"]}`, 8)
	if !cmp.Equal(pattern.Config, list.Config) {
		t.Errorf("layer_types read as %+v, sliding_window_pattern 2 as %+v", list.Config, pattern.Config)
	}
	for _, tail := range []string{`, "sliding_window_pattern": 1}`, `, "sliding_window": null}`} {
		p, _ := importReport(t, strings.Replace(base, `, "sliding_window": 3`, "", 1)+`, "sliding_window": 3`+tail, 8)
		if p.Config.SlidingWindow != 0 || p.Config.GlobalAttentionInterval != 0 {
			t.Errorf("%s: window %d, interval %d; want every layer full attention", tail, p.Config.SlidingWindow,
				p.Config.GlobalAttentionInterval)
		}
	}
}

// TestGemma3ImportErrors: each value the Gemma 3 readers refuse gives its
// own error, naming the field as the file does.
func TestGemma3ImportErrors(t *testing.T) {
	text := `"hidden_size": 8, "intermediate_size": 12, "num_hidden_layers": 2`
	vision := `"hidden_size": 6, "intermediate_size": 10, "num_hidden_layers": 1, "num_attention_heads": 2, "image_size": 8, "patch_size": 4`
	composite := func(top, textExtra, visionExtra string) string {
		return `{"model_type": "gemma3"` + top + `, "text_config": {` + text + textExtra + `}, "vision_config": {` +
			vision + visionExtra + `}}`
	}
	replace := func(s string, oldNew ...string) string { return strings.NewReplacer(oldNew...).Replace(s) }
	for _, tt := range []struct {
		name, json string
		kind       error
		says       string
	}{
		{"no text_config", `{"model_type": "gemma3"}`, ErrMissingField, "text_config (the Gemma 3 text model)"},
		{"text_config a list", `{"model_type": "gemma3", "text_config": []}`, ErrWrongType, "text_config must be an object"},
		{"no hidden_size", `{"model_type": "gemma3", "text_config": {"intermediate_size": 12, "num_hidden_layers": 2}}`,
			ErrMissingField, "text_config.hidden_size (gemma3)"},
		{"vision_config a list", `{"model_type": "gemma3", "text_config": {` + text + `}, "vision_config": [1]}`,
			ErrWrongType, "vision_config must be an object (the SigLIP vision tower), got a list"},
		{"bidirectional", `{"model_type": "gemma3_text", ` + text + `, "use_bidirectional_attention": true}`,
			ErrUnmodelled, "use_bidirectional_attention true: bidirectional attention (EmbeddingGemma) is not modelled"},
		{"pattern 0", composite("", `, "sliding_window_pattern": 0`, ""), ErrInvalidValue,
			"text_config.sliding_window_pattern must be a positive integer, got 0"},
		{"pattern a string", `{"model_type": "gemma3_text", ` + text + `, "sliding_window_pattern": "6"}`, ErrWrongType,
			`sliding_window_pattern must be an integer, got the string "6"`},
		{"layer_types off the pattern", `{"model_type": "gemma3_text", "hidden_size": 8, "intermediate_size": 12,
			"num_hidden_layers": 3, "layer_types": ["sliding_attention", "full_attention", "full_attention"]}`,
			ErrUnmodelled, "layer_types: this pattern"},
		{"text heads 4 and 3", composite("", `, "num_attention_heads": 4, "num_key_value_heads": 3`, ""), ErrInvalidValue,
			"text_config.num_attention_heads must be divisible by text_config.num_key_value_heads (3), got 4"},
		{"vision patch_size 0", replace(composite("", "", ""), `"patch_size": 4`, `"patch_size": 0`), ErrInvalidValue,
			"vision_config.patch_size must be a positive integer, got 0"},
		{"vision heads", replace(composite("", "", ""), `"num_attention_heads": 2`, `"num_attention_heads": 4`),
			ErrInvalidValue, "vision_config.hidden_size 6 is not a multiple of vision_config.num_attention_heads 4"},
		{"vision model_type", composite("", "", `, "model_type": "clip_vision_model"`), ErrUnmodelled,
			`vision_config.model_type "clip_vision_model": Gemma 3's vision tower is modelled as SigLIP's`},
		{"vision_use_head a string", composite("", "", `, "vision_use_head": "no"`), ErrWrongType,
			"vision_config.vision_use_head must be true or false"},
		{"vision overflow", replace(composite("", "", ""), `"hidden_size": 6`, `"hidden_size": 4611686018427387904`,
			`"num_attention_heads": 2`, `"num_attention_heads": 1`), ErrTooLarge,
			"the parameters of vision_config's tower and projector"},
		{"tie differs", composite(`, "tie_word_embeddings": false`, "", ""), ErrUnmodelled,
			"tie_word_embeddings false: it differs from text_config's"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			expectHFError(t, tt.json, tt.kind, tt.says)
			_, err := FromHFConfig("config.json", []byte(tt.json))
			if n := strings.Count(err.Error(), "\n"); n > 0 {
				t.Errorf("error %q has %d more errors than the one it is about", err, n)
			}
		})
	}
}
