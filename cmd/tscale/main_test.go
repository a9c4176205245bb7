package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // substring of stdout
		stderr     string // substring of stderr
		noStdout   bool
		stdoutJSON bool
	}{
		{name: "help", args: []string{"-h"}, code: exitOK, stdout: "tscale report llama-3.1-8b"},
		{name: "report help", args: []string{"report", "-h"}, code: exitOK, stdout: "Examples:\n  tscale report llama-2-7b"},
		{name: "reports help", args: []string{"reports", "-h"}, code: exitOK, stdout: "-out"},
		{name: "list help", args: []string{"list", "-h"}, code: exitOK, stdout: "tscale list"},
		{name: "list", args: []string{"list"}, code: exitOK, stdout: "GPT-4 8k (estimate)"},
		{name: "report text", args: []string{"report", "llama-2-7b"}, code: exitOK, stdout: "6,738,415,616 (6.74 B)"},
		{name: "flags after slug", args: []string{"report", "llama-2-7b", "-seq", "8", "-batch", "2"}, code: exitOK,
			stdout: "batch 2 × sequence 8 = 16 tokens"},
		{name: "report json", args: []string{"report", "-format", "json", "-dtype", "int4", "gpt2"}, code: exitOK, stdoutJSON: true},
		{name: "negative seq", args: []string{"report", "-seq", "-5", "gpt2"}, code: exitUsage, noStdout: true,
			stderr: "-seq must be a positive integer, got -5"},
		{name: "zero seq", args: []string{"report", "-seq", "0", "gpt2"}, code: exitUsage, stderr: "-seq must be a positive integer, got 0"},
		{name: "zero batch", args: []string{"report", "-batch", "0", "gpt2"}, code: exitUsage, stderr: "-batch must be a positive integer, got 0"},
		{name: "non-numeric seq", args: []string{"report", "-seq", "lots", "gpt2"}, code: exitUsage, stderr: "-seq"},
		{name: "bad dtype", args: []string{"report", "-dtype", "fp64", "gpt2"}, code: exitUsage, stderr: "-dtype must be one of"},
		{name: "bad format", args: []string{"report", "-format", "xml", "gpt2"}, code: exitUsage, stderr: "-format must be one of text, yaml, json"},
		{name: "unknown slug", args: []string{"report", "lama-2-7b"}, code: exitUsage, noStdout: true, stderr: "did you mean llama-2-7b"},
		{name: "no slug", args: []string{"report"}, code: exitUsage, stderr: "exactly one preset slug"},
		{name: "two slugs", args: []string{"report", "gpt2", "gpt2-xl"}, code: exitUsage, stderr: "exactly one preset slug"},
		{name: "seq beyond learned positions", args: []string{"report", "-seq", "2048", "gpt2"}, code: exitFailure, noStdout: true,
			stderr: "seq_len must not exceed max_position_embeddings (1024)"},
		{name: "report -hf", args: []string{"report", "-hf", "../../testdata/hf/mistral-7b.json"}, code: exitOK,
			stdout: "7,241,732,096 (7.24 B)"},
		{name: "report -hf and a slug", args: []string{"report", "-hf", "x.json", "gpt2"}, code: exitUsage, stderr: "not both"},
		{name: "report -hf missing file", args: []string{"report", "-hf", "no/such/config.json"}, code: exitFailure,
			stderr: "no/such/config.json"},
		{name: "report -hf unsupported", args: []string{"report", "-hf", "../../testdata/hf-unsupported/falcon-7b-rw.json"}, code: exitFailure,
			noStdout: true, stderr: `unsupported model_type "RefinedWebModel"`},
		{name: "compare text", args: []string{"compare", "gpt2", "mixtral-8x7b"}, code: exitOK,
			stdout: "12,879,925,248 (12.9 B)"},
		{name: "compare markdown", args: []string{"compare", "-format", "markdown", "llama-2-7b"}, code: exitOK,
			stdout: "| llama-2-7b | 4,096 | 6,738,415,616 | 6,738,415,616 |"},
		{name: "compare csv with -hf", args: []string{"compare", "-format", "csv", "-hf", "../../testdata/hf/qwen3-8b.json", "gpt2"},
			code: exitOK, stdout: "gpt2,GPT-2 (124M),false,1024,124439808,124439808,"},
		{name: "compare every preset", args: []string{"compare"}, code: exitOK, stdout: "gpt4o-est (estimate)"},
		{name: "compare bad format", args: []string{"compare", "-format", "pdf"}, code: exitUsage, stderr: "-format must be one of text, markdown, csv"},
		{name: "compare unknown slug", args: []string{"compare", "gpt5"}, code: exitUsage, stderr: "unknown preset"},
		{name: "compare help", args: []string{"compare", "-h"}, code: exitOK, stdout: "tscale compare -format markdown"},
		{name: "kv dtype and tokens", args: []string{"report", "-kv-dtype", "fp8", "-tokens", "1000000", "llama-2-7b"}, code: exitOK,
			stdout: "KV cache in fp8"},
		{name: "bad kv dtype", args: []string{"report", "-kv-dtype", "fp6", "llama-2-7b"}, code: exitUsage, stderr: "-kv-dtype must be one of"},
		{name: "negative tokens", args: []string{"report", "-tokens", "-1", "llama-2-7b"}, code: exitUsage,
			stderr: "-tokens must be a positive integer, got -1"},
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage, stderr: "unknown command"},
		{name: "unknown flag", args: []string{"list", "-x"}, code: exitUsage, stderr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
			if tt.noStdout && stdout.Len() > 0 {
				t.Errorf("stdout should be empty on error, got %q", stdout.String())
			}
			if tt.stdoutJSON && !json.Valid(stdout.Bytes()) {
				t.Errorf("stdout is not valid JSON")
			}
		})
	}
}

