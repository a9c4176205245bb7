package scale

import (
	"fmt"
	"math/big"
	"strings"
)

// PerGPU is the memory of the most loaded GPU under a Layout: for training
// (weights, gradients, optimizer state, activations) and for inference
// (weights and the workload's KV cache), each part exact, in bytes, with
// its formula. The most loaded GPU is found stage by stage: every stage of
// the pipeline is evaluated, and the one with the largest total is shown
// (the first of equals). Within a stage the GPUs differ only by rounding,
// and the one holding the rounded-up shard is shown.
//
// Rounding: a tensor split n ways holds ⌈size/n⌉ of the split dimension on
// every GPU (vocabulary rows, MLP columns, sequence positions); a ZeRO shard
// of a buffer of Ψ elements over N ranks is ⌈Ψ/N⌉ elements; bytes are
// elements × bits / 8 rounded up to a whole byte.
type PerGPU struct {
	// KVHeadsPerGPU is the KV heads one tensor-parallel GPU holds: K/tp, or
	// 1 when tp > K; KVHeadCopies is then tp/K, the GPUs holding each head
	// (1: no copies). With MLA the compressed cache is not split by head:
	// KVCacheReplicated says every tensor-parallel GPU holds all of it.
	KVHeadsPerGPU     int64 `json:"kv_heads_per_gpu,omitempty"`
	KVHeadCopies      int64 `json:"kv_head_copies,omitempty"`
	KVCacheReplicated bool  `json:"kv_cache_replicated,omitempty"`
	// Training and Inference are the most loaded GPU's memory for each.
	Training  GPUMemory `json:"training"`
	Inference GPUMemory `json:"inference"`
	// Activations are the activation bytes of one layer of each layer group
	// for one micro-batch on one GPU, by the rows of Korthikanti et al. 2022
	// Table 2 with t = tp.
	Activations Activations `json:"activations"`
	// Conventions says how the memory is placed and counted, every rounding
	// rule among them.
	Conventions []string `json:"conventions"`
}

// GPUMemory is one GPU's memory, part by part.
type GPUMemory struct {
	// Stage is the GPU's pipeline stage (0-based) and Layers the decoder
	// layers it holds.
	Stage  int64 `json:"stage"`
	Layers int64 `json:"layers"`
	// MicroBatchesInFlight is how many micro-batches' activations the stage
	// holds at once under 1F1B: min(pp − stage, micro_batches). Training
	// only.
	MicroBatchesInFlight int64      `json:"micro_batches_in_flight,omitempty"`
	Params               GPUParams  `json:"params"`
	Parts                []GPUPart  `json:"parts"`
	TotalBytes           *big.Int   `json:"total_bytes"`
	Fit                  *DeviceFit `json:"fit,omitempty"`
}

// GPUParams counts the parameters one GPU holds before any ZeRO sharding:
// Dense (every non-expert weight, replicated over the data-parallel ranks)
// and Expert (the routed experts, replicated over the expert
// data-parallel ranks). Matrix is the hidden layers' weight matrices among
// them (those Muon updates). DenseShards (N_d = dp × cp) and ExpertShards
// (N_e = tp × dp × cp / (ep × etp); 0 in a dense model) are the ranks ZeRO
// shards each over.
type GPUParams struct {
	Total        int64 `json:"total"`
	Dense        int64 `json:"dense"`
	Expert       int64 `json:"expert"`
	Matrix       int64 `json:"matrix"`
	DenseShards  int64 `json:"dense_shards"`
	ExpertShards int64 `json:"expert_shards,omitempty"`
}

// GPUPart is one part of a GPU's memory.
type GPUPart struct {
	Name    string   `json:"name"`
	Bytes   *big.Int `json:"bytes"`
	Formula string   `json:"formula"`
}

// The names of the parts (GPUPart.Name).
const (
	PartWeights     = "weights"
	PartGradients   = "gradients"
	PartOptimizer   = "optimizer_state"
	PartActivations = "activations"
	PartKVCache     = "kv_cache"
)

// DeviceFit says whether a total fits a device's memory.
type DeviceFit struct {
	DeviceBytes int64 `json:"device_bytes"`
	Fits        bool  `json:"fits"`
	// HeadroomBytes is device_bytes − total_bytes: negative when it does
	// not fit.
	HeadroomBytes *big.Int `json:"headroom_bytes"`
	// UsedRatio is total_bytes / device_bytes, to 6 significant digits.
	UsedRatio float64 `json:"used_ratio"`
}

// Activations are the Table 2 rows of Korthikanti et al. 2022, evaluated per
// layer group. Applies is false when the model is not the standard GPT block
// the table assumes (NotApplicable says why); the rows are then the same
// rule generalised to the block: every tensor the backward pass reads is
// stored once — the input of each norm and linear layer, Q, K and V, the
// softmax output with its dropout mask and output, the MLP activation's
// inputs — in the workload's dtype, with 1-byte dropout masks after
// attention and after the MLP; routed experts keep their dispatched input
// and MLP tensors for each token slot, assuming balanced routing.
type Activations struct {
	Applies       bool       `json:"applies"`
	NotApplicable []Mismatch `json:"-"`
	// SeqLen is the sequence positions one GPU holds (seq_len / cp),
	// MicroBatchSize the sequences of a micro-batch, TP the t of the table.
	SeqLen         int64                  `json:"seq_len"`
	MicroBatchSize int64                  `json:"micro_batch_size"`
	TP             int64                  `json:"tp"`
	Groups         []ActivationLayerGroup `json:"layer_groups"`
}

