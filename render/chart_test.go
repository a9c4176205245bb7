package render

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sebdah/goldie/v2"
)

// svgGoldenDir holds one SVG per chart below. It is not under
// testdata/golden, which holds exactly one YAML and one text report per
// preset (cmd/tscale's TestGoldensMatchPresets, tools/refreshgoldens).
// Refresh with GOLDIE_UPDATE=1 go test ./render -run TestChartGoldens.
const svgGoldenDir = "../testdata/svg"

// The charts' numbers are worked out by hand from each model's config.json,
// not by the engine, so that these goldens pin the drawing alone:
//   - forward FLOPs per token ≈ 2·params + 4·layers·seq·hidden (the matmuls,
//     plus Q·Kᵀ and weights·V over seq keys);
//   - KV cache bytes = 2 (K and V) · layers · kv_heads · head_dim · 2 (bf16) · seq.
type llm struct {
	label                        string
	params                       int64
	layers, hidden, kvHeads, dim int64
}

var (
	llama31_8b  = llm{"llama-3.1-8b", 8_030_261_248, 32, 4096, 8, 128}
	mistral7b   = llm{"mistral-7b", 7_241_732_096, 32, 4096, 8, 128}
	llama31_70b = llm{"llama-3.1-70b", 70_553_706_496, 80, 8192, 8, 128}
	gpt2        = llm{"gpt2", 124_439_808, 12, 768, 12, 64}
)

func (m llm) flopsPerToken(seq int64) *big.Int {
	return big.NewInt(2*m.params + 4*m.layers*seq*m.hidden)
}

func (m llm) kvCacheBytes(seq int64) *big.Int {
	return big.NewInt(2 * m.layers * m.kvHeads * m.dim * 2 * seq)
}

// sweep is one series over seq = 2^from … 2^to.
func sweep(label string, from, to uint, f func(int64) *big.Int) ChartSeries {
	s := ChartSeries{Label: label}
	for e := from; e <= to; e++ {
		seq := int64(1) << e
		s.Points = append(s.Points, ChartPoint{X: big.NewInt(seq), Y: f(seq)})
	}
	return s
}

// goldenCharts are the charts pinned by testdata/svg: a log y axis in FLOPs,
// a log y axis in bytes with series of different lengths, and a single
// series whose values stay within a decade (linear y).
var goldenCharts = []struct {
	name  string
	chart Chart
}{
	{"flops-per-token", Chart{
		Title:  "Forward FLOPs per token vs context",
		XLabel: "context length (tokens)", XUnit: UnitTokens,
		YLabel: "forward FLOPs per token", YUnit: UnitFLOPs,
		Series: []ChartSeries{
			sweep(llama31_8b.label, 10, 17, llama31_8b.flopsPerToken),
			sweep(mistral7b.label, 10, 15, mistral7b.flopsPerToken),
			sweep(llama31_70b.label, 10, 17, llama31_70b.flopsPerToken),
		},
	}},
	{"kv-cache", Chart{
		Title:  "KV cache at batch 1, bf16",
		XLabel: "context length (tokens)", XUnit: UnitTokens,
		YLabel: "KV cache", YUnit: UnitBytes,
		Series: []ChartSeries{
			sweep(gpt2.label, 7, 10, gpt2.kvCacheBytes),
			sweep(llama31_8b.label, 7, 17, llama31_8b.kvCacheBytes),
			sweep(llama31_70b.label, 7, 17, llama31_70b.kvCacheBytes),
		},
	}},
	{"single-series", Chart{
		Title:  "llama-3.1-8b: forward FLOPs per token",
		XLabel: "context length (tokens)", XUnit: UnitTokens,
		YLabel: "forward FLOPs per token", YUnit: UnitFLOPs,
		Series: []ChartSeries{sweep(llama31_8b.label, 10, 17, llama31_8b.flopsPerToken)},
	}},
}

