package scale

import (
	"math/big"
)

// opBuilder makes the ops of one forward pass over a workload. What depends
// on the model alone (parameters, widths) is checked int64 arithmetic; what
// grows with the workload (elements, MACs, FLOPs) is exact big.Int. b, s and
// tokens are the batch size, sequence length and b × s.
type opBuilder struct {
	calc      *checked
	cfg       Config
	b, s      int64
	tokens    *big.Int
	pairsFull *big.Int // all pairs of one sequence: s²
}

func newOpBuilder(calc *checked, c Config, w Workload) *opBuilder {
	return &opBuilder{calc: calc, cfg: c, b: w.BatchSize, s: w.SeqLen,
		tokens: bigProduct(w.BatchSize, w.SeqLen), pairsFull: bigProduct(w.SeqLen, w.SeqLen)}
}

// causalPairs is the number of (query, key) pairs causal attention scores in
// one sequence of s tokens: query i scores keys 0..i, so s(s+1)/2. For
// 0 ≤ s ≤ MaxSeqLen it is at most 2^63 + 2^31 and fits a uint64.
func causalPairs(s int64) uint64 {
	u := uint64(s)
	if u%2 == 0 {
		return u / 2 * (u + 1)
	}
	return u * ((u + 1) / 2)
}

// op fills in the element count and FLOPs of o from its shape and MACs
// (nil: none).
func (ob *opBuilder) op(o Op, macsDense *big.Int) Op {
	if o.MACs == nil {
		o.MACs = new(big.Int)
	}
	if macsDense == nil {
		macsDense = new(big.Int)
	}
	o.OutputElements = bigProduct(o.Output...)
	o.FLOPs = twice(o.MACs)
	o.FLOPsDense = twice(macsDense)
	if o.ActiveParams == 0 {
		o.ActiveParams = o.Params
	}
	return o
}

// linear is x · W (+ bias) over rows of width in, giving width out.
// rows is the leading shape of x.
func (ob *opBuilder) linear(name string, block Block, rows []int64, in, out int64, bias bool) Op {
	params := ob.calc.mul(name+" params", in, out)
	if bias {
		params = ob.calc.add(name+" params", params, out)
	}
	macs := bigProduct(shape(rows, in, out)...)
	return ob.op(Op{
		Name: name, Block: block, Kind: KindLinear,
		Inputs: [][]int64{shape(rows, in)}, Output: shape(rows, out),
		MACs: macs, Params: params,
	}, macs)
}

// norm normalises the last dimension, of size width, of a tensor of shape
// x: a LayerNorm has 2·width parameters, an RMSNorm or a LayerNorm without
// bias width.
func (ob *opBuilder) norm(name string, block Block, x []int64, width int64, kind NormKind) Op {
	params := width
	if kind == LayerNorm {
		params = ob.calc.mul(name+" params", 2, width)
	}
	return ob.op(Op{Name: name, Block: block, Kind: KindNorm, Inputs: [][]int64{x}, Output: x, Params: params}, nil)
}

// hiddenNorm is one of the model's norms over the residual stream.
func (ob *opBuilder) hiddenNorm(name string, block Block) Op {
	return ob.norm(name, block, ob.hidden(), ob.cfg.HiddenSize, ob.cfg.Norm)
}

// residual adds n tensors of the hidden shape.
func (ob *opBuilder) residual(name string, block Block, n int) Op {
	x := ob.hidden()
	ins := make([][]int64, n)
	for i := range ins {
		ins[i] = x
	}
	return ob.op(Op{Name: name, Block: block, Kind: KindResidual, Inputs: ins, Output: x}, nil)
}

// hidden is the shape of the residual stream: [batch, seq, hidden].
func (ob *opBuilder) hidden() []int64 { return []int64{ob.b, ob.s, ob.cfg.HiddenSize} }

// shape returns rows with last appended, without aliasing rows.
func shape(rows []int64, last ...int64) []int64 {
	return append(append(make([]int64, 0, len(rows)+len(last)), rows...), last...)
}

