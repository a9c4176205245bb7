package main

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// TestRenderInOrder: however long each report takes, use sees every report
// once, in order, with its own bytes (in buffers used again), its error or
// its panic.
func TestRenderInOrder(t *testing.T) {
	const n = 60
	delays := make([]time.Duration, n)
	rng := rand.New(rand.NewSource(1))
	for i := range delays {
		delays[i] = time.Duration(rng.Intn(300)) * time.Microsecond
	}
	var got []int
	renderInOrder(n, func(i int, yaml, text []byte) ([]byte, []byte, error) {
		time.Sleep(delays[i])
		switch i % 10 {
		case 3:
			return yaml, text, fmt.Errorf("report %d failed", i)
		case 7:
			panic(i)
		}
		return fmt.Appendf(yaml, "yaml %d", i), fmt.Appendf(text, "text %d", i), nil
	}, func(i int, r rendered) {
		got = append(got, i)
		switch i % 10 {
		case 3:
			if want := fmt.Sprintf("report %d failed", i); r.err == nil || r.err.Error() != want {
				t.Errorf("report %d: error %v, want %q", i, r.err, want)
			}
		case 7:
			if r.panicked != i {
				t.Errorf("report %d: panicked with %v", i, r.panicked)
			}
		default:
			if string(r.yaml) != fmt.Sprintf("yaml %d", i) || string(r.text) != fmt.Sprintf("text %d", i) || r.err != nil {
				t.Errorf("report %d: %q, %q, %v", i, r.yaml, r.text, r.err)
			}
		}
	})
	if len(got) != n {
		t.Fatalf("use saw %d reports, want %d", len(got), n)
	}
	for i, g := range got {
		if g != i {
			t.Fatalf("use saw the reports in the order %v", got)
		}
	}
	var none []int
	renderInOrder(0, func(int, []byte, []byte) ([]byte, []byte, error) { return nil, nil, errors.New("no report") },
		func(i int, _ rendered) { none = append(none, i) })
	if len(none) != 0 {
		t.Errorf("no reports: use saw %v", none)
	}
}
