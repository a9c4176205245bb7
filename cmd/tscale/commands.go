package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"tscale/presets"
	"tscale/render"
	"tscale/scale"
)

// document analyses preset p on workload w and pairs the report with the
// preset's description.
func document(p presets.Preset, w scale.Workload) (render.Document, error) {
	r, err := scale.Analyze(p.Config, w)
	if err != nil {
		return render.Document{}, fmt.Errorf("preset %q: %w", p.Slug, err)
	}
	return render.NewDocument(render.Model{
		Name: p.Name, Slug: p.Slug, Family: p.Family,
		Estimate: p.IsEstimate(), EstimateReason: p.EstimateReason,
		Source: p.Sources, Notes: p.Notes,
	}, r), nil
}

// defaultWorkload is batch 1 at the preset's context length, in bf16.
func defaultWorkload(p presets.Preset) scale.Workload {
	return scale.Workload{BatchSize: 1, SeqLen: p.Context(), DType: scale.BF16}
}

// encode renders d in format: text, yaml or json.
func encode(d render.Document, format string) ([]byte, error) {
	switch format {
	case "yaml":
		return render.YAML(d)
	case "json":
		return render.JSON(d)
	default:
		return render.Text(d), nil
	}
}

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "report [-format text|yaml|json] [-seq N] [-batch N] [-dtype TYPE] (SLUG | -hf config.json)",
		"Prints the report of one preset, or of a Hugging Face config.json, on stdout. The workload\n"+
			"defaults to batch 1 at the model's context length, in bf16.",
		[]string{
			"tscale report llama-2-7b",
			"tscale report -format yaml -seq 8192 llama-3.1-8b",
			"tscale report -format json -batch 8 -dtype fp8 mixtral-8x7b",
			"tscale report -hf ~/models/Qwen3-8B/config.json",
			"tscale report -kv-dtype fp8 -tokens 15000000000000 llama-3.1-405b",
		}, stdout, stderr)
	hf := fs.String("hf", "", "read the model from this Hugging Face config.json instead of a preset")
	format := fs.String("format", "text", "output format: text, yaml or json")
	seq := fs.Int64("seq", 0, "sequence length in tokens (default: the preset's context length)")
	batch := fs.Int64("batch", 1, "batch size in sequences")
	dtype := fs.String("dtype", "bf16", "data type of weights and activations: fp32, bf16, fp16, fp8, int8 or int4")
	kvDType := fs.String("kv-dtype", "", "data type of the KV cache (default: -dtype)")
	tokens := fs.Int64("tokens", 0, "training tokens D: adds the compute of a training run of D tokens")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *hf != "" && len(positional) > 0 {
		return usagef("report takes a preset slug or -hf, not both")
	}
	if *hf == "" && len(positional) != 1 {
		return usagef("report takes exactly one preset slug, got %d arguments (tscale list shows the slugs)", len(positional))
	}
	if err := oneOf("format", *format, "text", "yaml", "json"); err != nil {
		return err
	}
	seqSet := false
	fs.Visit(func(f *flag.Flag) { seqSet = seqSet || f.Name == "seq" })
	if seqSet && *seq <= 0 {
		return usagef("-seq must be a positive integer, got %d", *seq)
	}
	if *batch <= 0 {
		return usagef("-batch must be a positive integer, got %d", *batch)
	}
	dt, err := scale.ParseDType(*dtype)
	if err != nil {
		return usagef("-%v", err)
	}
	kvdt := dt
	if *kvDType != "" {
		if kvdt, err = scale.ParseDType(*kvDType); err != nil {
			return usagef("-kv-%v", err)
		}
	}
	if *tokens < 0 {
		return usagef("-tokens must be a positive integer, got %d", *tokens)
	}
	var p presets.Preset
	if *hf != "" {
		if p, err = readHFConfig(*hf); err != nil {
			return err
		}
	} else if p, err = presets.Lookup(positional[0]); err != nil {
		return usageError{err}
	}
	w := defaultWorkload(p)
	if seqSet {
		w.SeqLen = *seq
	}
	w.BatchSize, w.DType, w.KVDType, w.TrainingTokens = *batch, dt, kvdt, *tokens
	d, err := document(p, w)
	if err != nil {
		return err
	}
	out, err := encode(d, *format)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

func runList(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("list", "list", "Lists the presets: slug, name, total parameters, context length, and whether the\n"+
		"architecture is an estimate.", []string{"tscale list"}, stdout, stderr)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usagef("list takes no arguments, got %q", positional)
	}
	var rows []render.ListRow
	for _, p := range presets.All() {
		d, err := document(p, defaultWorkload(p))
		if err != nil {
			return err
		}
		rows = append(rows, render.ListRow{Model: d.Model, Params: d.Params.Total, Context: p.Context()})
	}
	_, err = stdout.Write(render.List(rows))
	return err
}