func svgOf(t *testing.T, c Chart) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSVG(&b, c); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestChartGoldens: each chart writes exactly its golden bytes, twice over.
func TestChartGoldens(t *testing.T) {
	g := goldie.New(t, goldie.WithFixtureDir(svgGoldenDir), goldie.WithNameSuffix(".svg"))
	for _, tc := range goldenCharts {
		got := svgOf(t, tc.chart)
		if again := svgOf(t, tc.chart); !bytes.Equal(got, again) {
			t.Errorf("%s: two writes differ", tc.name)
		}
		g.Assert(t, tc.name, got)
	}
}

// TestChartGoldensAreAll: every SVG in the golden folder is a chart above.
func TestChartGoldensAreAll(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(svgGoldenDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, tc := range goldenCharts {
		want[tc.name+".svg"] = true
	}
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("%s belongs to no chart in goldenCharts", f)
		}
	}
}

// TestChartSVGIsWellFormedXML: every chart parses as XML, labels with
// markup characters included.
func TestChartSVGIsWellFormedXML(t *testing.T) {
	odd := Chart{
		Title:  "<b>\"A & B\"</b>\x00\xff",
		XLabel: "x <&>", XUnit: UnitSequences,
		YLabel: "y 'quoted'", YUnit: UnitCount,
		Series: []ChartSeries{{Label: "a&b<c>", Points: []ChartPoint{{big.NewInt(1), big.NewInt(5)}, {big.NewInt(4), big.NewInt(7)}}}},
	}
	charts := []Chart{odd}
	for _, tc := range goldenCharts {
		charts = append(charts, tc.chart)
	}
	for _, c := range charts {
		d := xml.NewDecoder(bytes.NewReader(svgOf(t, c)))
		var texts []string
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("chart %q: %v", c.Title, err)
			}
			if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) != "" {
				texts = append(texts, string(cd))
			}
		}
		if c.Title == odd.Title {
			all := strings.Join(texts, "|")
			for _, s := range []string{"<b>\"A & B\"</b>\uFFFD\uFFFD", "a&b<c>", "x <&> (log scale)", "y 'quoted'"} {
				if !strings.Contains(all, s) {
					t.Errorf("texts %q lack %q", all, s)
				}
			}
		}
	}
}

// TestChartAxes: which y scale a chart gets, and its tick labels.
func TestChartAxes(t *testing.T) {
	svg := func(c Chart) string { return string(svgOf(t, c)) }
	for _, tc := range []struct {
		name      string
		chart     Chart
		want, not []string
	}{
		{"log y in FLOPs", goldenCharts[0].chart,
			[]string{">forward FLOPs per token (log scale)<", ">10 GFLOP<", ">20 GFLOP<", ">50 GFLOP<", ">100 GFLOP<", ">500 GFLOP<", ">1 TFLOP<", ">1Ki<", ">128Ki<", ">context length (tokens) (log scale)<"},
			[]string{">1k<"}},
		{"log y in bytes at powers of 2", goldenCharts[1].chart,
			[]string{">KV cache (log scale)<", ">4 MiB<", ">1 GiB<", ">128<", ">128Ki<"},
			[]string{">1000"}},
		{"linear y within a decade", goldenCharts[2].chart,
			[]string{">forward FLOPs per token</text>", ">0<", ">20 GFLOP<", ">100 GFLOP<"},
			[]string{"per token (log scale)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := svg(tc.chart)
			for _, s := range tc.want {
				if !strings.Contains(got, s) {
					t.Errorf("no %q in the SVG", s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(got, s) {
					t.Errorf("%q in the SVG", s)
				}
			}
		})
	}
}

// TestChartTickLabels: tick values in each unit's short form, exact where a
// prefix divides them.
func TestChartTickLabels(t *testing.T) {
	pow2 := func(e uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), e) }
	for _, tc := range []struct {
		v    *big.Int
		u    Unit
		want string
	}{
		{big.NewInt(1), UnitTokens, "1"},
		{big.NewInt(1000), UnitTokens, "1k"},
		{big.NewInt(1024), UnitTokens, "1Ki"},
		{pow2(17), UnitTokens, "128Ki"},
		{pow2(20), UnitSequences, "1Mi"},
		{big.NewInt(1_024_000), UnitTokens, "1024k"}, // a tie goes to k,
		{big.NewInt(1_000_000), UnitTokens, "1M"},
		{big.NewInt(1500), UnitTokens, "1500"},
		{big.NewInt(10), UnitCount, "10"},
		{big.NewInt(1_000_000_000), UnitCount, "1 B"},
		{pow2(20), UnitCount, "1.05 M"},
		{big.NewInt(1), UnitFLOPs, "1 FLOP"},
		{big.NewInt(1e9), UnitFLOPs, "1 GFLOP"},
		{big.NewInt(1e11), UnitFLOPs, "100 GFLOP"},
		{new(big.Int).Exp(big.NewInt(10), big.NewInt(27), nil), UnitFLOPs, "1000 YFLOP"},
		{pow2(30), UnitFLOPs, "1.07 GFLOP"},
		{big.NewInt(512), UnitBytes, "512 B"},
		{pow2(29), UnitBytes, "512 MiB"},
		{pow2(30), UnitBytes, "1 GiB"},
		{pow2(70), UnitBytes, "1024 EiB"},
	} {
		if got := exactLabel(tc.v, tc.u); got != tc.want {
			t.Errorf("exactLabel(%s, %s) = %q, want %q", tc.v, tc.u, got, tc.want)
		}
	}
}

