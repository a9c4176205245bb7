// Command benchreports times `tscale reports -out DIR` against its floor:
// `cp -rT SRC DIR` writing the same files into the same folder. Runs
// alternate (tscale first, then cp first), so that both see the same machine;
// it prints the median time of each and the median ratio of the pairs, with
// the quartiles of that ratio.
//
//	go build -o /tmp/tscale ./cmd/tscale && go run ./tools/benchreports -bin /tmp/tscale
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

func main() {
	bin := flag.String("bin", "", "the tscale `binary` to time (required)")
	n := flag.Int("n", 21, "number of paired runs")
	flag.Parse()
	if *bin == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: benchreports -bin TSCALE [-n RUNS]")
		os.Exit(2)
	}
	if err := bench(*bin, *n); err != nil {
		fmt.Fprintln(os.Stderr, "benchreports:", err)
		os.Exit(1)
	}
}

func bench(bin string, n int) error {
	tmp, err := os.MkdirTemp("", "benchreports-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	out, src := filepath.Join(tmp, "out"), filepath.Join(tmp, "src")
	tscale := []string{bin, "reports", "-out", out}
	cp := []string{"cp", "-rT", src, out}
	// The folder holds the reports before every run, as when they are
	// written again; src is a copy of them.
	if _, err := timed(tscale); err != nil {
		return err
	}
	if _, err := timed([]string{"cp", "-rT", out, src}); err != nil {
		return err
	}
	var ts, cs, ratios []float64
	for i := 0; i < n; i++ {
		var t, c time.Duration
		if i%2 == 0 {
			if t, err = timed(tscale); err == nil {
				c, err = timed(cp)
			}
		} else {
			if c, err = timed(cp); err == nil {
				t, err = timed(tscale)
			}
		}
		if err != nil {
			return err
		}
		ts, cs = append(ts, t.Seconds()), append(cs, c.Seconds())
		ratios = append(ratios, t.Seconds()/c.Seconds())
	}
	files, bytes, err := size(out)
	if err != nil {
		return err
	}
	fmt.Printf("%d paired runs, %d files, %d bytes\n", n, files, bytes)
	fmt.Printf("tscale reports  median %7.2f ms\n", 1e3*quantile(ts, 0.5))
	fmt.Printf("cp -rT (floor)  median %7.2f ms\n", 1e3*quantile(cs, 0.5))
	fmt.Printf("ratio           median %7.2f×  (quartiles %.2f× to %.2f×)\n",
		quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75))
	return nil
}

// timed runs the command and returns its wall time.
func timed(args []string) (time.Duration, error) {
	start := time.Now()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%q: %v: %s", args, err, out)
	}
	return time.Since(start), nil
}

// quantile is the q-quantile of xs, interpolated between the nearest ranks.
func quantile(xs []float64, q float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// size counts the regular files under dir and their bytes.
func size(dir string) (files int, bytes int64, err error) {
	err = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		bytes += info.Size()
		return nil
	})
	return files, bytes, err
}
