package scale

import (
	"math/big"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestAttentionPairsByBruteForce: the closed forms for causal, windowed and
// chunked attention equal a count of every (query, key) pair.
func TestAttentionPairsByBruteForce(t *testing.T) {
	for s := int64(1); s <= 40; s++ {
		for sp := int64(0); sp <= 45; sp++ {
			var windowed, chunked int64
			for i := int64(0); i < s; i++ {
				for j := int64(0); j <= i; j++ {
					if sp == 0 || j > i-sp {
						windowed++
					}
					if sp == 0 || j >= i/sp*sp {
						chunked++
					}
				}
			}
			if got := (span{window: sp}).pairs(s); got.Cmp(big.NewInt(windowed)) != 0 {
				t.Errorf("s=%d window=%d: %d pairs, brute force %d", s, sp, got, windowed)
			}
			if got := (span{chunk: sp}).pairs(s); got.Cmp(big.NewInt(chunked)) != 0 {
				t.Errorf("s=%d chunk=%d: %d pairs, brute force %d", s, sp, got, chunked)
			}
			// The last query (a decoded token at KV length s) scores the keys
			// the pairs above give it.
			var lastWindowed, lastChunked int64
			for j := int64(0); j < s; j++ {
				if sp == 0 || j > s-1-sp {
					lastWindowed++
				}
				if sp == 0 || j >= (s-1)/sp*sp {
					lastChunked++
				}
			}
			if got := (span{window: sp}).keys(s); got != lastWindowed {
				t.Errorf("k=%d window=%d: %d keys, brute force %d", s, sp, got, lastWindowed)
			}
			if got := (span{chunk: sp}).keys(s); got != lastChunked {
				t.Errorf("k=%d chunk=%d: %d keys, brute force %d", s, sp, got, lastChunked)
			}
		}
	}
}

// sameNumbers compares two reports on every number, ignoring the config
// itself, the words that describe it and the cross-checks (whose
// applicability depends on the config).
var sameNumbers = cmp.Options{
	cmpopts.IgnoreFields(Report{}, "Config", "Conventions", "CrossChecks"),
	cmpopts.IgnoreSliceElements(func(a ActivationMemory) bool { return strings.HasPrefix(a.Convention, "Korthikanti") }),
	cmpopts.IgnoreFields(LayerGroup{}, "Ranges", "MoE", "SlidingWindow", "AttentionChunkSize"),
	bigComparer,
}

// TestWindowAtLeastSeqIsGlobal: a sliding window or chunk of at least the
// sequence length changes nothing.
func TestWindowAtLeastSeqIsGlobal(t *testing.T) {
	forEachRandom(t, 200, func(t *testing.T, c Config, w Workload) {
		global := mustAnalyze(t, c, w)
		rng := rand.New(rand.NewSource(w.SeqLen))
		for _, set := range []func(*Config, int64){
			func(c *Config, n int64) { c.SlidingWindow = n },
			func(c *Config, n int64) { c.AttentionChunkSize = n },
		} {
			wide := c
			set(&wide, w.SeqLen+rng.Int63n(3))
			wide.GlobalAttentionInterval = rng.Int63n(3)
			r := mustAnalyze(t, wide, w)
			// The layers may fall in two groups (windowed and global) with
			// the same numbers; each must equal the global layer.
			if diff := cmp.Diff(global, r, sameNumbers, cmpopts.IgnoreFields(Report{}, "Layers")); diff != "" {
				t.Errorf("window/chunk ≥ seq differs from global attention:\n%s", diff)
			}
			for _, lg := range r.Layers {
				if diff := cmp.Diff(global.Layers[0], lg, sameNumbers, cmpopts.IgnoreFields(LayerGroup{}, "Count")); diff != "" {
					t.Errorf("layers %v differ from the global layer:\n%s", lg.Ranges, diff)
				}
			}
		}
	})
}

// TestSlidingWindowCapsAttention: a window w < s scores exactly
// w(w+1)/2 + (s−w)·w pairs per head and caches w tokens, on the windowed
// layers only.
func TestSlidingWindowCapsAttention(t *testing.T) {
	c := llamaStyle(1000, 64, 4, 4, 2, 16, 128)
	c.SlidingWindow, c.GlobalAttentionInterval = 8, 2 // layers 0 and 2 windowed
	w := Workload{BatchSize: 3, SeqLen: 20, DType: BF16}
	r := mustAnalyze(t, c, w)
	if len(r.Layers) != 2 || !cmp.Equal(r.Layers[0].Ranges, []LayerRange{{0, 0, 1}, {2, 2, 1}}) ||
		!cmp.Equal(r.Layers[1].Ranges, []LayerRange{{1, 1, 1}, {3, 3, 1}}) {
		t.Fatalf("layer groups %v", r.Layers)
	}
	local, global := r.Layers[0], r.Layers[1]
	if local.KVCacheTokens != 8 || global.KVCacheTokens != 20 {
		t.Errorf("KV cache tokens %d / %d, want 8 / 20", local.KVCacheTokens, global.KVCacheTokens)
	}
	pairs := int64(8*9/2 + 12*8)
	if got, want := local.FLOPs.AttentionScores, 2*2*w.BatchSize*c.NumAttentionHeads*c.HeadDim*pairs; got.Cmp(big.NewInt(want)) != 0 {
		t.Errorf("windowed score FLOPs %d, want %d", got, want)
	}
	perToken := 2 * c.NumKeyValueHeads * c.HeadDim
	if got, want := r.Memory.KVCacheElements, w.BatchSize*perToken*(2*8+2*20); got.Cmp(big.NewInt(want)) != 0 {
		t.Errorf("KV cache elements %d, want %d", got, want)
	}
}

// TestKVCacheLinearUntilWindowFull: KV bytes grow linearly in batch and
// sequence length, until a window caps the windowed layers.
func TestKVCacheLinearUntilWindowFull(t *testing.T) {
	c := llamaStyle(1000, 64, 2, 4, 4, 16, 4096)
	c.SlidingWindow = 100
	at := func(b, s int64) int64 {
		return mustAnalyze(t, c, Workload{BatchSize: b, SeqLen: s, DType: FP16}).Memory.KVCacheBytes.Int64()
	}
	if at(1, 50)*2 != at(1, 100) || at(1, 50)*3 != at(3, 50) {
		t.Errorf("KV bytes not linear below the window: %d, %d, %d", at(1, 50), at(1, 100), at(3, 50))
	}
	if at(1, 100) != at(1, 1000) {
		t.Errorf("KV bytes grew past a full window: %d → %d", at(1, 100), at(1, 1000))
	}
}

// TestFirstKDenseEqualsDense: an MoE model whose first_k_dense_replace
// covers every layer is the dense model, apart from the description.
func TestFirstKDenseEqualsDense(t *testing.T) {
	forEachRandom(t, 150, func(t *testing.T, c Config, w Workload) {
		dense := denseOf(c)
		moe := dense
		moe.NumLocalExperts, moe.NumExpertsPerTok, moe.MoEIntermediateSize = 8, 2, 32
		moe.FirstKDenseReplace = c.NumHiddenLayers
		if diff := cmp.Diff(mustAnalyze(t, dense, w), mustAnalyze(t, moe, w), sameNumbers); diff != "" {
			t.Errorf("all-dense MoE differs from the dense model:\n%s", diff)
		}
	})
}

// TestInterleaveStepOneIsAllMoE: moe_layer_interval 1 (and 0) is every layer MoE.
func TestInterleaveStepOneIsAllMoE(t *testing.T) {
	forEachRandom(t, 300, func(t *testing.T, c Config, w Workload) {
		if !c.IsMoE() {
			return
		}
		base := mustAnalyze(t, c, w)
		one := c
		one.MoELayerInterval = 1
		if diff := cmp.Diff(base, mustAnalyze(t, one, w), sameNumbers); diff != "" {
			t.Errorf("interval 1 differs from all-MoE:\n%s", diff)
		}
	})
}

// TestInterleavedMoE: with interval 2 the odd layers are MoE, the even dense.
func TestInterleavedMoE(t *testing.T) {
	c := llamaStyle(1000, 64, 6, 4, 4, 16, 256)
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.MoELayerInterval = 4, 1, 8, 2
	c.FirstKDenseReplace = 2
	r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: 8, DType: BF16})
	type group struct {
		Ranges []LayerRange
		MoE    bool
	}
	var got []group
	for _, lg := range r.Layers {
		got = append(got, group{lg.Ranges, lg.MoE})
	}
	want := []group{
		{[]LayerRange{{0, 2, 1}, {4, 4, 1}}, false},
		{[]LayerRange{{3, 3, 1}, {5, 5, 1}}, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layer kinds (-want +got):\n%s", diff)
	}
}

