package scale

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// GGUFTensor is one tensor of a GGUF file as its header describes it, with
// what its name means for the model (package presets maps llama.cpp's
// names; a nil Ref is a name tscale does not know).
type GGUFTensor struct {
	Name string `json:"name"`
	// Type is the ggml type's name (Q4_K); BlockBytes bytes of it hold
	// BlockSize values (Q4_K: 144 bytes per 256 values).
	Type       string `json:"type"`
	BlockSize  int64  `json:"-"`
	BlockBytes int64  `json:"-"`
	// Shape is outermost first, as PyTorch writes it (a linear weight is
	// [out, in]): the reverse of the ggml ne the header lists.
	Shape []int64  `json:"shape"`
	Ref   *GGUFRef `json:"-"`
}

// GGUFRef is what a GGUF tensor holds: one part of an op (or of ops fused
// along their output) of a decoder layer, or of the embedding and head.
type GGUFRef struct {
	// Layer is the decoder layer (blk.N), or −1 for the embedding and head.
	Layer int64
	// Ops are the op the tensor holds, or several whose matrices are joined
	// along the output (attn_qkv: q_proj, k_proj and v_proj).
	Ops []string
	// Part is "weight" or "bias".
	Part string
	// Expert is the routed expert a per-expert tensor holds (blk.N.ffn_up.E),
	// or −1; Stacked: every routed expert in one tensor, the expert outermost
	// (blk.N.ffn_up_exps).
	Expert  int64
	Stacked bool
	// NotParam: values computed from the config that the file stores and
	// the model holds no parameter for (rope_freqs, Phi-3's rope factors).
	NotParam bool
}

// GGUFCheck is what a GGUF file's tensors hold, checked against the
// config: the values and bytes stored, by ggml type and by op; the
// parameters they hold; every tensor tscale does not account for, every
// op with no tensor and every tensor whose shape the config contradicts.
type GGUFCheck struct {
	Tensors int64 `json:"tensors"`
	// Values is the elements of every tensor, and Bytes their data (ggml's
	// nbytes, without the padding between tensors).
	Values int64 `json:"values"`
	Bytes  int64 `json:"bytes"`
	// BitsPerValue is 8 × Bytes / Values, exactly.
	BitsPerValue *Fraction `json:"bits_per_value"`
	// ByType is the tensors of each ggml type, in order of first use.
	ByType []GGUFTypeTotal `json:"by_type"`
	// Params is the parameters the agreeing tensors hold: their values. It
	// equals ExpectedParams, the parameters of the config (params.total),
	// when Agrees.
	Params         int64 `json:"params"`
	ExpectedParams int64 `json:"expected_params"`
	// Values that are not parameters of params.total: computed from the
	// config (rope_freqs), of tensors tscale does not account for, and of
	// tensors that contradict the config. With Params they sum to Values.
	NotParamValues    int64 `json:"not_param_values"`
	UnaccountedValues int64 `json:"unaccounted_values"`
	DisagreeingValues int64 `json:"disagreeing_values"`
	// Agrees: every tensor is accounted for and agrees with the config,
	// and every op has its tensors.
	Agrees bool `json:"agrees"`
	// Ops are the tensors of each op part and ggml type, summed over the
	// layers: the op parts in order of first use, and each one's types.
	Ops []GGUFOpTotal `json:"ops"`
	// Unaccounted are the tensors whose name tscale does not map to an op.
	Unaccounted []GGUFTensor `json:"unaccounted"`
	// Missing are the op tensors the config implies that the file lacks.
	Missing []GGUFMissing `json:"missing"`
	// Disagreements are the tensors the config contradicts.
	Disagreements []GGUFDisagreement `json:"disagreements"`
}

// GGUFTypeTotal is the tensors of one ggml type.
type GGUFTypeTotal struct {
	Type       string `json:"type"`
	BlockSize  int64  `json:"block_size"`
	BlockBytes int64  `json:"block_bytes"`
	// BitsPerValue is 8 × BlockBytes / BlockSize (Q4_K: 9/2).
	BitsPerValue *Fraction `json:"bits_per_value"`
	Tensors      int64     `json:"tensors"`
	Values       int64     `json:"values"`
	Bytes        int64     `json:"bytes"`
	// Params is the values of the agreeing parameter tensors of this type.
	Params int64 `json:"params"`
}

