package scale

import (
	"math/big"
	"slices"
	"strconv"
)

// costs fills in the training, inference and memory views and the
// cross-checks against published formulas, from the totals of r.
func costs(calc *checked, r *Report, groups []layerGroup) {
	trainingFLOPs(r)
	memoryViews(calc, r)
	inference(calc, r, groups)
	r.CrossChecks = crossChecks(calc, r)
}

// trainingFLOPs: training = 3 × forward, with recomputation 4 × forward,
// per token and for a run.
func trainingFLOPs(r *Report) {
	f := &r.FLOPs
	tokens := r.Workload.Tokens
	f.Training = new(big.Int).Mul(f.Forward, big.NewInt(3))
	f.TrainingWithRecomputation = new(big.Int).Mul(f.Forward, big.NewInt(4))
	f.PerToken = PerTokenFLOPs{
		Forward:                   newFraction(f.Forward, tokens),
		ForwardDense:              newFraction(f.ForwardDense, tokens),
		Training:                  newFraction(f.Training, tokens),
		TrainingWithRecomputation: newFraction(f.TrainingWithRecomputation, tokens),
	}
	if D := r.Workload.TrainingTokens; D > 0 {
		f.TrainingRun = &TrainingRun{
			Tokens:                 D,
			FLOPs:                  roundedQuotient(new(big.Int).Mul(f.Training, big.NewInt(D)), tokens),
			FLOPsWithRecomputation: roundedQuotient(new(big.Int).Mul(f.TrainingWithRecomputation, big.NewInt(D)), tokens),
			Formula:                "flops.training × training_tokens / (batch_size × seq_len), rounded to the nearest FLOP",
		}
	}
}

// roundedQuotient is n/d rounded to the nearest integer, halves up (n, d > 0).
func roundedQuotient(n, d *big.Int) *big.Int {
	q := new(big.Int).Mul(n, big.NewInt(2))
	q.Add(q, d)
	return q.Quo(q, new(big.Int).Mul(d, big.NewInt(2)))
}

// trainingState is mixed-precision Adam: 16 bytes per parameter.
var trainingState = []struct {
	name  string
	bytes int64
}{
	{"bf16 weights", 2},
	{"bf16 gradients", 2},
	{"fp32 master weights", 4},
	{"fp32 Adam first moment (m)", 4},
	{"fp32 Adam second moment (v)", 4},
}

func memoryViews(calc *checked, r *Report) {
	m, p, w := &r.Memory, r.Params, r.Workload
	for _, d := range DTypes() {
		m.WeightsByDType = append(m.WeightsByDType, DTypeBytes{
			DType:       d,
			TotalBytes:  bytesOf(calc, "weights bytes", p.Total, d.Bits()),
			ActiveBytes: bytesOf(calc, "active weights bytes", p.Active, d.Bits()),
		})
	}
	checkpointWeights(calc, r)
	m.KVCacheElementsPerTokenMHA = mhaKVElementsPerToken(calc, r)
	for _, s := range trainingState {
		b := calc.mul("memory.training_state_bytes", p.Total, s.bytes)
		m.TrainingState = append(m.TrainingState, StateBytes{Name: s.name, BytesPerParam: s.bytes, Bytes: b})
		m.TrainingStateBytes = calc.add("memory.training_state_bytes", m.TrainingStateBytes, b)
	}

	bits := w.DType.Bits()
	ae := m.ActivationElements
	m.TrainingActivations = []ActivationMemory{
		{Convention: ConventionEveryIntermediate, Applies: true, Bytes: bigBytesOf(ae.Total, bits)},
		{Convention: ConventionFlashAttention, Applies: true, Bytes: bigBytesOf(new(big.Int).Sub(ae.Total, ae.AttentionScores), bits)},
	}
	c := r.Config
	s, b, h, a, L := w.SeqLen, w.BatchSize, c.HiddenSize, c.NumAttentionHeads, c.NumHiddenLayers
	why := korthikantiMismatch(c)
	if len(why) == 0 && bits != 16 {
		why = []Mismatch{MismatchActivationDType}
	}
	full := ActivationMemory{Convention: ConventionKorthikantiFull, Applies: len(why) == 0, Bytes: new(big.Int), NotApplicable: why}
	selective := ActivationMemory{Convention: ConventionKorthikantiSelective, Applies: len(why) == 0, Bytes: new(big.Int), NotApplicable: why}
	if len(why) == 0 {
		full.Bytes = scaledBy(bigSum(bigProduct(34, s, b, h), bigProduct(5, a, s, s, b)), L)
		selective.Bytes = bigProduct(L, 34, s, b, h)
	}
	m.TrainingActivations = append(m.TrainingActivations, full, selective)
}