// ActivationLayerGroup is the Table 2 rows for one layer of r.Layers[Group].
type ActivationLayerGroup struct {
	Group int64           `json:"group"`
	Rows  []ActivationRow `json:"rows"`
}

// ActivationRow is one row of Table 2: its name, its formula as printed,
// and the bytes of one layer for one micro-batch on one GPU. Selected marks
// the row of the layout.
type ActivationRow struct {
	Row           string   `json:"row"`
	Formula       string   `json:"formula"`
	BytesPerLayer *big.Int `json:"bytes_per_layer"`
	Selected      bool     `json:"selected"`
}

// The rows of Korthikanti et al. 2022 Table 2 (ActivationRow.Row).
const (
	RowNoParallelism       = "no parallelism"
	RowTensor              = "tensor parallel"
	RowTensorSequence      = "tensor + sequence parallel"
	RowTensorSelective     = "tensor parallel + selective recomputation"
	RowTensorSequenceSelec = "tensor + sequence parallel + selective recomputation"
	RowFull                = "full recomputation"
)

// tableRows are the rows in the paper's order, with their formulas.
var tableRows = []struct{ name, formula string }{
	{RowNoParallelism, "sbh(34 + 5as/h)"},
	{RowTensor, "sbh(10 + 24/t + 5as/(ht))"},
	{RowTensorSequence, "sbh(34/t + 5as/(ht))"},
	{RowTensorSelective, "sbh(10 + 24/t)"},
	{RowTensorSequenceSelec, "sbh(34/t)"},
	{RowFull, "sbh·2"},
}

// selectedRow is the row of Table 2 a layout uses.
func selectedRow(l Layout) string {
	switch {
	case l.Recompute == RecomputeFull:
		return RowFull
	case l.Recompute == RecomputeSelective && l.SequenceParallel:
		return RowTensorSequenceSelec
	case l.Recompute == RecomputeSelective:
		return RowTensorSelective
	case l.SequenceParallel:
		return RowTensorSequence
	}
	return RowTensor
}

// paramShard is what one GPU holds of some parameters, by group: dense
// (ZeRO over N_d) and expert (ZeRO over N_e), and within each the hidden
// layers' weight matrices and the rest.
type paramShard struct {
	denseMatrix, denseOther   int64
	expertMatrix, expertOther int64
}

func (p paramShard) dense() int64  { return p.denseMatrix + p.denseOther }
func (p paramShard) expert() int64 { return p.expertMatrix + p.expertOther }

// plus is p + n·q.
func (p paramShard) plus(calc *checked, n int64, q paramShard) paramShard {
	const what = "parameters on one GPU"
	return paramShard{
		denseMatrix:  calc.add(what, p.denseMatrix, calc.mul(what, n, q.denseMatrix)),
		denseOther:   calc.add(what, p.denseOther, calc.mul(what, n, q.denseOther)),
		expertMatrix: calc.add(what, p.expertMatrix, calc.mul(what, n, q.expertMatrix)),
		expertOther:  calc.add(what, p.expertOther, calc.mul(what, n, q.expertOther)),
	}
}

// ceilDiv is ⌈a/b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int64) int64 { return a/b + min(a%b, 1) }

// lastDim is the last dimension of a shape.
func lastDim(s []int64) int64 { return s[len(s)-1] }

// opBase is an op's name without its prefix ("experts.up_proj" → "up_proj").
func opBase(name string) string { return name[strings.LastIndex(name, ".")+1:] }

// The tensor-parallel split of each linear layer of a decoder layer, by
// name: column-parallel layers split their output columns (and bias),
// row-parallel ones their input rows (the bias is replicated), and the
// others are replicated on every tensor-parallel GPU (Megatron-LM's
// layout; MLA's down-projections as in Megatron-LM's MLA).
var (
	columnParallel = map[string]bool{"q_proj": true, "k_proj": true, "v_proj": true, "q_b_proj": true, "kv_b_proj": true,
		"gate_proj": true, "up_proj": true, "attention_linear": true, "mlp_linear": true}
	rowParallel = map[string]bool{"o_proj": true, "down_proj": true}
	replicated  = map[string]bool{"router": true, "q_a_proj": true, "kv_a_proj_with_mqa": true, "shared_expert_gate": true}
)

