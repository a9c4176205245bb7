package scale

import "fmt"

// HasSharedBlocks reports whether some layer runs a shared transformer
// block (Zamba2).
func (c Config) HasSharedBlocks() bool { return c.sharedBlockUses() > 0 }

// sharedBlockUses is the number of layers that run a shared block.
func (c Config) sharedBlockUses() int64 {
	var n int64
	for _, l := range c.Layers {
		if l.SharedBlock {
			n++
		}
	}
	return n
}

// validateSharedBlocks checks the shared-block fields: set exactly when
// some layer runs a shared block, that layer a Mamba-2 layer without an
// MLP (Zamba2's, the one form modelled), the model's MLP gated, and with
// attention adapters queries, keys and values 2·hidden wide (the adapters'
// outputs are added to them).
func (c Config) validateSharedBlocks(v *validator) {
	if !c.HasSharedBlocks() {
		v.check(c.SharedBlocks == 0, "shared_blocks", "must be 0 unless some layer runs a shared block (layers[i].shared_block)", c.SharedBlocks)
		v.check(c.SharedBlockAdapterRank == 0, "shared_block_adapter_rank",
			"must be 0 unless some layer runs a shared block (layers[i].shared_block)", c.SharedBlockAdapterRank)
		v.check(!c.SharedAttentionAdapters, "shared_attention_adapters",
			"must be false unless some layer runs a shared block (layers[i].shared_block)", c.SharedAttentionAdapters)
		return
	}
	v.check(c.SharedBlocks >= 1 && c.SharedBlocks <= MaxLayers, "shared_blocks",
		fmt.Sprintf("must be between 1 and %d when a layer runs a shared block", MaxLayers), c.SharedBlocks)
	v.check(c.SharedBlockAdapterRank >= 0, "shared_block_adapter_rank", "must not be negative", c.SharedBlockAdapterRank)
	v.check(c.MLP == MLPGated, "mlp", fmt.Sprintf("must be %q with shared blocks (their MLP is gated)", MLPGated), fmt.Sprintf("%q", c.MLP))
	v.check(c.Norm == RMSNorm, "norm", fmt.Sprintf("must be %q with shared blocks", RMSNorm), fmt.Sprintf("%q", c.Norm))
	for i, l := range c.Layers {
		if l.SharedBlock {
			v.check(l.Attention == PartMamba2 && l.MLP == PartNone, fmt.Sprintf("layers[%d].shared_block", i),
				`is modelled only on a layer whose attention is "mamba2" and whose mlp is "none" (Zamba2's hybrid layer)`, true)
		}
	}
	if c.SharedAttentionAdapters {
		in := bigProduct(2, c.HiddenSize)
		v.check(bigProduct(c.NumAttentionHeads, c.HeadDim).Cmp(in) == 0 && bigProduct(c.NumKeyValueHeads, c.HeadDim).Cmp(in) == 0,
			"shared_attention_adapters", "need queries, keys and values 2·hidden_size wide: num_attention_heads and num_key_value_heads × head_dim "+
				"(the adapters' outputs are added to them)", true)
	}
}

// sharedBlockOps is one use of a shared transformer block and the layer's
// own linear after it, ending with the add into the layer's input (see
// Config.SharedBlocks). Ops whose weights are the block's are marked
// Shared; the adapters and the linear are the layer's own.
func (ob *opBuilder) sharedBlockOps() []Op {
	c := ob.cfg
	b, s, h := ob.b, ob.s, c.HiddenSize
	rows := []int64{b, s}
	in := ob.calc.mul("shared block input width", 2, h)
	H, K, d, r := c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.SharedBlockAdapterRank
	qWidth, kvWidth := ob.calc.mul("query width", H, d), ob.calc.mul("key/value width", K, d)
	shared := func(o Op) Op { o.Shared = true; return o }
	add := func(name string, block Block, kind OpKind, width int64) Op {
		x := shape(rows, width)
		return ob.op(Op{Name: name, Block: block, Kind: kind, Inputs: [][]int64{x, x}, Output: x}, nil)
	}
	// adapter is one use's low-rank adapter from width from to width to,
	// added to the projection it sits beside.
	adapter := func(name string, block Block, from, to int64) []Op {
		return []Op{ob.linear(name+"_adapter_down", block, rows, from, r, false),
			ob.linear(name+"_adapter_up", block, rows, r, to, false), add(name+"_adapter_add", block, KindAdd, to)}
	}
	ops := []Op{
		ob.op(Op{Name: "shared.concat", Block: BlockAttention, Kind: KindConcat,
			Inputs: [][]int64{ob.hidden(), ob.hidden()}, Output: shape(rows, in)}, nil),
		shared(ob.norm("shared.input_norm", BlockAttention, shape(rows, in), in, RMSNorm)),
		shared(ob.linear("shared.q_proj", BlockAttention, rows, in, qWidth, false)),
		shared(ob.linear("shared.k_proj", BlockAttention, rows, in, kvWidth, false)),
		shared(ob.linear("shared.v_proj", BlockAttention, rows, in, kvWidth, false)),
	}
	if c.SharedAttentionAdapters {
		for _, p := range []string{"shared.q", "shared.k", "shared.v"} {
			ops = append(ops, adapter(p, BlockAttention, in, in)...)
		}
	}
	ops = append(ops,
		ob.view("shared.q_heads", []int64{b, s, qWidth}, []int64{b, H, s, d}),
		ob.view("shared.k_heads", []int64{b, s, kvWidth}, []int64{b, K, s, d}),
		ob.view("shared.v_heads", []int64{b, s, kvWidth}, []int64{b, K, s, d}))
	ops = append(ops, ob.scoreOps("shared.", span{}, K, d, d, false)...)
	ops = append(ops,
		shared(ob.linear("shared.o_proj", BlockAttention, rows, qWidth, h, false)),
		shared(ob.hiddenNorm("shared.pre_mlp_norm", BlockMLP)))
	mlp := ob.mlpOps(nil, "shared.", rows, c.IntermediateSize) // gate_proj, up_proj, act, down_proj
	gateUp := ob.calc.mul("gate and up width", 2, c.IntermediateSize)
	ops = append(ops, shared(mlp[0]), shared(mlp[1]))
	ops = append(ops, adapter("shared.mlp", BlockMLP, h, gateUp)...)
	ops = append(ops, mlp[2], shared(mlp[3]),
		ob.linear("shared.linear", BlockAttention, rows, h, h, false),
		add("shared.residual", BlockAttention, KindResidual, h))
	return ops
}

// sharedBlockParams is params.shared_blocks: the weights of the blocks the
// layers use, each counted once (min(shared_blocks, uses) blocks: one no
// layer reaches is not built).
func sharedBlockParams(calc *checked, c Config) int64 {
	uses := c.sharedBlockUses()
	if uses == 0 {
		return 0
	}
	var one int64
	for _, o := range newOpBuilder(calc, c, Workload{BatchSize: 1, SeqLen: 1}).sharedBlockOps() {
		if o.Shared {
			one = calc.add("params of one shared block", one, o.Params)
		}
	}
	return calc.mul("params.shared_blocks", min(c.SharedBlocks, uses), one)
}
