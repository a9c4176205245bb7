package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strings"
	"unicode/utf8"
)

// Charts are drawn by a small SVG writer of our own (no dependency): a fixed
// ChartWidth × ChartHeight canvas, font-family sans-serif, a fixed palette,
// and every coordinate written with one decimal, so that one Chart always
// gives the same bytes.
//
// Axes:
//   - x is logarithmic (base 2), ticks at powers of 2.
//   - y is logarithmic when the values span at least a decade (largest ≥ 10 ×
//     smallest), with ticks at powers of 10 (and 2 and 5 × 10^k when the
//     axis spans at most two decades), or at powers of 2 for bytes (512 MiB,
//     1 GiB); the axis title says "(log scale)". Values within one decade
//     (16 to 85 GFLOP) would get at most one such tick, so y is then linear
//     from 0, with ticks at 1, 2 or 5 × 10^k of one unit (0, 20 GFLOP, 40
//     GFLOP, …).
//   - tick labels are written in the report's unit systems (see units.go).

// Unit says how a chart writes an axis's numbers.
type Unit string

// The units of a chart axis.
const (
	UnitCount     Unit = "count"     // K, M, B, T = 10^3 … 10^12, as the report counts parameters: "10 B"
	UnitFLOPs     Unit = "FLOPs"     // SI prefixes, kFLOP … YFLOP: "1 GFLOP"
	UnitBytes     Unit = "bytes"     // IEC prefixes, KiB … EiB: "512 MiB"
	UnitTokens    Unit = "tokens"    // as -seq is written: "1k" = 1,000, "128Ki" = 131,072
	UnitSequences Unit = "sequences" // as -batch is written, like UnitTokens
)

var chartUnits = []Unit{UnitCount, UnitFLOPs, UnitBytes, UnitTokens, UnitSequences}

// ChartWidth and ChartHeight are the size of every chart, in pixels.
const (
	ChartWidth  = 720
	ChartHeight = 450
)

// ChartPoint is one point of a series: exact values, drawn at float64
// positions.
type ChartPoint struct{ X, Y *big.Int }

// ChartSeries is one line of a chart, named in the legend by Label (one model,
// say). Its points are drawn in order of X.
type ChartSeries struct {
	Label  string
	Points []ChartPoint
}

// Chart is a line chart of one metric: x on a log2 scale, y on a log scale
// when the values span a decade and linear from 0 otherwise.
type Chart struct {
	Title  string
	XLabel string // the axis title: "context length (tokens)"
	XUnit  Unit
	YLabel string // "forward FLOPs per token"; " (log scale)" is added when y is logarithmic
	YUnit  Unit
	Series []ChartSeries
}

// The palette: one colour per series for the first ten, then the colours
// again with a dash pattern, then with another.
var (
	chartColours = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
		"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}
	chartDashes = []string{"", "8 4", "2 3"}
)

// Layout, in pixels. Text widths are estimated at 0.62 em a character (the
// width of a digit in DejaVu Sans, the widest common sans-serif).
const (
	titleSize       = 16
	labelSize       = 13
	tickSize        = 12
	charWidth       = 0.62
	plotTop         = 48
	plotBottom      = ChartHeight - 60
	legendRow       = 18
	legendSample    = 26
	legendMaxRunes  = 28 // longer labels end in "…"
	maxYTicks       = 8
	minXTickSpacing = 14 // pixels between two x tick labels
)

// WriteSVG writes c to w as an SVG line chart of ChartWidth × ChartHeight
// pixels: title, axes with ticks and grid, one line per series with a marker
// at each point, and a legend to the right of the plot. The legend shows a
// label of up to 28 characters (a longer one ends in "…") and as many series
// as fit (about 18; the last row then reads "and N more"); series past the
// tenth reuse the colours, dashed. The bytes depend on c alone. It returns an
// error, and writes nothing, when c has no series, a series has no label or
// no points, an axis has an unknown unit, or a value is nil or not positive
// (x is always logarithmic; y is when the values span a decade). The output
// goes to w in one Write call.
func WriteSVG(w io.Writer, c Chart) error {
	if err := c.validate(); err != nil {
		return err
	}
	out := c.svg()
	_, err := w.Write(out)
	return err
}

