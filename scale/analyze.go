package scale

import (
	"errors"
	"math/big"
	"strings"
)

// Analyze validates c and w and computes the Report of running c on w.
// It returns every validation error at once, or an *OverflowError naming the
// first per-op or per-layer quantity that does not fit in an int64.
func Analyze(c Config, w Workload) (*Report, error) {
	if err := errors.Join(c.Validate(), w.Validate(c)); err != nil {
		return nil, err
	}
	if w.KVDType == "" {
		w.KVDType = w.DType
	}
	calc := &checked{}
	ob := newOpBuilder(calc, c, w)
	r := &Report{
		Config: c,
		Architecture: Architecture{
			AttentionType: c.AttentionType(),
			GroupSize:     c.GroupSize(),
			QueryWidth:    calc.mul("query width", c.NumAttentionHeads, c.HeadDim),
			KVWidth:       calc.mul("key/value width", c.NumKeyValueHeads, c.HeadDim),
		},
		Workload:    WorkloadSummary{Workload: w, Tokens: new(big.Int).Set(ob.tokens)},
		Conventions: conventions(c),
	}
	r.Embedding = stage(calc, ob.embeddingOps())
	r.Head = stage(calc, ob.headOps())

	groups := groupLayers(c.layerSpecs())
	for _, g := range groups {
		lg := analyzeLayer(calc, ob, g.spec)
		lg.Count = int64(len(g.indices))
		lg.Ranges = layerRanges(g.indices)
		r.Layers = append(r.Layers, lg)
	}
	totals(calc, r)
	r.Params.MTP = mtpParams(calc, c)
	r.Params.Vision = c.VisionParams
	costs(calc, r, groups)
	if calc.err != nil {
		return nil, calc.err
	}
	return r, nil
}

// tableParams is the parameters of the lookup tables (gathers) among ops:
// params.embedding, which leaves out a norm over the embeddings.
func tableParams(calc *checked, ops []Op) int64 {
	var n int64
	for _, o := range ops {
		if o.Kind == KindGather {
			n = calc.add("params.embedding", n, o.Params)
		}
	}
	return n
}

// stage sums the params, FLOPs and activation elements of ops run once.
func stage(calc *checked, ops []Op) Stage {
	st := Stage{Ops: ops, FLOPs: new(big.Int), ActivationElements: new(big.Int)}
	for _, o := range ops {
		st.Params = calc.add("params of "+string(o.Block), st.Params, o.Params)
		st.FLOPs.Add(st.FLOPs, o.FLOPs)
		st.ActivationElements.Add(st.ActivationElements, materialized(o))
	}
	return st
}

var zero = new(big.Int)

// materialized is the number of new activation elements o writes (not to
// be modified).
func materialized(o Op) *big.Int {
	if o.View {
		return zero
	}
	return o.OutputElements
}

// layerOps is room for the ops of one layer: 28 at most in the presets.
const layerOps = 32

