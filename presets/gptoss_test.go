package presets

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// gptOssSmall is a small gpt_oss config.json to close with "}" after any
// extra fields: head_dim 24 is not hidden/heads, the window (3) is shorter
// than the workload, and the widths are multiples of MXFP4's 32-weight block.
const gptOssSmall = `{"model_type": "gpt_oss", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 4,
	"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 24, "intermediate_size": 32,
	"num_local_experts": 6, "num_experts_per_tok": 2, "experts_per_token": 2, "sliding_window": 3,
	"layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention"],
	"attention_bias": true, "tie_word_embeddings": false,
	"quantization_config": {"quant_method": "mxfp4", "modules_to_not_convert": ["model.layers.*.self_attn",
		"model.layers.*.mlp.router", "model.embed_tokens", "lm_head"]}`

// TestGptOssByHand: a small gpt_oss config, counted op by op from
// transformers modeling_gpt_oss.py: parameters total and active, the
// forward FLOPs with the sliding layers' pairs taken from transformers'
// mask (kv_idx ≤ q_idx and kv_idx > q_idx − sliding_window), and the MXFP4
// checkpoint's bytes from its tensors' shapes.
func TestGptOssByHand(t *testing.T) {
	p, err := FromHFConfig("config.json", []byte(gptOssSmall+"}"))
	if err != nil {
		t.Fatal(err)
	}
	const V, h, L, H, K, d, f, E, k, w int64 = 100, 64, 4, 4, 2, 24, 32, 6, 2, 3
	const b, s int64 = 2, 8
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: b, SeqLen: s, DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}

	// GptOssAttention: q/k/v/o_proj with bias, sinks [H]; GptOssTopKRouter:
	// weight [E, h], bias [E]; GptOssExperts: gate_up_proj [E, h, 2f],
	// gate_up_proj_bias [E, 2f], down_proj [E, f, h], down_proj_bias [E, h];
	// two RMSNorms per layer, the final norm, an untied lm_head.
	attention := (h*H*d + H*d) + 2*(h*K*d+K*d) + (H*d*h + h) + H
	router := E*h + E
	expert := (h*2*f + 2*f) + (f*h + h)
	norms := 2 * h
	total := V*h + L*(attention+router+E*expert+norms) + h + V*h
	active := V*h + L*(attention+router+k*expert+norms) + h + V*h
	if r.Params.Total != total || r.Params.Active != active || r.Params.Embedding != V*h {
		t.Errorf("params %d total, %d active, %d embedding; by hand %d, %d, %d",
			r.Params.Total, r.Params.Active, r.Params.Embedding, total, active, V*h)
	}

	// FLOPs: 2 per multiply-accumulate; each token goes through k experts.
	pairs := func(window int64) int64 {
		var n int64
		for q := range s {
			for kv := range s {
				if kv <= q && (window == 0 || kv > q-window) {
					n++
				}
			}
		}
		return n
	}
	const T = b * s
	projections := 2 * T * (h*H*d + 2*h*K*d + H*d*h)
	mlp := 2*T*h*E + 2*T*k*(2*h*f+f*h)
	scores := func(window int64) int64 { return 2 * b * H * pairs(window) * (d + d) } // Q·Kᵀ and weights·V
	forward := L/2*(projections+scores(w)+mlp) + L/2*(projections+scores(0)+mlp) + 2*T*h*V
	if r.FLOPs.Forward.Cmp(big.NewInt(forward)) != 0 {
		t.Errorf("forward FLOPs %v, by hand %d", r.FLOPs.Forward, forward)
	}
	windows := map[int64]int64{}
	for _, lg := range r.Layers {
		windows[lg.SlidingWindow] += lg.Count
		if got, want := lg.FLOPs.AttentionScores, scores(lg.SlidingWindow); got.Cmp(big.NewInt(want)) != 0 {
			t.Errorf("window %d: attention scores FLOPs %v, by hand %d", lg.SlidingWindow, got, want)
		}
		if got := lg.FLOPs.MLP; got.Cmp(big.NewInt(mlp)) != 0 {
			t.Errorf("window %d: MLP FLOPs %v, by hand %d (router and k experts)", lg.SlidingWindow, got, mlp)
		}
	}
	if windows[w] != L/2 || windows[0] != L/2 {
		t.Errorf("layers by window %v, want layers 0 and 2 sliding (%d), 1 and 3 full", windows, w)
	}

	// The checkpoint: gate_up_proj_blocks u8 [E, 2f, h/32, 16] and _scales
	// u8 [E, 2f, h/32], down_proj_blocks u8 [E, h, f/32, 16] and _scales u8
	// [E, h, f/32]; every other tensor (the experts' biases among them) bf16.
	packed := L * (E*2*f*(h/32)*(16+1) + E*h*(f/32)*(16+1))
	bf16 := 2 * (total - L*E*(h*2*f+f*h))
	if got := r.Memory.CheckpointWeightsBytes; got != packed+bf16 {
		t.Errorf("checkpoint bytes %d, by hand %d", got, packed+bf16)
	}
}

