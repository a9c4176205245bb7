package scale

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// llamaStyle is a bias-free pre-norm decoder with RMSNorm, RoPE, a gated
// MLP and an untied LM head, the shape shared by Llama, Mistral and Qwen.
func llamaStyle(vocab, hidden, layers, heads, kvHeads, headDim, ffn int64) Config {
	return Config{
		VocabSize: vocab, HiddenSize: hidden, NumHiddenLayers: layers,
		NumAttentionHeads: heads, NumKeyValueHeads: kvHeads, HeadDim: headDim,
		IntermediateSize: ffn, MaxPositionEmbeddings: 4096,
		MLP: MLPGated, HiddenAct: "silu", Norm: RMSNorm, PositionEmbedding: PositionRoPE,
		NormsPerLayer: 2,
	}
}

// gpt2Style is a GPT-2 block: LayerNorm, learned positions, biases on every
// linear, a 4×hidden standard MLP and a tied LM head.
func gpt2Style(hidden, layers, heads int64) Config {
	return Config{
		VocabSize: 50257, HiddenSize: hidden, NumHiddenLayers: layers,
		NumAttentionHeads: heads, NumKeyValueHeads: heads, HeadDim: hidden / heads,
		IntermediateSize: 4 * hidden, MaxPositionEmbeddings: 1024, TieWordEmbeddings: true,
		MLP: MLPStandard, HiddenAct: "gelu_new", Norm: LayerNorm, PositionEmbedding: PositionLearned,
		NormsPerLayer: 2, AttentionQKVBias: true, AttentionOutBias: true, MLPBias: true,
	}
}

// TestPublishedParameterCounts pins the engine's parameter counting against
// exact counts published for real models (model cards, safetensors
// metadata). The presets package repeats this for every preset.
func TestPublishedParameterCounts(t *testing.T) {
	mixtral := llamaStyle(32000, 4096, 32, 32, 8, 128, 0)
	mixtral.NumLocalExperts, mixtral.NumExpertsPerTok, mixtral.MoEIntermediateSize = 8, 2, 14336

	gemma7b := llamaStyle(256000, 3072, 28, 16, 16, 256, 24576)
	gemma7b.TieWordEmbeddings, gemma7b.HiddenAct = true, "gelu_pytorch_tanh"

	phi2 := Config{
		VocabSize: 51200, HiddenSize: 2560, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
		HeadDim: 80, IntermediateSize: 10240, MaxPositionEmbeddings: 2048,
		MLP: MLPStandard, HiddenAct: "gelu_new", Norm: LayerNorm, PositionEmbedding: PositionRoPE,
		ParallelBlock: true, NormsPerLayer: 1,
		AttentionQKVBias: true, AttentionOutBias: true, MLPBias: true, LMHeadBias: true,
	}

	tests := []struct {
		name   string
		config Config
		total  int64
		active int64
	}{
		{"GPT-2 (keras-hub gpt2_presets.py)", gpt2Style(768, 12, 12), 124_439_808, 124_439_808},
		{"Llama-2-7B (model card)", llamaStyle(32000, 4096, 32, 32, 32, 128, 11008), 6_738_415_616, 6_738_415_616},
		{"Mixtral-8x7B (keras-hub; index total_size / 2)", mixtral, 46_702_792_704, 12_879_925_248},
		{"Gemma-7B (keras-hub gemma_presets.py)", gemma7b, 8_537_680_896, 8_537_680_896},
		{"Phi-2 (model card)", phi2, 2_779_683_840, 2_779_683_840},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Analyze(tt.config, Workload{BatchSize: 1, SeqLen: 16, DType: BF16})
			if err != nil {
				t.Fatal(err)
			}
			if r.Params.Total != tt.total {
				t.Errorf("params.total = %d, published %d (off by %d)", r.Params.Total, tt.total, r.Params.Total-tt.total)
			}
			if r.Params.Active != tt.active {
				t.Errorf("params.active = %d, want %d", r.Params.Active, tt.active)
			}
		})
	}
}