// layerShard is what one GPU holds of one decoder layer of group lg:
// linear layers split by tp as above (k_proj and v_proj by whole KV heads,
// one head per GPU when tp > K), norms replicated except full-width QK
// norms (split with their heads), attention sinks split with their heads,
// routed experts ep ways (E/ep whole experts) and etp ways inside each.
func layerShard(calc *checked, c Config, lg LayerGroup, l Layout) (paramShard, error) {
	var p paramShard
	K := layerKVHeads(c, lg)
	kvLocal := kvHeadsPerGPU(K, l.TP)
	const what = "parameters on one GPU"
	for _, o := range lg.Ops {
		if o.Params == 0 || o.Shared { // a shared block's weights: once per GPU, with the embedding (pp = 1)
			continue
		}
		switch {
		case o.Block == BlockSSM && o.Kind == KindLinear && (o.Name == "in_proj" || o.Name == "out_proj"):
			// Megatron-LM's MambaMixer: in_proj column-parallel (each of z, x,
			// B, C and dt split by heads and groups), out_proj row-parallel
			// with its bias replicated; tp = 1 on every other recurrent kind.
			in, out := lastDim(o.Inputs[0]), lastDim(o.Output)
			weight := calc.mul(what, in, out)
			bias := o.Params - weight
			if o.Name == "in_proj" {
				p.denseMatrix = calc.add(what, p.denseMatrix, calc.mul(what, in, out/l.TP))
				p.denseOther = calc.add(what, p.denseOther, bias/l.TP)
			} else {
				p.denseMatrix = calc.add(what, p.denseMatrix, calc.mul(what, in/l.TP, out))
				p.denseOther = calc.add(what, p.denseOther, bias)
			}
		case o.Block == BlockSSM && o.Kind == KindLinear: // the other recurrent kinds' projections, whole (tp = 1)
			p.denseMatrix = calc.add(what, p.denseMatrix, o.Params)
		case o.Block == BlockSSM && (o.Kind == KindConv || o.Kind == KindScan || o.Name == "gated_norm"):
			// per channel or head: split with them (tp = 1 on the kinds Megatron-LM's rule is not for)
			p.denseOther = calc.add(what, p.denseOther, o.Params/l.TP)
		case strings.HasPrefix(o.Name, "shared.") && o.Kind == KindLinear: // a use's adapters and linear, whole (tp = 1)
			p.denseMatrix = calc.add(what, p.denseMatrix, o.Params)
		case o.Block == BlockSSM:
			p.denseOther = calc.add(what, p.denseOther, o.Params)
		case o.Kind == KindNorm && (c.QKNormFullWidth || c.QKNormPerHead) && o.Name == "q_norm":
			// weights per head (or per projection column): split with the heads
			p.denseOther = calc.add(what, p.denseOther, o.Params/l.TP)
		case o.Kind == KindNorm && (c.QKNormFullWidth || c.QKNormPerHead) && o.Name == "k_norm":
			p.denseOther = calc.add(what, p.denseOther, calc.mul(what, o.Params/K, kvLocal))
		case o.Kind == KindActivation: // learned activation scalars (xIELU): replicated
			p.denseOther = calc.add(what, p.denseOther, o.Params)
		case o.Kind == KindNorm:
			p.denseOther = calc.add(what, p.denseOther, o.Params)
		case o.Kind == KindSoftmax: // attention sinks: one logit per head
			p.denseOther = calc.add(what, p.denseOther, o.Params/l.TP)
		case o.Kind == KindLinear:
			in, out := lastDim(o.Inputs[0]), lastDim(o.Output)
			base := opBase(o.Name)
			experts, ways := int64(1), l.TP
			if strings.HasPrefix(o.Name, "experts.") {
				experts, ways = c.NumLocalExperts, l.ETP
			}
			weight := calc.mul(what, in, out)
			bias := o.Params/experts - weight // out, or 0
			var w, b int64
			switch {
			case base == "k_proj" || base == "v_proj":
				outLocal := calc.mul(what, out/K, kvLocal)
				w, b = calc.mul(what, in, outLocal), min(bias, outLocal)
			case columnParallel[base]:
				w, b = calc.mul(what, in, ceilDiv(out, ways)), min(bias, ceilDiv(out, ways))
			case rowParallel[base]:
				w, b = calc.mul(what, ceilDiv(in, ways), out), bias
			case replicated[base]:
				w, b = weight, bias
			default:
				return p, fmt.Errorf("per-GPU memory: op %q has no tensor-parallel rule", o.Name)
			}
			if experts > 1 {
				local := experts / l.EP
				p.expertMatrix = calc.add(what, p.expertMatrix, calc.mul(what, local, w))
				p.expertOther = calc.add(what, p.expertOther, calc.mul(what, local, b))
			} else {
				p.denseMatrix = calc.add(what, p.denseMatrix, w)
				p.denseOther = calc.add(what, p.denseOther, b)
			}
		default:
			return p, fmt.Errorf("per-GPU memory: op %q (%s) has parameters and no tensor-parallel rule", o.Name, o.Kind)
		}
	}
	return p, nil
}

// layerKVHeads is the KV heads of the layers of group lg.
func layerKVHeads(c Config, lg LayerGroup) int64 {
	if lg.Shape != nil && lg.Shape.NumKeyValueHeads > 0 {
		return lg.Shape.NumKeyValueHeads
	}
	return c.NumKeyValueHeads
}

