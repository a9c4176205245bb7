package scale

import (
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
)

// gpt3175B is GPT-3 175B's shape (Brown et al. 2020, Table 2.1): the GPT-2
// block with h = 12288, 96 layers of 96 heads, 2048 positions.
func gpt3175B() Config {
	c := gpt2Style(12288, 96, 96)
	c.MaxPositionEmbeddings = 2048
	return c
}

func mustAnalyzeOn(t *testing.T, c Config, w Workload, d Deployment) *Report {
	t.Helper()
	r, err := AnalyzeOn(c, w, d)
	if err != nil {
		t.Fatalf("AnalyzeOn: %v", err)
	}
	return r
}

// TestKorthikantiTable2AtT8 reproduces every row of Korthikanti et al. 2022
// Table 2 for one layer of GPT-3 175B at t = 8, s = 2048, b = 1 and b = 4,
// in exact bytes, from the formulas as printed (sbh(34 + 5as/h) …) evaluated
// with exact fractions here; and each layout selects its row.
func TestKorthikantiTable2AtT8(t *testing.T) {
	c := gpt3175B()
	const s, h, a, tp = 2048, 12288, 96, 8
	for _, b := range []int64{1, 4} {
		sbh := big.NewRat(s*b*h, 1)
		frac := func(n, d int64) *big.Rat { return big.NewRat(n, d) }
		sum := func(xs ...*big.Rat) *big.Rat {
			r := new(big.Rat)
			for _, x := range xs {
				r.Add(r, x)
			}
			return r.Mul(r, sbh)
		}
		want := map[string]*big.Rat{
			RowNoParallelism:       sum(frac(34, 1), frac(5*a*s, h)),
			RowTensor:              sum(frac(10, 1), frac(24, tp), frac(5*a*s, h*tp)),
			RowTensorSequence:      sum(frac(34, tp), frac(5*a*s, h*tp)),
			RowTensorSelective:     sum(frac(10, 1), frac(24, tp)),
			RowTensorSequenceSelec: sum(frac(34, tp)),
			RowFull:                sum(frac(2, 1)),
		}
		for _, l := range []Layout{
			{TP: tp, PP: 16, DP: 8, EP: 1, CP: 1, MicroBatchSize: b},
			{TP: tp, PP: 16, DP: 8, EP: 1, CP: 1, MicroBatchSize: b, SequenceParallel: true},
			{TP: tp, PP: 16, DP: 8, EP: 1, CP: 1, MicroBatchSize: b, Recompute: RecomputeSelective},
			{TP: tp, PP: 16, DP: 8, EP: 1, CP: 1, MicroBatchSize: b, Recompute: RecomputeSelective, SequenceParallel: true},
			{TP: tp, PP: 16, DP: 8, EP: 1, CP: 1, MicroBatchSize: b, Recompute: RecomputeFull},
		} {
			r := mustAnalyzeOn(t, c, Workload{BatchSize: 1, SeqLen: s, DType: BF16}, Deployment{Layout: &l})
			acts := r.PerGPU.Activations
			if !acts.Applies || len(acts.Groups) != 1 {
				t.Fatalf("GPT-3 175B: Table 2 applies %v over %d layer groups, want true over 1", acts.Applies, len(acts.Groups))
			}
			var selected []string
			for _, row := range acts.Groups[0].Rows {
				w := want[row.Row]
				if !w.IsInt() {
					t.Fatalf("b=%d %s: Table 2 gives %s bytes, not whole", b, row.Row, w.RatString())
				}
				if row.BytesPerLayer.Cmp(w.Num()) != 0 {
					t.Errorf("b=%d %s (%s): %v bytes, want %v", b, row.Row, row.Formula, row.BytesPerLayer, w.Num())
				}
				if row.Selected {
					selected = append(selected, row.Row)
				}
			}
			if len(selected) != 1 || selected[0] != selectedRow(l.resolved()) {
				t.Errorf("layout %+v selects %v, want %s", l, selected, selectedRow(l.resolved()))
			}
		}
	}
}