// mla is a small MLA config in the shape of DeepSeek-V2-Lite.
func mla(heads int64) Config {
	c := llamaStyle(1000, 256, 2, heads, heads, 0, 64)
	c.IntermediateSize = 512
	c.KVLoraRank, c.QKNopeHeadDim, c.QKRopeHeadDim, c.VHeadDim = 64, 16, 8, 16
	c.HeadDim = 24
	return c
}

// TestMLAKVCacheIndependentOfHeads: MLA caches kv_lora_rank +
// qk_rope_head_dim per token per layer, whatever the number of heads; the
// expanded equivalent grows with heads.
func TestMLAKVCacheIndependentOfHeads(t *testing.T) {
	w := Workload{BatchSize: 2, SeqLen: 16, DType: BF16}
	base := mustAnalyze(t, mla(1), w)
	for _, heads := range []int64{2, 4, 16, 128} {
		r := mustAnalyze(t, mla(heads), w)
		if r.Memory.KVCacheElementsPerToken != base.Memory.KVCacheElementsPerToken || r.Memory.KVCacheBytes.Cmp(base.Memory.KVCacheBytes) != 0 {
			t.Errorf("%d heads: KV cache %d elements/token, %d bytes; 1 head: %d, %d", heads,
				r.Memory.KVCacheElementsPerToken, r.Memory.KVCacheBytes, base.Memory.KVCacheElementsPerToken, base.Memory.KVCacheBytes)
		}
		if got, want := r.Memory.KVCacheElementsPerToken, int64(2*(64+8)); got != want {
			t.Errorf("MLA KV elements/token = %d, want %d", got, want)
		}
		if got, want := r.Memory.KVCacheElementsPerTokenExpanded, 2*heads*(16+8+16); got != want {
			t.Errorf("expanded KV elements/token = %d, want %d", got, want)
		}
		if r.Architecture.AttentionType != "MLA" {
			t.Errorf("attention type %q", r.Architecture.AttentionType)
		}
	}
}

