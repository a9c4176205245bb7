package scale

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDense2025FeaturesByHand: the features of the dense 2025 families,
// each against its modelling code. Cohere: CohereLayerNorm has a weight
// and no bias, and use_qk_norm builds CohereLayerNorm((heads, head_dim))
// on queries and keys, normalising each head over head_dim with its own
// weights. Apertus: XIELUActivation owns alpha_p and alpha_n
// (nn.Parameter of shape [1]; beta and eps are buffers).
func TestDense2025FeaturesByHand(t *testing.T) {
	w := Workload{BatchSize: 2, SeqLen: 9, DType: BF16}
	const V, L, h, H, K, d, f = 1000, 3, 64, 4, 2, 16, 128
	base := llamaStyle(V, h, L, H, K, d, f)
	// A LayerNorm without bias: 2 norms per layer and the final norm, h each
	// (an RMSNorm's count; a LayerNorm's is 2h).
	noBias := base
	noBias.Norm = LayerNormNoBias
	withBias := base
	withBias.Norm = LayerNorm
	if a, b := mustAnalyze(t, noBias, w), mustAnalyze(t, base, w); a.Params.Total != b.Params.Total {
		t.Errorf("layernorm_nobias: %d params, want an RMSNorm model's %d", a.Params.Total, b.Params.Total)
	}
	if a, b := mustAnalyze(t, withBias, w), mustAnalyze(t, noBias, w); a.Params.Total-b.Params.Total != (2*L+1)*h {
		t.Errorf("the biases of the LayerNorms are %d params, want (2L + 1)·h = %d", a.Params.Total-b.Params.Total, (2*L+1)*h)
	}

	for _, tc := range []struct {
		name   string
		set    func(*Config)
		params int64 // added parameters
	}{
		// Cohere's use_qk_norm: (H, d) and (K, d) weights, no bias.
		{"per-head QK norm without bias", func(c *Config) { c.Norm, c.QKNorm, c.QKNormPerHead = LayerNormNoBias, true, true }, L * (H*d + K*d)},
		// The same layout with a LayerNorm of weight and bias.
		{"per-head QK LayerNorm", func(c *Config) { c.Norm, c.QKNorm, c.QKNormPerHead = LayerNorm, true, true }, L * 2 * (H*d + K*d)},
		// xIELU: alpha_p and alpha_n in every layer's MLP.
		{"learned activation", func(c *Config) { c.ActivationParams = 2 }, L * 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.set(&c)
			plain := c
			plain.QKNorm, plain.QKNormPerHead, plain.ActivationParams = false, false, 0
			before, after := mustAnalyze(t, plain, w), mustAnalyze(t, c, w)
			if got := after.Params.Total - before.Params.Total; got != tc.params {
				t.Errorf("adds %d parameters, want %d", got, tc.params)
			}
			if after.FLOPs.Forward.Cmp(before.FLOPs.Forward) != 0 {
				t.Errorf("FLOPs changed: %v → %v; norms and activations are not matmuls", before.FLOPs.Forward, after.FLOPs.Forward)
			}
		})
	}

	// The per-head norm is over head_dim of each head, [b, H, s, d].
	c := base
	c.Norm, c.QKNorm, c.QKNormPerHead = LayerNormNoBias, true, true
	ops := opsByName(mustAnalyze(t, c, w))
	if q := ops["q_norm"]; q.Params != H*d || !cmp.Equal(q.Inputs[0], []int64{2, H, 9, d}) {
		t.Errorf("q_norm: %d params over %v, want %d over [2 %d 9 %d]", q.Params, q.Inputs[0], H*d, H, d)
	}
	if k := ops["k_norm"]; k.Params != K*d {
		t.Errorf("k_norm: %d params, want %d", k.Params, K*d)
	}
	c = base
	c.ActivationParams = 2
	if a := opsByName(mustAnalyze(t, c, w))["act"]; a.Params != 2 || a.ActiveParams != 2 || a.FLOPs.Sign() != 0 {
		t.Errorf("act: %d params (%d active), %v FLOPs; want 2, 2, 0", a.Params, a.ActiveParams, a.FLOPs)
	}

	// The rules: a per-head QK norm needs a QK norm and not the full-width
	// one; learned activations only in dense models.
	for _, tc := range []struct {
		name  string
		set   func(*Config)
		field string
	}{
		{"per-head without qk_norm", func(c *Config) { c.QKNormPerHead = true }, "qk_norm_per_head"},
		{"per-head and full width", func(c *Config) { c.QKNorm, c.QKNormFullWidth, c.QKNormPerHead = true, true, true }, "qk_norm_per_head"},
		{"negative activation params", func(c *Config) { c.ActivationParams = -1 }, "activation_params"},
		{"activation params with experts", func(c *Config) {
			c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.IntermediateSize = 4, 1, 32, 0
			c.ActivationParams = 2
		}, "activation_params"},
		{"unknown norm", func(c *Config) { c.Norm = "layernorm_bias" }, "norm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.set(&c)
			var fe *FieldError
			if err := c.Validate(); !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("Validate() = %v, want an error on %s", err, tc.field)
			}
		})
	}
}
