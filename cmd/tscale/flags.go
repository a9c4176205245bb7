package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// flagSet is a command's flags. It never prints on its own: a parse error
// becomes a usageError naming the command, and -h prints the command's
// help on stdout.
type flagSet struct {
	*flag.FlagSet
	cmd, synopsis, description string
	examples                   []string
	setErr                     error // the error of the value that failed to parse, in our words
}

func newFlagSet(cmd, synopsis, description string, examples []string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(cmd, flag.ContinueOnError),
		cmd: cmd, synopsis: synopsis, description: description, examples: examples}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// printHelp writes the command's help: synopsis, description, flags and
// examples. tscale COMMAND -h and tscale help COMMAND print it.
func (fs *flagSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: tscale %s\n\n%s\n", fs.synopsis, fs.description)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	fmt.Fprintln(w, "\nExamples:")
	for _, e := range fs.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

// parse parses flags that may come before or after positional arguments
// (tscale report llama-2-7b -seq 8192) and returns the positionals. On -h it
// prints the help on stdout and returns errHelp.
func (fs *flagSet) parse(args []string, stdout io.Writer) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.printHelp(stdout)
				return nil, errHelp
			}
			if fs.setErr != nil {
				return nil, usageError{fs.cmd, fs.setErr}
			}
			return nil, usageError{fs.cmd, errors.New(flagMessage(err.Error()))}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagMessage rewords the errors of package flag.
func flagMessage(msg string) string {
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown flag " + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "flag " + name + " needs a value"
	}
	return msg
}

// count defines a flag holding a count (a sequence length, a batch size, a
// number of tokens) written as parseCount reads it.
func (fs *flagSet) count(name string, value int64, usage string) *countValue {
	v := &countValue{n: value, name: name, owner: fs}
	fs.Var(v, name, usage)
	return v
}

// countSyntax is the help of a count flag's syntax.
const countSyntax = "Counts (-seq, -batch, -tokens) are decimal integers, with an optional suffix k, M, G, T\n" +
	"(powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024), or in e notation: 128k = 128000,\n" +
	"128Ki = 131072, and 15T, 15e12 and 1.5e13 are all 15 trillion. A leading zero is not octal\n" +
	"(010 is ten), and a count must be a whole number (1.5k is fine, 0.5 is not)."

// countValue is a flag.Value holding a count; set says whether the flag was
// given.
type countValue struct {
	n     int64
	set   bool
	name  string
	owner *flagSet
}

func (v *countValue) String() string { return fmt.Sprint(v.n) }

func (v *countValue) Set(s string) error {
	n, err := parseCount(s)
	if err != nil {
		err = fmt.Errorf("-%s %w, got %q", v.name, err, s)
		v.owner.setErr = err
		return err
	}
	v.n, v.set = n, true
	return nil
}

// The ways a count can be malformed, phrased to follow the flag's name.
var (
	errNotDecimal = errors.New("must be a decimal integer")
	errNotWhole   = errors.New("must be a whole number")
	errOutOfRange = errors.New("must fit in a 64-bit integer (at most 9223372036854775807)")
)

// countSuffixes are the multipliers a count may end with: powers of 1000
// (k, M, G, T) and of 1024 (Ki, Mi, Gi, Ti).
var countSuffixes = []struct {
	suffix string
	mult   int64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
	{"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
}

// parseCount reads a decimal integer: an optional minus sign, digits (a
// leading zero is not octal: 010 is ten), an optional fraction and exponent
// (1.5e13), and an optional suffix k, M, G, T (powers of 1000) or Ki, Mi,
// Gi, Ti (powers of 1024). The value must be a whole number (1.5k is 1500;
// 0.5 is an error) that fits in an int64.
func parseCount(s string) (int64, error) {
	rest := s
	neg := false
	if strings.HasPrefix(rest, "-") {
		neg, rest = true, rest[1:]
	}
	mult := int64(1)
	for _, sf := range countSuffixes {
		if r, ok := strings.CutSuffix(rest, sf.suffix); ok {
			rest, mult = r, sf.mult
			break
		}
	}
	mantissa, exponent, hasExp := strings.Cut(rest, "e")
	if !hasExp {
		mantissa, exponent, hasExp = strings.Cut(rest, "E")
	}
	intPart, frac, _ := strings.Cut(mantissa, ".")
	if !allDigits(intPart) || (frac != "" && !allDigits(frac)) || (strings.Contains(mantissa, ".") && frac == "") {
		return 0, errNotDecimal
	}
	exp := 0
	if hasExp {
		e := strings.TrimPrefix(exponent, "+")
		negExp := false
		if e == exponent {
			e, negExp = strings.CutPrefix(exponent, "-")
		}
		if !allDigits(e) {
			return 0, errNotDecimal
		}
		e = strings.TrimLeft(e, "0")
		if len(e) > 4 { // |exponent| ≥ 10000: out of range or not whole unless the mantissa is 0
			e = "10000"
		}
		exp, _ = strconv.Atoi("0" + e)
		if negExp {
			exp = -exp
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return 0, nil
	}
	exp -= len(frac)
	for strings.HasSuffix(digits, "0") {
		digits, exp = digits[:len(digits)-1], exp+1
	}
	// digits × 10^exp × mult, exactly. More than 19 significant digits, or a
	// positive exponent past 18, cannot fit in an int64.
	if len(digits)+exp > 19+1 || exp > 18 {
		return 0, errOutOfRange
	}
	if exp < -40 { // digits has no factor 10 and mult at most 2^40 or 10^12: not whole
		return 0, errNotWhole
	}
	n, _ := new(big.Int).SetString(digits, 10)
	n.Mul(n, big.NewInt(mult))
	ten := big.NewInt(10)
	if exp >= 0 {
		n.Mul(n, new(big.Int).Exp(ten, big.NewInt(int64(exp)), nil))
	} else {
		d := new(big.Int).Exp(ten, big.NewInt(int64(-exp)), nil)
		var m big.Int
		if n.DivMod(n, d, &m); m.Sign() != 0 {
			return 0, errNotWhole
		}
	}
	if neg {
		n.Neg(n)
	}
	if !n.IsInt64() {
		return 0, errOutOfRange
	}
	return n.Int64(), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
