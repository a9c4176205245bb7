package scale

import (
	"errors"
	"math/big"
	"slices"
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
		Workload:    WorkloadSummary{Workload: w, Tokens: ob.tokens},
		Conventions: conventions(c),
	}
	r.Embedding = stage(calc, ob.embeddingOps())
	r.Head = stage(calc, ob.headOps())

	specs := c.layerSpecs()
	var ffn []string
	for _, g := range groupLayers(specs) {
		lg := analyzeLayer(calc, ob, g.spec)
		lg.Count = int64(len(g.indices))
		lg.Layers = formatIndices(g.indices)
		r.Layers = append(r.Layers, lg)
		if !slices.Contains(ffn, lg.FFN) {
			ffn = append(ffn, lg.FFN)
		}
	}
	r.Architecture.FFN = strings.Join(ffn, "; ")
	totals(calc, r)
	costs(calc, r)
	if calc.err != nil {
		return nil, calc.err
	}
	return r, nil
}

// stage sums the params, FLOPs and activation elements of ops run once.
func stage(calc *checked, ops []Op) Stage {
	st := Stage{Ops: ops}
	for _, o := range ops {
		st.Params = calc.add("params of "+o.Block, st.Params, o.Params)
		st.FLOPs = calc.add("FLOPs of "+o.Block, st.FLOPs, o.FLOPs)
		st.ActivationElements = calc.add("activation elements of "+o.Block, st.ActivationElements, materialized(o))
	}
	return st
}

// materialized is the number of new activation elements o writes.
func materialized(o Op) int64 {
	if o.View {
		return 0
	}
	return o.OutputElements
}

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
	ops := ob.attentionOps(attnNorm, spec)
	if mlpNorm != "" {
		ops = append(ops, ob.hiddenNorm(mlpNorm, "mlp"))
	}
	lg := LayerGroup{
		Kind:      spec.kind(),
		Attention: spec.attentionDescription(c),
		FFN:       spec.ffnDescription(c),
	}
	if spec.moe {
		moe, routing := ob.moeOps()
		ops = append(ops, moe...)
		lg.Routing = routing
	} else {
		ops = append(ops, ob.mlpOps("", []int64{ob.b, ob.s}, c.IntermediateSize)...)
	}
	if c.NormsPerLayer == 4 {
		ops = append(ops, ob.hiddenNorm("post_mlp_norm", "mlp"))
	}
	if c.ParallelBlock {
		ops = append(ops, ob.residual("residual", "mlp", 3))
	} else {
		ops = append(ops, ob.residual("mlp_residual", "mlp", 2))
	}
	lg.Ops = ops

	f := &lg.FLOPs
	a := &lg.ActivationElements
	for _, o := range ops {
		lg.Params = calc.add("layer params", lg.Params, o.Params)
		lg.ActiveParams = calc.add("layer active params", lg.ActiveParams, o.ActiveParams)
		f.Forward = calc.add("layer FLOPs", f.Forward, o.FLOPs)
		f.ForwardDense = calc.add("layer dense FLOPs", f.ForwardDense, o.FLOPsDense)
		el := materialized(o)
		a.Total = calc.add("layer activation elements", a.Total, el)
		switch {
		case o.Block == "mlp":
			f.MLP = calc.add("layer MLP FLOPs", f.MLP, o.FLOPs)
			a.MLP = calc.add("layer MLP activation elements", a.MLP, el)
		case o.Kind == KindScores || o.Kind == KindWeightedValues:
			f.AttentionScores = calc.add("layer attention score FLOPs", f.AttentionScores, o.FLOPs)
			f.AttentionScoresDense = calc.add("layer attention score dense FLOPs", f.AttentionScoresDense, o.FLOPsDense)
			a.Attention = calc.add("layer attention activation elements", a.Attention, el)
		default:
			f.AttentionProjections = calc.add("layer attention projection FLOPs", f.AttentionProjections, o.FLOPs)
			a.Attention = calc.add("layer attention activation elements", a.Attention, el)
		}
		if o.Kind == KindScores || o.Kind == KindSoftmax {
			a.AttentionScores = calc.add("layer attention score elements", a.AttentionScores, el)
		}
	}
	lg.KVCacheElementsPerToken, lg.KVCacheElementsPerTokenExpanded = kvCacheElementsPerToken(calc, c)
	lg.KVCacheTokens = spec.cachedTokens(ob.s)
	lg.SlidingWindow, lg.AttentionChunkSize = spec.window, spec.chunk
	return lg
}

