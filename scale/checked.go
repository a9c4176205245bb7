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

// bigOf returns x as a new big.Int.
func bigOf(x int64) *big.Int { return big.NewInt(x) }

// addScaled adds count × x to sum and returns sum.
func addScaled(sum *big.Int, count, x int64) *big.Int {
	return sum.Add(sum, new(big.Int).Mul(bigOf(count), bigOf(x)))
}