// analyzeLayer builds the ops of one layer of kind spec and sums them.
func analyzeLayer(calc *checked, ob *opBuilder, spec layerSpec) LayerGroup {
	c := ob.cfg
	var attnNorm, mlpNorm string
	switch {
	case !c.ParallelBlock:
		attnNorm, mlpNorm = "attention_norm", "mlp_norm"
	case c.NormsPerLayer == 1:
		attnNorm = "input_norm" // read by attention and MLP alike
	default:
		attnNorm, mlpNorm = "attention_norm", "mlp_norm"
	}
	ops := make([]Op, 0, layerOps)
	if spec.shared { // Zamba2: the shared block first, added to the mixer's input
		ops = append(ops, ob.sharedBlockOps()...)
	}
	ops = ob.attentionOps(ops, attnNorm, spec)
	lg := LayerGroup{MoE: spec.moe}
	switch spec.mlp {
	case PartNone: // no norm, no MLP, no residual add
	case PartLinear:
		ops = append(ops, ob.hiddenNorm(mlpNorm, BlockMLP),
			ob.linear("mlp_linear", BlockMLP, []int64{ob.b, ob.s}, c.HiddenSize, c.HiddenSize, false),
			ob.residual("mlp_residual", BlockMLP, 2))
	default:
		if mlpNorm != "" && !c.PostNorm {
			ops = append(ops, ob.hiddenNorm(mlpNorm, BlockMLP))
		}
		addends := 2                        // the residual and the MLP's output
		if !spec.moe || c.DenseMLPWithMoE { // dense_mlp_with_moe: the dense MLP, then the experts beside it
			ops = ob.mlpOps(ops, "", []int64{ob.b, ob.s}, spec.ffn)
		}
		if spec.moe {
			var routing *Routing
			ops, routing = ob.moeOps(ops)
			lg.Routing = routing
			if c.DenseMLPWithMoE {
				addends = 3
			}
		}
		if c.NormsPerLayer == 4 || c.PostNorm {
			ops = append(ops, ob.hiddenNorm("post_mlp_norm", BlockMLP))
		}
		if c.ParallelBlock {
			ops = append(ops, ob.residual("residual", BlockMLP, 3))
		} else {
			ops = append(ops, ob.residual("mlp_residual", BlockMLP, addends))
		}
	}
	lg.Ops = ops
	if c.HasLayerShapes() {
		lg.Shape = &LayerShape{Attention: spec.attention, NumKeyValueHeads: spec.kvHeads, MLP: spec.mlp, IntermediateSize: spec.ffn,
			SharedBlock: spec.shared}
	}

	f := &lg.FLOPs
	*f = LayerFLOPs{Forward: new(big.Int), ForwardDense: new(big.Int), AttentionProjections: new(big.Int),
		AttentionScores: new(big.Int), AttentionScoresDense: new(big.Int), MLP: new(big.Int)}
	a := &lg.ActivationElements
	*a = LayerActivationElements{Total: new(big.Int), Attention: new(big.Int), MLP: new(big.Int), AttentionScores: new(big.Int)}
	for _, o := range ops {
		if !o.Shared { // a shared block's weights are params.shared_blocks
			lg.Params = calc.add("layer params", lg.Params, o.Params)
			lg.ActiveParams = calc.add("layer active params", lg.ActiveParams, o.ActiveParams)
		}
		f.Forward.Add(f.Forward, o.FLOPs)
		f.ForwardDense.Add(f.ForwardDense, o.FLOPsDense)
		el := materialized(o)
		a.Total.Add(a.Total, el)
		switch {
		case o.Block == BlockMLP:
			f.MLP.Add(f.MLP, o.FLOPs)
			a.MLP.Add(a.MLP, el)
		case o.Block == BlockSSM:
			ssmInto(&lg, o, el)
		case o.Kind == KindScores || o.Kind == KindWeightedValues:
			f.AttentionScores.Add(f.AttentionScores, o.FLOPs)
			f.AttentionScoresDense.Add(f.AttentionScoresDense, o.FLOPsDense)
			a.Attention.Add(a.Attention, el)
		default:
			f.AttentionProjections.Add(f.AttentionProjections, o.FLOPs)
			a.Attention.Add(a.Attention, el)
		}
		if o.Kind == KindScores || o.Kind == KindSoftmax {
			a.AttentionScores.Add(a.AttentionScores, el)
		}
	}
	switch {
	case spec.attention == PartFull:
		lg.KVCacheElementsPerToken, lg.KVCacheElementsPerTokenExpanded = kvCacheElementsPerToken(calc, c, spec.kvHeads)
	case spec.shared: // the shared block's attention caches at every use
		lg.KVCacheElementsPerToken, lg.KVCacheElementsPerTokenExpanded = kvCacheElementsPerToken(calc, c, c.NumKeyValueHeads)
	}
	lg.KVCacheTokens = spec.cachedTokens(ob.s)
	if spec.attention == PartShortConv { // the conv state alone; no scan
		lg.ConvStateElements = calc.mul("conv state elements", c.HiddenSize, c.ShortConvKernel)
		lg.FLOPs.SSMScanChunked = new(big.Int)
		lg.KVCacheTokens = 0
	}
	if spec.attention == PartGatedDeltaNet {
		lg.SSMStateElements, lg.ConvStateElements = c.gdnState(calc)
		lg.FLOPs.SSMScanChunked = twice(gdnChunkedMACs(c, ob.b, ob.s))
		lg.KVCacheTokens = 0
	}
	if spec.attention == PartLightning {
		lg.SSMStateElements = c.lightningState(calc)
		lg.FLOPs.SSMScanChunked = twice(lightningChunkedMACs(c, ob.b, ob.s))
		lg.KVCacheTokens = 0
	}
	if spec.attention == PartMamba1 {
		lg.SSMStateElements, lg.ConvStateElements = c.mamba1State(calc)
		lg.FLOPs.SSMScanChunked = new(big.Int).Set(lg.FLOPs.SSMScan) // no chunked form: the scan as run
		lg.KVCacheTokens = 0
	}
	if spec.attention == PartMamba2 || (c.Mamba2BesideAttention && spec.attention == PartFull) {
		lg.SSMStateElements, lg.ConvStateElements = c.mamba2State(calc)
		lg.FLOPs.SSMScanChunked = twice(mamba2ChunkedMACs(c, ob.b, ob.s))
		if spec.attention == PartMamba2 && !spec.shared {
			lg.KVCacheTokens = 0
		}
	}
	lg.SlidingWindow, lg.AttentionChunkSize = spec.window, spec.chunk
	return lg
}

