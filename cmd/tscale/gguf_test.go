package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tscale/tscale/gguf"
)

// tinyGGUF is the header of a two-layer Llama with GQA (vocabulary 1,024,
// hidden 256, 4 heads of 64, 2 KV heads, MLP 512), its matrices Q4_K,
// output Q6_K, norms F32: 2·590,336 + 2·1,024·256 + 256 = 1,705,216
// parameters.
func tinyGGUF() *gguf.File {
	md := []gguf.KV{
		{Key: "general.architecture", Value: gguf.Str("llama")},
		{Key: "general.name", Value: gguf.Str("Tiny Llama")},
		{Key: "llama.context_length", Value: gguf.U32(4096)},
		{Key: "llama.embedding_length", Value: gguf.U32(256)},
		{Key: "llama.block_count", Value: gguf.U32(2)},
		{Key: "llama.feed_forward_length", Value: gguf.U32(512)},
		{Key: "llama.attention.head_count", Value: gguf.U32(4)},
		{Key: "llama.attention.head_count_kv", Value: gguf.U32(2)},
		{Key: "tokenizer.ggml.tokens", Value: gguf.Strs(make([]string, 1024))},
	}
	var ts []gguf.TensorInfo
	add := func(name string, typ gguf.Type, ne ...int64) {
		ts = append(ts, gguf.TensorInfo{Name: name, Dims: ne, Type: typ})
	}
	add("token_embd.weight", gguf.TypeQ4_K, 256, 1024)
	for i := 0; i < 2; i++ {
		blk := func(s string) string { return fmt.Sprintf("blk.%d.%s.weight", i, s) }
		add(blk("attn_norm"), gguf.TypeF32, 256)
		add(blk("attn_q"), gguf.TypeQ4_K, 256, 256)
		add(blk("attn_k"), gguf.TypeQ4_K, 256, 128)
		add(blk("attn_v"), gguf.TypeQ4_K, 256, 128)
		add(blk("attn_output"), gguf.TypeQ4_K, 256, 256)
		add(blk("ffn_norm"), gguf.TypeF32, 256)
		add(blk("ffn_gate"), gguf.TypeQ4_K, 256, 512)
		add(blk("ffn_up"), gguf.TypeQ4_K, 256, 512)
		add(blk("ffn_down"), gguf.TypeQ4_K, 512, 256)
	}
	add("output_norm.weight", gguf.TypeF32, 256)
	add("output.weight", gguf.TypeQ6_K, 256, 1024)
	return &gguf.File{Metadata: md, Tensors: ts}
}

