package presets

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tscale/tscale/scale"
)

func readHF(t *testing.T, name string) Preset {
	t.Helper()
	path := filepath.Join("..", "testdata", "hf", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromHFConfig(path, data)
	if err != nil {
		t.Fatalf("FromHFConfig(%s): %v", name, err)
	}
	return p
}

// TestHFImportMatchesPresets: importing a model's real config.json gives
// exactly the architecture, and so the report, of its preset.
func TestHFImportMatchesPresets(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "hf", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, file := range files {
		slug := strings.TrimSuffix(filepath.Base(file), ".json")
		preset, err := Lookup(slug)
		if err != nil {
			continue // no preset of this model: see TestHFImportPublishedCounts
		}
		matched++
		t.Run(slug, func(t *testing.T) {
			imported := readHF(t, filepath.Base(file))
			if diff := cmp.Diff(preset.Config, imported.Config); diff != "" {
				t.Fatalf("imported config differs from the preset (-preset +imported):\n%s", diff)
			}
			// Every default the importer says it applied is for a field the
			// file leaves out (absent or null).
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fields map[string]any
			if err := json.Unmarshal(nonFiniteLiterals(data), &fields); err != nil { // Python's Infinity read as FromHFConfig reads it
				t.Fatal(err)
			}
			if text, ok := fields["text_config"].(map[string]any); ok {
				fields = text
			}
			for _, note := range imported.Notes {
				name, _, ok := strings.Cut(note, " absent: ")
				if !ok {
					continue
				}
				if v, present := fields[name]; present && v != nil {
					t.Errorf("note %q, but the file sets %s to %v", note, name, v)
				}
			}
		})
	}
	if matched < 15 {
		t.Errorf("only %d config.json files match a preset", matched)
	}
}

// TestHFImportCoversEveryModelType: testdata holds a real config.json of
// every model_type FromHFConfig reads.
func TestHFImportCoversEveryModelType(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "hf", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{"llama4_text": true} // read through llama4's text_config
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := FromHFConfig(file, data); err == nil {
			seen[p.Family] = true
		}
	}
	for _, mt := range HFModelTypes() {
		if !seen[mt] {
			t.Errorf("no config.json of model_type %s in testdata/hf", mt)
		}
	}
}

// TestHFImportPublishedCounts: the families without a preset reproduce their
// published exact counts (testdata/hf/SOURCES.md).
func TestHFImportPublishedCounts(t *testing.T) {
	for _, tt := range []struct {
		file          string
		total, active int64
	}{
		{"qwen1.5-moe-a2.7b.json", 14_315_784_192, 2_689_173_504},
	} {
		p := readHF(t, tt.file)
		r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 16, DType: scale.BF16})
		if err != nil {
			t.Fatal(err)
		}
		if r.Params.Total != tt.total || r.Params.Active != tt.active {
			t.Errorf("%s: params %d total, %d active; published %d, %d", tt.file, r.Params.Total, r.Params.Active, tt.total, tt.active)
		}
	}
}

