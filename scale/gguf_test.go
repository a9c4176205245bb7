package scale

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ggufTypes are the ggml types the tests store, with their blocks.
var ggufTypes = map[string][2]int64{"F32": {1, 4}, "F16": {1, 2}, "Q4_K": {256, 144}, "Q6_K": {256, 210}, "Q8_0": {32, 34}}

func tensor(name, typ string, ref *GGUFRef, shape ...int64) GGUFTensor {
	b := ggufTypes[typ]
	return GGUFTensor{Name: name, Type: typ, BlockSize: b[0], BlockBytes: b[1], Shape: shape, Ref: ref}
}

func at(layer int64, part string, ops ...string) *GGUFRef {
	return &GGUFRef{Layer: layer, Ops: ops, Part: part, Expert: -1}
}

// tinyLlama is a two-layer Llama with GQA and an untied head, stored as a
// Q4_K_M file stores it: most matrices Q4_K, attn_v, ffn_down and output
// Q6_K, norms F32.
func tinyLlama() (Config, []GGUFTensor) {
	c := Config{
		VocabSize: 512, HiddenSize: 256, NumHiddenLayers: 2, NumAttentionHeads: 4, NumKeyValueHeads: 2, HeadDim: 64,
		IntermediateSize: 512, MaxPositionEmbeddings: 4096, MLP: MLPGated, HiddenAct: "silu", Norm: RMSNorm,
		PositionEmbedding: PositionRoPE, NormsPerLayer: 2,
	}
	ts := []GGUFTensor{
		tensor("token_embd.weight", "Q4_K", at(-1, "weight", "embed_tokens"), 512, 256),
		tensor("output_norm.weight", "F32", at(-1, "weight", "final_norm"), 256),
		tensor("output.weight", "Q6_K", at(-1, "weight", "lm_head"), 512, 256),
		tensor("rope_freqs.weight", "F32", &GGUFRef{Layer: -1, NotParam: true}, 32),
	}
	for l := int64(0); l < 2; l++ {
		blk := func(s string) string { return fmt.Sprintf("blk.%d.%s.weight", l, s) }
		ts = append(ts,
			tensor(blk("attn_norm"), "F32", at(l, "weight", "attention_norm"), 256),
			tensor(blk("attn_q"), "Q4_K", at(l, "weight", "q_proj"), 256, 256),
			tensor(blk("attn_k"), "Q4_K", at(l, "weight", "k_proj"), 128, 256),
			tensor(blk("attn_v"), "Q6_K", at(l, "weight", "v_proj"), 128, 256),
			tensor(blk("attn_output"), "Q4_K", at(l, "weight", "o_proj"), 256, 256),
			tensor(blk("ffn_norm"), "F32", at(l, "weight", "mlp_norm"), 256),
			tensor(blk("ffn_gate"), "Q4_K", at(l, "weight", "gate_proj"), 512, 256),
			tensor(blk("ffn_up"), "Q4_K", at(l, "weight", "up_proj"), 512, 256),
			tensor(blk("ffn_down"), "Q6_K", at(l, "weight", "down_proj"), 256, 512),
		)
	}
	return c, ts
}

