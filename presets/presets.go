// Package presets holds the architectures of well-known language models,
// each with the sources of its facts. A preset holds architecture only:
// every count tscale prints is computed from it by package scale, and the
// published counts the computation must reproduce live in the tests.
package presets

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/tscale/tscale/scale"
)

// Preset is one model: its name, its architecture and where each fact of
// the architecture comes from.
type Preset struct {
	Slug   string // the name on the command line and of report files
	Name   string // display name; an estimate says so
	Family string
	Config scale.Config
	// Sources cite where the architecture comes from: the Hugging Face repo
	// and its config.json, or the paper and table.
	Sources []string
	// Notes record each known ambiguity and the reading taken.
	Notes []string
	// EstimateReason is empty for a released model with a published
	// architecture; for a closed or unreleased one it says whose estimate the
	// preset follows.
	EstimateReason string
	// Checkpoint is the safetensors headers read from a model folder with
	// its config.json (nil: none read).
	Checkpoint *Checkpoint
}

// IsEstimate reports whether the architecture is an estimate.
func (p Preset) IsEstimate() bool { return p.EstimateReason != "" }

// Model says which model a report is of and where its architecture comes
// from: a preset without its architecture. Its JSON form is the "model"
// section of a report document (package render).
type Model struct {
	Name   string `json:"name"`
	Slug   string `json:"slug"`
	Family string `json:"family"`
	// Estimate is true for a closed or unreleased model whose architecture is
	// an estimate; EstimateReason then says whose.
	Estimate       bool     `json:"estimate"`
	EstimateReason string   `json:"estimate_reason,omitempty"`
	Source         []string `json:"source"` // Preset.Sources
	Notes          []string `json:"notes"`
}

// Model returns the description of p: its name, slug, family, estimate
// label and sources. The lists are p's own, not copies.
func (p Preset) Model() Model {
	return Model{Name: p.Name, Slug: p.Slug, Family: p.Family, Estimate: p.IsEstimate(),
		EstimateReason: p.EstimateReason, Source: p.Sources, Notes: p.Notes}
}

// Context is the preset's default sequence length: its
// max_position_embeddings, which each preset sets to the context the model
// was released with.
func (p Preset) Context() int64 { return p.Config.MaxPositionEmbeddings }

// All returns every preset, in a fixed order (by family, then size).
func All() []Preset {
	var all []Preset
	for _, family := range [][]Preset{
		gpt2Family(), gpt3Family(), gpt4Estimates(), llama2Family(), llama3Family(), tinyLlama(), llama4Family(),
		mistralFamily(), deepseekLLMFamily(), deepseekMoEFamily(), kimiFamily(), glmFamily(), falconFamily(),
		phiFamily(), gemmaFamily(), gemma2Family(), qwen25Family(), qwen3Family(), nemotronNASFamily(),
		olmo2Family(), graniteFamily(), starcoder2Family(), gptOssFamily(), gemma3Family(), cohereFamily(),
		glm4Family(), seedOssFamily(), apertusFamily(), exaone4Family(), smolLM3Family(), olmo3Family(), optFamily(),
		gptNeoXFamily(), gptJFamily(), bloomFamily(), mptFamily(), dbrxFamily(), stableLMFamily(), olmoeFamily(),
		phimoeFamily(), graniteMoEFamily(), ernieFamily(), dots1Family(), longcatFamily(), nemotronHFamily(), bambaFamily(),
		graniteMoEHybridFamily(), mamba2Family(), zamba2Family(), falconH1Family(), jambaFamily(), lfm2Family(), qwen3NextFamily(), miniMaxFamily(),
	} {
		all = append(all, family...)
	}
	return all
}

// Slugs returns the slugs of All, in order.
func Slugs() []string {
	var slugs []string
	for _, p := range All() {
		slugs = append(slugs, p.Slug)
	}
	return slugs
}

// Lookup returns the preset named slug. For an unknown slug the error names
// the nearest known ones.
func Lookup(slug string) (Preset, error) {
	for _, p := range All() {
		if p.Slug == slug {
			return p, nil
		}
	}
	msg := fmt.Sprintf("unknown preset %q", slug)
	if near := nearest(slug, 3); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return Preset{}, errors.New(msg)
}

// nearest returns up to n known slugs closest to s by edit distance, with
// slugs that contain s (or that s contains) first.
func nearest(s string, n int) []string { return nearestOf(s, Slugs(), n) }

// nearestOf is nearest among the names slugs.
func nearestOf(s string, slugs []string, n int) []string {
	type cand struct {
		slug string
		dist int
	}
	s = strings.ToLower(s)
	var cands []cand
	for _, slug := range slugs {
		d := editDistance(s, slug)
		if s != "" && (strings.Contains(slug, s) || strings.Contains(s, slug)) {
			d = -1
		}
		if d <= max(3, len(s)/3) {
			cands = append(cands, cand{slug, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	var out []string
	for i := 0; i < len(cands) && i < n; i++ {
		out = append(out, cands[i].slug)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// slugPattern is what a slug may look like: lower-case words of letters,
// digits and dots joined by hyphens.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.]*(-[a-z0-9.]+)*$`)

// validSlug reports whether s is a well-formed slug.
func validSlug(s string) bool { return slugPattern.MatchString(s) }

// MaxConfigBytes is the largest config.json FromHFConfig reads (16 MiB);
// callers reading a file should stop after MaxConfigBytes+1 bytes.
const MaxConfigBytes = 16 << 20

// hfConfig cites the config.json of a Hugging Face repo for the listed fields.
func hfConfig(repo string) string {
	return fmt.Sprintf("Hugging Face %s config.json: vocab_size, hidden_size, intermediate_size, num_hidden_layers, "+
		"num_attention_heads, num_key_value_heads, max_position_embeddings, tie_word_embeddings, hidden_act", repo)
}

// explicitHeadDim notes the head_dim that a preset's config.json states:
// where num_attention_heads × head_dim is not hidden_size, the query and
// output projections are not square.
func explicitHeadDim(c scale.Config) string {
	width := c.NumAttentionHeads * c.HeadDim
	if width == c.HiddenSize {
		return fmt.Sprintf("head_dim %d is explicit in config.json and equals hidden_size / num_attention_heads", c.HeadDim)
	}
	return fmt.Sprintf("head_dim %d is explicit in config.json: num_attention_heads × head_dim = %d, not hidden_size %d, "+
		"so q_proj maps %d to %d and o_proj %d back to %d", c.HeadDim, width, c.HiddenSize, c.HiddenSize, width, width, c.HiddenSize)
}

// shaped is a preset's Config: the family's defaults (the same ones its
// config.json reader starts from) with every field that shape sets, by
// name, in their place. head_dim, where neither sets it, is hidden_size /
// num_attention_heads, as the modelling code takes it when config.json has
// no head_dim. A field shape leaves at its zero value keeps the family's
// value, so a preset cannot set to zero (or false) what the family sets;
// the one that needs to (Mistral NeMo's sliding_window null) does so after.
func shaped(defaults, shape scale.Config) scale.Config {
	c := defaults
	dst, src := reflect.ValueOf(&c).Elem(), reflect.ValueOf(shape)
	for i := range src.NumField() {
		if !src.Field(i).IsZero() {
			dst.Field(i).Set(src.Field(i))
		}
	}
	if c.HeadDim == 0 && c.NumAttentionHeads > 0 {
		c.HeadDim = c.HiddenSize / c.NumAttentionHeads
	}
	return c
}
