package scale

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
)

// fieldErrors returns the fields named by the *FieldErrors joined in err.
func fieldErrors(err error) []string {
	var fields []string
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			fields = append(fields, fieldErrors(e)...)
		}
		return fields
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		fields = append(fields, fe.Field)
	}
	return fields
}

func TestValidateNamesEveryField(t *testing.T) {
	valid := llamaStyle(32000, 4096, 32, 32, 8, 128, 11008)
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"valid", func(*Config) {}, nil},
		{"zero config", func(c *Config) { *c = Config{} }, []string{
			"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
			"head_dim", "max_position_embeddings", "mlp", "norm", "position_embedding", "norms_per_layer", "intermediate_size"}},
		{"heads not divisible", func(c *Config) { c.NumKeyValueHeads = 5 }, []string{"num_attention_heads"}},
		{"more KV heads than heads", func(c *Config) { c.NumKeyValueHeads = 64 }, []string{"num_key_value_heads", "num_attention_heads"}},
		{"negative head_dim", func(c *Config) { c.HeadDim = -1 }, []string{"head_dim"}},
		{"top-k above experts", func(c *Config) {
			c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.IntermediateSize = 8, 9, 100, 0
		}, []string{"num_experts_per_tok"}},
		{"MoE without expert width", func(c *Config) { c.NumLocalExperts, c.NumExpertsPerTok, c.IntermediateSize = 8, 2, 0 },
			[]string{"moe_intermediate_size"}},
		{"shared experts without width", func(c *Config) {
			c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.NumSharedExperts, c.IntermediateSize = 8, 2, 10, 2, 0
		}, []string{"shared_expert_intermediate_size"}},
		{"a dense width with no dense layer", func(c *Config) { c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 8, 2, 10 },
			[]string{"intermediate_size"}},
		{"no dense width with dense layers", func(c *Config) {
			c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.IntermediateSize, c.FirstKDenseReplace = 8, 2, 10, 0, 1
		}, []string{"intermediate_size"}},
		{"expert fields on a dense model", func(c *Config) { c.NumExpertsPerTok = 2 }, []string{"num_experts_per_tok"}},
		{"negative experts", func(c *Config) { c.NumLocalExperts = -3 }, []string{"num_local_experts"}},
		{"four norms in a parallel block", func(c *Config) { c.ParallelBlock, c.NormsPerLayer = true, 4 }, []string{"norms_per_layer"}},
		{"one norm in a sequential block", func(c *Config) { c.NormsPerLayer = 1 }, []string{"norms_per_layer"}},
		{"unknown MLP", func(c *Config) { c.MLP = "swiglu" }, []string{"mlp"}},
		{"bias-free LayerNorm", func(c *Config) { c.Norm = LayerNormNoBias }, nil},
		{"unknown norm", func(c *Config) { c.Norm = "layernorm_nobias_" }, []string{"norm"}},
		{"position offset without a learned table", func(c *Config) { c.PositionOffset = 2 }, []string{"position_offset"}},
		{"negative position offset", func(c *Config) { c.PositionEmbedding, c.PositionOffset = PositionLearned, -2 },
			[]string{"position_offset"}},
		{"position offset on a learned table", func(c *Config) { c.PositionEmbedding, c.PositionOffset = PositionLearned, 2 }, nil},
		{"embedding norm", func(c *Config) { c.EmbeddingNorm = true }, nil},
		{"per-head QK norms", func(c *Config) { c.QKNorm, c.QKNormPerHead, c.QKNormKind = true, true, LayerNormNoBias }, nil},
		{"per-head QK norms without QK norms", func(c *Config) { c.QKNormPerHead = true }, []string{"qk_norm_per_head"}},
		{"per-head and full-width QK norms", func(c *Config) { c.QKNorm, c.QKNormFullWidth, c.QKNormPerHead = true, true, true },
			[]string{"qk_norm_per_head"}},
		{"QK norm kind without QK norms", func(c *Config) { c.QKNormKind = LayerNorm }, []string{"qk_norm_kind"}},
		{"unknown QK norm kind", func(c *Config) { c.QKNorm, c.QKNormKind = true, "batchnorm" }, []string{"qk_norm_kind"}},
		{"zero-computation experts on a dense model", func(c *Config) { c.ZeroComputationExperts = 4 },
			[]string{"zero_computation_experts"}},
		{"more zero-computation slots than top-k", func(c *Config) {
			c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.IntermediateSize = 8, 2, 10, 0
			c.ZeroComputationExperts, c.ZeroComputationSlotsPerTok = 4, 3
		}, []string{"zero_computation_slots_per_tok"}},
		{"more zero-computation slots than such experts", func(c *Config) {
			c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.IntermediateSize = 8, 4, 10, 0
			c.ZeroComputationExperts, c.ZeroComputationSlotsPerTok = 1, 2
		}, []string{"zero_computation_slots_per_tok"}},
		{"a dense MLP beside experts on a dense model", func(c *Config) { c.DenseMLPWithMoE = true }, []string{"dense_mlp_with_moe"}},
		{"a dense MLP beside experts without its width", func(c *Config) {
			c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.IntermediateSize, c.DenseMLPWithMoE = 8, 2, 10, 0, true
		}, []string{"intermediate_size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.mutate(&c)
			err := c.Validate()
			got := fieldErrors(err)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Validate() fields = %v, want %v (error: %v)", got, tt.want, err)
			}
			if _, aerr := Analyze(c, Workload{BatchSize: 1, SeqLen: 8, DType: BF16}); (aerr != nil) != (tt.want != nil) {
				t.Errorf("Analyze error = %v, want error: %v", aerr, tt.want != nil)
			}
		})
	}
}