// mhaKVElementsPerToken is the KV cache per token of multi-head attention
// with the model's heads, DeepSeek-V2's Table 1 baseline 2·n_h·d_h·l: per
// layer with attention 2·H·d, or with MLA H·(qk_nope_head_dim +
// v_head_dim).
func mhaKVElementsPerToken(calc *checked, r *Report) int64 {
	const what = "memory.kv_cache_elements_per_token_mha"
	c := r.Config
	perLayer := calc.mul(what, 2, c.NumAttentionHeads, c.HeadDim)
	if c.IsMLA() {
		perLayer = calc.mul(what, c.NumAttentionHeads, calc.add(what, c.QKNopeHeadDim, c.VHeadDim))
	}
	var n int64
	for _, lg := range r.Layers {
		if lg.Shape == nil || lg.Shape.Attention == PartFull {
			n = calc.add(what, n, calc.mul(what, lg.Count, perLayer))
		}
	}
	return n
}

// korthikantiMismatch says why a config is not the standard GPT block that
// Korthikanti et al. 2022 and Narayanan et al. 2021 assume (multi-head
// attention with heads × head_dim = hidden, a 4·hidden two-matrix MLP,
// sequential pre-norm blocks, no experts, full attention); none if it is.
func korthikantiMismatch(c Config) []Mismatch {
	var why []Mismatch
	switch {
	case c.IsMoE():
		why = append(why, MismatchMoE)
	case c.MLP != MLPStandard:
		why = append(why, MismatchGatedMLP)
	case bigProduct(4, c.HiddenSize).Cmp(big.NewInt(c.IntermediateSize)) != 0:
		why = append(why, MismatchMLPWidth)
	}
	switch {
	case c.IsMLA():
		why = append(why, MismatchMLA)
	case c.NumKeyValueHeads != c.NumAttentionHeads:
		why = append(why, MismatchFewerKVHeads)
	case bigProduct(c.NumAttentionHeads, c.HeadDim).Cmp(big.NewInt(c.HiddenSize)) != 0:
		why = append(why, MismatchHeadWidth)
	}
	if c.SlidingWindow > 0 || c.AttentionChunkSize > 0 {
		why = append(why, MismatchWindowed)
	}
	if c.ParallelBlock || c.NormsPerLayer != 2 {
		why = append(why, MismatchBlock)
	}
	if c.HasLayerShapes() {
		why = append(why, MismatchLayerShapes)
	}
	if c.Mamba2BesideAttention {
		why = append(why, MismatchMamba2)
	}
	return why
}

// decodeLengths are the KV lengths at which decoding is shown: 1, and an
// eighth, a quarter, a half and all of the workload's sequence length.
func decodeLengths(s int64) []int64 {
	ks := []int64{1, s / 8, s / 4, s / 2, s}
	ks = slices.DeleteFunc(ks, func(k int64) bool { return k < 1 })
	slices.Sort(ks)
	return slices.Compact(ks)
}

func inference(calc *checked, r *Report, groups []layerGroup) {
	w := r.Workload
	in := &r.Inference
	in.PrefillFLOPs = new(big.Int).Set(r.FLOPs.Forward)
	in.WeightsBytesPerDecodedToken = bytesOf(calc, "inference.weights_bytes_per_decoded_token", decodedWeights(calc, r), w.DType.Bits())
	d := newDecoder(calc, r, groups)
	for _, k := range decodeLengths(w.SeqLen) {
		flops, kvBytes := d.cost(k)
		step := DecodeStep{KVLength: k, FLOPs: flops, KVCacheBytesRead: kvBytes}
		if r.Config.HasRecurrent() { // the recurrent state, whatever k
			step.RecurrentStateBytesRead = big.NewInt(r.Memory.RecurrentStateBytesPerSequence)
		}
		in.Decode = append(in.Decode, step)
	}
}

