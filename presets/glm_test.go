package presets

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tscale/tscale/scale"
)

// importHF reads a config.json written in the test, failing on an error.
func importHF(t *testing.T, json string) Preset {
	t.Helper()
	p, err := FromHFConfig("config.json", []byte(json))
	if err != nil {
		t.Fatalf("FromHFConfig: %v", err)
	}
	return p
}

// findOp is the op of the first layer group with experts (moe) or without
// that is named name.
func findOp(t *testing.T, r *scale.Report, moe bool, name string) scale.Op {
	t.Helper()
	for _, g := range r.Layers {
		if g.MoE != moe {
			continue
		}
		for _, op := range g.Ops {
			if op.Name == name {
				return op
			}
		}
	}
	t.Fatalf("no op %s in a layer with moe = %v", name, moe)
	return scale.Op{}
}

// tinyGlm4MoE is a glm4_moe config.json: vocab V = 100, hidden h = 16,
// L = 3 layers, H = 4 heads of d = 8 (so H·d = 32 ≠ h) over K = 2 KV heads,
// dense width f = 24, E = 5 experts of fₑ = 6, top-k = 2, S = 2 shared
// experts, the first layer dense, one MTP module; extra is spliced in.
func tinyGlm4MoE(extra string) string {
	return `{"model_type": "glm4_moe", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "intermediate_size": 24,
		"moe_intermediate_size": 6, "n_routed_experts": 5, "num_experts_per_tok": 2, "n_shared_experts": 2,
		"first_k_dense_replace": 1, "num_nextn_predict_layers": 1, "partial_rotary_factor": 0.5` + extra + `}`
}

// TestGlm4MoEByHand: a glm4_moe model counted from modeling_glm4_moe.py,
// module by module: q, k and v with bias where attention_bias says, o_proj
// never; q_norm and k_norm RMSNorm(head_dim) where use_qk_norm says; an
// explicit head_dim; layers from first_k_dense_replace on with DeepSeek's
// experts (router without bias, its e_score_correction_bias a buffer).
func TestGlm4MoEByHand(t *testing.T) {
	const V, h, L, H, d, K, f, fe, E, k, S, dense = 100, 16, 3, 4, 8, 2, 24, 6, 5, 2, 2, 1
	w := scale.Workload{BatchSize: 1, SeqLen: 8, DType: scale.BF16}
	for _, tt := range []struct {
		extra        string
		bias, qkNorm bool
	}{
		{``, false, false},
		{`, "attention_bias": true`, true, false},
		{`, "use_qk_norm": true`, false, true},
		{`, "attention_bias": true, "use_qk_norm": true`, true, true},
	} {
		t.Run(tt.extra, func(t *testing.T) {
			p := importHF(t, tinyGlm4MoE(tt.extra))
			r, err := scale.Analyze(p.Config, w)
			if err != nil {
				t.Fatal(err)
			}
			attn := int64(h*H*d + 2*h*K*d + H*d*h) // q, k, v, o
			if tt.bias {
				attn += H*d + 2*K*d // q, k and v only
			}
			if tt.qkNorm {
				attn += 2 * d
			}
			norms := int64(2 * h)
			denseLayer := attn + norms + 3*h*f
			moeLayer := attn + norms + E*h + E*3*h*fe + 3*h*(S*fe) // router, experts, shared MLP
			total := V*h + V*h + h + dense*denseLayer + (L-dense)*moeLayer
			if r.Params.Total != total {
				t.Errorf("params.total %d, want %d", r.Params.Total, total)
			}
			if want := total - (L-dense)*(E-k)*3*h*fe; r.Params.Active != want {
				t.Errorf("params.active %d, want %d", r.Params.Active, want)
			}
			if want := h + h + 2*h*h + moeLayer + h; r.Params.MTP != want { // layer 3 ≥ first_k_dense_replace: MoE
				t.Errorf("params.mtp %d, want %d", r.Params.MTP, want)
			}
			if op := findOp(t, r, true, "o_proj"); op.Params != H*d*h {
				t.Errorf("o_proj params %d, want %d: never a bias", op.Params, H*d*h)
			}
			// Scores over the explicit head_dim: Q·Kᵀ and weights·V, s(s+1)/2
			// pairs per head, 2 FLOPs per MAC.
			s := w.SeqLen
			want := big.NewInt(L * 2 * 2 * H * d * s * (s + 1) / 2)
			if got := r.FLOPs.Blocks.AttentionScores; got.Cmp(want) != 0 {
				t.Errorf("attention score FLOPs %v, want %v", got, want)
			}
		})
	}
}