// writeGGUF writes f to dir/name: its header, and its data section as a
// hole (a sparse file of the full size). extra bytes of data are added.
func writeGGUF(t testing.TB, dir, name string, f *gguf.File, extra int64) string {
	t.Helper()
	data, err := f.Layout()
	if err != nil {
		t.Fatal(err)
	}
	header, err := gguf.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, header, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(len(header))+data+extra); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportGGUF(t *testing.T) {
	path := writeGGUF(t, t.TempDir(), "tiny-llama.Q4_K_M.gguf", tinyGGUF(), 0)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"report", "-seq", "128", "-gguf", path}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	// Q4_K: token_embd 262,144 values and per layer 65,536·2 + 32,768·2 +
	// 131,072·3 = 589,824: 1,441,792 values in 15 tensors, 5,632 blocks of
	// 144 bytes. Q6_K: output, 262,144 values, 1,024 blocks of 210. F32: 5
	// norms of 256. 1,031,168 bytes in all, 8 × 1,031,168 / 1,705,216 =
	// 4.8377 bits per value.
	for _, want := range []string{
		"Tiny Llama (GGUF llama) — tiny-llama.q4-k-m",
		"  total             1,705,216 (1.71 M)",
		"GGUF file: the parameters stored, beside the exact count",
		"  tensors            21, holding 1,705,216 (1.71 M) values in 1,031,168 B (0.98 MiB): ≈ 4.838 bits per value",
		"  parameters stored  1,705,216 (1.71 M): the values of the tensors that agree with the config",
		"  exact count        1,705,216 (1.71 M): params.total of the config its metadata gives",
		"equal: every tensor agrees with the config, and every op has its tensors",
		"    Q4_K  144 B per 256 values         4.5       15  1,441,792  811,008 B (792 KiB)",
		"    F32   4 B per value                 32        5      1,280   5,120 B (5.00 KiB)",
		"    Q6_K  210 B per 256 values      6.5625        1    262,144  215,040 B (210 KiB)",
		"vocab_size 1024 (the length of tokenizer.ggml.tokens)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out[strings.Index(out, "GGUF file"):])
	}

	stdout.Reset()
	if code := run([]string{"report", "-format", "json", "-gguf", path}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("json: exit %d: %s", code, stderr.String())
	}
	var doc struct {
		Params struct{ Total int64 }
		GGUF   struct {
			Params         int64
			ExpectedParams int64 `json:"expected_params"`
			Agrees         bool
			Bytes          int64
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.GGUF.Params != 1_705_216 || doc.Params.Total != 1_705_216 || !doc.GGUF.Agrees || doc.GGUF.Bytes != 1_031_168 ||
		doc.GGUF.ExpectedParams != 1_705_216 {
		t.Errorf("json: %+v", doc)
	}
}

// ggufCountingFS counts the bytes read from the files it opens.
type ggufCountingFS struct {
	osFS
	read *int64
}

func (c ggufCountingFS) Open(name string) (fs.File, error) {
	f, err := c.osFS.Open(name)
	if err != nil {
		return nil, err
	}
	return ggufCountingFile{f, c.read}, nil
}

type ggufCountingFile struct {
	fs.File
	read *int64
}

func (c ggufCountingFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	*c.read += int64(n)
	return n, err
}

// TestGGUFReadsHeaderOnly: a file of 1 GiB more tensor data is read no
// further than its header and one buffer.
func TestGGUFReadsHeaderOnly(t *testing.T) {
	f := tinyGGUF()
	f.Tensors = append(f.Tensors, gguf.TensorInfo{Name: "mm.big.weight", Dims: []int64{1 << 15, 1 << 14}, Type: gguf.TypeF16})
	path := writeGGUF(t, t.TempDir(), "big.gguf", f, 0)
	header, _ := gguf.Encode(f)
	var read int64
	var stdout, stderr bytes.Buffer
	if code := runWith(ggufCountingFS{read: &read}, []string{"report", "-gguf", path}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if read > int64(len(header))+64<<10 {
		t.Errorf("read %d bytes of a file whose header is %d", read, len(header))
	}
	if !strings.Contains(stdout.String(), "mm.big.weight: F16 [16384, 32768]") {
		t.Errorf("the unaccounted tensor is not named:\n%s", stdout.String()[strings.Index(stdout.String(), "GGUF file"):])
	}
}

func TestGGUFUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"report", "-gguf", "m.gguf", "llama-2-7b"},
		{"report", "-gguf", "m.gguf", "-hf", "config.json"},
		{"report", "-gguf", "-"},
		{"report", "-gguf"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr)
		if code != exitUsage || stdout.Len() > 0 || strings.Count(stderr.String(), "\n") != 1 ||
			!strings.Contains(stderr.String(), "run 'tscale help report' for usage") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
}

// TestGGUFFailures: a file that cannot be read as a model's GGUF file is
// exit 1, one line naming the path and what is wrong.
func TestGGUFFailures(t *testing.T) {
	dir := t.TempDir()
	good := tinyGGUF()
	mamba := tinyGGUF()
	mamba.Metadata[0].Value = gguf.Str("mamba")
	writeGGUF(t, dir, "mamba.gguf", mamba, 0)
	truncated := writeGGUF(t, dir, "truncated.gguf", good, 0)
	info, _ := os.Stat(truncated)
	if err := os.Truncate(truncated, info.Size()-100); err != nil {
		t.Fatal(err)
	}
	// 2^62 tensors in a 24-byte file.
	hostile := append([]byte("GGUF\x03\x00\x00\x00"), 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0)
	if err := os.WriteFile(filepath.Join(dir, "hostile.gguf"), hostile, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(gpt2Config(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{filepath.Join(dir, "none.gguf"), "none.gguf: no such file"},
		{dir, "is a folder; pass a .gguf file"},
		{"/dev/zero", "/dev/zero is not a regular file"},
		{filepath.Join(dir, "config.json"), `config.json: not a GGUF file (it does not start with the bytes "GGUF")`},
		{filepath.Join(dir, "mamba.gguf"), `mamba.gguf: unsupported general.architecture: "mamba"; tscale reads gemma,`},
		{truncated, `truncated.gguf: at byte 9824: tensor "output.weight"'s 215040 bytes of data, at byte 825952, run past the end of the file (1040892 bytes): is it truncated?`},
		{filepath.Join(dir, "hostile.gguf"), "hostile.gguf: at byte 8: the tensor count is 4611686018427387904; tscale reads at most 262144"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := run([]string{"report", "-gguf", c.path}, nil, &stdout, &stderr)
		if code != exitFailure || stdout.Len() > 0 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%s: exit %d, stdout %d bytes, stderr %q; want %q", c.path, code, stdout.Len(), stderr.String(), c.want)
		}
	}
}
