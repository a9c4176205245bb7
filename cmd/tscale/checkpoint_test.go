package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// tinyLlama is a config.json of a two-layer Llama: h 64, 4 heads of 16
// with 2 KV heads, MLP 128, vocabulary 1000, untied head.
const tinyLlama = `{"model_type": "llama", "vocab_size": 1000, "hidden_size": 64, "intermediate_size": 128,
	"num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256,
	"tie_word_embeddings": false, "torch_dtype": "bfloat16"}`

type testTensor struct {
	name  string
	dtype string
	shape []int64
}

// tinyLlamaTensors are its tensors as transformers names them, in bf16.
func tinyLlamaTensors() []testTensor {
	ts := []testTensor{{"model.embed_tokens.weight", "BF16", []int64{1000, 64}}, {"model.norm.weight", "BF16", []int64{64}},
		{"lm_head.weight", "BF16", []int64{1000, 64}}}
	for l := range 2 {
		p := fmt.Sprintf("model.layers.%d.", l)
		ts = append(ts, testTensor{p + "input_layernorm.weight", "BF16", []int64{64}},
			testTensor{p + "post_attention_layernorm.weight", "BF16", []int64{64}},
			testTensor{p + "self_attn.q_proj.weight", "BF16", []int64{64, 64}},
			testTensor{p + "self_attn.k_proj.weight", "BF16", []int64{32, 64}},
			testTensor{p + "self_attn.v_proj.weight", "BF16", []int64{32, 64}},
			testTensor{p + "self_attn.o_proj.weight", "BF16", []int64{64, 64}},
			testTensor{p + "mlp.gate_proj.weight", "BF16", []int64{128, 64}},
			testTensor{p + "mlp.up_proj.weight", "BF16", []int64{128, 64}},
			testTensor{p + "mlp.down_proj.weight", "BF16", []int64{64, 128}})
	}
	return ts
}

var dtypeBytes = map[string]int64{"BF16": 2, "F16": 2, "F32": 4, "I32": 4, "U8": 1, "F8_E4M3": 1, "I64": 8}

// writeSafetensors writes a safetensors file of the tensors: the 8-byte
// length and the JSON header, then a sparse data section of the right
// length (os.Truncate), which tscale must never read. It returns the data
// bytes.
func writeSafetensors(t *testing.T, path string, tensors []testTensor) int64 {
	t.Helper()
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var offset int64
	for _, ts := range tensors {
		n := dtypeBytes[ts.dtype]
		for _, d := range ts.shape {
			n *= d
		}
		header[ts.name] = map[string]any{"dtype": ts.dtype, "shape": ts.shape, "data_offsets": []int64{offset, offset + n}}
		offset += n
	}
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	writeRaw(t, path, binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h, 8+int64(len(h))+offset)
	return offset
}

// writeRaw writes prefix and header to path and extends the file to size.
func writeRaw(t *testing.T, path string, prefix, header []byte, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(prefix, header...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// shardedModel writes a model folder: config.json, the tensors in two
// shards and their index.
func shardedModel(t *testing.T, dir string, tensors []testTensor) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "config.json"), tinyLlama)
	half := len(tensors) / 2
	weightMap := map[string]string{}
	var total int64
	for i, part := range [][]testTensor{tensors[:half], tensors[half:]} {
		file := fmt.Sprintf("model-%05d-of-00002.safetensors", i+1)
		total += writeSafetensors(t, filepath.Join(dir, file), part)
		for _, ts := range part {
			weightMap[ts.name] = file
		}
	}
	index, _ := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": total}, "weight_map": weightMap})
	writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), string(index))
}

// countingFS is the operating system's file system, counting the bytes
// read from each file.
type countingFS struct {
	osFS
	mu   sync.Mutex
	read map[string]int64
}

type countingFile struct {
	fs.File
	name string
	c    *countingFS
}

func (f countingFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.c.mu.Lock()
	f.c.read[f.name] += int64(n)
	f.c.mu.Unlock()
	return n, err
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.osFS.Open(name)
	if err != nil {
		return nil, err
	}
	return countingFile{File: f, name: name, c: c}, nil
}

