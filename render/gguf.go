package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/tscale/tscale/gguf"
	"github.com/tscale/tscale/scale"
)

// GGUFDocument is the report of a model read from a GGUF file, with what
// the file stores beside it: the file's layout (File, read at Path) and
// its tensors checked against the model (Check, scale.CompareGGUF).
type GGUFDocument struct {
	Document
	Path  string
	File  *gguf.File
	Check *scale.GGUFCheck
}

// ggufDocument is the tree YAML and JSON show: the report's, then "gguf".
type ggufDocument struct {
	document
	GGUF ggufDoc `json:"gguf"`
}

type ggufDoc struct {
	Path       string `json:"path"`
	Version    uint32 `json:"version"`
	FileBytes  int64  `json:"file_bytes"`
	DataOffset int64  `json:"data_offset"`
	Alignment  int64  `json:"alignment"`
	*scale.GGUFCheck
	Missing       []ggufMissingDoc      `json:"missing"`
	Disagreements []ggufDisagreementDoc `json:"disagreements"`
}

type ggufMissingDoc struct {
	scale.GGUFMissing
	Layers string `json:"layers,omitempty"`
}

type ggufDisagreementDoc struct {
	scale.GGUFDisagreement
	Note string `json:"note"`
}

func (d GGUFDocument) tree() ggufDocument {
	g := ggufDoc{Path: d.Path, Version: d.File.Version, FileBytes: d.File.Size, DataOffset: d.File.DataOffset,
		Alignment: d.File.Alignment, GGUFCheck: d.Check,
		Missing: []ggufMissingDoc{}, Disagreements: []ggufDisagreementDoc{}}
	for _, m := range d.Check.Missing {
		g.Missing = append(g.Missing, ggufMissingDoc{m, layerRanges(m.Layers)})
	}
	for _, x := range d.Check.Disagreements {
		g.Disagreements = append(g.Disagreements, ggufDisagreementDoc{x, ggufDisagreementPhrase(x)})
	}
	return ggufDocument{document: d.Document.tree(), GGUF: g}
}

// WriteGGUF writes the report d in format f, as Write writes a report,
// with what the GGUF file stores: a "gguf" section after the report's in
// YAML and JSON, a "GGUF file" section at the end of the text.
func WriteGGUF(w io.Writer, d GGUFDocument, f Format) error {
	var out []byte
	switch f {
	case FormatText:
		out = append(textReport(d.Document), ggufText(d)...)
	case FormatJSON, FormatYAML:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if f == FormatJSON {
			enc.SetIndent("", "  ")
		}
		if err := enc.Encode(d.tree()); err != nil {
			return fmt.Errorf("render JSON of %q: %w", d.Model.Slug, err)
		}
		out = buf.Bytes()
		if f == FormatYAML {
			y, ok := emitYAML(nil, buf.Bytes())
			if !ok {
				var err error
				if y, err = encodeYAMLNode(d.Model.Slug, buf.Bytes()); err != nil {
					return err
				}
			}
			out = y
		}
	default:
		return fmt.Errorf("render %q: unknown report format %q", d.Model.Slug, string(f))
	}
	_, err := w.Write(out)
	return err
}

// ggufText is the "GGUF file" section of the text report.
func ggufText(d GGUFDocument) []byte {
	var b bytes.Buffer
	g, f := d.Check, d.File
	section(&b, "GGUF file: the parameters stored, beside the exact count")
	t := newTable(nil)
	t.add("file", fmt.Sprintf("%s: GGUF version %d, %s; tensor data from byte %s, aligned to %s B",
		d.Path, f.Version, byteCount(f.Size), grouped(f.DataOffset), grouped(f.Alignment)))
	t.add("tensors", fmt.Sprintf("%s, holding %s values in %s: %s bits per value",
		grouped(g.Tensors), count(g.Values), byteCount(g.Bytes), exactDecimal(g.BitsPerValue)))
	t.add("parameters stored", count(g.Params)+": the values of the tensors that agree with the config")
	t.add("exact count", count(g.ExpectedParams)+": params.total of the config its metadata gives")
	t.add("", ggufVerdict(g))
	if g.NotParamValues > 0 {
		t.add("not parameters", grouped(g.NotParamValues)+" values computed from the config (rope frequencies and factors)")
	}
	t.write(&b, "  ")

	fmt.Fprintln(&b, "\n  by ggml type (bytes per block of values, from ggml's type table)")
	types := newTable([]string{"type", "block", "bits/value", "tensors", "values", "bytes"}, 2, 3, 4, 5)
	for _, x := range g.ByType {
		types.add(x.Type, ggufBlockPhrase(x.BlockBytes, x.BlockSize), exactDecimal(x.BitsPerValue),
			grouped(x.Tensors), grouped(x.Values), byteCount(x.Bytes))
	}
	types.write(&b, "    ")

	fmt.Fprintln(&b, "\n  by op, summed over the layers")
	ops := newTable([]string{"op", "type", "tensors", "values", "bytes"}, 2, 3, 4)
	for _, o := range g.Ops {
		name := o.Op
		if o.NotParam {
			name += " (no parameter)"
		}
		ops.add(name, o.Type, grouped(o.Tensors), grouped(o.Values), byteCount(o.Bytes))
	}
	ops.write(&b, "    ")

	if len(g.Disagreements) > 0 {
		fmt.Fprintf(&b, "\n  tensors that disagree with the config (%d, %s values)\n", len(g.Disagreements), grouped(g.DisagreeingValues))
		for _, x := range g.Disagreements {
			fmt.Fprintf(&b, "    %s: %s\n", x.Name, ggufDisagreementPhrase(x))
		}
	}
	if len(g.Missing) > 0 {
		fmt.Fprintf(&b, "\n  op tensors the config implies that the file lacks (%d)\n", len(g.Missing))
		for _, m := range g.Missing {
			fmt.Fprintf(&b, "    %s.%s: %s\n", m.Op, m.Part, ggufMissingPhrase(m))
		}
	}
	if len(g.Unaccounted) > 0 {
		fmt.Fprintf(&b, "\n  tensors tscale does not account for (%d, %s values)\n", len(g.Unaccounted), grouped(g.UnaccountedValues))
		for _, x := range g.Unaccounted {
			fmt.Fprintf(&b, "    %s: %s %s\n", x.Name, x.Type, shapeOf(x.Shape))
		}
	}
	return b.Bytes()
}