// TestHFImportErrors: each kind of bad input gives its own clear error.
func TestHFImportErrors(t *testing.T) {
	llama := `{"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096, "num_hidden_layers": 32,
		"num_attention_heads": 32, "intermediate_size": 11008`
	for _, tt := range []struct {
		name, json string
		kind       error
		says       string
	}{
		{"malformed", `{"model_type": "llama",`, ErrMalformedJSON, "malformed JSON"},
		{"not an object", `[1, 2]`, ErrMalformedJSON, "malformed JSON"},
		{"no model_type", `{"hidden_size": 4096}`, ErrMissingField, "model_type"},
		{"unsupported", `{"model_type": "gpt_bigcode"}`, ErrUnsupportedModelType, `"gpt_bigcode"; tscale reads ` + HFModelTypes()[0] + ", "},
		{"refused", `{"model_type": "bert"}`, ErrUnsupportedModelType, `"bert" (an encoder, not a decoder-only language model); tscale reads `},
		{"missing field", `{"model_type": "llama", "vocab_size": 32000}`, ErrMissingField, "hidden_size (llama)"},
		{"wrong type", llama + `, "num_key_value_heads": "8"}`, ErrWrongType, `num_key_value_heads must be an integer, got the string "8"`},
		{"fractional", llama + `, "num_key_value_heads": 8.5}`, ErrWrongType, "got the number 8.5"},
		{"wrong bool", llama + `, "tie_word_embeddings": "no"}`, ErrWrongType, "tie_word_embeddings must be true or false"},
		{"invalid value", llama + `, "num_key_value_heads": 5}`, ErrInvalidValue, "num_attention_heads must be divisible by num_key_value_heads (5)"},
		{"qwen layer types", `{"model_type": "qwen2", "vocab_size": 1, "hidden_size": 8, "num_hidden_layers": 3,
			"num_attention_heads": 1, "intermediate_size": 8, "use_sliding_window": true,
			"layer_types": ["sliding_attention", "full_attention", "full_attention"]}`, ErrUnmodelled, "layer_types: this pattern"},
		{"layer types length", `{"model_type": "qwen2", "vocab_size": 1, "hidden_size": 8, "num_hidden_layers": 3,
			"num_attention_heads": 1, "intermediate_size": 8, "layer_types": ["full_attention"]}`, ErrInvalidValue,
			"layer_types lists 1 layers, not num_hidden_layers (3)"},
		{"layer types kind", `{"model_type": "qwen2", "vocab_size": 1, "hidden_size": 8, "num_hidden_layers": 1,
			"num_attention_heads": 1, "intermediate_size": 8, "layer_types": ["linear_attention"]}`, ErrUnmodelled,
			`layer_types[0] is the string "linear_attention"`},
		{"deepseek moe freq", `{"model_type": "deepseek_v2", "vocab_size": 1, "hidden_size": 8, "num_hidden_layers": 2,
			"num_attention_heads": 1, "intermediate_size": 8, "kv_lora_rank": 4, "qk_nope_head_dim": 2, "qk_rope_head_dim": 2,
			"v_head_dim": 2, "n_routed_experts": 4, "num_experts_per_tok": 1, "moe_intermediate_size": 4, "moe_layer_freq": 0}`,
			ErrInvalidValue, "moe_layer_freq must be a positive integer, got 0"},
	} {
		t.Run(tt.name, func(t *testing.T) { expectHFError(t, tt.json, tt.kind, tt.says) })
	}
	data, err := os.ReadFile(filepath.Join("..", "testdata", "hf-unsupported", "falcon-7b-rw.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromHFConfig("falcon-7b-rw.json", data); !errors.Is(err, ErrUnsupportedModelType) {
		t.Errorf("the original RefinedWebModel config: error %v, want unsupported model_type", err)
	}
}

// TestHFImportNotesDefaults: an absent field takes the family's default and
// the preset says so.
func TestHFImportNotesDefaults(t *testing.T) {
	p, err := FromHFConfig("models/My-Llama/config.json", []byte(`{"model_type": "llama", "vocab_size": 32000,
		"hidden_size": 4096, "num_hidden_layers": 2, "num_attention_heads": 32, "intermediate_size": 11008}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Slug != "my-llama" || p.Config.NumKeyValueHeads != 32 || p.Config.HeadDim != 128 || p.Config.MaxPositionEmbeddings != 2048 {
		t.Errorf("slug %q, config %+v", p.Slug, p.Config)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"num_key_value_heads absent: 32", "head_dim absent: hidden_size / num_attention_heads = 128",
		"max_position_embeddings absent: 2048"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// TestREADMEListsModelTypes: the README's sentence on -hf names exactly the
// model types the importer reads, in HFModelTypes' order.
func TestREADMEListsModelTypes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(data)), " ")
	const lead = "`-hf` reads a config.json of model_type "
	i := strings.Index(text, lead)
	if i < 0 {
		t.Fatalf("README has no sentence starting %q", lead)
	}
	list, _, _ := strings.Cut(text[i+len(lead):], ". ")
	types := HFModelTypes()
	want := strings.Join(types[:len(types)-1], ", ") + " or " + types[len(types)-1]
	if list != want {
		t.Errorf("README lists model types\n%s\nwant\n%s", list, want)
	}
}

// TestREADMECountsPresets: the README's opening says how many presets
// there are.
func TestREADMECountsPresets(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(data)), " ")
	if want := fmt.Sprintf("for %d well-known models", len(All())); !strings.Contains(text, want) {
		t.Errorf("README does not say %q", want)
	}
}

// TestHFCoverage: every model type read names the class it follows, no
// refused type is read, and the README's coverage table is HFCoverage's.
func TestHFCoverage(t *testing.T) {
	for _, mt := range HFModelTypes() {
		if hfFollows[mt] == "" {
			t.Errorf("model_type %s is read but names no class it follows", mt)
		}
	}
	for mt := range hfFollows {
		if _, ok := hfReaders[mt]; !ok {
			t.Errorf("hfFollows names %s, which no reader reads", mt)
		}
	}
	for mt, why := range hfRefused {
		if _, ok := hfReaders[mt]; ok {
			t.Errorf("model_type %s is both read and refused", mt)
		}
		_, err := FromHFConfig("config.json", []byte(`{"model_type": "`+mt+`"}`))
		if err == nil || !errors.Is(err, ErrUnsupportedModelType) || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: error %v does not give the reason %q", mt, err, why)
		}
	}
	read, refused := HFCoverage()
	var b strings.Builder
	b.WriteString("| model_type | params.total follows |\n|---|---|\n")
	for _, r := range read {
		fmt.Fprintf(&b, "| `%s` | %s |\n", r.ModelType, r.Follows)
	}
	b.WriteString("\n| model_type refused | why |\n|---|---|\n")
	for _, r := range refused {
		fmt.Fprintf(&b, "| `%s` | %s |\n", r.ModelType, r.Follows)
	}
	want := "<!-- coverage: TestHFCoverage keeps this table equal to presets.HFCoverage -->\n" + b.String() + "<!-- /coverage -->"
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), want) {
		t.Errorf("README's coverage table differs; it should read:\n%s", want)
	}
}