// GGUFOpTotal is the tensors of one op part (or fused ops' part) of one
// ggml type, over the layers.
type GGUFOpTotal struct {
	// Op is "q_proj.weight", "q_proj+k_proj+v_proj.weight" for fused ops,
	// "experts.up_proj.weight" for routed experts, or the tensor's name for
	// values that are no parameter (rope_freqs.weight).
	Op       string `json:"op"`
	Type     string `json:"type"`
	NotParam bool   `json:"not_param,omitempty"`
	Tensors  int64  `json:"tensors"`
	Values   int64  `json:"values"`
	Bytes    int64  `json:"bytes"`
	Params   int64  `json:"params"`
}

// GGUFMissing is a part of an op that no tensor of the file holds, in
// LayerCount layers (Layers; none for the embedding and head).
type GGUFMissing struct {
	Op         string       `json:"op"`
	Part       string       `json:"part"`
	Layers     []LayerRange `json:"-"`
	LayerCount int64        `json:"layer_count"`
	// Experts is how many (layer, routed expert) pairs miss it, for an
	// expert op.
	Experts int64 `json:"experts,omitempty"`
}

// GGUFDisagreement is a tensor the config contradicts.
type GGUFDisagreement struct {
	Name   string               `json:"name"`
	Reason GGUFDisagreementKind `json:"reason"`
	Shape  []int64              `json:"shape"`
	// WantShape is the shape the config implies, where there is one.
	WantShape []int64 `json:"want_shape,omitempty"`
}

// GGUFDisagreementKind is why a stored tensor disagrees with the config.
type GGUFDisagreementKind string

// The kinds of disagreement.
const (
	// GGUFDisagreeShape: the shape is not the config's (leading dimensions of 1
	// aside: Qwen2-MoE's shared-expert gate is stored [h], the config's
	// Linear(h, 1) weight is [1, h]).
	GGUFDisagreeShape GGUFDisagreementKind = "shape"
	// GGUFDisagreeNoOp: the layer has no such op (an expert tensor in a dense
	// model, attn_q_norm without QK norms, output.weight in a tied model).
	GGUFDisagreeNoOp GGUFDisagreementKind = "no_such_op"
	// GGUFDisagreeNoPart: the op has no such tensor (a bias the config does not
	// give it).
	GGUFDisagreeNoPart GGUFDisagreementKind = "no_such_part"
	// GGUFDisagreeLayer: the layer index is past the decoder layers.
	GGUFDisagreeLayer GGUFDisagreementKind = "no_such_layer"
	// GGUFDisagreeExpert: the expert index is past num_local_experts, or a
	// per-expert tensor of an op that has no experts.
	GGUFDisagreeExpert GGUFDisagreementKind = "no_such_expert"
	// GGUFDisagreeFused: ops fused in one tensor that read inputs of different
	// widths, which cannot be joined along the output.
	GGUFDisagreeFused GGUFDisagreementKind = "fused_ops_differ"
	// GGUFDisagreeDuplicate: a second tensor for what another already holds.
	GGUFDisagreeDuplicate GGUFDisagreementKind = "duplicate"
)

// ggufOp is the tensors one op of the config owns: each part's shape (one
// expert's, for an expert op) and its routed experts (0: not an expert op).
type ggufOp struct {
	parts   map[string][]int64
	order   []string
	experts int64
}

// ggufModel is the ops of the embedding and head (stage) and of each
// decoder layer, by name.
type ggufModel struct {
	stage  map[string]*ggufOp
	order  []string // of stage ops
	layers []map[string]*ggufOp
	orders [][]string
}