// kvCacheElementsPerToken is what one layer caches per token: keys and
// values of every KV head (2·K·d), or for MLA the latent and the shared
// rotary key (kv_lora_rank + qk_rope_head_dim). expanded is the same with
// keys and values materialised per attention head: 2·H·d, or for MLA
// H·(qk_nope_head_dim + qk_rope_head_dim + v_head_dim).
func kvCacheElementsPerToken(calc *checked, c Config, kvHeads int64) (cached, expanded int64) {
	if c.IsMLA() {
		return calc.add("KV cache elements per token per layer", c.KVLoraRank, c.QKRopeHeadDim),
			calc.mul("expanded KV cache elements per token per layer", c.NumAttentionHeads,
				calc.add("expanded KV cache elements per token per layer", c.HeadDim, c.VHeadDim))
	}
	return calc.mul("KV cache elements per token per layer", 2, kvHeads, c.HeadDim),
		calc.mul("expanded KV cache elements per token per layer", 2, c.NumAttentionHeads, c.HeadDim)
}

// totals fills in the model-wide numbers of r from its stages and layers.
func totals(calc *checked, r *Report) {
	w := r.Workload
	p := &r.Params
	p.Total = calc.add("params.total", r.Embedding.Params, r.Head.Params)
	p.Active = calc.add("params.active", r.Embedding.Params, r.Head.Params)
	p.Embedding = tableParams(calc, r.Embedding.Ops)

	head, embedding := r.Head.FLOPs, r.Embedding.FLOPs
	blocks := BlockFLOPs{AttentionProjections: new(big.Int), AttentionScores: new(big.Int), MLP: new(big.Int),
		LMHead: new(big.Int).Set(head)}
	blocksDense := BlockFLOPs{AttentionProjections: new(big.Int), AttentionScores: new(big.Int), MLP: new(big.Int),
		LMHead: new(big.Int).Set(head)}
	fwd, dense := bigSum(embedding, head), bigSum(embedding, head)

	m := &r.Memory
	kvElements := new(big.Int)
	act := &m.ActivationElements
	act.Embedding = new(big.Int).Set(r.Embedding.ActivationElements)
	act.Head = new(big.Int).Set(r.Head.ActivationElements)
	act.Attention, act.MLP, act.AttentionScores = new(big.Int), new(big.Int), new(big.Int)
	for _, lg := range r.Layers {
		n := lg.Count
		p.Total = calc.add("params.total", p.Total, calc.mul("params.total", n, lg.Params))
		p.Active = calc.add("params.active", p.Active, calc.mul("params.active", n, lg.ActiveParams))
		addScaled(&fwd, n, lg.FLOPs.Forward)
		addScaled(&dense, n, lg.FLOPs.ForwardDense)
		addScaled(&blocks.AttentionProjections, n, lg.FLOPs.AttentionProjections)
		addScaled(&blocksDense.AttentionProjections, n, lg.FLOPs.AttentionProjections)
		addScaled(&blocks.AttentionScores, n, lg.FLOPs.AttentionScores)
		addScaled(&blocksDense.AttentionScores, n, lg.FLOPs.AttentionScoresDense)
		addScaled(&blocks.MLP, n, lg.FLOPs.MLP)
		addScaled(&blocksDense.MLP, n, lg.FLOPs.MLP)
		addScaled(&act.Attention, n, lg.ActivationElements.Attention)
		addScaled(&act.MLP, n, lg.ActivationElements.MLP)
		addScaled(&act.AttentionScores, n, lg.ActivationElements.AttentionScores)
		m.KVCacheElementsPerToken = calc.add("KV cache elements per token", m.KVCacheElementsPerToken,
			calc.mul("KV cache elements per token", n, lg.KVCacheElementsPerToken))
		m.KVCacheElementsPerTokenExpanded = calc.add("expanded KV cache elements per token", m.KVCacheElementsPerTokenExpanded,
			calc.mul("expanded KV cache elements per token", n, lg.KVCacheElementsPerTokenExpanded))
		kvElements.Add(kvElements, bigProduct(n, lg.KVCacheElementsPerToken, lg.KVCacheTokens, w.BatchSize))
	}
	p.SharedBlocks = sharedBlockParams(calc, r.Config)
	p.Total = calc.add("params.total", p.Total, p.SharedBlocks)
	p.Active = calc.add("params.active", p.Active, p.SharedBlocks)
	p.NonEmbedding = p.Total - p.Embedding
	if r.Config.ZeroComputationExperts > 0 {
		p.ActiveMin, p.ActiveMax = activeBounds(calc, r)
	}
	r.FLOPs = FLOPs{Forward: fwd, ForwardDense: dense, Blocks: blocks, BlocksDense: blocksDense}
	act.Total = bigSum(act.Embedding, act.Attention, act.MLP, act.Head)
	recurrentTotals(calc, r)

	bits := w.DType.Bits()
	m.WeightsBytes = bytesOf(calc, "memory.weights_bytes", p.Total, bits)
	kvBits := w.KVDType.Bits()
	m.KVCacheBytesPerToken = bytesOf(calc, "memory.kv_cache_bytes_per_token", m.KVCacheElementsPerToken, kvBits)
	m.KVCacheElements = kvElements
	m.KVCacheBytes = bigBytesOf(kvElements, kvBits)
}