// TestSmallModelByHand works out every op of a one-layer model by hand.
//
// vocab 10, hidden 8, 2 query heads of 4, 1 KV head (MQA), MLP 16 wide,
// LayerNorm, learned positions (6), biases everywhere, tied head; batch 1,
// seq 3, so 3 tokens and s(s+1)/2 = 6 causal pairs (9 dense).
func TestSmallModelByHand(t *testing.T) {
	c := Config{
		VocabSize: 10, HiddenSize: 8, NumHiddenLayers: 1, NumAttentionHeads: 2, NumKeyValueHeads: 1,
		HeadDim: 4, IntermediateSize: 16, MaxPositionEmbeddings: 6, TieWordEmbeddings: true,
		MLP: MLPStandard, HiddenAct: "gelu", Norm: LayerNorm, PositionEmbedding: PositionLearned,
		NormsPerLayer: 2, AttentionQKVBias: true, AttentionOutBias: true, MLPBias: true,
	}
	r, err := Analyze(c, Workload{BatchSize: 1, SeqLen: 3, DType: FP32})
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ macs, flopsDense, params, elements int64 }
	wantOps := map[string]want{
		"embed_tokens":       {0, 0, 10 * 8, 3 * 8},
		"embed_positions":    {0, 0, 6 * 8, 3 * 8},
		"attention_norm":     {0, 0, 8 + 8, 3 * 8},
		"q_proj":             {3 * 8 * 8, 2 * 3 * 8 * 8, 8*8 + 8, 3 * 8},
		"k_proj":             {3 * 8 * 4, 2 * 3 * 8 * 4, 8*4 + 4, 3 * 4},
		"v_proj":             {3 * 8 * 4, 2 * 3 * 8 * 4, 8*4 + 4, 3 * 4},
		"q_heads":            {0, 0, 0, 2 * 3 * 4},
		"scores":             {2 * 4 * 6, 2 * 2 * 4 * 9, 0, 2 * 3 * 3},
		"softmax":            {0, 0, 0, 2 * 3 * 3},
		"weighted_values":    {2 * 4 * 6, 2 * 2 * 4 * 9, 0, 2 * 3 * 4},
		"o_proj":             {3 * 8 * 8, 2 * 3 * 8 * 8, 8*8 + 8, 3 * 8},
		"attention_residual": {0, 0, 0, 3 * 8},
		"mlp_norm":           {0, 0, 8 + 8, 3 * 8},
		"up_proj":            {3 * 8 * 16, 2 * 3 * 8 * 16, 8*16 + 16, 3 * 16},
		"act":                {0, 0, 0, 3 * 16},
		"down_proj":          {3 * 16 * 8, 2 * 3 * 16 * 8, 16*8 + 8, 3 * 8},
		"mlp_residual":       {0, 0, 0, 3 * 8},
		"final_norm":         {0, 0, 8 + 8, 3 * 8},
		"lm_head":            {3 * 8 * 10, 2 * 3 * 8 * 10, 0, 3 * 10},
	}
	var all []Op
	all = append(all, r.Embedding.Ops...)
	all = append(all, r.Layers[0].Ops...)
	all = append(all, r.Head.Ops...)
	seen := map[string]bool{}
	for _, o := range all {
		seen[o.Name] = true
		w, ok := wantOps[o.Name]
		if !ok {
			continue
		}
		if !isInt(o.MACs, w.macs) || !isInt(o.FLOPs, 2*w.macs) || !isInt(o.FLOPsDense, w.flopsDense) || o.Params != w.params ||
			!isInt(o.OutputElements, w.elements) {
			t.Errorf("%s: macs %d flops %d dense %d params %d elements %d; want %d %d %d %d %d", o.Name,
				o.MACs, o.FLOPs, o.FLOPsDense, o.Params, o.OutputElements, w.macs, 2*w.macs, w.flopsDense, w.params, w.elements)
		}
	}
	for name := range wantOps {
		if !seen[name] {
			t.Errorf("op %s missing", name)
		}
	}
	// 192 + 96 + 96 + 48 + 48 + 192 + 384 + 384 + 240 MACs.
	if got, want := r.FLOPs.Forward, big.NewInt(2*1680); got.Cmp(want) != 0 {
		t.Errorf("forward = %v, want %v", got, want)
	}
	// Dense adds the 3 masked pairs × 2 heads × 4 dims for scores and for weights·V.
	if got, want := r.FLOPs.ForwardDense, big.NewInt(2*(1680+24+24)); got.Cmp(want) != 0 {
		t.Errorf("forward_dense = %v, want %v", got, want)
	}
	if r.Params.Total != 672 || r.Params.Embedding != 128 || r.Params.NonEmbedding != 544 {
		t.Errorf("params = %+v, want total 672, embedding 128, non-embedding 544", r.Params)
	}
	if m := r.Memory; m.KVCacheElementsPerToken != 8 || m.KVCacheBytesPerToken != 32 || !isInt(m.KVCacheBytes, 96) || m.WeightsBytes != 672*4 {
		t.Errorf("memory = %+v, want 8 KV elements/token, 32 bytes/token, 96 bytes, %d weight bytes", m, 672*4)
	}
	if a := r.Memory.ActivationElements; !isInt(a.AttentionScores, 36) {
		t.Errorf("attention score elements = %d, want 2 heads × 3 × 3 × 2 tensors = 36", a.AttentionScores)
	}
}