func (c Chart) validate() error {
	if len(c.Series) == 0 {
		return fmt.Errorf("chart %q: no series", c.Title)
	}
	for _, a := range []struct {
		name string
		unit Unit
	}{{"x", c.XUnit}, {"y", c.YUnit}} {
		if !containsUnit(a.unit) {
			names := make([]string, len(chartUnits))
			for i, u := range chartUnits {
				names[i] = string(u)
			}
			return fmt.Errorf("chart %q: %s unit must be one of %s, got %q", c.Title, a.name, strings.Join(names, ", "), string(a.unit))
		}
	}
	for i, s := range c.Series {
		if s.Label == "" {
			return fmt.Errorf("chart %q: series %d has no label", c.Title, i+1)
		}
		if len(s.Points) == 0 {
			return fmt.Errorf("chart %q: series %q has no points", c.Title, s.Label)
		}
		for j, p := range s.Points {
			for _, v := range []struct {
				name string
				n    *big.Int
				why  string
			}{
				{"x", p.X, "the x axis is logarithmic"},
				{"y", p.Y, "the y axis is logarithmic when the values span a decade"},
			} {
				if v.n == nil {
					return fmt.Errorf("chart %q: series %q point %d: %s is missing", c.Title, s.Label, j+1, v.name)
				}
				if v.n.Sign() <= 0 {
					return fmt.Errorf("chart %q: series %q point %d: %s is %s, but %s and needs values above 0",
						c.Title, s.Label, j+1, v.name, v.n.String(), v.why)
				}
			}
		}
	}
	return nil
}

func containsUnit(u Unit) bool {
	for _, v := range chartUnits {
		if u == v {
			return true
		}
	}
	return false
}

// axis maps values to [0, 1] and holds the ticks, at positions in [0, 1].
type axis struct {
	log    bool
	lo, hi float64 // log axis: log2 of the ends; linear: the ends, in units of scale
	scale  *big.Float
	ticks  []tick
}

type tick struct {
	at    float64
	label string
}

// pos is where v lies on the axis, 0 at the low end and 1 at the high end.
func (a axis) pos(v *big.Int) float64 {
	var t float64
	if a.log {
		t = log2(v)
	} else {
		t, _ = new(big.Float).Quo(new(big.Float).SetInt(v), a.scale).Float64()
	}
	return (t - a.lo) / (a.hi - a.lo)
}

// log2 of a positive integer of any size.
func log2(v *big.Int) float64 {
	mant := new(big.Float)
	exp := new(big.Float).SetInt(v).MantExp(mant)
	m, _ := mant.Float64()
	return math.Log2(m) + float64(exp)
}

// extent returns the smallest and largest value of one coordinate.
func extent(series []ChartSeries, coord func(ChartPoint) *big.Int) (lo, hi *big.Int) {
	for _, s := range series {
		for _, p := range s.Points {
			v := coord(p)
			if lo == nil || v.Cmp(lo) < 0 {
				lo = v
			}
			if hi == nil || v.Cmp(hi) > 0 {
				hi = v
			}
		}
	}
	return lo, hi
}

// floorLog returns the largest e with base^e ≤ v, and whether base^e == v.
func floorLog(v *big.Int, base int64) (int, bool) {
	e, p := 0, big.NewInt(1)
	b := big.NewInt(base)
	for {
		next := new(big.Int).Mul(p, b)
		if next.Cmp(v) > 0 {
			return e, p.Cmp(v) == 0
		}
		p, e = next, e+1
	}
}

func pow(base int64, e int) *big.Int {
	return new(big.Int).Exp(big.NewInt(base), big.NewInt(int64(e)), nil)
}

// tickSteps are the exponent steps a log axis tries, smallest first.
var tickSteps = []int{1, 2, 3, 5, 10, 20, 30, 50, 100}