// TestReportsWritesNothingOnError: a usage error leaves no files behind,
// and a run leaves no temporary files.
func TestReportsWritesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"reports", "-out", out, "extra"}, &stdout, &stderr); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output directory exists after an error: %v", err)
	}
	stdout.Reset()
	if code := run([]string{"reports", "-out", out}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "wrote ") {
		t.Errorf("summary line = %q", stdout.String())
	}
	err := filepath.Walk(out, func(path string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(path, ".tmp") {
			t.Errorf("temporary file left: %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReportsFromHFDir: reports -hf DIR writes a report per config file,
// and nothing when one of them is bad.
func TestReportsFromHFDir(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("../../testdata/hf/gpt2.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "My-Model"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "small.json"), filepath.Join(dir, "My-Model", "config.json")} {
		if err := os.WriteFile(p, good, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"reports", "-hf", dir, "-out", out}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, f := range []string{"yaml/small.yaml", "txt/small.txt", "yaml/my-model.yaml", "txt/my-model.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(t.TempDir(), "out")
	if code := run([]string{"reports", "-hf", dir, "-out", out2}, &stdout, &stderr); code != exitFailure {
		t.Errorf("exit %d with a malformed file, want %d", code, exitFailure)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("files written despite the error")
	}
}

// TestReportsFailsOnUnwritableDir: a failure to write is exit 1 and names the path.
func TestReportsFailsOnUnwritableDir(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"reports", "-out", blocker}, &stdout, &stderr); code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr.String(), blocker) {
		t.Errorf("stderr %q does not name %s", stderr.String(), blocker)
	}
}

// BenchmarkAllReports builds and renders the YAML and text reports of every
// preset: the work of one `tscale` run.
func BenchmarkAllReports(b *testing.B) {
	var stdout, stderr bytes.Buffer
	out := b.TempDir()
	for i := 0; i < b.N; i++ {
		if code := run([]string{"reports", "-out", out}, &stdout, &stderr); code != exitOK {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
}
