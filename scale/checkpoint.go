package scale

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// StoredTensor is one tensor of a checkpoint as its header describes it,
// with what its name means for the model (package presets maps Hugging
// Face names; nil Ref: a name tscale does not know).
type StoredTensor struct {
	Name  string      `json:"name"`
	DType TensorDType `json:"dtype"`
	Shape []int64     `json:"shape"`
	// Bytes is the length of its data (the header's data_offsets).
	Bytes int64      `json:"bytes"`
	Ref   *TensorRef `json:"-"`
}

// TensorRef says which op of which layer a stored tensor belongs to.
type TensorRef struct {
	// Layer is the decoder layer, or −1 for the embedding and the head; a
	// layer from num_hidden_layers on is a multi-token-prediction module.
	Layer int64
	// Ops are the op the tensor holds, or several whose matrices are
	// fused along the output (q_proj, k_proj and v_proj in one qkv_proj).
	Ops []string
	// Part is "weight", "bias", a quantised matrix's tensor (qweight,
	// weight_scale_inv, blocks, …: Quantization.WeightTensors) or a buffer
	// (e_score_correction_bias).
	Part string
	// Expert is the routed expert a tensor of an expert op holds, for a
	// checkpoint that stores one tensor per expert; Stacked: every expert
	// in one tensor, the expert first.
	Expert  int64
	Stacked bool
	// Transposed: an unquantised weight stored [in, out] (GPT-2's Conv1D,
	// fused experts) rather than nn.Linear's [out, in].
	Transposed bool
	Role       TensorRole
}

// TensorRole is what a mapped tensor is to the model.
type TensorRole string

// The roles.
const (
	// RoleParam: parameters of params.total, or of params.mtp in an MTP
	// module.
	RoleParam TensorRole = ""
	// RoleBuffer: a buffer the checkpoint stores, not a parameter
	// (DeepSeek-V3's e_score_correction_bias, shape [experts]).
	RoleBuffer TensorRole = "buffer"
	// RoleCopy: a copy of a parameter counted elsewhere (an MTP module's
	// embedding and output head, which it shares with the model).
	RoleCopy TensorRole = "copy"
	// RoleVision: a tensor of a multimodal checkpoint's vision tower or
	// projector (params.vision), not checked tensor by tensor.
	RoleVision TensorRole = "vision"
)

// Checkpoint is what a checkpoint's headers say, checked against the
// config: the values stored, by type; the parameters they hold; every
// tensor tscale does not account for, every op with no tensor and every
// tensor whose type or shape the config contradicts.
type Checkpoint struct {
	Files   int64 `json:"files"`
	Tensors int64 `json:"tensors"`
	// Values is the elements of every tensor (what the Hugging Face Hub
	// counts as a checkpoint's parameters) and Bytes their data.
	Values  int64         `json:"values"`
	Bytes   int64         `json:"bytes"`
	ByDType []StoredDType `json:"by_dtype"`
	// IndexTotalSize is model.safetensors.index.json's metadata.total_size
	// (0: no index, or no total given); it should equal Bytes.
	IndexTotalSize int64 `json:"index_total_size,omitempty"`
	// Params is the parameters of params.total that the agreeing tensors
	// hold: their elements, or for a quantised matrix the weights it
	// encodes. It equals params.total when Agrees.
	Params int64 `json:"params"`
	// MTPParams is the same for params.mtp.
	MTPParams int64 `json:"mtp_params,omitempty"`
	// Values by role, summing to Values: parameters of params.total
	// stored as they are; the tensors of quantised matrices (packed
	// values, scales, zero points, indices); the MTP modules'; buffers;
	// copies; a vision tower; tensors not accounted for; tensors that
	// contradict the config.
	ParamValues       int64 `json:"param_values"`
	QuantizedValues   int64 `json:"quantized_values,omitempty"`
	MTPValues         int64 `json:"mtp_values,omitempty"`
	BufferValues      int64 `json:"buffer_values,omitempty"`
	CopyValues        int64 `json:"copy_values,omitempty"`
	VisionValues      int64 `json:"vision_values,omitempty"`
	UnaccountedValues int64 `json:"unaccounted_values,omitempty"`
	DisagreeingValues int64 `json:"disagreeing_values,omitempty"`
	// Agrees: every tensor is accounted for and agrees with the config,
	// and every op has its tensors.
	Agrees bool `json:"agrees"`
	// Ops are the tensors of each op (or fused ops, "q_proj+k_proj+v_proj"),
	// summed over the layers, in the order first met.
	Ops []CheckpointOp `json:"ops"`
	// Unaccounted are the tensors whose name tscale does not map to an op.
	Unaccounted []StoredTensor `json:"unaccounted"`
	// Missing are the op tensors the config implies that no tensor holds.
	Missing []MissingTensor `json:"missing"`
	// Disagreements are the tensors the config contradicts.
	Disagreements []TensorDisagreement `json:"disagreements"`
}

