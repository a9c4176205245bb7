package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/tscale/tscale/gguf"
	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// ggufDocumentOf is the report of Gemma 2B read from a GGUF file made of
// its preset (tied: no output.weight), with one tensor renamed out of
// tscale's knowledge and one the wrong width, so that every list shows.
func ggufDocumentOf(t *testing.T) GGUFDocument {
	t.Helper()
	p, err := presets.Lookup("gemma-2b")
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	a := "gemma"
	md := []gguf.KV{
		{Key: "general.architecture", Value: gguf.Str(a)},
		{Key: a + ".context_length", Value: gguf.U32(uint32(c.MaxPositionEmbeddings))},
		{Key: a + ".embedding_length", Value: gguf.U32(uint32(c.HiddenSize))},
		{Key: a + ".block_count", Value: gguf.U32(uint32(c.NumHiddenLayers))},
		{Key: a + ".feed_forward_length", Value: gguf.U32(uint32(c.IntermediateSize))},
		{Key: a + ".attention.head_count", Value: gguf.U32(uint32(c.NumAttentionHeads))},
		{Key: a + ".attention.head_count_kv", Value: gguf.U32(uint32(c.NumKeyValueHeads))},
		{Key: a + ".attention.key_length", Value: gguf.U32(uint32(c.HeadDim))},
		{Key: a + ".attention.value_length", Value: gguf.U32(uint32(c.HeadDim))},
		{Key: a + ".vocab_size", Value: gguf.U32(uint32(c.VocabSize))},
	}
	h, q, kv, ff := c.HiddenSize, c.NumAttentionHeads*c.HeadDim, c.NumKeyValueHeads*c.HeadDim, c.IntermediateSize
	ts := []gguf.TensorInfo{{Name: "token_embd.weight", Dims: []int64{h, c.VocabSize}, Type: gguf.TypeQ8_0}}
	for i := int64(0); i < c.NumHiddenLayers; i++ {
		// From layer 10 on, blk.k., blk.l., …: names llama.cpp does not write.
		blk := func(s string) string { return "blk." + string(rune('a'+i)) + "." + s }
		if i < 10 {
			blk = func(s string) string { return "blk." + string(rune('0'+i)) + "." + s }
		}
		ts = append(ts,
			gguf.TensorInfo{Name: blk("attn_norm.weight"), Dims: []int64{h}, Type: gguf.TypeF32},
			gguf.TensorInfo{Name: blk("attn_q.weight"), Dims: []int64{h, q}, Type: gguf.TypeQ4_K},
			gguf.TensorInfo{Name: blk("attn_k.weight"), Dims: []int64{h, kv}, Type: gguf.TypeQ4_K},
			gguf.TensorInfo{Name: blk("attn_v.weight"), Dims: []int64{h, kv}, Type: gguf.TypeQ6_K},
			gguf.TensorInfo{Name: blk("attn_output.weight"), Dims: []int64{q, h}, Type: gguf.TypeQ4_K},
			gguf.TensorInfo{Name: blk("ffn_norm.weight"), Dims: []int64{h}, Type: gguf.TypeF32},
			gguf.TensorInfo{Name: blk("ffn_gate.weight"), Dims: []int64{h, ff}, Type: gguf.TypeQ4_K},
			gguf.TensorInfo{Name: blk("ffn_up.weight"), Dims: []int64{h, ff}, Type: gguf.TypeQ4_K},
			gguf.TensorInfo{Name: blk("ffn_down.weight"), Dims: []int64{ff, h}, Type: gguf.TypeQ6_K},
		)
	}
	ts = append(ts, gguf.TensorInfo{Name: "output_norm.weight", Dims: []int64{h}, Type: gguf.TypeF32})
	f := &gguf.File{Metadata: md, Tensors: ts}
	data, err := f.Layout()
	if err != nil {
		t.Fatal(err)
	}
	header, err := gguf.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	file, err := gguf.Read(bytes.NewReader(header), int64(len(header))+data)
	if err != nil {
		t.Fatal(err)
	}
	gp, tensors, err := presets.FromGGUF("gemma-2b.gguf", file)
	if err != nil {
		t.Fatal(err)
	}
	check, err := scale.CompareGGUF(gp.Config, tensors)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Analyze(gp.Config, scale.Workload{BatchSize: 1, SeqLen: 512, DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}
	return GGUFDocument{Document: NewDocument(gp.Model(), r), Path: "gemma-2b.gguf", File: file, Check: check}
}

// TestWriteGGUF: the text names each disagreement, missing op and unknown
// tensor; the YAML, read back, is the JSON document, and emitYAML writes
// yaml.v3's bytes for it.
func TestWriteGGUF(t *testing.T) {
	d := ggufDocumentOf(t)
	if d.Check.Agrees || len(d.Check.Missing) == 0 || len(d.Check.Unaccounted) == 0 {
		t.Fatalf("the fixture should disagree: %+v", d.Check)
	}
	var text bytes.Buffer
	if err := WriteGGUF(&text, d, FormatText); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"GGUF file: the parameters stored, beside the exact count",
		"they differ: 9 op tensors are missing, 72 tensors are not accounted for (listed below)",
		"op tensors the config implies that the file lacks (9)",
		"attention_norm.weight: layers 10-17 (8 layers)",
		"tensors tscale does not account for (72",
		"blk.k.attn_q.weight: Q4_K [2048, 2048]",
		"Q8_0  34 B per 32 values",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	var js, y bytes.Buffer
	if err := WriteGGUF(&js, d, FormatJSON); err != nil {
		t.Fatal(err)
	}
	if err := WriteGGUF(&y, d, FormatYAML); err != nil {
		t.Fatal(err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(y.Bytes(), &node); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&js)
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(jsonTree(generic), yamlTree(&node)); diff != "" {
		t.Errorf("the YAML is not the JSON document (-json +yaml):\n%s", diff)
	}
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d.tree()); err != nil {
		t.Fatal(err)
	}
	if !checkEmit(t, "gemma-2b.gguf", compact.Bytes()) {
		t.Error("emitYAML left the GGUF document to yaml.v3")
	}
	if !strings.Contains(y.String(), "\ngguf:\n  path: gemma-2b.gguf\n") {
		t.Error("the YAML has no gguf section after the report's")
	}
}

func TestExactDecimal(t *testing.T) {
	for _, c := range []struct {
		n, d int64
		want string
	}{{9, 2, "4.5"}, {105, 16, "6.5625"}, {32, 1, "32"}, {17, 4, "4.25"}, {8 * 1_031_168, 1_705_216, "≈ 4.838"}, {1, 3, "≈ 0.333"}} {
		f := new(scale.Fraction)
		if err := f.UnmarshalText([]byte(fmt.Sprintf("%d/%d", c.n, c.d))); err != nil {
			t.Fatal(err)
		}
		if got := exactDecimal(f); got != c.want {
			t.Errorf("exactDecimal(%d/%d) = %q, want %q", c.n, c.d, got, c.want)
		}
	}
}