// ggufOps is the tensors each op of ops owns, in order.
func ggufOps(calc *checked, c Config, ops []Op) (map[string]*ggufOp, []string) {
	out := map[string]*ggufOp{}
	var order []string
	last := func(s []int64) int64 {
		if len(s) == 0 {
			return 0
		}
		return s[len(s)-1]
	}
	for _, o := range ops {
		g := &ggufOp{parts: map[string][]int64{}}
		switch o.Kind {
		case KindGather:
			if o.Params > 0 {
				g.parts["weight"] = []int64{o.Params / c.HiddenSize, c.HiddenSize}
			}
		case KindLinear:
			in, out := last(o.Inputs[0]), last(o.Output)
			params := o.Params
			if strings.HasPrefix(o.Name, "experts.") {
				g.experts = c.NumLocalExperts
				params /= g.experts
			}
			weight := calc.mul("gguf "+o.Name+" weight", in, out)
			switch {
			case o.Name == "lm_head" && c.TieWordEmbeddings: // embed_tokens' weight
			case params >= weight:
				g.parts["weight"] = []int64{out, in}
			}
			if params == weight+out || (o.Name == "lm_head" && c.TieWordEmbeddings && params == out) {
				g.parts["bias"] = []int64{out}
			}
		case KindNorm:
			// A norm of width w has w weights, and w biases for a LayerNorm;
			// per-head QK norms have a norm per head ([heads, w]). MLA's
			// latent norms are RMSNorms whatever the model's kind.
			w := last(o.Inputs[0])
			kind := c.Norm
			if (o.Name == "q_norm" || o.Name == "k_norm") && c.QKNormKind != "" {
				kind = c.QKNormKind
			}
			per := w
			if kind == LayerNorm && o.Params != w {
				per = 2 * w
			}
			shape := []int64{w}
			switch heads := o.Params / per; {
			case o.Params%per != 0:
				shape, per = []int64{o.Params}, o.Params
			case heads > 1:
				shape = []int64{heads, w}
			}
			g.parts["weight"] = shape
			if per == 2*w {
				g.parts["bias"] = shape
			}
		default:
			if o.Params > 0 { // attention sinks: one value per head
				g.parts["weight"] = []int64{o.Params}
			}
		}
		for _, p := range []string{"weight", "bias"} {
			if _, ok := g.parts[p]; ok {
				g.order = append(g.order, p)
			}
		}
		if len(g.order) > 0 {
			out[o.Name] = g
			order = append(order, o.Name)
		}
	}
	return out, order
}

func newGGUFModel(calc *checked, c Config) *ggufModel {
	one := newOpBuilder(calc, c, Workload{BatchSize: 1, SeqLen: 1})
	m := &ggufModel{layers: make([]map[string]*ggufOp, c.NumHiddenLayers), orders: make([][]string, c.NumHiddenLayers)}
	m.stage, m.order = ggufOps(calc, c, append(one.embeddingOps(), one.headOps()...))
	for _, g := range groupLayers(c.layerSpecs()) {
		ops, order := ggufOps(calc, c, analyzeLayer(calc, one, g.spec).Ops)
		for _, i := range g.indices {
			m.layers[i], m.orders[i] = ops, order
		}
	}
	return m
}

// expected is the parameters the slots hold: the config's params.total.
func (m *ggufModel) expected(calc *checked) int64 {
	sum := func(ops map[string]*ggufOp) int64 {
		var n int64
		for _, o := range ops {
			for _, s := range o.parts {
				n = calc.add("gguf expected params", n, calc.mul("gguf expected params", max(o.experts, 1), calc.mul("gguf expected params", s...)))
			}
		}
		return n
	}
	total := sum(m.stage)
	for _, l := range m.layers {
		total = calc.add("gguf expected params", total, sum(l))
	}
	return total
}

// ggufSlot is one part of one op of one layer (and expert; −1: every
// expert, stacked).
type ggufSlot struct {
	layer  int64
	op     string
	part   string
	expert int64
}

