package render

import (
	"fmt"
	"math/big"
	"strconv"

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
// calls its twin, so both write alike. Each appends to a byte slice
// (appendGrouped, appendHuman) and the string forms are made from those in
// one allocation.

// grouped writes an integer with thousands separators: 6,738,415,616.
func grouped(n int64) string {
	var buf [32]byte
	return string(appendGrouped(buf[:0], big.NewInt(n)))
}

// GroupedBig writes an exact integer with thousands separators:
// 18,446,744,073,709,551,616.
func GroupedBig(n *big.Int) string {
	var buf [64]byte
	return string(appendGrouped(buf[:0], n))
}

// appendGrouped appends n with thousands separators.
func appendGrouped(dst []byte, n *big.Int) []byte {
	start := len(dst)
	return groupDigits(AppendDecimal(dst, n), start)
}

// AppendDecimal appends n in decimal, without separators: by strconv where
// it fits an int64 (most counts), else by math/big.
func AppendDecimal(dst []byte, n *big.Int) []byte {
	if n.IsInt64() {
		return strconv.AppendInt(dst, n.Int64(), 10)
	}
	return n.Append(dst, 10)
}

// groupDigits puts thousands separators into the integer dst[start:],
// digits with an optional sign, and returns the longer slice.
func groupDigits(dst []byte, start int) []byte {
	if dst[start] == '-' {
		start++
	}
	digits := len(dst) - start
	commas := (digits - 1) / 3
	if commas <= 0 {
		return dst
	}
	for range commas {
		dst = append(dst, 0)
	}
	// Move the digits right from the end, a comma before every third.
	src, to := start+digits-1, len(dst)-1
	for i := 0; i < digits; i++ {
		if i > 0 && i%3 == 0 {
			dst[to] = ','
			to--
		}
		dst[to] = dst[src]
		to, src = to-1, src-1
	}
	return dst
}

// human writes n/base^k with three significant digits and the unit of the
// largest k whose unit is at most n: "6.74 B", "13.5 GiB", "512 KiB".
func human(n *big.Int, base int64, units []string) string {
	var buf [32]byte
	return string(appendHuman(buf[:0], n, base, units))
}

// appendHuman appends human's form of n.
func appendHuman(dst []byte, n *big.Int, base int64, units []string) []byte {
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
	switch {
	case k == 0:
		dst = n.Append(dst, 10)
	case v < 9.995:
		dst = strconv.AppendFloat(dst, v, 'f', 2, 64)
	case v < 99.95:
		dst = strconv.AppendFloat(dst, v, 'f', 1, 64)
	default:
		dst = strconv.AppendFloat(dst, v, 'f', 0, 64)
	}
	if units[k] == "" {
		return dst
	}
	return append(append(dst, ' '), units[k]...)
}

// appendExactAndHuman appends n grouped, then the short form in
// parentheses: "6,738,415,616 (6.74 B)"; unit follows the exact number
// ("13,476,831,232 B (12.6 GiB)").
func appendExactAndHuman(dst []byte, n *big.Int, unit string, base int64, units []string) []byte {
	dst = appendGrouped(dst, n)
	dst = append(dst, unit...)
	dst = append(dst, " ("...)
	dst = appendHuman(dst, n, base, units)
	return append(dst, ')')
}

// count writes a count exactly and in K/M/B/T: "6,738,415,616 (6.74 B)".
func count(n int64) string { return countBig(big.NewInt(n)) }

// countBig is count for a big.Int.
func countBig(n *big.Int) string {
	if n.Cmp(big.NewInt(1000)) < 0 {
		return GroupedBig(n)
	}
	var buf [64]byte
	return string(appendExactAndHuman(buf[:0], n, "", 1000, countUnits))
}

// flops writes FLOPs exactly and with an SI prefix: "58,524,298,117,120 (58.5 TFLOP)".
func flops(n *big.Int) string {
	var buf [64]byte
	return string(appendExactAndHuman(buf[:0], n, "", 1000, flopUnits))
}

// byteCount writes a byte count exactly and with an IEC prefix: "13,476,831,232 B (12.6 GiB)".
func byteCount(n int64) string { return bytesBig(big.NewInt(n)) }

// bytesBig is byteCount for a big.Int.
func bytesBig(n *big.Int) string {
	if n.Cmp(big.NewInt(1024)) < 0 {
		return GroupedBig(n) + " B"
	}
	var buf [64]byte
	return string(appendExactAndHuman(buf[:0], n, " B", 1024, byteUnits))
}

// humanCount is the short form alone: "6.74 B".
func humanCount(n int64) string { return human(big.NewInt(n), 1000, countUnits) }

// humanFLOPs is the short form alone: "58.5 TFLOP".
func humanFLOPs(n *big.Int) string { return human(n, 1000, flopUnits) }

// shapeOf writes a shape as [1, 4096, 4096].
func shapeOf(s []int64) string {
	var buf [64]byte
	return string(appendShape(buf[:0], s))
}

// appendShape appends shapeOf's form of s.
func appendShape(dst []byte, s []int64) []byte {
	dst = append(dst, '[')
	for i, d := range s {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = strconv.AppendInt(dst, d, 10)
	}
	return append(dst, ']')
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
