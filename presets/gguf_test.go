package presets

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tscale/tscale/gguf"
	"github.com/tscale/tscale/scale"
)

// ggufSpec says how llama.cpp's converter writes a model of one
// architecture: which optional keys and tensors it adds.
type ggufSpec struct {
	arch string
	// keyLength: the file states attention.key_length and value_length.
	keyLength bool
	// tokens: the file has tokenizer.ggml.tokens; vocabKey: <arch>.vocab_size.
	tokens, vocabKey bool
	// ropeFreqs: rope_freqs.weight (Llama 3.1); ropeFactors: Phi-3's
	// rope_factors_long and _short.
	ropeFreqs, ropeFactors bool
	// perExpert: one tensor per routed expert (older Mixtral files).
	perExpert bool
}

// ggufFileOf writes the header of the GGUF file llama.cpp would make of
// config c: the metadata its convert_hf_to_gguf.py writes and the tensors
// its src/llama-model.cpp creates, with their ggml shapes (ne, the
// innermost dimension first) written out from llama.cpp's create_tensor
// calls, not from tscale's ops. Matrices are Q4_K where their rows are
// whole 256-value blocks, else Q8_0 or F16; output and token_embd Q6_K;
// vectors F32.
func ggufFileOf(c scale.Config, s ggufSpec) *gguf.File {
	a := s.arch
	h, v, ff := c.HiddenSize, c.VocabSize, c.IntermediateSize
	d := c.HeadDim
	q, kv := c.NumAttentionHeads*d, c.NumKeyValueHeads*d
	md := []gguf.KV{
		{Key: "general.architecture", Value: gguf.Str(a)},
		{Key: "general.name", Value: gguf.Str("Test " + a)},
		{Key: a + ".context_length", Value: gguf.U32(uint32(c.MaxPositionEmbeddings))},
		{Key: a + ".embedding_length", Value: gguf.U32(uint32(h))},
		{Key: a + ".block_count", Value: gguf.U32(uint32(c.NumHiddenLayers))},
		{Key: a + ".attention.head_count", Value: gguf.U32(uint32(c.NumAttentionHeads))},
		{Key: a + ".attention.head_count_kv", Value: gguf.U32(uint32(c.NumKeyValueHeads))},
	}
	add := func(k string, n int64) { md = append(md, gguf.KV{Key: a + "." + k, Value: gguf.U32(uint32(n))}) }
	if ff > 0 {
		add("feed_forward_length", ff)
	} else if a == "llama" && c.NumLocalExperts > 0 { // Mixtral's intermediate_size: the experts' width
		add("feed_forward_length", c.MoEIntermediateSize)
	}
	if s.keyLength {
		add("attention.key_length", d)
		add("attention.value_length", d)
	}
	if c.NumLocalExperts > 0 {
		add("expert_count", c.NumLocalExperts)
		add("expert_used_count", c.NumExpertsPerTok)
		if a != "llama" { // Mixtral's experts are feed_forward_length wide
			add("expert_feed_forward_length", c.MoEIntermediateSize)
		}
		if c.SharedExpertIntermediateSize > 0 {
			add("expert_shared_feed_forward_length", c.SharedExpertIntermediateSize)
		}
	}
	if c.SlidingWindow > 0 {
		add("attention.sliding_window", c.SlidingWindow)
	}
	if s.vocabKey {
		add("vocab_size", v)
	}
	if s.tokens {
		tokens := make([]string, v)
		for i := range tokens {
			tokens[i] = "tok"
		}
		md = append(md, gguf.KV{Key: "tokenizer.ggml.tokens", Value: gguf.Strs(tokens)})
	}
	md = append(md, gguf.KV{Key: "general.alignment", Value: gguf.U32(32)})

	var ts []gguf.TensorInfo
	tensor := func(name string, ne ...int64) {
		typ := gguf.TypeF32
		switch {
		case len(ne) == 1:
		case (name == "output.weight" || name == "token_embd.weight") && ne[0]%256 == 0:
			typ = gguf.TypeQ6_K
		case ne[0]%256 == 0:
			typ = gguf.TypeQ4_K
		case ne[0]%32 == 0:
			typ = gguf.TypeQ8_0
		default:
			typ = gguf.TypeF16
		}
		ts = append(ts, gguf.TensorInfo{Name: name, Dims: ne, Type: typ})
	}
	tensor("token_embd.weight", h, v)
	if s.ropeFreqs {
		tensor("rope_freqs.weight", d/2)
	}
	if s.ropeFactors {
		tensor("rope_factors_long.weight", d/2)
		tensor("rope_factors_short.weight", d/2)
	}
	for i := int64(0); i < c.NumHiddenLayers; i++ {
		blk := func(n string) string { return fmt.Sprintf("blk.%d.%s", i, n) }
		tensor(blk("attn_norm.weight"), h)
		if a == "phi3" {
			tensor(blk("attn_qkv.weight"), h, q+2*kv)
		} else {
			tensor(blk("attn_q.weight"), h, q)
			tensor(blk("attn_k.weight"), h, kv)
			tensor(blk("attn_v.weight"), h, kv)
		}
		if a == "qwen2" || a == "qwen2moe" {
			tensor(blk("attn_q.bias"), q)
			tensor(blk("attn_k.bias"), kv)
			tensor(blk("attn_v.bias"), kv)
		}
		if a == "qwen3" || a == "qwen3moe" || a == "gemma3" {
			tensor(blk("attn_q_norm.weight"), d)
			tensor(blk("attn_k_norm.weight"), d)
		}
		tensor(blk("attn_output.weight"), q, h)
		if a == "gemma2" || a == "gemma3" {
			tensor(blk("post_attention_norm.weight"), h)
		}
		tensor(blk("ffn_norm.weight"), h)
		switch {
		case c.NumLocalExperts > 0:
			e, f := c.NumLocalExperts, c.MoEIntermediateSize
			tensor(blk("ffn_gate_inp.weight"), h, e)
			if s.perExpert {
				for j := int64(0); j < e; j++ {
					tensor(blk(fmt.Sprintf("ffn_gate.%d.weight", j)), h, f)
					tensor(blk(fmt.Sprintf("ffn_down.%d.weight", j)), f, h)
					tensor(blk(fmt.Sprintf("ffn_up.%d.weight", j)), h, f)
				}
			} else {
				tensor(blk("ffn_gate_exps.weight"), h, f, e)
				tensor(blk("ffn_down_exps.weight"), f, h, e)
				tensor(blk("ffn_up_exps.weight"), h, f, e)
			}
			if sh := c.SharedExpertIntermediateSize; sh > 0 {
				tensor(blk("ffn_gate_inp_shexp.weight"), h)
				tensor(blk("ffn_gate_shexp.weight"), h, sh)
				tensor(blk("ffn_down_shexp.weight"), sh, h)
				tensor(blk("ffn_up_shexp.weight"), h, sh)
			}
		case a == "phi3":
			tensor(blk("ffn_down.weight"), ff, h)
			tensor(blk("ffn_up.weight"), h, 2*ff)
		default:
			tensor(blk("ffn_gate.weight"), h, ff)
			tensor(blk("ffn_down.weight"), ff, h)
			tensor(blk("ffn_up.weight"), h, ff)
		}
		if a == "gemma2" || a == "gemma3" {
			tensor(blk("post_ffw_norm.weight"), h)
		}
	}
	tensor("output_norm.weight", h)
	if !c.TieWordEmbeddings {
		tensor("output.weight", h, v)
	}
	return &gguf.File{Metadata: md, Tensors: ts}
}