// StoredDType is the tensors of one type.
type StoredDType struct {
	DType   TensorDType `json:"dtype"`
	Tensors int64       `json:"tensors"`
	Values  int64       `json:"values"`
	Bytes   int64       `json:"bytes"`
}

// CheckpointOp is the stored tensors of one op over the layers.
type CheckpointOp struct {
	Op   string     `json:"op"`
	MTP  bool       `json:"mtp,omitempty"`
	Role TensorRole `json:"role,omitempty"`
	// Layers is how many layers (or MTP modules) hold it; 0 for the
	// embedding and the head.
	Layers  int64 `json:"layers"`
	Tensors int64 `json:"tensors"`
	Values  int64 `json:"values"`
	Bytes   int64 `json:"bytes"`
	// Params is the parameters its agreeing tensors hold.
	Params int64 `json:"params"`
}

// MissingTensor is a tensor of an op that no stored tensor holds, in the
// layers listed (none: the embedding or head).
type MissingTensor struct {
	Op     string       `json:"op"`
	Part   string       `json:"part"`
	MTP    bool         `json:"mtp,omitempty"`
	Layers []LayerRange `json:"-"`
	// LayerCount is how many layers miss it; Experts how many (layer,
	// expert) pairs, for an expert op.
	LayerCount int64 `json:"layer_count"`
	Experts    int64 `json:"experts,omitempty"`
}

// TensorDisagreement is a stored tensor the config contradicts.
type TensorDisagreement struct {
	Name   string           `json:"name"`
	Reason DisagreementKind `json:"reason"`
	// Want is the type and shape the config implies ("" type: any float
	// type), where there is one.
	WantDType TensorDType `json:"want_dtype,omitempty"`
	WantShape []int64     `json:"want_shape,omitempty"`
	DType     TensorDType `json:"dtype"`
	Shape     []int64     `json:"shape"`
}

// DisagreementKind is why a stored tensor disagrees with the config.
type DisagreementKind string

// The kinds of disagreement.
const (
	// DisagreeShape: the shape is not the config's.
	DisagreeShape DisagreementKind = "shape"
	// DisagreeDType: the type is not the layout's (an unquantised weight
	// in a quantised layout's place, or an integer type where a float is
	// stored).
	DisagreeDType DisagreementKind = "dtype"
	// DisagreeNoOp: the layer has no such op (a q_a_proj in a model
	// without q_lora_rank, an expert op in a dense layer).
	DisagreeNoOp DisagreementKind = "no_such_op"
	// DisagreeNoPart: the op has no such tensor (a bias the config does
	// not give it, a quantised part of an unquantised op or the reverse).
	DisagreeNoPart DisagreementKind = "no_such_part"
	// DisagreeLayer: the layer index is past the layers and MTP modules.
	DisagreeLayer DisagreementKind = "no_such_layer"
	// DisagreeExpert: the expert index is past num_local_experts.
	DisagreeExpert DisagreementKind = "no_such_expert"
	// DisagreeFused: fused ops that differ in width or in quantisation.
	DisagreeFused DisagreementKind = "fused_ops_differ"
	// DisagreeDuplicate: a second tensor for what another already holds.
	DisagreeDuplicate DisagreementKind = "duplicate"
)

