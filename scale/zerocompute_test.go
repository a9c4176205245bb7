package scale

import (
	"math/big"
	"testing"
)

// TestZeroComputationAndDenseBesideMoEByHand counts LongCat-Flash's two MoE
// features by hand on a small model (modeling_longcat_flash.py): the router
// Linear(h, E + Z) scores Z identity experts beside the E FFN experts, a
// token slot routed to one costs nothing and owns nothing, and params.active
// and the FLOPs count zero_computation_slots_per_tok of the k slots as such;
// with dense_mlp_with_moe an MoE layer also runs a dense MLP of
// intermediate_size on the same normed input.
func TestZeroComputationAndDenseBesideMoEByHand(t *testing.T) {
	w := Workload{BatchSize: 2, SeqLen: 9, DType: BF16}
	const L, h, H, K, d, E, k, fe, f, Z, zs = 2, 64, 4, 2, 16, 8, 4, 32, 48, 3, 1
	T := w.BatchSize * w.SeqLen
	moe := llamaStyle(1000, h, L, H, K, d, 0)
	moe.NumLocalExperts, moe.NumExpertsPerTok, moe.MoEIntermediateSize = E, k, fe
	before := mustAnalyze(t, moe, w)

	zero := moe
	zero.ZeroComputationExperts, zero.ZeroComputationSlotsPerTok = Z, zs
	r := mustAnalyze(t, zero, w)
	expert := int64(3 * h * fe) // gate, up, down of one expert
	if got, want := r.Params.Total-before.Params.Total, int64(L*h*Z); got != want {
		t.Errorf("zero-computation experts add %d parameters, want the router's L·h·Z = %d", got, want)
	}
	if got, want := r.Params.Active-before.Params.Active, int64(L*h*Z)-L*zs*expert; got != want {
		t.Errorf("params.active changes by %d, want L·h·Z − L·zs·(3·h·fe) = %d", got, want)
	}
	if got, want := r.Params.ActiveMin, r.Params.Active-L*(k-zs)*expert; got != want {
		t.Errorf("params.active_min %d, want %d (no FFN expert)", got, want)
	}
	if got, want := r.Params.ActiveMax, r.Params.Active+L*zs*expert; got != want {
		t.Errorf("params.active_max %d, want %d (every slot an FFN expert)", got, want)
	}
	if before.Params.ActiveMin != 0 || before.Params.ActiveMax != 0 {
		t.Errorf("bounds without zero-computation experts: %d, %d, want none", before.Params.ActiveMin, before.Params.ActiveMax)
	}
	// Forward: the router over E + Z outputs, k − zs expert slots per token.
	diff := new(big.Int).Sub(r.FLOPs.Forward, before.FLOPs.Forward)
	if want := big.NewInt(2 * T * L * (h*Z - zs*expert)); diff.Cmp(want) != 0 {
		t.Errorf("forward FLOPs change by %v, want 2·T·L·(h·Z − zs·3·h·fe) = %v", diff, want)
	}
	rt := r.Layers[0].Routing
	if rt.ZeroComputationExperts != Z || rt.ZeroComputationSlots.Cmp(big.NewInt(T*zs)) != 0 ||
		rt.TokenSlots.Cmp(big.NewInt(T*k)) != 0 || rt.SlotsPerExpert.String() != big.NewRat(T*(k-zs), E).RatString() {
		t.Errorf("routing %+v", rt)
	}
	// The decode of one token sums to the forward pass of one token.
	one := mustAnalyze(t, zero, Workload{BatchSize: 1, SeqLen: 1, DType: BF16})
	if one.Inference.Decode[0].FLOPs.Cmp(one.FLOPs.Forward) != 0 {
		t.Errorf("decode at KV length 1: %v FLOPs, forward of one token %v", one.Inference.Decode[0].FLOPs, one.FLOPs.Forward)
	}

	both := zero
	both.DenseMLPWithMoE, both.IntermediateSize = true, f
	r2 := mustAnalyze(t, both, w)
	if got, want := r2.Params.Total-r.Params.Total, int64(L*3*h*f); got != want {
		t.Errorf("a dense MLP beside the experts adds %d parameters, want L·3·h·f = %d", got, want)
	}
	if got, want := r2.Params.Active-r.Params.Active, int64(L*3*h*f); got != want {
		t.Errorf("and %d active ones, want %d", got, want)
	}
	if diff := new(big.Int).Sub(r2.FLOPs.Forward, r.FLOPs.Forward); diff.Cmp(big.NewInt(2*T*L*3*h*f)) != 0 {
		t.Errorf("and %v forward FLOPs, want 2·T·L·3·h·f", diff)
	}
	for _, cc := range r2.CrossChecks {
		if (cc.Name == CheckMaxText || cc.Name == CheckMegatronLM) && cc.Applies {
			t.Errorf("%s applies to a model with zero-computation experts and a dense MLP beside them", cc.Name)
		}
	}
}