// kvCacheElementsPerToken is what one layer caches per token: keys and
// values of every KV head (2·K·d), or for MLA the latent and the shared
// rotary key (kv_lora_rank + qk_rope_head_dim). expanded is the same with
// keys and values materialised per attention head: 2·H·d, or for MLA
// H·(qk_nope_head_dim + qk_rope_head_dim + v_head_dim).
func kvCacheElementsPerToken(calc *checked, c Config) (cached, expanded int64) {
	if c.IsMLA() {
		return c.KVLoraRank + c.QKRopeHeadDim,
			calc.mul("expanded KV cache elements per token per layer", c.NumAttentionHeads, c.HeadDim+c.VHeadDim)
	}
	return calc.mul("KV cache elements per token per layer", 2, c.NumKeyValueHeads, c.HeadDim),
		calc.mul("expanded KV cache elements per token per layer", 2, c.NumAttentionHeads, c.HeadDim)
}

// totals fills in the model-wide numbers of r from its stages and layers.
func totals(calc *checked, r *Report) {
	w := r.Workload
	p := &r.Params
	p.Total = calc.add("params.total", r.Embedding.Params, r.Head.Params)
	p.Active = calc.add("params.active", r.Embedding.Params, r.Head.Params)
	p.Embedding = r.Embedding.Params

	fwd, dense := bigOf(r.Embedding.FLOPs+r.Head.FLOPs), bigOf(r.Embedding.FLOPs+r.Head.FLOPs)
	blocks := BlockFLOPs{AttentionProjections: new(big.Int), AttentionScores: new(big.Int), MLP: new(big.Int), LMHead: bigOf(r.Head.FLOPs)}
	blocksDense := BlockFLOPs{AttentionProjections: new(big.Int), AttentionScores: new(big.Int), MLP: new(big.Int), LMHead: bigOf(r.Head.FLOPs)}

	m := &r.Memory
	var kvElements int64
	act := &m.ActivationElements
	act.Embedding = r.Embedding.ActivationElements
	act.Head = r.Head.ActivationElements
	for _, lg := range r.Layers {
		n := lg.Count
		p.Total = calc.add("params.total", p.Total, calc.mul("params.total", n, lg.Params))
		p.Active = calc.add("params.active", p.Active, calc.mul("params.active", n, lg.ActiveParams))
		addScaled(fwd, n, lg.FLOPs.Forward)
		addScaled(dense, n, lg.FLOPs.ForwardDense)
		addScaled(blocks.AttentionProjections, n, lg.FLOPs.AttentionProjections)
		addScaled(blocksDense.AttentionProjections, n, lg.FLOPs.AttentionProjections)
		addScaled(blocks.AttentionScores, n, lg.FLOPs.AttentionScores)
		addScaled(blocksDense.AttentionScores, n, lg.FLOPs.AttentionScoresDense)
		addScaled(blocks.MLP, n, lg.FLOPs.MLP)
		addScaled(blocksDense.MLP, n, lg.FLOPs.MLP)
		act.Attention = calc.add("activation elements", act.Attention, calc.mul("activation elements", n, lg.ActivationElements.Attention))
		act.MLP = calc.add("activation elements", act.MLP, calc.mul("activation elements", n, lg.ActivationElements.MLP))
		act.AttentionScores = calc.add("activation elements", act.AttentionScores,
			calc.mul("activation elements", n, lg.ActivationElements.AttentionScores))
		m.KVCacheElementsPerToken = calc.add("KV cache elements per token", m.KVCacheElementsPerToken,
			calc.mul("KV cache elements per token", n, lg.KVCacheElementsPerToken))
		m.KVCacheElementsPerTokenExpanded = calc.add("expanded KV cache elements per token", m.KVCacheElementsPerTokenExpanded,
			calc.mul("expanded KV cache elements per token", n, lg.KVCacheElementsPerTokenExpanded))
		kvElements = calc.add("KV cache elements", kvElements,
			calc.mul("KV cache elements", n, lg.KVCacheElementsPerToken, lg.KVCacheTokens, w.BatchSize))
	}
	p.NonEmbedding = p.Total - p.Embedding
	r.FLOPs = FLOPs{Forward: fwd, ForwardDense: dense, Blocks: blocks, BlocksDense: blocksDense}
	act.Total = calc.add("activation elements", act.Embedding, act.Attention, act.MLP, act.Head)

	bits := w.DType.Bits()
	m.WeightsBytes = bytesOf(calc, "memory.weights_bytes", p.Total, bits)
	kvBits := w.KVDType.Bits()
	m.KVCacheBytesPerToken = bytesOf(calc, "memory.kv_cache_bytes_per_token", m.KVCacheElementsPerToken, kvBits)
	m.KVCacheElements = kvElements
	m.KVCacheBytes = bytesOf(calc, "memory.kv_cache_bytes", kvElements, kvBits)
}

// bytesOf is the storage of n elements of the given width in bits, rounded up
// to a whole byte.
func bytesOf(calc *checked, what string, n, bits int64) int64 {
	if bits%8 == 0 {
		return calc.mul(what, n, bits/8)
	}
	// Sub-byte types (int4): n·bits/8 rounded up, without forming n·bits.
	perByte := 8 / bits
	return calc.add(what, n/perByte, (n%perByte+perByte-1)/perByte)
}