// embeddingShard and headShard are what one GPU of the first and the last
// stage holds of the embedding and the head: the token embedding and an
// untied LM head split by vocabulary rows, ⌈V/tp⌉ each (Megatron-LM pads
// the vocabulary instead; tscale does not), learned positions and the final
// norm replicated. A tied LM head on a pipeline of several stages keeps a
// copy of the embedding rows on the last stage, as Megatron-LM does.
func embeddingShard(calc *checked, c Config, l Layout) paramShard {
	const what = "parameters on one GPU"
	p := paramShard{denseOther: calc.mul(what, ceilDiv(c.VocabSize, l.TP), c.HiddenSize)}
	if c.PositionEmbedding == PositionLearned {
		p.denseOther = calc.add(what, p.denseOther, calc.mul(what, c.MaxPositionEmbeddings, c.HiddenSize))
	}
	return p
}

func headShard(calc *checked, c Config, l Layout) paramShard {
	const what = "parameters on one GPU"
	rows := ceilDiv(c.VocabSize, l.TP)
	p := paramShard{denseOther: c.HiddenSize} // the final norm's weight
	if c.Norm == LayerNorm {
		p.denseOther = calc.mul(what, 2, c.HiddenSize)
	}
	if !c.TieWordEmbeddings || l.PP > 1 {
		p.denseOther = calc.add(what, p.denseOther, calc.mul(what, rows, c.HiddenSize))
	}
	if c.LMHeadBias {
		p.denseOther = calc.add(what, p.denseOther, rows)
	}
	return p
}

// actWidths are the activation elements one layer stores per token on one
// GPU, by how they split: replicated over the tensor-parallel GPUs (split
// along the sequence by sequence parallelism), split by head or column,
// per routed token slot, and the heads whose s×s tensors are stored; masks
// are the 1-byte dropout-mask entries per token, replicated.
type actWidths struct {
	replicated, masks, split, perSlot, coreHeads int64
}

// activationWidths is the stored activation of one layer of group lg on one
// of t tensor-parallel GPUs (etp inside each expert); see Activations.
func activationWidths(calc *checked, c Config, lg LayerGroup, t, etp int64) actWidths {
	const what = "activation elements per token"
	var a actWidths
	add := func(x *int64, terms ...int64) { *x = calc.add(what, append(terms, *x)...) }
	mul := func(xs ...int64) int64 { return calc.mul(what, xs...) }
	h := c.HiddenSize
	qk, v := c.HeadDim, c.HeadDim
	if c.IsMLA() {
		qk, v = c.QKNopeHeadDim+c.QKRopeHeadDim, c.VHeadDim
	}
	heads := c.NumAttentionHeads / t
	kv := kvHeadsPerGPU(layerKVHeads(c, lg), t)
	if c.IsMLA() { // keys and values expanded per head
		kv = heads
	}
	attentionInput, mlpInput := false, false
	sharedInput := c.ParallelBlock && c.NormsPerLayer == 1
	for _, o := range lg.Ops {
		base := opBase(o.Name)
		expert := strings.HasPrefix(o.Name, "experts.")
		switch {
		case o.Block == BlockSSM && o.Kind != KindResidual: // a recurrent block: every op's inputs
			for _, in := range o.Inputs {
				w := calc.fit(what, bigProduct(in[2:]...))
				if o.Name == "in_proj" || (o.Kind == KindNorm && o.Name != "gated_norm") { // the block's input, whole
					add(&a.replicated, w)
				} else { // split by heads and groups (tp = 1 on the kinds that have no split)
					add(&a.split, ceilDiv(w, t))
				}
			}
		case o.Kind == KindNorm && o.Name == "q_norm":
			add(&a.split, mul(heads, qk))
		case o.Kind == KindNorm && o.Name == "k_norm":
			add(&a.split, mul(kv, qk))
		case o.Kind == KindNorm:
			add(&a.replicated, lastDim(o.Inputs[0]))
		case o.Kind == KindScores:
			add(&a.split, mul(heads, qk), mul(kv, qk))
			a.coreHeads = heads
		case o.Kind == KindWeightedValues:
			add(&a.split, mul(kv, v))
		case base == "o_proj": // Zamba2's shared block's too
			add(&a.split, mul(heads, v))
			add(&a.masks, h)
		case base == "q_proj" || base == "k_proj" || base == "v_proj" || base == "q_a_proj" || base == "kv_a_proj_with_mqa":
			if !attentionInput { // the normed input: h, or a shared block's 2h
				add(&a.replicated, lastDim(o.Inputs[0]))
				attentionInput = true
			}
		case o.Name == "shared.linear": // the shared block's output, into the layer's own linear
			add(&a.replicated, h)
		case o.Name == "q_b_proj" || o.Name == "kv_b_proj":
			add(&a.replicated, lastDim(o.Inputs[0]))
		case o.Name == "attention_linear":
			add(&a.replicated, h)
			add(&a.masks, h)
		case o.Kind == KindResidual && o.Block == BlockMLP:
			add(&a.masks, h)
		case o.Kind == KindLinear && expert:
			if a.perSlot == 0 {
				a.perSlot = h // the dispatched input
			}
			if base == "down_proj" {
				add(&a.perSlot, ceilDiv(lastDim(o.Inputs[0]), etp))
			} else {
				add(&a.perSlot, ceilDiv(lastDim(o.Output), etp))
			}
		case o.Kind == KindLinear && o.Block == BlockMLP:
			if !mlpInput && base != "down_proj" && base != "shared_expert_gate" {
				if !(sharedInput && attentionInput) {
					add(&a.replicated, h)
				}
				mlpInput = true
			}
			switch base {
			case "gate_proj", "up_proj":
				add(&a.split, ceilDiv(lastDim(o.Output), t))
			case "down_proj":
				add(&a.split, ceilDiv(lastDim(o.Inputs[0]), t))
			}
		}
	}
	return a
}