// TestMLAByHand counts one MLA layer's parameters and score FLOPs by hand.
func TestMLAByHand(t *testing.T) {
	c := mla(4)
	c.QLoraRank = 32
	r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: 4, DType: BF16})
	ops := opsByName(r)
	h, H := int64(256), int64(4)
	want := map[string]int64{
		"q_a_proj":           h * 32,
		"q_a_layernorm":      32,
		"q_b_proj":           32 * H * 24,
		"kv_a_proj_with_mqa": h * (64 + 8),
		"kv_a_layernorm":     64,
		"kv_b_proj":          64 * H * (16 + 16),
		"o_proj":             H * 16 * h,
	}
	for name, params := range want {
		if ops[name].Params != params {
			t.Errorf("%s params %d, want %d", name, ops[name].Params, params)
		}
	}
	// Q·Kᵀ over 24 dims and weights·V over 16, 4·5/2 = 10 causal pairs per head.
	if got, want := ops["scores"].MACs, H*24*10; got.Cmp(big.NewInt(want)) != 0 {
		t.Errorf("scores MACs %d, want %d", got, want)
	}
	if got, want := ops["weighted_values"].MACs, H*16*10; got.Cmp(big.NewInt(want)) != 0 {
		t.Errorf("weighted_values MACs %d, want %d", got, want)
	}
}

