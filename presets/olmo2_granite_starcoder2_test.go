package presets

import (
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tscale/tscale/scale"
)

// tinyWorkload is the workload of the hand-derived tests: longer than the
// StarCoder2 test's window, so that it slides.
var tinyWorkload = scale.Workload{BatchSize: 2, SeqLen: 9, DType: scale.BF16}

// importTiny imports a config.json written in the test and analyses it.
func importTiny(t *testing.T, json string) (Preset, *scale.Report) {
	t.Helper()
	p, err := FromHFConfig("config.json", []byte(json))
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Analyze(p.Config, tinyWorkload)
	if err != nil {
		t.Fatal(err)
	}
	return p, r
}

// handForward is the forward matmul FLOPs written out: 2 per
// multiply-accumulate; per token, each layer's weight matrices and the LM
// head's (tied or not, it is a matmul); and per layer QKᵀ and AV over the
// (query, key) pairs one head scores in one sequence, for every head of
// every sequence.
func handForward(layerMatrices, vocab, hidden, layers, heads, headDim, pairs int64) *big.Int {
	b, s := tinyWorkload.BatchSize, tinyWorkload.SeqLen
	macs := b*s*(layers*layerMatrices+vocab*hidden) + layers*2*b*heads*pairs*headDim
	return big.NewInt(2 * macs)
}

// causalPairsByHand counts the (query, key) pairs of one sequence of s
// tokens, query i scoring keys j ≤ i, and with a window w > 0 only those
// with j > i − w.
func causalPairsByHand(s, w int64) int64 {
	var n int64
	for i := range s {
		for j := range i + 1 {
			if w == 0 || j > i-w {
				n++
			}
		}
	}
	return n
}

// TestOlmo2ByHand counts a small OLMo 2 from modeling_olmo2.py, module by
// module: embed_tokens; per layer q/k/v/o (with bias: attention_bias true),
// q_norm = RMSNorm(H·d) and k_norm = RMSNorm(K·d) over the whole
// projections, gate/up/down without bias, post_attention_layernorm and
// post_feedforward_layernorm and no input norm; final norm; an untied
// lm_head.
func TestOlmo2ByHand(t *testing.T) {
	const V, h, L, H, K, d, I = 100, 16, 3, 4, 2, 8, 24
	p, r := importTiny(t, `{"model_type": "olmo2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "intermediate_size": 24, "attention_bias": true}`)
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + (q*h + h)
	qkNorms := q + kv
	mlp := int64(3 * h * I)
	postNorms := int64(2 * h)
	layer := attention + qkNorms + mlp + postNorms
	if want := V*h + L*layer + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	if p.Config.TieWordEmbeddings || p.Config.MaxPositionEmbeddings != 2048 {
		t.Errorf("Olmo2Config defaults: tie_word_embeddings false and a context of 2048, got %+v", p.Config)
	}
	matrices := h*q + 2*h*kv + q*h + 3*h*I
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	// The norms of a layer, in order: no pre-norm; q_norm over all of q.
	var norms []string
	for _, o := range r.Layers[0].Ops {
		if o.Kind != scale.KindNorm {
			continue
		}
		norms = append(norms, o.Name)
		if o.Name == "q_norm" && (o.Params != q || !cmp.Equal(o.Inputs[0], []int64{2, 9, q})) {
			t.Errorf("q_norm: %d params over %v, want %d over [2 9 %d]", o.Params, o.Inputs[0], q, q)
		}
	}
	if want := []string{"q_norm", "k_norm", "post_attention_norm", "post_mlp_norm"}; !cmp.Equal(norms, want) {
		t.Errorf("norms %v, want %v", norms, want)
	}
}

// TestGraniteByHand counts a small Granite from modular_granite.py (the
// Llama block) with every bias on and tied embeddings, and checks that the
// four multipliers change nothing tscale computes.
func TestGraniteByHand(t *testing.T) {
	const V, h, L, H, K, I = 100, 16, 2, 4, 2, 40
	const d = h / H
	shape := `{"model_type": "granite", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40, "attention_bias": true,
		"mlp_bias": true, "tie_word_embeddings": true`
	plain, r := importTiny(t, shape+`}`)
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + (q*h + h)
	mlp := int64(2*(h*I+I) + (I*h + h))
	layer := attention + mlp + 2*h // input_layernorm, post_attention_layernorm
	if want := V*h + L*layer + h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d (tied: the LM head is the embedding)", r.Params.Total, want)
	}
	matrices := h*q + 2*h*kv + q*h + 3*h*I
	if want := handForward(matrices, V, h, L, H, d, causalPairsByHand(tinyWorkload.SeqLen, 0)); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	scaled, _ := importTiny(t, shape+`, "embedding_multiplier": 12.0, "attention_multiplier": 0.0078125,
		"residual_multiplier": 0.22, "logits_scaling": 16.0}`)
	if diff := cmp.Diff(plain.Config, scaled.Config); diff != "" {
		t.Errorf("the multipliers change the architecture:\n%s", diff)
	}
	if !strings.Contains(strings.Join(scaled.Notes, "\n"), "no parameters and no matmul FLOPs") ||
		strings.Contains(strings.Join(plain.Notes, "\n"), "multiplier") {
		t.Errorf("the notes say the multipliers change no count only where the file has them: %q, %q", scaled.Notes, plain.Notes)
	}
	// Absent, the biases and the tie take GraniteConfig's defaults: none, untied.
	_, untied := importTiny(t, `{"model_type": "granite", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40}`)
	biases := L * (q + 2*kv + h + 2*I + h)
	if got, want := untied.Params.Total-r.Params.Total, int64(V*h)-biases; got != want {
		t.Errorf("defaults change params.total by %d, want + V·h − biases = %d", got, want)
	}
}