func runReports(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reports", "reports [-out DIR]",
		"Writes the report of every preset, at its default workload (batch 1, its context length, bf16),\n"+
			"as DIR/yaml/<slug>.yaml and DIR/txt/<slug>.txt: the bytes 'tscale report' prints. With -hf, the\n"+
			"models are the Hugging Face config files in a folder (*.json, and */config.json named after their\n"+
			"folder) instead of the presets. Nothing is written if any report fails, and each file is written\n"+
			"atomically.",
		[]string{"tscale reports", "tscale reports -out /tmp/tscale", "tscale reports -hf ~/models -out hf-reports"}, stdout, stderr)
	out := fs.String("out", "output", "directory to write yaml/ and txt/ into")
	hfDir := fs.String("hf", "", "a folder of Hugging Face config files to report on instead of the presets")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usagef("reports takes no arguments, got %q", positional)
	}
	if *out == "" {
		return usagef("-out must name a directory, got \"\"")
	}
	type file struct {
		path string
		data []byte
	}
	var files []file
	all := presets.All()
	if *hfDir != "" {
		if all, err = readHFDir(*hfDir); err != nil {
			return err
		}
	}
	for _, p := range all {
		d, err := document(p, defaultWorkload(p))
		if err != nil {
			return err
		}
		y, err := render.YAML(d)
		if err != nil {
			return err
		}
		files = append(files,
			file{filepath.Join(*out, "yaml", p.Slug+".yaml"), y},
			file{filepath.Join(*out, "txt", p.Slug+".txt"), render.Text(d)})
	}
	for _, f := range files {
		if err := writeAtomic(f.path, f.data); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "wrote %d reports (%d models, yaml and txt) to %s and %s\n", len(files), len(all),
		filepath.Join(*out, "yaml"), filepath.Join(*out, "txt"))
	return nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory and a rename, so that path never holds half a report.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

// readHFConfig reads one Hugging Face config.json as a preset.
func readHFConfig(path string) (presets.Preset, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return presets.Preset{}, err
	}
	return presets.FromHFConfig(path, data)
}

// readHFDir reads the config files of a folder: DIR/*.json and
// DIR/*/config.json, in name order. Two files may not give the same slug.
func readHFDir(dir string) ([]presets.Preset, error) {
	var paths []string
	for _, pattern := range []string{"*.json", filepath.Join("*", "config.json")} {
		matches, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		paths = append(paths, matches...)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("-hf %s: no *.json or */config.json files", dir)
	}
	sort.Strings(paths)
	var out []presets.Preset
	bySlug := map[string]string{}
	for _, path := range paths {
		p, err := readHFConfig(path)
		if err != nil {
			return nil, err
		}
		if other, dup := bySlug[p.Slug]; dup {
			return nil, fmt.Errorf("-hf %s: %s and %s would both be reported as %q", dir, other, path, p.Slug)
		}
		bySlug[p.Slug] = path
		out = append(out, p)
	}
	return out, nil
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", "compare [-format text|markdown|csv] [-hf config.json]... [SLUG...]",
		"Prints one row per model: parameters (total and active), forward and training FLOPs per token at\n"+
			"its context (causal), KV cache bytes per token, weights in bf16 and the training state. With no\n"+
			"slug and no -hf, every preset.",
		[]string{
			"tscale compare",
			"tscale compare -format markdown llama-3.1-8b mistral-7b qwen2.5-7b",
			"tscale compare -format csv -hf ~/models/Qwen3-8B/config.json llama-3.1-8b",
		}, stdout, stderr)
	format := fs.String("format", "text", "output format: text, markdown or csv")
	var hf stringList
	fs.Var(&hf, "hf", "add the model of this Hugging Face config.json (may be repeated)")
	slugs, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := oneOf("format", *format, "text", "markdown", "csv"); err != nil {
		return err
	}
	var models []presets.Preset
	for _, slug := range slugs {
		p, err := presets.Lookup(slug)
		if err != nil {
			return usageError{err}
		}
		models = append(models, p)
	}
	for _, path := range hf {
		p, err := readHFConfig(path)
		if err != nil {
			return err
		}
		models = append(models, p)
	}
	if len(models) == 0 {
		models = presets.All()
	}
	var rows []render.CompareRow
	for _, p := range models {
		d, err := document(p, defaultWorkload(p))
		if err != nil {
			return err
		}
		rows = append(rows, compareRow(d, p.Context()))
	}
	out, err := render.Compare(rows, *format)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

// compareRow picks a model's comparison numbers out of its report.
func compareRow(d render.Document, context int64) render.CompareRow {
	row := render.CompareRow{
		Model: d.Model, Context: context,
		ParamsTotal: d.Params.Total, ParamsActive: d.Params.Active,
		ForwardPerToken: d.FLOPs.PerToken.Forward, TrainingPerToken: d.FLOPs.PerToken.Training,
		KVBytesPerToken: d.Memory.KVCacheBytesPerToken, TrainingStateBytes: d.Memory.TrainingStateBytes,
	}
	for _, w := range d.Memory.WeightsByDType {
		if w.DType == scale.BF16 {
			row.WeightsBF16Bytes = w.TotalBytes
		}
	}
	return row
}