// TestGGUFByHand: every number of a tiny Q4_K_M-style file worked out by
// hand from ggml's blocks (Q4_K 144 bytes per 256 values, Q6_K 210).
func TestGGUFByHand(t *testing.T) {
	c, ts := tinyLlama()
	g, err := CompareGGUF(c, ts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 16, DType: BF16})
	if err != nil {
		t.Fatal(err)
	}
	// Per layer: 256 + 256·256 + 2·128·256 + 256·256 + 256 + 3·512·256 =
	// 590,336; the embedding, final norm and head 512·256·2 + 256.
	const params = 2*590_336 + 262_400
	if r.Params.Total != params {
		t.Fatalf("params.total %d, by hand %d", r.Params.Total, params)
	}
	// Q4_K: token_embd and per layer q, k, o, gate, up (425,984) = 983,040
	// values, 3,840 blocks of 144 bytes. Q6_K: output and per layer v and
	// down (163,840) = 458,752 values, 1,792 blocks of 210. F32: 256 + 2·512
	// norm values and 32 rope factors, 4 bytes each.
	want := &GGUFCheck{
		Tensors: 22, Values: params + 32, Bytes: 552_960 + 376_320 + 5_248,
		BitsPerValue: newFraction(bigInt(8*(552_960+376_320+5_248)), bigInt(params+32)),
		ByType: []GGUFTypeTotal{
			{Type: "Q4_K", BlockSize: 256, BlockBytes: 144, BitsPerValue: frac(9, 2), Tensors: 11, Values: 983_040, Bytes: 552_960, Params: 983_040},
			{Type: "F32", BlockSize: 1, BlockBytes: 4, BitsPerValue: frac(32, 1), Tensors: 6, Values: 1_312, Bytes: 5_248, Params: 1_280},
			{Type: "Q6_K", BlockSize: 256, BlockBytes: 210, BitsPerValue: frac(105, 16), Tensors: 5, Values: 458_752, Bytes: 376_320, Params: 458_752},
		},
		Params: params, ExpectedParams: params, NotParamValues: 32, Agrees: true,
		Unaccounted: []GGUFTensor{}, Missing: []GGUFMissing{}, Disagreements: []GGUFDisagreement{},
	}
	if diff := cmp.Diff(want, g, cmpopts.IgnoreFields(GGUFCheck{}, "Ops"), cmp.Comparer((*Fraction).Equal)); diff != "" {
		t.Errorf("check (-hand +got):\n%s", diff)
	}
	// By op: q_proj is 2 tensors of 65,536 Q4_K values (256 blocks, 36,864 bytes each).
	var q GGUFOpTotal
	for _, o := range g.Ops {
		if o.Op == "q_proj.weight" {
			q = o
		}
	}
	if want := (GGUFOpTotal{Op: "q_proj.weight", Type: "Q4_K", Tensors: 2, Values: 131_072, Bytes: 73_728, Params: 131_072}); q != want {
		t.Errorf("q_proj: %+v, want %+v", q, want)
	}
	if len(g.Ops) != 13 || g.Ops[3].Op != "rope_freqs.weight" || !g.Ops[3].NotParam {
		t.Errorf("ops: %+v", g.Ops)
	}
}

func bigInt(n int64) *big.Int { return big.NewInt(n) }

func frac(n, d int64) *Fraction { return newFraction(big.NewInt(n), big.NewInt(d)) }

