package presets

import (
	"errors"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// TestMiniMaxByHand counts a small MiniMax from modeling_minimax.py: per
// layer input_layernorm, MiniMaxAttention (q/k/v/o_proj without bias) or
// MiniMaxLightningAttention (qkv_proj h → 3·H·d, norm RMSNorm(H·d),
// output_gate h → H·d, out_proj H·d → h; its slopes are buffers),
// post_attention_layernorm and MiniMaxSparseMoeBlock (router without bias,
// experts of intermediate_size); norm and an untied head. Without
// layer_types the layers alternate, softmax attention first. Lightning
// attention costs 2·H·d² MACs a token and keeps H·d·d state elements.
func TestMiniMaxByHand(t *testing.T) {
	const V, h, H, K, d = 100, 16, 4, 2, 8
	const E, f = 4, 6
	_, r := importTiny(t, `{"model_type": "minimax", "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 4,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "intermediate_size": 6,
		"num_local_experts": 4, "num_experts_per_tok": 2, "block_size": 3}`)
	lightning := int64(h + h*3*H*d + H*d + h*H*d + H*d*h)
	attention := int64(h + h*H*d + 2*h*K*d + H*d*h)
	moe := int64(h + h*E + E*3*h*f)
	if want := 2*V*h + h + 2*lightning + 2*attention + 4*moe; r.Params.Total != want {
		t.Errorf("params.total %d, by hand %d", r.Params.Total, want)
	}
	b, s := tinyWorkload.BatchSize, tinyWorkload.SeqLen
	lightningLayers := int64(0)
	for i, lg := range r.Layers {
		if lg.Shape == nil || lg.Shape.Attention != scale.PartLightning {
			continue
		}
		lightningLayers += lg.Count
		if got, want := lg.FLOPs.SSMScan.Int64(), 2*b*s*int64(2*H*d*d); got != want {
			t.Errorf("layer group %d: lightning FLOPs %d, by hand %d", i, got, want)
		}
		full, rest := s/3, s%3
		if got, want := lg.FLOPs.SSMScanChunked.Int64(), 2*b*H*(2*d*(full*9+rest*rest)+2*d*d*s); got != want {
			t.Errorf("layer group %d: blockwise lightning FLOPs %d, by hand %d", i, got, want)
		}
		if lg.SSMStateElements != H*d*d || lg.ConvStateElements != 0 || lg.KVCacheTokens != 0 {
			t.Errorf("state %d + %d, KV tokens %d; want %d + 0, 0", lg.SSMStateElements, lg.ConvStateElements, lg.KVCacheTokens, H*d*d)
		}
	}
	if lightningLayers != 2 {
		t.Errorf("%d lightning layers, want 2 (alternating, softmax first)", lightningLayers)
	}
	if r.Config.Layers[0].Attention != scale.PartFull || r.Config.Layers[1].Attention != scale.PartLightning {
		t.Errorf("layers %v: want softmax attention first", r.Config.Layers)
	}
	for _, bad := range []struct{ json, says string }{
		{`"layer_types": ["linear_attention", "sliding_attention", "linear_attention", "full_attention"]`, `layer_types[1] is the string "sliding_attention"`},
		{`"attn_type_list": [0, 1, 0, 1]`, "attn_type_list"},
		{`"shared_intermediate_size": 8`, "shared_intermediate_size"},
	} {
		_, err := FromHFConfig("config.json", []byte(`{"model_type": "minimax", "vocab_size": 100, "hidden_size": 16,
			"num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 6, `+bad.json+`}`))
		if err == nil || !errors.Is(err, ErrUnmodelled) || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%s: %v", bad.json, err)
		}
	}
	if _, err := FromHFConfig("config.json", []byte(`{"model_type": "minimax", "vocab_size": 100, "hidden_size": 16,
		"num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 6, "layer_types": ["full_attention"]}`)); err == nil ||
		!strings.Contains(err.Error(), "layer_types") {
		t.Errorf("a short layer_types: %v", err)
	}
}