// TestTable2AtT1IsTheReportsKorthikanti: at t = 1 the no-parallelism and
// selective rows times the layers are memory.training_activations'
// Korthikanti conventions (eq. 1 and eq. 6), computed elsewhere.
func TestTable2AtT1IsTheReportsKorthikanti(t *testing.T) {
	c := gpt2Style(768, 12, 12)
	w := Workload{BatchSize: 3, SeqLen: 1024, DType: BF16}
	l := OneGPU()
	l.MicroBatchSize = 3
	r := mustAnalyzeOn(t, c, w, Deployment{Layout: &l})
	rows := map[string]*big.Int{}
	for _, row := range r.PerGPU.Activations.Groups[0].Rows {
		rows[row.Row] = scaledBy(row.BytesPerLayer, c.NumHiddenLayers)
	}
	for _, tm := range r.Memory.TrainingActivations {
		var row string
		switch tm.Convention {
		case ConventionKorthikantiFull:
			row = RowNoParallelism
		case ConventionKorthikantiSelective:
			row = RowTensorSelective
		default:
			continue
		}
		if rows[row].Cmp(tm.Bytes) != 0 {
			t.Errorf("%s × L = %v, memory.training_activations %q = %v", row, rows[row], tm.Convention, tm.Bytes)
		}
	}
	if rows[RowTensor].Cmp(rows[RowNoParallelism]) != 0 || rows[RowTensorSequence].Cmp(rows[RowNoParallelism]) != 0 {
		t.Errorf("at t = 1 the tensor-parallel rows must be the no-parallelism row")
	}
}

// TestZeROPaperExample reproduces Rajbhandari et al. 2020, Figure 1: Ψ =
// 7.5 B parameters, N_d = 64, K = 12 give 120, 31.4, 16.6 and 1.9 GB of
// model states per GPU for the baseline and ZeRO stages 1, 2 and 3
// (exactly 120, 31.40625, 16.640625 and 1.875 × 10^9 bytes).
func TestZeROPaperExample(t *testing.T) {
	psi := paramShard{denseOther: 7_500_000_000}
	want := []int64{120_000_000_000, 31_406_250_000, 16_640_625_000, 1_875_000_000}
	for zero, w := range want {
		calc := &checked{}
		weights, grads, state := modelStateBytes(calc, psi, 64, 1, int64(zero), OptimizerAdam)
		if got := weights + grads + state; got != w || calc.err != nil {
			t.Errorf("ZeRO-%d: %d bytes (%v), want %d", zero, got, calc.err, w)
		}
	}
}

// TestModelStatesRounding: a shard of Ψ over N ranks is ⌈Ψ/N⌉ elements,
// and each optimizer keeps its own state.
func TestModelStatesRounding(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		p                      paramShard
		nd, ne, zero           int64
		opt                    Optimizer
		weights, grads, states int64
	}{
		{"ZeRO-3 of 10 over 3", paramShard{denseOther: 10}, 3, 1, 3, OptimizerAdam, 2 * 4, 2 * 4, 12 * 4},
		{"experts shard over their own ranks", paramShard{denseOther: 10, expertMatrix: 10}, 3, 4, 2, OptimizerAdam,
			2*10 + 2*10, 2*4 + 2*3, 12*4 + 12*3},
		{"8-bit Adam: absmax per 2048", paramShard{denseOther: 4097}, 1, 1, 0, OptimizerAdam8bit, 2 * 4097, 2 * 4097,
			4*4097 + 2*4097 + 2*4*3},
		{"SGD with momentum", paramShard{denseMatrix: 100}, 1, 1, 0, OptimizerSGD, 200, 200, 800},
		{"Muon on matrices, AdamW on the rest", paramShard{denseMatrix: 3000, denseOther: 1096}, 1, 1, 0, OptimizerMuon,
			2 * 4096, 2 * 4096, 4*4096 + 4*3000 + 8*1096},
		{"Muon sharded", paramShard{denseMatrix: 3001, denseOther: 1095}, 2, 1, 1, OptimizerMuon,
			2 * 4096, 2 * 4096, 4*2048 + 4*1501 + 8*548},
	} {
		calc := &checked{}
		w, g, s := modelStateBytes(calc, tt.p, tt.nd, tt.ne, tt.zero, tt.opt)
		if w != tt.weights || g != tt.grads || s != tt.states {
			t.Errorf("%s: weights %d, gradients %d, optimizer %d; want %d, %d, %d", tt.name, w, g, s, tt.weights, tt.grads, tt.states)
		}
	}
}