// TestGGUFDisagreements: each way a file can contradict the config is
// named, tensor by tensor, and the rest still counts.
func TestGGUFDisagreements(t *testing.T) {
	c, ts := tinyLlama()
	ts[6].Shape = []int64{256, 256} // blk.0.attn_k: 4 KV heads' width
	ts = append(ts[:9], ts[10:]...) // drop blk.0.ffn_norm
	ts = append(ts,
		tensor("blk.0.attn_q.bias", "F32", at(0, "bias", "q_proj"), 256),
		tensor("blk.2.attn_norm.weight", "F32", at(2, "weight", "attention_norm"), 256),
		tensor("blk.1.attn_q_norm.weight", "F32", at(1, "weight", "q_norm"), 64),
		tensor("blk.1.attn_q2.weight", "Q4_K", at(1, "weight", "q_proj"), 256, 256),
		tensor("blk.1.ffn_up.0.weight", "Q4_K", &GGUFRef{Layer: 1, Ops: []string{"up_proj"}, Part: "weight", Expert: 0}, 512, 256),
		tensor("mm.0.weight", "F16", nil, 16, 16),
	)
	g, err := CompareGGUF(c, ts)
	if err != nil {
		t.Fatal(err)
	}
	wantDis := []GGUFDisagreement{
		{Name: "blk.0.attn_k.weight", Reason: GGUFDisagreeShape, Shape: []int64{256, 256}, WantShape: []int64{128, 256}},
		{Name: "blk.0.attn_q.bias", Reason: GGUFDisagreeNoPart, Shape: []int64{256}},
		{Name: "blk.2.attn_norm.weight", Reason: GGUFDisagreeLayer, Shape: []int64{256}},
		{Name: "blk.1.attn_q_norm.weight", Reason: GGUFDisagreeNoOp, Shape: []int64{64}},
		{Name: "blk.1.attn_q2.weight", Reason: GGUFDisagreeDuplicate, Shape: []int64{256, 256}, WantShape: []int64{256, 256}},
		{Name: "blk.1.ffn_up.0.weight", Reason: GGUFDisagreeExpert, Shape: []int64{512, 256}},
	}
	if diff := cmp.Diff(wantDis, g.Disagreements); diff != "" {
		t.Errorf("disagreements (-want +got):\n%s", diff)
	}
	wantMissing := []GGUFMissing{
		{Op: "k_proj", Part: "weight", Layers: []LayerRange{{0, 0, 1}}, LayerCount: 1},
		{Op: "mlp_norm", Part: "weight", Layers: []LayerRange{{0, 0, 1}}, LayerCount: 1},
	}
	if diff := cmp.Diff(wantMissing, g.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if len(g.Unaccounted) != 1 || g.Unaccounted[0].Name != "mm.0.weight" || g.UnaccountedValues != 256 {
		t.Errorf("unaccounted: %+v (%d values)", g.Unaccounted, g.UnaccountedValues)
	}
	const params = 2*590_336 + 262_400
	if g.Agrees || g.Params != params-256-128*256 || g.ExpectedParams != params {
		t.Errorf("agrees %v, params %d of %d", g.Agrees, g.Params, g.ExpectedParams)
	}
	if g.Params+g.NotParamValues+g.UnaccountedValues+g.DisagreeingValues != g.Values {
		t.Errorf("values %d ≠ params %d + not params %d + unaccounted %d + disagreeing %d",
			g.Values, g.Params, g.NotParamValues, g.UnaccountedValues, g.DisagreeingValues)
	}
}

// TestGGUFTied: a tied model stores no output.weight; one that does
// disagrees (the config has no lm_head weight).
func TestGGUFTied(t *testing.T) {
	c, ts := tinyLlama()
	c.TieWordEmbeddings = true
	g, err := CompareGGUF(c, ts)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Disagreements) != 1 || g.Disagreements[0].Name != "output.weight" || g.Disagreements[0].Reason != GGUFDisagreeNoOp {
		t.Errorf("disagreements %+v", g.Disagreements)
	}
	g, err = CompareGGUF(c, append(ts[:2:2], ts[3:]...))
	if err != nil || !g.Agrees {
		t.Errorf("tied, without output.weight: agrees %v, %+v, %v", g.Agrees, g.Disagreements, err)
	}
}

