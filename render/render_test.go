package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
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
	return NewDocument(p.Model(), r)
}

// write is Write into a byte slice; the test fails on an error.
func write(t *testing.T, d Document, f Format) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, d, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
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
			js, y := write(t, d, FormatJSON), write(t, d, FormatYAML)
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
			// A layer group's ranges and MoE flag, and why a formula does not
			// apply, are shown as words (layers, kind, ffn, note), so they do
			// not decode back; every number does.
			words := cmp.Options{cmpopts.IgnoreFields(scale.LayerGroup{}, "Ranges", "MoE"),
				cmpopts.IgnoreFields(scale.CrossCheck{}, "NotApplicable"),
				cmpopts.IgnoreFields(scale.ActivationMemory{}, "NotApplicable")}
			if diff := cmp.Diff(d, back, bigEqual, words); diff != "" {
				t.Errorf("JSON does not decode back to the report (-engine +decoded):\n%s", diff)
			}
		})
	}
}

func TestYAMLIntegersStayIntegers(t *testing.T) {
	d := presetDocument(t, "llama-3.1-405b", scale.Workload{BatchSize: 64, SeqLen: 131072, DType: scale.BF16})
	s := string(write(t, d, FormatYAML))
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
		{count(6738415616), "6,738,415,616 (6.74 B)"},
		{count(999), "999"},
		{count(124439808), "124,439,808 (124 M)"},
		{count(999_999_999), "999,999,999 (1.00 B)"},
		{byteCount(14495514624), "14,495,514,624 B (13.5 GiB)"},
		{byteCount(524288), "524,288 B (512 KiB)"},
		{byteCount(1023), "1,023 B"},
		{flops(big.NewInt(58524298117120)), "58,524,298,117,120 (58.5 TFLOP)"},
		{flops(big.NewInt(12)), "12 (12 FLOP)"},
		{humanFLOPs(new(big.Int).Lsh(big.NewInt(1), 80)), "1.21 YFLOP"},
		{humanFLOPs(new(big.Int).Lsh(big.NewInt(1), 90)), "1238 YFLOP"}, // past the last prefix
		{grouped(-1234567), "-1,234,567"},
		{countBig(new(big.Int).Lsh(big.NewInt(1), 64)), "18,446,744,073,709,551,616 (18447 Q)"},
		{bytesBig(new(big.Int).Lsh(big.NewInt(1), 70)), "1,180,591,620,717,411,303,424 B (1024 EiB)"},
		{GroupedBig(new(big.Int).Lsh(big.NewInt(1), 64)), "18,446,744,073,709,551,616"},
		{shapeOf([]int64{1, 4096, 4096}), "[1, 4096, 4096]"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestGroupedEveryLength checks the separators of integers of every length
// from 1 to 40 digits, both signs, against grouping written the other way
// round: from the right, a comma after every third digit.
func TestGroupedEveryLength(t *testing.T) {
	digits := strings.Repeat("987654321", 5) // no 0 to lead
	for n := 1; n <= len(digits); n++ {
		for _, sign := range []string{"", "-"} {
			s := digits[len(digits)-n:]
			var want []byte
			for i := 0; i < len(s); i++ {
				if i > 0 && i%3 == 0 {
					want = append(want, ',')
				}
				want = append(want, s[len(s)-1-i])
			}
			slices.Reverse(want)
			x, _ := new(big.Int).SetString(sign+s, 10)
			if got := GroupedBig(x); got != sign+string(want) {
				t.Errorf("GroupedBig(%s) = %q, want %q", x, got, sign+string(want))
			}
			if x.IsInt64() {
				if got := grouped(x.Int64()); got != sign+string(want) {
					t.Errorf("grouped(%s) = %q, want %q", x, got, sign+string(want))
				}
			}
		}
	}
}

func TestTextTableIsAligned(t *testing.T) {
	txt := string(write(t, presetDocument(t, "gpt2", scale.Workload{}), FormatText))
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

func TestFraction(t *testing.T) {
	for in, want := range map[*big.Rat]string{big.NewRat(12345, 1): "12,345", big.NewRat(24691, 2): "12,345 1/2",
		big.NewRat(7, 3): "2 1/3", big.NewRat(0, 1): "0"} {
		if got := fraction((*scale.Fraction)(in)); got != want {
			t.Errorf("fraction(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Format
		wantErr string
	}{
		{"text", FormatText, ""},
		{"yaml", FormatYAML, ""},
		{"json", FormatJSON, ""},
		{"xml", "", `format must be one of text, yaml, json, got "xml"`},
		{"markdown", "", `format must be one of text, yaml, json, got "markdown"`}, // a table format
		{"JSON", "", `format must be one of text, yaml, json, got "JSON"`},
		{"", "", `format must be one of text, yaml, json, got ""`},
	} {
		got, err := ParseFormat(tt.in)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	for _, tt := range []struct {
		in      string
		want    TableFormat
		wantErr string
	}{
		{"text", TableText, ""},
		{"markdown", TableMarkdown, ""},
		{"csv", TableCSV, ""},
		{"pdf", "", `format must be one of text, markdown, csv, got "pdf"`},
		{"yaml", "", `format must be one of text, markdown, csv, got "yaml"`}, // a report format
	} {
		got, err := ParseTableFormat(tt.in)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("ParseTableFormat(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk on fire") }

// TestWriteErrors: an unknown format writes nothing and says so; an error of
// the writer is returned, for every format.
func TestWriteErrors(t *testing.T) {
	d := presetDocument(t, "gpt2", scale.Workload{})
	var b bytes.Buffer
	if err := Write(&b, d, Format("xml")); err == nil || b.Len() > 0 || err.Error() != `render "gpt2": unknown report format "xml"` {
		t.Errorf("Write in xml: error %v, wrote %d bytes", err, b.Len())
	}
	if err := WriteCompare(&b, []Document{d}, TableFormat("pdf")); err == nil || b.Len() > 0 || err.Error() != `render: unknown table format "pdf"` {
		t.Errorf("WriteCompare in pdf: error %v, wrote %d bytes", err, b.Len())
	}
	for _, f := range formats {
		if err := Write(failWriter{}, d, f); err == nil || err.Error() != "disk on fire" {
			t.Errorf("Write %s to a failing writer: error %v", f, err)
		}
	}
	for _, f := range tableFormats {
		if err := WriteCompare(failWriter{}, []Document{d}, f); err == nil || err.Error() != "disk on fire" {
			t.Errorf("WriteCompare %s to a failing writer: error %v", f, err)
		}
	}
	if err := WriteList(failWriter{}, []Document{d}); err == nil {
		t.Errorf("WriteList to a failing writer: no error")
	}
}

// TestModelSection: the "model" section of a document is the preset's
// description (presets.Preset.Model), keys in a fixed order, estimate_reason
// only for an estimate, and lists never null.
func TestModelSection(t *testing.T) {
	for _, tt := range []struct {
		slug string
		want string // the JSON up to the closing brace of "model", with the lists left out
	}{
		{"gpt2", `{"model":{"name":"GPT-2 (124M)","slug":"gpt2","family":"GPT-2","estimate":false,"source":`},
		{"gpt4-est-8k", `{"model":{"name":"GPT-4 8k (estimate)","slug":"gpt4-est-8k","family":"GPT-4","estimate":true,"estimate_reason":`},
	} {
		d := presetDocument(t, tt.slug, scale.Workload{})
		p, _ := presets.Lookup(tt.slug)
		if diff := cmp.Diff(p.Model(), d.Model); diff != "" {
			t.Errorf("%s: document model differs from the preset's (-preset +document):\n%s", tt.slug, diff)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, write(t, d, FormatJSON)); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(compact.String(), tt.want) {
			t.Errorf("%s: JSON starts\n%.200s\nwant\n%s", tt.slug, compact.String(), tt.want)
		}
	}
	r := presetDocument(t, "gpt2", scale.Workload{}).Report
	d := NewDocument(presets.Model{Name: "x", Slug: "x"}, r)
	var compact bytes.Buffer
	if err := json.Compact(&compact, write(t, d, FormatJSON)); err != nil {
		t.Fatal(err)
	}
	want := `{"model":{"name":"x","slug":"x","family":"","estimate":false,"source":[],"notes":[]},"config":`
	if !strings.HasPrefix(compact.String(), want) {
		t.Errorf("nil lists: JSON starts\n%.120s\nwant\n%s", compact.String(), want)
	}
}

// TestCompareCSVIsExact: the CSV table holds the engine's numbers exactly.
func TestCompareCSVIsExact(t *testing.T) {
	d := presetDocument(t, "mixtral-8x7b", scale.Workload{})
	var out bytes.Buffer
	if err := WriteCompare(&out, []Document{d}, TableCSV); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("mixtral-8x7b,Mixtral 8x7B,false,32768,%d,%d,%s,%s,%d,%d,%d\n", d.Params.Total, d.Params.Active,
		d.FLOPs.PerToken.Forward, d.FLOPs.PerToken.Training, d.Memory.KVCacheBytesPerToken, 2*d.Params.Total, d.Memory.TrainingStateBytes)
	if lines := strings.SplitN(out.String(), "\n", 2); lines[1] != want {
		t.Errorf("CSV row:\n%s\nwant:\n%s", lines[1], want)
	}
}

// TestCompareFootnote: the footnote states the workload the reports share,
// read from the reports; reports that share none are refused, and nothing
// is written.
func TestCompareFootnote(t *testing.T) {
	const at = "FLOPs per token: matmul FLOPs averaged over one sequence of "
	const rest = ", causal attention, 2 per multiply-accumulate; training = 3 × forward. KV cache in "
	const adam = ". Training state: mixed-precision Adam, 16 bytes per parameter.\n"
	own := func(slug string) Document { return presetDocument(t, slug, scale.Workload{}) }
	w := func(slug string, seq int64, kv scale.DType) Document {
		return presetDocument(t, slug, scale.Workload{BatchSize: 3, SeqLen: seq, DType: scale.BF16, KVDType: kv})
	}
	for _, tt := range []struct {
		name    string
		docs    []Document
		want    string // the footnote
		wantErr string
	}{
		{"each at its context", []Document{own("gpt2"), own("mistral-7b")}, at + "the model's context" + rest + "bf16" + adam, ""},
		{"one length", []Document{w("gpt2", 512, ""), w("mistral-7b", 512, "")}, at + "512 tokens" + rest + "bf16" + adam, ""},
		{"fp8 cache", []Document{w("gpt2", 1024, scale.FP8)}, at + "the model's context" + rest + "fp8" + adam, ""},
		{"no reports", nil, "", ""},
		{"lengths differ", []Document{w("gpt2", 512, ""), w("mistral-7b", 8192, "")}, "",
			"compare: the reports average FLOPs per token over different sequence lengths (gpt2 512, mistral-7b 8,192); " +
				"give every model its own context or one common length"},
		{"caches differ", []Document{w("gpt2", 512, scale.FP8), w("mistral-7b", 512, "")}, "",
			"compare: the reports keep their KV caches in different dtypes (gpt2 fp8, mistral-7b bf16); give every model one"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range tableFormats {
				var b bytes.Buffer
				err := WriteCompare(&b, tt.docs, f)
				if tt.wantErr != "" && f != TableCSV {
					if err == nil || err.Error() != tt.wantErr || b.Len() > 0 {
						t.Errorf("%s: error %v, wrote %d bytes; want %q and nothing", f, err, b.Len(), tt.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				lines := strings.SplitAfter(b.String(), "\n")
				last := lines[len(lines)-2]
				switch {
				case f == TableCSV:
					if strings.Contains(b.String(), "FLOPs per token") {
						t.Errorf("CSV has a footnote")
					}
				case tt.want == "":
					if strings.Contains(b.String(), "FLOPs per token:") {
						t.Errorf("%s: a footnote for no reports", f)
					}
				case last != tt.want:
					t.Errorf("%s: footnote\n%q\nwant\n%q", f, last, tt.want)
				}
			}
		})
	}
}

func TestWriteList(t *testing.T) {
	var b bytes.Buffer
	if err := WriteList(&b, []Document{presetDocument(t, "gpt2", scale.Workload{}), presetDocument(t, "gpt4-est-8k", scale.Workload{})}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "slug") || !strings.HasPrefix(lines[1], "gpt2 ") ||
		!strings.Contains(lines[1], "124,439,808   124 M    1,024") || !strings.HasSuffix(lines[2], "  estimate") {
		t.Errorf("list:\n%s", b.String())
	}
}

func ExampleParseFormat() {
	f, err := ParseFormat("yaml")
	fmt.Println(f, err)
	_, err = ParseFormat("markdown") // a table format, not a report format
	fmt.Println(err)
	t, _ := ParseTableFormat("markdown")
	fmt.Println(t)
	// Output:
	// yaml <nil>
	// format must be one of text, yaml, json, got "markdown"
	// markdown
}

func ExampleWriteList() {
	var docs []Document
	for _, slug := range []string{"gpt2", "llama-2-7b"} {
		p, _ := presets.Lookup(slug)
		r, _ := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: p.Context(), DType: scale.BF16})
		docs = append(docs, NewDocument(p.Model(), r))
	}
	if err := WriteList(os.Stdout, docs); err != nil {
		fmt.Println(err)
	}
	// Output:
	// slug        name                 params          context  estimate
	// gpt2        GPT-2 (124M)    124,439,808   124 M    1,024
	// llama-2-7b  Llama 2 7B    6,738,415,616  6.74 B    4,096
}

// TestEveryFactHasWords: every cross-check and activation convention the
// engine reports has a note, and every reason a formula may not apply has
// its phrase.
func TestEveryFactHasWords(t *testing.T) {
	for _, slug := range []string{"gpt2", "mixtral-8x7b", "deepseek-v3", "gemma-2-9b", "falcon-7b"} {
		d := presetDocument(t, slug, scale.Workload{})
		for _, cc := range d.CrossChecks {
			if crossCheckNote(d.Report, cc) == "" {
				t.Errorf("%s: cross-check %q has no note", slug, cc.Name)
			}
		}
		for _, a := range d.Memory.TrainingActivations {
			if activationNote(d.Report, a) == "" {
				t.Errorf("%s: activation convention %q has no note", slug, a.Convention)
			}
		}
	}
	d := presetDocument(t, "gpt2", scale.Workload{})
	for _, m := range []scale.Mismatch{scale.MismatchMoE, scale.MismatchMoEActive, scale.MismatchMLA, scale.MismatchWindowedKeys,
		scale.MismatchWindowed, scale.MismatchKVProjections, scale.MismatchFewerKVHeads, scale.MismatchGatedTwoMatrices,
		scale.MismatchGatedMLP, scale.MismatchMLPWidth, scale.MismatchHeadWidth, scale.MismatchBlock, scale.MismatchActivationDType} {
		if got := mismatchPhrase(d.Report, m); got == string(m) || got == "" {
			t.Errorf("no phrase for %q", m)
		}
	}
	for _, term := range []scale.Term{scale.TermAttentionPairs, scale.TermRouter, scale.TermSharedExpertGate,
		scale.TermLatentNorms, scale.TermVocabPadding} {
		if got := differencePhrase(d.Report, scale.Difference{Term: term}); got == string(term) || got == "" {
			t.Errorf("no phrase for the term %q", term)
		}
	}
}
