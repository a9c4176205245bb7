// Package render writes a scale.Report as YAML, JSON or text (and tables of
// several reports as Markdown or CSV). It formats numbers the engine
// computed; it computes none.
//
// Its entry points take a Document (a presets.Model and the report of it)
// and an io.Writer: Write for one report in a Format, WriteCompare for a
// table of several in a TableFormat, WriteList for the list of presets.
//
// YAML and JSON carry the same document: the JSON field names of
// scale.Report, under a "model" section that says which model it is. Keys
// keep a stable order, counts are integers (never floats, never exponents)
// and shapes are lists of integers.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// Document is the whole report as YAML and JSON show it: which model
// (presets.Model, under "model") and the engine's report of it.
type Document struct {
	Model         presets.Model `json:"model"`
	*scale.Report               // its fields follow "model" at the top level
}

// NewDocument pairs a model description (presets.Preset.Model) with its
// report. Nil lists become empty, so that YAML and JSON show [] rather than
// null.
func NewDocument(m presets.Model, r *scale.Report) Document {
	if m.Source == nil {
		m.Source = []string{}
	}
	if m.Notes == nil {
		m.Notes = []string{}
	}
	return Document{Model: m, Report: r}
}

// document is the tree YAML and JSON show: the engine's report, section by
// section in this order, with the words that describe its facts (phrases.go)
// beside the numbers.
type document struct {
	Model        presets.Model         `json:"model"`
	Config       scale.Config          `json:"config"`
	Architecture architectureDoc       `json:"architecture"`
	Workload     scale.WorkloadSummary `json:"workload"`
	Conventions  []string              `json:"conventions"`
	Params       paramsDoc             `json:"params"`
	FLOPs        scale.FLOPs           `json:"flops"`
	Memory       memoryDoc             `json:"memory"`
	Embedding    stageDoc              `json:"embedding"`
	Layers       []layerGroupDoc       `json:"layers"`
	Head         stageDoc              `json:"head"`
	Inference    scale.Inference       `json:"inference"`
	CrossChecks  []crossCheckDoc       `json:"cross_checks"`
	Parallel     *scale.Parallel       `json:"parallel,omitempty"`
	PerGPU       *perGPUDoc            `json:"per_gpu,omitempty"`
	Hardware     *scale.Device         `json:"hardware,omitempty"`
	Time         *scale.Time           `json:"time,omitempty"`
}

// memoryDoc is the memory section with a note on each activation convention.
type memoryDoc struct {
	scale.Memory
	TrainingActivations []activationDoc `json:"training_activations"`
}

type activationDoc struct {
	scale.ActivationMemory
	Note string `json:"note"`
}

type crossCheckDoc struct {
	*scale.CrossCheck
	Note string `json:"note"`
}

type architectureDoc struct {
	scale.Architecture
	FFN string `json:"ffn"` // every kind of feed-forward block
}

type stageDoc struct {
	scale.Stage
	Ops []opDoc `json:"ops"`
}

// layerGroupDoc puts the group's description before its numbers. Count is
// repeated here, shadowing the embedded one, only so that it stays between
// kind and layers in the document's key order.
type layerGroupDoc struct {
	Kind      string `json:"kind"`
	Count     int64  `json:"count"`
	Layers    string `json:"layers"`
	Attention string `json:"attention"`
	FFN       string `json:"ffn"`
	*scale.LayerGroup
	Ops []opDoc `json:"ops"`
}

// opDoc, crossCheckDoc and layerGroupDoc point to the report's values
// rather than copy them: encoding/json shows the fields of an embedded
// pointer as those of an embedded struct.
type opDoc struct {
	*scale.Op
	Note string `json:"note,omitempty"`
}

// tree is d as document shows it.
func (d Document) tree() document {
	r := d.Report
	c := r.Config
	ops := func(lg *scale.LayerGroup, ops []scale.Op) []opDoc {
		out := make([]opDoc, len(ops))
		for i := range ops {
			out[i] = opDoc{Op: &ops[i], Note: opNote(c, lg, ops[i])}
		}
		return out
	}
	doc := document{
		Model: d.Model, Config: c, Architecture: architectureDoc{r.Architecture, modelFFN(r)},
		Workload: r.Workload, Conventions: r.Conventions, Params: newParamsDoc(r.Params), FLOPs: r.FLOPs, Memory: memoryDoc{Memory: r.Memory},
		Embedding: stageDoc{r.Embedding, ops(nil, r.Embedding.Ops)},
		Head:      stageDoc{r.Head, ops(nil, r.Head.Ops)},
		Inference: r.Inference,
		Parallel:  r.Parallel, PerGPU: newPerGPUDoc(r), Hardware: r.Hardware, Time: r.Time,
	}
	// Each list is made at its length, and stays nil (null) when empty.
	if n := len(r.Memory.TrainingActivations); n > 0 {
		doc.Memory.TrainingActivations = make([]activationDoc, 0, n)
	}
	if n := len(r.CrossChecks); n > 0 {
		doc.CrossChecks = make([]crossCheckDoc, 0, n)
	}
	if n := len(r.Layers); n > 0 {
		doc.Layers = make([]layerGroupDoc, 0, n)
	}
	for _, a := range r.Memory.TrainingActivations {
		doc.Memory.TrainingActivations = append(doc.Memory.TrainingActivations, activationDoc{a, activationNote(r, a)})
	}
	for i := range r.CrossChecks {
		cc := &r.CrossChecks[i]
		doc.CrossChecks = append(doc.CrossChecks, crossCheckDoc{cc, crossCheckNote(r, *cc)})
	}
	for i := range r.Layers {
		lg := &r.Layers[i]
		doc.Layers = append(doc.Layers, layerGroupDoc{
			Kind: layerKind(*lg), Count: lg.Count, Layers: layerRanges(lg.Ranges),
			Attention: layerAttention(c, *lg), FFN: layerFFN(c, *lg),
			LayerGroup: lg, Ops: ops(lg, lg.Ops),
		})
	}
	return doc
}

