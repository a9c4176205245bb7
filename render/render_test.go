package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"tscale/presets"
	"tscale/scale"
)

func presetDocument(t *testing.T, slug string, w scale.Workload) Document {
	t.Helper()
	p, err := presets.Lookup(slug)
	if err != nil {
		t.Fatal(err)
	}
	if w.SeqLen == 0 {
		w = scale.Workload{BatchSize: 1, SeqLen: p.Context(), DType: scale.BF16}
	}
	r, err := scale.Analyze(p.Config, w)
	if err != nil {
		t.Fatal(err)
	}
	return NewDocument(Model{Name: p.Name, Slug: p.Slug, Family: p.Family, Estimate: p.IsEstimate(),
		EstimateReason: p.EstimateReason, Source: p.Sources, Notes: p.Notes}, r)
}

// tree turns a decoded YAML node into maps, lists and typed leaf strings
// ("num:123", "str:abc", "bool:true", "null"), keeping numbers' exact text.
func yamlTree(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		return yamlTree(n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlTree(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, yamlTree(c))
		}
		return l
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "num:" + n.Value
	case "!!bool":
		return "bool:" + n.Value
	case "!!null":
		return "null"
	}
	return "str:" + n.Value
}

func jsonTree(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range v {
			m[k] = jsonTree(x)
		}
		return m
	case []any:
		l := []any{}
		for _, x := range v {
			l = append(l, jsonTree(x))
		}
		return l
	case json.Number:
		return "num:" + v.String()
	case bool:
		return fmt.Sprintf("bool:%v", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("str:%v", v)
}

// TestYAMLAndJSONCarryTheEngineReport: the YAML and JSON documents hold the
// same tree with the same exact numbers, and the JSON decodes back into the
// engine's report unchanged — including FLOPs beyond 2^63.
func TestYAMLAndJSONCarryTheEngineReport(t *testing.T) {
	for _, tt := range []struct {
		slug string
		w    scale.Workload
	}{
		{"gpt2", scale.Workload{}},
		{"mixtral-8x7b", scale.Workload{}},
		{"gpt4-est-8k", scale.Workload{}},
		{"llama-3.1-405b", scale.Workload{BatchSize: 64, SeqLen: 131072, DType: scale.FP8}}, // FLOPs > 2^63
	} {
		t.Run(tt.slug, func(t *testing.T) {
			d := presetDocument(t, tt.slug, tt.w)
			js, err := JSON(d)
			if err != nil {
				t.Fatal(err)
			}
			y, err := YAML(d)
			if err != nil {
				t.Fatal(err)
			}
			var node yaml.Node
			if err := yaml.Unmarshal(y, &node); err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(js))
			dec.UseNumber()
			var generic any
			if err := dec.Decode(&generic); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(jsonTree(generic), yamlTree(&node)); diff != "" {
				t.Errorf("YAML and JSON differ (-json +yaml):\n%s", diff)
			}
			var back Document
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatal(err)
			}
			bigEqual := cmp.Comparer(func(a, b *big.Int) bool { return a.Cmp(b) == 0 })
			if diff := cmp.Diff(d, back, bigEqual); diff != "" {
				t.Errorf("JSON does not decode back to the report (-engine +decoded):\n%s", diff)
			}
			h, err := Headlines(y)
			if err != nil {
				t.Fatal(err)
			}
			if h["flops.forward"] != d.FLOPs.Forward.String() || h["params.total"] != fmt.Sprint(d.Params.Total) {
				t.Errorf("headlines %v do not match the engine", h)
			}
		})
	}
}

func TestYAMLIntegersStayIntegers(t *testing.T) {
	d := presetDocument(t, "llama-3.1-405b", scale.Workload{BatchSize: 64, SeqLen: 131072, DType: scale.BF16})
	y, err := YAML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(y)
	if !strings.Contains(s, "\n  forward: "+d.FLOPs.Forward.String()+"\n") {
		t.Errorf("forward FLOPs %v not written as a plain integer", d.FLOPs.Forward)
	}
	for _, bad := range []string{"e+", "E+", ".0\n"} {
		if strings.Contains(s, bad) {
			t.Errorf("YAML contains %q: a count written as a float", bad)
		}
	}
	if !strings.Contains(s, "output: [64, 131072, 16384]") {
		t.Errorf("shapes are not flow lists of integers")
	}
}