// logAxis spans the powers of base around [lo, hi] with a tick every step
// powers; fits says whether the ticks of a step fit. With align, the ends
// are multiples of the step (y: 1 K, 1 M, 1 B); without, the ticks start at
// the power at or below lo (x: 1Ki, 8Ki, 64Ki).
func logAxis(lo, hi *big.Int, base int64, u Unit, align bool, fits func([]tick) bool) axis {
	loE, _ := floorLog(lo, base)
	hiE, exact := floorLog(hi, base)
	if !exact {
		hiE++
	}
	if loE == hiE {
		loE, hiE = loE-1, hiE+1
		if loE < 0 {
			loE, hiE = 0, hiE+1
		}
	}
	at := func(step int) axis {
		l, h := loE, hiE
		if align {
			l = l / step * step
			h = (h + step - 1) / step * step
		}
		a := axis{log: true, lo: float64(l) * math.Log2(float64(base)), hi: float64(h) * math.Log2(float64(base))}
		for e := l; e <= h; e += step {
			a.ticks = append(a.ticks, tick{at: float64(e-l) / float64(h-l), label: exactLabel(pow(base, e), u)})
		}
		return a
	}
	// The smallest step that fits and has a tick at both ends; failing
	// that, the smallest that fits.
	var a axis
	found := false
	for _, step := range tickSteps {
		if (hiE-loE)%step == 0 || align {
			if a = at(step); fits(a.ticks) {
				found = true
				break
			}
		}
	}
	for i := 0; !found && i < len(tickSteps); i++ {
		a = at(tickSteps[i])
		found = fits(a.ticks)
	}
	if base == 10 && align && len(a.ticks) <= 3 && a.hi-a.lo < 2.5*math.Log2(10) {
		a.ticks = withTwosAndFives(a, u)
	}
	return a
}

// withTwosAndFives adds ticks at 2 and 5 × each power of 10 but the last,
// for an axis of one or two decades: 10, 20, 50, 100, 200, 500, 1000.
func withTwosAndFives(a axis, u Unit) []tick {
	var ticks []tick
	for i, t := range a.ticks {
		ticks = append(ticks, t)
		if i == len(a.ticks)-1 {
			break
		}
		e := int(math.Round(a.lo/math.Log2(10))) + i
		for _, m := range []int64{2, 5} {
			v := new(big.Int).Mul(big.NewInt(m), pow(10, e))
			ticks = append(ticks, tick{at: a.pos(v), label: exactLabel(v, u)})
		}
	}
	return ticks
}

// linearAxis spans 0 to a round value at or above hi, in one unit: ticks at
// 1, 2 or 5 × 10^k of the largest unit of u at most hi.
func linearAxis(hi *big.Int, u Unit) axis {
	base, names, sep := unitSystem(u)
	k, _ := floorLog(hi, base)
	if k > len(names)-1 {
		k = len(names) - 1
	}
	scale := new(big.Float).SetInt(pow(base, k))
	top, _ := new(big.Float).Quo(new(big.Float).SetInt(hi), scale).Float64()
	// the step: the smallest of 1, 2, 5 × 10^e giving at most maxYTicks-1 intervals
	e := int(math.Floor(math.Log10(top / float64(maxYTicks-1))))
	var mult, n int
	for {
		for _, m := range []int{1, 2, 5} {
			step := float64(m) * math.Pow(10, float64(e))
			if n = int(math.Ceil(top/step - 1e-9)); n <= maxYTicks-1 {
				mult = m
				break
			}
		}
		if mult != 0 {
			break
		}
		e++
	}
	step := float64(mult) * math.Pow(10, float64(e))
	decimals := 0
	if e < 0 {
		decimals = -e
	}
	a := axis{lo: 0, hi: float64(n) * step, scale: scale}
	for i := 0; i <= n; i++ {
		label := "0"
		if i > 0 {
			label = fmt.Sprintf("%.*f", decimals, float64(i*mult)*math.Pow(10, float64(e)))
			if names[k] != "" {
				label += sep + names[k]
			}
		}
		a.ticks = append(a.ticks, tick{at: float64(i) / float64(n), label: label})
	}
	return a
}

// Token and sequence counts are written as the command line reads them.
var (
	decimalSuffixes = []string{"", "k", "M", "G", "T"}
	binarySuffixes  = []string{"", "Ki", "Mi", "Gi", "Ti"}
)

// unitSystem returns the base of u's prefixes, their names, and what goes
// between number and name.
func unitSystem(u Unit) (int64, []string, string) {
	switch u {
	case UnitFLOPs:
		return 1000, flopUnits, " "
	case UnitBytes:
		return 1024, byteUnits, " "
	case UnitTokens, UnitSequences:
		return 1000, decimalSuffixes, ""
	default:
		return 1000, countUnits, " "
	}
}