// TestGptOssPublishedFacts: the presets reproduce what is published of
// gpt-oss beyond the parameter count (testdata/published_params.csv):
//   - the checkpoint's bytes: openai/gpt-oss-20b's model.safetensors.index.json
//     "total_size": 13761264768; for gpt-oss-120b, a download check's assertion
//     that the tensors of its 15 safetensors files hold 65248815744 bytes
//     (weights["tensor_bytes"] == 65248815744); the model card (arXiv
//     2508.10925) Table 1 rounds them to 12.8 GiB and 60.8 GiB;
//   - the active parameters of the card's Table 1, 3.61B and 5.13B, which
//     count the unembedding but not the embedding: params.active −
//     params.embedding, 3,608,307,264 and 5,132,849,472 counted by hand;
//   - the card's split: MLP 19.12B and 114.71B (router and experts),
//     attention 0.64B and 0.96B, embedding and unembedding 1.16B.
func TestGptOssPublishedFacts(t *testing.T) {
	billions := func(n int64) string { return fmt.Sprintf("%.2f", float64(n)/1e9) }
	for _, tt := range []struct {
		slug                   string
		checkpointBytes        int64
		cardGiB                string
		activeWithoutEmbedding int64
		cardActive             string
		cardMLP, cardAttention string
		cardEmbedUnembed       string
	}{
		{"gpt-oss-20b", 13_761_264_768, "12.8", 3_608_307_264, "3.61", "19.12", "0.64", "1.16"},
		{"gpt-oss-120b", 65_248_815_744, "60.8", 5_132_849_472, "5.13", "114.71", "0.96", "1.16"},
	} {
		t.Run(tt.slug, func(t *testing.T) {
			p, err := Lookup(tt.slug)
			if err != nil {
				t.Fatal(err)
			}
			r := analyze(t, p)
			got := r.Memory.CheckpointWeightsBytes
			if got != tt.checkpointBytes {
				t.Errorf("memory.checkpoint_weights_bytes %d, published %d", got, tt.checkpointBytes)
			}
			if gib := fmt.Sprintf("%.1f", float64(got)/(1<<30)); gib != tt.cardGiB {
				t.Errorf("checkpoint %s GiB, card %s GiB", gib, tt.cardGiB)
			}
			active := r.Params.Active - r.Params.Embedding
			if active != tt.activeWithoutEmbedding || billions(active) != tt.cardActive {
				t.Errorf("params.active − params.embedding = %d (%sB), want %d (card %sB)",
					active, billions(active), tt.activeWithoutEmbedding, tt.cardActive)
			}
			var mlp, attention int64
			for _, lg := range r.Layers {
				for _, o := range lg.Ops {
					switch o.Block {
					case scale.BlockMLP:
						mlp += lg.Count * o.Params
					case scale.BlockAttention:
						attention += lg.Count * o.Params
					}
				}
			}
			embedUnembed := r.Params.Embedding + r.Head.Params - p.Config.HiddenSize // less the final norm
			for _, c := range []struct{ what, got, card string }{
				{"MLP", billions(mlp), tt.cardMLP},
				{"attention", billions(attention), tt.cardAttention},
				{"embedding and unembedding", billions(embedUnembed), tt.cardEmbedUnembed},
			} {
				if c.got != c.card {
					t.Errorf("%s %sB, card %sB", c.what, c.got, c.card)
				}
			}
		})
	}
}