// TestPipelineFirstStage: under 1F1B stage i holds min(pp − i, m)
// micro-batches, so GPT-3 175B's first stage holds the activations of all
// 96 layers' worth whatever pp (Korthikanti et al. 2022, §4.2.3), and fewer
// micro-batches than stages hold fewer.
func TestPipelineFirstStage(t *testing.T) {
	c := gpt3175B()
	w := Workload{BatchSize: 1, SeqLen: 2048, DType: BF16}
	for _, tt := range []struct{ pp, m, inFlight int64 }{{16, 0, 16}, {16, 64, 16}, {16, 4, 4}, {8, 0, 8}, {96, 0, 96}, {4, 1, 1}} {
		l := Layout{TP: 8, PP: tt.pp, DP: 1, EP: 1, CP: 1, MicroBatchSize: 1, MicroBatches: tt.m, SequenceParallel: true,
			Recompute: RecomputeSelective}
		r := mustAnalyzeOn(t, c, w, Deployment{Layout: &l})
		tr := r.PerGPU.Training
		if tr.Stage != 0 || tr.Layers != 96/tt.pp || tr.MicroBatchesInFlight != tt.inFlight {
			t.Errorf("pp %d, m %d: stage %d with %d layers and %d micro-batches in flight; want stage 0, %d, %d",
				tt.pp, tt.m, tr.Stage, tr.Layers, tr.MicroBatchesInFlight, 96/tt.pp, tt.inFlight)
		}
		perLayer := r.PerGPU.Activations.Groups[0].Rows[4].BytesPerLayer // sbh(34/t)
		want := scaledBy(perLayer, 96/tt.pp, tt.inFlight)
		if got := part(tr, PartActivations); got.Cmp(want) != 0 {
			t.Errorf("pp %d, m %d: activations %v, want %v", tt.pp, tt.m, got, want)
		}
		if tt.m == 0 && part(tr, PartActivations).Cmp(scaledBy(perLayer, 96)) != 0 {
			t.Errorf("pp %d: the first stage does not hold L layers' worth", tt.pp)
		}
	}
}

func part(m GPUMemory, name string) *big.Int {
	for _, p := range m.Parts {
		if p.Name == name {
			return p.Bytes
		}
	}
	return nil
}

// TestStageLayers: stages cover every layer once, in order, and differ by
// at most one layer, the first L mod pp holding the extra one.
func TestStageLayers(t *testing.T) {
	for L := int64(1); L <= 130; L++ {
		for pp := int64(1); pp <= L; pp++ {
			next := int64(0)
			for i := int64(0); i < pp; i++ {
				first, n := stageLayers(L, pp, i)
				if first != next || n < L/pp || n > L/pp+1 || (n == L/pp+1) != (i < L%pp) {
					t.Fatalf("L %d, pp %d, stage %d: layers %d..%d", L, pp, i, first, first+n-1)
				}
				next = first + n
			}
			if next != L {
				t.Fatalf("L %d, pp %d: stages cover %d layers", L, pp, next)
			}
		}
	}
}

// TestShardsSumToTheModel: with tp = 1, the pipeline stages' parameters
// add up to params.total (plus the last stage's copy of a tied embedding);
// with tp = t the GPU holds the replicated parameters whole and the rest
// split t ways, counted here from the GPT-2 block by hand.
func TestShardsSumToTheModel(t *testing.T) {
	forEachRandom(t, 200, func(t *testing.T, c Config, w Workload) {
		r := mustAnalyze(t, c, w)
		m := newGPUModel(&checked{}, r)
		for _, pp := range []int64{1, 2, c.NumHiddenLayers} {
			l := OneGPU()
			l.PP = pp
			l = l.resolved()
			shards, err := m.shards(l)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for i := int64(0); i < pp; i++ {
				_, p, _ := m.stage(l, i, shards)
				sum += p.dense() + p.expert()
			}
			want := r.Params.Total
			if c.TieWordEmbeddings && pp > 1 {
				want += c.VocabSize * c.HiddenSize
			}
			if sum != want {
				t.Errorf("pp %d: stages hold %d parameters, want %d", pp, sum, want)
			}
		}
	})

	c := gpt2Style(768, 12, 12)
	const tp = 4
	h, L, V := c.HiddenSize, c.NumHiddenLayers, c.VocabSize
	l := Layout{TP: tp, PP: 1, DP: 1, EP: 1, CP: 1, MicroBatchSize: 1}
	r := mustAnalyzeOn(t, c, Workload{BatchSize: 1, SeqLen: 1024, DType: BF16}, Deployment{Layout: &l})
	// Replicated: two LayerNorms (2h each), the o_proj and down_proj biases
	// per layer; the final LayerNorm and the position table.
	replicatedParams := L*(2*2*h+h+h) + 2*h + c.MaxPositionEmbeddings*h
	embedding := V * h
	split := r.Params.Total - replicatedParams - embedding
	want := replicatedParams + split/tp + (V+tp-1)/tp*h
	if split%tp != 0 {
		t.Fatalf("split parameters %d do not divide by %d", split, tp)
	}
	if got := r.PerGPU.Training.Params.Total; got != want {
		t.Errorf("GPT-2 small at tp %d: %d parameters per GPU, want %d", tp, got, want)
	}
}

