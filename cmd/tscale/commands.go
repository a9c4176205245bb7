package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/render"
	"github.com/tscale/tscale/scale"
)

// document analyses preset p on workload w and pairs the report with the
// preset's description.
func document(p presets.Preset, w scale.Workload) (render.Document, error) {
	r, err := scale.Analyze(p.Config, w)
	if err != nil {
		return render.Document{}, fmt.Errorf("preset %q: %w", p.Slug, err)
	}
	if err := addCheckpoint(p, r); err != nil {
		return render.Document{}, err
	}
	return render.NewDocument(p.Model(), r), nil
}

// lookup is presets.Lookup, its error pointing to tscale list.
func lookup(slug string) (presets.Preset, error) {
	p, err := presets.Lookup(slug)
	if err != nil {
		return p, fmt.Errorf("%w (tscale list shows them all)", err)
	}
	return p, nil
}

// defaultWorkload is batch 1 at the preset's context length, in bf16.
func defaultWorkload(p presets.Preset) scale.Workload {
	return scale.Workload{BatchSize: 1, SeqLen: p.Context(), DType: scale.BF16}
}

// workloadFlags names the flag that sets each field of a scale.Workload.
var workloadFlags = map[string]string{
	"seq_len":         "-seq",
	"batch_size":      "-batch",
	"training_tokens": "-tokens",
	"dtype":           "-dtype",
	"kv_dtype":        "-kv-dtype",
}

// validateWorkload checks w for the model c (scale.Workload.Validate) and
// turns its errors into one usage error of command cmd, each rule named by
// its flag: "-seq must be a positive integer, got 0".
func validateWorkload(cmd string, w scale.Workload, c scale.Config) error {
	return fieldUsage(cmd, w.Validate(c))
}

func (c *cli) report(args []string) error {
	fs := newFlagSet("report", "report [-format text|yaml|json] [-seq N] [-batch N] [-dtype TYPE] [-kv-dtype TYPE] [-tokens N] [-tp N -pp N -dp N ...] [-gpu NAME] (SLUG | -hf config.json | -hf DIR | -gguf FILE)",
		"Prints the report of one preset, or of a Hugging Face config.json, on stdout. The workload\n"+
			"defaults to batch 1 at the model's context length, in bf16. -hf - reads the config.json from\n"+
			"stdin, bounded like a file (16 MiB); the model is then named stdin: slug stdin, name\n"+
			"\"stdin (MODEL_TYPE)\". -hf DIR reads a model folder: DIR/config.json and, when the folder\n"+
			"holds them, the headers of its safetensors files (model.safetensors.index.json and its shards,\n"+
			"or model.safetensors; never the tensor data): the report adds params.checkpoint, the values\n"+
			"stored by type, checked tensor by tensor against the config. -gguf reads a GGUF file's header\n"+
			"(never its tensor data) and adds what its tensors store, by ggml type, beside the exact count,\n"+
			"naming every tensor that disagrees.\n\n"+deploymentHelp+"\n\n"+countSyntax,
		[]string{
			"tscale report llama-2-7b",
			"tscale report -format yaml -seq 8Ki llama-3.1-8b",
			"tscale report -format json -batch 8 -dtype fp8 mixtral-8x7b",
			"tscale report -seq 128Ki llama-3.1-8b",
			"tscale report -hf ~/models/Qwen3-8B/config.json",
			"tscale report -hf ~/models/Qwen3-8B",
			"curl -sL https://huggingface.co/Qwen/Qwen3-8B/raw/main/config.json | tscale report -hf -",
			"tscale report -kv-dtype fp8 -tokens 15T llama-3.1-405b",
			"tscale report -tp 8 -pp 16 -dp 8 -sp -recompute selective -gpu a100-80gb gpt3-175b",
			"tscale report -seq 8Ki -tp 8 -pp 16 -dp 128 -zero 1 -gpu h100 llama-3.1-405b",
			"tscale report -gguf ~/models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
		})
	hf := fs.String("hf", "", "read the model from this Hugging Face `config.json`, or a model folder holding one and its "+
		"safetensors files, instead of a preset (-: from stdin)")
	ggufPath := fs.String("gguf", "", "read the model from this GGUF `file`'s metadata and check its tensors against it")
	format := fs.String("format", "text", "output format: text, yaml or json")
	seq := fs.count("seq", 0, "sequence length in tokens, a `count` (default: the model's context length)")
	batch := fs.count("batch", 1, "batch size in sequences, a `count` from 1 to 2^32")
	dtype := fs.String("dtype", "bf16", "data type of weights and activations: "+scale.DTypeNames())
	kvDType := fs.String("kv-dtype", "", "data type of the KV cache (default: -dtype)")
	tokens := fs.count("tokens", 0, "training tokens D, a `count`: adds the compute of a training run of D tokens (0: none)")
	deploy := addDeploymentFlags(fs)
	positional, err := fs.parse(args, c.stdout)
	if err != nil {
		return err
	}
	if *hf != "" && len(positional) > 0 {
		return usagef("report", "report takes a preset slug or -hf, not both")
	}
	if *ggufPath != "" && (*hf != "" || len(positional) > 0) {
		return usagef("report", "report takes one of a preset slug, -hf and -gguf")
	}
	if *ggufPath == stdinPath {
		return usagef("report", "-gguf reads a file, not stdin (-)")
	}
	if *hf == "" && *ggufPath == "" && len(positional) != 1 {
		return usagef("report", "report takes exactly one preset slug, got %d arguments (tscale list shows the slugs)", len(positional))
	}
	f, err := render.ParseFormat(*format)
	if err != nil {
		return usageError{"report", fmt.Errorf("-%w", err)}
	}
	var p presets.Preset
	var gm *ggufModel
	if *ggufPath != "" {
		if p, gm, err = readGGUF(c.fs, *ggufPath); err != nil {
			return err
		}
	} else if *hf != "" {
		if p, err = readHFConfig(c.fs, c.stdin, *hf); err != nil {
			return err
		}
	} else if p, err = lookup(positional[0]); err != nil {
		return usageError{"report", err}
	}
	w := defaultWorkload(p)
	if seq.set {
		w.SeqLen = seq.n
	}
	w.BatchSize, w.TrainingTokens = batch.n, tokens.n
	w.DType, w.KVDType = scale.DType(strings.ToLower(*dtype)), scale.DType(strings.ToLower(*kvDType))
	if err := validateWorkload("report", w, p.Config); err != nil {
		return err
	}
	dep, err := deploy.deployment("report", p, w)
	if err != nil {
		return err
	}
	d, err := documentOn(p, w, dep)
	if err != nil {
		return err
	}
	if gm != nil {
		return gm.write(c.stdout, d, f)
	}
	return render.Write(c.stdout, d, f)
}