func TestValidateWorkload(t *testing.T) {
	c := gpt2Style(768, 12, 12)
	tests := []struct {
		w    Workload
		want []string
	}{
		{Workload{BatchSize: 1, SeqLen: 1024, DType: BF16}, nil},
		{Workload{BatchSize: 1, SeqLen: 1024, DType: BF16, KVDType: FP8, TrainingTokens: 1e12}, nil},
		{Workload{SeqLen: -5, DType: "fp64", KVDType: "fp3", TrainingTokens: -1},
			[]string{"batch_size", "seq_len", "dtype", "kv_dtype", "training_tokens"}},
		{Workload{BatchSize: 1, SeqLen: 1025, DType: BF16}, []string{"seq_len"}},
	}
	for _, tt := range tests {
		got := fieldErrors(tt.w.Validate(c))
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%+v: fields %v, want %v", tt.w, got, tt.want)
		}
	}
	err := Workload{BatchSize: 1, SeqLen: -5, DType: BF16}.Validate(c)
	if err == nil || err.Error() != "seq_len must be a positive integer, got -5" {
		t.Errorf("error text = %q", err)
	}
}

func TestParseDType(t *testing.T) {
	for _, d := range DTypes() {
		got, err := ParseDType(strings.ToUpper(string(d)))
		if err != nil || got != d {
			t.Errorf("ParseDType(%q) = %q, %v", d, got, err)
		}
	}
	if _, err := ParseDType("fp64"); err == nil || !strings.Contains(err.Error(), "bf16") {
		t.Errorf("ParseDType(fp64) error = %v, want the list of known types", err)
	}
}

