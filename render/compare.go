package render

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"tscale/scale"
)

// CompareRow is one model in a comparison table. Every number is the
// engine's, at the model's default workload (batch 1, its context, bf16).
type CompareRow struct {
	Model              Model
	Context            int64
	ParamsTotal        int64
	ParamsActive       int64
	ForwardPerToken    *scale.Fraction // flops.per_token.forward (causal)
	TrainingPerToken   *scale.Fraction // flops.per_token.training
	KVBytesPerToken    int64
	WeightsBF16Bytes   int64
	TrainingStateBytes int64
}

var compareHeader = []string{"model", "context", "params total", "params active", "forward FLOPs/token",
	"training FLOPs/token", "KV cache/token", "weights bf16", "training state"}

// Compare writes rows as an aligned text table, a Markdown table or CSV.
// Text and Markdown show exact numbers with a short form; CSV shows the
// exact numbers alone (per-token FLOPs as exact fractions "N" or "N/D").
func Compare(rows []CompareRow, format string) ([]byte, error) {
	switch format {
	case "text":
		t := newTable(compareHeader, 1, 2, 3, 4, 5, 6, 7, 8)
		for _, r := range rows {
			t.add(compareCells(r, true)...)
		}
		var b strings.Builder
		t.write(&b, "")
		b.WriteString(compareFootnote)
		return []byte(b.String()), nil
	case "markdown":
		var b strings.Builder
		b.WriteString("| " + strings.Join(compareHeader, " | ") + " |\n")
		b.WriteString("|---" + strings.Repeat("|--:", len(compareHeader)-1) + "|\n")
		for _, r := range rows {
			b.WriteString("| " + strings.Join(compareCells(r, false), " | ") + " |\n")
		}
		b.WriteString("\n" + compareFootnote)
		return []byte(b.String()), nil
	case "csv":
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"slug", "name", "estimate", "context", "params_total", "params_active",
			"forward_flops_per_token", "training_flops_per_token", "kv_cache_bytes_per_token", "weights_bf16_bytes",
			"training_state_bytes"})
		for _, r := range rows {
			_ = w.Write([]string{r.Model.Slug, r.Model.Name, fmt.Sprint(r.Model.Estimate), fmt.Sprint(r.Context),
				fmt.Sprint(r.ParamsTotal), fmt.Sprint(r.ParamsActive), r.ForwardPerToken.String(), r.TrainingPerToken.String(),
				fmt.Sprint(r.KVBytesPerToken), fmt.Sprint(r.WeightsBF16Bytes), fmt.Sprint(r.TrainingStateBytes)})
		}
		w.Flush()
		return buf.Bytes(), w.Error()
	}
	return nil, fmt.Errorf("compare format must be text, markdown or csv, got %q", format)
}

const compareFootnote = "FLOPs per token: matmul FLOPs averaged over one sequence of the model's context, causal attention, " +
	"2 per multiply-accumulate; training = 3 × forward. KV cache in bf16. Training state: mixed-precision Adam, 16 bytes per parameter.\n"

func compareCells(r CompareRow, short bool) []string {
	name := r.Model.Slug
	if r.Model.Estimate {
		name += " (estimate)"
	}
	count, bytes := Count, Bytes
	if !short {
		count = func(n int64) string { return Grouped(n) }
		bytes = func(n int64) string { return Grouped(n) + " B" }
	}
	return []string{name, Grouped(r.Context), count(r.ParamsTotal), count(r.ParamsActive),
		Fraction(r.ForwardPerToken), Fraction(r.TrainingPerToken), bytes(r.KVBytesPerToken),
		bytes(r.WeightsBF16Bytes), bytes(r.TrainingStateBytes)}
}
