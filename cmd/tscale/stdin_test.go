package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tscale/tscale/presets"
)

// TestReportFromStdin: report -hf - < F prints what report -hf F prints,
// but for the model's name, slug and source, which name stdin.
func TestReportFromStdin(t *testing.T) {
	const path = "../../testdata/hf/gpt2.json"
	report := func(stdin string, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"report"}, args...), strings.NewReader(stdin), &stdout, &stderr); code != exitOK {
			t.Fatalf("report %q: exit %d: %s", args, code, stderr.String())
		}
		return stdout.String()
	}

	fromFile := strings.Split(report("", "-hf", path), "\n")
	fromStdin := strings.Split(report(gpt2Config(t), "-hf", "-"), "\n")
	if len(fromFile) != len(fromStdin) {
		t.Fatalf("text reports have %d and %d lines", len(fromFile), len(fromStdin))
	}
	want := map[int][2]string{ // line index: from the file, from stdin
		0: {path + " (gpt2) — gpt2", "stdin (gpt2) — stdin"},
		1: {strings.Repeat("=", len([]rune(path+" (gpt2) — gpt2"))), strings.Repeat("=", len([]rune("stdin (gpt2) — stdin")))},
	}
	for i := range fromFile {
		if fromFile[i] == fromStdin[i] {
			continue
		}
		if w, ok := want[i]; ok {
			if fromFile[i] != w[0] || fromStdin[i] != w[1] {
				t.Errorf("line %d: %q and %q, want %q and %q", i, fromFile[i], fromStdin[i], w[0], w[1])
			}
			delete(want, i)
			continue
		}
		if strings.Contains(fromFile[i], "read from "+path) &&
			fromStdin[i] == strings.Replace(fromFile[i], "read from "+path, "read from stdin", 1) {
			continue // the source line
		}
		t.Errorf("line %d differs:\n file: %q\nstdin: %q", i, fromFile[i], fromStdin[i])
	}
	if len(want) > 0 {
		t.Errorf("lines %v do not differ", want)
	}

	decode := func(s string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	jsonFile := decode(report("", "-format", "json", "-hf", path))
	jsonStdin := decode(report(gpt2Config(t), "-format", "json", "-hf", "-"))
	modelFile, modelStdin := jsonFile["model"].(map[string]any), jsonStdin["model"].(map[string]any)
	for key, want := range map[string][2]any{
		"name":   {path + " (gpt2)", "stdin (gpt2)"},
		"slug":   {"gpt2", "stdin"},
		"source": {[]any{"Hugging Face config.json read from " + path + " (model_type gpt2)"}, []any{"Hugging Face config.json read from stdin (model_type gpt2)"}},
	} {
		if !cmp.Equal(modelFile[key], want[0]) || !cmp.Equal(modelStdin[key], want[1]) {
			t.Errorf("model.%s: %v and %v, want %v and %v", key, modelFile[key], modelStdin[key], want[0], want[1])
		}
		delete(modelFile, key)
		delete(modelStdin, key)
	}
	if diff := cmp.Diff(jsonFile, jsonStdin); diff != "" {
		t.Errorf("JSON reports differ beyond name, slug and source (-file +stdin):\n%s", diff)
	}
}

// endless is a stdin that never ends, counting what is read of it.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.read += int64(len(p))
	return len(p), nil
}

// failing is a stdin that breaks.
type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("input/output error") }

// TestStdinBound: stdin is read with the bound of a config file, and no
// further: an endless stdin is refused after presets.MaxConfigBytes+1
// bytes, and a config of exactly MaxConfigBytes is read.
func TestStdinBound(t *testing.T) {
	atLimit := gpt2Config(t)
	atLimit += strings.Repeat(" ", presets.MaxConfigBytes-len(atLimit))
	tooLarge := atLimit + " "
	const larger = "tscale: stdin is larger than 16 MiB, the most tscale reads from a config file\n"
	for _, tt := range []struct {
		name   string
		args   []string
		stdin  io.Reader
		code   int
		stderr string // the whole of stderr
	}{
		{"one byte past the bound", []string{"report", "-hf", "-"}, strings.NewReader(tooLarge), exitFailure, larger},
		{"compare, one byte past", []string{"compare", "-hf", "-", "gpt2"}, strings.NewReader(tooLarge), exitFailure, larger},
		{"endless", []string{"report", "-hf", "-"}, &endless{}, exitFailure, larger},
		{"at the bound", []string{"report", "-hf", "-"}, strings.NewReader(atLimit), exitOK, ""},
		{"a read error", []string{"report", "-hf", "-"}, failing{}, exitFailure, "tscale: read stdin: input/output error\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, tt.stdin, &stdout, &stderr)
			if code != tt.code || stderr.String() != tt.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr.String(), tt.code, tt.stderr)
			}
			checkStreams(t, code, stdout.String(), stderr.String())
			if e, ok := tt.stdin.(*endless); ok && e.read > presets.MaxConfigBytes+1 {
				t.Errorf("read %d bytes of an endless stdin; the bound is %d", e.read, presets.MaxConfigBytes+1)
			}
		})
	}
}

// TestStdinIsReadOnlyForDash: no other command line reads stdin.
func TestStdinIsReadOnlyForDash(t *testing.T) {
	for _, args := range [][]string{
		{"report", "gpt2"}, {"report", "-hf", "../../testdata/hf/gpt2.json"}, {"compare", "gpt2"}, {"list"}, {"version"},
		{"reports", "-hf", "-"}, {"compare", "-hf", "-", "-hf", "-"},
	} {
		e := &endless{}
		var stdout, stderr bytes.Buffer
		run(args, e, &stdout, &stderr)
		if e.read > 0 {
			t.Errorf("%q read %d bytes of stdin", args, e.read)
		}
	}
}