// TestReportModelFolder: report -hf DIR reads config.json and the shards'
// headers, and nothing of the tensor data; the report's checkpoint agrees
// with the config, tensor by tensor.
func TestReportModelFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Tiny-Llama")
	shardedModel(t, dir, tinyLlamaTensors())
	fsys := &countingFS{read: map[string]int64{}}
	var stdout, stderr bytes.Buffer
	if code := runWith(fsys, []string{"report", "-hf", dir}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"Tiny-Llama/config.json (llama) — tiny-llama",
		"Checkpoint: 2 safetensors files (headers only)",
		"values stored               202,048 (202 K)",
		"tensor data                 404,096 B (395 KiB); the index's total_size 404,096",
		"parameters held             202,048 (202 K) of params.total 202,048 (202 K)",
		"agrees with config.json: every tensor accounted for and as the config implies; every op has its tensors",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	for name, n := range fsys.read {
		if strings.HasSuffix(name, ".safetensors") {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if header := 8 + int64(binary.LittleEndian.Uint64(data[:8])); n > header {
				t.Errorf("%s: read %d bytes, past its %d bytes of length and header", name, n, header)
			}
		}
	}
	if len(fsys.read) != 4 { // config.json, the index, two shards
		t.Errorf("read %d files: %v", len(fsys.read), fsys.read)
	}

	stdout.Reset()
	if code := run([]string{"report", "-format", "yaml", "-hf", dir}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("yaml: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "  checkpoint:\n    files: 2\n    tensors: 21\n") ||
		!strings.Contains(stdout.String(), "    agrees: true\n") {
		t.Errorf("the YAML report lacks params.checkpoint:\n%s", stdout.String())
	}
}

// TestReportModelFolderDisagreements: a checkpoint that differs from its
// config is reported as such, each difference named, and the exit code is
// still 0: the report is the answer.
func TestReportModelFolderDisagreements(t *testing.T) {
	dir := t.TempDir()
	ts := tinyLlamaTensors()
	ts[5].shape = []int64{64, 65}                                                                  // layers.0.self_attn.q_proj
	ts = append(ts[:9], ts[10:]...)                                                                // layers.0.mlp.up_proj
	ts = append(ts, testTensor{"model.layers.0.self_attn.rotary_emb.inv_freq", "F32", []int64{8}}) // a buffer of old checkpoints
	writeFile(t, filepath.Join(dir, "config.json"), tinyLlama)
	writeSafetensors(t, filepath.Join(dir, "model.safetensors"), ts)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"report", "-hf", dir}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{
		"DISAGREES with config.json: 1 tensor not accounted for, 1 missing, 1 contradicting the config",
		"- model.layers.0.self_attn.rotary_emb.inv_freq (F32 [8])",
		"- gate_proj weight, layer 0",
		"- model.layers.0.self_attn.q_proj.weight: BF16 [64, 65], the config implies [64, 64]",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestModelFoldersInReportsAndCompare: reports -hf reads a folder of model
// folders, or one model folder; compare -hf takes a model folder.
func TestModelFoldersInReportsAndCompare(t *testing.T) {
	parent := t.TempDir()
	model := filepath.Join(parent, "tiny")
	shardedModel(t, model, tinyLlamaTensors())
	for _, hf := range []string{parent, model} {
		out := t.TempDir()
		var stdout, stderr bytes.Buffer
		if code := run([]string{"reports", "-hf", hf, "-out", out}, nil, &stdout, &stderr); code != exitOK {
			t.Fatalf("reports -hf %s: exit %d: %s", hf, code, stderr.String())
		}
		data, err := os.ReadFile(filepath.Join(out, "yaml", "tiny.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "    agrees: true\n") {
			t.Errorf("reports -hf %s: no agreeing checkpoint in tiny.yaml", hf)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"compare", "-format", "csv", "-hf", model, "llama-3.1-8b"}, nil, &stdout, &stderr); code != exitOK ||
		!strings.Contains(stdout.String(), "tiny,") {
		t.Errorf("compare -hf DIR: exit %d: %s%s", code, stdout.String(), stderr.String())
	}
}

// TestModelFolderErrors: a malformed or hostile checkpoint is refused,
// naming the file, before anything past its header is read.
func TestModelFolderErrors(t *testing.T) {
	le := func(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"header length past the format's limit", func(t *testing.T, dir string) {
			writeRaw(t, filepath.Join(dir, "model.safetensors"), le(1<<62), []byte("{}"), 1<<20)
		}, "model.safetensors: malformed checkpoint: header length 4611686018427387904 is past the safetensors limit of 100000000 bytes"},
		{"header length past the file", func(t *testing.T, dir string) {
			writeRaw(t, filepath.Join(dir, "model.safetensors"), le(5000), []byte("{}"), 100)
		}, "header length 5000 is past the end of the file (100 bytes)"},
		{"data shorter than the header says", func(t *testing.T, dir string) {
			h := []byte(`{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}`)
			writeRaw(t, filepath.Join(dir, "model.safetensors"), le(uint64(len(h))), h, 8+int64(len(h))+8)
		}, "the tensors cover 16 bytes of data, but the file holds 8 after its header"},
		{"a shard outside the folder", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), `{"weight_map": {"a": "../model.safetensors"}}`)
		}, "not a file name in the model's folder"},
		{"a missing shard", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), `{"weight_map": {"a": "model-1.safetensors"}}`)
		}, "model-1.safetensors: no such file"},
		{"a tensor the index puts elsewhere", func(t *testing.T, dir string) {
			writeSafetensors(t, filepath.Join(dir, "a.safetensors"), []testTensor{{"x", "BF16", []int64{2}}, {"y", "BF16", []int64{2}}})
			writeSafetensors(t, filepath.Join(dir, "b.safetensors"), []testTensor{{"y", "BF16", []int64{2}}})
			writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), `{"weight_map": {"x": "a.safetensors", "y": "b.safetensors"}}`)
		}, `tensor "y" is not in model.safetensors.index.json's weight_map for this file`},
		{"an index naming a tensor no file holds", func(t *testing.T, dir string) {
			writeSafetensors(t, filepath.Join(dir, "a.safetensors"), []testTensor{{"x", "BF16", []int64{2}}})
			writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), `{"weight_map": {"x": "a.safetensors", "z": "a.safetensors"}}`)
		}, `weight_map names 1 tensors its files do not hold, first "z" in a.safetensors`},
		{"a family whose names tscale does not map", func(t *testing.T, dir string) {
			data, err := os.ReadFile("../../testdata/hf/dbrx.json")
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "config.json"), string(data))
			writeSafetensors(t, filepath.Join(dir, "model.safetensors"), []testTensor{{"x", "BF16", []int64{2}}})
		}, "tscale does not map model_type dbrx's tensor names to its ops yet; -hf "},
		{"no config.json", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "config.json")); err != nil {
				t.Fatal(err)
			}
		}, "is a folder without a config.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "config.json"), tinyLlama)
			tc.setup(t, dir)
			var stdout, stderr bytes.Buffer
			code := run([]string{"report", "-hf", dir}, nil, &stdout, &stderr)
			if code != exitFailure || !strings.Contains(stderr.String(), tc.want) || stdout.Len() > 0 {
				t.Errorf("exit %d, stderr %q, want exit 1 and %q", code, stderr.String(), tc.want)
			}
		})
	}
}
