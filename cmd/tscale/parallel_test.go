package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tscale/tscale/presets"
)

// TestDeploymentFlags: the layout and device flags of report, their
// output, and their mistakes: exit 2, one line naming the flag, nothing on
// stdout.
func TestDeploymentFlags(t *testing.T) {
	const usage = "; run 'tscale help report' for usage\n"
	doneWhen := []string{"report", "-tp", "8", "-pp", "16", "-dp", "8", "-sp", "-recompute", "selective", "-gpu", "a100-80gb", "gpt3-175b"}
	for _, tt := range []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		exactErr string
		stderr   string
	}{
		{name: "done when", args: doneWhen, code: exitOK, stdout: []string{
			"Per-GPU memory: the most loaded GPU", "2 B × Ψ (bf16 weights)", "12 B × Ψ (fp32 master weights 4",
			"*  tensor + sequence parallel + selective recomputation  sbh(34/t)", "fits one a100-80gb of 85,899,345,920 B (80.0 GiB): yes, headroom",
			"training run    300,000,000,000 tokens (the published run)", "MFU 40% (the default: an assumption"}},
		{name: "layout without a device", args: []string{"report", "-tp", "2", "gpt2"}, code: exitOK,
			stdout: []string{"Parallel layout", "Per-GPU memory"}},
		{name: "custom device", args: []string{"report", "-gpu-memory", "80Gi", "-peak-flops", "989.5T", "-bandwidth", "3.35T", "-mfu", "45%", "llama-3.1-8b"},
			code: exitOK, stdout: []string{"a device described on the command line (custom)", "MFU 45%;", "bf16 peak: -peak-flops 989500000000000"}},
		{name: "a GPU with its memory replaced", args: []string{"report", "-gpu", "H100", "-gpu-memory", "96Gi", "llama-3.1-8b"}, code: exitOK,
			stdout: []string{"103,079,215,104 B (96.0 GiB)", "memory: -gpu-memory 103079215104"}},
		{name: "mfu as a ratio", args: []string{"report", "-gpu", "h100", "-mfu", "1/2", "llama-3.1-8b"}, code: exitOK, stdout: []string{"MFU 50%;"}},
		{name: "tp not dividing heads", args: []string{"report", "-tp", "7", "gpt3-175b"}, code: exitUsage,
			exactErr: "tscale: report: -tp must divide num_attention_heads (96), got 7" + usage},
		{name: "pp above the layers", args: []string{"report", "-pp", "97", "gpt3-175b"}, code: exitUsage,
			exactErr: "tscale: report: -pp must not exceed num_hidden_layers (96): each stage holds at least one layer, got 97" + usage},
		{name: "ep not dividing experts", args: []string{"report", "-ep", "3", "-dp", "3", "deepseek-v3"}, code: exitUsage,
			stderr: "-ep must divide num_local_experts (256), got 3"},
		{name: "gpus not the product", args: []string{"report", "-tp", "8", "-pp", "16", "-dp", "8", "-gpus", "1000", "gpt3-175b"}, code: exitUsage,
			exactErr: "tscale: report: -gpus must equal tp × pp × dp × cp (8 × 16 × 8 × 1 = 1024), got 1000" + usage},
		{name: "cp not dividing seq", args: []string{"report", "-cp", "3", "gpt3-175b"}, code: exitUsage, stderr: "-cp must divide seq_len (2048), got 3"},
		{name: "two layout mistakes", args: []string{"report", "-tp", "0", "-zero", "4", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -tp must be a positive integer, got 0; -zero must be a ZeRO stage from 0 to 3, got 4" + usage},
		{name: "bad recompute", args: []string{"report", "-recompute", "partial", "gpt2"}, code: exitUsage,
			stderr: "-recompute must be \"none\", \"selective\" or \"full\", got \"partial\""},
		{name: "bad optimizer", args: []string{"report", "-optimizer", "lion", "gpt2"}, code: exitUsage,
			stderr: "-optimizer must be one of adam, adamw, adam-8bit, sgd, muon, got \"lion\""},
		{name: "bad schedule", args: []string{"report", "-schedule", "gpipe", "gpt2"}, code: exitUsage, stderr: "-schedule must be \"1f1b\""},
		{name: "unknown GPU", args: []string{"report", "-gpu", "h1000", "gpt2"}, code: exitUsage, stderr: "-gpu: unknown GPU \"h1000\"; did you mean"},
		{name: "half a device", args: []string{"report", "-gpu-memory", "80Gi", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: a device without -gpu needs -gpu-memory, -peak-flops and -bandwidth; missing -peak-flops, -bandwidth" + usage},
		{name: "mfu above 1", args: []string{"report", "-gpu", "h100", "-mfu", "1.5", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -mfu must be above 0 and at most 1, got 1.5" + usage},
		{name: "mfu not a number", args: []string{"report", "-gpu", "h100", "-mfu", "fast", "gpt2"}, code: exitUsage,
			stderr: "-mfu must be a fraction (0.4, 2/5) or a percentage (40%), got \"fast\""},
		{name: "mfu without a device", args: []string{"report", "-mfu", "0.5", "gpt2"}, code: exitUsage, stderr: "-mfu needs a device"},
		{name: "zero memory", args: []string{"report", "-gpu", "h100", "-gpu-memory", "0", "gpt2"}, code: exitUsage,
			stderr: "-gpu-memory must be a positive integer, got 0"},
		{name: "sp with a value", args: []string{"report", "-sp=maybe", "gpt2"}, code: exitUsage, stderr: "-sp"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, nil, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q", s)
				}
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q: %s", tt.stderr, stderr.String())
			}
			if tt.exactErr != "" && stderr.String() != tt.exactErr {
				t.Errorf("stderr:\n got %q\nwant %q", stderr.String(), tt.exactErr)
			}
			checkStreams(t, code, stdout.String(), stderr.String())
		})
	}
}

// TestGPUsCommand: tscale gpus lists every device with its sources, as
// text and as JSON.
func TestGPUsCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"gpus"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, d := range presets.GPUs() {
		if !strings.Contains(stdout.String(), "\n"+d.Slug+" ") || !strings.Contains(stdout.String(), d.Sources[0]) {
			t.Errorf("tscale gpus lacks %s or its source", d.Slug)
		}
	}
	stdout.Reset()
	if code := run([]string{"gpus", "-format", "json"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var devs []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &devs); err != nil || len(devs) != len(presets.GPUs()) {
		t.Errorf("gpus -format json: %d devices, %v", len(devs), err)
	}
	for _, args := range [][]string{{"gpus", "h100"}, {"gpus", "-format", "csv"}} {
		stdout.Reset()
		stderr.Reset()
		code := run(args, nil, &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		checkStreams(t, code, stdout.String(), stderr.String())
	}
}

// TestCompareOnADevice: compare takes the layout and device flags: each
// model's most loaded GPU in the table, a mistake named with its model.
func TestCompareOnADevice(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{[]string{"compare", "-seq", "8Ki", "-tp", "8", "-gpu", "h100", "llama-3.1-70b", "llama-3.1-8b"}, exitOK,
			[]string{"GPU training", "inference GPUs", "397 GiB (does not fit)", "Fits: within one h100-sxm."}, ""},
		{[]string{"compare", "-format", "csv", "-tp", "2", "gpt2"}, exitOK,
			[]string{",gpu_training_bytes,gpu_training_fits,", ",,"}, ""},
		{[]string{"compare", "-format", "markdown", "-gpu", "a100-80gb", "gpt2"}, exitOK, []string{"| GPU training |"}, ""},
		{[]string{"compare", "-tp", "7", "gpt2"}, exitUsage, nil, "tscale: compare: gpt2: -tp must divide num_attention_heads (12), got 7"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, nil, &stdout, &stderr)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d: %s", tt.args, code, tt.code, stderr.String())
		}
		for _, s := range tt.stdout {
			if !strings.Contains(stdout.String(), s) {
				t.Errorf("%v: stdout lacks %q:\n%s", tt.args, s, stdout.String())
			}
		}
		if !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%v: stderr lacks %q: %s", tt.args, tt.stderr, stderr.String())
		}
		checkStreams(t, code, stdout.String(), stderr.String())
	}
}

