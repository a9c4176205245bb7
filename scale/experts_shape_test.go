package scale

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExpertsByShapeEqualsRule: naming each layer's experts in its shape
// gives the same report as the rule it spells out. Every layer "experts" is
// every layer MoE; "experts" on every second layer from the second is
// moe_layer_interval 2; and a mixer that differs keeps both equal.
func TestExpertsByShapeEqualsRule(t *testing.T) {
	w := Workload{SeqLen: 8, BatchSize: 2, DType: BF16}
	for _, tc := range []struct {
		name     string
		rule     func(*Config)
		mlp      func(i int) LayerPart
		mixer    LayerPart
		addDense bool
	}{
		{"every layer", func(*Config) {}, func(int) LayerPart { return PartExperts }, PartFull, false},
		{"every second layer", func(c *Config) { c.MoELayerInterval = 2 }, func(i int) LayerPart {
			if i%2 == 1 {
				return PartExperts
			}
			return PartFull
		}, PartFull, true},
		{"beside Gated DeltaNet", func(*Config) {}, func(int) LayerPart { return PartExperts }, PartGatedDeltaNet, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			byRule := tinyQwen3Next()
			if tc.addDense {
				byRule.IntermediateSize = 12
			}
			tc.rule(&byRule)
			byShape := byRule
			byShape.MoELayerInterval = 0
			byShape.Layers = make([]LayerShape, len(byRule.Layers))
			for i := range byShape.Layers {
				byShape.Layers[i] = LayerShape{Attention: byRule.Layers[i].Attention, MLP: tc.mlp(i)}
			}
			want, err := Analyze(byRule, w)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Analyze(byShape, w)
			if err != nil {
				t.Fatal(err)
			}
			if got.Params != want.Params || got.FLOPs.Forward.Cmp(want.FLOPs.Forward) != 0 ||
				got.Memory.ActivationElements.Total.Cmp(want.Memory.ActivationElements.Total) != 0 {
				t.Errorf("params %+v / %v FLOPs, want %+v / %v", got.Params, got.FLOPs.Forward, want.Params, want.FLOPs.Forward)
			}
			if diff := cmp.Diff(moeFlags(want), moeFlags(got)); diff != "" {
				t.Errorf("layer groups' experts (-rule +shape):\n%s", diff)
			}
		})
	}
}

// moeFlags is, per layer group in order, its count and whether it has experts.
func moeFlags(r *Report) [][2]int64 {
	var out [][2]int64
	for _, lg := range r.Layers {
		moe := int64(0)
		if lg.MoE {
			moe = 1
		}
		out = append(out, [2]int64{lg.Count, moe})
	}
	return out
}

// TestExpertsByShapeRules: "experts" only in an MoE model, only as the MLP,
// and then the index rules must be off; routed experts without biases only
// in an MoE model.
func TestExpertsByShapeRules(t *testing.T) {
	c := tinyQwen3Next()
	c.Layers[1].MLP = PartExperts
	c.FirstKDenseReplace = 1
	c.IntermediateSize = 12
	mustRefuse(t, c, "first_k_dense_replace must be 0 when the layers name their experts")
	c = tinyQwen3Next()
	c.Layers[1].Attention = PartExperts
	mustRefuse(t, c, `layers[1].attention must be empty`)
	d := tinyHybrid()
	d.Layers[0].MLP = PartExperts
	mustRefuse(t, d, `layers[0].mlp must be empty, "none", "linear", or "experts" in a mixture-of-experts model`)
	d = tinyHybrid()
	d.RoutedExpertsNoBias = true
	mustRefuse(t, d, "routed_experts_no_bias must be false in a dense model")
}

// TestRoutedExpertsNoBias: with mlp_bias, routed experts without biases
// lose E × (f + h) parameters per MoE layer (up_proj's f and down_proj's h
// per expert in a standard MLP), and the shared expert keeps its own.
func TestRoutedExpertsNoBias(t *testing.T) {
	c := tinyQwen3Next()
	c.MLP, c.HiddenAct = MLPStandard, "relu2"
	c.MLPBias = true
	w := Workload{SeqLen: 4, BatchSize: 1, DType: BF16}
	with, err := Analyze(c, w)
	if err != nil {
		t.Fatal(err)
	}
	c.RoutedExpertsNoBias = true
	without, err := Analyze(c, w)
	if err != nil {
		t.Fatal(err)
	}
	perLayer := c.NumLocalExperts * (c.MoEIntermediateSize + c.HiddenSize)
	if got, want := with.Params.Total-without.Params.Total, c.NumHiddenLayers*perLayer; got != want {
		t.Errorf("biases removed: %d, want %d", got, want)
	}
}

// TestSharedExpertGateWithoutSharedExperts: with shared experts of width 0
// the gate Linear(h, 1) is still built (transformers' Qwen3-Next with
// shared_expert_intermediate_size 0): h parameters and 2·h FLOPs per token
// in each MoE layer beside the same model without the gate, and the shared
// MLP's 3·h·fs parameters fewer than the model with its shared expert.
func TestSharedExpertGateWithoutSharedExperts(t *testing.T) {
	w := Workload{SeqLen: 4, BatchSize: 2, DType: BF16}
	shared := tinyQwen3Next()
	gated := shared
	gated.NumSharedExperts, gated.SharedExpertIntermediateSize = 0, 0
	bare := gated
	bare.SharedExpertGate = false
	rShared, rGated, rBare := mustAnalyze(t, shared, w), mustAnalyze(t, gated, w), mustAnalyze(t, bare, w)
	h, n, fs := shared.HiddenSize, shared.NumHiddenLayers, shared.SharedExpertIntermediateSize
	if got, want := rGated.Params.Total-rBare.Params.Total, n*h; got != want {
		t.Errorf("the gates hold %d parameters, want layers × h = %d", got, want)
	}
	if got, want := rShared.Params.Total-rGated.Params.Total, n*3*h*fs; got != want {
		t.Errorf("the shared experts hold %d parameters, want layers × 3·h·fs = %d", got, want)
	}
	tokens := w.BatchSize * w.SeqLen
	if got, want := new(big.Int).Sub(rGated.FLOPs.Forward, rBare.FLOPs.Forward).Int64(), n*2*h*tokens; got != want {
		t.Errorf("the gates cost %d forward FLOPs, want layers × 2·h × tokens = %d", got, want)
	}
}