// decodedWeights is the weights one decoded token reads: params.active,
// less every input embedding table but the one row the token looks up. A
// tied token embedding is read whole all the same, as the LM head.
func decodedWeights(calc *checked, r *Report) int64 {
	const what = "inference.weights_bytes_per_decoded_token"
	n := r.Params.Active
	for _, o := range r.Embedding.Ops {
		if o.Kind != KindGather || (o.Name == "embed_tokens" && r.Config.TieWordEmbeddings) {
			continue
		}
		n = calc.add(what, n-o.Params, r.Config.HiddenSize)
	}
	return n
}

// decoder holds the per-token terms of a model: the FLOPs of one token's
// weight matmuls, and per layer group its attention FLOPs per (query, key)
// pair and its KV cache per cached token. It prices decoding one token, and
// the cost model builds on it.
type decoder struct {
	base   *big.Int // FLOPs of one token but its attention scores: embedding + head + Σ n·w
	groups []decodeGroup
	kvBits int64
}

// decodeGroup is one layer group's terms: n layers of span sp.
type decodeGroup struct {
	span       span
	perPair    *big.Int // n·2·H·(qk_dim + v_dim): attention FLOPs per pair scored
	kvPerToken *big.Int // n × KV cache elements per cached token
}

// newDecoder reads the decoder of r's model from r, whatever its workload.
// Every op but the attention scores and weighted values works on each token
// alone (a projection, a norm, an expert, a recurrent step), so that its
// FLOPs are the tokens times those of one token: the forward FLOPs less the
// attention scores, over the tokens, are exactly one token's (the cost
// model's closed forms rest on the same fact, and TestCostModelEqualsAnalyze
// and TestDecodeSumsToForward check it).
func newDecoder(calc *checked, r *Report, groups []layerGroup) *decoder {
	c := r.Config
	base := new(big.Int).Sub(r.FLOPs.Forward, r.FLOPs.Blocks.AttentionScores)
	d := &decoder{kvBits: r.Workload.KVDType.Bits(), base: base.Quo(base, r.Workload.Tokens)}
	qk, v := c.headDims(calc)
	perKey := bigProduct(2, c.NumAttentionHeads, calc.add("query/key and value head widths", qk, v))
	for i, g := range groups {
		lg := &r.Layers[i]
		perPair := scaledBy(perKey, lg.Count)
		if g.spec.attention != PartFull && !g.spec.shared { // no keys scored
			perPair = new(big.Int)
		}
		d.groups = append(d.groups, decodeGroup{span: g.spec.span, perPair: perPair,
			kvPerToken: bigProduct(lg.Count, lg.KVCacheElementsPerToken)})
	}
	return d
}

// flopsInto sets z to the FLOPs of decoding one token at KV length k (the
// new token included): one token's weight matmuls, and each layer's
// attention over the keys it scores (fewer on windowed or chunked layers).
// t is scratch.
func (d *decoder) flopsInto(z, t *big.Int, k int64) *big.Int {
	z.Set(d.base)
	for _, g := range d.groups {
		z.Add(z, t.Mul(t.SetInt64(g.span.keys(k)), g.perPair))
	}
	return z
}

// kvElementsInto sets z to the KV cache elements of one sequence whose
// cache holds k tokens (at most its window or chunk on each layer). t is
// scratch.
func (d *decoder) kvElementsInto(z, t *big.Int, k int64) *big.Int {
	z.SetInt64(0)
	for _, g := range d.groups {
		z.Add(z, t.Mul(t.SetInt64(g.span.cachedTokens(k)), g.kvPerToken))
	}
	return z
}

// kvReadInto sets z to the KV cache elements a token decoded at KV length
// k reads: on each layer, those of the keys it scores (min(k, w) on a
// windowed layer, (k−1) mod c + 1 on a chunked one), as its FLOPs count
// them. t is scratch.
func (d *decoder) kvReadInto(z, t *big.Int, k int64) *big.Int {
	z.SetInt64(0)
	for _, g := range d.groups {
		z.Add(z, t.Mul(t.SetInt64(g.span.keys(k)), g.kvPerToken))
	}
	return z
}