// TestStarcoder2ByHand counts a small StarCoder2 from
// modeling_starcoder2.py with Starcoder2Config's defaults (no
// num_key_value_heads: 2; no use_bias: true; no tie_word_embeddings: tied)
// and a sliding window shorter than the sequence: q/k/v/o and c_fc/c_proj
// with bias, two LayerNorms with weight and bias per layer and one at the
// end, no lm_head bias.
func TestStarcoder2ByHand(t *testing.T) {
	const V, h, L, H, K, I, W = 100, 16, 3, 4, 2, 40, 4
	const d = h / H
	p, r := importTiny(t, `{"model_type": "starcoder2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "intermediate_size": 40, "sliding_window": 4}`)
	if p.Config.NumKeyValueHeads != K || !p.Config.TieWordEmbeddings || !p.Config.MLPBias {
		t.Fatalf("Starcoder2Config defaults not applied: %+v", p.Config)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"num_key_value_heads absent: 2 (starcoder2 default)", "tie_word_embeddings absent: true"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	q, kv := int64(H*d), int64(K*d)
	attention := (h*q + q) + 2*(h*kv+kv) + (q*h + h)
	mlp := int64((h*I + I) + (I*h + h)) // c_fc, c_proj
	layerNorms := int64(2 * 2 * h)
	layer := attention + mlp + layerNorms
	if want := V*h + L*layer + 2*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	pairs := causalPairsByHand(tinyWorkload.SeqLen, W)
	matrices := h*q + 2*h*kv + q*h + 2*h*I
	if want := handForward(matrices, V, h, L, H, d, pairs); r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward FLOPs %v, want %v", r.FLOPs.Forward, want)
	}
	for _, lg := range r.Layers {
		if lg.Count != L || lg.SlidingWindow != W || lg.KVCacheTokens != W {
			t.Errorf("layer group of %d layers, window %d, caching %d tokens; want every layer windowed and caching %d",
				lg.Count, lg.SlidingWindow, lg.KVCacheTokens, W)
		}
		for _, o := range lg.Ops {
			if o.Name == "scores" && o.MACs.Cmp(big.NewInt(tinyWorkload.BatchSize*H*pairs*d)) != 0 {
				t.Errorf("scores MACs %v, want b·H·pairs·d = %d", o.MACs, tinyWorkload.BatchSize*H*pairs*d)
			}
		}
	}
	// use_bias false drops every linear's bias but not the LayerNorms';
	// tie_word_embeddings false adds the LM head; sliding_window null is full attention.
	_, other := importTiny(t, `{"model_type": "starcoder2", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40, "use_bias": false,
		"tie_word_embeddings": false, "sliding_window": null}`)
	biases := L * (q + 2*kv + h + I + h)
	if got, want := other.Params.Total-r.Params.Total, int64(V*h)-biases; got != want {
		t.Errorf("use_bias false and an untied head change params.total by %d, want V·h − biases = %d", got, want)
	}
	if other.Layers[0].SlidingWindow != 0 {
		t.Errorf("sliding_window null: window %d, want none", other.Layers[0].SlidingWindow)
	}
}

// TestOlmo2GraniteStarcoder2Errors: the values these readers refuse, and
// StarCoder2's own default of 2 KV heads under the usual rule.
func TestOlmo2GraniteStarcoder2Errors(t *testing.T) {
	sc2 := `{"model_type": "starcoder2", "vocab_size": 100, "hidden_size": 24, "num_hidden_layers": 2,
		"intermediate_size": 40`
	for _, tt := range []struct {
		name, json string
		kind       error
		says       string
	}{
		{"starcoder2 mlp_type", sc2 + `, "num_attention_heads": 4, "mlp_type": "glu"}`, ErrUnmodelled,
			`mlp_type "glu": transformers' Starcoder2MLP is c_fc → activation → c_proj only`},
		{"starcoder2 norm_type", sc2 + `, "num_attention_heads": 4, "norm_type": "rms_norm"}`, ErrUnmodelled,
			`norm_type "rms_norm": transformers' Starcoder2 norms are nn.LayerNorm`},
		{"starcoder2 default kv heads", sc2 + `, "num_attention_heads": 3}`, ErrInvalidValue,
			"num_attention_heads must be divisible by num_key_value_heads (2)"},
		{"starcoder2 use_bias", sc2 + `, "num_attention_heads": 4, "use_bias": 1}`, ErrWrongType,
			"use_bias must be true or false, got the number 1"},
		{"starcoder2 sliding_window", sc2 + `, "num_attention_heads": 4, "sliding_window": -1}`, ErrInvalidValue,
			"sliding_window must not be negative, got -1"},
		{"olmo2 intermediate_size", `{"model_type": "olmo2", "vocab_size": 100, "hidden_size": 16,
			"num_hidden_layers": 2, "num_attention_heads": 4}`, ErrMissingField, "intermediate_size (olmo2)"},
		{"granite mlp_bias", `{"model_type": "granite", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
			"num_attention_heads": 4, "intermediate_size": 40, "mlp_bias": "no"}`, ErrWrongType, "mlp_bias must be true or false"},
	} {
		t.Run(tt.name, func(t *testing.T) { expectHFError(t, tt.json, tt.kind, tt.says) })
	}
}
