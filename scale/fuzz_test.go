package scale

import (
	"errors"
	"testing"
)

// FuzzAnalyze: any config and workload gives a validation or overflow error
// or a report, never a panic. Run it with go test -fuzz=FuzzAnalyze ./scale;
// the default test run replays the seed corpus in testdata/fuzz.
func FuzzAnalyze(f *testing.F) {
	f.Add(int64(32000), int64(4096), int64(32), int64(32), int64(8), int64(128), int64(14336), int64(4096),
		int64(8), int64(2), int64(0), int64(2), false, true, int64(1), int64(4096), uint8(1), int64(0), int64(0))
	f.Add(int64(50257), int64(768), int64(12), int64(12), int64(12), int64(64), int64(3072), int64(1024),
		int64(0), int64(0), int64(0), int64(2), false, false, int64(4), int64(1024), uint8(0), int64(0), int64(0))
	// LongCat-Flash's features: 6 FFN and 4 zero-computation experts, 3 of
	// 5 slots on FFN experts, a dense MLP beside them (rank 24: bits 8, 16).
	f.Add(int64(1000), int64(64), int64(4), int64(4), int64(2), int64(16), int64(48), int64(4096),
		int64(6), int64(5), int64(4), int64(2), false, false, int64(2), int64(9), uint8(1), int64(0), int64(24))
	// Mamba-2 mixers among per-layer shapes (variant bits 16, 32, 128).
	f.Add(int64(1000), int64(64), int64(6), int64(4), int64(2), int64(16), int64(48), int64(4096),
		int64(0), int64(3), int64(0), int64(2), false, false, int64(2), int64(9), uint8(177), int64(7), int64(5))
	// A Mamba-2 block beside attention in every layer (variant bits 32, 1).
	f.Add(int64(1000), int64(64), int64(3), int64(4), int64(2), int64(16), int64(48), int64(4096),
		int64(0), int64(3), int64(0), int64(2), false, false, int64(2), int64(9), uint8(33), int64(7), int64(5))
	// Zamba2's shared blocks before Mamba-2 mixers, and experts named per
	// layer (variant 178: gated, RMSNorm, bits 16, 32, 128;
	// max_position_embeddings bits 1, 2).
	f.Add(int64(1000), int64(64), int64(6), int64(4), int64(4), int64(30), int64(48), int64(4099),
		int64(4), int64(2), int64(1), int64(2), false, false, int64(2), int64(9), uint8(178), int64(3), int64(0))
	f.Add(int64(1000), int64(64), int64(6), int64(4), int64(4), int64(30), int64(48), int64(4097),
		int64(0), int64(0), int64(0), int64(2), false, false, int64(2), int64(9), uint8(178), int64(3), int64(0))
	// The workloads and layer counts the hardening issue found crashing.
	for _, x := range [][3]int64{{9223372036854775807, 4096, 32}, {4611686018427387904, 2, 12}, {1, 8, 9223372036854775807},
		{1, 8, 1_000_000_000_000}, {MaxBatchSize, MaxSeqLen, 2}} {
		f.Add(int64(32000), int64(4096), x[2], int64(32), int64(8), int64(128), int64(14336), int64(1)<<40,
			int64(8), int64(2), int64(1), int64(2), false, false, x[0], x[1], uint8(1), int64(4096), int64(0))
	}
	f.Fuzz(func(t *testing.T, vocab, hidden, layers, heads, kvHeads, headDim, ffn, maxPos,
		experts, topK, shared, norms int64, parallel, tied bool, batch, seq int64, variant uint8, span, rank int64) {
		c := Config{
			VocabSize: vocab, HiddenSize: hidden, NumHiddenLayers: layers,
			NumAttentionHeads: heads, NumKeyValueHeads: kvHeads, HeadDim: headDim,
			IntermediateSize: ffn, MaxPositionEmbeddings: maxPos, TieWordEmbeddings: tied,
			MLP:               []MLPKind{MLPStandard, MLPGated, "bogus"}[variant%3],
			Norm:              []NormKind{LayerNorm, RMSNorm}[variant/3%2],
			PositionEmbedding: []PositionKind{PositionLearned, PositionRoPE, PositionALiBi, ""}[variant/6%4],
			ParallelBlock:     parallel, NormsPerLayer: norms,
			NumLocalExperts: experts, NumExpertsPerTok: topK, MoEIntermediateSize: ffn,
			NumSharedExperts: shared, SharedExpertIntermediateSize: shared * ffn,
			QKNorm: variant&64 != 0, RouterScoreBias: variant&128 != 0 && experts > 0,
		}
		if experts == 0 && shared >= 0 { // a dense model: no expert widths (a negative shared keeps them, for the rules)
			c.MoEIntermediateSize, c.SharedExpertIntermediateSize, c.NumSharedExperts, c.NumExpertsPerTok = 0, 0, 0, 0
		}
		// span: a sliding window or chunk with a global interval; rank: MLA.
		if variant&32 != 0 {
			c.AttentionChunkSize = span
		} else {
			c.SlidingWindow = span
		}
		c.GlobalAttentionInterval = int64(variant % 5)
		if rank != 0 {
			c.KVLoraRank, c.QLoraRank = rank, rank/2
			c.QKNopeHeadDim, c.QKRopeHeadDim, c.VHeadDim = headDim/2, headDim-headDim/2, headDim
			c.NumKeyValueHeads = heads
			c.FirstKDenseReplace, c.MoELayerInterval = rank%3, rank%4
		}
		// The 2025 families' features, from bits of the numbers above.
		c.AttentionSinks, c.PostNorm = span&1 != 0, span&4 != 0
		c.QKNormFullWidth = c.QKNorm && span&2 != 0
		c.RouterBias, c.MoELayerFirstInCycle = rank&1 != 0 && experts > 0, rank&2 != 0 && experts > 0
		c.WindowFromLayer, c.MTPLayers = shared%5, topK%3
		// The classic decoders' features: a bias-free LayerNorm, position
		// offset rows (invalid unless positions are learned) and an
		// embedding norm.
		if span&8 != 0 {
			c.Norm = LayerNormNoBias
		}
		c.PositionOffset, c.EmbeddingNorm = headDim%3, span&16 != 0
		c.QKNormPerHead = c.QKNorm && !c.QKNormFullWidth && span&32 != 0
		if span&64 != 0 {
			c.QKNormKind = LayerNormNoBias
		}
		if rank&4 != 0 && experts > 0 {
			c.ExpertWeightsFormat = MXFP4
		}
		// LongCat-Flash's: zero-computation experts and a dense MLP beside the experts.
		if rank&8 != 0 && experts > 0 {
			c.ZeroComputationExperts, c.ZeroComputationSlotsPerTok = shared, topK%4
			c.DenseMLPWithMoE = rank&16 != 0
		}
		if span&32 != 0 && c.ExpertWeightsFormat == "" { // a quantised checkpoint of each method
			qs := []Quantization{
				{Method: QuantAWQ, Format: FormatAWQGEMM, Bits: 4, GroupSize: span % 256, DType: FP16},
				{Method: QuantAWQ, Format: FormatAWQGEMV, Bits: 4, GroupSize: span % 256, DType: FP16},
				{Method: QuantGPTQ, Bits: topK % 9, GroupSize: span % 200, DType: BF16},
				{Method: QuantBitsAndBytes, Bits: 4, GroupSize: 64, DoubleQuant: span&8 != 0, DType: BF16},
				{Method: QuantBitsAndBytes, Bits: 8, DType: BF16},
				{Method: QuantFP8, Bits: 8, BlockSize: []int64{span%300 + 1, rank%300 + 1}, DType: BF16},
				{Method: QuantCompressedTensors, Format: FormatPackQuantized, Bits: 4, GroupSize: span % 256, ZeroPoints: true, DType: BF16},
				{Method: QuantCompressedTensors, Format: FormatNVFP4Packed, Bits: 4, GroupSize: 16, DType: BF16},
			}
			q := qs[uint64(shared)%uint64(len(qs))]
			q.NotQuantized = []QuantSkip{{Op: "lm_head"}, {Op: "q_proj", Layers: []int64{layers / 2}}}
			c.Quantization = &q
		}
		if variant&16 != 0 && layers > 0 && layers <= 64 { // per-layer shapes of every kind
			part := func(x int64) LayerPart { return []LayerPart{PartFull, PartNone, PartLinear}[(x%3+3)%3] }
			recurrent := PartMamba2
			if rank&8 != 0 { // lightning attention instead (the two do not mix)
				recurrent = PartLightning
			}
			mixer := func(x int64) LayerPart { return []LayerPart{PartFull, PartNone, PartLinear, recurrent}[(x%4+4)%4] }
			c.Layers = make([]LayerShape, layers)
			for i := range c.Layers {
				l := LayerShape{Attention: part(int64(i) + span%3), MLP: part(int64(i) + rank%3)}
				if variant&32 != 0 { // Mamba-2 mixers among them
					l.Attention = mixer(int64(i) + span%4)
				}
				if l.Attention == PartFull && i%2 == 0 {
					l.NumKeyValueHeads = kvHeads
				}
				if l.MLP == PartFull && i%3 == 0 {
					l.IntermediateSize = ffn + int64(i)
				}
				c.Layers[i] = l
			}
			if recurrent == PartLightning {
				c.LightningBlockSize = span%64 + 1
			}
			if experts > 0 && maxPos&2 != 0 { // experts named per layer (Nemotron-H's E, Qwen3-Next's mlp_only_layers)
				for i := range c.Layers {
					if c.Layers[i].MLP == PartFull && i%2 == 1 {
						c.Layers[i].MLP, c.Layers[i].IntermediateSize = PartExperts, 0
					}
				}
				c.RoutedExpertsNoBias = span&256 != 0
			}
			if recurrent == PartMamba2 && maxPos&1 != 0 { // Zamba2: shared blocks before some Mamba-2 mixers
				for i := range c.Layers {
					if c.Layers[i].Attention == PartMamba2 && i%2 == 0 {
						c.Layers[i].MLP, c.Layers[i].IntermediateSize, c.Layers[i].SharedBlock = PartNone, 0, true
					}
				}
				c.SharedBlocks, c.SharedBlockAdapterRank, c.SharedAttentionAdapters = shared%3+1, topK%4, span&128 != 0
			}
			if c.HasMamba2() {
				c.Mamba2NoNorm = variant&8 != 0
				c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize = max(heads, 1)%9+1, hidden%7+1, rank%17+1
				c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 1, topK%5+1, span%64+1
				c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = variant&64 != 0, variant&64 != 0, variant&128 != 0
			}
		}
		if variant&(16|32) == 32 { // Falcon-H1: a Mamba-2 block beside attention in every layer
			c.Mamba2BesideAttention, c.Mamba2NoNorm = true, variant&8 != 0
			c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize = max(heads, 1)%9+1, hidden%7+1, rank%17+1
			c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 1, topK%5+1, span%64+1
			c.Mamba2InProjBias, c.Mamba2OutProjBias, c.Mamba2ConvBias = variant&64 != 0, variant&128 == 0, variant&128 != 0
		}
		if c.IsMoE() && c.NumHiddenLayers > 0 && c.NumHiddenLayers <= MaxLayers && !c.hasDenseLayers() {
			c.IntermediateSize = 0 // an all-MoE model has no dense width
		}
		w := Workload{BatchSize: batch, SeqLen: seq, DType: DTypes()[int(variant)%len(DTypes())]}
		r, err := Analyze(c, w)
		if err != nil {
			var fe *FieldError
			var oe *OverflowError
			if !errors.As(err, &fe) && !errors.As(err, &oe) {
				t.Fatalf("error of unexpected type %T: %v", err, err)
			}
			return
		}
		if r.Params.Total <= 0 || r.FLOPs.Forward.Sign() <= 0 {
			t.Fatalf("report with non-positive totals: %+v", r.Params)
		}
		// A checkpoint of exactly the tensors the config implies agrees
		// with it and holds params.total (small models only).
		if r.Params.Total+r.Params.MTP > 1<<24 || c.NumLocalExperts > 64 || c.HasSharedBlocks() { // shared blocks: no checkpoint names
			return
		}
		stored := storedFrom(t, c)
		ck, err := CompareCheckpoint(c, 1, 0, stored)
		if err != nil || !ck.Agrees || ck.Params != r.Params.Total || ck.MTPParams != r.Params.MTP {
			t.Fatalf("the config's own checkpoint: %v, %+v", err, ck)
		}
	})
}