// TestQKNormAndSharedGate: QK-norm adds 2·head_dim weights per layer; a
// shared-expert gate adds hidden; a router bias adds one per expert.
func TestQKNormAndSharedGate(t *testing.T) {
	w := Workload{BatchSize: 1, SeqLen: 8, DType: BF16}
	c := llamaStyle(1000, 64, 3, 4, 2, 16, 128)
	base := mustAnalyze(t, c, w).Params.Total
	c.QKNorm = true
	if got := mustAnalyze(t, c, w).Params.Total - base; got != 3*2*16 {
		t.Errorf("QK-norm adds %d params, want %d", got, 3*2*16)
	}
	// In a LayerNorm model the QK norms are LayerNorms: weight and bias.
	ln := llamaStyle(1000, 64, 3, 4, 2, 16, 128)
	ln.Norm = LayerNorm
	base = mustAnalyze(t, ln, w).Params.Total
	ln.QKNorm = true
	if got := mustAnalyze(t, ln, w).Params.Total - base; got != 3*2*2*16 {
		t.Errorf("LayerNorm QK-norm adds %d params, want %d", got, 3*2*2*16)
	}
	m := llamaStyle(1000, 64, 3, 4, 2, 16, 128)
	m.NumLocalExperts, m.NumExpertsPerTok, m.MoEIntermediateSize, m.IntermediateSize = 8, 2, 32, 0
	m.NumSharedExperts, m.SharedExpertIntermediateSize = 1, 48
	base = mustAnalyze(t, m, w).Params.Total
	m.SharedExpertGate = true
	if got := mustAnalyze(t, m, w).Params.Total - base; got != 3*64 {
		t.Errorf("the shared-expert gate adds %d params, want %d", got, 3*64)
	}
	// A router score bias (e_score_correction_bias) is a buffer: no
	// parameters, no FLOPs, as transformers' num_parameters() counts.
	withBias := m
	withBias.RouterScoreBias = true
	if diff := cmp.Diff(mustAnalyze(t, m, w), mustAnalyze(t, withBias, w), sameNumbers); diff != "" {
		t.Errorf("a router score bias changes a number:\n%s", diff)
	}
}

// TestNewLayerFeaturesByHand: each feature the 2025 families need adds
// exactly the parameters their modelling code declares, and changes no
// FLOPs where it owns no matmul.
func TestNewLayerFeaturesByHand(t *testing.T) {
	w := Workload{BatchSize: 2, SeqLen: 9, DType: BF16}
	const L, h, H, K, d, E = 3, 64, 4, 2, 16, 8
	base := llamaStyle(1000, h, L, H, K, d, 128)
	moe := base
	moe.NumLocalExperts, moe.NumExpertsPerTok, moe.MoEIntermediateSize, moe.IntermediateSize = E, 2, 32, 0

	for _, tc := range []struct {
		name   string
		from   Config
		set    func(*Config)
		params int64 // added parameters
		flops  bool  // FLOPs change
	}{
		// gpt-oss: sinks = nn.Parameter(torch.empty(num_attention_heads)).
		{"attention sinks", base, func(c *Config) { c.AttentionSinks = true }, L * H, false},
		// gpt-oss: router = Linear(hidden, E) with bias.
		{"router bias", moe, func(c *Config) { c.RouterBias = true }, L * E, false},
		// OLMo 2: q_norm = RMSNorm(H·d), k_norm = RMSNorm(K·d).
		{"full-width QK norm", base, func(c *Config) { c.QKNorm, c.QKNormFullWidth = true, true }, L * (H*d + K*d), false},
		// OLMo 2: the same two norms, after the sublayers.
		{"post-norm", base, func(c *Config) { c.PostNorm = true }, 0, false},
		// Experts with biases (gpt-oss): gate and up [E, 2f], down [E, h].
		{"expert biases", moe, func(c *Config) { c.MLPBias = true }, L * E * (2*32 + h), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.from
			before := mustAnalyze(t, c, w)
			tc.set(&c)
			after := mustAnalyze(t, c, w)
			if got := after.Params.Total - before.Params.Total; got != tc.params {
				t.Errorf("adds %d parameters, want %d", got, tc.params)
			}
			if changed := after.FLOPs.Forward.Cmp(before.FLOPs.Forward) != 0; changed != tc.flops {
				t.Errorf("FLOPs changed: %v, want %v (%v → %v)", changed, tc.flops, before.FLOPs.Forward, after.FLOPs.Forward)
			}
			if tc.params == 0 { // the same numbers; only the order of the ops may differ
				if diff := cmp.Diff(before, after, sameNumbers, cmpopts.IgnoreFields(LayerGroup{}, "Ops")); diff != "" {
					t.Errorf("a number moved:\n%s", diff)
				}
			}
		})
	}

	// Post-norm puts the norms after the sublayers, in the op order.
	post := base
	post.PostNorm = true
	var names []string
	for _, o := range mustAnalyze(t, post, w).Layers[0].Ops {
		if o.Kind == KindNorm {
			names = append(names, o.Name)
		}
	}
	if want := []string{"post_attention_norm", "post_mlp_norm"}; !cmp.Equal(names, want) {
		t.Errorf("post-norm norms %v, want %v", names, want)
	}
}