// readBack encodes f and reads it as Read reads a file: the header, and
// the size of a file with all of the data (never materialised).
func readBack(t *testing.T, f *gguf.File) *gguf.File {
	t.Helper()
	data, err := f.Layout()
	if err != nil {
		t.Fatal(err)
	}
	header, err := gguf.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gguf.Read(bytes.NewReader(header), int64(len(header))+data)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestGGUFMatchesPresets: the GGUF file llama.cpp would make of a preset
// reads back as the preset's architecture, and its tensors hold exactly the
// preset's parameters (its published count), tensor by tensor.
func TestGGUFMatchesPresets(t *testing.T) {
	cases := []struct {
		slug string
		spec ggufSpec
		// ignore are the config fields a GGUF file does not carry for it.
		ignore []string
	}{
		{"llama-2-7b", ggufSpec{arch: "llama", tokens: true}, nil},
		{"llama-3.1-8b", ggufSpec{arch: "llama", vocabKey: true, ropeFreqs: true}, nil},
		{"llama-3.2-1b", ggufSpec{arch: "llama", vocabKey: true, ropeFreqs: true}, nil}, // tied
		{"tinyllama-1.1b", ggufSpec{arch: "llama"}, nil},                                // vocabulary from token_embd
		{"mistral-7b", ggufSpec{arch: "llama", vocabKey: true}, []string{"SlidingWindow"}},
		{"mistral-nemo-12b", ggufSpec{arch: "llama", vocabKey: true, keyLength: true}, nil},
		{"mixtral-8x7b", ggufSpec{arch: "llama", vocabKey: true}, nil},
		{"mixtral-8x22b", ggufSpec{arch: "llama", vocabKey: true, perExpert: true}, nil},
		{"qwen2.5-7b", ggufSpec{arch: "qwen2", vocabKey: true}, nil},
		{"qwen3-0.6b", ggufSpec{arch: "qwen3", tokens: true, keyLength: true}, nil},
		{"qwen3-8b", ggufSpec{arch: "qwen3", vocabKey: true, keyLength: true}, nil},
		{"qwen3-30b-a3b", ggufSpec{arch: "qwen3moe", vocabKey: true, keyLength: true}, nil},
		{"gemma-2b", ggufSpec{arch: "gemma", vocabKey: true, keyLength: true}, nil},
		{"gemma-7b", ggufSpec{arch: "gemma", vocabKey: true, keyLength: true}, nil},
		{"gemma-2-9b", ggufSpec{arch: "gemma2", vocabKey: true, keyLength: true}, nil},
		{"gemma-2-27b", ggufSpec{arch: "gemma2", vocabKey: true, keyLength: true}, nil},
		{"gemma-3-1b", ggufSpec{arch: "gemma3", vocabKey: true, keyLength: true}, nil},
		{"gemma-3-27b", ggufSpec{arch: "gemma3", vocabKey: true, keyLength: true}, []string{"VisionParams"}}, // text model only
		{"phi-3-mini", ggufSpec{arch: "phi3", vocabKey: true, ropeFactors: true}, nil},
		{"phi-4", ggufSpec{arch: "phi3", vocabKey: true}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.slug, func(t *testing.T) {
			want, err := Lookup(tc.slug)
			if err != nil {
				t.Fatal(err)
			}
			file := readBack(t, ggufFileOf(want.Config, tc.spec))
			p, tensors, err := FromGGUF(tc.slug+".Q4_K_M.gguf", file)
			if err != nil {
				t.Fatal(err)
			}
			ignore := append([]string{"HiddenAct"}, tc.ignore...)
			if diff := cmp.Diff(want.Config, p.Config, cmpopts.IgnoreFields(scale.Config{}, ignore...)); diff != "" {
				t.Errorf("config (-preset +gguf):\n%s\nsources: %s\nnotes: %q", diff, p.Sources, p.Notes)
			}
			g, err := scale.CompareGGUF(p.Config, tensors)
			if err != nil {
				t.Fatal(err)
			}
			r, err := scale.Analyze(want.Config, scale.Workload{BatchSize: 1, SeqLen: 1, DType: scale.BF16})
			if err != nil {
				t.Fatal(err)
			}
			if !g.Agrees || g.Params != r.Params.Total {
				t.Errorf("agrees %v, %d params stored, preset %d; disagreements %+v, missing %+v, unaccounted %d",
					g.Agrees, g.Params, r.Params.Total, g.Disagreements, g.Missing, len(g.Unaccounted))
			}
			if p.Slug != tc.slug+".q4-k-m" || p.Name != "Test "+tc.spec.arch+" (GGUF "+tc.spec.arch+")" {
				t.Errorf("slug %q, name %q", p.Slug, p.Name)
			}
		})
	}
}

// TestGGUFQwen2MoE: Qwen1.5-MoE-A2.7B's file, from its real config.json,
// holds its published 14,315,784,192 parameters, the shared-expert gate
// stored [h] for the config's [1, h].
func TestGGUFQwen2MoE(t *testing.T) {
	want := readHF(t, "qwen1.5-moe-a2.7b.json")
	file := readBack(t, ggufFileOf(want.Config, ggufSpec{arch: "qwen2moe", tokens: true}))
	p, tensors, err := FromGGUF("qwen1.5-moe.gguf", file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Config, p.Config); diff != "" {
		t.Errorf("config (-config.json +gguf):\n%s", diff)
	}
	g, err := scale.CompareGGUF(p.Config, tensors)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Agrees || g.Params != 14_315_784_192 {
		t.Errorf("agrees %v, params %d; %+v %+v", g.Agrees, g.Params, g.Disagreements, g.Missing)
	}
}

// TestGGUFMetadataErrors: metadata FromGGUF cannot read is an error naming
// the key, of the kind errors.Is finds.
func TestGGUFMetadataErrors(t *testing.T) {
	base := func() scale.Config { p, _ := Lookup("llama-2-7b"); return p.Config }
	edit := func(e func(md []gguf.KV) []gguf.KV) *gguf.File {
		f := ggufFileOf(base(), ggufSpec{arch: "llama", tokens: false})
		f.Metadata = e(f.Metadata)
		return f
	}
	set := func(key string, v gguf.Value) func(md []gguf.KV) []gguf.KV {
		return func(md []gguf.KV) []gguf.KV {
			for i := range md {
				if md[i].Key == key {
					md[i].Value = v
					return md
				}
			}
			return append(md, gguf.KV{Key: key, Value: v})
		}
	}
	drop := func(key string) func(md []gguf.KV) []gguf.KV {
		return func(md []gguf.KV) []gguf.KV {
			var out []gguf.KV
			for _, kv := range md {
				if kv.Key != key {
					out = append(out, kv)
				}
			}
			return out
		}
	}
	cases := []struct {
		name string
		file *gguf.File
		kind error
		want string
	}{
		{"no architecture", edit(drop("general.architecture")), ErrMissingField, "general.architecture"},
		{"architecture a number", edit(set("general.architecture", gguf.U32(1))), ErrWrongType, "must be a string, got a u32"},
		{"mamba", edit(set("general.architecture", gguf.Str("mamba"))), ErrUnsupportedArchitecture,
			`unsupported general.architecture: "mamba"; tscale reads gemma, gemma2, gemma3, llama, phi3, qwen2, qwen2moe, qwen3, qwen3moe`},
		{"no embedding_length", edit(drop("llama.embedding_length")), ErrMissingField, "metadata llama.embedding_length"},
		{"no feed_forward_length", edit(drop("llama.feed_forward_length")), ErrMissingField, "metadata llama.feed_forward_length"},
		{"block_count a string", edit(set("llama.block_count", gguf.Str("32"))), ErrWrongType,
			"metadata llama.block_count must be an integer, got a string"},
		{"block_count 2^40", edit(set("llama.block_count", gguf.U64(1<<40))), ErrTooLarge,
			"metadata llama.block_count 1099511627776 is more than the 100000 layers"},
		{"per-layer heads", edit(set("llama.attention.head_count_kv", gguf.Ints(gguf.Int32, []int64{8, 32}))), ErrUnmodelled,
			"metadata llama.attention.head_count_kv gives the layers different values (8 to 32)"},
		{"negative heads", edit(set("llama.attention.head_count", gguf.I32(-4))), ErrInvalidValue,
			"metadata llama.attention.head_count must not be negative, got -4"},
		{"kv heads not dividing", edit(set("llama.attention.head_count_kv", gguf.U32(5))), ErrInvalidValue,
			"llama.attention.head_count must be divisible by llama.attention.head_count_kv (5)"},
		{"key and value lengths", edit(func(md []gguf.KV) []gguf.KV {
			return set("llama.attention.value_length", gguf.U32(64))(set("llama.attention.key_length", gguf.U32(128))(md))
		}), ErrUnmodelled, "value_length 64 differs from key_length 128"},
		{"experts in qwen2", func() *gguf.File {
			p, _ := Lookup("qwen2.5-7b")
			f := ggufFileOf(p.Config, ggufSpec{arch: "qwen2", tokens: true})
			f.Metadata = set("qwen2.expert_count", gguf.U32(8))(f.Metadata)
			return f
		}(), ErrUnmodelled, "metadata qwen2.expert_count 8: qwen2 is read as a dense model"},
		{"no vocabulary", func() *gguf.File {
			f := edit(func(md []gguf.KV) []gguf.KV { return md })
			f.Tensors = f.Tensors[1:]
			return f
		}(), ErrMissingField, "the vocabulary size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := FromGGUF("m.gguf", readBack(t, c.file))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "m.gguf: ") {
				t.Errorf("error %q (kind %v), want %v containing %q", err, errors.Is(err, c.kind), c.kind, c.want)
			}
		})
	}
}