// TestExactAtEveryAcceptedWorkload: a long-context MoE (Mixtral-8x22B's
// shape) carries every workload-scaled count exactly, from 524,288 tokens at
// batch 64 (forward FLOPs past 2^63) up to the limits, 2^32 tokens at batch
// 2^32, where a single op's FLOPs pass 2^100. Each total is recomputed here
// independently, in big integers throughout.
func TestExactAtEveryAcceptedWorkload(t *testing.T) {
	B := func(x int64) *big.Int { return big.NewInt(x) }
	mul := func(xs ...*big.Int) *big.Int {
		r := B(1)
		for _, x := range xs {
			r.Mul(r, x)
		}
		return r
	}
	for _, tt := range []struct{ batch, seq int64 }{
		{64, 524288}, {1000, 1_000_000}, {MaxBatchSize, MaxSeqLen},
	} {
		c := llamaStyle(32000, 6144, 56, 48, 8, 128, 0)
		c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 8, 2, 16384
		c.MaxPositionEmbeddings = tt.seq
		r := mustAnalyze(t, c, Workload{BatchSize: tt.batch, SeqLen: tt.seq, DType: BF16})
		if limit := new(big.Int).Lsh(B(1), 63); r.FLOPs.Forward.Cmp(limit) <= 0 {
			t.Fatalf("forward FLOPs %v not above 2^63: the test does not exercise overflow", r.FLOPs.Forward)
		}
		b, s := B(tt.batch), B(tt.seq)
		tokens := mul(b, s)
		causal := new(big.Int).Rsh(mul(s, new(big.Int).Add(s, B(1))), 1)
		h, L := B(6144), B(56)
		proj := mul(tokens, h, B(48*128+2*8*128+48*128)) // q, k, v, o
		scores := mul(b, B(48), B(128), causal)          // Q·Kᵀ; weights·V the same
		router := mul(tokens, h, B(8))
		experts := mul(tokens, B(2), h, B(16384), B(3)) // 3 matrices per routed expert
		perLayer := bigSum(proj, scores, scores, router, experts)
		want := mul(bigSum(mul(perLayer, L), mul(tokens, h, B(32000))), B(2)) // + LM head; 2 FLOPs a MAC
		if r.FLOPs.Forward.Cmp(want) != 0 {
			t.Errorf("b=%d s=%d: forward = %v, want %v", tt.batch, tt.seq, r.FLOPs.Forward, want)
		}
		var scoresOp Op
		for _, o := range r.Layers[0].Ops {
			if o.Name == "scores" {
				scoresOp = o
			}
		}
		if got, want := scoresOp.FLOPs, mul(scores, B(2)); got.Cmp(want) != 0 {
			t.Errorf("b=%d s=%d: scores op FLOPs %v, want %v", tt.batch, tt.seq, got, want)
		}
		if got, want := scoresOp.OutputElements, mul(b, B(48), s, s); got.Cmp(want) != 0 {
			t.Errorf("b=%d s=%d: score elements %v, want %v", tt.batch, tt.seq, got, want)
		}
		kv := mul(B(2*8*128), L, tokens)
		if got := r.Memory.KVCacheElements; got.Cmp(kv) != 0 {
			t.Errorf("b=%d s=%d: KV cache %v elements, want %v", tt.batch, tt.seq, got, kv)
		}
		if got := r.Memory.KVCacheBytes; got.Cmp(mul(kv, B(2))) != 0 {
			t.Errorf("b=%d s=%d: KV cache %v bytes, want 2 per element", tt.batch, tt.seq, got)
		}
		if got := r.Layers[0].Routing.TokenSlots; got.Cmp(mul(tokens, B(2))) != 0 {
			t.Errorf("b=%d s=%d: %v token slots, want 2 per token", tt.batch, tt.seq, got)
		}
	}
}

// TestWorkloadLimits: a workload past the limits is refused up front, by
// field, never analysed; at the limits it is analysed.
func TestWorkloadLimits(t *testing.T) {
	c := llamaStyle(32000, 64, 2, 4, 4, 16, 128)
	c.MaxPositionEmbeddings = 1 << 40
	for _, tt := range []struct {
		w     Workload
		field string
	}{
		{Workload{BatchSize: math.MaxInt64, SeqLen: 1, DType: BF16}, "batch_size"},
		{Workload{BatchSize: MaxBatchSize + 1, SeqLen: 2, DType: BF16}, "batch_size"},
		{Workload{BatchSize: 1, SeqLen: MaxSeqLen + 1, DType: BF16}, "seq_len"},
		{Workload{BatchSize: 4611686018427387904, SeqLen: 2, DType: BF16}, "batch_size"},
		{Workload{BatchSize: 1, SeqLen: 8, DType: BF16, TrainingTokens: -1}, "training_tokens"},
	} {
		_, err := Analyze(c, tt.w)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%+v: error %v, want a FieldError on %s", tt.w, err, tt.field)
		}
	}
	w := Workload{BatchSize: MaxBatchSize, SeqLen: MaxSeqLen, DType: INT4, TrainingTokens: math.MaxInt64}
	if _, err := Analyze(c, w); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}