// TestLayerPatternsByBruteForce: window_from_layer and
// moe_layer_first_in_cycle pick the layers their configuration classes
// pick, written here as the Python list comprehensions they are.
func TestLayerPatternsByBruteForce(t *testing.T) {
	w := Workload{BatchSize: 1, SeqLen: 40, DType: BF16}
	for layers := int64(1); layers <= 12; layers++ {
		for from := int64(0); from <= layers+1; from++ {
			for interval := int64(0); interval <= 3; interval++ {
				c := llamaStyle(100, 16, layers, 2, 1, 8, 32)
				c.SlidingWindow, c.WindowFromLayer, c.GlobalAttentionInterval = 5, from, interval
				// Qwen2Config: "sliding_attention" if i >= max_window_layers,
				// and the interval rule of Gemma-2 on top.
				var want []int64
				for i := int64(0); i < layers; i++ {
					if i >= from && (interval == 0 || (i+1)%interval != 0) {
						want = append(want, i)
					}
				}
				var got []int64
				for _, lg := range mustAnalyze(t, c, w).Layers {
					if lg.SlidingWindow > 0 {
						got = expand(lg.Ranges)
					}
				}
				if !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
					t.Errorf("L=%d from=%d interval=%d: windowed layers %v, want %v", layers, from, interval, got, want)
				}
			}
		}
		for k := int64(0); k <= 2; k++ {
			for freq := int64(1); freq <= 3; freq++ {
				c := llamaStyle(100, 16, layers, 2, 1, 8, 32)
				c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 4, 1, 8
				c.FirstKDenseReplace, c.MoELayerInterval, c.MoELayerFirstInCycle = min(k, layers), freq, freq > 1
				// DeepSeek: layer_idx >= first_k_dense_replace and
				// layer_idx % moe_layer_freq == 0.
				var want []int64
				for i := int64(0); i < layers; i++ {
					if i >= c.FirstKDenseReplace && i%freq == 0 {
						want = append(want, i)
					}
				}
				if len(want) == int(layers) {
					c.IntermediateSize = 0
				}
				var got []int64
				for _, lg := range mustAnalyze(t, c, w).Layers {
					if lg.MoE {
						got = expand(lg.Ranges)
					}
				}
				if !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
					t.Errorf("L=%d k=%d freq=%d: MoE layers %v, want %v", layers, k, freq, got, want)
				}
			}
		}
	}
}

// expand lists the layer indices of ranges.
func expand(ranges []LayerRange) []int64 {
	var idx []int64
	for _, r := range ranges {
		for i := r.First; i <= r.Last; i += r.Step {
			idx = append(idx, i)
		}
	}
	return idx
}