// TestGGUFExperts: routed experts stacked in one tensor per layer (the
// expert outermost) or one tensor per expert; a shared-expert gate stored
// [h] for the config's [1, h]; attn_qkv fused along the output.
func TestGGUFExperts(t *testing.T) {
	c, ts := tinyLlama()
	c.IntermediateSize, c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 0, 4, 2, 512
	c.SharedExpertIntermediateSize, c.NumSharedExperts, c.SharedExpertGate = 256, 1, true
	var dense []GGUFTensor
	for _, x := range ts {
		if x.Ref.Layer < 0 || x.Ref.Ops[0] != "gate_proj" && x.Ref.Ops[0] != "up_proj" && x.Ref.Ops[0] != "down_proj" &&
			x.Ref.Ops[0] != "q_proj" && x.Ref.Ops[0] != "k_proj" && x.Ref.Ops[0] != "v_proj" {
			dense = append(dense, x)
		}
	}
	stacked := func(l int64, s string, ops ...string) *GGUFRef {
		return &GGUFRef{Layer: l, Ops: ops, Part: "weight", Expert: -1, Stacked: true}
	}
	ts = dense
	for l := int64(0); l < 2; l++ {
		blk := func(s string) string { return fmt.Sprintf("blk.%d.%s.weight", l, s) }
		ts = append(ts,
			tensor(blk("attn_qkv"), "Q8_0", at(l, "weight", "q_proj", "k_proj", "v_proj"), 512, 256),
			tensor(blk("ffn_gate_inp"), "F32", at(l, "weight", "router"), 4, 256),
			tensor(blk("ffn_gate_inp_shexp"), "F32", at(l, "weight", "shared_expert_gate"), 256),
			tensor(blk("ffn_gate_shexp"), "Q8_0", at(l, "weight", "shared_expert.gate_proj"), 256, 256),
			tensor(blk("ffn_up_shexp"), "Q8_0", at(l, "weight", "shared_expert.up_proj"), 256, 256),
			tensor(blk("ffn_down_shexp"), "Q8_0", at(l, "weight", "shared_expert.down_proj"), 256, 256),
			tensor(blk("ffn_down_exps"), "Q6_K", stacked(l, "", "experts.down_proj"), 4, 256, 512),
		)
		if l == 0 {
			ts = append(ts, tensor(blk("ffn_gate_up_exps"), "Q4_K", stacked(l, "", "experts.gate_proj", "experts.up_proj"), 4, 1024, 256))
			continue
		}
		for e := int64(0); e < 4; e++ {
			for _, op := range []string{"gate_proj", "up_proj"} {
				ref := &GGUFRef{Layer: l, Ops: []string{"experts." + op}, Part: "weight", Expert: e}
				ts = append(ts, tensor(fmt.Sprintf("blk.1.ffn_%s.%d.weight", op[:len(op)-5], e), "Q4_K", ref, 512, 256))
			}
		}
	}
	g, err := CompareGGUF(c, ts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 16, DType: BF16})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Agrees || g.Params != r.Params.Total || g.ExpectedParams != r.Params.Total {
		t.Errorf("agrees %v, params %d, expected %d, params.total %d; %+v %+v", g.Agrees, g.Params, g.ExpectedParams,
			r.Params.Total, g.Disagreements, g.Missing)
	}
	// One expert of layer 1 lost, and a fifth one stored.
	ts = ts[:len(ts)-1]
	ts = append(ts, tensor("blk.1.ffn_up.4.weight", "Q4_K", &GGUFRef{Layer: 1, Ops: []string{"experts.up_proj"}, Part: "weight", Expert: 4}, 512, 256))
	g, err = CompareGGUF(c, ts)
	if err != nil {
		t.Fatal(err)
	}
	wantMissing := []GGUFMissing{{Op: "experts.up_proj", Part: "weight", Layers: []LayerRange{{1, 1, 1}}, LayerCount: 1, Experts: 1}}
	if diff := cmp.Diff(wantMissing, g.Missing); diff != "" || len(g.Disagreements) != 1 || g.Disagreements[0].Reason != GGUFDisagreeExpert {
		t.Errorf("missing (-want +got):\n%s\ndisagreements %+v", diff, g.Disagreements)
	}
}

// TestGGUFManyExperts: the work does not grow with the expert count, which
// comes from the file: 2^31 experts in each of 100,000 layers, none stored.
func TestGGUFManyExperts(t *testing.T) {
	c, _ := tinyLlama()
	c.VocabSize, c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim = 8, 8, 1, 1, 8
	c.NumHiddenLayers, c.IntermediateSize = MaxLayers, 0
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 1<<31, 1, 1
	g, err := CompareGGUF(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	var experts int64
	for _, m := range g.Missing {
		experts += m.Experts
	}
	if experts != 3*MaxLayers<<31 || g.Agrees {
		t.Errorf("%d (layer, expert) pairs missing, want %d", experts, 3*MaxLayers<<31)
	}
}

// TestGGUFNormShapes: per-head QK norms are [heads, head_dim] (StableLM 2's
// bias-free LayerNorm per head), a model LayerNorm has a bias, and the
// expected tensors hold params.total either way.
func TestGGUFNormShapes(t *testing.T) {
	c, _ := tinyLlama()
	c.Norm, c.QKNorm, c.QKNormPerHead, c.QKNormKind = LayerNorm, true, true, LayerNormNoBias
	m := newGGUFModel(&checked{}, c)
	want := map[string][]int64{"q_norm.weight": {4, 64}, "k_norm.weight": {2, 64}, "attention_norm.weight": {256}, "attention_norm.bias": {256}}
	for k, shape := range want {
		op, part, _ := strings.Cut(k, ".")
		if got := m.layers[0][op].parts[part]; !cmp.Equal(got, shape) {
			t.Errorf("%s: %v, want %v", k, got, shape)
		}
	}
	if _, ok := m.layers[0]["q_norm"].parts["bias"]; ok {
		t.Error("a bias-free QK norm has a bias")
	}
	r, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 1, DType: BF16})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.expected(&checked{}); got != r.Params.Total {
		t.Errorf("expected tensors hold %d, params.total %d", got, r.Params.Total)
	}
}