// appendJSON appends d as indented JSON with a final newline to dst.
func appendJSON(dst []byte, d Document) ([]byte, error) {
	sc := jsonScratches.Get().(*jsonScratch)
	defer jsonScratches.Put(sc)
	sc.json.Reset()
	if sc.indented == nil { // kept with its buffers: indenting reuses them
		sc.indented = json.NewEncoder(&sc.json)
		sc.indented.SetEscapeHTML(false)
		sc.indented.SetIndent("", "  ")
	}
	if err := sc.indented.Encode(d.tree()); err != nil {
		return dst, fmt.Errorf("render JSON of %q: %w", d.Model.Slug, err)
	}
	return append(dst, sc.json.Bytes()...), nil
}

// appendYAML appends d as YAML to dst: the same tree as JSON, in block
// style, with lists of integers (shapes) in flow style. emitYAML writes it
// straight from the JSON document, byte for byte as yaml.v3 would; a
// document it does not take on (a string with a line break, say) goes
// through yaml.v3 itself.
func appendYAML(dst []byte, d Document) ([]byte, error) {
	sc := jsonScratches.Get().(*jsonScratch)
	defer jsonScratches.Put(sc)
	sc.json.Reset()
	if sc.compact == nil {
		sc.compact = json.NewEncoder(&sc.json)
		sc.compact.SetEscapeHTML(false)
	}
	if err := sc.compact.Encode(d.tree()); err != nil {
		return dst, fmt.Errorf("render JSON of %q: %w", d.Model.Slug, err)
	}
	if y, ok := emitYAML(dst, sc.json.Bytes()); ok {
		return y, nil
	}
	y, err := encodeYAMLNode(d.Model.Slug, sc.json.Bytes())
	if err != nil {
		return dst, err
	}
	return append(dst, y...), nil
}

// jsonScratch is the JSON document appendJSON and appendYAML encode before
// they append the report, and the encoders that write it (an encoder keeps
// its buffers). jsonScratches keeps them across calls, grown to the largest
// report.
type jsonScratch struct {
	json              bytes.Buffer
	compact, indented *json.Encoder
}

var jsonScratches = sync.Pool{New: func() any { return new(jsonScratch) }}

// encodeYAMLNode encodes the JSON document js with yaml.v3: read back token
// by token into a YAML node tree, it keeps the key order and the exact
// digits of every number; blockStyle sets the layout. It is the reference
// emitYAML reproduces.
func encodeYAMLNode(slug string, js []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	root, err := yamlNode(dec)
	if err != nil {
		return nil, fmt.Errorf("render YAML of %q: %w", slug, err)
	}
	blockStyle(root)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("render YAML of %q: %w", slug, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("render YAML of %q: %w", slug, err)
	}
	return buf.Bytes(), nil
}

// yamlNode reads the next JSON value of dec as a YAML node.
func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	scalar := func(tag, value string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value} }
	switch t := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if t == '[' {
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, scalar("!!str", key.(string)))
			}
			child, err := yamlNode(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, child)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	case json.Number:
		if strings.ContainsAny(t.String(), ".eE") {
			return scalar("!!float", t.String()), nil
		}
		return scalar("!!int", t.String()), nil
	case string:
		return scalar("!!str", t), nil
	case bool:
		return scalar("!!bool", fmt.Sprint(t)), nil
	case nil:
		return scalar("!!null", "null"), nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// blockStyle clears the styles of n and its descendants, except that lists
// of integers (shapes) stay on one line: [1, 4096, 4096].
func blockStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 && allInts(n.Content) {
		n.Style = yaml.FlowStyle
		return
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

func allInts(nodes []*yaml.Node) bool {
	for _, c := range nodes {
		if c.Kind != yaml.ScalarNode || c.Tag != "!!int" {
			return false
		}
	}
	return true
}