// embeddingOps is the token lookup, where the model has one the learned
// position table (with its offset rows), and where it has one the norm
// over the embeddings.
func (ob *opBuilder) embeddingOps() []Op {
	c := ob.cfg
	ids := []int64{ob.b, ob.s}
	ops := []Op{ob.op(Op{
		Name: "embed_tokens", Block: BlockEmbedding, Kind: KindGather,
		Inputs: [][]int64{ids}, Output: ob.hidden(),
		Params: ob.calc.mul("embed_tokens params", c.VocabSize, c.HiddenSize),
	}, nil)}
	if c.PositionEmbedding == PositionLearned {
		ops = append(ops, ob.op(Op{
			Name: "embed_positions", Block: BlockEmbedding, Kind: KindGather,
			Inputs: [][]int64{ids, ob.hidden()}, Output: ob.hidden(),
			Params: ob.calc.mul("embed_positions params",
				ob.calc.add("embed_positions rows", c.MaxPositionEmbeddings, c.PositionOffset), c.HiddenSize),
		}, nil))
	}
	if c.EmbeddingNorm {
		ops = append(ops, ob.hiddenNorm("embed_norm", BlockEmbedding))
	}
	return ops
}

// headOps is the final norm and the LM head over every position.
func (ob *opBuilder) headOps() []Op {
	c := ob.cfg
	head := ob.linear("lm_head", BlockHead, []int64{ob.b, ob.s}, c.HiddenSize, c.VocabSize, c.LMHeadBias)
	if c.TieWordEmbeddings { // the weight is embed_tokens': only a bias is the head's own
		head.Params = 0
		if c.LMHeadBias {
			head.Params = c.VocabSize
		}
		head.ActiveParams = head.Params
	}
	return []Op{ob.hiddenNorm("final_norm", BlockHead), head}
}

// attentionOps is one attention block for a layer of the given spec:
// projections, per-head scores, softmax, weighted values and the output
// projection. normName is the norm the block starts with ("" when a
// parallel block shares the MLP's norm). It appends them to ops.
func (ob *opBuilder) attentionOps(ops []Op, normName string, spec layerSpec) []Op {
	c := ob.cfg
	b, s := ob.b, ob.s
	H, K := c.NumAttentionHeads, spec.kvHeads
	rows := []int64{b, s}
	switch spec.attention {
	case PartNone:
		return ops
	case PartMamba2:
		return append(ops, ob.mamba2Ops(normName)...)
	case PartMamba1:
		return append(ops, ob.mamba1Ops(normName)...)
	case PartShortConv:
		return append(ops, ob.shortConvOps(normName)...)
	case PartGatedDeltaNet:
		return append(ops, ob.gatedDeltaNetOps(normName)...)
	case PartLightning:
		return append(ops, ob.lightningOps(normName)...)
	case PartLinear:
		return append(ops, ob.hiddenNorm(normName, BlockAttention),
			ob.linear("attention_linear", BlockAttention, rows, c.HiddenSize, c.HiddenSize, false),
			ob.residual("attention_residual", BlockAttention, 2))
	}
	if normName != "" && !c.PostNorm {
		ops = append(ops, ob.hiddenNorm(normName, BlockAttention))
	}
	qkDim, vDim := c.headDims(ob.calc)
	if c.IsMLA() {
		ops = ob.mlaProjections(ops)
	} else {
		ops = ob.gqaProjections(ops, K)
	}
	vWidth := ob.calc.mul("attention output width", H, vDim)
	ops = append(ops, ob.scoreOps("", spec.span, K, qkDim, vDim, c.AttentionSinks)...)
	ops = append(ops, ob.linear("o_proj", BlockAttention, rows, vWidth, c.HiddenSize, c.AttentionOutBias))
	if c.NormsPerLayer == 4 || c.PostNorm {
		ops = append(ops, ob.hiddenNorm("post_attention_norm", BlockAttention))
	}
	if c.Mamba2BesideAttention { // Falcon-H1: a Mamba-2 block on the same normed input; both join the residual
		m := ob.mamba2Ops("")
		return append(append(ops, m[:len(m)-1]...), ob.residual("mixer_residual", BlockSSM, 3))
	}
	if !c.ParallelBlock {
		ops = append(ops, ob.residual("attention_residual", BlockAttention, 2))
	}
	return ops
}