// TestExpertShards: routed experts are split ep ways by whole experts and
// etp ways inside each; the rest of the layer tp ways.
func TestExpertShards(t *testing.T) {
	c := llamaStyle(1000, 64, 2, 8, 8, 8, 0)
	c.NumLocalExperts, c.NumExpertsPerTok, c.MoEIntermediateSize = 8, 2, 32
	w := Workload{BatchSize: 1, SeqLen: 16, DType: BF16}
	for _, tt := range []struct{ tp, ep, etp, dp int64 }{{1, 4, 1, 4}, {2, 4, 1, 2}, {2, 2, 2, 2}, {2, 8, 1, 4}} {
		l := Layout{TP: tt.tp, PP: 1, DP: tt.dp, EP: tt.ep, ETP: tt.etp, CP: 1, MicroBatchSize: 1}
		r := mustAnalyzeOn(t, c, w, Deployment{Layout: &l})
		perExpert := 3 * 64 * 32 / tt.etp // gate, up, down
		want := c.NumHiddenLayers * (8 / tt.ep) * perExpert
		p := r.PerGPU.Training.Params
		if p.Expert != want {
			t.Errorf("tp %d ep %d etp %d: %d expert parameters per GPU, want %d", tt.tp, tt.ep, tt.etp, p.Expert, want)
		}
		if ne := tt.tp * tt.dp / (tt.ep * tt.etp); p.ExpertShards != ne || p.DenseShards != tt.dp {
			t.Errorf("tp %d ep %d etp %d dp %d: ZeRO groups N_d %d, N_e %d; want %d, %d", tt.tp, tt.ep, tt.etp, tt.dp,
				p.DenseShards, p.ExpertShards, tt.dp, ne)
		}
	}
}

// TestKVHeadsReplicated: with tp above the KV heads each GPU holds one KV
// head (tp/K GPUs per head), and the inference KV cache per GPU is one
// head's.
func TestKVHeadsReplicated(t *testing.T) {
	c := llamaStyle(1000, 256, 4, 32, 8, 8, 512)
	w := Workload{BatchSize: 2, SeqLen: 64, DType: BF16}
	for _, tt := range []struct{ tp, perGPU, copies int64 }{{1, 8, 1}, {4, 2, 1}, {8, 1, 1}, {16, 1, 2}, {32, 1, 4}} {
		l := Layout{TP: tt.tp, PP: 1, DP: 1, EP: 1, CP: 1, MicroBatchSize: 1}
		r := mustAnalyzeOn(t, c, w, Deployment{Layout: &l})
		g := r.PerGPU
		if g.KVHeadsPerGPU != tt.perGPU || g.KVHeadCopies != tt.copies {
			t.Errorf("tp %d: %d KV heads per GPU, %d copies; want %d, %d", tt.tp, g.KVHeadsPerGPU, g.KVHeadCopies, tt.perGPU, tt.copies)
		}
		want := big.NewInt(4 * 2 * tt.perGPU * 8 * 64 * 2 * 2) // layers × (k, v) × heads × d × s × b × 2 bytes
		if got := part(g.Inference, PartKVCache); got.Cmp(want) != 0 {
			t.Errorf("tp %d: KV cache per GPU %v bytes, want %v", tt.tp, got, want)
		}
	}
}