// cost is the FLOPs and KV-cache bytes read of decoding one token of one
// sequence at KV length k.
func (d *decoder) cost(k int64) (flops, kvBytes *big.Int) {
	var t big.Int
	flops = d.flopsInto(new(big.Int), &t, k)
	return flops, bytesInto(d.kvReadInto(new(big.Int), &t, k), d.kvBits)
}

// chinchillaForwardFLOPs is the forward FLOPs of one sequence of seqLen
// tokens by Hoffmann et al. 2022 (Chinchilla), Appendix F, for a model of
// layers × (attention of heads × kqSize, dense block dModel → ffw → dModel):
//
//	embeddings      2 · seq · vocab · d_model
//	per layer       2·3·seq·d_model·(kq·heads)  key, query, value projections
//	                2·seq²·(kq·heads)           key @ query logits
//	                3·heads·seq²                softmax
//	                2·seq²·(kq·heads)           softmax @ value reductions
//	                2·seq·(kq·heads)·d_model    final linear
//	                2·seq·(2·d_model·ffw)       dense block
//	final logits    2 · seq · d_model · vocab
//
// The paper says all of these are included, but its Table A4 ratios to 6ND
// are reproduced only when the embedding and final-logit terms are left out
// (withEmbeddingsAndLogits false): a known slip in the paper, found by
// Karpathy's nanoGPT scaling_laws notebook and confirmed there by the
// authors. Training FLOPs are 3 × these (backward = 2 × forward).
func chinchillaForwardFLOPs(layers, dModel, ffw, heads, kqSize, seqLen, vocab int64, withEmbeddingsAndLogits bool) *big.Int {
	s, A := seqLen, bigProduct(heads, kqSize)
	layer := bigSum(scaledBy(A, 2, 3, s, dModel), scaledBy(A, 2, s, s), bigProduct(3, heads, s, s),
		scaledBy(A, 2, s, s), scaledBy(A, 2, s, dModel), bigProduct(2, s, 2, dModel, ffw))
	total := new(big.Int).Mul(layer, big.NewInt(layers))
	if withEmbeddingsAndLogits {
		total.Add(total, bigProduct(2, 2, s, vocab, dModel))
	}
	return total
}

// ratio is value / exact to 6 significant digits.
func ratio(value *big.Int, exact *big.Rat) float64 {
	if exact.Sign() == 0 {
		return 0
	}
	f, _ := new(big.Rat).Quo(new(big.Rat).SetInt(value), exact).Float64()
	rounded, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 6, 64), 64)
	return rounded
}