// scoreOps are the scores of num_attention_heads query heads against K
// key/value heads over the span sp, their softmax (with one learned sink
// logit per head with sinks), the weighted values and the heads merged,
// named with prefix.
func (ob *opBuilder) scoreOps(prefix string, sp span, K, qkDim, vDim int64, sinks bool) []Op {
	b, s, H := ob.b, ob.s, ob.cfg.NumAttentionHeads
	pairs := sp.pairs(s)
	vWidth := ob.calc.mul("attention output width", H, vDim)
	softmax := Op{Name: prefix + "softmax", Block: BlockAttention, Kind: KindSoftmax,
		Inputs: [][]int64{{b, H, s, s}}, Output: []int64{b, H, s, s}}
	if sinks { // one learned logit per head joins every row's softmax
		softmax.Inputs = append(softmax.Inputs, []int64{H})
		softmax.Params = H
	}
	return []Op{
		ob.op(Op{Name: prefix + "scores", Block: BlockAttention, Kind: KindScores,
			Inputs: [][]int64{{b, H, s, qkDim}, {b, K, qkDim, s}}, Output: []int64{b, H, s, s},
			MACs: scaledBy(pairs, b, H, qkDim),
		}, scaledBy(ob.pairsFull, b, H, qkDim)),
		ob.op(softmax, nil),
		ob.op(Op{Name: prefix + "weighted_values", Block: BlockAttention, Kind: KindWeightedValues,
			Inputs: [][]int64{{b, H, s, s}, {b, K, s, vDim}}, Output: []int64{b, H, s, vDim},
			MACs: scaledBy(pairs, b, H, vDim),
		}, scaledBy(ob.pairsFull, b, H, vDim)),
		ob.op(Op{Name: prefix + "merge_heads", Block: BlockAttention, Kind: KindView,
			Inputs: [][]int64{{b, H, s, vDim}}, Output: []int64{b, s, vWidth}, View: true}, nil),
	}
}

// headDims are the width of one query/key head and of one value head:
// head_dim both, or with MLA qk_nope_head_dim + qk_rope_head_dim and
// v_head_dim.
func (c Config) headDims(calc *checked) (qk, v int64) {
	if c.IsMLA() {
		return calc.add("query/key head width", c.QKNopeHeadDim, c.QKRopeHeadDim), c.VHeadDim
	}
	return c.HeadDim, c.HeadDim
}

// gqaProjections are the q, k and v projections of multi-head, grouped-query
// or multi-query attention with K key/value heads, reshaped to heads (and
// QK-normed), appended to ops.
func (ob *opBuilder) gqaProjections(ops []Op, K int64) []Op {
	c := ob.cfg
	b, s, d := ob.b, ob.s, c.HeadDim
	H := c.NumAttentionHeads
	rows := []int64{b, s}
	qWidth := ob.calc.mul("query width", H, d)
	qProjWidth := qWidth
	if c.AttentionOutputGate { // the queries and their output gate
		qProjWidth = ob.calc.mul("query and gate width", 2, qWidth)
	}
	kvWidth := ob.calc.mul("key/value width", K, d)
	ops = append(ops,
		ob.linear("q_proj", BlockAttention, rows, c.HiddenSize, qProjWidth, c.AttentionQKVBias),
		ob.linear("k_proj", BlockAttention, rows, c.HiddenSize, kvWidth, c.AttentionQKVBias),
		ob.linear("v_proj", BlockAttention, rows, c.HiddenSize, kvWidth, c.AttentionQKVBias))
	kind := c.Norm
	if c.QKNormKind != "" {
		kind = c.QKNormKind
	}
	if c.QKNorm && c.QKNormFullWidth { // over the whole projection, before the split into heads
		ops = append(ops,
			ob.norm("q_norm", BlockAttention, []int64{b, s, qWidth}, qWidth, kind),
			ob.norm("k_norm", BlockAttention, []int64{b, s, kvWidth}, kvWidth, kind))
	}
	ops = append(ops,
		ob.view("q_heads", []int64{b, s, qWidth}, []int64{b, H, s, d}),
		ob.view("k_heads", []int64{b, s, kvWidth}, []int64{b, K, s, d}),
		ob.view("v_heads", []int64{b, s, kvWidth}, []int64{b, K, s, d}))
	switch {
	case c.QKNorm && c.QKNormFullWidth: // above
	case c.QKNorm && c.QKNormPerHead: // one norm of its own per head
		ops = append(ops,
			ob.perHead(ob.norm("q_norm", BlockAttention, []int64{b, H, s, d}, d, kind), H),
			ob.perHead(ob.norm("k_norm", BlockAttention, []int64{b, K, s, d}, d, kind), K))
	case c.QKNorm:
		ops = append(ops,
			ob.norm("q_norm", BlockAttention, []int64{b, H, s, d}, d, kind),
			ob.norm("k_norm", BlockAttention, []int64{b, K, s, d}, d, kind))
	}
	return ops
}

