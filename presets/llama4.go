package presets

import (
	"fmt"

	"github.com/tscale/tscale/scale"
)

// llama4Defaults are Llama 4's text backbone's: the Llama block with one
// routed expert per token and a shared expert of the routed experts' width
// (intermediate_size), every layer MoE unless interleave_moe_layer_step
// says otherwise, every fourth layer global (without RoPE) where the others
// are chunked, and Llama4TextConfig's context of 4096 × 32.
func llama4Defaults() scale.Config {
	c := llamaDefaults()
	c.MaxPositionEmbeddings = 4096 * 32
	c.NumExpertsPerTok, c.NumSharedExperts, c.MoELayerInterval = 1, 1, 1
	c.GlobalAttentionInterval = 4
	return c
}

func llama4Family() []Preset {
	fields := "text_config: vocab_size, hidden_size, intermediate_size (experts and shared expert), intermediate_size_mlp " +
		"(dense layers), num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim, num_local_experts, " +
		"num_experts_per_tok, interleave_moe_layer_step, attention_chunk_size, no_rope_layers, max_position_embeddings"
	code := "transformers modeling_llama4.py: Llama4TextMoe = router Linear(hidden, num_local_experts) without bias, " +
		"fused experts gate_up_proj [E, hidden, 2·intermediate_size] and down_proj [E, intermediate_size, hidden], and one " +
		"shared expert of intermediate_size; MoE layers at moe_layers = range(step − 1, L, step); layers (i+1) % 4 == 0 " +
		"use global attention without RoPE, the others chunked attention with attention_chunk_size"
	notes := []string{
		"the text backbone only: the vision encoder and projector (871,932,416 parameters) are not counted",
		"the weightless L2 QK-norm on RoPE layers changes no count",
	}
	return []Preset{
		{
			Slug: "llama-4-scout", Name: "Llama 4 Scout (17B active, 16 experts)", Family: "Llama 4",
			Config: shaped(llama4Defaults(), scale.Config{
				VocabSize: 202048, HiddenSize: 5120, NumHiddenLayers: 48, NumAttentionHeads: 40, NumKeyValueHeads: 8,
				HeadDim: 128, MaxPositionEmbeddings: 262144, AttentionChunkSize: 8192,
				NumLocalExperts: 16, NumExpertsPerTok: 1, MoEIntermediateSize: 8192, SharedExpertIntermediateSize: 8192,
			}),
			Sources: []string{"Hugging Face meta-llama/Llama-4-Scout-17B-16E config.json " + fields, code},
			Notes: append([]string{"context 262144 as in the base model's config.json; the Instruct model's config and Meta's " +
				"card give 10M tokens (10485760): run it with -seq 10485760"}, notes...),
		},
		{
			Slug: "llama-4-maverick", Name: "Llama 4 Maverick (17B active, 128 experts)", Family: "Llama 4",
			Config: shaped(llama4Defaults(), scale.Config{
				VocabSize: 202048, HiddenSize: 5120, NumHiddenLayers: 48, NumAttentionHeads: 40, NumKeyValueHeads: 8,
				HeadDim: 128, IntermediateSize: 16384, MaxPositionEmbeddings: 1048576, AttentionChunkSize: 8192,
				NumLocalExperts: 128, NumExpertsPerTok: 1, MoEIntermediateSize: 8192, SharedExpertIntermediateSize: 8192,
				MoELayerInterval: 2,
			}),
			Sources: []string{"Hugging Face meta-llama/Llama-4-Maverick-17B-128E config.json " + fields, code},
			Notes: append([]string{"interleave_moe_layer_step 2: layers 1, 3, …, 47 are MoE, layers 0, 2, …, 46 dense with " +
				"intermediate_size_mlp 16384", "use_qk_norm is false"}, notes...),
		},
	}
}

func readLlama4(f *hfFields) scale.Config {
	d := llama4Defaults()
	c := f.decoder(d)
	c.NumLocalExperts = f.required("num_local_experts")
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, "llama4 default")
	c.MoEIntermediateSize = f.required("intermediate_size")
	c.SharedExpertIntermediateSize = c.MoEIntermediateSize // d.NumSharedExperts (1), as wide as a routed expert
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	f.alias("shared_expert_intermediate_size", f.name("intermediate_size"))
	f.follows("shared_expert_intermediate_size") // intermediate_size's errors are its
	step := f.intOr("interleave_moe_layer_step", d.MoELayerInterval, "every layer MoE")
	c.MoELayerInterval = step
	f.alias("moe_layer_interval", f.name("interleave_moe_layer_step"))
	// The lists are compared only with a layer count in range: one out of
	// range is an error of its own (the reader's or Validate's).
	layersOK := c.NumHiddenLayers > 0 && c.NumHiddenLayers <= scale.MaxLayers
	if listed, ok := f.intList("moe_layers"); ok && step > 0 && layersOK {
		// The layers step−1, 2·step−1, … below num_hidden_layers, compared
		// without building them: the work is the list's, bounded by the file.
		same := int64(len(listed)) == c.NumHiddenLayers/step
		for k := 0; same && k < len(listed); k++ {
			same = listed[k] == (int64(k)+1)*step-1 // at most num_hidden_layers − 1
		}
		f.unmodelled(!same, "moe_layers", "only the layers interleave_moe_layer_step gives are modelled")
	}
	if step > 1 {
		c.IntermediateSize = f.required("intermediate_size_mlp")
		f.alias("intermediate_size", f.name("intermediate_size_mlp"))
	}
	c.AttentionChunkSize, _ = f.optional("attention_chunk_size")
	interval := f.intOr("no_rope_layer_interval", d.GlobalAttentionInterval, "every fourth layer global, without RoPE")
	if ropeLayers, ok := f.intList("no_rope_layers"); ok && interval > 0 && layersOK {
		same := true // 1 (RoPE) everywhere but at every interval-th layer
		for i := 0; same && i < len(ropeLayers); i++ {
			want := int64(1)
			if (int64(i)+1)%interval == 0 {
				want = 0
			}
			same = ropeLayers[i] == want
		}
		f.unmodelled(!same, "no_rope_layers",
			fmt.Sprintf("only every %d-th layer global (no_rope_layer_interval) is modelled", interval))
	}
	c.GlobalAttentionInterval = 0 // without chunks every layer is global
	if c.AttentionChunkSize > 0 {
		c.GlobalAttentionInterval = interval
		f.alias("global_attention_interval", f.name("no_rope_layer_interval"))
	}
	f.unmodelled(f.boolOr("attention_bias", false), "attention_bias", "Llama 4 attention is modelled without bias")
	return c
}