// exactLabel writes v, a tick value, in u's short form: exactly when v is a
// whole number of some prefix ("128Ki", "1 GFLOP", "512 MiB"), otherwise
// to three significant digits as the report does ("1.07 GFLOP").
func exactLabel(v *big.Int, u Unit) string {
	if u == UnitTokens || u == UnitSequences {
		dq, dk := wholeOf(v, 1000, len(decimalSuffixes)-1)
		bq, bk := wholeOf(v, 1024, len(binarySuffixes)-1)
		if bk > dk {
			return bq.String() + binarySuffixes[bk]
		}
		return dq.String() + decimalSuffixes[dk]
	}
	base, names, sep := unitSystem(u)
	q, k := wholeOf(v, base, len(names)-1)
	if q.Cmp(big.NewInt(base)) >= 0 && k < len(names)-1 {
		return human(v, base, names)
	}
	if names[k] == "" {
		return q.String()
	}
	return q.String() + sep + names[k]
}

// wholeOf returns v / base^k for the largest k ≤ max at which base^k divides
// v and is at most v.
func wholeOf(v *big.Int, base int64, max int) (*big.Int, int) {
	q, k := new(big.Int).Set(v), 0
	b := big.NewInt(base)
	for k < max {
		d, m := new(big.Int).QuoRem(q, b, new(big.Int))
		if m.Sign() != 0 || d.Sign() == 0 {
			break
		}
		q, k = d, k+1
	}
	return q, k
}

// textWidth estimates the width of s at size pixels.
func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * charWidth
}

// legendLabel shortens a label that would not fit the legend.
func legendLabel(s string) string {
	if utf8.RuneCountInString(s) <= legendMaxRunes {
		return s
	}
	r := []rune(s)
	return string(r[:legendMaxRunes-1]) + "…"
}

// num writes a coordinate with one decimal.
func num(v float64) string { return fmt.Sprintf("%.1f", v) }

// esc escapes s for XML text or an attribute value; a character XML cannot
// hold (a control character, invalid UTF-8) becomes U+FFFD.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