// ggufVerdict says whether the file's tensors hold exactly the config's
// parameters, and if not, why.
func ggufVerdict(g *scale.GGUFCheck) string {
	if g.Agrees {
		return "equal: every tensor agrees with the config, and every op has its tensors"
	}
	var why []string
	if n := len(g.Disagreements); n > 0 {
		why = append(why, fmt.Sprintf("%d %s with the config", n, plural(int64(n), "tensor disagrees", "tensors disagree")))
	}
	if n := len(g.Missing); n > 0 {
		why = append(why, fmt.Sprintf("%d op %s missing", n, plural(int64(n), "tensor is", "tensors are")))
	}
	if n := len(g.Unaccounted); n > 0 {
		why = append(why, fmt.Sprintf("%d %s not accounted for", n, plural(int64(n), "tensor is", "tensors are")))
	}
	if len(why) == 0 {
		return "they differ"
	}
	return "they differ: " + strings.Join(why, ", ") + " (listed below)"
}

// ggufBlockPhrase is a ggml type's block: "144 B per 256 values", "4 B per value".
func ggufBlockPhrase(blockBytes, blockSize int64) string {
	if blockSize == 1 {
		return fmt.Sprintf("%d B per value", blockBytes)
	}
	return fmt.Sprintf("%d B per %d values", blockBytes, blockSize)
}

// ggufDisagreementPhrase says how a tensor contradicts the config.
func ggufDisagreementPhrase(x scale.GGUFDisagreement) string {
	switch x.Reason {
	case scale.GGUFDisagreeShape:
		return fmt.Sprintf("shape %s, where the config implies %s", shapeOf(x.Shape), shapeOf(x.WantShape))
	case scale.GGUFDisagreeNoOp:
		return "the config's layer has no such op"
	case scale.GGUFDisagreeNoPart:
		return "the config gives the op no such tensor (a bias it does not have)"
	case scale.GGUFDisagreeLayer:
		return "past the config's last layer"
	case scale.GGUFDisagreeExpert:
		return "an expert the config's op does not have, or experts stored as the config's op is not"
	case scale.GGUFDisagreeFused:
		return "its fused ops read inputs of different widths"
	case scale.GGUFDisagreeDuplicate:
		return "a second tensor for what another holds"
	}
	return string(x.Reason)
}

// ggufMissingPhrase says where an op part is missing: "layers 0-31 (32
// layers)", "layer 3, 2 of its experts", "the embedding and head".
func ggufMissingPhrase(m scale.GGUFMissing) string {
	where := "the embedding and head"
	if m.LayerCount > 0 {
		where = fmt.Sprintf("%s %s (%d %s)", plural(m.LayerCount, "layer", "layers"), layerRanges(m.Layers),
			m.LayerCount, plural(m.LayerCount, "layer", "layers"))
	}
	if m.Experts > 0 {
		where += fmt.Sprintf(", %s routed %s in all", grouped(m.Experts), plural(m.Experts, "expert", "experts"))
	}
	return where
}

// exactDecimal writes a fraction as a decimal where it ends (9/2: 4.5,
// 105/16: 6.5625), else to three places with "≈".
func exactDecimal(f *scale.Fraction) string {
	r := f.Rat()
	d := new(big.Int).Set(r.Denom())
	places := 0
	for _, p := range []int64{2, 5} {
		for new(big.Int).Mod(d, big.NewInt(p)).Sign() == 0 {
			d.Quo(d, big.NewInt(p))
			places++
		}
	}
	if d.Cmp(big.NewInt(1)) == 0 && places <= 12 {
		s := r.FloatString(places)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	return "≈ " + r.FloatString(3)
}