// TestChartPointsLieOnTheirTicks: a point at a tick's value is drawn on that
// tick's grid lines, on both axes and on both kinds of y axis.
func TestChartPointsLieOnTheirTicks(t *testing.T) {
	for _, ys := range [][]int64{
		{1000, 1_000_000, 1_000_000_000}, // log y: ticks at 1 K, 1 M, 1 B
		{20, 40, 60},                     // linear y: ticks at 0, 10, …, 60
	} {
		c := Chart{Title: "t", XUnit: UnitSequences, YUnit: UnitCount, Series: []ChartSeries{{Label: "s"}}}
		for i, y := range ys {
			c.Series[0].Points = append(c.Series[0].Points, ChartPoint{X: big.NewInt(1 << (4 * i)), Y: big.NewInt(y)})
		}
		svg := string(svgOf(t, c))
		grid := svg[strings.Index(svg, "<g stroke=\"#e0e0e0\""):]
		grid = grid[:strings.Index(grid, "</g>")]
		for _, line := range strings.Split(svg, "\n") {
			if !strings.HasPrefix(line, "<circle ") {
				continue
			}
			var cx, cy string
			if _, err := fmt.Sscanf(line, "<circle cx=%q cy=%q", &cx, &cy); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			if !strings.Contains(grid, fmt.Sprintf("x1=%q", cx)) {
				t.Errorf("y %v: point x %s is on no x grid line:\n%s", ys, cx, grid)
			}
			if !strings.Contains(grid, fmt.Sprintf("y1=%q", cy)) {
				t.Errorf("y %v: point y %s is on no y grid line:\n%s", ys, cy, grid)
			}
		}
	}
}