// CompareGGUF checks the tensors of a GGUF file against config c: it sums
// their values and bytes by ggml type and by op, and names every tensor
// tscale does not account for, every tensor whose shape c contradicts and
// every op part c implies that no tensor holds. A tensor's values are
// the product of its shape and its bytes Values / BlockSize × BlockBytes.
func CompareGGUF(c Config, tensors []GGUFTensor) (*GGUFCheck, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.HasSharedBlocks() {
		return nil, fmt.Errorf("shared transformer blocks (Zamba2): their GGUF tensors are not mapped")
	}
	calc := &checked{}
	m := newGGUFModel(calc, c)
	g := &GGUFCheck{ExpectedParams: m.expected(calc), Unaccounted: []GGUFTensor{}, Missing: []GGUFMissing{},
		Disagreements: []GGUFDisagreement{}, ByType: []GGUFTypeTotal{}, Ops: []GGUFOpTotal{}}
	byType := map[string]int{}
	byOp := map[[2]string]int{}
	filled := ggufFilled{slots: map[ggufSlot]bool{}, experts: map[ggufSlot]int64{}}
	for _, t := range tensors {
		if t.BlockSize <= 0 || t.BlockBytes <= 0 {
			return nil, fmt.Errorf("tensor %q: ggml type %s has no block size", t.Name, t.Type)
		}
		values := calc.mul("values of tensor "+t.Name, t.Shape...)
		if values%t.BlockSize != 0 {
			return nil, fmt.Errorf("tensor %q: %d values are not whole blocks of %d (%s)", t.Name, values, t.BlockSize, t.Type)
		}
		bytes := calc.mul("bytes of tensor "+t.Name, values/t.BlockSize, t.BlockBytes)
		g.Tensors++
		g.Values = calc.add("gguf values", g.Values, values)
		g.Bytes = calc.add("gguf bytes", g.Bytes, bytes)
		i, ok := byType[t.Type]
		if !ok {
			i = len(g.ByType)
			byType[t.Type] = i
			g.ByType = append(g.ByType, GGUFTypeTotal{Type: t.Type, BlockSize: t.BlockSize, BlockBytes: t.BlockBytes,
				BitsPerValue: newFraction(big.NewInt(8*t.BlockBytes), big.NewInt(t.BlockSize))})
		}
		bt := &g.ByType[i]
		bt.Tensors++
		bt.Values = calc.add("gguf values by type", bt.Values, values)
		bt.Bytes = calc.add("gguf bytes by type", bt.Bytes, bytes)

		if t.Ref == nil {
			g.Unaccounted = append(g.Unaccounted, t)
			g.UnaccountedValues = calc.add("gguf unaccounted values", g.UnaccountedValues, values)
			continue
		}
		label := strings.Join(t.Ref.Ops, "+") + "." + t.Ref.Part
		if t.Ref.NotParam {
			label = t.Name
		}
		key := [2]string{label, t.Type}
		j, ok := byOp[key]
		if !ok {
			j = len(g.Ops)
			byOp[key] = j
			g.Ops = append(g.Ops, GGUFOpTotal{Op: label, Type: t.Type, NotParam: t.Ref.NotParam})
		}
		op := &g.Ops[j]
		op.Tensors++
		op.Values = calc.add("gguf values by op", op.Values, values)
		op.Bytes = calc.add("gguf bytes by op", op.Bytes, bytes)
		if t.Ref.NotParam {
			g.NotParamValues = calc.add("gguf values that are no parameter", g.NotParamValues, values)
			continue
		}
		if d := m.place(calc, t, filled); d != nil {
			g.Disagreements = append(g.Disagreements, *d)
			g.DisagreeingValues = calc.add("gguf disagreeing values", g.DisagreeingValues, values)
			continue
		}
		g.Params = calc.add("gguf params", g.Params, values)
		op.Params = calc.add("gguf params by op", op.Params, values)
		bt.Params = calc.add("gguf params by type", bt.Params, values)
	}
	// Each op's rows together, in order of the op's first tensor.
	first := map[string]int{}
	for i, o := range g.Ops {
		if _, ok := first[o.Op]; !ok {
			first[o.Op] = i
		}
	}
	slices.SortStableFunc(g.Ops, func(a, b GGUFOpTotal) int { return first[a.Op] - first[b.Op] })
	g.Missing = m.missing(filled)
	if g.Values > 0 {
		g.BitsPerValue = newFraction(new(big.Int).Lsh(big.NewInt(g.Bytes), 3), big.NewInt(g.Values))
	} else {
		g.BitsPerValue = newFraction(new(big.Int), big.NewInt(1))
	}
	g.Agrees = len(g.Unaccounted) == 0 && len(g.Missing) == 0 && len(g.Disagreements) == 0 && g.Params == g.ExpectedParams
	if calc.err != nil {
		return nil, calc.err
	}
	return g, nil
}

