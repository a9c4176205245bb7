package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are command lines, one argument per element; $TMP stands for a
// fresh temporary folder of each run and $HF for the folder hfFixture makes.
var fuzzSeeds = [][]string{
	{},
	{"-h"}, {"help"}, {"help", "report"}, {"help", "frobnicate"}, {"help", "report", "list"}, {"help", "-h"},
	{"report", "-h"}, {"reports", "-h"}, {"list", "-h"}, {"compare", "-h"}, {"report", "gpt2", "-help"},
	{"list"}, {"list", "-x"}, {"list", "gpt2"}, {"frobnicate"}, {"-x"},
	{"report", "gpt2"}, {"report", "llama-2-7b", "-seq", "8", "-batch", "2"},
	{"report", "-format", "json", "-dtype", "int4", "gpt2"}, {"report", "-format", "yaml", "-seq", "8k", "llama-3.1-8b"},
	{"report", "-format", "json", "-seq", "1e9", "x"}, {"report", "-format", "json", "-seq", "1e9x", "x"},
	{"report", "-seq", "010", "gpt2"}, {"report", "-seq", "0x10", "gpt2"}, {"report", "-seq", "1x", "gpt2"},
	{"report", "-seq", "1k", "gpt2"}, {"report", "-seq", "1Ki", "-batch", "2k", "gpt2"},
	{"report", "-tokens", "1.5e13", "-seq", "1e3", "gpt2"}, {"report", "-tokens", "15e12", "gpt2"},
	{"report", "-seq", "0.5", "gpt2"}, {"report", "-batch", "1.5e0", "gpt2"}, {"report", "-batch", "1e30", "gpt2"},
	{"report", "-tokens", "9223372036854775808", "gpt2"}, {"report", "gpt2", "-seq"},
	{"report", "-seq", "-5", "gpt2"}, {"report", "-seq", "0", "gpt2"}, {"report", "-batch", "0", "gpt2"},
	{"report", "-seq", "2048", "gpt2"}, {"report", "-batch", "9223372036854775807", "llama-2-7b"},
	{"report", "-seq", "2", "-batch", "4611686018427387904", "gpt2"}, {"report", "-seq", "4Gi", "-batch", "1Gi", "deepseek-v3"},
	{"report", "-seq", "4Gi", "-batch", "4Gi", "deepseek-v3"},
	{"sweep", "-seq", "1k..8k", "-batch", "1,4", "gpt3-xl"}, {"sweep", "-seq", "1..4Gi/3", "-format", "json", "mixtral-8x7b"}, {"sweep", "-metric", "x", "gpt2"}, {"report", "-seq", "1000000", "-batch", "1000", "llama-3.1-405b"},
	{"report", "-seq", "4Gi", "llama-2-7b"}, {"report", "-seq", "1Mi", "-batch", "1Mi", "-tokens", "9e18", "mixtral-8x22b"},
	{"report", "-tokens", "0", "gpt2"}, {"report", "-tokens", "-1", "llama-2-7b"},
	{"report", "-dtype", "fp64", "gpt2"}, {"report", "-kv-dtype", "fp6", "llama-2-7b"}, {"report", "-kv-dtype", "fp8", "-tokens", "1M", "llama-2-7b"},
	{"report", "-format", "xml", "gpt2"}, {"report", "lama-2-7b"}, {"report"}, {"report", "gpt2", "gpt2-xl"},
	{"report", "-hf", "../../testdata/hf/mistral-7b.json"}, {"report", "-hf", "x.json", "gpt2"},
	{"report", "-hf", "no/such/config.json"}, {"report", "-hf", "$HF/good"}, {"report", "-hf", "/dev/zero"},
	{"report", "-hf", "$HF/bad.json"}, {"report", "-hf", "../../testdata/hf-unsupported/falcon-7b-rw.json"},
	{"report", "-seq", "4k", "-hf", "../../testdata/hf/gpt2.json"},
	{"compare", "gpt2", "mixtral-8x7b"}, {"compare", "-format", "markdown", "llama-2-7b"},
	{"compare", "-format", "csv", "-hf", "../../testdata/hf/qwen3-8b.json", "gpt2"}, {"compare", "-format", "pdf"},
	{"compare", "gpt5"}, {"compare", "-hf", "../../testdata/hf/gpt2.json", "-hf", "/dev/zero", "gpt2"},
	{"compare", "-hf", "$HF/bad.json", "-hf", "no/such.json"},
	{"report", "-hf", "-"}, {"report", "-format", "json", "-hf", "-"}, {"compare", "-hf", "-", "gpt2"},
	{"compare", "-hf", "-", "-hf", "-"}, {"reports", "-hf", "-", "-out", "$TMP/o"}, {"report", "-hf", "-", "gpt2"},
	{"version"}, {"version", "-h"}, {"version", "x"}, {"help", "version"},
	{"reports", "x"}, {"reports", "-out", ""}, {"reports", "-out", "$TMP/out"},
	{"reports", "-out", "/tmp/tscale-fuzz-must-not-exist"},
	{"reports", "-hf", "$HF/nope", "-out", "$TMP/o"}, {"reports", "-hf", "$HF/plain-file", "-out", "$TMP/o"},
	{"reports", "-hf", "$HF/empty", "-out", "$TMP/o"}, {"reports", "-hf", "$HF/dir[1]", "-out", "$TMP/o"},
	{"reports", "-hf", "$HF/good", "-out", "$TMP/o"}, {"reports", "-hf", "$HF/mixed", "-out", "$TMP/o"},
	{"reports", "-keep-going", "-hf", "$HF/mixed", "-out", "$TMP/o"}, {"reports", "-keep-going", "-hf", "$HF/allbad", "-out", "$TMP/o"}, {"reports", "-hf", "$HF/good", "-out", "$HF/plain-file"},
	{"reports", "-hf", "$HF/good", "-out", "$TMP/../escape"}, {"reports", "-hf", "../../testdata/hf", "-out", "$TMP"},
}