// activationShape is the micro-batch one GPU holds: b sequences of s
// positions (seq_len / cp), of which sequence parallelism keeps ⌈s/t⌉.
type activationShape struct {
	b, s, sSP, bits int64
}

// bytes is the activation of one layer of widths a, experts per token k,
// by Table 2 row: elements × bits / 8 rounded up, plus 1-byte masks.
func (sh activationShape) bytes(row string, a actWidths, k, hidden int64) *big.Int {
	repTokens := bigProduct(sh.b, sh.s)
	if row == RowTensorSequence || row == RowTensorSequenceSelec {
		repTokens = bigProduct(sh.b, sh.sSP)
	}
	tokens := bigProduct(sh.b, sh.s)
	if row == RowFull {
		return bigBytesOf(scaledBy(tokens, hidden), sh.bits)
	}
	elements := scaledBy(repTokens, a.replicated)
	elements.Add(elements, scaledBy(tokens, a.split))
	elements.Add(elements, scaledBy(tokens, k, a.perSlot))
	masks := scaledBy(repTokens, a.masks)
	if row == RowNoParallelism || row == RowTensor || row == RowTensorSequence {
		pairs := bigProduct(sh.b, sh.s, sh.s, a.coreHeads)
		elements.Add(elements, scaledBy(pairs, 2)) // softmax output and dropout output
		masks.Add(masks, pairs)                    // the softmax dropout mask
	}
	b := bytesInto(elements, sh.bits)
	return b.Add(b, masks)
}

// gpuModel evaluates the per-GPU memory of one report's model under any
// layout: the layer group of every layer index, and the report it reads.
type gpuModel struct {
	calc    *checked
	r       *Report
	groupOf []int32
}

func newGPUModel(calc *checked, r *Report) *gpuModel {
	m := &gpuModel{calc: calc, r: r, groupOf: make([]int32, r.Config.NumHiddenLayers)}
	for g, lg := range r.Layers {
		for _, rg := range lg.Ranges {
			for i := rg.First; i <= rg.Last; i += max(rg.Step, 1) {
				m.groupOf[i] = int32(g)
			}
		}
	}
	return m
}

// stage is what one GPU of pipeline stage i holds under layout l: its
// parameters, and per decoder layer summed over its layers the values of
// perLayer (one per layer group).
func (m *gpuModel) stage(l Layout, i int64, shards []paramShard, perLayer ...[]*big.Int) (layers int64, p paramShard, sums []*big.Int) {
	c := m.r.Config
	first, n := stageLayers(c.NumHiddenLayers, l.PP, i)
	if i == 0 {
		p = p.plus(m.calc, 1, embeddingShard(m.calc, c, l))
		p.denseOther = m.calc.add("parameters on one GPU", p.denseOther, m.r.Params.SharedBlocks) // pp = 1 with shared blocks
	}
	if i == l.PP-1 {
		p = p.plus(m.calc, 1, headShard(m.calc, c, l))
	}
	sums = make([]*big.Int, len(perLayer))
	for k := range sums {
		sums[k] = new(big.Int)
	}
	for j := first; j < first+n; j++ {
		g := m.groupOf[j]
		p = p.plus(m.calc, 1, shards[g])
		for k, values := range perLayer {
			sums[k].Add(sums[k], values[g])
		}
	}
	return n, p, sums
}