// TestGGUFRefs: llama.cpp's names, each to the op it holds.
func TestGGUFRefs(t *testing.T) {
	ref := func(layer int64, part string, expert int64, stacked bool, ops ...string) *scale.GGUFRef {
		return &scale.GGUFRef{Layer: layer, Ops: ops, Part: part, Expert: expert, Stacked: stacked}
	}
	cases := []struct {
		name  string
		fused bool
		want  *scale.GGUFRef
	}{
		{"token_embd.weight", false, ref(-1, "weight", -1, false, "embed_tokens")},
		{"output.bias", false, ref(-1, "bias", -1, false, "lm_head")},
		{"rope_freqs.weight", false, &scale.GGUFRef{Layer: -1, Part: "weight", Expert: -1, NotParam: true}},
		{"blk.3.attn_qkv.weight", false, ref(3, "weight", -1, false, "q_proj", "k_proj", "v_proj")},
		{"blk.0.attn_q.bias", false, ref(0, "bias", -1, false, "q_proj")},
		{"blk.12.ffn_up.weight", true, ref(12, "weight", -1, false, "gate_proj", "up_proj")},
		{"blk.12.ffn_up.weight", false, ref(12, "weight", -1, false, "up_proj")},
		{"blk.1.ffn_down.7.weight", false, ref(1, "weight", 7, false, "experts.down_proj")},
		{"blk.1.ffn_gate_up_exps.weight", false, ref(1, "weight", -1, true, "experts.gate_proj", "experts.up_proj")},
		{"blk.1.ffn_gate_inp_shexp.weight", false, ref(1, "weight", -1, false, "shared_expert_gate")},
		{"blk.2.post_ffw_norm.weight", false, ref(2, "weight", -1, false, "post_mlp_norm")},
		{"blk.1.ffn_up_exps.3.weight", false, nil},
		{"blk.1.attn_sinks.weight", false, nil},
		{"blk.99999999999.attn_q.weight", false, nil},
		{"mm.0.weight", false, nil},
		{"token_embd", false, nil},
	}
	for _, c := range cases {
		if got := ggufRef(c.name, ggufArch{fusedGateUp: c.fused}); !cmp.Equal(got, c.want) {
			t.Errorf("ggufRef(%q) = %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestGGUFVocabularyDisagrees: a tokenizer of 32,000 tokens beside
// embedding and output tables of 32,064 rows: the config follows the
// metadata, and both tables are named as disagreeing.
func TestGGUFVocabularyDisagrees(t *testing.T) {
	p, err := Lookup("llama-2-7b")
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	c.VocabSize = 32_064
	f := ggufFileOf(c, ggufSpec{arch: "llama"})
	tokens := make([]string, 32_000)
	f.Metadata = append(f.Metadata, gguf.KV{Key: "tokenizer.ggml.tokens", Value: gguf.Strs(tokens)})
	got, tensors, err := FromGGUF("m.gguf", readBack(t, f))
	if err != nil {
		t.Fatal(err)
	}
	g, err := scale.CompareGGUF(got.Config, tensors)
	if err != nil {
		t.Fatal(err)
	}
	want := []scale.GGUFDisagreement{
		{Name: "token_embd.weight", Reason: scale.GGUFDisagreeShape, Shape: []int64{32_064, 4096}, WantShape: []int64{32_000, 4096}},
		{Name: "output.weight", Reason: scale.GGUFDisagreeShape, Shape: []int64{32_064, 4096}, WantShape: []int64{32_000, 4096}},
	}
	if diff := cmp.Diff(want, g.Disagreements); diff != "" || got.Config.VocabSize != 32_000 || g.Agrees {
		t.Errorf("vocab %d, agrees %v, disagreements (-want +got):\n%s", got.Config.VocabSize, g.Agrees, diff)
	}
}

// FuzzFromGGUF: any bytes that read as a GGUF header give a preset and a
// check, or an error, never a panic; a check's values add up.
func FuzzFromGGUF(f *testing.F) {
	for _, seed := range []struct {
		slug string
		spec ggufSpec
	}{
		{"tinyllama-1.1b", ggufSpec{arch: "llama"}},
		{"qwen3-0.6b", ggufSpec{arch: "qwen3", keyLength: true}},
		{"phi-3-mini", ggufSpec{arch: "phi3", vocabKey: true, ropeFactors: true}},
	} {
		p, err := Lookup(seed.slug)
		if err != nil {
			f.Fatal(err)
		}
		c := p.Config
		c.NumHiddenLayers = 2 // a small seed
		file := ggufFileOf(c, seed.spec)
		if _, err := file.Layout(); err != nil {
			f.Fatal(err)
		}
		header, err := gguf.Encode(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(header)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := gguf.Read(bytes.NewReader(b), 1<<40) // the data, never read, as if present
		if err != nil {
			return
		}
		p, tensors, err := FromGGUF("f.gguf", file)
		if err != nil {
			return
		}
		g, err := scale.CompareGGUF(p.Config, tensors)
		if err != nil {
			return
		}
		if g.Params+g.NotParamValues+g.UnaccountedValues+g.DisagreeingValues != g.Values {
			t.Fatalf("values %d ≠ %d + %d + %d + %d", g.Values, g.Params, g.NotParamValues, g.UnaccountedValues, g.DisagreeingValues)
		}
	})
}

// TestGGUFSlotsHoldEveryParameter: for every preset, the tensors
// CompareGGUF expects of its config hold exactly params.total, so a file
// that agrees tensor by tensor stores the exact count.
func TestGGUFSlotsHoldEveryParameter(t *testing.T) {
	for _, p := range All() {
		g, err := scale.CompareGGUF(p.Config, nil)
		if p.Config.HasSharedBlocks() { // not mapped: refused
			if err == nil {
				t.Errorf("%s: CompareGGUF of shared blocks: want a refusal", p.Slug)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", p.Slug, err)
			continue
		}
		r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 1, DType: scale.BF16})
		if err != nil {
			t.Fatal(err)
		}
		if g.ExpectedParams != r.Params.Total {
			t.Errorf("%s: the expected tensors hold %d parameters, params.total is %d", p.Slug, g.ExpectedParams, r.Params.Total)
		}
	}
}
