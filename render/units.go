package render

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/tscale/tscale/scale"
)

// Units: one system per kind of quantity, whatever the magnitude.
//   - counts (parameters, elements): K, M, B, T = 10^3, 10^6, 10^9, 10^12
//   - FLOPs: SI prefixes, kFLOP … YFLOP = 10^3 … 10^24
//   - bytes: IEC prefixes, KiB … EiB = 2^10 … 2^60
var (
	countUnits = []string{"", "K", "M", "B", "T", "Q"}
	flopUnits  = []string{"FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP", "EFLOP", "ZFLOP", "YFLOP"}
	byteUnits  = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
)

// Each writer of counts takes an int64 (what the model alone fixes) and has
// a Big twin for a *big.Int (what grows with the workload); the int64 one
// calls its twin, so both write alike.

// grouped writes an integer with thousands separators: 6,738,415,616.
func grouped(n int64) string { return GroupedBig(big.NewInt(n)) }

// GroupedBig writes an exact integer with thousands separators:
// 18,446,744,073,709,551,616.
func GroupedBig(n *big.Int) string { return groupDigits(n.String()) }

func groupDigits(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// human writes n/base^k with three significant digits and the unit of the
// largest k whose unit is at most n: "6.74 B", "13.5 GiB", "512 KiB".
func human(n *big.Int, base int64, units []string) string {
	f := new(big.Float).SetInt(n)
	b := new(big.Float).SetInt64(base)
	k := 0
	for k < len(units)-1 && f.Cmp(b) >= 0 {
		f.Quo(f, b)
		k++
	}
	v, _ := f.Float64()
	if k > 0 && v >= 999.5 && k < len(units)-1 { // would print as "1000 K"
		v /= float64(base)
		k++
	}
	var num string
	switch {
	case k == 0:
		num = n.String()
	case v < 9.995:
		num = fmt.Sprintf("%.2f", v)
	case v < 99.95:
		num = fmt.Sprintf("%.1f", v)
	default:
		num = fmt.Sprintf("%.0f", v)
	}
	if units[k] == "" {
		return num
	}
	return num + " " + units[k]
}

// count writes a count exactly and in K/M/B/T: "6,738,415,616 (6.74 B)".
func count(n int64) string { return countBig(big.NewInt(n)) }

// countBig is count for a big.Int.
func countBig(n *big.Int) string {
	if n.Cmp(big.NewInt(1000)) < 0 {
		return GroupedBig(n)
	}
	return fmt.Sprintf("%s (%s)", GroupedBig(n), human(n, 1000, countUnits))
}

// flops writes FLOPs exactly and with an SI prefix: "58,524,298,117,120 (58.5 TFLOP)".
func flops(n *big.Int) string {
	return fmt.Sprintf("%s (%s)", GroupedBig(n), human(n, 1000, flopUnits))
}

// byteCount writes a byte count exactly and with an IEC prefix: "13,476,831,232 B (12.6 GiB)".
func byteCount(n int64) string { return bytesBig(big.NewInt(n)) }

// bytesBig is byteCount for a big.Int.
func bytesBig(n *big.Int) string {
	if n.Cmp(big.NewInt(1024)) < 0 {
		return GroupedBig(n) + " B"
	}
	return fmt.Sprintf("%s B (%s)", GroupedBig(n), human(n, 1024, byteUnits))
}

// humanCount is the short form alone: "6.74 B".
func humanCount(n int64) string { return human(big.NewInt(n), 1000, countUnits) }

// humanFLOPs is the short form alone: "58.5 TFLOP".
func humanFLOPs(n *big.Int) string { return human(n, 1000, flopUnits) }

// shapeOf writes a shape as [1, 4096, 4096].
func shapeOf(s []int64) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// fraction writes an exact fraction as a grouped mixed number:
// "353,961,664,512" or "12,345 1/2".
func fraction(f *scale.Fraction) string {
	r := f.Rat()
	q, rem := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if rem.Sign() == 0 {
		return GroupedBig(q)
	}
	return fmt.Sprintf("%s %s/%s", GroupedBig(q), rem.String(), r.Denom().String())
}