// TestChartPointsStayInThePlot: on charts of random series (1 to 14 of
// them, values from 1 to 2^80), every point lies inside the plot frame and
// the SVG parses.
func TestChartPointsStayInThePlot(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		c := Chart{Title: fmt.Sprint("random ", i), XUnit: chartUnits[i%5], YUnit: chartUnits[(i/5)%5]}
		for s := 0; s < 1+rng.IntN(14); s++ {
			series := ChartSeries{Label: strings.Repeat("m", 1+rng.IntN(40))}
			for p := 0; p < 1+rng.IntN(10); p++ {
				v := func() *big.Int {
					v := new(big.Int).SetUint64(rng.Uint64() >> rng.IntN(64))
					return v.Add(v.Lsh(v, uint(rng.IntN(17))), big.NewInt(1))
				}
				series.Points = append(series.Points, ChartPoint{X: v(), Y: v()})
			}
			c.Series = append(c.Series, series)
		}
		svg := svgOf(t, c)
		if err := xml.Unmarshal(svg, new(struct{})); err != nil {
			t.Fatalf("chart %d: %v", i, err)
		}
		var l, tp, w, h string
		frame := svg[bytes.Index(svg, []byte("<rect x=")):]
		if _, err := fmt.Sscanf(string(frame), "<rect x=%q y=%q width=%q height=%q", &l, &tp, &w, &h); err != nil {
			t.Fatal(err)
		}
		left, top, width, height := float(t, l), float(t, tp), float(t, w), float(t, h)
		points := 0
		for _, line := range strings.Split(string(svg), "\n") {
			var x, y string
			if _, err := fmt.Sscanf(line, "<circle cx=%q cy=%q", &x, &y); err != nil {
				continue
			}
			cx, cy := float(t, x), float(t, y)
			points++
			if cx < left || cx > left+width || cy < top || cy > top+height {
				t.Errorf("chart %d: point (%v, %v) outside the plot %v,%v %v×%v", i, cx, cy, left, top, width, height)
			}
		}
		if want := countPoints(c); points != want {
			t.Errorf("chart %d: %d points drawn, want %d", i, points, want)
		}
	}
}

func countPoints(c Chart) int {
	n := 0
	for _, s := range c.Series {
		n += len(s.Points)
	}
	return n
}

func float(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestChartErrors: what WriteSVG refuses, and that it then writes nothing.
func TestChartErrors(t *testing.T) {
	one := func(x, y *big.Int) []ChartSeries {
		return []ChartSeries{{Label: "m", Points: []ChartPoint{{x, y}}}}
	}
	n := big.NewInt
	for _, tc := range []struct {
		name  string
		chart Chart
		want  string
	}{
		{"empty", Chart{Title: "c", XUnit: UnitTokens, YUnit: UnitFLOPs}, `chart "c": no series`},
		{"no points", Chart{Title: "c", XUnit: UnitTokens, YUnit: UnitFLOPs, Series: []ChartSeries{{Label: "m"}}}, `chart "c": series "m" has no points`},
		{"no label", Chart{Title: "c", XUnit: UnitTokens, YUnit: UnitFLOPs, Series: []ChartSeries{{Points: []ChartPoint{{n(1), n(1)}}}}}, `chart "c": series 1 has no label`},
		{"zero x", Chart{Title: "c", XUnit: UnitTokens, YUnit: UnitFLOPs, Series: one(n(0), n(1))},
			`chart "c": series "m" point 1: x is 0, but the x axis is logarithmic and needs values above 0`},
		{"negative y", Chart{Title: "c", XUnit: UnitTokens, YUnit: UnitFLOPs, Series: one(n(1), n(-5))},
			`chart "c": series "m" point 1: y is -5, but the y axis is logarithmic when the values span a decade and needs values above 0`},
		{"zero y", Chart{Title: "c", XUnit: UnitTokens, YUnit: UnitFLOPs, Series: one(n(1), n(0))}, `point 1: y is 0`},
		{"nil y", Chart{Title: "c", XUnit: UnitTokens, YUnit: UnitFLOPs, Series: one(n(1), nil)}, `chart "c": series "m" point 1: y is missing`},
		{"unknown unit", Chart{Title: "c", XUnit: "seconds", YUnit: UnitFLOPs, Series: one(n(1), n(1))},
			`chart "c": x unit must be one of count, FLOPs, bytes, tokens, sequences, got "seconds"`},
		{"no unit", Chart{Title: "c", XUnit: UnitTokens, Series: one(n(1), n(1))}, `y unit must be one of`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := WriteSVG(&b, tc.chart)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes", b.Len())
			}
		})
	}
	if err := WriteSVG(failWriter{}, goldenCharts[2].chart); err == nil || err.Error() != "disk on fire" {
		t.Errorf("a failing writer: error %v", err)
	}
}

