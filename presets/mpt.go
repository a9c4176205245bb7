package presets

import "github.com/tscale/tscale/scale"

// mptDefaults are MPT's and MptConfig's as transformers builds them: ALiBi
// (no position table), LayerNorms without bias (norm_1, norm_2, norm_f),
// a fused Wqkv and out_proj without bias, a standard GELU MLP of
// 4 × d_model without bias, multi-head attention, an LM head tied to the
// embedding and max_seq_len 2048.
func mptDefaults() scale.Config {
	return scale.Config{
		MaxPositionEmbeddings: 2048,
		TieWordEmbeddings:     true,
		MLP:                   scale.MLPStandard,
		HiddenAct:             "gelu",
		Norm:                  scale.LayerNormNoBias,
		PositionEmbedding:     scale.PositionALiBi,
		NormsPerLayer:         2,
	}
}

const mptCode = "transformers modeling_mpt.py and configuration_mpt.py: wte; per block norm_1 and norm_2 (LayerNorm with " +
	"its bias set to None), Wqkv = Linear(h, 3h) and out_proj = Linear(h, h) without bias, up_proj = Linear(h, 4h) and " +
	"down_proj without bias (4 × hidden_size, fixed); norm_f (no bias); lm_head without bias, tied to wte; the ALiBi " +
	"bias is computed (build_mpt_alibi_tensor); there is no position table"

// subConfig reads the object field name (a nested configuration class:
// MPT's attn_config, DBRX's attn_config and ffn_config) with read, errors
// and notes named inside it; absent or null, read sees no fields and
// applies every default, noted.
func (f *hfFields) subConfig(name, what string, read func()) {
	top, prefix := f.m, f.prefix
	m := map[string]any{}
	if _, set := f.value(name); set {
		object, ok := f.object(name, what)
		if !ok {
			return
		}
		m = object
	} else {
		f.notes = append(f.notes, name+" absent: "+what+"'s defaults")
	}
	f.m, f.prefix = m, prefix+name+"."
	notes := len(f.notes)
	read()
	for i := notes; i < len(f.notes); i++ {
		f.notes[i] = f.prefix + f.notes[i]
	}
	f.m, f.prefix = top, prefix
}

func mptFamily() []Preset {
	return []Preset{
		{
			Slug: "mpt-7b", Name: "MPT-7B", Family: "MPT",
			Config: shaped(mptDefaults(), scale.Config{
				VocabSize: 50432, HiddenSize: 4096, NumHiddenLayers: 32, NumAttentionHeads: 32, NumKeyValueHeads: 32,
				IntermediateSize: 4 * 4096, MaxPositionEmbeddings: 2048,
			}),
			Sources: []string{
				"Hugging Face mosaicml/mpt-7b config.json: vocab_size, d_model, n_layers, n_heads, expansion_ratio, max_seq_len, " +
					"no_bias, attn_config (alibi, attn_type)",
				mptCode,
			},
			Notes: []string{
				"config.json's learned_pos_emb true does not give a position table: with attn_config.alibi true the model uses " +
					"ALiBi, and transformers' MptModel builds none",
				"an MPT-7B checkpoint's pytorch_model.bin.index.json total_size is 13,298,573,312 bytes, 2 bytes (bf16) per " +
					"parameter of this count; the card says 6.7B",
			},
		},
		{
			Slug: "mpt-30b", Name: "MPT-30B", Family: "MPT",
			Config: shaped(mptDefaults(), scale.Config{
				VocabSize: 50432, HiddenSize: 7168, NumHiddenLayers: 48, NumAttentionHeads: 64, NumKeyValueHeads: 64,
				IntermediateSize: 4 * 7168, MaxPositionEmbeddings: 8192,
			}),
			Sources: []string{
				"Hugging Face mosaicml/mpt-30b config.json: vocab_size, d_model 7168, n_layers 48, n_heads 64, expansion_ratio 4, " +
					"max_seq_len 8192, no_bias, attn_config (alibi, attn_type)",
				mptCode,
			},
			Notes: []string{"the model card gives n_parameters 29.95B; this count, 29,957,200,896, is within 0.03% of it " +
				"(no exact published count found)"},
		},
	}
}

func readMPT(f *hfFields) scale.Config {
	d := mptDefaults()
	c := d
	f.shape(&c, "d_model", "n_layers", "n_heads")
	for field, file := range map[string]string{"hidden_size": "d_model", "num_attention_heads": "n_heads",
		"num_key_value_heads": "n_heads", "max_position_embeddings": "max_seq_len",
		"intermediate_size": "intermediate_size (4 × d_model)"} {
		f.alias(field, file)
	}
	c.NumKeyValueHeads = c.NumAttentionHeads // Wqkv is h → 3h
	f.follows("num_key_value_heads")
	c.HeadDim = f.implicitHeadDim(c.HiddenSize, c.NumAttentionHeads, "d_model", "n_heads")
	f.followsIf(c.HiddenSize <= 0, "intermediate_size")
	c.IntermediateSize = f.mul("4 × d_model", 4, c.HiddenSize) // MptMLP: up_proj is h → 4h
	if r, ok := f.optional("expansion_ratio"); ok && r != 4 {
		f.unmodelled(true, "expansion_ratio", "transformers' MptMLP is 4 × d_model wide whatever expansion_ratio says")
	}
	c.MaxPositionEmbeddings = f.intOr("max_seq_len", d.MaxPositionEmbeddings, "mpt default")
	c.TieWordEmbeddings = f.boolOr("tie_word_embeddings", d.TieWordEmbeddings)
	f.unmodelled(!f.boolOr("no_bias", true), "no_bias",
		"transformers' MPT builds every linear and norm without bias whatever no_bias says")
	norm := f.stringOr("norm_type", "low_precision_layernorm")
	f.unmodelled(norm != "low_precision_layernorm" && norm != "layernorm", "norm_type",
		"transformers' MPT norms are LayerNorms (without bias) whatever norm_type says")
	f.subConfig("attn_config", "MptAttentionConfig", func() {
		f.unmodelled(f.stringOr("attn_type", "multihead_attention") != "multihead_attention", "attn_type",
			"transformers' MptAttention is multi-head attention (Wqkv is h → 3h)")
		f.unmodelled(!f.boolOr("alibi", true), "alibi",
			"transformers' MptModel always adds ALiBi and has no position table")
		f.unmodelled(f.boolOr("qk_ln", false), "qk_ln", "transformers' MptAttention has no QK LayerNorms")
		f.unmodelled(f.boolOr("prefix_lm", false), "prefix_lm",
			"a prefix LM's bidirectional prefix is not causal attention, which tscale counts")
	})
	return c
}