// TestLayoutValidate: each broken rule is a *FieldError naming its field,
// all of them at once.
func TestLayoutValidate(t *testing.T) {
	gpt3 := gpt3175B()
	qwen := llamaStyle(1000, 5120, 48, 40, 8, 128, 13824) // 40 heads, 8 KV heads
	moe := llamaStyle(1000, 64, 2, 8, 8, 8, 0)
	moe.NumLocalExperts, moe.NumExpertsPerTok, moe.MoEIntermediateSize = 8, 2, 32
	w := Workload{BatchSize: 1, SeqLen: 2048, DType: BF16}
	ok := Layout{TP: 1, PP: 1, DP: 1, EP: 1, CP: 1, MicroBatchSize: 1}
	with := func(f func(*Layout)) Layout { l := ok; f(&l); return l }
	for _, tt := range []struct {
		name   string
		c      Config
		l      Layout
		fields []string
		rule   string
	}{
		{"tp not dividing the heads", gpt3, with(func(l *Layout) { l.TP = 7 }), []string{"tp"}, "must divide num_attention_heads (96)"},
		{"tp and the KV heads", qwen, with(func(l *Layout) { l.TP = 5 }), []string{"tp"}, "num_key_value_heads (8)"},
		{"pp above the layers", gpt3, with(func(l *Layout) { l.PP = 97 }), []string{"pp"}, "num_hidden_layers (96)"},
		{"ep not dividing the experts", moe, with(func(l *Layout) { l.EP, l.DP = 3, 3 }), []string{"ep"}, "num_local_experts (8)"},
		{"ep in a dense model", gpt3, with(func(l *Layout) { l.EP, l.DP = 2, 2 }), []string{"ep"}, "dense model"},
		{"etp in a dense model", gpt3, with(func(l *Layout) { l.ETP = 2 }), []string{"etp"}, "dense model"},
		{"ep × etp above tp × dp × cp", moe, with(func(l *Layout) { l.EP, l.DP = 8, 4 }), []string{"ep"}, "tp × dp × cp"},
		{"cp not dividing seq_len", gpt3, with(func(l *Layout) { l.CP = 3 }), []string{"cp"}, "seq_len (2048)"},
		{"gpus not the product", gpt3, with(func(l *Layout) { l.TP, l.PP, l.DP, l.GPUs = 8, 16, 8, 1000 }), []string{"gpus"}, "1024"},
		{"everything at once", gpt3, Layout{TP: 0, PP: -1, DP: 1, EP: 1, CP: 1, MicroBatchSize: 0, ZeRO: 4, Recompute: "some",
			Schedule: "gpipe", Optimizer: "lion"}, []string{"tp", "pp", "micro_batch_size", "zero", "recompute", "schedule", "optimizer"}, ""},
		{"two rules of the model", gpt3, with(func(l *Layout) { l.TP, l.PP = 5, 100 }), []string{"tp", "pp"}, ""},
	} {
		err := tt.l.Validate(tt.c, w)
		var fields []string
		for _, e := range unwrapAll(err) {
			var fe *FieldError
			if !errors.As(e, &fe) {
				t.Errorf("%s: %v is not a *FieldError", tt.name, e)
				continue
			}
			fields = append(fields, fe.Field)
		}
		slices.Sort(fields)
		want := slices.Clone(tt.fields)
		slices.Sort(want)
		if !slices.Equal(fields, want) || (err != nil && !strings.Contains(err.Error(), tt.rule)) {
			t.Errorf("%s: %v; want fields %v with %q", tt.name, err, tt.fields, tt.rule)
		}
	}
	for _, l := range []Layout{with(func(l *Layout) { l.TP = 16 }), with(func(l *Layout) { l.TP, l.PP = 8, 48 })} {
		if err := l.Validate(qwen, w); err == nil && l.TP == 16 {
			t.Errorf("tp 16 on 40 heads accepted")
		}
	}
	if err := with(func(l *Layout) { l.TP, l.PP = 8, 7 }).Validate(qwen, w); err != nil {
		t.Errorf("pp 7 on 48 layers (uneven stages) refused: %v", err)
	}
}