// TestGptOssDefaults: fields a file leaves out take GptOssConfig's
// defaults (8 KV heads, head_dim 64, 4 experts per token, a 128-token
// window on even layers), noted; null takes what __post_init__ puts in
// place of None; without quantization_config the experts are stored like
// the rest; num_experts names num_local_experts (attribute_map).
func TestGptOssDefaults(t *testing.T) {
	const base = `{"model_type": "gpt_oss", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 4,
		"num_attention_heads": 16, "intermediate_size": 32`
	p, err := FromHFConfig("config.json", []byte(base+`, "num_local_experts": 8}`))
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	if c.NumKeyValueHeads != 8 || c.HeadDim != 64 || c.NumExpertsPerTok != 4 || c.SlidingWindow != 128 ||
		c.GlobalAttentionInterval != 2 || c.ExpertWeightsFormat != "" || !c.AttentionSinks || !c.RouterBias ||
		!c.MLPBias || !c.AttentionQKVBias || !c.AttentionOutBias || c.TieWordEmbeddings || c.MaxPositionEmbeddings != 131072 {
		t.Errorf("defaults %+v", c)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"num_key_value_heads absent: 8", "head_dim absent: 64", "num_experts_per_tok absent: 4",
		"sliding_window absent: 128", "layer_types absent: even layers sliding (window 128), odd layers full"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}

	p, err = FromHFConfig("config.json", []byte(base+`, "num_experts": 8, "num_key_value_heads": null, "head_dim": null,
		"sliding_window": null}`))
	if err != nil {
		t.Fatal(err)
	}
	c = p.Config
	if c.NumKeyValueHeads != 16 || c.HeadDim != 4 || c.NumLocalExperts != 8 || c.SlidingWindow != 0 || c.GlobalAttentionInterval != 0 {
		t.Errorf("with nulls and num_experts: %+v", c)
	}
}

// TestGptOssErrors: what the gpt_oss reader refuses, each with its kind,
// naming the field as the file writes it.
func TestGptOssErrors(t *testing.T) {
	small := func(from, to string) string {
		if !strings.Contains(gptOssSmall, from) {
			t.Fatalf("the small config has no %q", from)
		}
		return strings.Replace(gptOssSmall, from, to, 1) + "}"
	}
	notConverted := `"modules_to_not_convert": [`
	for _, tt := range []struct {
		name, json string
		kind       error
		says       string
	}{
		{"another quant_method", small(`"quant_method": "mxfp4"`, `"quant_method": "gptq"`), ErrUnmodelled,
			`quantization_config.quant_method is the string "gptq": tscale models gpt-oss checkpoints whose experts are MXFP4`},
		{"no quant_method", small(`"quant_method": "mxfp4", `, ``), ErrUnmodelled, "quantization_config.quant_method is absent"},
		{"quantization_config a list", small(`"quantization_config": {`, `"quantization_config": [], "x": {`), ErrWrongType,
			"quantization_config must be an object, got a list"},
		{"experts not converted", small(`"lm_head"]`, `"lm_head", "model.layers.*.mlp"]`), ErrUnmodelled,
			`quantization_config.modules_to_not_convert[4] is the string "model.layers.*.mlp": an entry outside the published list`},
		{"one layer not converted", small(notConverted, `"modules_to_not_convert": ["model.layers.1"], "x": [`), ErrUnmodelled,
			`quantization_config.modules_to_not_convert[0] is the string "model.layers.1"`},
		{"modules_to_not_convert a string", small(notConverted, `"modules_to_not_convert": "lm_head", "x": [`), ErrWrongType,
			"quantization_config.modules_to_not_convert must be a list of strings"},
		{"experts_per_token differs", small(`"experts_per_token": 2`, `"experts_per_token": 4`), ErrInvalidValue,
			"experts_per_token 4 (OpenAI's reference code) differs from num_experts_per_tok 2 (transformers)"},
		{"num_experts differs", small(`"num_local_experts": 6`, `"num_local_experts": 6, "num_experts": 5`), ErrInvalidValue,
			"num_experts 5 differs from num_local_experts 6"},
		{"no experts", small(`"num_local_experts": 6, `, ``), ErrMissingField, "num_local_experts (gpt_oss)"},
		{"too many per token", small(`"num_experts_per_tok": 2, "experts_per_token": 2`, `"num_experts_per_tok": 7`),
			ErrInvalidValue, "num_experts_per_tok must be between 1 and num_local_experts (6), got 7"},
		{"intermediate_size 0", small(`"intermediate_size": 32`, `"intermediate_size": 0`), ErrInvalidValue,
			"intermediate_size must be a positive integer, got 0"},
		{"window null with sliding layers", small(`"sliding_window": 3`, `"sliding_window": null`), ErrInvalidValue,
			"layer_types has sliding layers, but sliding_window is not set"},
		{"layer pattern", small(`["sliding_attention", "full_attention", "sliding_attention", "full_attention"]`,
			`["full_attention", "sliding_attention", "sliding_attention", "full_attention"]`), ErrUnmodelled,
			"layer_types: this pattern of sliding and full layers is not modelled"},
	} {
		t.Run(tt.name, func(t *testing.T) { expectHFError(t, tt.json, tt.kind, tt.says) })
	}
}
