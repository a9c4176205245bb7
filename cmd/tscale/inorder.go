package main

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// rendered is one report as renderInOrder hands it on: its YAML and text,
// or why it failed.
type rendered struct {
	yaml, text []byte
	err        error
	panicked   any // what rendering it panicked with
}

// renderInOrder renders reports 0..n-1 with render on every processor and
// hands each to use in order, i = 0, 1, ..., as soon as those before it are
// handed on, so that what use does (writing, counting failures) is what it
// would do one by one. A report waits for its turn in a pair of buffers
// (YAML and text), which render appends to and which are used again once
// use returns; two pairs per worker let a worker go on while its last
// report waits. A panic of render is handed on as panicked.
func renderInOrder(n int, render func(i int, yaml, text []byte) ([]byte, []byte, error), use func(i int, r rendered)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	results := make([]rendered, n)
	ready := make([]bool, n) // rendered, or failed: waiting for its turn
	var (
		mu     sync.Mutex // guards what follows
		spared = sync.NewCond(&mu)
		spare  [][2][]byte // the buffers of reports handed on, to render into again
		pairs  int         // buffer pairs made, and not lost to a panic
		next   int         // the report to hand on next
	)
	buffers := func() (yaml, text []byte) {
		mu.Lock()
		defer mu.Unlock()
		for len(spare) == 0 && pairs == 2*workers {
			spared.Wait()
		}
		if k := len(spare); k > 0 {
			b := spare[k-1]
			spare = spare[:k-1]
			return b[0], b[1]
		}
		pairs++
		// Room for the largest report (53 KB of YAML): grown from nothing by
		// append, a buffer would be allocated many times over.
		const room = 64 << 10
		return make([]byte, 0, room), make([]byte, 0, room)
	}
	// done takes report i in, then hands on every report whose turn has come.
	done := func(i int, r rendered) {
		mu.Lock()
		defer mu.Unlock()
		results[i], ready[i] = r, true
		for ; next < n && ready[next]; next++ {
			r := &results[next]
			use(next, *r)
			if r.yaml != nil && r.text != nil {
				spare = append(spare, [2][]byte{r.yaml[:0], r.text[:0]})
			} else {
				pairs-- // lost to a panic: another may be made
			}
			*r = rendered{}
			spared.Signal()
		}
	}
	var claimed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				yaml, text := buffers() // before the claim: whoever holds the next report has buffers
				i := int(claimed.Add(1)) - 1
				if i >= n {
					return
				}
				var r rendered
				func() {
					defer func() {
						if p := recover(); p != nil {
							r = rendered{panicked: p}
						}
					}()
					r.yaml, r.text, r.err = render(i, yaml, text)
				}()
				done(i, r)
			}
		}()
	}
	wg.Wait()
}
