package presets

import "github.com/tscale/tscale/scale"

// publishedRuns are the training runs whose size a model's authors
// published: tokens, and GPU-hours on a device of the GPU table where
// published. Reports on a device show them beside the estimate.
var publishedRuns = map[string]struct {
	tokens, gpuHours int64
	gpu, source      string
}{
	"gpt3-175b": {tokens: 300_000_000_000,
		source: gpt3Paper + ", §2.2: \"all models were trained for a total of 300 billion tokens\"; no GPU-hours published"},
	"llama-3.1-405b": {tokens: 15_600_000_000_000, gpuHours: 30_840_000, gpu: "h100-sxm",
		source: "Dubey et al. 2024, The Llama 3 Herd of Models (arXiv 2407.21783): pre-trained on 15.6T tokens; " +
			"Llama 3.1 model card (meta-llama/llama-models, models/llama3_1/MODEL_CARD.md): 30.84M GPU hours of training on H100-80GB (TDP 700 W) for 405B"},
	"deepseek-v3": {tokens: 14_800_000_000_000,
		source: "DeepSeek-AI 2024, DeepSeek-V3 Technical Report (arXiv 2412.19437): pre-trained on 14.8T tokens; its 2.664M H800 GPU hours are not checked (the H800 is not in the GPU table)"},
}

// PublishedRun returns the published training run of p, or nil if none is
// known.
func (p Preset) PublishedRun() *scale.PublishedRun {
	run, ok := publishedRuns[p.Slug]
	if !ok {
		return nil
	}
	out := &scale.PublishedRun{Tokens: run.tokens, GPUHours: run.gpuHours, Source: run.source}
	if run.gpu != "" {
		d, err := LookupGPU(run.gpu)
		if err != nil {
			panic("presets: published run of " + p.Slug + ": " + err.Error()) // the table is ours: a test covers it
		}
		out.Device = &d
	}
	return out
}
