package presets

import "testing"

// TestSlidingPatternByBruteForce: every list slidingPattern accepts is
// rebuilt exactly from the pattern it gives, and every list of the three
// modelled patterns is accepted (all lists of up to 10 layers).
func TestSlidingPatternByBruteForce(t *testing.T) {
	for n := 1; n <= 10; n++ {
		for bits := 0; bits < 1<<n; bits++ {
			sliding := make([]bool, n)
			for i := range sliding {
				sliding[i] = bits&(1<<i) != 0
			}
			from, interval, ok := slidingPattern(sliding)
			modelled := false
			for f := -1; f < n && !modelled; f++ {
				for iv := 0; iv <= n && !modelled; iv++ {
					if (f > 0 && iv > 0) || (f < 0 && iv > 0) {
						continue
					}
					modelled = same(sliding, rebuild(n, int64(f), int64(iv)))
				}
			}
			if ok != modelled {
				t.Fatalf("%v: accepted %v, modelled %v", sliding, ok, modelled)
			}
			if ok && !same(sliding, rebuild(n, from, interval)) {
				t.Fatalf("%v: pattern from %d, interval %d rebuilds %v", sliding, from, interval, rebuild(n, from, interval))
			}
		}
	}
}

// rebuild is the list of the pattern: the transformers list
// comprehensions, written out.
func rebuild(n int, from, interval int64) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = from >= 0 && int64(i) >= from && (interval == 0 || int64(i+1)%interval != 0)
	}
	return out
}

func same(a, b []bool) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