// FuzzRun: no command line makes tscale panic or exit with anything but 0,
// 1 or 2; a usage error is one line on stderr and nothing on stdout; a run
// leaves no staging folder. Every write goes through jailFS, which refuses
// any path outside the run's temporary folder (removed after each run), so
// fuzzing writes nowhere else and does not fill the disk. stdin is empty
// (-hf - reads it: a malformed JSON error). Arguments are
// separated by NUL bytes, which no real argument holds.
func FuzzRun(f *testing.F) {
	for _, args := range fuzzSeeds {
		f.Add(strings.Join(args, "\x00"))
	}
	hf := hfFixture(f)
	f.Fuzz(func(t *testing.T, line string) {
		tmp := t.TempDir()
		var args []string
		if line != "" {
			args = strings.Split(strings.NewReplacer("$TMP", tmp, "$HF", hf).Replace(line), "\x00")
		}
		var stdout, stderr bytes.Buffer
		code := runWith(jailFS{osFS{}, tmp}, args, strings.NewReader(""), &stdout, &stderr)
		checkStreams(t, code, stdout.String(), stderr.String())
		filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), ".tscale-staging-") {
				t.Errorf("%q left %s", args, path)
			}
			return err
		})
	})
}

// jailFS refuses every write outside its folder root.
type jailFS struct {
	fileSystem
	root string
}

func (j jailFS) inside(op string, paths ...string) error {
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return &fs.PathError{Op: op, Path: p, Err: err}
		}
		rel, err := filepath.Rel(j.root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return &fs.PathError{Op: op, Path: p, Err: fs.ErrPermission}
		}
	}
	return nil
}

func (j jailFS) Mkdir(name string, perm fs.FileMode) error {
	if err := j.inside("mkdir", name); err != nil {
		return err
	}
	return j.fileSystem.Mkdir(name, perm)
}

func (j jailFS) MkdirTemp(dir, pattern string) (string, error) {
	if err := j.inside("mkdirtemp", dir); err != nil {
		return "", err
	}
	return j.fileSystem.MkdirTemp(dir, pattern)
}

func (j jailFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if err := j.inside("write", name); err != nil {
		return err
	}
	return j.fileSystem.WriteFile(name, data, perm)
}

func (j jailFS) Link(oldname, newname string) error {
	if err := j.inside("link", oldname, newname); err != nil {
		return err
	}
	return j.fileSystem.Link(oldname, newname)
}

func (j jailFS) Rename(oldname, newname string) error {
	if err := j.inside("rename", oldname, newname); err != nil {
		return err
	}
	return j.fileSystem.Rename(oldname, newname)
}

func (j jailFS) Remove(name string) error {
	if err := j.inside("remove", name); err != nil {
		return err
	}
	return j.fileSystem.Remove(name)
}

func (j jailFS) RemoveAll(name string) error {
	if err := j.inside("remove", name); err != nil {
		return err
	}
	return j.fileSystem.RemoveAll(name)
}

// TestJailFS: the fuzz target's file system writes inside its folder only.
func TestJailFS(t *testing.T) {
	root := t.TempDir()
	j := jailFS{osFS{}, root}
	outside := filepath.Join(filepath.Dir(root), filepath.Base(root)+"-outside")
	for _, p := range []string{outside, filepath.Join(root, "..", "x"), "relative", "/tmp/x"} {
		if err := j.WriteFile(p, nil, 0o644); err == nil {
			os.Remove(p)
			t.Errorf("jailFS wrote %s", p)
		}
		if err := j.Mkdir(p, 0o755); err == nil {
			os.Remove(p)
			t.Errorf("jailFS made %s", p)
		}
	}
	if err := j.WriteFile(filepath.Join(root, "ok"), nil, 0o644); err != nil {
		t.Errorf("jailFS refused a file inside: %v", err)
	}
}