// TestChartRendersAsPNG: a real renderer (rsvg-convert, Debian package
// librsvg2-bin) turns each golden into a PNG of the canvas size, with the
// lines of every series in their colours and dark text. Without
// rsvg-convert the test is skipped, except under CI, where it fails.
func TestChartRendersAsPNG(t *testing.T) {
	rsvg, err := exec.LookPath("rsvg-convert")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("rsvg-convert is not installed (.ci/run installs librsvg2-bin)")
		}
		t.Skip("rsvg-convert is not installed (apt-get install librsvg2-bin)")
	}
	for _, tc := range goldenCharts {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tc.name+".png")
			cmd := exec.Command(rsvg, "-o", out, filepath.Join(svgGoldenDir, tc.name+".svg"))
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("rsvg-convert: %v: %s", err, msg)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			w, h, err := pngSize(data)
			if err != nil {
				t.Fatal(err)
			}
			if w != ChartWidth || h != ChartHeight {
				t.Errorf("PNG is %d×%d, want %d×%d", w, h, ChartWidth, ChartHeight)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			counts := map[[3]uint32]int{}
			dark := 0
			b := img.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					r, g, bl, _ := img.At(x, y).RGBA()
					counts[[3]uint32{r >> 8, g >> 8, bl >> 8}]++
					if r>>8 < 80 && g>>8 < 80 && bl>>8 < 80 {
						dark++
					}
				}
			}
			if dark < 500 {
				t.Errorf("%d dark pixels: the text and axes did not render", dark)
			}
			for i := range tc.chart.Series {
				var c [3]uint32
				fmt.Sscanf(chartColours[i], "#%02x%02x%02x", &c[0], &c[1], &c[2])
				if counts[c] < 100 {
					t.Errorf("series %d: %d pixels of %s, want at least 100", i+1, counts[c], chartColours[i])
				}
			}
		})
	}
}

// pngSize reads the width and height from a PNG's IHDR chunk.
func pngSize(data []byte) (w, h int, err error) {
	if len(data) < 24 || !bytes.Equal(data[:8], []byte("\x89PNG\r\n\x1a\n")) || string(data[12:16]) != "IHDR" {
		return 0, 0, errors.New("not a PNG with an IHDR chunk")
	}
	return int(binary.BigEndian.Uint32(data[16:20])), int(binary.BigEndian.Uint32(data[20:24])), nil
}

// Write a chart: KV cache bytes against context for two models, one line
// each (the golden testdata/svg/kv-cache.svg is a chart like it).
func ExampleWriteSVG() {
	kv := func(label string, bytesPerToken int64) ChartSeries {
		s := ChartSeries{Label: label}
		for seq := int64(1024); seq <= 131072; seq *= 2 {
			s.Points = append(s.Points, ChartPoint{X: big.NewInt(seq), Y: big.NewInt(bytesPerToken * seq)})
		}
		return s
	}
	c := Chart{
		Title:  "KV cache at batch 1, bf16",
		XLabel: "context length (tokens)", XUnit: UnitTokens,
		YLabel: "KV cache", YUnit: UnitBytes,
		Series: []ChartSeries{kv("llama-3.1-8b", 131072), kv("llama-3.1-70b", 327680)},
	}
	var b strings.Builder
	if err := WriteSVG(&b, c); err != nil {
		fmt.Println(err)
		return
	}
	svg := b.String()
	fmt.Println(svg[:strings.Index(svg, "\n")])
	fmt.Println(strings.Count(svg, "<polyline"), "lines,", strings.Count(svg, "<circle"), "points")
	var yTicks []string
	for _, line := range strings.Split(svg, "\n") {
		if strings.Contains(line, `text-anchor="end"`) {
			yTicks = append(yTicks, line[strings.Index(line, ">")+1:strings.LastIndex(line, "<")])
		}
	}
	fmt.Println("y ticks:", strings.Join(yTicks, ", "))
	fmt.Println(strings.Contains(svg, ">KV cache (log scale)<"))
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" width="720" height="450" viewBox="0 0 720 450" font-family="sans-serif">
	// 2 lines, 16 points
	// y ticks: 64 MiB, 256 MiB, 1 GiB, 4 GiB, 16 GiB, 64 GiB
	// true
}