func TestUnits(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Count(6738415616), "6,738,415,616 (6.74 B)"},
		{Count(999), "999"},
		{Count(124439808), "124,439,808 (124 M)"},
		{Count(999_999_999), "999,999,999 (1.00 B)"},
		{Bytes(14495514624), "14,495,514,624 B (13.5 GiB)"},
		{Bytes(524288), "524,288 B (512 KiB)"},
		{Bytes(1023), "1,023 B"},
		{FLOPs(big.NewInt(58524298117120)), "58,524,298,117,120 (58.5 TFLOP)"},
		{FLOPs(big.NewInt(12)), "12 (12 FLOP)"},
		{HumanFLOPs(new(big.Int).Lsh(big.NewInt(1), 80)), "1.21 YFLOP"},
		{HumanFLOPs(new(big.Int).Lsh(big.NewInt(1), 90)), "1238 YFLOP"}, // past the last prefix
		{Grouped(-1234567), "-1,234,567"},
		{CountBig(new(big.Int).Lsh(big.NewInt(1), 64)), "18,446,744,073,709,551,616 (18447 Q)"},
		{BytesBig(new(big.Int).Lsh(big.NewInt(1), 70)), "1,180,591,620,717,411,303,424 B (1024 EiB)"},
		{GroupedBig(new(big.Int).Lsh(big.NewInt(1), 64)), "18,446,744,073,709,551,616"},
		{Shape([]int64{1, 4096, 4096}), "[1, 4096, 4096]"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestTextTableIsAligned(t *testing.T) {
	txt := string(Text(presetDocument(t, "gpt2", scale.Workload{})))
	var header string
	for _, line := range strings.Split(txt, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "op ") {
			header = line
			continue
		}
		if header != "" && strings.HasPrefix(strings.TrimSpace(line), "q_proj") {
			// The right-aligned params column ends where its header ends.
			if len([]rune(line)) != len([]rune(header)) {
				t.Errorf("row and header widths differ:\n%s\n%s", header, line)
			}
			return
		}
	}
	t.Fatal("no op table with q_proj found")
}

// TestCompareCSVIsExact: the CSV table holds the engine's numbers exactly.
func TestCompareCSVIsExact(t *testing.T) {
	d := presetDocument(t, "mixtral-8x7b", scale.Workload{})
	row := CompareRow{Model: d.Model, Context: 32768, ParamsTotal: d.Params.Total, ParamsActive: d.Params.Active,
		ForwardPerToken: d.FLOPs.PerToken.Forward, TrainingPerToken: d.FLOPs.PerToken.Training,
		KVBytesPerToken: d.Memory.KVCacheBytesPerToken, WeightsBF16Bytes: 2 * d.Params.Total, TrainingStateBytes: d.Memory.TrainingStateBytes}
	out, err := Compare([]CompareRow{row}, "csv")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("mixtral-8x7b,Mixtral 8x7B,false,32768,%d,%d,%s,%s,%d,%d,%d\n", d.Params.Total, d.Params.Active,
		d.FLOPs.PerToken.Forward, d.FLOPs.PerToken.Training, d.Memory.KVCacheBytesPerToken, 2*d.Params.Total, d.Memory.TrainingStateBytes)
	if lines := strings.SplitN(string(out), "\n", 2); lines[1] != want {
		t.Errorf("CSV row:\n%s\nwant:\n%s", lines[1], want)
	}
	if _, err := Compare(nil, "pdf"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestFraction(t *testing.T) {
	for in, want := range map[*big.Rat]string{big.NewRat(12345, 1): "12,345", big.NewRat(24691, 2): "12,345 1/2",
		big.NewRat(7, 3): "2 1/3", big.NewRat(0, 1): "0"} {
		if got := Fraction((*scale.Fraction)(in)); got != want {
			t.Errorf("Fraction(%v) = %q, want %q", in, got, want)
		}
	}
}
