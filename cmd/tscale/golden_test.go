package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sebdah/goldie/v2"

	"github.com/tscale/tscale/presets"
)

// goldenDir holds one YAML and one text report per preset: the canonical
// numbers. Refresh them on purpose with `make golden` (GOLDIE_UPDATE=1).
const goldenDir = "../../testdata/golden"

// TestGoldens: `tscale reports` writes exactly the golden bytes for every
// preset.
func TestGoldens(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"reports", "-out", out}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("tscale reports: exit %d, stderr %s", code, stderr.String())
	}
	g := goldie.New(t, goldie.WithFixtureDir(goldenDir), goldie.WithNameSuffix(""))
	for _, slug := range presets.Slugs() {
		for _, ext := range []string{"yaml", "txt"} {
			data, err := os.ReadFile(filepath.Join(out, ext, slug+"."+ext))
			if err != nil {
				t.Fatal(err)
			}
			g.Assert(t, slug+"."+ext, data)
		}
	}
}

// TestGoldensMatchPresets: every preset has both goldens and every golden
// has a preset.
func TestGoldensMatchPresets(t *testing.T) {
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Name()] = true
	}
	for _, slug := range presets.Slugs() {
		for _, ext := range []string{".yaml", ".txt"} {
			if !have[slug+ext] {
				t.Errorf("preset %s has no golden %s%s (run make golden)", slug, slug, ext)
			}
			delete(have, slug+ext)
		}
	}
	var stale []string
	for name := range have {
		stale = append(stale, name)
	}
	sort.Strings(stale)
	for _, name := range stale {
		t.Errorf("golden %s belongs to no preset", name)
	}
}

// TestReportPrintsGoldenBytes: `tscale report -format F SLUG` prints the
// same bytes that `tscale reports` writes.
func TestReportPrintsGoldenBytes(t *testing.T) {
	for _, slug := range presets.Slugs() {
		for _, f := range []struct{ format, ext string }{{"yaml", "yaml"}, {"text", "txt"}} {
			want, err := os.ReadFile(filepath.Join(goldenDir, slug+"."+f.ext))
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if code := run([]string{"report", "-format", f.format, slug}, nil, &stdout, &stderr); code != exitOK {
				t.Fatalf("report %s: exit %d: %s", slug, code, stderr.String())
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("tscale report -format %s %s differs from its golden", f.format, slug)
			}
		}
	}
}

// TestEstimatesSaySo: the label of every estimate reaches its reports.
func TestEstimatesSaySo(t *testing.T) {
	for _, p := range presets.All() {
		if !p.IsEstimate() {
			continue
		}
		txt, err := os.ReadFile(filepath.Join(goldenDir, p.Slug+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		title, _, _ := strings.Cut(string(txt), "\n")
		if !strings.Contains(title, "(estimate)") || !strings.Contains(string(txt), "ESTIMATE: "+p.EstimateReason) {
			t.Errorf("%s: text report does not carry the estimate label and reason", p.Slug)
		}
		y, err := os.ReadFile(filepath.Join(goldenDir, p.Slug+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(y), "\n  estimate: true\n") {
			t.Errorf("%s: YAML report does not say estimate: true", p.Slug)
		}
	}
}

// TestReadmeExcerptIsReal: the report excerpt in the README is a verbatim
// part of the golden report it names.
func TestReadmeExcerptIsReal(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "An excerpt of `testdata/golden/llama-2-7b.txt`:\n\n```\n")
	if !ok {
		t.Fatal("README has no excerpt of llama-2-7b.txt")
	}
	excerpt, _, _ := strings.Cut(rest, "```")
	golden, err := os.ReadFile(filepath.Join(goldenDir, "llama-2-7b.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(golden), excerpt) {
		t.Errorf("the README excerpt is not part of llama-2-7b.txt; copy it again from the golden")
	}
}