// crossChecks evaluates published FLOP formulas on r's model and workload.
func crossChecks(calc *checked, r *Report) []CrossCheck {
	c, w, p, f := r.Config, r.Workload, r.Params, r.FLOPs
	tokens := w.Tokens
	perToken := func(x *big.Int) *big.Rat { return new(big.Rat).SetFrac(x, tokens) }
	perSequence := new(big.Rat).SetFrac(f.Training, big.NewInt(w.BatchSize))
	type exact struct {
		name  string
		value *big.Rat
	}
	forwardPerToken := exact{"flops.per_token.forward", perToken(f.Forward)}
	trainingPerToken := exact{"flops.per_token.training", perToken(f.Training)}
	training := exact{"flops.training", new(big.Rat).SetInt(f.Training)}
	s, b, h, L, V := w.SeqLen, w.BatchSize, c.HiddenSize, c.NumHiddenLayers, c.VocabSize
	H, d := c.NumAttentionHeads, c.HeadDim
	dAttn := bigProduct(H, d)

	var moe, denseAttention, shapes, windowed []Mismatch
	if c.IsMoE() {
		moe = []Mismatch{MismatchMoEActive}
	}
	if c.HasLayerShapes() {
		shapes = []Mismatch{MismatchLayerShapes}
	}
	if c.Mamba2BesideAttention {
		shapes = append(shapes, MismatchMamba2)
	}
	shapes = append(shapes, longcatMismatch(c)...)
	windowed = shapes
	if len(windowed) == 0 && (c.SlidingWindow > 0 || c.AttentionChunkSize > 0) {
		windowed = []Mismatch{MismatchWindowedKeys}
	}
	switch {
	case c.HasLayerShapes():
		denseAttention = []Mismatch{MismatchLayerShapes}
	case c.Mamba2BesideAttention:
		denseAttention = []Mismatch{MismatchMamba2}
	case c.IsMoE():
		denseAttention = []Mismatch{MismatchMoE}
	case c.IsMLA():
		denseAttention = []Mismatch{MismatchMLA}
	case c.SlidingWindow > 0 || c.AttentionChunkSize > 0:
		denseAttention = []Mismatch{MismatchWindowedKeys}
	}
	positions := new(big.Int) // the learned position table, offset rows included
	for _, o := range r.Embedding.Ops {
		if o.Name == "embed_positions" {
			positions.SetInt64(o.Params)
		}
	}
	mha := denseAttention
	if len(mha) == 0 && c.NumKeyValueHeads != H {
		mha = []Mismatch{MismatchKVProjections}
	}
	if len(mha) == 0 && c.MLP != MLPStandard {
		mha = []Mismatch{MismatchGatedTwoMatrices}
	}

	checks := make([]CrossCheck, 0, 16) // room for every check below, so that it grows once at most
	add := func(name string, value *big.Int, ex exact, source string, why []Mismatch) *CrossCheck {
		cc := CrossCheck{Name: name, Value: value, CompareWith: ex.name, Exact: (*Fraction)(ex.value),
			Source: source, Applies: len(why) == 0, NotApplicable: why}
		if cc.Applies {
			cc.RatioToExact = ratio(value, ex.value)
		}
		checks = append(checks, cc)
		return &checks[len(checks)-1]
	}
	// withTerms adds a formula whose every difference from flops.training
	// is known: its terms, where it applies.
	withTerms := func(name string, ft frameworkFLOPs, source string, why []Mismatch) {
		if cc := add(name, ft.value, training, source, why); cc.Applies {
			cc.Differences = ft.differences
		}
	}
	const twoN = "the common approximation: 2 FLOPs per parameter per token forward, 6 with the backward pass (Kaplan et al. 2020, §2.1)"
	add(Check2N, bigProduct(2, p.Total), forwardPerToken, twoN, moe)
	add(Check2NNonEmbedding, bigProduct(2, p.NonEmbedding), forwardPerToken, twoN, moe)
	add(Check6N, bigProduct(6, p.Total), trainingPerToken, twoN, moe)
	add(Check6NNonEmbedding, bigProduct(6, p.NonEmbedding), trainingPerToken, twoN, moe)
	if c.IsMoE() {
		add(Check2NActive, bigProduct(2, p.Active), forwardPerToken, twoN, nil)
		add(Check6NActive, bigProduct(6, p.Active), trainingPerToken, twoN, nil)
	}
	add(CheckKaplan, bigSum(bigProduct(2, kaplanN(r)), scaledBy(dAttn, 2, L, s)), forwardPerToken,
		"Kaplan et al. 2020, eq. 2.2 and Table 1 (N = params.non_embedding less an untied LM head: "+
			"Kaplan's N excludes every embedding and unembedding matrix; n_ctx = seq_len)", denseAttention)
	for _, with := range []bool{true, false} {
		chinchilla := chinchillaForwardFLOPs(L, h, c.IntermediateSize, H, d, s, V, with)
		chinchilla.Mul(chinchilla, big.NewInt(3)) // backward = 2 × forward
		name, source := CheckChinchilla, "Hoffmann et al. 2022, Appendix F (backward = 2 × forward)"
		if !with {
			name, source = CheckChinchillaNoEmbeddings, "Hoffmann et al. 2022, Appendix F without the embedding and final-logit terms, "+
				"the count behind Table A4 (backward = 2 × forward)"
		}
		add(name, chinchilla, exact{"flops.training / batch_size", perSequence}, source, mha)
	}
	add(CheckPaLM, bigSum(scaledBy(new(big.Int).Sub(big.NewInt(p.Total), positions), 6), bigProduct(12, L, H, d, s)), trainingPerToken,
		"Chowdhery et al. 2022, Appendix B; nanoGPT model.py estimate_mfu, flops_per_token "+
			"(N = parameters less position embeddings, as nanoGPT's get_num_params; Q = head_dim; T = seq_len)",
		denseAttention)
	withTerms(CheckMaxText, maxTextFLOPs(calc, r),
		"MaxText maxtext_utils.py calculate_tflops_training_per_device, in FLOPs rather than TFLOPs, "+
			"per_device_batch_size = batch_size on one device (windowed and chunked layers as its Gemma 3, gpt-oss and Llama 4 paths count them)",
		shapes)
	megatronSource := "Megatron-LM megatron/training/training.py num_floating_point_operations (transformer_flops, no MTP layers)"
	withTerms(CheckMegatronLM, megatronLMFLOPs(calc, r, megatronPaddedVocab(calc, V)),
		megatronSource+", vocabulary padded to a multiple of 128 (make_vocab_size_divisible_by 128 × tensor parallel size 1)", windowed)
	withTerms(CheckMegatronLMUnpadded, megatronLMFLOPs(calc, r, V), megatronSource+", with the unpadded vocabulary", windowed)
	gpt := korthikantiMismatch(c)
	megatron := bigSum(bigProduct(96, b, s, L, h, h), bigProduct(16, b, s, s, L, h), bigProduct(6, b, s, h, V))
	add(CheckMegatron, megatron, exact{"flops.training_with_recomputation", new(big.Rat).SetInt(f.TrainingWithRecomputation)},
		"Narayanan et al. 2021, eq. 3 (full activation recomputation)", gpt)
	korthikanti := bigSum(bigProduct(72, b, s, L, h, h), bigProduct(12, b, s, s, L, h), bigProduct(6, b, s, h, V))
	add(CheckKorthikanti, korthikanti, training,
		"Korthikanti et al. 2022, Appendix A, eq. 7 (model FLOPs, no recomputation)", gpt)
	return checks
}

