package presets

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// longcatZeroExpertRows is what transformers 5.17's num_parameters() counts
// beyond params.total for LongCat-Flash: its fused gate_up_proj has rows
// for every router slot, the zero-computation experts' included (MoE
// layers × zero_computation_experts × 2·moe_intermediate_size × hidden),
// where its down_proj and the checkpoint hold the FFN experts only. 0
// otherwise.
func longcatZeroExpertRows(c scale.Config, r *scale.Report) int64 {
	var moe int64
	for _, lg := range r.Layers {
		if lg.MoE {
			moe += lg.Count
		}
	}
	return moe * c.ZeroComputationExperts * 2 * c.MoEIntermediateSize * c.HiddenSize
}

// TestTransformersCounts: every config in testdata/transformers/counts.csv
// (real configs of testdata/hf and random tiny configs of the hybrid model
// types) imports to the num_parameters() that transformers itself gave for
// it on a GPU machine, with params.vision added where the model has a
// vision tower, and what transformers 5.17 counts beyond it on purpose
// (transformersCount).
func TestTransformersCounts(t *testing.T) {
	rows := transformersCSV(t, "counts.csv", 4)
	if len(rows) < 200 {
		t.Errorf("%d rows in counts.csv, want at least 200", len(rows))
	}
	for _, cols := range rows {
		want, err := strconv.ParseInt(cols[2], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		file := cols[0]
		t.Run(file, func(t *testing.T) {
			got, extra, err := transformersCount(file)
			if err != nil {
				t.Fatal(err)
			}
			if got+extra != want {
				t.Errorf("params.total %d (+ %d that transformers 5.17 counts beyond it), transformers %s num_parameters() %d (differ by %d)",
					got, extra, cols[3], want, want-got-extra)
			}
		})
	}
}

// transformersCSV reads testdata/transformers/name: its rows of n
// comma-separated columns, comment lines (#) and the header left out.
func transformersCSV(t *testing.T, name string, n int) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "transformers", name))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "config,") {
			continue
		}
		cols := strings.Split(line, ",")
		if len(cols) != n {
			t.Fatalf("%s: malformed row %q", name, line)
		}
		rows = append(rows, cols)
	}
	return rows
}

// transformersCount is params.total plus params.vision of the config at
// file, under testdata, and what transformers 5.17 counts beyond it on
// purpose: a Zamba2 model's untied shared blocks (zamba2UntiedBlocks) and
// LongCat-Flash's zero-expert rows (longcatZeroExpertRows).
func transformersCount(file string) (total, extra int64, err error) {
	path := filepath.Join("..", "testdata", filepath.FromSlash(file))
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	p, err := FromHFConfig(path, data)
	if err != nil {
		return 0, 0, err
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 16, DType: scale.BF16})
	if err != nil {
		return 0, 0, err
	}
	return r.Params.Total + r.Params.Vision, zamba2UntiedBlocks(p.Config, r) + longcatZeroExpertRows(p.Config, r), nil
}

// zamba2UntiedBlocks is what transformers 5.17's num_parameters() counts
// beyond params.total for a model with shared blocks and an untied LM head:
// its post_init then unties the tied modules, so that each hybrid layer
// holds a copy of its block, and each copy keeps the block's adapters (one
// per use of the block). Block b, used u_b times, is counted u_b times
// with its u_b adapters: Σ_b (u_b − 1)·(W + u_b·A) more, W the block's own
// weights and A one use's adapters. With tie_word_embeddings true the
// blocks stay shared, as in transformers 4.x and the checkpoints (the
// recorded counts show both). 0 otherwise.
func zamba2UntiedBlocks(c scale.Config, r *scale.Report) int64 {
	if r.Params.SharedBlocks == 0 || c.TieWordEmbeddings {
		return 0
	}
	var uses int64
	for _, l := range c.Layers {
		if l.SharedBlock {
			uses++
		}
	}
	built := min(c.SharedBlocks, uses)
	w := r.Params.SharedBlocks / built
	var a int64
	for _, lg := range r.Layers {
		if lg.Shape != nil && lg.Shape.SharedBlock {
			for _, o := range lg.Ops {
				if strings.Contains(o.Name, "_adapter_") {
					a += o.Params
				}
			}
			break
		}
	}
	var extra int64
	for b := range built {
		ub := (uses-b-1)/c.SharedBlocks + 1 // uses j ≡ b (mod shared_blocks), j < uses
		extra += (ub - 1) * (w + ub*a)
	}
	return extra
}
