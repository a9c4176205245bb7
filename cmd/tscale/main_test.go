package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sebdah/goldie/v2"

	"github.com/tscale/tscale/presets"
)

// hfFixture makes a folder of config files for -hf: good ones, a malformed
// one and an unsupported one, each in its own folder so a test can pick.
func hfFixture(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	good, err := os.ReadFile("../../testdata/hf/gpt2.json")
	if err != nil {
		t.Fatal(err)
	}
	unsupported, err := os.ReadFile("../../testdata/hf-unsupported/falcon-7b-rw.json")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"good/small.json":            good,
		"good/My-Model/config.json":  good,
		"good/notes.txt":             []byte("not a config"),
		"dir[1]/small.json":          good,
		"mixed/a-good.json":          good,
		"mixed/b-bad.json":           []byte("{"),
		"mixed/c-unsupported.json":   unsupported,
		"mixed/d-folder/config.json": good,
		"empty/readme.txt":           []byte("no configs here"),
		"bad.json":                   []byte("{"),
		"allbad/bad.json":            []byte("{"),
		"plain-file":                 good,
		// The hostile configs the hardening issue found crashing or wrapping.
		"layers-2e63.json": []byte(`{"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008,
			"num_hidden_layers": 9223372036854775807, "num_attention_heads": 32}`),
		"layers-1e12.json": []byte(`{"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008,
			"num_hidden_layers": 1000000000000, "num_attention_heads": 32}`),
		"llama4-layers.json": []byte(`{"model_type": "llama4", "text_config": {"vocab_size": 202048, "hidden_size": 5120,
			"intermediate_size": 8192, "num_hidden_layers": 1000000000000, "num_attention_heads": 40, "num_local_experts": 16,
			"moe_layers": [0, 1, 2]}}`),
		"shared-wrap.json": []byte(`{"model_type": "deepseek_v3", "vocab_size": 129280, "hidden_size": 7168,
			"intermediate_size": 18432, "num_hidden_layers": 61, "num_attention_heads": 128, "kv_lora_rank": 512,
			"q_lora_rank": 1536, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
			"n_routed_experts": 256, "num_experts_per_tok": 8, "moe_intermediate_size": 2048,
			"n_shared_experts": 4611686018427387905, "first_k_dense_replace": 3}`),
		"gpt2-770.json":    []byte(`{"model_type": "gpt2", "vocab_size": 50257, "n_embd": 770, "n_layer": 12, "n_head": 12}`),
		"falcon-odd.json":  []byte(`{"model_type": "falcon", "vocab_size": 65024, "hidden_size": 4545, "num_hidden_layers": 32, "num_attention_heads": 71}`),
		"stray-brace.json": append(append([]byte{}, good...), '}'),
	}
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// gpt2Config is testdata/hf/gpt2.json.
func gpt2Config(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/hf/gpt2.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestCommandLine(t *testing.T) {
	hf := hfFixture(t)
	const (
		gpt2JSON    = "../../testdata/hf/gpt2.json"
		reportUsage = "; run 'tscale help report' for usage\n"
	)
	tests := []struct {
		name     string
		args     []string
		stdin    string // what the command reads from stdin (-hf -)
		code     int
		stdout   string // substring of stdout
		stderr   string // substring of stderr
		exactErr string // the whole of stderr, when set
		json     bool   // stdout is JSON
	}{
		{name: "help", args: []string{"-h"}, code: exitOK, stdout: "tscale report llama-3.1-8b"},
		{name: "help command", args: []string{"help"}, code: exitOK, stdout: "Run 'tscale help COMMAND'"},
		{name: "help help", args: []string{"help", "help"}, code: exitOK, stdout: "Run 'tscale help COMMAND'"},
		{name: "help -h", args: []string{"help", "-h"}, code: exitOK, stdout: "Run 'tscale help COMMAND'"},
		{name: "help report", args: []string{"help", "report"}, code: exitOK, stdout: "Examples:\n  tscale report llama-2-7b"},
		{name: "help unknown command", args: []string{"help", "frobnicate"}, code: exitUsage,
			exactErr: "tscale: help: unknown command \"frobnicate\"; the commands are reports, report, list, compare, sweep, gpus, version and help; run 'tscale help' for usage\n"},
		{name: "help two commands", args: []string{"help", "report", "list"}, code: exitUsage, stderr: "help takes one command name"},
		{name: "report help", args: []string{"report", "-h"}, code: exitOK, stdout: "Examples:\n  tscale report llama-2-7b"},
		{name: "report help after a slug", args: []string{"report", "gpt2", "-help"}, code: exitOK, stdout: "Counts (-seq, -batch, -tokens)"},
		{name: "reports help", args: []string{"reports", "-h"}, code: exitOK, stdout: "-keep-going"},
		{name: "list help", args: []string{"list", "-h"}, code: exitOK, stdout: "tscale list"},
		{name: "list", args: []string{"list"}, code: exitOK, stdout: "GPT-4 8k (estimate)"},
		{name: "report text", args: []string{"report", "llama-2-7b"}, code: exitOK, stdout: "6,738,415,616 (6.74 B)"},
		{name: "flags after slug", args: []string{"report", "llama-2-7b", "-seq", "8", "-batch", "2"}, code: exitOK,
			stdout: "batch 2 × sequence 8 = 16 tokens"},
		{name: "report json", args: []string{"report", "-format", "json", "-dtype", "int4", "gpt2"}, code: exitOK, json: true},
		{name: "dtype in capitals", args: []string{"report", "-dtype", "FP8", "gpt2"}, code: exitOK, stdout: "weights and activations in fp8"},

		// Counts: decimal, suffixes, e notation.
		{name: "leading zero is decimal", args: []string{"report", "-seq", "010", "gpt2"}, code: exitOK, stdout: "batch 1 × sequence 10 = 10 tokens"},
		{name: "k suffix", args: []string{"report", "-seq", "1k", "gpt2"}, code: exitOK, stdout: "batch 1 × sequence 1,000 = 1,000 tokens"},
		{name: "Ki suffix", args: []string{"report", "-seq", "1Ki", "-batch", "2k", "gpt2"}, code: exitOK,
			stdout: "batch 2,000 × sequence 1,024 = 2,048,000 tokens"},
		{name: "e notation", args: []string{"report", "-tokens", "1.5e13", "-seq", "1e3", "gpt2"}, code: exitOK,
			stdout: "batch 1 × sequence 1,000 = 1,000 tokens"},
		{name: "zero tokens", args: []string{"report", "-tokens", "0", "gpt2"}, code: exitOK, stdout: "GPT-2"},
		{name: "hex seq", args: []string{"report", "-seq", "0x10", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -seq must be a decimal integer, got \"0x10\"" + reportUsage},
		{name: "malformed seq", args: []string{"report", "-seq", "1x", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -seq must be a decimal integer, got \"1x\"" + reportUsage},
		{name: "fraction seq", args: []string{"report", "-seq", "0.5", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -seq must be a whole number, got \"0.5\"" + reportUsage},
		{name: "fraction in e notation", args: []string{"report", "-batch", "1.5e0", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -batch must be a whole number, got \"1.5e0\"" + reportUsage},
		{name: "batch past int64", args: []string{"report", "-batch", "1e30", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -batch must fit in a 64-bit integer (at most 9223372036854775807), got \"1e30\"" + reportUsage},
		{name: "tokens past int64", args: []string{"report", "-tokens", "9223372036854775808", "gpt2"}, code: exitUsage,
			stderr: "tscale: report: -tokens must fit in a 64-bit integer"},
		{name: "non-numeric seq", args: []string{"report", "-seq", "lots", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -seq must be a decimal integer, got \"lots\"" + reportUsage},
		{name: "seq without a value", args: []string{"report", "gpt2", "-seq"}, code: exitUsage,
			exactErr: "tscale: report: flag -seq needs a value" + reportUsage},
		{name: "json to a file, mistyped", args: []string{"report", "-format", "json", "-seq", "1e9x", "x"}, code: exitUsage,
			exactErr: "tscale: report: -seq must be a decimal integer, got \"1e9x\"" + reportUsage},

		// Workload rules, from scale.Workload.Validate, named by flag.
		{name: "negative seq", args: []string{"report", "-seq", "-5", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -seq must be a positive integer, got -5" + reportUsage},
		{name: "zero seq", args: []string{"report", "-seq", "0", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -seq must be a positive integer, got 0" + reportUsage},
		{name: "zero batch", args: []string{"report", "-batch", "0", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -batch must be a positive integer, got 0" + reportUsage},
		{name: "seq beyond learned positions", args: []string{"report", "-seq", "2048", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -seq must not exceed max_position_embeddings (1024) of a model with learned positions, got 2048" + reportUsage},
		{name: "batch past 2^32", args: []string{"report", "-batch", "9223372036854775807", "llama-2-7b"}, code: exitUsage,
			exactErr: "tscale: report: -batch must not exceed 4294967296 (2^32), got 9223372036854775807" + reportUsage},
		{name: "batch that made scale panic", args: []string{"report", "-seq", "2", "-batch", "4611686018427387904", "gpt2"}, code: exitUsage,
			stderr: "-batch must not exceed 4294967296 (2^32)"},
		{name: "long seq", args: []string{"report", "-seq", "1Mi", "llama-2-7b"}, code: exitOK, stdout: "sequence 1,048,576 = 1,048,576 tokens"},
		{name: "two workload mistakes", args: []string{"report", "-seq", "0", "-batch", "0", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -batch must be a positive integer, got 0; -seq must be a positive integer, got 0" + reportUsage},
		{name: "negative tokens", args: []string{"report", "-tokens", "-1", "llama-2-7b"}, code: exitUsage,
			exactErr: "tscale: report: -tokens must not be negative, got -1" + reportUsage},
		{name: "bad dtype", args: []string{"report", "-dtype", "fp64", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -dtype must be one of fp32, bf16, fp16, fp8, int8, int4, got \"fp64\"" + reportUsage},
		{name: "bad kv dtype", args: []string{"report", "-kv-dtype", "fp6", "llama-2-7b"}, code: exitUsage,
			stderr: "tscale: report: -kv-dtype must be empty (same as dtype) or one of fp32, bf16, fp16, fp8, int8, int4, got \"fp6\""},

		{name: "bad format", args: []string{"report", "-format", "xml", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: -format must be one of text, yaml, json, got \"xml\"" + reportUsage},
		{name: "unknown slug", args: []string{"report", "lama-2-7b"}, code: exitUsage, stderr: "did you mean llama-2-7b"},
		{name: "no slug", args: []string{"report"}, code: exitUsage, stderr: "exactly one preset slug"},
		{name: "two slugs", args: []string{"report", "gpt2", "gpt2-xl"}, code: exitUsage, stderr: "exactly one preset slug"},
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage,
			exactErr: "tscale: unknown command \"frobnicate\"; the commands are reports, report, list, compare, sweep, gpus, version and help; run 'tscale help' for usage\n"},
		{name: "unknown flag", args: []string{"list", "-x"}, code: exitUsage, exactErr: "tscale: list: unknown flag -x; run 'tscale help list' for usage\n"},
		{name: "unknown report flag", args: []string{"report", "-format", "json", "-sequence", "8", "gpt2"}, code: exitUsage,
			exactErr: "tscale: report: unknown flag -sequence" + reportUsage},
		{name: "list argument", args: []string{"list", "gpt2"}, code: exitUsage, stderr: "list takes no arguments"},
		{name: "reports argument", args: []string{"reports", "x"}, code: exitUsage, stderr: "reports takes no arguments"},
		{name: "reports empty out", args: []string{"reports", "-out", ""}, code: exitUsage, stderr: "-out must name a folder"},

		// report -hf: one file, read with a bound.
		{name: "report -hf", args: []string{"report", "-hf", "../../testdata/hf/mistral-7b.json"}, code: exitOK,
			stdout: "7,241,732,096 (7.24 B)"},
		{name: "report -hf and a slug", args: []string{"report", "-hf", "x.json", "gpt2"}, code: exitUsage, stderr: "not both"},
		{name: "report -hf missing file", args: []string{"report", "-hf", "no/such/config.json"}, code: exitFailure,
			exactErr: "tscale: no/such/config.json: no such file\n"},
		{name: "report -hf folder", args: []string{"report", "-hf", filepath.Join(hf, "good")}, code: exitFailure,
			exactErr: "tscale: " + filepath.Join(hf, "good") + " is a folder without a config.json (-hf reads a config file, " +
				"or a model folder that holds config.json)\n"},
		{name: "report -hf /dev/zero", args: []string{"report", "-hf", "/dev/zero"}, code: exitFailure,
			exactErr: "tscale: /dev/zero is not a regular file (a config file must be a file of at most 16 MiB)\n"},
		{name: "compare at one workload", args: []string{"compare", "-seq", "8Ki", "-format", "csv", "llama-3.1-8b", "mistral-7b"}, code: exitOK,
			stdout: "llama-3.1-8b,Llama 3.1 8B,false,131072,8030261248,8030261248,17157062656,"},
		{name: "compare past a learned context", args: []string{"compare", "-seq", "8Ki", "gpt2"}, code: exitUsage,
			stderr: "gpt2: -seq must not exceed max_position_embeddings (1024)"},
		{name: "sweep unknown metric", args: []string{"sweep", "-metric", "speed", "gpt2"}, code: exitUsage,
			stderr: "-metric must be a comma-separated list of tokens, forward_flops"},
		{name: "sweep bad range", args: []string{"sweep", "-seq", "8k..1k", "gpt2"}, code: exitUsage, stderr: "1 ≤ A ≤ B"},
		{name: "sweep too many points", args: []string{"sweep", "-seq", "1..1G/100000", "-batch", "1..1G/1000", "gpt2"},
			code: exitUsage, stderr: "more than the 10000000 a sweep evaluates"},
		{name: "sweep past context", args: []string{"sweep", "-seq", "512,2k", "gpt2"}, code: exitUsage,
			stderr: "gpt2: -seq must not exceed max_position_embeddings (1024)"},
		{name: "sweep no model", args: []string{"sweep", "-seq", "1k"}, code: exitUsage, stderr: "sweep takes preset slugs or -hf"},
		{name: "sweep bad dtype", args: []string{"sweep", "-dtype", "fp64", "gpt2"}, code: exitUsage,
			exactErr: "tscale: sweep: -dtype must be one of fp32, bf16, fp16, fp8, int8, int4, got \"fp64\"; run 'tscale help sweep' for usage\n"},
		{name: "sweep bad format", args: []string{"sweep", "-format", "xml", "gpt2"}, code: exitUsage, stderr: "-format must be"},
		{name: "sweep", args: []string{"sweep", "-seq", "1k", "gpt2"}, code: exitOK,
			stdout: "model,seq_len,batch_size,forward_flops_per_token,kv_cache_bytes\ngpt2,1000,1,"},
		{name: "report -hf 2^63-1 layers", args: []string{"report", "-hf", filepath.Join(hf, "layers-2e63.json")}, code: exitFailure,
			stderr: "num_hidden_layers 9223372036854775807 is more than the 100000 layers"},
		{name: "report -hf 10^12 layers", args: []string{"report", "-hf", filepath.Join(hf, "layers-1e12.json")}, code: exitFailure,
			stderr: "num_hidden_layers 1000000000000 is more than the 100000 layers"},
		{name: "report -hf llama4 10^12 layers", args: []string{"report", "-hf", filepath.Join(hf, "llama4-layers.json")}, code: exitFailure,
			stderr: "text_config.num_hidden_layers 1000000000000 is more than the 100000 layers"},
		{name: "report -hf shared experts wrap", args: []string{"report", "-hf", filepath.Join(hf, "shared-wrap.json")}, code: exitFailure,
			stderr: "n_shared_experts × moe_intermediate_size overflows int64"},
		{name: "report -hf gpt2 n_embd 770", args: []string{"report", "-hf", filepath.Join(hf, "gpt2-770.json")}, code: exitFailure,
			stderr: "n_embd 770 is not a multiple of n_head 12"},
		{name: "report -hf falcon hidden 4545", args: []string{"report", "-hf", filepath.Join(hf, "falcon-odd.json")}, code: exitFailure,
			stderr: "hidden_size 4545 is not a multiple of num_attention_heads 71"},
		{name: "report -hf stray brace", args: []string{"report", "-hf", filepath.Join(hf, "stray-brace.json")}, code: exitFailure,
			stderr: "malformed JSON: data after the top-level object"},
		{name: "report -hf malformed", args: []string{"report", "-hf", filepath.Join(hf, "bad.json")}, code: exitFailure,
			stderr: "bad.json: malformed"},
		{name: "report -hf unsupported", args: []string{"report", "-hf", "../../testdata/hf-unsupported/falcon-7b-rw.json"}, code: exitFailure,
			stderr: `unsupported model_type "RefinedWebModel"`},
		{name: "report -hf past its positions", args: []string{"report", "-seq", "4k", "-hf", gpt2JSON}, code: exitUsage,
			stderr: "-seq must not exceed max_position_embeddings (1024)"},

		// -hf -: the config from stdin, bounded like a file, named stdin.
		{name: "report -hf -", args: []string{"report", "-hf", "-"}, stdin: gpt2Config(t), code: exitOK,
			stdout: "stdin (gpt2) — stdin\n"},
		{name: "report -hf - json", args: []string{"report", "-format", "json", "-hf", "-"}, stdin: gpt2Config(t), code: exitOK,
			stdout: `"slug": "stdin"`, json: true},
		{name: "report -hf - empty stdin", args: []string{"report", "-hf", "-"}, code: exitFailure,
			exactErr: "tscale: stdin: malformed JSON: EOF\n"},
		{name: "report -hf - stray brace", args: []string{"report", "-hf", "-"}, stdin: gpt2Config(t) + "}", code: exitFailure,
			stderr: "tscale: stdin: malformed JSON: data after the top-level object"},
		{name: "report -hf - unsupported", args: []string{"report", "-hf", "-"}, stdin: `{"model_type": "bert"}`, code: exitFailure,
			stderr: `tscale: stdin: unsupported model_type "bert"`},
		{name: "report -hf - and a slug", args: []string{"report", "-hf", "-", "gpt2"}, stdin: gpt2Config(t), code: exitUsage,
			stderr: "not both"},
		{name: "report -hf - past its positions", args: []string{"report", "-seq", "4k", "-hf", "-"}, stdin: gpt2Config(t), code: exitUsage,
			stderr: "-seq must not exceed max_position_embeddings (1024)"},
		{name: "compare -hf -", args: []string{"compare", "-format", "csv", "-hf", "-", "gpt2"}, stdin: gpt2Config(t), code: exitOK,
			stdout: "\ngpt2,GPT-2 (124M),false,1024,124439808,124439808,"},
		{name: "compare -hf - names its row stdin", args: []string{"compare", "-format", "csv", "-hf", "-"}, stdin: gpt2Config(t), code: exitOK,
			stdout: "\nstdin,stdin (gpt2),false,1024,124439808,124439808,"},
		{name: "compare -hf - twice", args: []string{"compare", "-hf", "-", "-hf", "-"}, stdin: gpt2Config(t), code: exitUsage,
			exactErr: "tscale: compare: -hf - (stdin) may be given once, got 2 times; run 'tscale help compare' for usage\n"},
		{name: "compare -hf - empty stdin", args: []string{"compare", "-hf", "-", "gpt2"}, code: exitFailure,
			exactErr: "tscale: stdin: malformed JSON: EOF\n"},
		{name: "reports -hf -", args: []string{"reports", "-hf", "-", "-out", filepath.Join(t.TempDir(), "o")}, stdin: gpt2Config(t), code: exitUsage,
			exactErr: "tscale: reports: -hf - (stdin) is one config file, and reports -hf reads a folder; use report -hf - or compare -hf -; " +
				"run 'tscale help reports' for usage\n"},
		{name: "report -hf ./- is a file", args: []string{"report", "-hf", "./-"}, code: exitFailure, exactErr: "tscale: ./-: no such file\n"},

		// version.
		{name: "version", args: []string{"version"}, code: exitOK, stdout: "tscale "},
		{name: "version help", args: []string{"version", "-h"}, code: exitOK, stdout: "runtime/debug.ReadBuildInfo"},
		{name: "version argument", args: []string{"version", "x"}, code: exitUsage,
			exactErr: "tscale: version: version takes no arguments, got [\"x\"]; run 'tscale help version' for usage\n"},
		{name: "version flag", args: []string{"version", "-short"}, code: exitUsage,
			exactErr: "tscale: version: unknown flag -short; run 'tscale help version' for usage\n"},

		// compare.
		{name: "compare text", args: []string{"compare", "gpt2", "mixtral-8x7b"}, code: exitOK,
			stdout: "12,879,925,248 (12.9 B)"},
		{name: "compare markdown", args: []string{"compare", "-format", "markdown", "llama-2-7b"}, code: exitOK,
			stdout: "| llama-2-7b | 4,096 | 6,738,415,616 | 6,738,415,616 |"},
		{name: "compare csv with -hf", args: []string{"compare", "-format", "csv", "-hf", "../../testdata/hf/qwen3-8b.json", "gpt2"},
			code: exitOK, stdout: "gpt2,GPT-2 (124M),false,1024,124439808,124439808,"},
		{name: "compare every preset", args: []string{"compare"}, code: exitOK, stdout: "gpt4o-est (estimate)"},
		{name: "compare bad format", args: []string{"compare", "-format", "pdf"}, code: exitUsage, stderr: "-format must be one of text, markdown, csv"},
		{name: "compare unknown slug", args: []string{"compare", "gpt5"}, code: exitUsage, stderr: "unknown preset"},
		{name: "compare help", args: []string{"compare", "-h"}, code: exitOK, stdout: "tscale compare -format markdown"},
		{name: "compare one bad -hf", args: []string{"compare", "-hf", gpt2JSON, "-hf", "/dev/zero", "gpt2"}, code: exitFailure,
			exactErr: "tscale: /dev/zero is not a regular file (a config file must be a file of at most 16 MiB)\n"},
		{name: "compare two bad -hf", args: []string{"compare", "-hf", filepath.Join(hf, "bad.json"), "-hf", gpt2JSON, "-hf", "no/such.json"},
			code: exitFailure, stderr: "bad.json: malformed JSON"},
		{name: "compare two bad -hf, the second", args: []string{"compare", "-hf", filepath.Join(hf, "bad.json"), "-hf", gpt2JSON, "-hf", "no/such.json"},
			code: exitFailure, stderr: "\ntscale: no/such.json: no such file\n"},

		{name: "kv dtype and tokens", args: []string{"report", "-kv-dtype", "fp8", "-tokens", "1M", "llama-2-7b"}, code: exitOK,
			stdout: "KV cache in fp8"},

		// reports -hf DIR: a literal folder name, listed, with clear errors.
		{name: "reports -hf missing folder", args: []string{"reports", "-hf", filepath.Join(hf, "nope"), "-out", filepath.Join(t.TempDir(), "o")},
			code: exitFailure, exactErr: "tscale: -hf " + filepath.Join(hf, "nope") + ": no such folder\n"},
		{name: "reports -hf file", args: []string{"reports", "-hf", filepath.Join(hf, "plain-file"), "-out", filepath.Join(t.TempDir(), "o")},
			code: exitFailure, exactErr: "tscale: -hf " + filepath.Join(hf, "plain-file") + " is a file, not a folder (tscale report -hf reads one config file)\n"},
		{name: "reports -hf no json", args: []string{"reports", "-hf", filepath.Join(hf, "empty"), "-out", filepath.Join(t.TempDir(), "o")},
			code: exitFailure, exactErr: "tscale: -hf " + filepath.Join(hf, "empty") + ": the folder holds no *.json or */config.json files\n"},
		{name: "reports -hf, every file bad", args: []string{"reports", "-keep-going", "-hf", filepath.Join(hf, "allbad"), "-out", filepath.Join(t.TempDir(), "o")},
			code: exitFailure, stderr: "allbad/bad.json: malformed JSON: unexpected EOF\ntscale: reports: all 1 config files failed; nothing was written\n"},
		{name: "reports -hf folder with brackets", args: []string{"reports", "-hf", filepath.Join(hf, "dir[1]"), "-out", filepath.Join(t.TempDir(), "o")},
			code: exitOK, stdout: "wrote 2 reports (1 model, yaml and txt)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
			if tt.exactErr != "" && stderr.String() != tt.exactErr {
				t.Errorf("stderr:\n got %q\nwant %q", stderr.String(), tt.exactErr)
			}
			checkStreams(t, code, stdout.String(), stderr.String())
			if tt.json && !json.Valid(stdout.Bytes()) {
				t.Errorf("stdout is not valid JSON")
			}
		})
	}
}

// checkStreams checks what every exit code promises: success says nothing
// on stderr; a usage error is one line on stderr that points to the help,
// and nothing on stdout; a failure says why on stderr.
func checkStreams(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	switch code {
	case exitOK:
		if stderr != "" {
			t.Errorf("exit 0 with stderr %q", stderr)
		}
	case exitUsage:
		if stdout != "" {
			t.Errorf("usage error with stdout %q", stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.HasPrefix(stderr, "tscale: ") ||
			!strings.Contains(stderr, "; run 'tscale help") {
			t.Errorf("usage error is not one line that points to the help: %q", stderr)
		}
	case exitFailure:
		if !strings.HasPrefix(stderr, "tscale: ") {
			t.Errorf("failure without a message: stderr %q", stderr)
		}
	default:
		t.Errorf("exit %d; stderr %q", code, stderr)
	}
}

// TestFailuresPrintNothing: a failing command prints nothing on stdout.
func TestFailuresPrintNothing(t *testing.T) {
	for _, args := range [][]string{
		{"report", "-hf", "/dev/zero"},
		{"report", "-format", "json", "-hf", "../../testdata/hf-unsupported/falcon-7b-rw.json"},
		{"compare", "-hf", "/dev/zero", "gpt2"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code != exitFailure || stdout.Len() > 0 {
			t.Errorf("%q: exit %d, stdout %q; want exit 1 and nothing", args, code, stdout.String())
		}
	}
}

// TestHelpIsCommandHelp: tscale help COMMAND prints what tscale COMMAND -h
// prints, on stdout, with exit 0.
func TestHelpIsCommandHelp(t *testing.T) {
	for name := range commands {
		var helpOut, helpErr, flagOut, flagErr bytes.Buffer
		if code := run([]string{"help", name}, nil, &helpOut, &helpErr); code != exitOK || helpErr.Len() > 0 {
			t.Errorf("help %s: exit %d, stderr %q", name, code, helpErr.String())
		}
		if code := run([]string{name, "-h"}, nil, &flagOut, &flagErr); code != exitOK || flagErr.Len() > 0 {
			t.Errorf("%s -h: exit %d, stderr %q", name, code, flagErr.String())
		}
		if helpOut.String() != flagOut.String() || !strings.HasPrefix(helpOut.String(), "Usage: tscale "+name) {
			t.Errorf("tscale help %s and tscale %s -h differ or are not its help:\n%s\n---\n%s", name, name, helpOut.String(), flagOut.String())
		}
	}
	var a, b, e bytes.Buffer
	run([]string{"help"}, nil, &a, &e)
	run([]string{"-h"}, nil, &b, &e)
	if a.String() != mainUsage || b.String() != mainUsage || e.Len() > 0 {
		t.Errorf("tscale help and tscale -h should print the main usage")
	}
}

// panicFS panics on every call: a stand-in for a bug.
type panicFS struct{ fileSystem }

func (panicFS) Stat(string) (fs.FileInfo, error) { panic("boom\nsecond line") }

// TestInternalError: a panic is recovered and reported in one line, exit 3.
func TestInternalError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := runWith(panicFS{}, []string{"report", "-hf", "x.json"}, nil, &stdout, &stderr)
	if code != exitInternal {
		t.Errorf("exit %d, want %d", code, exitInternal)
	}
	if got, want := stderr.String(), "tscale: internal error: boom; second line\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestReportsWritesNothingOnError: a usage error leaves no files behind,
// and a run leaves no staging folder or temporary files.
func TestReportsWritesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"reports", "-out", out, "extra"}, nil, &stdout, &stderr); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output folder exists after an error: %v", err)
	}
	stdout.Reset()
	if code := run([]string{"reports", "-out", out}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "wrote ") {
		t.Errorf("summary line = %q", stdout.String())
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[0].Name() != "svg" || entries[1].Name() != "txt" || entries[2].Name() != "yaml" {
		t.Errorf("%s holds %v, want svg, txt and yaml only", out, entries)
	}
	// The charts are the goldens of testdata/charts, drawn from the engine's
	// exact numbers.
	g := goldie.New(t, goldie.WithFixtureDir(filepath.Join("..", "..", "testdata", "charts")), goldie.WithNameSuffix(".svg"))
	for _, name := range []string{"forward_flops_per_token", "kv_cache_bytes", "weights_bytes"} {
		data, err := os.ReadFile(filepath.Join(out, "svg", name+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		g.Assert(t, name, data)
	}
}

// TestReportsFromHFDir: reports -hf DIR writes a report per config file;
// a bad file stops the run, naming every bad file, unless -keep-going.
func TestReportsFromHFDir(t *testing.T) {
	hf := hfFixture(t)
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"reports", "-hf", filepath.Join(hf, "good"), "-out", out}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := snapshot(t, out); len(got) != 4 || got["yaml/small.yaml"] == "" || got["txt/small.txt"] == "" ||
		got["yaml/my-model.yaml"] == "" || got["txt/my-model.txt"] == "" {
		t.Errorf("wrote %v", keys(got))
	}

	mixed := filepath.Join(hf, "mixed")
	out2 := filepath.Join(t.TempDir(), "out")
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"reports", "-hf", mixed, "-out", out2}, nil, &stdout, &stderr); code != exitFailure {
		t.Errorf("exit %d with bad files, want %d", code, exitFailure)
	}
	want := "tscale: " + filepath.Join(mixed, "b-bad.json") + ": malformed JSON: unexpected EOF\n" +
		"tscale: " + filepath.Join(mixed, "c-unsupported.json") + ": unsupported model_type \"RefinedWebModel\" (Falcon's original remote-code config: the in-library falcon config.json of the same model is read); tscale reads "
	if !strings.HasPrefix(stderr.String(), want) ||
		!strings.HasSuffix(stderr.String(), "\ntscale: reports: 2 of 4 config files failed; nothing was written (-keep-going writes the others)\n") {
		t.Errorf("stderr:\n%s\nwant it to start with\n%s", stderr.String(), want)
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout %q", stdout.String())
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("files written despite the error")
	}

	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"reports", "-keep-going", "-hf", mixed, "-out", out2}, nil, &stdout, &stderr); code != exitFailure {
		t.Errorf("-keep-going: exit %d with bad files, want %d", code, exitFailure)
	}
	if !strings.HasPrefix(stderr.String(), want) ||
		!strings.HasSuffix(stderr.String(), "\ntscale: reports: 2 of 4 config files failed; the reports of the others were written\n") {
		t.Errorf("-keep-going: stderr:\n%s", stderr.String())
	}
	if got := snapshot(t, out2); len(got) != 4 || got["txt/a-good.txt"] == "" || got["yaml/d-folder.yaml"] == "" {
		t.Errorf("-keep-going wrote %v, want the reports of a-good and d-folder", keys(got))
	}
	if !strings.HasPrefix(stdout.String(), "wrote 4 reports (2 models") {
		t.Errorf("-keep-going: stdout %q", stdout.String())
	}
}

// TestReadConfigFileBound: a config file is read with a bound even when
// its size, as stat reports it, looks small (a file growing, /proc).
func TestReadConfigFileBound(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(16<<20 + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	exact := filepath.Join(dir, "exact.json")
	if err := os.WriteFile(exact, append([]byte(`{"model_type": "gpt2"}`), bytes.Repeat([]byte(" "), 16<<20-22)...), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		fs         fileSystem
		want       string
	}{
		{"size from stat", big, osFS{}, big + " is larger than 16 MiB, the most tscale reads from a config file"},
		{"size from reading", big, smallStatFS{osFS{}}, big + " is larger than 16 MiB, the most tscale reads from a config file"},
		{"at the limit", exact, osFS{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := readConfigFile(tt.fs, tt.path)
			if tt.want == "" {
				if err != nil || len(data) != 16<<20 {
					t.Errorf("read %d bytes, error %v; want 16 MiB", len(data), err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
}

// smallStatFS says every file is empty.
type smallStatFS struct{ osFS }

func (s smallStatFS) Stat(name string) (fs.FileInfo, error) {
	info, err := s.osFS.Stat(name)
	if err != nil {
		return nil, err
	}
	return zeroSize{info}, nil
}

type zeroSize struct{ fs.FileInfo }

func (zeroSize) Size() int64 { return 0 }

// BenchmarkAllReports builds and renders the YAML and text reports of every
// preset: the work of one `tscale` run.
func BenchmarkAllReports(b *testing.B) {
	var stdout, stderr bytes.Buffer
	out := b.TempDir()
	for i := 0; i < b.N; i++ {
		if code := run([]string{"reports", "-out", out}, nil, &stdout, &stderr); code != exitOK {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
}

// BenchmarkWriteReports writes the reports of every preset, rendered
// beforehand, into a folder that already holds them: the writing alone of
// BenchmarkAllReports, all or nothing (writeAll).
func BenchmarkWriteReports(b *testing.B) {
	var files []outFile
	for _, p := range presets.All() {
		y, txt, err := renderReport(p, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, outFile{filepath.Join("yaml", p.Slug+".yaml"), y}, outFile{filepath.Join("txt", p.Slug+".txt"), txt})
	}
	out := b.TempDir()
	if err := writeAll(osFS{}, out, files); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := writeAll(osFS{}, out, files); err != nil {
			b.Fatal(err)
		}
	}
}
