package presets

import "github.com/tscale/tscale/scale"

// miniMaxDefaults are MiniMaxConfig's (model_type minimax): Mixtral's
// decoder (RMSNorm, 8 KV heads, 8 gated SiLU experts, 2 per token, an
// untied head) whose token mixer is softmax attention or lightning
// attention by layer_types (default: alternating, softmax first), with
// lightning attention's blocks of block_size 256 tokens.
func miniMaxDefaults() scale.Config {
	c := mixtralDefaults()
	c.LightningBlockSize = 256
	return c
}

const miniMaxCode = "transformers modeling_minimax.py: MiniMaxDecoderLayer = input_layernorm → MiniMaxAttention " +
	"(Mixtral's: q/k/v/o_proj without bias) where layer_types says full_attention, else MiniMaxLightningAttention " +
	"(qkv_proj h → 3·heads·head_dim with the hidden_act, the linear attention with a decay slope per head (buffers, " +
	"not parameters), norm RMSNorm(heads·head_dim), output_gate h → heads·head_dim through a sigmoid, out_proj " +
	"heads·head_dim → h, all without bias; blockwise in blocks of block_size without a cache, token by token with one) " +
	"→ residual scaled by the alpha/beta factors → post_attention_layernorm → MiniMaxSparseMoeBlock (Mixtral's: gate " +
	"Linear(h, num_local_experts) without bias, gated SiLU experts of intermediate_size) → residual; norm, lm_head. " +
	"The alpha/beta factors are config scalars, not parameters"

// miniMaxLayers is MiniMaxConfig's default layer_types: softmax attention
// at even layers, lightning attention at odd ones.
func miniMaxLayers(n, every int64) []scale.LayerShape {
	layers := make([]scale.LayerShape, n)
	for i := range layers {
		if (int64(i)+1)%every == 0 {
			layers[i].Attention = scale.PartLightning
		}
	}
	return layers
}

func miniMaxFamily() []Preset {
	return []Preset{{
		Slug: "minimax-text-01", Name: "MiniMax-Text-01", Family: "MiniMax",
		Config: shaped(miniMaxDefaults(), scale.Config{
			VocabSize: 200064, HiddenSize: 6144, NumHiddenLayers: 80, NumAttentionHeads: 64, NumKeyValueHeads: 8,
			HeadDim: 128, MaxPositionEmbeddings: 10240000, NumLocalExperts: 32, NumExpertsPerTok: 2,
			MoEIntermediateSize: 9216, Layers: mixerEvery(80, 8, scale.PartLightning),
		}),
		Sources: []string{
			hfConfig("MiniMaxAI/MiniMax-Text-01-hf") + ", layer_types, head_dim, num_local_experts, num_experts_per_tok, block_size",
			miniMaxCode,
		},
		Notes: []string{
			"80 layers: softmax attention at 7, 15, …, 79 (every eighth), lightning attention elsewhere; 32 experts, 2 per token, on every layer",
			"MiniMax (MiniMax-01 paper and model card): 456B total, 45.9B activated per token",
			"flops.forward_chunked uses blocks of 256 tokens (block_size); rotary_dim 64 (half of head_dim) changes no count",
			"transformers' minimax takes the residual after each norm, scaled by the alpha/beta factors; neither changes a count",
		},
	}}
}

// readMiniMax reads model_type minimax.
func readMiniMax(f *hfFields) scale.Config {
	d := miniMaxDefaults()
	c := f.decoder(d)
	why := "minimax default"
	c.NumLocalExperts = f.intOr("num_local_experts", d.NumLocalExperts, why)
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, why)
	c.MoEIntermediateSize = f.required("intermediate_size") // every expert; no dense layers
	f.alias("moe_intermediate_size", f.name("intermediate_size"))
	c.SlidingWindow = f.slidingWindow(d.SlidingWindow)
	c.LightningBlockSize = f.intOr("block_size", d.LightningBlockSize, why)
	f.alias("lightning_block_size", f.name("block_size"))
	if n, ok := f.optional("shared_intermediate_size"); ok {
		f.unmodelled(n > 0, "shared_intermediate_size", "a shared expert (MiniMax's remote code) is not built by transformers' minimax")
	}
	if c.NumHiddenLayers <= 0 || c.NumHiddenLayers > scale.MaxLayers {
		return c
	}
	if !f.mixerLayerTypes(&c, scale.PartLightning) {
		_, remote := f.value("attn_type_list")
		f.unmodelled(remote, "attn_type_list",
			"MiniMax's remote-code layer list is not read by transformers' minimax, which alternates layers without layer_types")
		c.Layers = miniMaxLayers(c.NumHiddenLayers, 2)
		f.notes = append(f.notes, "layer_types absent: softmax and lightning attention alternate, softmax first (minimax default)")
	}
	if !c.HasLightning() {
		c.LightningBlockSize = 0
	}
	return c
}