// TestSweepOnADevice: sweep's per-GPU metrics, added to the default ones
// with a layout or device, each equal to report's number at that point.
func TestSweepOnADevice(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"sweep", "-seq", "8k,32k", "-batch", "1,8", "-tp", "8", "-gpu", "h100", "-format", "json", "llama-3.1-70b"}
	if code := run(args, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rows []map[string]any
	dec := json.NewDecoder(&stdout)
	dec.UseNumber()
	if err := dec.Decode(&rows); err != nil || len(rows) != 4 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for _, row := range rows {
		var rep bytes.Buffer
		seq, batch := row["seq_len"].(json.Number).String(), row["batch_size"].(json.Number).String()
		if code := run([]string{"report", "-format", "json", "-seq", seq, "-batch", batch, "-tp", "8", "-gpu", "h100", "llama-3.1-70b"},
			nil, &rep, &stderr); code != exitOK {
			t.Fatalf("report: exit %d: %s", code, stderr.String())
		}
		var doc struct {
			PerGPU struct {
				Training, Inference struct {
					TotalBytes json.Number `json:"total_bytes"`
				}
			} `json:"per_gpu"`
			Time struct {
				InferenceGPUs struct {
					GPUs json.Number `json:"gpus"`
				} `json:"inference_gpus"`
				Decode struct {
					TokensPerSecond string `json:"tokens_per_second"`
				} `json:"decode"`
			} `json:"time"`
		}
		d := json.NewDecoder(&rep)
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{
			"gpu_training_bytes":       doc.PerGPU.Training.TotalBytes.String(),
			"gpu_inference_bytes":      doc.PerGPU.Inference.TotalBytes.String(),
			"inference_gpus":           doc.Time.InferenceGPUs.GPUs.String(),
			"decode_tokens_per_second": doc.Time.Decode.TokensPerSecond,
		} {
			if got := fmtJSON(row[name]); got != want {
				t.Errorf("seq %s batch %s: %s %s, report %s", seq, batch, name, got, want)
			}
		}
	}
	for _, tt := range []struct{ args []string }{
		{[]string{"sweep", "-metric", "inference_gpus", "gpt2"}},
		{[]string{"sweep", "-metric", "gpu_training_bytes", "gpt2"}},
		{[]string{"sweep", "-seq", "1k..1M/20000", "-tp", "2", "gpt2"}},
		{[]string{"sweep", "-seq", "1..8", "-cp", "2", "gpt2"}},
	} {
		stdout.Reset()
		stderr.Reset()
		code := run(tt.args, nil, &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", tt.args, code, exitUsage)
		}
		checkStreams(t, code, stdout.String(), stderr.String())
	}
}

func fmtJSON(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	s, _ := v.(string)
	return s
}

// The layout and device flags join FuzzRun's seeds.
func init() {
	fuzzSeeds = append(fuzzSeeds,
		[]string{"report", "-tp", "8", "-pp", "16", "-dp", "8", "-sp", "-recompute", "selective", "-gpu", "a100-80gb", "gpt3-175b"},
		[]string{"report", "-seq", "4Ki", "-pp", "16", "-dp", "128", "-ep", "64", "-zero", "1", "-gpu", "h100", "deepseek-v3"},
		[]string{"report", "-tp", "7", "-gpus", "9", "-mfu", "2", "gpt2"}, []string{"report", "-gpu-memory", "1", "-peak-flops", "1", "-bandwidth", "1", "gpt2"},
		[]string{"compare", "-tp", "4", "-gpu", "h200", "llama-3.1-8b"}, []string{"gpus"}, []string{"gpus", "-format", "json"},
		[]string{"sweep", "-seq", "1k..4k", "-cp", "2", "-gpu", "mi300x", "-metric", "inference_gpus", "gpt2"},
	)
}
