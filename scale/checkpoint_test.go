package scale

import (
	"fmt"
	"testing"
)

// storedFrom builds a checkpoint's tensors from the tensors c implies,
// each under a made-up name, unquantised parameters in bf16.
func storedFrom(t *testing.T, c Config) []StoredTensor {
	t.Helper()
	exp, err := ExpectedTensors(c)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]StoredTensor, len(exp))
	for i, e := range exp {
		d := e.DType
		if d == "" {
			d = TensorBF16
		}
		var n int64 = 1
		for _, s := range e.Shape {
			n *= s
		}
		out[i] = StoredTensor{Name: fmt.Sprintf("layers.%d.%s.%d.%s", e.Layer, e.Op, e.Expert, e.Part), DType: d, Shape: e.Shape,
			Bytes: n * d.Bits() / 8,
			Ref:   &TensorRef{Layer: e.Layer, Ops: []string{e.Op}, Part: e.Part, Expert: e.Expert, Role: e.Role}}
	}
	return out
}

// checkpointConfigs are models with each kind of tensor: GQA with biases,
// a gated MoE with shared experts and a gate, MLA with MTP and a router
// bias in FP8 blocks, GPT-2 (LayerNorm biases, learned positions, tied
// head), sinks and MXFP4 experts.
func checkpointConfigs() map[string]Config {
	gqa := llamaStyle(1000, 64, 3, 4, 2, 16, 128)
	gqa.AttentionQKVBias, gqa.QKNorm = true, true

	moe := llamaStyle(1000, 64, 2, 4, 2, 16, 0)
	moe.NumLocalExperts, moe.NumExpertsPerTok, moe.MoEIntermediateSize = 4, 2, 32
	moe.NumSharedExperts, moe.SharedExpertIntermediateSize, moe.SharedExpertGate = 1, 32, true

	mla := llamaStyle(1000, 256, 3, 4, 4, 48, 128)
	mla.QLoraRank, mla.KVLoraRank, mla.QKNopeHeadDim, mla.QKRopeHeadDim, mla.VHeadDim = 64, 32, 32, 16, 32
	mla.NumLocalExperts, mla.NumExpertsPerTok, mla.MoEIntermediateSize, mla.FirstKDenseReplace = 4, 2, 128, 1
	mla.NumSharedExperts, mla.SharedExpertIntermediateSize, mla.RouterScoreBias, mla.MTPLayers = 1, 128, true, 1
	mla.Quantization = &Quantization{Method: QuantFP8, Bits: 8, BlockSize: []int64{128, 128}, DType: BF16,
		NotQuantized: []QuantSkip{{Op: "router"}, {Op: "lm_head"}}}

	sinks := llamaStyle(1000, 64, 2, 4, 2, 16, 0)
	sinks.NumLocalExperts, sinks.NumExpertsPerTok, sinks.MoEIntermediateSize = 4, 2, 64
	sinks.AttentionSinks, sinks.RouterBias, sinks.MLPBias, sinks.ExpertWeightsFormat = true, true, true, MXFP4

	int8 := gqa
	int8.Quantization = &Quantization{Method: QuantBitsAndBytes, Bits: 8, DType: BF16, NotQuantized: []QuantSkip{{Op: "lm_head"}}}
	awq := llamaStyle(1000, 256, 2, 4, 2, 64, 512)
	awq.AttentionQKVBias = true
	awq.Quantization = &Quantization{Method: QuantAWQ, Format: FormatAWQGEMM, Bits: 4, GroupSize: 128, DType: FP16,
		NotQuantized: []QuantSkip{{Op: "lm_head"}, {Op: "down_proj", Layers: []int64{1}}}}

	return map[string]Config{"gqa": gqa, "moe": moe, "mla-fp8-mtp": mla, "gpt2": gpt2Style(64, 2, 4), "sinks-mxfp4": sinks,
		"int8": int8, "awq": awq}
}

// TestCheckpointOfTheConfigAgrees: a checkpoint holding exactly the
// tensors the config implies agrees, holds params.total and params.mtp,
// and its bytes are memory.checkpoint_weights_bytes plus what is not in
// params.total.
func TestCheckpointOfTheConfigAgrees(t *testing.T) {
	for name, c := range checkpointConfigs() {
		t.Run(name, func(t *testing.T) {
			stored := storedFrom(t, c)
			ck, err := CompareCheckpoint(c, 1, 0, stored)
			if err != nil {
				t.Fatal(err)
			}
			r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: 8, DType: BF16})
			if !ck.Agrees {
				t.Fatalf("does not agree: missing %v, disagreements %v, unaccounted %v", ck.Missing, ck.Disagreements, ck.Unaccounted)
			}
			if ck.Params != r.Params.Total || ck.MTPParams != r.Params.MTP {
				t.Errorf("params %d, mtp %d; want %d, %d", ck.Params, ck.MTPParams, r.Params.Total, r.Params.MTP)
			}
			if sum := ck.ParamValues + ck.QuantizedValues + ck.MTPValues + ck.BufferValues + ck.CopyValues; sum != ck.Values {
				t.Errorf("values by role sum to %d, not %d", sum, ck.Values)
			}
			if r.Memory.CheckpointWeightsBytes > 0 {
				var outside int64 // the MTP module and buffers, stored but not in params.total
				for _, s := range stored {
					if s.Ref.Layer >= c.NumHiddenLayers || s.Ref.Role == RoleBuffer {
						outside += s.Bytes
					}
				}
				if ck.Bytes-outside != r.Memory.CheckpointWeightsBytes {
					t.Errorf("bytes %d − %d outside params.total, want checkpoint_weights_bytes %d", ck.Bytes, outside,
						r.Memory.CheckpointWeightsBytes)
				}
			}
		})
	}
}

