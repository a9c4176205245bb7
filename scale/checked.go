package scale

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// OverflowError says which quantity does not fit in an int64.
type OverflowError struct {
	Quantity string
}

func (e *OverflowError) Error() string {
	return fmt.Sprintf("%s exceeds the int64 range (%d); reduce the model or workload size", e.Quantity, int64(math.MaxInt64))
}

// checked does int64 arithmetic on non-negative values and remembers the
// first overflow, so a long computation can be written plainly and checked
// once at the end. After an overflow every result is 0.
type checked struct{ err error }

// mul returns the product of xs; what names the quantity for the error.
func (c *checked) mul(what string, xs ...int64) int64 {
	r := int64(1)
	for _, x := range xs {
		if c.err != nil {
			return 0
		}
		hi, lo := bits.Mul64(uint64(r), uint64(x))
		if hi != 0 || lo > math.MaxInt64 {
			c.err = &OverflowError{Quantity: what}
			return 0
		}
		r = int64(lo)
	}
	return r
}

// add returns the sum of xs; what names the quantity for the error.
func (c *checked) add(what string, xs ...int64) int64 {
	var r int64
	for _, x := range xs {
		if c.err != nil {
			return 0
		}
		if x > math.MaxInt64-r {
			c.err = &OverflowError{Quantity: what}
			return 0
		}
		r += x
	}
	return r
}

// fit returns x as an int64, or records that the quantity what does not fit.
func (c *checked) fit(what string, x *big.Int) int64 {
	if c.err != nil {
		return 0
	}
	if !x.IsInt64() {
		c.err = &OverflowError{Quantity: what}
		return 0
	}
	return x.Int64()
}

// bigProduct is the exact product of xs (1 for none). Most products fit
// in 64 bits: they are multiplied as words, and the big.Int is made once.
func bigProduct(xs ...int64) *big.Int {
	p := uint64(1)
	for i, x := range xs {
		hi, lo := bits.Mul64(p, uint64(x))
		if x < 0 || hi != 0 {
			z := bigWord(p)
			var f big.Int
			for _, x := range xs[i:] {
				z.Mul(z, f.SetInt64(x))
			}
			return z
		}
		p = lo
	}
	return bigWord(p)
}

// scaledBy is the exact product of x and factors, as a new big.Int.
func scaledBy(x *big.Int, factors ...int64) *big.Int {
	if x.Sign() >= 0 && x.IsUint64() {
		p := x.Uint64()
		fits := true
		for _, f := range factors {
			hi, lo := bits.Mul64(p, uint64(f))
			if f < 0 || hi != 0 {
				fits = false
				break
			}
			p = lo
		}
		if fits {
			return bigWord(p)
		}
	}
	return new(big.Int).Mul(x, bigProduct(factors...))
}

// twice is 2·x, as a new big.Int.
func twice(x *big.Int) *big.Int {
	if x.Sign() >= 0 && x.IsUint64() && x.Uint64() <= math.MaxUint64/2 {
		return bigWord(2 * x.Uint64())
	}
	return new(big.Int).Lsh(x, 1)
}

// bigSum is the exact sum of xs, as a new big.Int.
func bigSum(xs ...*big.Int) *big.Int {
	var s uint64
	for i, x := range xs {
		if x.Sign() < 0 || !x.IsUint64() {
			return bigSumFrom(bigWord(s), xs[i:])
		}
		sum, carry := bits.Add64(s, x.Uint64(), 0)
		if carry != 0 {
			return bigSumFrom(bigWord(s), xs[i:])
		}
		s = sum
	}
	return bigWord(s)
}

func bigSumFrom(s *big.Int, xs []*big.Int) *big.Int {
	for _, x := range xs {
		s.Add(s, x)
	}
	return s
}

// bigWord is x as a new big.Int: where a word holds 64 bits, the big.Int
// and its one word in one allocation (big.Int's own SetUint64 makes two).
// The products and sums above make their results here.
func bigWord(x uint64) *big.Int {
	if bits.UintSize < 64 {
		return new(big.Int).SetUint64(x)
	}
	v := new(struct {
		i big.Int
		w [1]big.Word
	})
	v.w[0] = big.Word(x)
	return v.i.SetBits(v.w[:])
}

// addTo adds x to *sum, allocating *sum when nil, and returns *sum.
func addTo(sum **big.Int, x *big.Int) *big.Int {
	if *sum == nil {
		*sum = new(big.Int)
	}
	return (*sum).Add(*sum, x)
}

// addScaled adds count × x to *sum (allocated when nil).
func addScaled(sum **big.Int, count int64, x *big.Int) {
	addTo(sum, scaledBy(x, count))
}

// Fraction is an exact non-negative rational number, such as FLOPs per
// token or token slots per expert. Reports write it as a string, "N" or
// "N/D" in lowest terms; Rat gives the number itself.
type Fraction big.Rat

// newFraction is n/d in lowest terms (d > 0).
func newFraction(n, d *big.Int) *Fraction { return (*Fraction)(new(big.Rat).SetFrac(n, d)) }

// Rat is f as a big.Rat (shared, not to be modified).
func (f *Fraction) Rat() *big.Rat { return (*big.Rat)(f) }

// String is f as "N" or "N/D", in lowest terms.
func (f *Fraction) String() string { return f.Rat().RatString() }

// Equal reports whether f and g are the same number.
func (f *Fraction) Equal(g *Fraction) bool { return f.Rat().Cmp(g.Rat()) == 0 }

// MarshalText writes f as String does.
func (f *Fraction) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads "N" or "N/D".
func (f *Fraction) UnmarshalText(b []byte) error {
	if _, ok := f.Rat().SetString(string(b)); !ok {
		return fmt.Errorf("not an exact fraction: %q", b)
	}
	return nil
}
