package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/scale"
)

// compactJSON is the JSON document encodeYAML reads for d.
func compactJSON(t testing.TB, d Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d.tree()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkEmit compares emitYAML with yaml.v3 (encodeYAMLNode) on the JSON
// document js: where emitYAML takes the document on, the bytes must be
// yaml.v3's. It reports whether emitYAML took it on.
func checkEmit(t *testing.T, name string, js []byte) bool {
	t.Helper()
	want, err := encodeYAMLNode(name, js)
	if err != nil {
		t.Fatalf("%s: yaml.v3: %v", name, err)
	}
	got, ok := emitYAML(nil, js)
	if ok && !bytes.Equal(got, want) {
		t.Errorf("%s: emitYAML differs from yaml.v3 (-yaml.v3 +emitYAML):\n%s\nJSON: %s", name, cmp.Diff(string(want), string(got)), js)
	}
	return ok
}

// TestEmitYAMLIsYAMLv3OnEveryPreset: for every preset, at its default
// workload and at a large one (counts beyond 2^63), emitYAML writes
// yaml.v3's bytes itself, without falling back.
func TestEmitYAMLIsYAMLv3OnEveryPreset(t *testing.T) {
	for _, p := range presets.All() {
		slug := p.Slug
		large := scale.Workload{BatchSize: 1 << 20, SeqLen: p.Context(), DType: scale.FP8, TrainingTokens: 15_000_000_000_000}
		for _, w := range []scale.Workload{{}, large} {
			d := presetDocument(t, slug, w)
			if !checkEmit(t, slug, compactJSON(t, d)) {
				t.Errorf("%s (workload %+v): emitYAML left the document to yaml.v3", slug, w)
			}
		}
	}
}

// TestYAMLGoldensParseToTheJSONDocument: every YAML golden, read by yaml.v3,
// is the JSON document of its preset, with the same exact numbers (the
// parse-back check, independent of how the YAML was written).
func TestYAMLGoldensParseToTheJSONDocument(t *testing.T) {
	for _, slug := range presets.Slugs() {
		y, err := os.ReadFile(filepath.Join("..", "testdata", "golden", slug+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var node yaml.Node
		if err := yaml.Unmarshal(y, &node); err != nil {
			t.Fatalf("%s.yaml: %v", slug, err)
		}
		dec := json.NewDecoder(bytes.NewReader(write(t, presetDocument(t, slug, scale.Workload{}), FormatJSON)))
		dec.UseNumber()
		var generic any
		if err := dec.Decode(&generic); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(jsonTree(generic), yamlTree(&node)); diff != "" {
			t.Errorf("%s.yaml is not the JSON document (-json +yaml):\n%s", slug, diff)
		}
	}
}

// yamlTrickyStrings are strings at the edges of yaml.v3's quoting rules.
var yamlTrickyStrings = []string{
	"", " ", "a", "true", "True", "TRUE", "false", "no", "yes", "on", "off", "y", "n", "~", "null", "Null", "NULL",
	"1e3", "1E3", "0x10", "0o17", "0b101", "-0b101", "-0o17", "017", "1_000", "+1", "-1", "1.", ".5", ".", "..", "...", "....",
	"---", "--", "---a", "...a", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1e400", "99999999999999999999", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "0-31", "0-31, 33", "2024-01-02", "2024-1-2", "2024-01-02T03:04:05Z",
	"2024-01-02 03:04:05", "2024-13-02", "1234-", "<<", "=", "- a", "-a", "-", "a: b", "a:b", "a:", ":", ":a", ": a", "a #b", "a#b", "#a",
	"?", "?x", "? x", " lead", "trail ", " both ", "*", "&", "!", "%", "@", "`", "'", "\"", "{", "}", "[", "]", ",", "|", ">",
	"a,b", "a[b]", "a{b}", "it's", `say "hi"`, `back\slash`, "café", "·", "Q·Kᵀ", "s×s", "s²", "2 × params", "§2.1",
	"emoji 😀", "nbsp\u00a0x", "\u00a0", "c1\u0080x", "del\x7f", "nul\x00", "bell\a", "esc\x1b", "\ufeffbom", "a\ufeff", "\ufffe",
	"a\nb", "a\n", "\n", "a\r\nb", "a\rb", "nel\u0085", "ls\u2028", "ps\u2029", "tab\there", "\tlead", "trail\t",
	"a  b", "a \"b\"", "'quoted'", "\"quoted\"", "1:2", "12:30", "1:20:30", strings.Repeat("long ", 40),
	strings.Repeat("k", 128), strings.Repeat("k", 129),
}

// jsonDoc builds a JSON object from key, value pairs in order.
func jsonDoc(kv ...any) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// TestEmitYAMLTrickyStrings: every tricky string, as a key, a value, a list
// item and inside a nested mapping, is written as yaml.v3 writes it; only
// line breaks, a leading BOM and over-long keys are left to yaml.v3.
func TestEmitYAMLTrickyStrings(t *testing.T) {
	for _, s := range yamlTrickyStrings {
		js := jsonDoc("value", s, s, 1, "list", []any{s, []any{s}, map[string]any{"k": s}}, "map", map[string]any{"a": []int{1, 2}, "b": s})
		ok := checkEmit(t, fmt.Sprintf("%q", s), js)
		fallback := strings.ContainsAny(s, "\r\n\u0085\u2028\u2029") || strings.HasPrefix(s, "\ufeff") || len(s) > 128
		if ok == fallback {
			t.Errorf("%q: emitYAML took the document on: %v, want %v", s, ok, !fallback)
		}
	}
}

// TestEmitYAMLShapes: containers of every kind in every position, empty
// ones, lists of integers, floats and counts beyond 64 bits.
func TestEmitYAMLShapes(t *testing.T) {
	for _, tt := range []struct {
		js string
		ok bool
	}{
		{`{"a":1}`, true},
		{`{"a":{}}`, true},
		{`{"a":[]}`, true},
		{`{"a":[[]],"b":[{}],"c":[[[1]]],"d":[[1,2],[3]],"e":[{"x":[]}]}`, true},
		{`{"a":[1,-2,0],"b":[1,2.5],"c":[1,"2"],"d":[true],"e":[null,1]}`, true},
		{`{"a":[[{"b":[[{"c":1}]]}]]}`, true},
		{`{"a":0.09621,"b":1e+21,"c":-1.5e-07,"d":0,"e":-0,"f":true,"g":false,"h":null}`, true},
		{`{"a":9223372036854775808,"b":18446744073709551615}`, true},
		{`{"a":18446744073709551616}`, true}, // yaml.v3 writes !!int
		{`{"a":[18446744073709551616,1],"b":[1,-18446744073709551616],"d":99999999999999999999999999999999999}`, true},
		{`{"a":1` + strings.Repeat("0", 400) + `}`, true}, // beyond float64 too
		{`{"a":1e400}`, false}, // yaml.v3 writes !!float
		{`{}`, false},
		{`[1]`, false},
		{` { "a" : [ 1 , 2 ] , "b" : { } } `, true},
	} {
		if ok := checkEmit(t, tt.js, []byte(tt.js)); ok != tt.ok {
			t.Errorf("%s: emitYAML took the document on: %v, want %v", tt.js, ok, tt.ok)
		}
	}
}

// TestEmitYAMLRandomDocuments: random documents, from strings of tricky
// characters and containers nested in every way, are written as yaml.v3
// writes them. The seed is fixed: a failure reproduces.
func TestEmitYAMLRandomDocuments(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 3000
	if testing.Short() {
		n = 300
	}
	took := 0
	for i := 0; i < n; i++ {
		v := map[string]any{}
		for k := rng.Intn(5) + 1; k > 0; k-- {
			v[randomString(rng)] = randomValue(rng, 4)
		}
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if checkEmit(t, fmt.Sprintf("random document %d", i), js) {
			took++
		}
	}
	if took < n/2 {
		t.Errorf("emitYAML took on %d of %d random documents; the test checks too little", took, n)
	}
}

func randomValue(rng *rand.Rand, depth int) any {
	switch k := rng.Intn(10); {
	case depth > 0 && k < 2:
		m := map[string]any{}
		for n := rng.Intn(4); n > 0; n-- {
			m[randomString(rng)] = randomValue(rng, depth-1)
		}
		return m
	case depth > 0 && k < 4:
		l := []any{}
		for n := rng.Intn(4); n > 0; n-- {
			l = append(l, randomValue(rng, depth-1))
		}
		return l
	case k < 5:
		l := []int64{}
		for n := rng.Intn(4); n > 0; n-- {
			l = append(l, rng.Int63n(1<<40)-1<<20)
		}
		return l
	case k < 6:
		return json.Number(fmt.Sprint(rng.Uint64() >> uint(rng.Intn(64))))
	case k < 7:
		return []any{rng.Float64() * 1e6, 1e21 * rng.Float64(), true, false, nil}[rng.Intn(5)]
	}
	return randomString(rng)
}

// randomPieces are the parts random strings are made of: indicators,
// numbers, words YAML reads as other types, spaces, tabs and non-ASCII.
var randomPieces = []string{
	"a", "b", "x", "0", "1", "9", "e", "E", ".", "_", "-", "+", " ", " ", "\t", ":", "#", "?", ",", "[", "]", "{", "}",
	"&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "\\", "/", "~", "<", "=", "·", "ᵀ", "×", "²", "é", "😀", "\u00a0",
	"\u0080", "\x7f", "\x00", "\x1b", "\ufffe", "true", "null", "no", "0x", "0o", "0b", "2024-01-02", "---", "...", "\n",
}

func randomString(rng *rand.Rand) string {
	var b strings.Builder
	for n := rng.Intn(6); n > 0; n-- {
		b.WriteString(randomPieces[rng.Intn(len(randomPieces))])
	}
	return b.String()
}

// FuzzEmitYAML: for any string, as a key and as a value, emitYAML writes
// yaml.v3's bytes or leaves the document to yaml.v3.
func FuzzEmitYAML(f *testing.F) {
	for _, s := range yamlTrickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		js := jsonDoc("value", s, s, []any{s, 1}, "list", []any{s, map[string]any{"k": s}})
		checkEmit(t, "fuzz", js)
	})
}