// bytesOf is the storage of n elements of the given width in bits, rounded up
// to a whole byte.
func bytesOf(calc *checked, what string, n, bits int64) int64 {
	return calc.fit(what, bigBytesOf(big.NewInt(n), bits))
}

// bigBytesOf is bytesOf for an exact count of any size: n·bits/8, rounded
// up to a whole byte.
func bigBytesOf(n *big.Int, bits int64) *big.Int { return bytesInto(new(big.Int).Set(n), bits) }

// bytesInto sets n, a count of elements of the given width in bits, to its
// storage in bytes, rounded up to a whole byte, and returns n.
func bytesInto(n *big.Int, bits int64) *big.Int {
	var w big.Int
	n.Mul(n, w.SetInt64(bits))
	n.Add(n, w.SetInt64(7))
	return n.Rsh(n, 3)
}

// mtpParams is the parameters of c's multi-token-prediction modules: for
// module j, enorm and hnorm, eh_proj (2h → h, no bias), the decoder layer
// of index num_hidden_layers + j and shared_head.norm.
func mtpParams(calc *checked, c Config) int64 {
	if c.MTPLayers == 0 {
		return 0
	}
	one := newOpBuilder(calc, c, Workload{BatchSize: 1, SeqLen: 1})
	own := stage(calc, []Op{
		one.hiddenNorm("enorm", BlockMLP), one.hiddenNorm("hnorm", BlockMLP),
		one.linear("eh_proj", BlockMLP, []int64{1, 1}, calc.mul("eh_proj width", 2, c.HiddenSize), c.HiddenSize, false),
		one.hiddenNorm("shared_head.norm", BlockMLP),
	}).Params
	specs := make([]layerSpec, c.MTPLayers)
	for j := range specs {
		specs[j] = c.layerSpec(c.NumHiddenLayers + int64(j))
	}
	total := calc.mul("params.mtp", c.MTPLayers, own)
	for _, g := range groupLayers(specs) {
		lg := analyzeLayer(calc, one, g.spec)
		total = calc.add("params.mtp", total, calc.mul("params.mtp", int64(len(g.indices)), lg.Params))
	}
	return total
}

// activeBounds is params.active with every routed slot of a token given to
// a zero-computation expert (no FFN expert), and with every slot given to
// an FFN expert: the bounds of a model with zero-computation experts.
func activeBounds(calc *checked, r *Report) (lo, hi int64) {
	const what = "params.active bounds"
	c := r.Config
	lo, hi = r.Params.Active, r.Params.Active
	for _, lg := range r.Layers {
		for _, o := range lg.Ops {
			if o.Kind != KindLinear || lg.Routing == nil || !strings.HasPrefix(o.Name, "experts.") {
				continue
			}
			perExpert := o.Params / c.NumLocalExperts
			lo = calc.add(what, lo, -calc.mul(what, lg.Count, o.ActiveParams))
			hi = calc.add(what, hi, calc.mul(what, lg.Count, c.ZeroComputationSlotsPerTok, perExpert))
		}
	}
	return lo, hi
}