// longcatMismatch says why Megatron-LM's and MaxText's MoE formulas, which
// run num_experts_per_tok FFN experts per token behind a router over the
// FFN experts and give an MoE layer no dense MLP, do not fit: zero-computation
// experts, and a dense MLP beside the experts (LongCat-Flash).
func longcatMismatch(c Config) []Mismatch {
	var why []Mismatch
	if c.ZeroComputationExperts > 0 {
		why = append(why, MismatchZeroComputationExperts)
	}
	if c.DenseMLPWithMoE {
		why = append(why, MismatchDenseMLPWithMoE)
	}
	return why
}

// kaplanN is Kaplan et al.'s N: the parameters less every embedding and
// unembedding matrix, params.non_embedding less an untied LM head (and its
// bias).
func kaplanN(r *Report) int64 {
	n := r.Params.NonEmbedding
	for _, o := range r.Head.Ops {
		if o.Name == "lm_head" {
			n -= o.Params
		}
	}
	return n
}

// frameworkFLOPs is what a framework's formula gives for the training FLOPs
// of the workload, and the terms of flops.training − value.
type frameworkFLOPs struct {
	value       *big.Int
	differences []Difference
}

// frameworkShape is what Megatron-LM's and MaxText's formulas read of a
// model and workload: T = b·s tokens, the number of dense and MoE layers,
// the MLP matrices and head widths; and the terms of tscale's count that
// neither formula or Megatron-LM's alone leaves out.
type frameworkShape struct {
	T                   *big.Int
	dense, moe          int64 // layers with a dense MLP, and with experts
	matrices            int64 // MLP matrices: 3 gated, 2 standard
	qk, v               int64 // query/key and value head widths
	latentRanks         int64 // MLA: q_lora_rank + kv_lora_rank, which Megatron-LM counts as norms
	routerAndSharedGate []Difference
}