func unwrapAll(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestTimeEstimates: training time is FLOPs ÷ (GPUs × peak × MFU), decode
// at most 1 ÷ the slower of its bounds, and a published run's implied MFU
// is its FLOPs ÷ (GPU-hours × 3600 × peak).
func TestTimeEstimates(t *testing.T) {
	c := gpt2Style(768, 12, 12)
	w := Workload{BatchSize: 2, SeqLen: 1024, DType: BF16, TrainingTokens: 1_000_000_000}
	dev := &Device{Slug: "toy", MemoryBytes: 1 << 34, BandwidthBytesPerSecond: 1_000_000_000_000,
		PeakFLOPs: []PeakFLOPs{{Precision: "bf16", PerSecond: 100_000_000_000_000}}}
	l := Layout{TP: 2, PP: 2, DP: 4, EP: 1, CP: 1, MicroBatchSize: 2, MicroBatches: 8}
	pub := &PublishedRun{Tokens: 2_000_000_000, GPUHours: 1000, Device: dev, Source: "a test"}
	r := mustAnalyzeOn(t, c, w, Deployment{Layout: &l, Device: dev, MFU: big.NewRat(1, 2), Published: pub})
	tm := r.Time
	rate := big.NewRat(16*100_000_000_000_000/2, 1) // GPUs × peak × MFU
	secs := new(big.Rat).Quo(new(big.Rat).SetInt(r.FLOPs.TrainingRun.FLOPs), rate)
	if tm.Run.Seconds.Rat().Cmp(secs) != 0 || tm.Run.TokensFrom != TokensTrainingTokens {
		t.Errorf("training run: %s s from %s, want %s s from -tokens", tm.Run.Seconds, tm.Run.TokensFrom, secs.RatString())
	}
	if want := new(big.Rat).Mul(secs, big.NewRat(16, 3600)); tm.Run.GPUHours.Rat().Cmp(want) != 0 {
		t.Errorf("GPU-hours %s, want %s", tm.Run.GPUHours, want.RatString())
	}
	// A step: dp × micro-batch × micro-batches = 64 sequences of 1024 tokens.
	if want := scaledBy(r.FLOPs.Training, 32); tm.Step.Tokens.Int64() != 64*1024 || tm.Step.FLOPs.Cmp(want) != 0 {
		t.Errorf("step: %v tokens, %v FLOPs; want 65536, %v", tm.Step.Tokens, tm.Step.FLOPs, want)
	}
	d := tm.Decode
	mem := new(big.Rat).SetFrac(d.BytesRead, big.NewInt(2*1_000_000_000_000))
	comp := new(big.Rat).SetFrac(d.FLOPs, big.NewInt(2*100_000_000_000_000))
	slow := mem
	if comp.Cmp(mem) > 0 {
		slow = comp
	}
	if d.MemorySeconds.Rat().Cmp(mem) != 0 || d.ComputeSeconds.Rat().Cmp(comp) != 0 ||
		new(big.Rat).Mul(d.TokensPerSecond.Rat(), slow).Cmp(big.NewRat(1, 1)) != 0 {
		t.Errorf("decode bounds %s, %s, %s tokens/s", d.MemorySeconds, d.ComputeSeconds, d.TokensPerSecond)
	}
	want := bigProduct(1000, 3600, 100_000_000_000_000)
	implied := ratio(tm.Published.FLOPs, new(big.Rat).SetInt(want))
	if tm.Published.ImpliedMFU != implied || implied <= 0 {
		t.Errorf("implied MFU %v, want %v", tm.Published.ImpliedMFU, implied)
	}
	if got := tm.Published.FLOPs; got.Cmp(scaledBy(r.FLOPs.TrainingRun.FLOPs, 2)) != 0 {
		t.Errorf("published FLOPs %v, want twice the 1B-token run's %v", got, r.FLOPs.TrainingRun.FLOPs)
	}
}

// TestSmallestInference: the search's answer is the smallest tp × pp among
// every valid layout evaluated one by one.
func TestSmallestInference(t *testing.T) {
	c := llamaStyle(32000, 1024, 12, 16, 4, 64, 2816)
	w := Workload{BatchSize: 8, SeqLen: 4096, DType: BF16}
	for _, memory := range []int64{1 << 27, 1 << 28, 3 << 27, 1 << 29, 1 << 31, 1 << 20} {
		dev := &Device{Slug: "toy", MemoryBytes: memory, BandwidthBytesPerSecond: 1}
		r := mustAnalyzeOn(t, c, w, Deployment{Device: dev})
		best := int64(0)
		for tp := int64(1); tp <= 16; tp++ {
			for pp := int64(1); pp <= 12; pp++ {
				l := Layout{TP: tp, PP: pp, DP: 1, EP: 1, CP: 1, MicroBatchSize: 1}
				if l.Validate(c, w) != nil {
					continue
				}
				one := mustAnalyzeOn(t, c, w, Deployment{Layout: &l, Device: dev})
				if one.PerGPU.Inference.Fit.Fits && (best == 0 || tp*pp < best) {
					best = tp * pp
				}
			}
		}
		if got := r.Time.InferenceGPUs.GPUs; got != best {
			t.Errorf("memory %d: the search gives %d GPUs, brute force %d", memory, got, best)
		}
	}
}