// perHead gives o, an op over one head's width, its own weights for each
// of heads heads.
func (ob *opBuilder) perHead(o Op, heads int64) Op {
	o.Params = ob.calc.mul(o.Name+" params", heads, o.Params)
	o.ActiveParams = o.Params
	return o
}

// mlaProjections are multi-head latent attention's query path and its
// compressed key/value path, expanded per head as in training, appended to
// ops.
func (ob *opBuilder) mlaProjections(ops []Op) []Op {
	c := ob.cfg
	b, s, h := ob.b, ob.s, c.HiddenSize
	H := c.NumAttentionHeads
	rows := []int64{b, s}
	qk, _ := c.headDims(ob.calc)
	qWidth := ob.calc.mul("query width", H, qk)
	kvUp := ob.calc.mul("kv_b_proj width", H, ob.calc.add("kv_b_proj width", c.QKNopeHeadDim, c.VHeadDim))
	if c.QLoraRank > 0 {
		ops = append(ops,
			ob.linear("q_a_proj", BlockAttention, rows, h, c.QLoraRank, false),
			ob.norm("q_a_layernorm", BlockAttention, shape(rows, c.QLoraRank), c.QLoraRank, RMSNorm),
			ob.linear("q_b_proj", BlockAttention, rows, c.QLoraRank, qWidth, false))
	} else {
		ops = append(ops, ob.linear("q_proj", BlockAttention, rows, h, qWidth, false))
	}
	kvA := ob.linear("kv_a_proj_with_mqa", BlockAttention, rows, h, ob.calc.add("kv_a_proj_with_mqa width", c.KVLoraRank, c.QKRopeHeadDim), false)
	ops = append(ops, kvA,
		ob.norm("kv_a_layernorm", BlockAttention, shape(rows, c.KVLoraRank), c.KVLoraRank, RMSNorm),
		ob.linear("kv_b_proj", BlockAttention, rows, c.KVLoraRank, kvUp, false),
		ob.view("q_heads", []int64{b, s, qWidth}, []int64{b, H, s, qk}),
		ob.op(Op{Name: "k_heads", Block: BlockAttention, Kind: KindConcat,
			Inputs: [][]int64{{b, s, kvUp}, {b, s, c.QKRopeHeadDim}}, Output: []int64{b, H, s, qk}}, nil),
		ob.view("v_heads", []int64{b, s, kvUp}, []int64{b, H, s, c.VHeadDim}),
	)
	return ops
}

// view is a reshape of in to out: no new tensor.
func (ob *opBuilder) view(name string, in, out []int64) Op {
	return ob.op(Op{Name: name, Block: BlockAttention, Kind: KindView, Inputs: [][]int64{in}, Output: out, View: true}, nil)
}

// mlpOps appends to ops a dense MLP of width f over rows, named with
// prefix, with biases where the model's MLPs have them.
func (ob *opBuilder) mlpOps(ops []Op, prefix string, rows []int64, f int64) []Op {
	return ob.mlpOpsBias(ops, prefix, rows, f, ob.cfg.MLPBias)
}

