package render

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// compareRow is one model in a comparison table: the numbers of its report
// that the table shows, and the workload facts its footnote states.
type compareRow struct {
	model              presets.Model
	context            int64 // the model's context: max_position_embeddings
	seqLen             int64 // the workload's sequence length, over which per-token FLOPs are averaged
	kvDType            scale.DType
	paramsTotal        int64
	paramsActive       int64
	forwardPerToken    *scale.Fraction // flops.per_token.forward (causal)
	trainingPerToken   *scale.Fraction // flops.per_token.training
	kvBytesPerToken    int64
	weightsBF16Bytes   int64
	trainingStateBytes int64
	deployed           *deployedRow // with a layout or a device (parallel.go)
	stateBytes         int64        // memory.recurrent_state_bytes_per_sequence: Mamba-2 layers' state
}

// compareRowOf picks the numbers a comparison table shows out of d.
func compareRowOf(d Document) compareRow {
	row := compareRow{
		model: d.Model, context: d.Config.MaxPositionEmbeddings, seqLen: d.Workload.SeqLen, kvDType: d.Workload.KVDType,
		paramsTotal: d.Params.Total, paramsActive: d.Params.Active,
		forwardPerToken: d.FLOPs.PerToken.Forward, trainingPerToken: d.FLOPs.PerToken.Training,
		kvBytesPerToken: d.Memory.KVCacheBytesPerToken, trainingStateBytes: d.Memory.TrainingStateBytes,
		stateBytes: d.Memory.RecurrentStateBytesPerSequence,
	}
	row.deployed = deployedRowOf(d)
	for _, w := range d.Memory.WeightsByDType {
		if w.DType == scale.BF16 {
			row.weightsBF16Bytes = w.TotalBytes
		}
	}
	return row
}

var compareHeader = []string{"model", "context", "params total", "params active", "forward FLOPs/token",
	"training FLOPs/token", "KV cache/token", "weights bf16", "training state"}