// TestMTPByHand: a DeepSeek-V3-style multi-token-prediction module is its
// own weights only — enorm, hnorm, eh_proj, one MoE decoder layer and
// shared_head.norm — outside params.total.
func TestMTPByHand(t *testing.T) {
	w := Workload{BatchSize: 1, SeqLen: 8, DType: BF16}
	const h = 64
	c := llamaStyle(1000, h, 3, 4, 4, 16, 128)
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.FirstKDenseReplace = 8, 2, 32, 1
	without := mustAnalyze(t, c, w)
	c.MTPLayers = 2
	with := mustAnalyze(t, c, w)
	if diff := cmp.Diff(without, with, sameNumbers, cmpopts.IgnoreFields(Params{}, "MTP")); diff != "" {
		t.Fatalf("MTP modules change a number of the model:\n%s", diff)
	}
	attention := 4*16*h*4 + 2*h // q, k, v, o and the two layer norms
	moeLayer := int64(attention + h*8 + 8*3*h*32)
	want := 2 * (h + h + 2*h*h + moeLayer + h)
	if with.Params.MTP != want {
		t.Errorf("params.mtp %d, want %d", with.Params.MTP, want)
	}
}

// TestMXFP4CheckpointByHand: experts stored in MXFP4 take 17 bytes per 32
// weights along each input row (a partial block padded), biases and every
// other weight 2 bytes; no count changes.
func TestMXFP4CheckpointByHand(t *testing.T) {
	w := Workload{BatchSize: 1, SeqLen: 8, DType: BF16}
	const L, h, E, f = 2, 64, 4, 40
	c := llamaStyle(1000, h, L, 4, 2, 16, 0)
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize, c.MLPBias = E, 2, f, true
	plain := mustAnalyze(t, c, w)
	c.ExpertWeightsFormat = MXFP4
	r := mustAnalyze(t, c, w)
	if diff := cmp.Diff(plain, r, sameNumbers, cmpopts.IgnoreFields(Memory{}, "CheckpointWeightsBytes", "CheckpointWeights")); diff != "" {
		t.Errorf("the storage format changes a number:\n%s", diff)
	}
	// gate and up: h inputs → 2 blocks per row of f outputs; down: f = 40
	// inputs → 2 blocks (one padded) per row of h outputs.
	matrices := int64(L * E * (2*h*f + f*h))
	packed := int64(L * E * (2*f*2 + h*2) * 17)
	want := packed + (r.Params.Total-matrices)*2
	if r.Memory.CheckpointWeightsBytes != want {
		t.Errorf("checkpoint bytes %d, want %d", r.Memory.CheckpointWeightsBytes, want)
	}
	if plain.Memory.CheckpointWeightsBytes != 0 {
		t.Errorf("checkpoint bytes %d without a format", plain.Memory.CheckpointWeightsBytes)
	}
}