func (c *cli) list(args []string) error {
	fs := newFlagSet("list", "list", "Lists the presets: slug, name, total parameters, context length, and whether the\n"+
		"architecture is an estimate.", []string{"tscale list"})
	positional, err := fs.parse(args, c.stdout)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usagef("list", "list takes no arguments, got %q", positional)
	}
	var docs []render.Document
	for _, p := range presets.All() {
		d, err := document(p, defaultWorkload(p))
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	return render.WriteList(c.stdout, docs)
}

func (c *cli) reports(args []string) error {
	fs := newFlagSet("reports", "reports [-out DIR] [-hf DIR [-keep-going]]",
		"Writes the report of every preset, at its default workload (batch 1, its context length, bf16),\n"+
			"as DIR/yaml/<slug>.yaml and DIR/txt/<slug>.txt: the bytes 'tscale report' prints, and three\n"+
			"charts of a few presets side by side in DIR/svg (forward FLOPs per token and KV cache bytes by\n"+
			"context length, weights by data type). With -hf, the models are the Hugging Face config files in\n"+
			"a folder (*.json, and */config.json named after their folder, each with its safetensors headers)\n"+
			"instead of the presets, or the one model of a folder holding config.json, and no charts are\n"+
			"drawn.\n\n"+
			"All or nothing: every report is written into a staging folder inside DIR as it is rendered, and\n"+
			"once all are there they are moved into place, each file replaced atomically. If anything fails,\n"+
			"DIR is left as it was. A config file that cannot be read or imported stops the run before\n"+
			"anything is written, unless -keep-going is given: then the other reports are written, the bad\n"+
			"files listed, and the exit code is still 1.",
		[]string{"tscale reports", "tscale reports -out /tmp/tscale", "tscale reports -hf ~/models -out hf-reports",
			"tscale reports -hf ~/models -keep-going -out hf-reports"})
	out := fs.String("out", "output", "`folder` to write yaml/ and txt/ into")
	hfDir := fs.String("hf", "", "a `folder` of Hugging Face config files to report on instead of the presets")
	keepGoing := fs.Bool("keep-going", false, "with -hf: write the reports of the good config files even if some are bad (exit code 1)")
	positional, err := fs.parse(args, c.stdout)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usagef("reports", "reports takes no arguments, got %q", positional)
	}
	if *out == "" {
		return usagef("reports", "-out must name a folder, got \"\"")
	}
	if *hfDir == stdinPath {
		return usagef("reports", "-hf - (stdin) is one config file, and reports -hf reads a folder; use report -hf - or compare -hf -")
	}
	all := presets.All()
	var bad []error
	if *hfDir != "" {
		if all, bad, err = readHFDir(c.fs, *hfDir); err != nil {
			return err
		}
	}
	var charts []outFile
	if *hfDir == "" {
		if charts, err = presetCharts(all); err != nil {
			return err
		}
	}
	rels := make([]string, 0, 2*len(all)+len(charts))
	for _, p := range all {
		yamlRel, textRel := reportPaths(p)
		rels = append(rels, yamlRel, textRel)
	}
	for _, f := range charts {
		rels = append(rels, f.rel)
	}
	w, err := newWriter(c.fs, *out, rels)
	if err != nil {
		return err
	}
	// Each report is staged as soon as it and those before it are rendered,
	// from the buffers it was rendered into: no report is kept in memory.
	// Once a report fails, and without -keep-going, nothing more is staged.
	// A panic of a worker is raised again here, where run recovers it.
	var (
		models   []presets.Preset
		panicked any
		stageErr error
	)
	renderInOrder(len(all), func(i int, yaml, text []byte) ([]byte, []byte, error) {
		return renderReport(all[i], yaml, text)
	}, func(i int, r rendered) {
		switch {
		case r.panicked != nil:
			if panicked == nil {
				panicked = r.panicked
			}
		case r.err != nil:
			bad = append(bad, r.err)
		default:
			models = append(models, all[i])
			if stageErr == nil && panicked == nil && (len(bad) == 0 || *keepGoing) {
				yamlRel, textRel := reportPaths(all[i])
				if stageErr = w.stage(yamlRel, r.yaml); stageErr == nil {
					stageErr = w.stage(textRel, r.text)
				}
			}
		}
	})
	if panicked != nil {
		if err := w.rollback(); err != nil {
			fmt.Fprintf(c.stderr, "reports: could not undo the staged reports: %v\n", err)
		}
		panic(panicked)
	}
	what := "presets"
	if *hfDir != "" {
		what = "config files"
	}
	if len(bad) > 0 && !*keepGoing {
		errs := failures(bad)
		if err := w.rollback(); err != nil {
			errs = append(errs, fmt.Errorf("reports: could not undo the staged reports: %w (they are in %s)", err, w.staging))
		}
		return append(errs, fmt.Errorf("reports: %d of %d %s failed; nothing was written (-keep-going writes the others)",
			len(bad), len(bad)+len(models), what))
	}
	if stageErr != nil {
		return w.undo(stageErr)
	}
	for _, f := range charts {
		if err := w.stage(f.rel, f.data); err != nil {
			return w.undo(err)
		}
	}
	if err := w.commit(); err != nil {
		return err
	}
	if len(models)+len(charts) > 0 {
		fmt.Fprintf(c.stdout, "wrote %d reports (%d %s, yaml and txt) to %s and %s", 2*len(models), len(models), plural(len(models), "model"),
			filepath.Join(*out, "yaml"), filepath.Join(*out, "txt"))
		if len(charts) > 0 {
			fmt.Fprintf(c.stdout, ", and %d charts to %s", len(charts), filepath.Join(*out, "svg"))
		}
		fmt.Fprintln(c.stdout)
	}
	switch {
	case len(bad) > 0 && len(models) == 0:
		return append(failures(bad), fmt.Errorf("reports: all %d %s failed; nothing was written", len(bad), what))
	case len(bad) > 0:
		return append(failures(bad), fmt.Errorf("reports: %d of %d %s failed; the reports of the others were written",
			len(bad), len(bad)+len(models), what))
	}
	return nil
}