// TestGlm4MoEDefaults: Glm4MoeConfig's defaults, noted: 8 KV heads (not
// num_attention_heads), head_dim hidden_size / num_attention_heads,
// first_k_dense_replace 1, one shared expert, 8 experts per token; and no
// intermediate_size needed when no layer is dense.
func TestGlm4MoEDefaults(t *testing.T) {
	p := importHF(t, `{"model_type": "glm4_moe", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2,
		"num_attention_heads": 16, "intermediate_size": 24, "moe_intermediate_size": 6, "n_routed_experts": 8}`)
	c := p.Config
	if c.NumKeyValueHeads != 8 || c.HeadDim != 4 || c.FirstKDenseReplace != 1 || c.NumSharedExperts != 1 ||
		c.SharedExpertIntermediateSize != 6 || c.NumExpertsPerTok != 8 || c.MaxPositionEmbeddings != 131072 ||
		!c.RouterScoreBias || c.MTPLayers != 0 {
		t.Errorf("config %+v", c)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"num_key_value_heads absent: 8 (glm4_moe default)", "head_dim absent: hidden_size / num_attention_heads = 4",
		"first_k_dense_replace absent: 1", "n_shared_experts absent: 1", "num_experts_per_tok absent: 8"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	p = importHF(t, `{"model_type": "glm4_moe", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2,
		"num_attention_heads": 16, "moe_intermediate_size": 6, "n_routed_experts": 8, "first_k_dense_replace": 0}`)
	if p.Config.IntermediateSize != 0 || p.Config.FirstKDenseReplace != 0 {
		t.Errorf("every layer MoE: config %+v", p.Config)
	}
}

// tinyGlm4MoELite is a glm4_moe_lite config.json: vocab 100, hidden 16,
// 4 layers, 2 heads, MLA with q_lora_rank 6, kv_lora_rank 4, nope 3,
// rope 2, v 5; dense width 24, 4 experts of 6, top-2, one shared expert,
// one MTP module; extra is spliced in.
func tinyGlm4MoELite(extra string) string {
	return `{"model_type": "glm4_moe_lite", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 2, "num_key_value_heads": 2, "q_lora_rank": 6, "kv_lora_rank": 4, "qk_nope_head_dim": 3,
		"qk_rope_head_dim": 2, "v_head_dim": 5, "intermediate_size": 24, "moe_intermediate_size": 6,
		"n_routed_experts": 4, "num_experts_per_tok": 2, "n_shared_experts": 1, "num_nextn_predict_layers": 1` + extra + `}`
}

// TestGlm4MoELiteByHand: a glm4_moe_lite model counted from
// modeling_glm4_moe_lite.py: DeepSeek-V3's MLA (q_a_proj, q_a_layernorm,
// q_b_proj, kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj, o_proj, no
// biases) and the dense layers mlp_layer_types names, the rest MoE.
func TestGlm4MoELiteByHand(t *testing.T) {
	const V, h, H, q, kv, nope, rope, v, f, fe, E, k = 100, 16, 2, 6, 4, 3, 2, 5, 24, 6, 4, 2
	w := scale.Workload{BatchSize: 1, SeqLen: 8, DType: scale.BF16}
	for _, tt := range []struct {
		extra string
		dense int64
	}{
		{``, 1}, // Glm4MoeLiteConfig's default: layer 0 dense
		{`, "mlp_layer_types": ["dense", "sparse", "sparse", "sparse"]`, 1},
		{`, "mlp_layer_types": ["dense", "dense", "sparse", "sparse"], "first_k_dense_replace": 1`, 2},
		{`, "mlp_layer_types": ["sparse", "sparse", "sparse", "sparse"]`, 0},
	} {
		t.Run(tt.extra, func(t *testing.T) {
			p := importHF(t, tinyGlm4MoELite(tt.extra))
			r, err := scale.Analyze(p.Config, w)
			if err != nil {
				t.Fatal(err)
			}
			const L = 4
			attn := int64(h*q + q + q*H*(nope+rope) + h*(kv+rope) + kv + kv*H*(nope+v) + H*v*h)
			norms := int64(2 * h)
			denseLayer := attn + norms + 3*h*f
			moeLayer := attn + norms + E*h + E*3*h*fe + 3*h*fe
			total := V*h + V*h + h + tt.dense*denseLayer + (L-tt.dense)*moeLayer
			if r.Params.Total != total {
				t.Errorf("params.total %d, want %d", r.Params.Total, total)
			}
			if want := total - (L-tt.dense)*(E-k)*3*h*fe; r.Params.Active != want {
				t.Errorf("params.active %d, want %d", r.Params.Active, want)
			}
			if want := 3*h + 2*h*h + moeLayer; r.Params.MTP != want {
				t.Errorf("params.mtp %d, want %d", r.Params.MTP, want)
			}
			s := w.SeqLen
			if got, want := findOp(t, r, true, "kv_b_proj").FLOPs, big.NewInt(2*s*kv*H*(nope+v)); got.Cmp(want) != 0 {
				t.Errorf("kv_b_proj FLOPs %v, want %v", got, want)
			}
			// Q·Kᵀ over nope + rope dimensions, weights·V over v.
			want := big.NewInt(L * 2 * H * (nope + rope + v) * s * (s + 1) / 2)
			if got := r.FLOPs.Blocks.AttentionScores; got.Cmp(want) != 0 {
				t.Errorf("attention score FLOPs %v, want %v", got, want)
			}
		})
	}
}

// TestGlm4MoELiteReading: q_lora_rank absent takes Glm4MoeLiteConfig's
// 768, null is one q_proj; first_k_dense_replace, unread by transformers,
// is noted where mlp_layer_types says otherwise.
func TestGlm4MoELiteReading(t *testing.T) {
	absent := importHF(t, strings.Replace(tinyGlm4MoELite(``), `"q_lora_rank": 6, `, ``, 1))
	if absent.Config.QLoraRank != 768 || !strings.Contains(strings.Join(absent.Notes, "\n"), "q_lora_rank absent: 768 (glm4_moe_lite default)") {
		t.Errorf("q_lora_rank absent: %d, notes %q", absent.Config.QLoraRank, absent.Notes)
	}
	null := importHF(t, strings.Replace(tinyGlm4MoELite(``), `"q_lora_rank": 6`, `"q_lora_rank": null`, 1))
	if null.Config.QLoraRank != 0 {
		t.Errorf("q_lora_rank null: %d, want 0 (one q_proj)", null.Config.QLoraRank)
	}
	p := importHF(t, tinyGlm4MoELite(`, "mlp_layer_types": ["dense", "dense", "sparse", "sparse"], "first_k_dense_replace": 1`))
	if want := "first_k_dense_replace 1 is not read"; !strings.Contains(strings.Join(p.Notes, "\n"), want) {
		t.Errorf("notes lack %q: %q", want, p.Notes)
	}
	def := importHF(t, tinyGlm4MoELite(``))
	same := importHF(t, tinyGlm4MoELite(`, "mlp_layer_types": ["dense", "sparse", "sparse", "sparse"]`))
	if diff := cmp.Diff(def.Config, same.Config); diff != "" {
		t.Errorf("mlp_layer_types' default differs from its absence:\n%s", diff)
	}
}

// TestKimiK2ReadAsDeepSeekV3: a kimi_k2 config.json is a deepseek_v3 one
// under another name: the same architecture, DeepseekV3Config's defaults.
func TestKimiK2ReadAsDeepSeekV3(t *testing.T) {
	body := `"vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3, "num_attention_heads": 2,
		"q_lora_rank": 6, "kv_lora_rank": 4, "qk_nope_head_dim": 3, "qk_rope_head_dim": 2, "v_head_dim": 5,
		"intermediate_size": 24, "moe_intermediate_size": 6, "n_routed_experts": 4, "num_experts_per_tok": 2,
		"n_shared_experts": 1, "first_k_dense_replace": 1}`
	kimi := importHF(t, `{"model_type": "kimi_k2", `+body)
	ds := importHF(t, `{"model_type": "deepseek_v3", `+body)
	if diff := cmp.Diff(ds.Config, kimi.Config); diff != "" {
		t.Errorf("kimi_k2 differs from deepseek_v3 (-deepseek_v3 +kimi_k2):\n%s", diff)
	}
	c := kimi.Config
	if kimi.Family != "kimi_k2" || c.MaxPositionEmbeddings != 4096 || !c.RouterScoreBias {
		t.Errorf("family %q, config %+v", kimi.Family, c)
	}
	if notes := strings.Join(kimi.Notes, "\n"); !strings.Contains(notes, "read as deepseek_v3") ||
		!strings.Contains(notes, "max_position_embeddings absent: 4096 (deepseek_v3 default)") {
		t.Errorf("notes %q", kimi.Notes)
	}
	// By hand: DeepSeek-V3's MLA and experts (router, routed, one shared).
	const V, h, L, H, q, kv, nope, rope, v, f, fe, E = 100, 16, 3, 2, 6, 4, 3, 2, 5, 24, 6, 4
	r, err := scale.Analyze(c, scale.Workload{BatchSize: 1, SeqLen: 8, DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}
	attn := int64(h*q + q + q*H*(nope+rope) + h*(kv+rope) + kv + kv*H*(nope+v) + H*v*h)
	total := int64(2*V*h+h) + (attn + 2*h + 3*h*f) + (L-1)*(attn+2*h+E*h+E*3*h*fe+3*h*fe)
	if r.Params.Total != total || r.Params.MTP != 0 {
		t.Errorf("params.total %d, mtp %d; want %d, 0", r.Params.Total, r.Params.MTP, total)
	}
}

// TestDeepSeekQLoraRankDefault: q_lora_rank absent is DeepseekV2Config's
// and DeepseekV3Config's 1536, noted; null is one q_proj.
func TestDeepSeekQLoraRankDefault(t *testing.T) {
	body := `, "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
		"kv_lora_rank": 4, "qk_nope_head_dim": 3, "qk_rope_head_dim": 2, "v_head_dim": 5, "intermediate_size": 24,
		"n_routed_experts": null`
	for _, mt := range []string{"deepseek_v2", "deepseek_v3"} {
		p := importHF(t, `{"model_type": "`+mt+`"`+body+`}`)
		if p.Config.QLoraRank != deepseekQLoraRank || !strings.Contains(strings.Join(p.Notes, "\n"), "q_lora_rank absent: 1536") {
			t.Errorf("%s q_lora_rank absent: %d, notes %q", mt, p.Config.QLoraRank, p.Notes)
		}
		if p := importHF(t, `{"model_type": "`+mt+`"`+body+`, "q_lora_rank": null}`); p.Config.QLoraRank != 0 {
			t.Errorf("%s q_lora_rank null: %d, want 0", mt, p.Config.QLoraRank)
		}
	}
}

// TestGLMKimiImportErrors: each value the glm4_moe, glm4_moe_lite and
// kimi_k2 readers refuse gives its own error, naming the field.
func TestGLMKimiImportErrors(t *testing.T) {
	for _, tt := range []struct {
		name, json string
		kind       error
		says       string
	}{
		{"glm4_moe no experts", strings.Replace(tinyGlm4MoE(``), `"n_routed_experts": 5, `, ``, 1), ErrMissingField,
			"n_routed_experts (glm4_moe)"},
		{"glm4_moe no routed experts", strings.Replace(tinyGlm4MoE(``), `"n_routed_experts": 5`, `"n_routed_experts": 0`, 1),
			ErrInvalidValue, "n_routed_experts must be a positive integer: glm4_moe layers past the dense ones are MoE, got 0"},
		{"glm4_moe no dense width", strings.Replace(tinyGlm4MoE(``), `"intermediate_size": 24,`, ``, 1), ErrMissingField,
			"intermediate_size (glm4_moe)"},
		{"glm4_moe kv heads", tinyGlm4MoE(`, "num_key_value_heads": 3`), ErrInvalidValue,
			"num_attention_heads must be divisible by num_key_value_heads (3)"},
		{"glm4_moe_lite attention_bias", tinyGlm4MoELite(`, "attention_bias": true`), ErrUnmodelled,
			"attention_bias true: MLA projections are modelled without bias"},
		{"glm4_moe_lite dense after MoE", tinyGlm4MoELite(`, "mlp_layer_types": ["dense", "sparse", "dense", "sparse"]`),
			ErrUnmodelled, "mlp_layer_types[2] is a dense layer after an MoE layer"},
		{"glm4_moe_lite layer kind", tinyGlm4MoELite(`, "mlp_layer_types": ["dense", "moe", "sparse", "sparse"]`),
			ErrUnmodelled, `mlp_layer_types[1] is the string "moe": tscale models "dense" and "sparse" layers`},
		{"glm4_moe_lite layer count", tinyGlm4MoELite(`, "mlp_layer_types": ["dense", "sparse"]`), ErrInvalidValue,
			"mlp_layer_types lists 2 layers, not num_hidden_layers (4)"},
		{"glm4_moe_lite not a list", tinyGlm4MoELite(`, "mlp_layer_types": "dense"`), ErrWrongType,
			"mlp_layer_types must be a list of strings"},
		{"glm4_moe_lite no kv_lora_rank", strings.Replace(tinyGlm4MoELite(``), `"kv_lora_rank": 4, `, ``, 1),
			ErrMissingField, "kv_lora_rank (glm4_moe_lite)"},
		{"kimi_k2 attention_bias", `{"model_type": "kimi_k2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 1,
			"num_attention_heads": 2, "kv_lora_rank": 4, "qk_nope_head_dim": 3, "qk_rope_head_dim": 2, "v_head_dim": 5,
			"intermediate_size": 24, "attention_bias": true}`, ErrUnmodelled, "attention_bias true"},
	} {
		t.Run(tt.name, func(t *testing.T) { expectHFError(t, tt.json, tt.kind, tt.says) })
	}
}

// commas writes n with thousands separators, as the notes cite counts.
func commas(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// fp8Blocks is the number of weight_scale_inv values of a DeepSeek-style
// FP8 checkpoint (128 × 128 blocks, one scale each) for the decoder layers
// of c, dense ones first and MoE ones (the MTP layers among them) after:
// every attention and MLP projection; the router, norms, embedding, LM
// head and eh_proj are stored in bf16.
func fp8Blocks(c scale.Config, denseLayers, moeLayers int64) int64 {
	blocks := func(out, in int64) int64 { return ((out + 127) / 128) * ((in + 127) / 128) }
	h, H := c.HiddenSize, c.NumAttentionHeads
	attn := blocks(c.QLoraRank, h) + blocks(H*(c.QKNopeHeadDim+c.QKRopeHeadDim), c.QLoraRank) +
		blocks(c.KVLoraRank+c.QKRopeHeadDim, h) + blocks(H*(c.QKNopeHeadDim+c.VHeadDim), c.KVLoraRank) + blocks(h, H*c.VHeadDim)
	mlp := func(width int64) int64 { return 2*blocks(width, h) + blocks(h, width) }
	return denseLayers*(attn+mlp(c.IntermediateSize)) +
		moeLayers*(attn+c.NumLocalExperts*mlp(c.MoEIntermediateSize)+mlp(c.SharedExpertIntermediateSize))
}

// TestCheckpointTotals: the published tensor totals of the checkpoints are
// params.total + params.mtp + the MTP layers' copies of the embedding and
// LM head + the e_score_correction_bias values (one per routed expert in
// each MoE layer, the MTP layers' included) + FP8 scales, and the presets'
// notes cite each of these terms as computed here.
func TestCheckpointTotals(t *testing.T) {
	for _, tt := range []struct {
		slug      string
		published int64 // the checkpoint's tensor elements
		fp8       bool
		source    string
	}{
		{"deepseek-v3", 684_531_386_000, true, "DeepSeek-V3/R1 safetensors tensor listing (the Hub's 685B)"},
		{"glm-4.5", 358_337_791_296, false, "HF safetensors total of zai-org/GLM-4.5 and GLM-4.7 (the Hub's 358B)"},
		{"glm-4.5-air", 110_468_824_832, false, "HF safetensors total of zai-org/GLM-4.5-Air"},
		{"glm-4.7-flash", 31_221_488_576, false, "GLM-4.7-Flash safetensors tensor listing and HF metadata"},
	} {
		t.Run(tt.slug, func(t *testing.T) {
			p, err := Lookup(tt.slug)
			if err != nil {
				t.Fatal(err)
			}
			c := p.Config
			r := analyze(t, p)
			moe := c.NumHiddenLayers - c.FirstKDenseReplace + c.MTPLayers
			copies := c.MTPLayers * 2 * r.Params.Embedding
			bias := moe * c.NumLocalExperts
			var scales int64
			if tt.fp8 {
				scales = fp8Blocks(c, c.FirstKDenseReplace, moe)
			}
			if got := r.Params.Total + r.Params.MTP + copies + bias + scales; got != tt.published {
				t.Errorf("%d + %d + %d + %d + %d = %d, %s %d", r.Params.Total, r.Params.MTP, copies, bias, scales, got,
					tt.source, tt.published)
			}
			notes := strings.Join(p.Notes, "\n")
			for _, n := range []int64{r.Params.MTP, copies, bias, tt.published} {
				if !strings.Contains(notes, commas(n)) {
					t.Errorf("notes do not cite %s", commas(n))
				}
			}
			if tt.fp8 && !strings.Contains(notes, commas(scales)) {
				t.Errorf("notes do not cite the FP8 scales %s", commas(scales))
			}
		})
	}
}

// TestKimiK2Notes: the figures Kimi K2's notes cite are computed here: the
// remote code's count with e_score_correction_bias as a parameter (384 in
// each of the 60 MoE layers) and the FP8 checkpoint's scales.
func TestKimiK2Notes(t *testing.T) {
	p, err := Lookup("kimi-k2")
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	r := analyze(t, p)
	moe := c.NumHiddenLayers - c.FirstKDenseReplace
	bias := moe * c.NumLocalExperts
	notes := strings.Join(p.Notes, "\n")
	for _, n := range []int64{r.Params.Total, bias, r.Params.Total + bias, fp8Blocks(c, c.FirstKDenseReplace, moe)} {
		if !strings.Contains(notes, commas(n)) {
			t.Errorf("notes do not cite %s", commas(n))
		}
	}
}
