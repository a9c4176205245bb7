package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// mamba2Names are the config.json fields of a family's Mamba-2 mixer, each
// family naming them its own way.
type mamba2Names struct {
	heads, headDim, state, groups, kernel, chunk, projBias, convBias string
	outBias                                                          string // "": projBias sets out_proj's bias too
}

// mamba2 reads the Mamba-2 fields named by n onto c, each with d's value
// (the family's class default, noted) where the file leaves it out.
func (f *hfFields) mamba2(c *scale.Config, d scale.Config, n mamba2Names) {
	why := f.modelType + " default"
	c.Mamba2NumHeads = f.intOr(n.heads, d.Mamba2NumHeads, why)
	c.Mamba2HeadDim = f.intOr(n.headDim, d.Mamba2HeadDim, why)
	c.Mamba2StateSize = f.intOr(n.state, d.Mamba2StateSize, why)
	c.Mamba2NGroups = f.intOr(n.groups, d.Mamba2NGroups, why)
	c.Mamba2ConvKernel = f.intOr(n.kernel, d.Mamba2ConvKernel, why)
	c.Mamba2ChunkSize = f.intOr(n.chunk, d.Mamba2ChunkSize, why)
	c.Mamba2InProjBias = f.boolOr(n.projBias, d.Mamba2InProjBias)
	c.Mamba2OutProjBias = c.Mamba2InProjBias
	if n.outBias != "" { // out_proj's bias read apart (Falcon-H1's projectors_bias)
		c.Mamba2OutProjBias = f.boolOr(n.outBias, d.Mamba2OutProjBias)
	}
	c.Mamba2ConvBias = f.boolOr(n.convBias, d.Mamba2ConvBias)
	for field, name := range map[string]string{
		"mamba2_num_heads": n.heads, "mamba2_head_dim": n.headDim, "mamba2_state_size": n.state,
		"mamba2_n_groups": n.groups, "mamba2_conv_kernel": n.kernel, "mamba2_chunk_size": n.chunk,
		"mamba2_in_proj_bias": n.projBias, "mamba2_conv_bias": n.convBias,
	} {
		f.alias(field, f.name(name))
	}
}

// timeStepLimit notes Mamba-2's time_step_limit, which clamps Δ
// elementwise and changes no count (Python's json writes its default
// upper bound as Infinity).
func (f *hfFields) timeStepLimit(name string) {
	if v, ok := f.value(name); ok {
		f.notes = append(f.notes, fmt.Sprintf("%s %s clamps Δ elementwise: no parameters, no FLOPs (Infinity, as Python's json writes "+
			"float(\"inf\"), is read here)", name, showList(v)))
	}
}

// showList is a list value as the file writes it.
func showList(v any) string {
	items, ok := v.([]any)
	if !ok {
		return show(v)
	}
	s := "["
	for i, it := range items {
		if i > 0 {
			s += ", "
		}
		if n, ok := it.(interface{ String() string }); ok {
			s += n.String()
		} else {
			s += show(it)
		}
	}
	return s + "]"
}