// newFrameworkShape reads r's frameworkShape.
func newFrameworkShape(calc *checked, r *Report) frameworkShape {
	c, w := r.Config, r.Workload
	fs := frameworkShape{T: bigProduct(w.BatchSize, w.SeqLen), matrices: 2}
	if c.MLP == MLPGated {
		fs.matrices = 3
	}
	fs.qk, fs.v = c.headDims(calc)
	if c.IsMLA() {
		fs.latentRanks = calc.add("q_lora_rank + kv_lora_rank", c.QLoraRank, c.KVLoraRank)
	}
	for _, lg := range r.Layers {
		if lg.MoE {
			fs.moe += lg.Count
		} else {
			fs.dense += lg.Count
		}
	}
	if fs.moe > 0 {
		fs.routerAndSharedGate = append(fs.routerAndSharedGate,
			Difference{Term: TermRouter, FLOPs: scaledBy(fs.T, 6, c.HiddenSize, c.NumLocalExperts, fs.moe)})
	}
	if fs.moe > 0 && c.SharedExpertGate {
		fs.routerAndSharedGate = append(fs.routerAndSharedGate,
			Difference{Term: TermSharedExpertGate, FLOPs: scaledBy(fs.T, 6, c.HiddenSize, fs.moe)})
	}
	return fs
}

// attentionPairs is the training FLOPs of the attention scores and
// weighted values when each layer group scores the pairs pairs2(span)/2
// per head and sequence: 3·n·H·(qk + v)·b·pairs2 summed over the groups.
// Twice the pairs keeps the halves of s²/2 whole.
func (fs frameworkShape) attentionPairs(r *Report, pairs2 func(span) *big.Int) *big.Int {
	total := new(big.Int)
	for _, lg := range r.Layers {
		if lg.Shape != nil && lg.Shape.Attention != PartFull {
			continue
		}
		sp := span{window: lg.SlidingWindow, chunk: lg.AttentionChunkSize}
		perPair := scaledBy(bigSum(big.NewInt(fs.qk), big.NewInt(fs.v)), 3, lg.Count, r.Config.NumAttentionHeads, r.Workload.BatchSize)
		total.Add(total, perPair.Mul(perPair, pairs2(sp)))
	}
	return total
}

// pairsDifferenceFrom is the attention-pairs term of flops.training less a
// formula that counts pairs2(span)/2 pairs.
func (fs frameworkShape) pairsDifferenceFrom(r *Report, pairs2 func(span) *big.Int) Difference {
	s := r.Workload.SeqLen
	exact := fs.attentionPairs(r, func(sp span) *big.Int { return twice(sp.pairs(s)) })
	return Difference{Term: TermAttentionPairs, FLOPs: exact.Sub(exact, fs.attentionPairs(r, pairs2))}
}

// megatronPaddedVocab is the vocabulary Megatron-LM's logits span: V
// rounded up to a multiple of MegatronVocabMultiple.
func megatronPaddedVocab(calc *checked, V int64) int64 {
	return calc.add("Megatron-LM padded vocabulary", V, MegatronVocabMultiple-1) / MegatronVocabMultiple * MegatronVocabMultiple
}

// megatronLMFLOPs is Megatron-LM's num_floating_point_operations for the
// workload (transformer_flops, no MTP layers), with logits over vocab
// entries: per token, 6× the weight-matmul MACs of every layer (GQA or MLA
// projections, dense MLPs of intermediate_size, routed and shared experts,
// no router) and of the logits, plus causal attention counted as s/2 keys
// per query. MLA's q_a and kv_a norms count as width-1 matmuls.
func megatronLMFLOPs(calc *checked, r *Report, vocab int64) frameworkFLOPs {
	c, w := r.Config, r.Workload
	fs := newFrameworkShape(calc, r)
	s, h, L, H, K, d := w.SeqLen, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim
	// MACs per token of the weight matmuls.
	macs := bigSum(
		bigProduct(h, c.IntermediateSize, fs.matrices, fs.dense),
		bigProduct(h, c.MoEIntermediateSize, c.NumExpertsPerTok, fs.matrices, fs.moe),
		bigProduct(h, c.SharedExpertIntermediateSize, fs.matrices, fs.moe),
		bigProduct(h, vocab))
	var attention *big.Int // per layer
	if c.IsMLA() {
		q := bigProduct(h, H, fs.qk)
		if c.QLoraRank > 0 { // q_a, q_b and q_a_layernorm
			q = scaledBy(bigSum(big.NewInt(h), bigProduct(H, fs.qk), big.NewInt(1)), c.QLoraRank)
		}
		attention = bigSum(q,
			scaledBy(bigSum(big.NewInt(h), bigProduct(H, c.QKNopeHeadDim), bigProduct(H, c.VHeadDim), big.NewInt(1)), c.KVLoraRank), // kv_b_proj, kv_a_layernorm
			bigProduct(h, c.QKRopeHeadDim), // kv_a_proj_with_mqa: the latent is counted with kv_b_proj above
			bigProduct(H, fs.v, h))
	} else {
		attention = bigSum(bigProduct(h, H, d), bigProduct(2, h, K, d), bigProduct(H, d, h))
	}
	macs.Add(macs, scaledBy(attention, L))
	value := new(big.Int).Mul(fs.T, scaledBy(macs, 6))
	full := func(span) *big.Int { return bigProduct(s, s) } // s²/2 pairs, whatever the span
	value.Add(value, fs.attentionPairs(r, full))

	diffs := []Difference{fs.pairsDifferenceFrom(r, full)}
	diffs = append(diffs, fs.routerAndSharedGate...)
	if fs.latentRanks > 0 {
		diffs = append(diffs, Difference{Term: TermLatentNorms, FLOPs: scaledBy(fs.T, -6, fs.latentRanks, L)})
	}
	if vocab != c.VocabSize {
		diffs = append(diffs, Difference{Term: TermVocabPadding, FLOPs: scaledBy(fs.T, -6, h, vocab-c.VocabSize), PaddedVocabSize: vocab})
	}
	return frameworkFLOPs{value: value, differences: diffs}
}