// ckptPart is an op's part in a layer, all experts together.
type ckptPart struct {
	layer    int64
	op, part string
}

func (s ckptSlot) opPart() ckptPart { return ckptPart{s.layer, s.op, s.part} }

// dupIf is DisagreeDuplicate when dup holds.
func dupIf(dup bool) DisagreementKind {
	if dup {
		return DisagreeDuplicate
	}
	return ""
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// ckptLayer is the ops of one decoder layer or MTP module, by name.
type ckptLayer struct {
	ops   map[string]Op
	order []string
	mtp   bool
}

// ckptSlot is one tensor the config implies: an op's part in a layer (and
// expert).
type ckptSlot struct {
	layer  int64
	op     string
	part   string
	expert int64
}

// ckptModel is the ops of every layer of c, MTP modules included, as the
// checkpoint comparison looks them up.
type ckptModel struct {
	q      *Quantization
	skips  quantSkips
	stage  *ckptLayer   // the embedding and head
	layers []*ckptLayer // decoder layers, then MTP modules
}

func newCkptModel(calc *checked, c Config) *ckptModel {
	one := newOpBuilder(calc, c, Workload{BatchSize: 1, SeqLen: 1})
	m := &ckptModel{q: c.quantization()}
	if m.q != nil {
		m.skips = m.q.skips()
	}
	newLayer := func(ops []Op, mtp bool) *ckptLayer {
		l := &ckptLayer{ops: map[string]Op{}, mtp: mtp}
		for _, o := range ops {
			l.ops[o.Name] = o
			l.order = append(l.order, o.Name)
		}
		return l
	}
	m.stage = newLayer(append(one.embeddingOps(), one.headOps()...), false)
	m.layers = make([]*ckptLayer, c.NumHiddenLayers+c.MTPLayers)
	for _, g := range groupLayers(c.layerSpecs()) {
		l := newLayer(analyzeLayer(calc, one, g.spec).Ops, false)
		for _, i := range g.indices {
			m.layers[i] = l
		}
	}
	for j := int64(0); j < c.MTPLayers; j++ {
		own := []Op{
			one.hiddenNorm("enorm", BlockMLP), one.hiddenNorm("hnorm", BlockMLP),
			one.linear("eh_proj", BlockMLP, []int64{1, 1}, calc.mul("eh_proj width", 2, c.HiddenSize), c.HiddenSize, false),
			one.hiddenNorm("shared_head.norm", BlockMLP),
		}
		m.layers[c.NumHiddenLayers+j] = newLayer(append(own, analyzeLayer(calc, one, c.layerSpec(c.NumHiddenLayers+j)).Ops...), true)
	}
	return m
}

// layerOf is decoder layer (or MTP module) i, or the stage for −1.
func (m *ckptModel) layerOf(i int64) *ckptLayer {
	if i < 0 {
		return m.stage
	}
	return m.layers[i]
}

// ExpectedTensor is a tensor the config implies a checkpoint holds: one
// per layer, op, part and routed expert, unfused and in nn.Linear's [out,
// in] order. DType is the quantised layout's, or "" for an unquantised
// parameter (any float type).
type ExpectedTensor struct {
	Layer  int64
	Op     string
	Part   string
	Expert int64
	DType  TensorDType
	Shape  []int64
	Role   TensorRole
}

// MaxExpectedTensors is the most tensors ExpectedTensors lists.
const MaxExpectedTensors = 10_000_000

// ExpectedTensors lists every tensor c implies a checkpoint holds, layer by
// layer (the embedding and head first, at layer −1), MTP modules and
// buffers included; a stored tensor of unknown length (bitsandbytes'
// quant_state) is left out. A config implying more than
// MaxExpectedTensors is an *OverflowError.
func ExpectedTensors(c Config) ([]ExpectedTensor, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	calc := &checked{}
	m := newCkptModel(calc, c)
	var out []ExpectedTensor
	for i := int64(-1); i < int64(len(m.layers)); i++ {
		l := m.layerOf(i)
		for _, name := range l.order {
			o := l.ops[name]
			for _, part := range impliedParts(c, m.q, m.skips, o, i) {
				ref := &TensorRef{Layer: i, Ops: []string{name}, Part: part}
				if part == "e_score_correction_bias" {
					ref.Role = RoleBuffer
				}
				want, why := expectTensor(calc, c, m.q, m.skips, l, ref)
				if why != "" {
					return nil, fmt.Errorf("internal error: %s %s of layer %d: %s", name, part, i, why)
				}
				for e := range c.opExperts(name) {
					if len(out) >= MaxExpectedTensors {
						return nil, &OverflowError{Quantity: fmt.Sprintf("the checkpoint's tensors (more than %d)", MaxExpectedTensors)}
					}
					out = append(out, ExpectedTensor{Layer: i, Op: name, Part: part, Expert: e, DType: want.dtype,
						Shape: want.shape, Role: ref.Role})
				}
			}
		}
	}
	if calc.err != nil {
		return nil, calc.err
	}
	return out, nil
}

// CompareCheckpoint checks the tensors of a checkpoint of files files
// (with an index whose metadata.total_size is indexTotalSize, or 0)
// against c: it returns every disagreement at once, typed, rather than
// stopping at the first, so that a report can show a checkpoint that
// differs from its config.json in full. The error is for a config Validate
// refuses or a count that overflows.
func CompareCheckpoint(c Config, files, indexTotalSize int64, tensors []StoredTensor) (*Checkpoint, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.HasSharedBlocks() {
		return nil, fmt.Errorf("shared transformer blocks (Zamba2): their checkpoint tensors are not mapped")
	}
	calc := &checked{}
	m := newCkptModel(calc, c)
	q, skips, stage, layers, layerOf := m.q, m.skips, m.stage, m.layers, m.layerOf

	ck := &Checkpoint{Files: files, IndexTotalSize: indexTotalSize, Disagreements: []TensorDisagreement{}, Unaccounted: []StoredTensor{}, Missing: []MissingTensor{}}
	const what = "params.checkpoint"
	byDType := map[TensorDType]int{}
	opIndex := map[string]int{}
	opLayers := map[string]map[int64]bool{}
	found := map[ckptSlot]bool{}
	covered := map[ckptPart]int64{} // slots filled per op part: experts for an expert op
	disagree := func(t StoredTensor, why DisagreementKind, want tensorWant) {
		ck.Disagreements = append(ck.Disagreements, TensorDisagreement{Name: t.Name, Reason: why,
			WantDType: want.dtype, WantShape: want.shape, DType: t.DType, Shape: t.Shape})
	}
	for _, t := range tensors {
		values := calc.mul(what, t.Shape...)
		ck.Tensors++
		ck.Values = calc.add(what, ck.Values, values)
		ck.Bytes = calc.add(what, ck.Bytes, t.Bytes)
		i, ok := byDType[t.DType]
		if !ok {
			i = len(ck.ByDType)
			byDType[t.DType] = i
			ck.ByDType = append(ck.ByDType, StoredDType{DType: t.DType})
		}
		d := &ck.ByDType[i]
		d.Tensors++
		d.Values = calc.add(what, d.Values, values)
		d.Bytes = calc.add(what, d.Bytes, t.Bytes)

		ref := t.Ref
		switch {
		case ref == nil:
			ck.Unaccounted = append(ck.Unaccounted, t)
			ck.UnaccountedValues = calc.add(what, ck.UnaccountedValues, values)
			continue
		case ref.Role == RoleVision:
			ck.VisionValues = calc.add(what, ck.VisionValues, values)
			continue
		case ref.Layer >= int64(len(layers)) || ref.Layer < -1:
			disagree(t, DisagreeLayer, tensorWant{})
			ck.DisagreeingValues = calc.add(what, ck.DisagreeingValues, values)
			continue
		}
		l := layerOf(ref.Layer)
		if ref.Role == RoleCopy { // a copy of the embedding or the head: checked against them
			l = stage
		}
		want, why := expectTensor(calc, c, q, skips, l, ref)
		if why == "" && ref.Role != RoleCopy && !ref.Stacked && isExpertOp(ref.Ops[0]) &&
			(ref.Expert < 0 || ref.Expert >= c.NumLocalExperts) {
			why = DisagreeExpert
		}
		// The slots the tensor fills: one per op, for one expert, or for
		// every expert of a stacked tensor (expert −1).
		var slots []ckptSlot
		if why == "" && ref.Role != RoleCopy {
			for _, op := range ref.Ops {
				slot := ckptSlot{ref.Layer, op, ref.Part, 0}
				switch {
				case ref.Stacked:
					slot.expert = -1
					why = cmp.Or(why, dupIf(covered[slot.opPart()] > 0))
				case isExpertOp(op):
					slot.expert = ref.Expert
					why = cmp.Or(why, dupIf(found[slot] || found[ckptSlot{ref.Layer, op, ref.Part, -1}]))
				default:
					why = cmp.Or(why, dupIf(found[slot]))
				}
				slots = append(slots, slot)
			}
		}
		if why == "" {
			// The op has its tensor, right or wrong: a wrong one is not
			// also missing.
			for _, slot := range slots {
				found[slot] = true
				n := int64(1)
				if slot.expert < 0 {
					n = c.opExperts(slot.op)
				}
				covered[slot.opPart()] += n
			}
			switch {
			case !want.any && !sameShape(want, t.Shape):
				why = DisagreeShape
			case !want.any && !dtypeFits(want.dtype, t.DType):
				why = DisagreeDType
			}
		}
		if why != "" {
			disagree(t, why, want)
			ck.DisagreeingValues = calc.add(what, ck.DisagreeingValues, values)
			continue
		}
		mtp := ref.Layer >= c.NumHiddenLayers
		key := strings.Join(ref.Ops, "+") + " " + string(ref.Role)
		if mtp {
			key += " (mtp)"
		}
		j, ok := opIndex[key]
		if !ok {
			j = len(ck.Ops)
			opIndex[key] = j
			opLayers[key] = map[int64]bool{}
			ck.Ops = append(ck.Ops, CheckpointOp{Op: strings.Join(ref.Ops, "+"), MTP: mtp, Role: ref.Role})
		}
		op := &ck.Ops[j]
		if ref.Layer >= 0 && !opLayers[key][ref.Layer] {
			opLayers[key][ref.Layer] = true
			op.Layers++
		}
		op.Tensors++
		op.Values = calc.add(what, op.Values, values)
		op.Bytes = calc.add(what, op.Bytes, t.Bytes)
		params := want.params
		if ref.Stacked {
			params = calc.mul(what, params, c.NumLocalExperts)
		}
		switch {
		case ref.Role == RoleBuffer:
			ck.BufferValues = calc.add(what, ck.BufferValues, values)
		case ref.Role == RoleCopy:
			ck.CopyValues = calc.add(what, ck.CopyValues, values)
		case mtp:
			ck.MTPValues = calc.add(what, ck.MTPValues, values)
			ck.MTPParams = calc.add(what, ck.MTPParams, params)
			op.Params = calc.add(what, op.Params, params)
		case want.quantized:
			ck.QuantizedValues = calc.add(what, ck.QuantizedValues, values)
			ck.Params = calc.add(what, ck.Params, params)
			op.Params = calc.add(what, op.Params, params)
		default:
			ck.ParamValues = calc.add(what, ck.ParamValues, values)
			ck.Params = calc.add(what, ck.Params, params)
			op.Params = calc.add(what, op.Params, params)
		}
	}

	// Every tensor the config implies that no stored tensor holds.
	type missingKey struct {
		op, part string
		mtp      bool
	}
	missingAt := map[missingKey][]int64{}
	missingExperts := map[missingKey]int64{}
	var missingOrder []missingKey
	miss := func(k missingKey, layer int64, experts int64) {
		if _, seen := missingAt[k]; !seen {
			missingOrder = append(missingOrder, k)
			missingAt[k] = []int64{}
		}
		if layer >= 0 {
			if at := missingAt[k]; len(at) == 0 || at[len(at)-1] != layer {
				missingAt[k] = append(at, layer)
			}
		}
		missingExperts[k] += experts
	}
	for i := int64(-1); i < int64(len(layers)); i++ {
		l := layerOf(i)
		for _, name := range l.order {
			o := l.ops[name]
			for _, part := range impliedParts(c, q, skips, o, i) {
				k := missingKey{name, part, l.mtp}
				want := c.opExperts(name)
				if n := want - covered[ckptPart{i, name, part}]; n > 0 {
					miss(k, i, n*b2i(isExpertOp(name)))
				}
			}
		}
	}
	for _, k := range missingOrder {
		at := missingAt[k]
		ck.Missing = append(ck.Missing, MissingTensor{Op: k.op, Part: k.part, MTP: k.mtp, Layers: layerRanges(at),
			LayerCount: int64(len(at)), Experts: missingExperts[k]})
	}
	// Ops in the model's order: the embedding, the layers' ops, the MTP
	// modules', the head; a fused entry where its first op is.
	rank := map[string]int{}
	head := len(stage.order) - 2 // the stage is the embedding's ops, then the final norm and the LM head
	for _, l := range append(append([]*ckptLayer{{order: stage.order[:head]}}, layers...), &ckptLayer{order: stage.order[head:]}) {
		for _, name := range l.order {
			if _, ok := rank[name]; !ok {
				rank[name] = len(rank)
			}
		}
	}
	opRank := func(o CheckpointOp) int {
		first, _, _ := strings.Cut(o.Op, "+")
		r, ok := rank[first]
		if !ok {
			r = len(rank)
		}
		if o.MTP {
			r += len(rank) + 1
		}
		return r
	}
	sort.SliceStable(ck.Ops, func(i, j int) bool { return opRank(ck.Ops[i]) < opRank(ck.Ops[j]) })
	ck.Agrees = len(ck.Disagreements) == 0 && len(ck.Unaccounted) == 0 && len(ck.Missing) == 0
	if calc.err != nil {
		return nil, calc.err
	}
	return ck, nil
}

// tensorWant is the type and shape the config implies for a stored tensor
// ("" type: any float type), the parameters it holds and whether it is part
// of a quantised matrix.
type tensorWant struct {
	any       bool // a buffer whose shape and type tscale does not check
	variable  bool // one dimension of a length the config does not fix
	dtype     TensorDType
	shape     []int64
	params    int64
	quantized bool
}

// expectTensor is what the config implies for the tensor ref names in
// layer l, or why it cannot hold it.
func expectTensor(calc *checked, c Config, q *Quantization, skips quantSkips, l *ckptLayer, ref *TensorRef) (tensorWant, DisagreementKind) {
	if len(ref.Ops) == 0 {
		return tensorWant{}, DisagreeNoOp
	}
	ops := make([]Op, len(ref.Ops))
	for i, name := range ref.Ops {
		o, ok := l.ops[name]
		if !ok || o.Params == 0 && ref.Role != RoleBuffer {
			return tensorWant{}, DisagreeNoOp
		}
		ops[i] = o
	}
	stack := func(w tensorWant) tensorWant {
		if ref.Stacked {
			w.shape = append([]int64{c.NumLocalExperts}, w.shape...)
		}
		return w
	}
	o := ops[0]
	if ref.Role == RoleBuffer {
		switch {
		case len(ops) > 1:
		case ref.Part == "e_score_correction_bias" && o.Name == "router" && c.RouterScoreBias:
			return tensorWant{shape: []int64{c.NumLocalExperts}}, ""
		case o.Kind == KindScores: // GPT-2's causal-mask buffers: any shape and type
			return tensorWant{any: true}, ""
		}
		return tensorWant{}, DisagreeNoPart
	}
	if len(ops) == 1 && o.Kind != KindLinear {
		width := o.Output[len(o.Output)-1]
		switch {
		case o.Kind == KindGather && ref.Part == "weight":
			return tensorWant{shape: []int64{o.Params / width, width}, params: o.Params}, ""
		case o.Kind == KindNorm && (ref.Part == "weight" || ref.Part == "bias" && c.normBias(o)):
			shape := []int64{width}
			if heads := o.Params / width / int64(len(normParts(c, o))); heads > 1 { // per-head weights [heads, head_dim]
				shape = []int64{heads, width}
			}
			return tensorWant{shape: shape, params: o.Params / int64(len(normParts(c, o)))}, ""
		case o.Kind == KindSoftmax && ref.Part == "weight": // attention sinks
			return tensorWant{shape: []int64{o.Params}, params: o.Params}, ""
		case o.Kind == KindActivation && slices.Contains(activationParts(o), ref.Part): // learned activation parameters
			return tensorWant{shape: []int64{1}, params: 1}, ""
		case o.Kind == KindConv && ref.Part == "weight": // a Mamba depthwise conv1d: [channels, 1, kernel]
			k, _ := c.mambaConv()
			return tensorWant{shape: []int64{width, 1, k}, params: width * k}, ""
		case o.Kind == KindConv && ref.Part == "bias":
			if _, bias := c.mambaConv(); bias {
				return tensorWant{shape: []int64{width}, params: width}, ""
			}
		case o.Kind == KindScan && c.scanTensors()[ref.Part] != nil: // A_log, D (and Mamba-2's dt_bias)
			shape := c.scanTensors()[ref.Part]
			n := int64(1)
			for _, x := range shape {
				n *= x
			}
			return tensorWant{shape: shape, params: n}, ""
		}
		return tensorWant{}, DisagreeNoPart
	}
	// Linear ops, fused along the output: one input width, one storage.
	in, _ := linearShape(o)
	var out, bias int64
	quantized := q != nil && q.quantizes(skips, o, ref.Layer)
	for _, p := range ops {
		pin, pout := linearShape(p)
		if p.Kind != KindLinear || pin != in || isExpertOp(p.Name) != isExpertOp(o.Name) ||
			(q != nil && q.quantizes(skips, p, ref.Layer) != quantized) {
			return tensorWant{}, DisagreeFused
		}
		out = calc.add("fused output width", out, pout)
		bias = calc.add("fused bias", bias, linearBias(p, c.opExperts(p.Name)))
	}
	weight := calc.mul("fused weight", in, out)
	if linearWeight(o) == 0 { // a tied LM head: its bias at most
		weight = 0
	}
	switch {
	case ref.Part == "bias" && bias > 0:
		return stack(tensorWant{shape: []int64{out}, params: bias}), ""
	case ref.Part == "weight" && weight > 0 && !quantized:
		shape := []int64{out, in}
		if ref.Transposed {
			shape = []int64{in, out}
		}
		return stack(tensorWant{shape: shape, params: weight}), ""
	case quantized:
		for i, t := range q.WeightTensors(in, out) {
			if t.Part == ref.Part {
				w := tensorWant{dtype: t.DType, shape: t.Shape, quantized: true}
				if i == 0 { // the values: the matrix's weights
					w.params = weight
				}
				return stack(w), ""
			}
		}
		if q.variableTensors() > 0 && strings.HasPrefix(ref.Part, "weight.quant_state.bitsandbytes__") {
			return tensorWant{dtype: TensorU8, variable: true, quantized: true}, ""
		}
	}
	return tensorWant{}, DisagreeNoPart
}

// opExperts is how many matrices op name's params count: the routed
// experts for an expert op, else one.
func (c Config) opExperts(name string) int64 {
	if isExpertOp(name) {
		return c.NumLocalExperts
	}
	return 1
}

// impliedParts are the tensors the config implies op o holds in layer i
// (−1: the embedding and head): nothing for an op without parameters.
func impliedParts(c Config, q *Quantization, skips quantSkips, o Op, i int64) []string {
	if o.Params == 0 {
		return nil
	}
	switch o.Kind {
	case KindGather, KindSoftmax:
		return []string{"weight"}
	case KindNorm:
		return normParts(c, o)
	case KindActivation:
		return activationParts(o)
	case KindConv:
		if _, bias := c.mambaConv(); bias {
			return []string{"weight", "bias"}
		}
		return []string{"weight"}
	case KindScan:
		var parts []string
		for _, p := range []string{"dt_bias", "A_log", "D"} {
			if c.scanTensors()[p] != nil {
				parts = append(parts, p)
			}
		}
		return parts
	case KindLinear:
	default:
		return nil
	}
	var parts []string
	switch {
	case linearWeight(o) == 0: // tied head
	case q != nil && q.quantizes(skips, o, i):
		in, out := linearShape(o)
		for _, t := range q.WeightTensors(in, out) {
			parts = append(parts, t.Part)
		}
	default:
		parts = append(parts, "weight")
	}
	if linearBias(o, c.opExperts(o.Name)) > 0 {
		parts = append(parts, "bias")
	}
	if o.Name == "router" && c.RouterScoreBias && i >= 0 {
		parts = append(parts, "e_score_correction_bias")
	}
	return parts
}

// maxActivationParts bounds the scalar parameters an activation's tensors
// are checked one by one for.
const maxActivationParts = 64

// normBias reports whether norm op o has a bias: a LayerNorm's, except
// MLA's latent norms, which are RMSNorms whatever the model's norm.
func (c Config) normBias(o Op) bool {
	kind := c.Norm
	if (o.Name == "q_norm" || o.Name == "k_norm") && c.QKNormKind != "" { // QK norms of their own kind (StableLM 2)
		kind = c.QKNormKind
	}
	return kind == LayerNorm && o.Name != "q_a_layernorm" && o.Name != "kv_a_layernorm" && o.Name != "gated_norm"
}

// normParts are the tensors of norm op o: its weight, and its bias.
func normParts(c Config, o Op) []string {
	if c.normBias(o) {
		return []string{"weight", "bias"}
	}
	return []string{"weight"}
}

// activationParts names the learned parameters of an activation op, one
// scalar tensor each: "0", "1", … (Apertus's xIELU: alpha_p and alpha_n);
// an activation of more than maxActivationParts is not checked tensor by
// tensor.
func activationParts(o Op) []string {
	if o.Params > maxActivationParts {
		return nil
	}
	parts := make([]string, o.Params)
	for i := range parts {
		parts[i] = strconv.Itoa(i)
	}
	return parts
}

// sameShape reports whether got is the shape want implies: its shape (nil
// for a scalar), or any one dimension for a tensor of variable length.
func sameShape(want tensorWant, got []int64) bool {
	if want.variable {
		return len(got) == 1
	}
	return slices.Equal(want.shape, got)
}

// dtypeFits reports whether a tensor of type got may hold what the config
// implies: the layout's type, or any float type for an unquantised
// parameter.
func dtypeFits(want, got TensorDType) bool {
	if want == "" {
		return got.IsFloat()
	}
	return want == got
}
