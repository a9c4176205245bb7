package render

import (
	"bytes"
	"fmt"

	"github.com/tscale/tscale/scale"
)

// maxListed is how many tensors the text report names per list; the YAML
// and JSON reports name them all.
const maxListed = 20

// checkpointDoc is params.checkpoint with the missing tensors' layers in
// words.
type checkpointDoc struct {
	scale.Checkpoint
	Missing []missingDoc `json:"missing"`
}

type missingDoc struct {
	scale.MissingTensor
	Layers string `json:"layers,omitempty"`
}

// paramsDoc is the params section, its checkpoint described.
type paramsDoc struct {
	scale.Params
	Checkpoint *checkpointDoc `json:"checkpoint,omitempty"`
}

func newParamsDoc(p scale.Params) paramsDoc {
	d := paramsDoc{Params: p}
	if ck := p.Checkpoint; ck != nil {
		d.Checkpoint = &checkpointDoc{Checkpoint: *ck, Missing: make([]missingDoc, len(ck.Missing))}
		for i, m := range ck.Missing {
			d.Checkpoint.Missing[i] = missingDoc{MissingTensor: m, Layers: layerRanges(m.Layers)}
		}
	}
	return d
}

// disagreementPhrase says why a stored tensor contradicts the config.
func disagreementPhrase(d scale.TensorDisagreement) string {
	got := fmt.Sprintf("%s %s", d.DType, shapeOf(d.Shape))
	want := shapeOf(d.WantShape)
	if d.WantDType != "" {
		want = fmt.Sprintf("%s %s", d.WantDType, want)
	}
	switch d.Reason {
	case scale.DisagreeShape:
		return fmt.Sprintf("%s: %s, the config implies %s", d.Name, got, want)
	case scale.DisagreeDType:
		if d.WantDType == "" {
			return fmt.Sprintf("%s: %s, where the config implies a float type", d.Name, got)
		}
		return fmt.Sprintf("%s: %s, the config implies %s", d.Name, got, want)
	case scale.DisagreeNoOp:
		return fmt.Sprintf("%s (%s): the config gives its layer no such op", d.Name, got)
	case scale.DisagreeNoPart:
		return fmt.Sprintf("%s (%s): the config gives the op no such tensor", d.Name, got)
	case scale.DisagreeLayer:
		return fmt.Sprintf("%s (%s): past the config's layers", d.Name, got)
	case scale.DisagreeExpert:
		return fmt.Sprintf("%s (%s): past the config's experts", d.Name, got)
	case scale.DisagreeFused:
		return fmt.Sprintf("%s (%s): fuses ops that differ in width or quantisation", d.Name, got)
	case scale.DisagreeDuplicate:
		return fmt.Sprintf("%s (%s): holds what another tensor already holds", d.Name, got)
	}
	return fmt.Sprintf("%s (%s): %s", d.Name, got, d.Reason)
}

// missingPhrase names an op tensor no stored tensor holds.
func missingPhrase(m scale.MissingTensor) string {
	s := m.Op + " " + m.Part
	switch {
	case m.MTP:
		s += " of the MTP module (layer " + layerRanges(m.Layers) + ")"
	case len(m.Layers) > 0:
		s += ", " + plural(m.LayerCount, "layer ", "layers ") + layerRanges(m.Layers)
	}
	if m.Experts > 0 {
		s += fmt.Sprintf(" (%s expert %s)", grouped(m.Experts), plural(m.Experts, "matrix", "matrices"))
	}
	return s
}

// checkpointSection writes params.checkpoint for people.
func checkpointSection(b *bytes.Buffer, r *scale.Report) {
	ck := r.Params.Checkpoint
	if ck == nil {
		return
	}
	section(b, fmt.Sprintf("Checkpoint: %d safetensors %s (headers only)", ck.Files, plural(ck.Files, "file", "files")))
	t := newTable(nil)
	t.add("tensors", grouped(ck.Tensors))
	t.add("values stored", count(ck.Values))
	for _, d := range ck.ByDType {
		t.add("  "+string(d.DType), fmt.Sprintf("%s %s, %s values, %s", grouped(d.Tensors), plural(d.Tensors, "tensor", "tensors"),
			grouped(d.Values), byteCount(d.Bytes)))
	}
	data := byteCount(ck.Bytes)
	if ck.IndexTotalSize > 0 {
		data += fmt.Sprintf("; the index's total_size %s", grouped(ck.IndexTotalSize))
	}
	t.add("tensor data", data)
	t.add("parameters held", fmt.Sprintf("%s of params.total %s", count(ck.Params), count(r.Params.Total)))
	if ck.MTPParams > 0 || r.Params.MTP > 0 {
		t.add("  multi-token prediction", fmt.Sprintf("%s of params.mtp %s", count(ck.MTPParams), count(r.Params.MTP)))
	}
	t.add("values that are parameters", count(ck.ParamValues))
	for _, v := range []struct {
		name string
		n    int64
	}{
		{"values of quantised matrices", ck.QuantizedValues}, {"values of the MTP modules", ck.MTPValues},
		{"values of buffers", ck.BufferValues}, {"values of copies", ck.CopyValues},
		{"values of the vision tower", ck.VisionValues}, {"values not accounted for", ck.UnaccountedValues},
		{"values contradicting the config", ck.DisagreeingValues},
	} {
		if v.n > 0 {
			t.add(v.name, count(v.n))
		}
	}
	t.write(b, "  ")
	if ck.Agrees {
		fmt.Fprintln(b, "  agrees with config.json: every tensor accounted for and as the config implies; every op has its tensors")
	} else {
		fmt.Fprintf(b, "  DISAGREES with config.json: %d %s not accounted for, %d missing, %d contradicting the config\n",
			len(ck.Unaccounted), plural(int64(len(ck.Unaccounted)), "tensor", "tensors"), len(ck.Missing), len(ck.Disagreements))
	}
	listSome(b, "not accounted for", len(ck.Unaccounted), func(i int) string {
		u := ck.Unaccounted[i]
		return fmt.Sprintf("%s (%s %s)", u.Name, u.DType, shapeOf(u.Shape))
	})
	listSome(b, "ops with no tensor", len(ck.Missing), func(i int) string { return missingPhrase(ck.Missing[i]) })
	listSome(b, "contradicting the config", len(ck.Disagreements), func(i int) string {
		return disagreementPhrase(ck.Disagreements[i])
	})
	fmt.Fprintln(b, "\n  tensors by op (summed over the layers)")
	ops := newTable([]string{"op", "layers", "tensors", "values", "bytes", "params"}, 1, 2, 3, 4, 5)
	for _, o := range ck.Ops {
		name := o.Op
		if o.MTP {
			name += " (MTP)"
		}
		if o.Role != scale.RoleParam {
			name += " (" + string(o.Role) + ")"
		}
		ops.add(name, grouped(o.Layers), grouped(o.Tensors), grouped(o.Values), grouped(o.Bytes), grouped(o.Params))
	}
	ops.write(b, "    ")
}

// listSome writes up to maxListed items of a list, and how many more.
func listSome(b *bytes.Buffer, name string, n int, item func(int) string) {
	if n == 0 {
		return
	}
	fmt.Fprintf(b, "  %s:\n", name)
	for i := 0; i < n && i < maxListed; i++ {
		fmt.Fprintf(b, "    - %s\n", item(i))
	}
	if n > maxListed {
		fmt.Fprintf(b, "    … and %s more (the YAML and JSON reports list them all)\n", grouped(int64(n-maxListed)))
	}
}