// maxTextFLOPs is MaxText's calculate_tflops_training_per_device for the
// workload, in FLOPs: 3× the forward weight matmuls (GQA or MLA
// projections, dense MLPs, the router, routed and shared experts, the
// logits) plus causal attention counted as s²/2 pairs per head on a global
// layer, s·min(w, s)/2 on a windowed one and (⌊s/c⌋·c² + (s mod c)²)/2 on
// a chunked one.
func maxTextFLOPs(calc *checked, r *Report) frameworkFLOPs {
	c, w := r.Config, r.Workload
	fs := newFrameworkShape(calc, r)
	s, h, L, H, K, d := w.SeqLen, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim
	// MACs per token of the weight matmuls.
	macs := bigSum(
		bigProduct(h, c.IntermediateSize, fs.matrices, fs.dense),
		bigProduct(h, c.NumLocalExperts, fs.moe), // gate_flops
		bigProduct(h, c.MoEIntermediateSize, c.NumExpertsPerTok, fs.matrices, fs.moe),
		bigProduct(h, c.SharedExpertIntermediateSize, fs.matrices, fs.moe),
		bigProduct(h, c.VocabSize))
	var attention *big.Int // per layer
	if c.IsMLA() {
		q := bigProduct(h, H, fs.qk)
		if c.QLoraRank > 0 {
			q = bigSum(bigProduct(h, c.QLoraRank), bigProduct(c.QLoraRank, H, fs.qk))
		}
		attention = bigSum(q, bigProduct(h, c.KVLoraRank), bigProduct(h, c.QKRopeHeadDim),
			bigProduct(c.KVLoraRank, H, c.QKNopeHeadDim), bigProduct(c.KVLoraRank, H, c.VHeadDim), bigProduct(h, H, fs.v))
	} else {
		attention = bigSum(bigProduct(h, H, d), bigProduct(2, h, K, d), bigProduct(h, H, d))
	}
	macs.Add(macs, scaledBy(attention, L))
	value := new(big.Int).Mul(fs.T, scaledBy(macs, 6))
	pairs2 := func(sp span) *big.Int {
		switch {
		case sp.window > 0:
			return bigProduct(s, min(sp.window, s))
		case sp.chunk > 0:
			return bigSum(bigProduct(s/sp.chunk, sp.chunk, sp.chunk), bigProduct(s%sp.chunk, s%sp.chunk))
		}
		return bigProduct(s, s)
	}
	value.Add(value, fs.attentionPairs(r, pairs2))
	diffs := []Difference{fs.pairsDifferenceFrom(r, pairs2)}
	for _, t := range fs.routerAndSharedGate {
		if t.Term != TermRouter { // MaxText counts the router (its gate_flops)
			diffs = append(diffs, t)
		}
	}
	return frameworkFLOPs{value: value, differences: diffs}
}
