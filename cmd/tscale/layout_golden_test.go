package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sebdah/goldie/v2"
	"gopkg.in/yaml.v3"
)

// layoutGoldenDir holds the reports of a few parallel layouts on a device,
// YAML and text: the canonical per-GPU and time numbers. `make golden`
// refreshes them with the presets' goldens.
const layoutGoldenDir = "../../testdata/layouts"

// layoutGoldens are the layouts pinned by goldens, by name: the arguments
// of tscale report after -format.
var layoutGoldens = []struct{ name, args string }{
	// The done-when command: GPT-3 175B on 1024 A100s as in
	// Narayanan et al. 2021 (tp 8, pp 16, dp 8), with Korthikanti et al.
	// 2022's sequence parallelism and selective recomputation.
	{"gpt3-175b-a100-tp8-pp16-dp8", "-tp 8 -pp 16 -dp 8 -sp -recompute selective -gpu a100-80gb gpt3-175b"},
	// Llama 3.1 405B's pre-training layout on 16,384 H100s (Dubey et al.
	// 2024: tp 8, cp 1, pp 16, dp 128, 8K sequences), with the published
	// run's implied MFU.
	{"llama-3.1-405b-h100-tp8-pp16-dp128", "-seq 8Ki -tp 8 -pp 16 -dp 128 -cp 1 -sp -zero 1 -recompute full -gpu h100-sxm llama-3.1-405b"},
	// DeepSeek-V3's layout (DeepSeek-AI 2024: pp 16, ep 64, ZeRO-1 data
	// parallelism, 4K sequences) on 80 GB H100s: 61 layers on 16 stages.
	{"deepseek-v3-h100-pp16-ep64", "-seq 4Ki -pp 16 -dp 128 -ep 64 -zero 1 -recompute selective -gpu h100-sxm deepseek-v3"},
}

// TestLayoutGoldens: tscale report on each layout prints exactly its golden
// YAML and text, and the YAML parses to the JSON report.
func TestLayoutGoldens(t *testing.T) {
	g := goldie.New(t, goldie.WithFixtureDir(layoutGoldenDir), goldie.WithNameSuffix(""))
	for _, lg := range layoutGoldens {
		out := map[string][]byte{}
		for _, f := range []string{"yaml", "text", "json"} {
			var stdout, stderr bytes.Buffer
			args := append([]string{"report", "-format", f}, strings.Fields(lg.args)...)
			if code := run(args, nil, &stdout, &stderr); code != exitOK {
				t.Fatalf("tscale %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
			}
			out[f] = stdout.Bytes()
		}
		g.Assert(t, lg.name+".yaml", out["yaml"])
		g.Assert(t, lg.name+".txt", out["text"])
		if diff := cmp.Diff(jsonScalars(t, out["json"]), yamlScalars(t, out["yaml"])); diff != "" {
			t.Errorf("%s: the YAML is not the JSON report (-json +yaml):\n%s", lg.name, diff)
		}
		for _, section := range []string{"\nparallel:\n", "\nper_gpu:\n", "\nhardware:\n", "\ntime:\n"} {
			if !bytes.Contains(out["yaml"], []byte(section)) {
				t.Errorf("%s: no section %q", lg.name, strings.TrimSpace(section))
			}
		}
	}
}

// TestLayoutGoldensMatchTheTable: every layout golden belongs to a layout.
func TestLayoutGoldensMatchTheTable(t *testing.T) {
	entries, err := os.ReadDir(layoutGoldenDir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, lg := range layoutGoldens {
		want[lg.name+".yaml"], want[lg.name+".txt"] = true, true
	}
	var stale []string
	for _, e := range entries {
		if !want[e.Name()] {
			stale = append(stale, e.Name())
		}
		delete(want, e.Name())
	}
	sort.Strings(stale)
	for _, name := range stale {
		t.Errorf("layout golden %s belongs to no layout", name)
	}
	for name := range want {
		t.Errorf("no layout golden %s (run make golden)", name)
	}
}

// jsonScalars flattens a JSON document into path → scalar text, numbers
// exactly as written.
func jsonScalars(t *testing.T, js []byte) map[string]string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(path+"."+k, c)
			}
		case []any:
			out[path+"#"] = fmt.Sprint(len(x))
			for i, c := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), c)
			}
		case nil:
			out[path] = "null"
		default:
			out[path] = fmt.Sprint(x)
		}
	}
	walk("", v)
	return out
}

// yamlScalars is jsonScalars for a YAML document read by yaml.v3.
func yamlScalars(t *testing.T, y []byte) map[string]string {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(y, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(path string, n *yaml.Node)
	walk = func(path string, n *yaml.Node) {
		switch n.Kind {
		case yaml.DocumentNode:
			walk(path, n.Content[0])
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(path+"."+n.Content[i].Value, n.Content[i+1])
			}
		case yaml.SequenceNode:
			out[path+"#"] = fmt.Sprint(len(n.Content))
			for i, c := range n.Content {
				walk(fmt.Sprintf("%s[%d]", path, i), c)
			}
		default:
			out[path] = n.Value
		}
	}
	walk("", &root)
	return out
}