// TestLayerShapesByHand: per-layer shapes (Nemotron-NAS's block_configs)
// count each layer as its modelling code builds it: a no-op block has no
// weights, no norm and no cache; a linear block is its norm and one h × h
// matrix; an attention block has its own KV heads and an MLP its own width.
func TestLayerShapesByHand(t *testing.T) {
	const V, h, H, d = 100, 32, 4, 8
	w := Workload{BatchSize: 2, SeqLen: 6, DType: BF16}
	c := llamaStyle(V, h, 4, H, 4, d, 64)
	c.Layers = []LayerShape{
		{NumKeyValueHeads: 2, IntermediateSize: 40},
		{Attention: PartNone, IntermediateSize: 48},
		{Attention: PartLinear, MLP: PartNone},
		{NumKeyValueHeads: 1, MLP: PartLinear},
	}
	r := mustAnalyze(t, c, w)
	attention := func(K int64) int64 { return h + h*H*d + 2*h*K*d + H*d*h } // norm, q, k, v, o
	mlp := func(f int64) int64 { return h + 3*h*f }
	linear := int64(h + h*h) // norm and Linear(h, h)
	layers := attention(2) + mlp(40) + mlp(48) + linear + attention(1) + linear
	if want := V*h + layers + h + V*h; r.Params.Total != want {
		t.Errorf("params.total %d, want %d", r.Params.Total, want)
	}
	// KV cache: 2·K·d per token on the two attention layers only.
	if want := int64(2*2*d + 2*1*d); r.Memory.KVCacheElementsPerToken != want {
		t.Errorf("KV cache per token %d, want %d", r.Memory.KVCacheElementsPerToken, want)
	}
	// Attention scores: causal pairs on the two attention layers only.
	pairs := int64(6 * 7 / 2)
	if want := big.NewInt(2 * 2 * 2 * w.BatchSize * H * d * pairs); r.FLOPs.Blocks.AttentionScores.Cmp(want) != 0 {
		t.Errorf("attention-score FLOPs %v, want %v", r.FLOPs.Blocks.AttentionScores, want)
	}
	// Decoding one sequence token by token sums to its forward pass with
	// the mixed layers too.
	one := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: w.SeqLen, DType: BF16})
	calc := &checked{}
	dec := newDecoder(calc, one, groupLayers(c.layerSpecs()))
	sum := new(big.Int)
	for k := int64(1); k <= w.SeqLen; k++ {
		flops, _ := dec.cost(k)
		sum.Add(sum, flops)
	}
	if calc.err != nil || sum.Cmp(one.FLOPs.Forward) != 0 {
		t.Errorf("Σ decode = %v, forward = %v (%v)", sum, one.FLOPs.Forward, calc.err)
	}
	// Formulas for identical layers do not apply, for that reason.
	kaplan := false
	for _, cc := range r.CrossChecks {
		if cc.Name == CheckKaplan {
			kaplan = true
			if cc.Applies || !slices.Contains(cc.NotApplicable, MismatchLayerShapes) {
				t.Errorf("%s: applies %v, reasons %v; want not applicable for %s", cc.Name, cc.Applies, cc.NotApplicable, MismatchLayerShapes)
			}
		}
	}
	if !kaplan {
		t.Errorf("no %s cross-check", CheckKaplan)
	}
	// A list of the model's own shape changes no number.
	plain := llamaStyle(V, h, 4, H, 4, d, 64)
	same := plain
	same.Layers = make([]LayerShape, 4)
	if diff := cmp.Diff(mustAnalyze(t, plain, w), mustAnalyze(t, same, w), sameNumbers,
		cmpopts.IgnoreFields(LayerGroup{}, "Shape")); diff != "" {
		t.Errorf("default layer shapes change a number:\n%s", diff)
	}
}