// place checks tensor t against the slot its Ref names and fills the slot,
// or says why it disagrees.
func (m *ggufModel) place(calc *checked, t GGUFTensor, filled ggufFilled) *GGUFDisagreement {
	r := t.Ref
	d := &GGUFDisagreement{Name: t.Name, Shape: t.Shape}
	ops, layer := m.stage, r.Layer
	switch {
	case r.Layer >= int64(len(m.layers)) || r.Layer < -1:
		d.Reason = GGUFDisagreeLayer
		return d
	case r.Layer >= 0:
		ops = m.layers[r.Layer]
	}
	var want []int64
	var experts int64
	for k, name := range r.Ops {
		o, ok := ops[name]
		if !ok {
			d.Reason = GGUFDisagreeNoOp
			return d
		}
		s, ok := o.parts[r.Part]
		if !ok {
			d.Reason = GGUFDisagreeNoPart
			return d
		}
		if k == 0 {
			want, experts = slices.Clone(s), o.experts
			continue
		}
		// Fused ops are joined along the output, the outermost dimension.
		if o.experts != experts || len(s) != len(want) || !slices.Equal(s[1:], want[1:]) {
			d.Reason = GGUFDisagreeFused
			return d
		}
		want[0] = calc.add("gguf fused width", want[0], s[0])
	}
	expert := int64(-1)
	switch {
	case r.Stacked && experts > 0:
		want = append([]int64{experts}, want...)
	case r.Expert >= 0 && experts > 0 && r.Expert < experts:
		expert = r.Expert
	case r.Stacked || r.Expert >= 0 || experts > 0:
		// Stacked or per-expert storage of an op that has no experts, an
		// expert past the last, or an expert op stored as one matrix.
		d.Reason, d.WantShape = GGUFDisagreeExpert, nil
		return d
	}
	d.WantShape = want
	if !slices.Equal(squeeze(t.Shape), squeeze(want)) {
		d.Reason = GGUFDisagreeShape
		return d
	}
	slots := make([]ggufSlot, len(r.Ops))
	for k, name := range r.Ops {
		slots[k] = ggufSlot{layer: layer, op: name, part: r.Part, expert: expert}
		all := slots[k]
		all.expert = -1 // a stacked tensor holds every expert's slot
		if filled.slots[slots[k]] || (expert >= 0 && filled.slots[all]) || (expert < 0 && filled.experts[all] > 0) {
			d.Reason = GGUFDisagreeDuplicate
			return d
		}
	}
	for _, s := range slots {
		filled.slots[s] = true
		if s.expert >= 0 {
			s.expert = -1
			filled.experts[s]++
		}
	}
	return nil
}

// ggufFilled is the slots tensors hold: each slot, and for each expert op
// part (expert −1) how many of its experts have a tensor of their own. No
// loop runs over the experts: their count comes from the file.
type ggufFilled struct {
	slots   map[ggufSlot]bool
	experts map[ggufSlot]int64
}

// missing lists the op parts no tensor holds, by op and part, in model
// order: the embedding and head, then each layer's ops.
func (m *ggufModel) missing(filled ggufFilled) []GGUFMissing {
	out := []GGUFMissing{}
	index := map[[2]string]int{}
	var layers [][]int64
	add := func(layer int64, name, part string, experts int64) {
		k := [2]string{name, part}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, GGUFMissing{Op: name, Part: part})
			layers = append(layers, nil)
		}
		if layer >= 0 {
			out[i].LayerCount++
			layers[i] = append(layers[i], layer)
		}
		out[i].Experts += experts
	}
	check := func(layer int64, ops map[string]*ggufOp, order []string) {
		for _, name := range order {
			o := ops[name]
			for _, part := range o.order {
				s := ggufSlot{layer: layer, op: name, part: part, expert: -1}
				if filled.slots[s] {
					continue
				}
				if lacking := o.experts - filled.experts[s]; o.experts == 0 || lacking > 0 {
					add(layer, name, part, lacking)
				}
			}
		}
	}
	check(-1, m.stage, m.order)
	for i := range m.layers {
		check(int64(i), m.layers[i], m.orders[i])
	}
	for i := range out {
		out[i].Layers = layerRanges(layers[i])
	}
	return out
}

// squeeze drops the dimensions of size 1.
func squeeze(s []int64) []int64 {
	out := make([]int64, 0, len(s))
	for _, d := range s {
		if d != 1 {
			out = append(out, d)
		}
	}
	return out
}