// TestKVCachePublished checks KV-cache sizes stated in papers.
func TestKVCachePublished(t *testing.T) {
	// vLLM paper (Kwon et al. 2023, §3): OPT-13B's KV cache is
	// 2 (key and value) × 5120 (hidden) × 40 (layers) × 2 bytes = 800 KB per token.
	opt13b := gpt2Style(5120, 40, 40)
	opt13b.MaxPositionEmbeddings = 2048
	r, err := Analyze(opt13b, Workload{BatchSize: 1, SeqLen: 2048, DType: FP16})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Memory.KVCacheBytesPerToken; got != 819_200 {
		t.Errorf("OPT-13B KV bytes/token = %d, want 819,200 (800 KB)", got)
	}
	// Llama-2-7B: 2 × 4096 × 32 × 2 bytes = 512 KiB per token in fp16.
	r, err = Analyze(llamaStyle(32000, 4096, 32, 32, 32, 128, 11008), Workload{BatchSize: 2, SeqLen: 4096, DType: FP16})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Memory.KVCacheBytesPerToken; got != 512<<10 {
		t.Errorf("Llama-2-7B KV bytes/token = %d, want 512 KiB", got)
	}
	if got := r.Memory.KVCacheBytes; !isInt(got, 2*4096*512<<10) {
		t.Errorf("Llama-2-7B KV bytes at batch 2 × 4096 = %d, want 4 GiB", got)
	}
}

func TestLayerRanges(t *testing.T) {
	for _, tt := range []struct {
		idx  []int64
		want []LayerRange
	}{
		{[]int64{0, 1, 2, 3}, []LayerRange{{0, 3, 1}}},
		{[]int64{0, 2, 4, 6}, []LayerRange{{0, 6, 2}}},
		{[]int64{0, 1, 2, 5, 7, 8}, []LayerRange{{0, 2, 1}, {5, 5, 1}, {7, 8, 1}}},
		{[]int64{3}, []LayerRange{{3, 3, 1}}},
		{[]int64{1, 3}, []LayerRange{{1, 1, 1}, {3, 3, 1}}},
	} {
		if got := layerRanges(tt.idx); !cmp.Equal(got, tt.want) {
			t.Errorf("layerRanges(%v) = %v, want %v", tt.idx, got, tt.want)
		}
	}
}

// TestRoutingAverageIsExact: 4096 token slots over 3 experts is written as
// the exact fraction 4096/3, never a rounded float.
func TestRoutingAverageIsExact(t *testing.T) {
	c := llamaStyle(1000, 64, 1, 4, 4, 16, 4096)
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.IntermediateSize = 3, 1, 32, 0
	r := mustAnalyze(t, c, Workload{BatchSize: 2, SeqLen: 2048, DType: BF16})
	if rt := r.Layers[0].Routing; rt == nil || !isInt(rt.TokenSlots, 4096) || rt.SlotsPerExpert.Rat().Cmp(big.NewRat(4096, 3)) != 0 {
		t.Errorf("routing %+v, want 4096 slots, 4096/3 per expert", rt)
	}
}

// isInt reports whether the exact count x equals n.
func isInt(x *big.Int, n int64) bool { return x != nil && x.IsInt64() && x.Int64() == n }