// TestClassicEmbeddingsAndNormsByHand: the features the classic decoders
// add, each against its module as written in transformers.
func TestClassicEmbeddingsAndNormsByHand(t *testing.T) {
	w := Workload{BatchSize: 2, SeqLen: 9, DType: BF16}
	const L, h, H = 3, 64, 4
	gpt := gpt2Style(h, L, H)
	gpt.VocabSize = 1000

	// OPT: OPTLearnedPositionalEmbedding(max_position_embeddings + 2, h).
	opt := gpt
	opt.PositionOffset = 2
	before, after := mustAnalyze(t, gpt, w), mustAnalyze(t, opt, w)
	if got, want := after.Params.Total-before.Params.Total, int64(2*h); got != want {
		t.Errorf("position offset adds %d parameters, want 2 rows of h = %d", got, want)
	}
	if got, want := after.Params.Embedding, int64(1000*h+(1024+2)*h); got != want {
		t.Errorf("params.embedding %d, want V·h + (P + 2)·h = %d", got, want)
	}
	if after.FLOPs.Forward.Cmp(before.FLOPs.Forward) != 0 {
		t.Errorf("offset rows change FLOPs: %v → %v", before.FLOPs.Forward, after.FLOPs.Forward)
	}
	// PaLM's N leaves the whole position table out, offset rows included.
	for i, cc := range after.CrossChecks {
		if cc.Name == CheckPaLM && cc.Value.Cmp(before.CrossChecks[i].Value) != 0 {
			t.Errorf("PaLM's 6N moves with the position offset: %v → %v", before.CrossChecks[i].Value, cc.Value)
		}
	}
	// A decoded token reads one row of the table, however many it has.
	if after.Inference.WeightsBytesPerDecodedToken != before.Inference.WeightsBytesPerDecodedToken {
		t.Errorf("decoded weights moved with offset rows: %d → %d",
			before.Inference.WeightsBytesPerDecodedToken, after.Inference.WeightsBytesPerDecodedToken)
	}

	// BLOOM: word_embeddings_layernorm = LayerNorm(h), weight and bias; a
	// non-embedding parameter, read whole by a decoded token.
	bloom := gpt
	bloom.PositionEmbedding, bloom.EmbeddingNorm = PositionALiBi, true
	alibi := gpt
	alibi.PositionEmbedding = PositionALiBi
	before, after = mustAnalyze(t, alibi, w), mustAnalyze(t, bloom, w)
	if got, want := after.Params.Total-before.Params.Total, int64(2*h); got != want {
		t.Errorf("embedding LayerNorm adds %d parameters, want 2h = %d", got, want)
	}
	if after.Params.Embedding != before.Params.Embedding || after.Params.Embedding != 1000*h {
		t.Errorf("params.embedding %d (ALiBi, no norm: %d), want the token table V·h = %d",
			after.Params.Embedding, before.Params.Embedding, 1000*h)
	}
	if got, want := after.Inference.WeightsBytesPerDecodedToken-before.Inference.WeightsBytesPerDecodedToken, int64(2*2*h); got != want {
		t.Errorf("a decoded token reads %d more bytes, want the whole norm, 2h bf16 weights = %d", got, want)
	}
	if after.FLOPs.Forward.Cmp(before.FLOPs.Forward) != 0 {
		t.Errorf("the embedding norm changes FLOPs: %v → %v", before.FLOPs.Forward, after.FLOPs.Forward)
	}
	// ALiBi has no parameters: GPT-2 less its position table.
	if got, want := mustAnalyze(t, gpt, w).Params.Total-before.Params.Total, int64(1024*h); got != want {
		t.Errorf("learned positions → ALiBi removes %d parameters, want P·h = %d", got, want)
	}

	// MPT, DBRX: nn.LayerNorm(h, bias=False), h weights: per layer two, one
	// at the end, and a per-head QK norm has head_dim weights.
	nobias := gpt
	nobias.Norm = LayerNormNoBias
	nobias.EmbeddingNorm = true
	withBias := nobias
	withBias.Norm = LayerNorm
	if got, want := mustAnalyze(t, withBias, w).Params.Total-mustAnalyze(t, nobias, w).Params.Total, int64((2*L+2)*h); got != want {
		t.Errorf("norm biases: %d parameters, want (2L + 2)·h = %d (2 per layer, the final and the embedding norm)", got, want)
	}
	qk := nobias
	qk.QKNorm = true
	if got, want := mustAnalyze(t, qk, w).Params.Total-mustAnalyze(t, nobias, w).Params.Total, int64(L*2*(h/H)); got != want {
		t.Errorf("bias-free QK norms add %d, want 2·head_dim per layer = %d", got, want)
	}

	// StableLM 2: StableLmLayerNormPerHead, a LayerNorm(head_dim, bias=False)
	// for each of the H query heads and K key heads, under a model whose
	// norms are LayerNorms with bias.
	stable := llamaStyle(1000, h, L, H, 2, h/H, 128)
	stable.Norm = LayerNorm
	before = mustAnalyze(t, stable, w)
	stable.QKNorm, stable.QKNormPerHead, stable.QKNormKind = true, true, LayerNormNoBias
	after = mustAnalyze(t, stable, w)
	if got, want := after.Params.Total-before.Params.Total, int64(L*(H+2)*(h/H)); got != want {
		t.Errorf("per-head QK norms add %d parameters, want L·(H + K)·head_dim = %d", got, want)
	}
	if after.FLOPs.Forward.Cmp(before.FLOPs.Forward) != 0 {
		t.Errorf("QK norms change FLOPs: %v → %v", before.FLOPs.Forward, after.FLOPs.Forward)
	}
	// The kind alone: a shared QK norm of the model's LayerNorm has 2·head_dim
	// parameters, a bias-free one head_dim.
	shared := stable
	shared.QKNormPerHead, shared.QKNormKind = false, ""
	plain := shared
	plain.QKNormKind = LayerNormNoBias
	if got, want := mustAnalyze(t, shared, w).Params.Total-mustAnalyze(t, plain, w).Params.Total, int64(L*2*(h/H)); got != want {
		t.Errorf("QK norm biases: %d parameters, want 2 norms × head_dim per layer = %d", got, want)
	}
}