// WriteCompare writes one row per report to w, in format f: an aligned text
// table, a Markdown table or CSV. Text and Markdown show exact numbers with
// a short form, then a footnote that states the workload the reports share;
// CSV shows the exact numbers alone (per-token FLOPs as exact fractions "N"
// or "N/D"). Batch size does not change any figure of the table.
//
// The footnote is read from the reports' workloads: per-token FLOPs are
// averaged over one sequence of each model's context, or of one length
// common to every report, and the KV cache is in one dtype. Reports whose
// workloads share neither are refused with an error, and nothing is
// written: the table would not say what its figures mean.
func WriteCompare(w io.Writer, docs []Document, f TableFormat) error {
	rows := make([]compareRow, len(docs))
	for i, d := range docs {
		rows[i] = compareRowOf(d)
	}
	var buf bytes.Buffer
	switch f {
	case TableText, TableMarkdown:
		note, err := compareFootnote(rows)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		header := compareHeader
		if len(rows) > 0 && rows[0].deployed != nil {
			header = append(append([]string(nil), header...), deployedHeader(rows[0].deployed)...)
		}
		if f == TableText {
			right := make([]int, len(header)-1)
			for i := range right {
				right[i] = i + 1
			}
			t := newTable(header, right...)
			for _, r := range rows {
				t.add(compareCells(r, true)...)
			}
			t.write(&b, "")
		} else {
			b.WriteString("| " + strings.Join(header, " | ") + " |\n")
			b.WriteString("|---" + strings.Repeat("|--:", len(header)-1) + "|\n")
			for _, r := range rows {
				b.WriteString("| " + strings.Join(compareCells(r, false), " | ") + " |\n")
			}
			if note != "" {
				b.WriteString("\n")
			}
		}
		b.WriteString(note)
		buf.Write(b.Bytes())
	case TableCSV:
		cw := csv.NewWriter(&buf)
		header := []string{"slug", "name", "estimate", "context", "params_total", "params_active",
			"forward_flops_per_token", "training_flops_per_token", "kv_cache_bytes_per_token", "weights_bf16_bytes",
			"training_state_bytes"}
		if len(rows) > 0 && rows[0].deployed != nil {
			header = append(header, deployedCSVHeader...)
		}
		_ = cw.Write(header)
		for _, r := range rows {
			_ = cw.Write(append([]string{r.model.Slug, r.model.Name, fmt.Sprint(r.model.Estimate), fmt.Sprint(r.context),
				fmt.Sprint(r.paramsTotal), fmt.Sprint(r.paramsActive), r.forwardPerToken.String(), r.trainingPerToken.String(),
				fmt.Sprint(r.kvBytesPerToken), fmt.Sprint(r.weightsBF16Bytes), fmt.Sprint(r.trainingStateBytes)},
				deployedCSV(r.deployed)...))
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("render: unknown table format %q", string(f))
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// compareFootnote says what the figures of rows mean: the sequence their
// per-token FLOPs are averaged over and the dtype of their KV cache, as the
// rows' workloads say. It is "" for no rows.
func compareFootnote(rows []compareRow) (string, error) {
	if len(rows) == 0 {
		return "", nil
	}
	atContext, sameSeq, sameKV := true, true, true
	for _, r := range rows {
		atContext = atContext && r.seqLen == r.context
		sameSeq = sameSeq && r.seqLen == rows[0].seqLen
		sameKV = sameKV && r.kvDType == rows[0].kvDType
	}
	var seq string
	switch {
	case atContext:
		seq = "the model's context"
	case sameSeq:
		seq = grouped(rows[0].seqLen) + " tokens"
	default:
		return "", fmt.Errorf("compare: the reports average FLOPs per token over different sequence lengths (%s); "+
			"give every model its own context or one common length", describeRows(rows, func(r compareRow) string { return grouped(r.seqLen) }))
	}
	if !sameKV {
		return "", fmt.Errorf("compare: the reports keep their KV caches in different dtypes (%s); give every model one",
			describeRows(rows, func(r compareRow) string { return string(r.kvDType) }))
	}
	return "FLOPs per token: matmul FLOPs averaged over one sequence of " + seq + ", causal attention, " +
		"2 per multiply-accumulate; training = 3 × forward. KV cache in " + string(rows[0].kvDType) +
		". Training state: mixed-precision Adam, 16 bytes per parameter.\n" + recurrentFootnote(rows) + deployedFootnote(rows[0].deployed), nil
}

// recurrentFootnote says, for the models with Mamba-2 layers, that their
// KV cache per token counts the attention layers only, and what state each
// keeps per sequence whatever the context; "" when none has them.
func recurrentFootnote(rows []compareRow) string {
	var parts []string
	for _, r := range rows {
		if r.stateBytes > 0 {
			parts = append(parts, r.model.Slug+" "+byteCount(r.stateBytes))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "KV cache/token counts attention layers only; recurrent (Mamba, short-convolution, Gated DeltaNet, lightning-attention) layers keep a state per sequence, whatever the context: " +
		strings.Join(parts, ", ") + ".\n"
}

// describeRows lists each row's slug with what of it: "gpt2 1,024, mistral-7b 8,192".
func describeRows(rows []compareRow, what func(compareRow) string) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = r.model.Slug + " " + what(r)
	}
	return strings.Join(parts, ", ")
}

func compareCells(r compareRow, short bool) []string {
	name := r.model.Slug
	if r.model.Estimate {
		name += " (estimate)"
	}
	countCell, bytesCell := count, byteCount
	if !short {
		countCell = grouped
		bytesCell = func(n int64) string { return grouped(n) + " B" }
	}
	return append([]string{name, grouped(r.context), countCell(r.paramsTotal), countCell(r.paramsActive),
		fraction(r.forwardPerToken), fraction(r.trainingPerToken), bytesCell(r.kvBytesPerToken),
		bytesCell(r.weightsBF16Bytes), bytesCell(r.trainingStateBytes)}, deployedCells(r.deployed, short)...)
}
