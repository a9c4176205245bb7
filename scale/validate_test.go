package scale

import (
	"errors"
	"math/big"
	"strings"
	"testing"
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
		{"top-k above experts", func(c *Config) { c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 8, 9, 100 }, []string{"num_experts_per_tok"}},
		{"MoE without expert width", func(c *Config) { c.NumLocalExperts, c.NumExpertsPerTok = 8, 2 }, []string{"moe_intermediate_size"}},
		{"shared experts without width", func(c *Config) {
			c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.NumSharedExperts = 8, 2, 10, 2
		}, []string{"shared_expert_intermediate_size"}},
		{"expert fields on a dense model", func(c *Config) { c.NumExpertsPerTok = 2 }, []string{"num_experts_per_tok"}},
		{"negative experts", func(c *Config) { c.NumLocalExperts = -3 }, []string{"num_local_experts"}},
		{"four norms in a parallel block", func(c *Config) { c.ParallelBlock, c.NormsPerLayer = true, 4 }, []string{"norms_per_layer"}},
		{"one norm in a sequential block", func(c *Config) { c.NormsPerLayer = 1 }, []string{"norms_per_layer"}},
		{"unknown MLP", func(c *Config) { c.MLP = "swiglu" }, []string{"mlp"}},
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

// TestFLOPsBeyondInt64: a long-context MoE at batch 64 has forward FLOPs
// above 2^63; the engine carries them exactly.
func TestFLOPsBeyondInt64(t *testing.T) {
	// Mixtral-8x22B's shape stretched to 524,288 tokens, at batch 64.
	const seq = 524288
	c := llamaStyle(32000, 6144, 56, 48, 8, 128, 0)
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 8, 2, 16384
	c.MaxPositionEmbeddings = seq
	w := Workload{BatchSize: 64, SeqLen: seq, DType: BF16}
	r := mustAnalyze(t, c, w)
	limit := new(big.Int).Lsh(big.NewInt(1), 63)
	if r.FLOPs.Forward.Cmp(limit) <= 0 {
		t.Fatalf("forward FLOPs %v not above 2^63: the test does not exercise overflow", r.FLOPs.Forward)
	}
	// Recompute the total independently, in big integers throughout.
	B := func(x int64) *big.Int { return big.NewInt(x) }
	mul := func(xs ...*big.Int) *big.Int {
		r := B(1)
		for _, x := range xs {
			r.Mul(r, x)
		}
		return r
	}
	tokens := mul(B(64), B(seq))
	h, L := B(6144), B(56)
	proj := mul(tokens, h, B(48*128+2*8*128+48*128))           // q, k, v, o
	pairs := mul(B(64), B(48), B(128), B(seq*(seq+1)/2), B(2)) // scores and weights·V
	router := mul(tokens, h, B(8))                             // router
	experts := mul(tokens, B(2), h, B(16384), B(3))            // 3 matrices per routed expert
	perLayer := new(big.Int).Add(proj, pairs)
	perLayer.Add(perLayer, router).Add(perLayer, experts)
	want := mul(perLayer, L)
	want.Add(want, mul(tokens, h, B(32000))) // LM head
	want.Mul(want, B(2))                     // 2 FLOPs per MAC
	if r.FLOPs.Forward.Cmp(want) != 0 {
		t.Errorf("forward = %v, want %v", r.FLOPs.Forward, want)
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