// shards is what one GPU holds of one layer of each group under l.
func (m *gpuModel) shards(l Layout) ([]paramShard, error) {
	out := make([]paramShard, len(m.r.Layers))
	for g, lg := range m.r.Layers {
		var err error
		if out[g], err = layerShard(m.calc, m.r.Config, lg, l); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// kvPerLayer is the KV cache elements one GPU holds for one layer of each
// group under l, for the workload's batch: its KV heads (K/tp, or one when
// tp > K; MLA's compressed cache whole) × the tokens the layer caches.
func (m *gpuModel) kvPerLayer(l Layout) []*big.Int {
	c, w := m.r.Config, m.r.Workload
	out := make([]*big.Int, len(m.r.Layers))
	for g, lg := range m.r.Layers {
		perToken := lg.KVCacheElementsPerToken
		if K := layerKVHeads(c, lg); !c.IsMLA() && perToken > 0 {
			perToken = perToken / K * kvHeadsPerGPU(K, l.TP)
		}
		out[g] = bigProduct(perToken, lg.KVCacheTokens, w.BatchSize)
		if lg.SSMStateElements+lg.ConvStateElements > 0 { // a recurrent block's state, split by heads and groups (tp = 1 but on Mamba-2)
			out[g].Add(out[g], bigProduct(w.BatchSize, (lg.SSMStateElements+lg.ConvStateElements)/l.TP))
		}
	}
	return out
}

// inference is the most loaded GPU's inference memory under l: weights at
// the workload dtype and the workload's KV cache at its kv_dtype.
func (m *gpuModel) inference(l Layout) (GPUMemory, error) {
	shards, err := m.shards(l)
	if err != nil {
		return GPUMemory{}, err
	}
	w := m.r.Workload
	kv := m.kvPerLayer(l)
	var best GPUMemory
	for i := int64(0); i < l.PP; i++ {
		n, p, sums := m.stage(l, i, shards, kv)
		total := p.dense() + p.expert()
		weights := bigBytesOf(big.NewInt(total), w.DType.Bits())
		cache := bigBytesOf(sums[0], w.KVDType.Bits())
		sum := bigSum(weights, cache)
		if i > 0 && sum.Cmp(best.TotalBytes) <= 0 {
			continue
		}
		kvFormula := fmt.Sprintf("Σ over the stage's layers of batch_size × cached tokens × KV elements per token on this GPU × %d bits / 8 (%s)",
			w.KVDType.Bits(), w.KVDType)
		if m.r.Config.HasRecurrent() {
			kvFormula = fmt.Sprintf("Σ over the stage's attention layers of batch_size × cached tokens × KV elements per token on this GPU, "+
				"plus over its recurrent (Mamba, short-convolution, Gated DeltaNet, lightning-attention) layers batch_size × (SSM + conv state elements), × %d bits / 8 (%s)", w.KVDType.Bits(), w.KVDType)
		}
		best = GPUMemory{Stage: i, Layers: n, Params: gpuParams(m.r.Config, p, l), TotalBytes: sum, Parts: []GPUPart{
			{PartWeights, weights, fmt.Sprintf("Ψ × %d bits / 8 (%s; Ψ = params on this GPU, not sharded by ZeRO)", w.DType.Bits(), w.DType)},
			{PartKVCache, cache, kvFormula},
		}}
	}
	return best, nil
}

// gpuParams is p as reported, with the ZeRO groups of l.
func gpuParams(c Config, p paramShard, l Layout) GPUParams {
	return GPUParams{Total: p.dense() + p.expert(), Dense: p.dense(), Expert: p.expert(),
		Matrix: p.denseMatrix + p.expertMatrix, DenseShards: l.DP * l.CP, ExpertShards: expertDataParallel(c, l)}
}

// expertDataParallel is the GPUs holding the same experts, tp × dp × cp /
// (ep × etp); 0 in a dense model.
func expertDataParallel(c Config, l Layout) int64 {
	if !c.IsMoE() {
		return 0
	}
	return l.TP * l.DP * l.CP / (l.EP * l.ETP)
}

// training is the most loaded GPU's training memory under l, with the
// per-layer activation bytes of the layout's Table 2 row.
func (m *gpuModel) training(l Layout, perLayer []*big.Int, row string) (GPUMemory, error) {
	shards, err := m.shards(l)
	if err != nil {
		return GPUMemory{}, err
	}
	var best GPUMemory
	for i := int64(0); i < l.PP; i++ {
		n, p, sums := m.stage(l, i, shards, perLayer)
		inFlight := min(l.PP-i, l.MicroBatches)
		params := gpuParams(m.r.Config, p, l)
		weights, grads, opt := modelStateBytes(m.calc, p, params.DenseShards, params.ExpertShards, l.ZeRO, l.Optimizer)
		acts := scaledBy(sums[0], inFlight)
		total := bigSum(big.NewInt(weights), big.NewInt(grads), big.NewInt(opt), acts)
		if i > 0 && total.Cmp(best.TotalBytes) <= 0 {
			continue
		}
		experts := p.expert() > 0
		best = GPUMemory{Stage: i, Layers: n, MicroBatchesInFlight: inFlight, Params: params, TotalBytes: total, Parts: []GPUPart{
			{PartWeights, big.NewInt(weights), "2 B × " + shardTerm(l.ZeRO >= 3, experts, "") + " (bf16 weights)"},
			{PartGradients, big.NewInt(grads), "2 B × " + shardTerm(l.ZeRO >= 2, experts, "") + " (bf16 gradients)"},
			{PartOptimizer, big.NewInt(opt), optimizerFormula(l, experts)},
			{PartActivations, acts, fmt.Sprintf("Σ over the stage's layers of the %s row (Korthikanti et al. 2022 Table 2) × the micro-batches in flight (1F1B: min(pp − stage, micro_batches))",
				row)},
		}}
	}
	return best, nil
}

// shardTerm writes the elements one GPU keeps of a buffer: Ψ, or with
// ZeRO sharding ⌈Ψ/N_d⌉ (+ ⌈Ψ_e/N_e⌉ with experts); of names the subset
// ("_m" for matrices).
func shardTerm(sharded, experts bool, of string) string {
	switch {
	case !sharded && of == "":
		return "Ψ"
	case !sharded:
		return "Ψ" + of
	case experts:
		return fmt.Sprintf("(⌈Ψ%s_d/N_d⌉ + ⌈Ψ%s_e/N_e⌉)", of, of)
	}
	return fmt.Sprintf("⌈Ψ%s/N_d⌉", of)
}

// optimizerFormula is the formula of the optimizer state under l.
func optimizerFormula(l Layout, experts bool) string {
	x := shardTerm(l.ZeRO >= 1, experts, "")
	switch l.Optimizer {
	case OptimizerAdam8bit:
		return fmt.Sprintf("4 B × %s + 2 × (1 B × %s + 4 B × ⌈%s/2048⌉) (fp32 master weights; 8-bit Adam m and v with one fp32 absmax per block of 2048, Dettmers et al. 2022)", x, x, x)
	case OptimizerSGD:
		return fmt.Sprintf("8 B × %s (fp32 master weights 4, momentum 4)", x)
	case OptimizerMuon:
		return fmt.Sprintf("4 B × %s + 4 B × %s + 8 B × %s (fp32 master weights; Muon momentum on the hidden layers' weight matrices Ψ_m; AdamW m and v on the rest Ψ_o)",
			x, shardTerm(l.ZeRO >= 1, experts, "_m"), shardTerm(l.ZeRO >= 1, experts, "_o"))
	}
	return fmt.Sprintf("12 B × %s (fp32 master weights 4, Adam m 4, Adam v 4: ZeRO's K = 12)", x)
}

// modelStateBytes is the model states one GPU keeps of the parameters p in
// mixed precision (Rajbhandari et al. 2020, §3): bf16 weights (2 B) and
// gradients (2 B), and the optimizer state (Adam: K = 12 B), each one flat
// buffer per ZeRO group — dense over nd ranks, experts over ne — of which a
// GPU keeps ⌈Ψ/N⌉ elements when its stage shards it: ZeRO-1 the optimizer
// state, ZeRO-2 the gradients too, ZeRO-3 the weights too.
func modelStateBytes(calc *checked, p paramShard, nd, ne, zero int64, opt Optimizer) (weights, grads, state int64) {
	const what = "model states on one GPU"
	shard := func(n, ranks int64, on bool) int64 {
		if on && n > 0 {
			return ceilDiv(n, ranks)
		}
		return n
	}
	for _, g := range []struct{ matrix, other, ranks int64 }{{p.denseMatrix, p.denseOther, nd}, {p.expertMatrix, p.expertOther, ne}} {
		all := calc.add(what, g.matrix, g.other)
		weights = calc.add(what, weights, calc.mul(what, 2, shard(all, g.ranks, zero >= 3)))
		grads = calc.add(what, grads, calc.mul(what, 2, shard(all, g.ranks, zero >= 2)))
		x := shard(all, g.ranks, zero >= 1)
		switch opt {
		case OptimizerAdam8bit:
			state = calc.add(what, state, calc.mul(what, 4, x), calc.mul(what, 2, x), calc.mul(what, 2, 4, ceilDiv(x, 2048)))
		case OptimizerSGD:
			state = calc.add(what, state, calc.mul(what, 8, x))
		case OptimizerMuon:
			state = calc.add(what, state, calc.mul(what, 4, x), calc.mul(what, 4, shard(g.matrix, g.ranks, zero >= 1)),
				calc.mul(what, 8, shard(g.other, g.ranks, zero >= 1)))
		default:
			state = calc.add(what, state, calc.mul(what, 12, x))
		}
	}
	return weights, grads, state
}

// activations evaluates every Table 2 row for one layer of each group under
// l, and returns the selected row's bytes per group.
func (m *gpuModel) activations(l Layout) (Activations, []*big.Int) {
	c, w := m.r.Config, m.r.Workload
	sh := activationShape{b: l.MicroBatchSize, s: w.SeqLen / l.CP, bits: w.DType.Bits()}
	sh.sSP = ceilDiv(sh.s, l.TP)
	why := korthikantiMismatch(c)
	if len(why) == 0 && sh.bits != 16 {
		why = []Mismatch{MismatchActivationDType}
	}
	a := Activations{Applies: len(why) == 0, NotApplicable: why, SeqLen: sh.s, MicroBatchSize: sh.b, TP: l.TP}
	selected := selectedRow(l)
	perLayer := make([]*big.Int, len(m.r.Layers))
	for g, lg := range m.r.Layers {
		k := int64(0)
		if lg.MoE {
			k = c.NumExpertsPerTok
		}
		atT, at1 := activationWidths(m.calc, c, lg, l.TP, l.ETP), activationWidths(m.calc, c, lg, 1, 1)
		group := ActivationLayerGroup{Group: int64(g)}
		for _, row := range tableRows {
			widths, shape := atT, sh
			if row.name == RowNoParallelism {
				widths, shape.sSP = at1, sh.s
			}
			b := shape.bytes(row.name, widths, k, c.HiddenSize)
			group.Rows = append(group.Rows, ActivationRow{Row: row.name, Formula: row.formula, BytesPerLayer: b, Selected: row.name == selected})
			if row.name == selected {
				perLayer[g] = b
			}
		}
		a.Groups = append(a.Groups, group)
	}
	return a, perLayer
}

// perGPU is the per-GPU view of r under the validated layout l, fitted to
// dev when one is given.
func perGPU(calc *checked, r *Report, l Layout, dev *Device) (*PerGPU, error) {
	c := r.Config
	m := newGPUModel(calc, r)
	acts, perLayer := m.activations(l)
	out := &PerGPU{Activations: acts, Conventions: perGPUConventions(c)}
	switch {
	case c.IsMLA():
		out.KVCacheReplicated = l.TP > 1
	case c.NumKeyValueHeads == 0: // no attention layer: no KV cache
	default:
		K := c.NumKeyValueHeads
		out.KVHeadsPerGPU, out.KVHeadCopies = kvHeadsPerGPU(K, l.TP), max(l.TP/K, 1)
	}
	var err error
	if out.Training, err = m.training(l, perLayer, selectedRow(l)); err != nil {
		return nil, err
	}
	if out.Inference, err = m.inference(l); err != nil {
		return nil, err
	}
	if dev != nil {
		out.Training.Fit = fitOn(out.Training.TotalBytes, dev.MemoryBytes)
		out.Inference.Fit = fitOn(out.Inference.TotalBytes, dev.MemoryBytes)
	}
	return out, nil
}

// fitOn says whether total bytes fit a device of memory bytes.
func fitOn(total *big.Int, memory int64) *DeviceFit {
	mem := big.NewInt(memory)
	return &DeviceFit{DeviceBytes: memory, Fits: total.Cmp(mem) <= 0, HeadroomBytes: new(big.Int).Sub(mem, total),
		UsedRatio: ratio(total, new(big.Rat).SetInt(mem))}
}

// perGPUConventions lists, in words, how PerGPU places and counts memory.
func perGPUConventions(c Config) []string {
	list := []string{
		"the most loaded GPU: every pipeline stage is evaluated and the one with the largest total shown, for training and for inference each",
		"stages: the first L mod pp stages hold ⌊L/pp⌋ + 1 decoder layers, the others ⌊L/pp⌋; the first stage also holds the embedding, the last the final norm and the LM head, and with a tied LM head and pp > 1 a copy of the embedding rows, as Megatron-LM keeps",
		"tensor parallelism as in Megatron-LM: q, k, v, gate and up projections (and MLA's q_b_proj and kv_b_proj) split by columns, o_proj and down_proj by rows with their biases replicated; norms, the router and MLA's down-projections replicated; the token embedding and an untied LM head split by vocabulary rows",
		"rounding: a dimension split n ways holds ⌈size/n⌉ on the GPU shown (the vocabulary is not padded, where Megatron-LM pads it to a multiple of 128 × tp); a ZeRO shard of Ψ elements over N ranks is ⌈Ψ/N⌉ elements, each state buffer sharded on its own (dense parameters over N_d = dp × cp, experts over N_e); bytes are elements × bits / 8 rounded up to a whole byte, each Table 2 row too",
		"training: bf16 weights and gradients, 2 bytes each, and the optimizer state with fp32 master weights (ZeRO's model states); activations by Korthikanti et al. 2022 Table 2 at s = seq_len / cp and b = micro_batch_size, times the micro-batches in flight under 1F1B; the embedding's dropout mask, the final norm and the logits are not counted (small, §4.3), nor temporary and communication buffers, the CUDA context or fragmentation",
		"inference: the weights in the workload's dtype and the KV cache of the workload's batch at seq_len in its kv_dtype, split by tp (one KV head per GPU when tp > K); dp and cp do not split it; activations and buffers are not counted",
	}
	if c.HasMamba2() {
		list = append(list, "a Mamba-2 block split by tp as Megatron-LM's MambaMixer: in_proj by columns (z, x, B, C and dt each by whole heads and groups), "+
			"out_proj by rows with its bias replicated, conv1d, dt_bias, A_log, D, the gated norm and the recurrent state by heads and groups; "+
			"its input norm replicated")
	}
	if c.IsMoE() {
		list = append(list, "routed experts: E/ep whole experts per GPU, each split etp ways; they are replicated over the N_e = tp × dp × cp / (ep × etp) GPUs of their expert data-parallel group")
	}
	if c.IsMLA() {
		list = append(list, "MLA: the compressed KV cache is not split by head: every tensor-parallel GPU holds all of it")
	}
	if c.MTPLayers > 0 {
		list = append(list, "the multi-token-prediction modules (params.mtp) are not placed on any GPU")
	}
	if c.VisionParams > 0 {
		list = append(list, "the vision tower and projector (params.vision) are not placed on any GPU")
	}
	return list
}