// TestLayerLimit: a config claiming more than MaxLayers layers is refused at
// once, without work that grows with the claim.
func TestLayerLimit(t *testing.T) {
	for _, layers := range []int64{MaxLayers + 1, 1_000_000_000_000, math.MaxInt64} {
		c := llamaStyle(32000, 64, layers, 4, 4, 16, 128)
		c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.FirstKDenseReplace = 4, 1, 32, 1
		start := time.Now()
		_, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 8, DType: BF16})
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "num_hidden_layers" {
			t.Errorf("%d layers: error %v, want a FieldError on num_hidden_layers", layers, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%d layers: refused after %v", layers, d)
		}
	}
	c := llamaStyle(32000, 64, MaxLayers, 4, 4, 16, 128)
	c.SlidingWindow, c.GlobalAttentionInterval = 4, 3
	r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: 8, DType: BF16})
	if len(r.Layers) != 2 || r.Layers[0].Count+r.Layers[1].Count != MaxLayers {
		t.Errorf("%d layers give groups %+v", MaxLayers, r.Layers)
	}
}

// TestOverflowIsAnError: a per-op quantity past int64 is an error naming it.
func TestOverflowIsAnError(t *testing.T) {
	c := llamaStyle(1<<40, 1<<40, 1, 1, 1, 1, 1)
	_, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 8, DType: BF16})
	var oe *OverflowError
	if !errors.As(err, &oe) {
		t.Fatalf("error = %v, want *OverflowError", err)
	}
	if !strings.Contains(err.Error(), "params") {
		t.Errorf("error %q does not name the quantity", err)
	}
}

// TestValidateLayerShapes: per-layer shapes name the entry and field they
// break.
func TestValidateLayerShapes(t *testing.T) {
	c := Config{VocabSize: 10, HiddenSize: 8, NumHiddenLayers: 2, NumAttentionHeads: 4, NumKeyValueHeads: 4, HeadDim: 2,
		IntermediateSize: 16, MaxPositionEmbeddings: 16, MLP: MLPGated, Norm: RMSNorm, PositionEmbedding: PositionRoPE,
		NormsPerLayer: 2}
	for _, tc := range []struct {
		layers []LayerShape
		says   string
	}{
		{[]LayerShape{{}}, "layers must have num_hidden_layers (2) entries"},
		{[]LayerShape{{Attention: "mamba3"}, {}}, `layers[0].attention must be empty, "none", "linear", "mamba2", "mamba", "short_conv", "gated_deltanet" or "lightning"`},
		{[]LayerShape{{MLP: "mamba2"}, {}}, `layers[0].mlp must be empty, "none", "linear", or "experts" in a mixture-of-experts model`},
		{[]LayerShape{{}, {NumKeyValueHeads: 3}}, "layers[1].num_key_value_heads must divide num_attention_heads (4)"},
		{[]LayerShape{{Attention: PartNone, NumKeyValueHeads: 2}, {}}, "layers[0].num_key_value_heads must be 0 unless the layer has attention"},
		{[]LayerShape{{}, {MLP: PartLinear, IntermediateSize: 4}}, "layers[1].intermediate_size must be 0 unless the layer has a dense MLP"},
		{[]LayerShape{{IntermediateSize: -1}, {}}, "layers[0].intermediate_size must not be negative"},
	} {
		bad := c
		bad.Layers = tc.layers
		err := bad.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%+v: error %v, want one saying %q", tc.layers, err, tc.says)
		}
	}
	many := c
	many.NumHiddenLayers = MaxLayerShapes + 1
	many.Layers = make([]LayerShape, many.NumHiddenLayers)
	for i := range many.Layers {
		many.Layers[i].IntermediateSize = int64(i + 1)
	}
	if err := many.Validate(); err == nil || !strings.Contains(err.Error(), "layers must hold at most 1000 distinct layer shapes") {
		t.Errorf("%d distinct shapes: error %v", len(many.Layers), err)
	}
	many.Layers = many.Layers[:MaxLayerShapes]
	many.NumHiddenLayers = MaxLayerShapes
	if err := many.Validate(); err != nil {
		t.Errorf("%d distinct shapes: %v", len(many.Layers), err)
	}
	ok := c
	ok.Layers = []LayerShape{{Attention: PartNone, IntermediateSize: 4}, {NumKeyValueHeads: 2, MLP: PartNone}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid shapes: %v", err)
	}
}