func (c Chart) svg() []byte {
	xLo, xHi := extent(c.Series, func(p ChartPoint) *big.Int { return p.X })
	yLo, yHi := extent(c.Series, func(p ChartPoint) *big.Int { return p.Y })

	// y first: its widest tick label sets the left margin.
	var y axis
	if new(big.Int).Mul(yLo, big.NewInt(10)).Cmp(yHi) <= 0 {
		base := int64(10)
		if c.YUnit == UnitBytes {
			base = 2
		}
		y = logAxis(yLo, yHi, base, c.YUnit, true, func(t []tick) bool { return len(t) <= maxYTicks })
	} else {
		y = linearAxis(yHi, c.YUnit)
	}
	yTickWidth := 0.0
	for _, t := range y.ticks {
		yTickWidth = math.Max(yTickWidth, textWidth(t.label, tickSize))
	}
	legendWidth := 0.0
	for _, s := range c.Series {
		legendWidth = math.Max(legendWidth, textWidth(legendLabel(s.Label), tickSize))
	}
	legendWidth += 10 + legendSample + 6 + 10
	left := math.Ceil(10 + labelSize + 10 + yTickWidth + 8)
	right := math.Floor(ChartWidth - 14 - legendWidth - 14)
	top, bottom := float64(plotTop), float64(plotBottom)
	width, height := right-left, bottom-top

	x := logAxis(xLo, xHi, 2, c.XUnit, false, func(t []tick) bool {
		if len(t) < 2 {
			return true
		}
		widest := 0.0
		for _, tk := range t {
			widest = math.Max(widest, textWidth(tk.label, tickSize))
		}
		return (t[1].at-t[0].at)*width >= widest+minXTickSpacing
	})
	px := func(v *big.Int) float64 { return left + x.pos(v)*width }
	py := func(v *big.Int) float64 { return bottom - y.pos(v)*height }

	var b bytes.Buffer
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		ChartWidth, ChartHeight, ChartWidth, ChartHeight)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(c.Title))
	fmt.Fprintf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", ChartWidth, ChartHeight)
	fmt.Fprintf(&b, "<text x=\"%s\" y=\"30\" text-anchor=\"middle\" font-size=\"%d\" font-weight=\"bold\" fill=\"#222222\">%s</text>\n",
		num(ChartWidth/2), titleSize, esc(c.Title))

	// grid and ticks
	b.WriteString("<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n")
	for _, t := range x.ticks {
		at := left + t.at*width
		fmt.Fprintf(&b, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", num(at), num(top), num(at), num(bottom))
	}
	for _, t := range y.ticks {
		at := bottom - t.at*height
		fmt.Fprintf(&b, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", num(left), num(at), num(right), num(at))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n",
		num(left), num(top), num(width), num(height))
	b.WriteString("<g stroke=\"#333333\" stroke-width=\"1\">\n")
	for _, t := range x.ticks {
		at := left + t.at*width
		fmt.Fprintf(&b, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", num(at), num(bottom), num(at), num(bottom+5))
	}
	for _, t := range y.ticks {
		at := bottom - t.at*height
		fmt.Fprintf(&b, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", num(left-5), num(at), num(left), num(at))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, "<g font-size=\"%d\" fill=\"#333333\">\n", tickSize)
	for _, t := range x.ticks {
		fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%s</text>\n", num(left+t.at*width), num(bottom+20), esc(t.label))
	}
	for _, t := range y.ticks {
		fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\" text-anchor=\"end\">%s</text>\n", num(left-8), num(bottom-t.at*height+4), esc(t.label))
	}
	b.WriteString("</g>\n")

	// axis titles
	xTitle, yTitle := c.XLabel, c.YLabel
	if x.log {
		xTitle = strings.TrimSpace(xTitle + " (log scale)")
	}
	if y.log {
		yTitle = strings.TrimSpace(yTitle + " (log scale)")
	}
	fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" font-size=\"%d\" fill=\"#222222\">%s</text>\n",
		num(left+width/2), num(bottom+44), labelSize, esc(xTitle))
	yMid := top + height/2
	fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\" transform=\"rotate(-90 %s %s)\" text-anchor=\"middle\" font-size=\"%d\" fill=\"#222222\">%s</text>\n",
		num(10+labelSize), num(yMid), num(10+labelSize), num(yMid), labelSize, esc(yTitle))

	// lines and markers
	for i, s := range c.Series {
		colour, dash := chartColours[i%len(chartColours)], chartDashes[(i/len(chartColours))%len(chartDashes)]
		pts := make([]ChartPoint, len(s.Points))
		copy(pts, s.Points)
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].X.Cmp(pts[b].X) < 0 })
		coords := make([]string, len(pts))
		for j, p := range pts {
			coords[j] = num(px(p.X)) + "," + num(py(p.Y))
		}
		fmt.Fprintf(&b, "<g stroke=\"%s\" fill=\"%s\">\n", colour, colour)
		fmt.Fprintf(&b, "<polyline fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\"%s points=\"%s\"/>\n",
			dashAttr(dash), strings.Join(coords, " "))
		for _, p := range pts {
			fmt.Fprintf(&b, "<circle cx=\"%s\" cy=\"%s\" r=\"2.5\"/>\n", num(px(p.X)), num(py(p.Y)))
		}
		b.WriteString("</g>\n")
	}

	// legend: one row per series, as many as fit the plot's height
	rows := len(c.Series)
	if fit := int((height - 12) / legendRow); rows > fit {
		rows = fit
	}
	lx := right + 14
	fmt.Fprintf(&b, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"#ffffff\" stroke=\"#999999\" stroke-width=\"1\"/>\n",
		num(lx), num(top), num(legendWidth), num(float64(rows)*legendRow+12))
	fmt.Fprintf(&b, "<g font-size=\"%d\" fill=\"#222222\">\n", tickSize)
	for i, s := range c.Series[:rows] {
		colour, dash := chartColours[i%len(chartColours)], chartDashes[(i/len(chartColours))%len(chartDashes)]
		label := legendLabel(s.Label)
		if i == rows-1 && rows < len(c.Series) {
			colour, dash, label = "", "", fmt.Sprintf("and %d more", len(c.Series)-rows+1)
		}
		ry := top + 6 + float64(i)*legendRow + legendRow/2
		if colour != "" {
			fmt.Fprintf(&b, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
				num(lx+10), num(ry), num(lx+10+legendSample), num(ry), colour, dashAttr(dash))
		}
		fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\">%s</text>\n", num(lx+10+legendSample+6), num(ry+4), esc(label))
	}
	b.WriteString("</g>\n")
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func dashAttr(dash string) string {
	if dash == "" {
		return ""
	}
	return fmt.Sprintf(" stroke-dasharray=\"%s\"", dash)
}