// TestCheckpointDisagreements: every way a checkpoint can differ from its
// config is named: a tensor tscale cannot place, a tensor missing, a wrong
// shape, a wrong type, an op or part the layer lacks, an expert or layer
// past the config, the same tensor twice.
func TestCheckpointDisagreements(t *testing.T) {
	c := checkpointConfigs()["mla-fp8-mtp"]
	base := storedFrom(t, c)
	find := func(layer int64, op, part string, expert int64) int {
		for i, s := range base {
			r := s.Ref
			if r.Layer == layer && r.Ops[0] == op && r.Part == part && r.Expert == expert {
				return i
			}
		}
		t.Fatalf("no %s %s in layer %d", op, part, layer)
		return -1
	}
	edit := func(f func(ts []StoredTensor) []StoredTensor) *Checkpoint {
		ts := f(append([]StoredTensor(nil), base...))
		ck, err := CompareCheckpoint(c, 1, 0, ts)
		if err != nil {
			t.Fatal(err)
		}
		if ck.Agrees {
			t.Error("agrees")
		}
		return ck
	}
	with := func(i int, f func(s *StoredTensor)) func([]StoredTensor) []StoredTensor {
		return func(ts []StoredTensor) []StoredTensor {
			s := ts[i]
			ref := *s.Ref
			s.Ref = &ref
			f(&s)
			ts[i] = s
			return ts
		}
	}
	oneDisagreement := func(name string, ck *Checkpoint, want DisagreementKind) {
		t.Helper()
		if len(ck.Disagreements) != 1 || ck.Disagreements[0].Reason != want || len(ck.Missing) != 0 {
			t.Errorf("%s: disagreements %+v, missing %+v; want one %s", name, ck.Disagreements, ck.Missing, want)
		}
	}

	ck := edit(func(ts []StoredTensor) []StoredTensor {
		return append(ts, StoredTensor{Name: "model.layers.0.self_attn.rotary_emb.inv_freq", DType: TensorF32, Shape: []int64{8}})
	})
	if len(ck.Unaccounted) != 1 || ck.UnaccountedValues != 8 {
		t.Errorf("unaccounted %+v", ck.Unaccounted)
	}

	i := find(2, "experts.down_proj", "weight_scale_inv", 3)
	ck = edit(func(ts []StoredTensor) []StoredTensor { return append(ts[:i], ts[i+1:]...) })
	if len(ck.Missing) != 1 || ck.Missing[0].Op != "experts.down_proj" || ck.Missing[0].Experts != 1 ||
		ck.Missing[0].LayerCount != 1 || ck.Missing[0].Layers[0].First != 2 {
		t.Errorf("missing %+v", ck.Missing)
	}

	ck = edit(with(find(1, "q_b_proj", "weight", 0), func(s *StoredTensor) { s.Shape = []int64{192, 65} }))
	oneDisagreement("shape", ck, DisagreeShape)
	if d := ck.Disagreements[0]; fmt.Sprint(d.WantShape) != "[192 64]" || d.WantDType != TensorF8E4M3 {
		t.Errorf("want %s %v", d.WantDType, d.WantShape)
	}
	oneDisagreement("dtype", edit(with(find(1, "q_b_proj", "weight", 0), func(s *StoredTensor) { s.DType = TensorBF16 })), DisagreeDType)
	oneDisagreement("unquantised in an integer type", edit(with(find(-1, "embed_tokens", "weight", 0),
		func(s *StoredTensor) { s.DType = TensorI32 })), DisagreeDType)
	// A dense layer has no experts; layer 0 has a dense MLP.
	ck = edit(func(ts []StoredTensor) []StoredTensor {
		s := ts[find(1, "experts.up_proj", "weight", 0)]
		ref := *s.Ref
		ref.Layer, s.Ref = 0, &ref
		return append(ts, s)
	})
	oneDisagreement("no such op", ck, DisagreeNoOp)
	oneDisagreement("no such part", edit(func(ts []StoredTensor) []StoredTensor {
		s := ts[find(1, "o_proj", "weight", 0)]
		ref := *s.Ref
		ref.Part, s.Ref = "bias", &ref
		return append(ts, s)
	}), DisagreeNoPart)
	oneDisagreement("no such expert", edit(func(ts []StoredTensor) []StoredTensor {
		s := ts[find(1, "experts.up_proj", "weight", 0)]
		ref := *s.Ref
		ref.Expert, s.Ref = 4, &ref
		return append(ts, s)
	}), DisagreeExpert)
	oneDisagreement("no such layer", edit(func(ts []StoredTensor) []StoredTensor {
		s := ts[find(1, "o_proj", "weight", 0)]
		ref := *s.Ref
		ref.Layer, s.Ref = 4, &ref
		return append(ts, s)
	}), DisagreeLayer)
	oneDisagreement("duplicate", edit(func(ts []StoredTensor) []StoredTensor {
		return append(ts, ts[find(1, "o_proj", "weight", 0)])
	}), DisagreeDuplicate)
}

