package scale

import "math/big"

// layerSpec is what distinguishes one decoder layer from another. Layers
// with equal specs are reported as one group.
type layerSpec struct {
	span           // the attention span
	moe       bool // experts instead of a dense MLP
	attention LayerPart
	kvHeads   int64 // key/value heads of the attention
	mlp       LayerPart
	ffn       int64 // width of the dense MLP
	shared    bool  // a shared transformer block runs first
}

// layerSpecs returns the spec of every decoder layer, in order.
func (c Config) layerSpecs() []layerSpec {
	specs := make([]layerSpec, c.NumHiddenLayers)
	byShape := c.moeByShape()
	for i := range specs {
		specs[i] = c.layerSpecBy(int64(i), byShape)
	}
	return specs
}

// layerSpec is the spec of layer i.
func (c Config) layerSpec(i int64) layerSpec { return c.layerSpecBy(i, c.moeByShape()) }

// layerSpecBy is layerSpec with moeByShape given.
func (c Config) layerSpecBy(i int64, byShape bool) layerSpec {
	var l layerSpec
	local := i >= c.WindowFromLayer && (c.GlobalAttentionInterval == 0 || (i+1)%c.GlobalAttentionInterval != 0)
	if local {
		l.window, l.chunk = c.SlidingWindow, c.AttentionChunkSize
	}
	l.moe = c.isMoELayer(i, byShape)
	l.kvHeads, l.ffn = c.NumKeyValueHeads, c.IntermediateSize
	if i < int64(len(c.Layers)) { // an MTP module's index is past the list: the model's shape
		own := c.Layers[i]
		l.attention, l.mlp, l.shared = own.Attention, own.MLP, own.SharedBlock
		if own.NumKeyValueHeads > 0 {
			l.kvHeads = own.NumKeyValueHeads
		}
		if own.IntermediateSize > 0 {
			l.ffn = own.IntermediateSize
		}
		if l.attention != PartFull {
			l.span, l.kvHeads = span{}, 0
		}
		if l.mlp != PartFull {
			l.ffn = 0
		}
	}
	return l
}

// isMoELayer reports whether layer i has experts: where the layers name
// their experts (byShape, which is c.moeByShape()), those layers; else an
// MoE model's layers after the first first_k_dense_replace, every
// moe_layer_interval-th (the last of each cycle, or its first with
// moe_layer_first_in_cycle).
func (c Config) isMoELayer(i int64, byShape bool) bool {
	if c.IsMoE() && byShape {
		return i < int64(len(c.Layers)) && c.Layers[i].MLP == PartExperts
	}
	switch {
	case !c.IsMoE() || i < c.FirstKDenseReplace:
		return false
	case c.MoELayerInterval <= 1:
		return true
	case c.MoELayerFirstInCycle:
		return i%c.MoELayerInterval == 0
	default:
		return (i+1)%c.MoELayerInterval == 0
	}
}

// moeByShape reports whether some layer shape names its experts
// (PartExperts): which layers have experts is then read from the shapes.
func (c Config) moeByShape() bool {
	for _, l := range c.Layers {
		if l.MLP == PartExperts {
			return true
		}
	}
	return false
}

// hasDenseLayers reports whether some layer has a dense MLP: every layer
// does with dense_mlp_with_moe.
func (c Config) hasDenseLayers() bool {
	if c.DenseMLPWithMoE {
		return true
	}
	byShape := c.moeByShape()
	if c.IsMoE() && byShape {
		for _, l := range c.Layers {
			if l.MLP == PartFull {
				return true
			}
		}
		return false
	}
	for i := int64(0); i < c.NumHiddenLayers; i++ {
		if !c.isMoELayer(i, byShape) {
			return true
		}
	}
	return false
}

// span is which keys a query scores on a layer: the whole causal prefix,
// a sliding window of window tokens, or its chunk of chunk tokens (at most
// one of the two is set). It is the one place this rule is written.
type span struct {
	window int64 // query i scores keys max(0, i−w+1)..i; 0: none
	chunk  int64 // query i scores keys ⌊i/c⌋·c..i; 0: none
}

// pairs is the number of (query, key) pairs one head scores in one causal
// sequence of s tokens.
func (sp span) pairs(s int64) *big.Int { return new(big.Int).SetUint64(sp.pairs64(s)) }

// pairs64 is pairs as a uint64: for s ≤ MaxSeqLen it is at most the causal
// count s(s+1)/2, which fits.
func (sp span) pairs64(s int64) uint64 {
	switch {
	case sp.window > 0 && sp.window < s:
		// Queries 0..w−1 see i+1 keys; the s−w after them see w each.
		return causalPairs(sp.window) + uint64(s-sp.window)*uint64(sp.window)
	case sp.chunk > 0 && sp.chunk < s:
		full, rest := s/sp.chunk, s%sp.chunk
		return uint64(full)*causalPairs(sp.chunk) + causalPairs(rest)
	default:
		return causalPairs(s)
	}
}

// cachedTokens is how many of s tokens the layer's KV cache holds: at most
// the window or chunk.
func (sp span) cachedTokens(s int64) int64 {
	switch {
	case sp.window > 0:
		return min(s, sp.window)
	case sp.chunk > 0:
		return min(s, sp.chunk)
	default:
		return s
	}
}

// keys is how many keys a new token scores when the cache, the token
// included, holds k tokens.
func (sp span) keys(k int64) int64 {
	switch {
	case sp.window > 0:
		return min(k, sp.window)
	case sp.chunk > 0:
		return (k-1)%sp.chunk + 1
	default:
		return k
	}
}

// layerGroup is the layers of one spec.
type layerGroup struct {
	spec    layerSpec
	indices []int64
}

// groupLayers groups layer indices by spec, in order of first appearance.
func groupLayers(specs []layerSpec) []layerGroup {
	var groups []layerGroup
	pos := map[layerSpec]int{}
	for i, s := range specs {
		j, ok := pos[s]
		if !ok {
			j = len(groups)
			pos[s] = j
			groups = append(groups, layerGroup{spec: s})
		}
		groups[j].indices = append(groups[j].indices, int64(i))
	}
	return groups
}

// layerRanges describes sorted layer indices compactly: one range with a
// step when they form a progression of three or more with a step above 1,
// else runs of consecutive indices.
func layerRanges(idx []int64) []LayerRange {
	if len(idx) > 2 {
		step := idx[1] - idx[0]
		progression := step > 1
		for i := 2; i < len(idx) && progression; i++ {
			progression = idx[i]-idx[i-1] == step
		}
		if progression {
			return []LayerRange{{First: idx[0], Last: idx[len(idx)-1], Step: step}}
		}
	}
	var ranges []LayerRange
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		ranges = append(ranges, LayerRange{First: idx[i], Last: idx[j], Step: 1})
		i = j + 1
	}
	return ranges
}