// renderReport appends the YAML and text reports of p at its default
// workload to yaml and text.
func renderReport(p presets.Preset, yaml, text []byte) ([]byte, []byte, error) {
	d, err := document(p, defaultWorkload(p))
	if err != nil {
		return yaml, text, err
	}
	if yaml, err = render.Append(yaml, d, render.FormatYAML); err != nil {
		return yaml, text, fmt.Errorf("preset %q: %w", p.Slug, err)
	}
	if text, err = render.Append(text, d, render.FormatText); err != nil {
		return yaml, text, fmt.Errorf("preset %q: %w", p.Slug, err)
	}
	return yaml, text, nil
}

// reportPaths are where tscale reports writes p's reports, relative to
// its folder.
func reportPaths(p presets.Preset) (yaml, text string) {
	return filepath.Join("yaml", p.Slug+".yaml"), filepath.Join("txt", p.Slug+".txt")
}

func (c *cli) compare(args []string) error {
	fs := newFlagSet("compare", "compare [-format text|markdown|csv] [-seq N] [-batch N] [-hf config.json]... [layout and device flags] [SLUG...]",
		"Prints one row per model: parameters (total and active), forward and training FLOPs per token at\n"+
			"its context (causal), KV cache bytes per token, weights in bf16 and the training state. -seq and\n"+
			"-batch put every model at one workload, so that the per-token columns compare. With no\n"+
			"slug and no -hf, every preset. A config file that cannot be read or imported fails the whole\n"+
			"table: every bad file is named, nothing is printed on stdout. -hf - reads one config.json from\n"+
			"stdin (its row is named stdin); it may be given once.\n\n"+
			"With a layout or a device (the flags of tscale report), the table adds the most loaded GPU's\n"+
			"training and inference memory, whether each fits, the fewest devices that serve each model and\n"+
			"its decode bound.",
		[]string{
			"tscale compare",
			"tscale compare -format markdown llama-3.1-8b mistral-7b qwen2.5-7b",
			"tscale compare -seq 8Ki llama-3.1-8b mistral-7b deepseek-v3",
			"tscale compare -format csv -hf ~/models/Qwen3-8B/config.json llama-3.1-8b",
			"tscale compare -hf - llama-3.1-8b < ~/models/Qwen3-8B/config.json",
			"tscale compare -seq 8Ki -tp 8 -gpu h100 llama-3.1-70b qwen2.5-72b",
		})
	format := fs.String("format", "text", "output format: text, markdown or csv")
	seq := fs.count("seq", 0, "put every model at this sequence length (default: each model's context)")
	batch := fs.count("batch", 1, "batch size in sequences")
	var hf stringList
	fs.Var(&hf, "hf", "add the model of this Hugging Face `config.json` or model folder (may be repeated; -: from stdin, once)")
	deploy := addDeploymentFlags(fs)
	slugs, err := fs.parse(args, c.stdout)
	if err != nil {
		return err
	}
	f, err := render.ParseTableFormat(*format)
	if err != nil {
		return usageError{"compare", fmt.Errorf("-%w", err)}
	}
	if n := occurrences(hf, stdinPath); n > 1 {
		return usagef("compare", "-hf - (stdin) may be given once, got %d times", n)
	}
	models, bad, err := c.models("compare", slugs, hf)
	if err != nil {
		return err
	}
	if len(models) == 0 && len(bad) == 0 {
		models = presets.All()
	}
	var docs []render.Document
	for _, p := range models {
		w := defaultWorkload(p)
		if seq.set {
			w.SeqLen = seq.n
		}
		w.BatchSize = batch.n
		if err := validateWorkload("compare", w, p.Config); err != nil {
			return modelError(p, err)
		}
		dep, err := deploy.deployment("compare", p, w)
		if err != nil {
			return modelError(p, err)
		}
		d, err := documentOn(p, w, dep)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		docs = append(docs, d)
	}
	if len(bad) > 0 {
		return bad
	}
	return render.WriteCompare(c.stdout, docs, f)
}

// models are the presets named by slugs and the models of the config
// files hf, in that order: an unknown slug is a usage error of command cmd;
// each config file that cannot be read or imported is one of bad.
func (c *cli) models(cmd string, slugs, hf []string) (models []presets.Preset, bad failures, err error) {
	for _, slug := range slugs {
		p, err := lookup(slug)
		if err != nil {
			return nil, nil, usageError{cmd, err}
		}
		models = append(models, p)
	}
	for _, path := range hf {
		p, err := readHFConfig(c.fs, c.stdin, path)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		models = append(models, p)
	}
	return models, bad, nil
}

// occurrences is the number of times s is in list.
func occurrences(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// plural is word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