// TestCheckpointFusedAndStacked: fused ops (q, k, v in one matrix) and
// stacked experts ([E, …] in one tensor, transposed as transformers stores
// fused experts) hold what their parts hold; fusing a quantised op with an
// unquantised one is refused.
func TestCheckpointFusedAndStacked(t *testing.T) {
	c := checkpointConfigs()["moe"]
	const h, q, kv, f, E = 64, 64, 32, 32, 4
	ts := []StoredTensor{
		{Name: "embed", DType: TensorBF16, Shape: []int64{1000, h}, Ref: &TensorRef{Layer: -1, Ops: []string{"embed_tokens"}, Part: "weight"}},
		{Name: "norm", DType: TensorBF16, Shape: []int64{h}, Ref: &TensorRef{Layer: -1, Ops: []string{"final_norm"}, Part: "weight"}},
		{Name: "head", DType: TensorBF16, Shape: []int64{1000, h}, Ref: &TensorRef{Layer: -1, Ops: []string{"lm_head"}, Part: "weight"}},
	}
	for l := int64(0); l < 2; l++ {
		add := func(name string, shape []int64, ref TensorRef) {
			ref.Layer = l
			ts = append(ts, StoredTensor{Name: fmt.Sprintf("%d.%s", l, name), DType: TensorBF16, Shape: shape, Ref: &ref})
		}
		add("qkv", []int64{q + 2*kv, h}, TensorRef{Ops: []string{"q_proj", "k_proj", "v_proj"}, Part: "weight"})
		add("o", []int64{h, q}, TensorRef{Ops: []string{"o_proj"}, Part: "weight"})
		add("in", []int64{h}, TensorRef{Ops: []string{"attention_norm"}, Part: "weight"})
		add("post", []int64{h}, TensorRef{Ops: []string{"mlp_norm"}, Part: "weight"})
		add("router", []int64{E, h}, TensorRef{Ops: []string{"router"}, Part: "weight"})
		add("gate_up", []int64{E, h, 2 * f}, TensorRef{Ops: []string{"experts.gate_proj", "experts.up_proj"}, Part: "weight",
			Stacked: true, Transposed: true})
		add("down", []int64{E, f, h}, TensorRef{Ops: []string{"experts.down_proj"}, Part: "weight", Stacked: true, Transposed: true})
		add("shared_gate_up", []int64{2 * f, h}, TensorRef{Ops: []string{"shared_expert.gate_proj", "shared_expert.up_proj"}, Part: "weight"})
		add("shared_down", []int64{h, f}, TensorRef{Ops: []string{"shared_expert.down_proj"}, Part: "weight"})
		add("shared_expert_gate", []int64{1, h}, TensorRef{Ops: []string{"shared_expert_gate"}, Part: "weight"})
	}
	ck, err := CompareCheckpoint(c, 1, 0, ts)
	if err != nil {
		t.Fatal(err)
	}
	r := mustAnalyze(t, c, Workload{BatchSize: 1, SeqLen: 8, DType: BF16})
	if !ck.Agrees || ck.Params != r.Params.Total {
		t.Errorf("agrees %v, params %d of %d: %+v %+v", ck.Agrees, ck.Params, r.Params.Total, ck.Missing, ck.Disagreements)
	}

	c.Quantization = &Quantization{Method: QuantFP8, Bits: 8, PerTensor: true, DType: BF16,
		NotQuantized: []QuantSkip{{Op: "k_proj"}}}
	ck, err = CompareCheckpoint(c, 1, 0, ts)
	if err != nil {
		t.Fatal(err)
	}
	fused := 0
	for _, d := range ck.Disagreements {
		if d.Reason == DisagreeFused {
			fused++
		}
	}
	if fused != 2 {
		t.Errorf("%d fused disagreements, want one per layer: %+v", fused, ck.Disagreements)
	}
}