// mlpOpsBias is mlpOps with biases or none.
func (ob *opBuilder) mlpOpsBias(ops []Op, prefix string, rows []int64, f int64, bias bool) []Op {
	c := ob.cfg
	h := c.HiddenSize
	actInputs := [][]int64{shape(rows, f)}
	if c.MLP == MLPGated {
		ops = append(ops, ob.linear(prefix+"gate_proj", BlockMLP, rows, h, f, bias))
		actInputs = append(actInputs, shape(rows, f))
	}
	ops = append(ops, ob.linear(prefix+"up_proj", BlockMLP, rows, h, f, bias))
	act := Op{Name: prefix + "act", Block: BlockMLP, Kind: KindActivation,
		Inputs: actInputs, Output: shape(rows, f), Params: c.ActivationParams} // learned activation (xIELU)
	ops = append(ops, ob.op(act, nil))
	ops = append(ops, ob.linear(prefix+"down_proj", BlockMLP, rows, f, h, bias))
	return ops
}

// moeOps is a mixture-of-experts block: router, shared experts, routed
// experts over token slots, and the weighted combine. The routed experts'
// rows are shaped [batch, seq, c]: one row per token slot that runs an FFN
// expert, c = num_experts_per_tok less the slots counted for
// zero-computation experts, whose identity owns no parameters and no FLOPs;
// the router scores the FFN and the zero-computation experts alike. It
// appends the ops to ops.
func (ob *opBuilder) moeOps(ops []Op) ([]Op, *Routing) {
	c := ob.cfg
	h := c.HiddenSize
	rows := []int64{ob.b, ob.s}
	E, k, computed := c.NumLocalExperts, c.NumExpertsPerTok, c.ComputedExpertsPerTok()
	slotRows := []int64{ob.b, ob.s, computed}
	slots := bigProduct(ob.b, ob.s, k)
	routing := &Routing{
		Tokens: new(big.Int).Set(ob.tokens), ExpertsPerToken: k, TokenSlots: slots, NumExperts: E,
		SlotsPerExpert: newFraction(bigProduct(slotRows...), big.NewInt(E)),
	}
	scored := E
	if Z := c.ZeroComputationExperts; Z > 0 {
		scored = ob.calc.add("router width", E, Z)
		routing.ZeroComputationExperts = Z
		routing.ZeroComputationSlots = bigProduct(ob.b, ob.s, c.ZeroComputationSlotsPerTok)
	}
	ops = append(ops, ob.linear("router", BlockMLP, rows, h, scored, c.RouterBias))
	combineInputs := [][]int64{shape(slotRows, h)}
	if c.SharedExpertIntermediateSize > 0 {
		ops = ob.mlpOps(ops, "shared_expert.", rows, c.SharedExpertIntermediateSize)
		combineInputs = append(combineInputs, ob.hidden())
	}
	if c.SharedExpertGate { // built even where the shared experts have width 0
		ops = append(ops, ob.linear("shared_expert_gate", BlockMLP, rows, h, 1, false))
	}
	experts := len(ops)
	ops = ob.mlpOpsBias(ops, "experts.", slotRows, c.MoEIntermediateSize, c.MLPBias && !c.RoutedExpertsNoBias)
	for i := range ops[experts:] {
		if o := &ops[experts+i]; o.Kind == KindLinear {
			perExpert := o.Params
			o.Params = ob.calc.mul(o.Name+" params", E, perExpert)
			o.ActiveParams = ob.calc.mul(o.Name+" active params", computed, perExpert)
		}
	}
	if c.ZeroComputationSlotsPerTok > 0 { // the identity experts' slots: the token itself
		combineInputs = append(combineInputs, shape(rows, c.ZeroComputationSlotsPerTok, h))
	}
	ops = append(ops, ob.op(Op{Name: "combine", Block: BlockMLP, Kind: KindCombine,
		Inputs: combineInputs, Output: ob.hidden()}, nil))
	return ops, routing
}
