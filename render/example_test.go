package render_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/render"
	"github.com/tscale/tscale/scale"
)

// Write a report: GPT-2 at its context, as text (the golden
// testdata/golden/gpt2.txt holds the whole of it).
func ExampleWrite() {
	p, err := presets.Lookup("gpt2")
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: p.Context(), DType: scale.BF16})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	if err := render.Write(&buf, render.NewDocument(p.Model(), r), render.FormatText); err != nil {
		fmt.Println(err)
		return
	}
	lines := strings.Split(buf.String(), "\n")
	fmt.Println(lines[0])
	for _, line := range lines {
		if strings.HasPrefix(line, "  total ") {
			fmt.Println(line)
			break
		}
	}
	// Output:
	// GPT-2 (124M) — gpt2
	//   total             124,439,808 (124 M)
}
