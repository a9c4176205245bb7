// Command refreshgoldens regenerates every golden report in testdata/golden
// (and the layout reports in testdata/layouts) and prints, per preset, which headline numbers moved, so that the reviewer
// of a change sees what it did to the numbers people cite. It then runs the
// whole test suite and exits non-zero if it fails.
//
// Run it from the repository root: go run ./tools/refreshgoldens (make golden).
package main

import (
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tscale/tscale/render"
)

const goldenDir = "testdata/golden"

// layoutGoldenDir holds the reports of parallel layouts on a device
// (cmd/tscale's TestLayoutGoldens).
const layoutGoldenDir = "testdata/layouts"

func main() {
	if err := refresh(os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "refreshgoldens: %v\n", err)
		os.Exit(1)
	}
}

func refresh(stdout, stderr io.Writer) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("run from the repository root (no go.mod here): %w", err)
	}
	before, err := readHeadlines()
	if err != nil {
		return err
	}
	// Remove every golden first, so that the goldens of removed presets (and
	// layouts) go too.
	old, err := filepath.Glob(filepath.Join(goldenDir, "*"))
	if err != nil {
		return err
	}
	layouts, err := filepath.Glob(filepath.Join(layoutGoldenDir, "*"))
	if err != nil {
		return err
	}
	old = append(old, layouts...)
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	if err := goTest(stdout, stderr, "GOLDIE_UPDATE=1", "./cmd/tscale", "-run", "^(TestGoldens|TestLayoutGoldens)$"); err != nil {
		return fmt.Errorf("regenerating goldens: %w", err)
	}
	after, err := readHeadlines()
	if err != nil {
		return err
	}
	for _, line := range changes(before, after) {
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintln(stdout, "running the test suite on the refreshed goldens…")
	if err := goTest(stdout, stderr, "", "./..."); err != nil {
		return fmt.Errorf("the test suite fails with the refreshed goldens: %w", err)
	}
	return nil
}

// readHeadlines reads the headline numbers of every YAML golden, by slug.
func readHeadlines() (map[string]map[string]string, error) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		h, err := headlines(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = h
	}
	return out, nil
}

// changes lists, per preset, the headline numbers that moved:
// "llama-2-7b params.total 6,738,415,616 → 6,738,415,620".
func changes(before, after map[string]map[string]string) []string {
	slugs := map[string]bool{}
	for s := range before {
		slugs[s] = true
	}
	for s := range after {
		slugs[s] = true
	}
	var sorted []string
	for s := range slugs {
		sorted = append(sorted, s)
	}
	sort.Strings(sorted)
	var lines []string
	for _, slug := range sorted {
		b, inBefore := before[slug]
		a, inAfter := after[slug]
		switch {
		case !inBefore:
			lines = append(lines, fmt.Sprintf("%s: new preset (params.total %s)", slug, grouped(a["params.total"])))
		case !inAfter:
			lines = append(lines, fmt.Sprintf("%s: removed", slug))
		default:
			for _, key := range headlineKeys {
				if b[key] != a[key] {
					lines = append(lines, fmt.Sprintf("%s %s %s → %s", slug, key, grouped(b[key]), grouped(a[key])))
				}
			}
		}
	}
	if len(lines) == 0 {
		lines = []string{"no headline number moved"}
	}
	return lines
}

// grouped writes a decimal integer with thousands separators.
func grouped(s string) string {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return s
	}
	return render.GroupedBig(n)
}

// goTest runs go test -count=1 with args, with env added to the environment.
func goTest(stdout, stderr io.Writer, env string, args ...string) error {
	cmd := exec.Command("go", append([]string{"test", "-count=1"}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = os.Environ()
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	return cmd.Run()
}
