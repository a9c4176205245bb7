package presets

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/tscale/tscale/scale"
)

// nemotronHDefaults are NemotronHConfig's (model_type nemotron_h,
// transformers 5.17): a stack of single-mixer layers — Mamba-2, attention,
// a dense MLP or a mixture of experts, each with one RMSNorm before it and
// a residual add — as layers_block_type or hybrid_override_pattern lists
// them; attention of 32 query and 8 KV heads of 128 (head_dim) without
// biases and without position encoding; a non-gated relu² MLP of 21504
// without bias; Mamba-2 of 128 heads of 64, state 128, 8 groups, conv
// kernel 4 with bias, no projection bias, chunks of 128; an untied LM
// head. The experts' defaults (8 of 7688, 2 per token, a shared expert of
// 7688) are nemotronHExpertDefaults.
func nemotronHDefaults() scale.Config {
	return scale.Config{
		VocabSize: 131072, HiddenSize: 4096, NumHiddenLayers: 52, NumAttentionHeads: 32, NumKeyValueHeads: 8, HeadDim: 128,
		IntermediateSize: 21504, MaxPositionEmbeddings: 4096, MLP: scale.MLPStandard, HiddenAct: "relu2",
		Norm: scale.RMSNorm, PositionEmbedding: scale.PositionNone, NormsPerLayer: 2,
		Mamba2NumHeads: 128, Mamba2HeadDim: 64, Mamba2StateSize: 128, Mamba2NGroups: 8, Mamba2ConvKernel: 4,
		Mamba2ChunkSize: 128, Mamba2ConvBias: true,
	}
}

// nemotronHExpertDefaults are NemotronHConfig's mixture-of-experts
// defaults, which apply where a layer is "moe" (E): n_routed_experts 8,
// num_experts_per_tok 2, moe_intermediate_size 7688 and one shared expert
// of moe_shared_expert_intermediate_size 7688; the router's
// e_score_correction_bias is a buffer, and the routed experts have no
// biases whatever mlp_bias says (the shared expert, a NemotronHMLP, has
// them).
func nemotronHExpertDefaults() scale.Config {
	return scale.Config{
		NumLocalExperts: 8, NumExpertsPerTok: 2, MoEIntermediateSize: 7688,
		NumSharedExperts: 1, SharedExpertIntermediateSize: 7688, RouterScoreBias: true, RoutedExpertsNoBias: true,
	}
}

const nemotronHCode = "modeling_nemotron_h.py (transformers 5.17; the remote code of nvidia/Nemotron-H-8B-Base-8K for the M, * " +
	"and - layers): NemotronHBlock = norm (RMSNorm h) → mixer → residual add, the mixer chosen by layers_block_type " +
	"(hybrid_override_pattern's M, *, - and E): linear_attention (M) NemotronHMamba2Mixer (in_proj h → 2·d_inner + " +
	"2·n_groups·ssm_state_size + mamba_num_heads with bias where use_bias says, conv1d over conv_dim = d_inner + " +
	"2·n_groups·ssm_state_size channels, kernel conv_kernel, bias where use_conv_bias says, dt_bias, A_log and D of " +
	"mamba_num_heads, MambaRMSNormGated(d_inner), out_proj d_inner → h; d_inner = mamba_num_heads × mamba_head_dim), " +
	"full_attention (*) NemotronHAttention (q/k/v/o of head_dim, no bias, no rotary embedding), mlp (-) NemotronHMLP " +
	"(up_proj, relu², down_proj, bias where mlp_bias says), moe (E) NemotronHMoE (gate.weight [n_routed_experts, h] " +
	"without bias, e_score_correction_bias a buffer; NemotronHExperts up_proj [E, moe_intermediate_size, h] and " +
	"down_proj without biases; shared_experts a NemotronHMLP of moe_shared_expert_intermediate_size); embeddings, " +
	"norm_f, lm_head"

// nemotronHMamba2 is where NemotronHConfig keeps the Mamba-2 fields.
var nemotronHMamba2 = mamba2Names{heads: "mamba_num_heads", headDim: "mamba_head_dim", state: "ssm_state_size",
	groups: "n_groups", kernel: "conv_kernel", chunk: "chunk_size", projBias: "use_bias", convBias: "use_conv_bias"}

// The layer kinds of NemotronHConfig's layers_block_type, and the
// characters of the legacy hybrid_override_pattern that name them.
const (
	nemotronHMamba     = "linear_attention" // M: a Mamba-2 mixer
	nemotronHAttention = "full_attention"   // *: attention
	nemotronHMLP       = "mlp"              // -: a dense MLP
	nemotronHMoE       = "moe"              // E: a mixture of experts
)

var nemotronHPatternKinds = map[rune]string{'M': nemotronHMamba, '*': nemotronHAttention, '-': nemotronHMLP, 'E': nemotronHMoE}

// nemotronHLegacyKinds are the older names of layer kinds that transformers
// 5.17 remaps (configuration_utils' _LEGACY_LAYER_TYPE_REMAP).
var nemotronHLegacyKinds = map[string]string{"mamba": nemotronHMamba, "attention": nemotronHAttention}

// nemotronHLayers is the layers of a hybrid_override_pattern: M a Mamba-2
// block alone, * attention alone, - a dense MLP alone, E experts alone.
func nemotronHLayers(pattern string) []scale.LayerShape {
	kinds := make([]string, 0, len(pattern))
	for _, ch := range pattern {
		kinds = append(kinds, nemotronHPatternKinds[ch])
	}
	return nemotronHKindLayers(kinds)
}

// nemotronHKindLayers is the layers of a layers_block_type list.
func nemotronHKindLayers(kinds []string) []scale.LayerShape {
	layers := make([]scale.LayerShape, len(kinds))
	for i, k := range kinds {
		switch k {
		case nemotronHMamba:
			layers[i] = scale.LayerShape{Attention: scale.PartMamba2, MLP: scale.PartNone}
		case nemotronHAttention:
			layers[i] = scale.LayerShape{MLP: scale.PartNone}
		case nemotronHMLP:
			layers[i] = scale.LayerShape{Attention: scale.PartNone}
		case nemotronHMoE:
			layers[i] = scale.LayerShape{Attention: scale.PartNone, MLP: scale.PartExperts}
		}
	}
	return layers
}

func nemotronHFamily() []Preset {
	p8b := "M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-"
	p47b := "M-M-M-M-M-M-M-M-M*-M-M-M-M-M-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-M-M---MM---M-M*-M-M-M-M-M-"
	return []Preset{{
		Slug: "nemotron-h-8b", Name: "Nemotron-H 8B", Family: "Nemotron-H",
		Config: shaped(nemotronHDefaults(), scale.Config{
			MaxPositionEmbeddings: 8192, Mamba2ChunkSize: 128, Layers: nemotronHLayers(p8b),
		}),
		Sources: []string{
			hfConfig("nvidia/Nemotron-H-8B-Base-8K") + ", hybrid_override_pattern, attention_head_dim " +
				"128 (transformers 5.x reads head_dim, absent: its default 128), mamba_num_heads, mamba_head_dim, " +
				"ssm_state_size, n_groups, conv_kernel, chunk_size, use_bias, use_conv_bias",
			nemotronHCode,
		},
		Notes: []string{
			"52 layers: 24 Mamba-2 (M), 4 attention (*), 24 MLP (-), each a norm, one mixer and a residual add",
			"the attention layers encode no position (no rotary embedding): the Mamba-2 layers carry the order",
			"expand 2 is not read by the modelling code: d_inner is mamba_num_heads × mamba_head_dim = 8192 (= 2 × 4096)",
			"NVIDIA's paper (arXiv 2504.03624) names it Nemotron-H-8B; no exact parameter count is published",
		},
	}, {
		Slug: "nemotron-h-47b", Name: "Nemotron-H 47B", Family: "Nemotron-H",
		Config: shaped(nemotronHDefaults(), scale.Config{
			HiddenSize: 8192, NumHiddenLayers: 98, NumAttentionHeads: 64, IntermediateSize: 30720,
			MaxPositionEmbeddings: 8192, Mamba2NumHeads: 256, Mamba2StateSize: 256, Mamba2ChunkSize: 128,
			Layers: nemotronHLayers(p47b),
		}),
		Sources: []string{
			hfConfig("nvidia/Nemotron-H-47B-Base-8K") + ", hybrid_override_pattern, attention_head_dim " +
				"128 (transformers 5.x reads head_dim, absent: its default 128), mamba_num_heads, mamba_head_dim, " +
				"ssm_state_size, n_groups, conv_kernel, chunk_size, use_bias, use_conv_bias",
			nemotronHCode,
		},
		Notes: []string{
			"98 layers: 45 Mamba-2 (M), 5 attention (*, at 17, 38, 49, 60 and 86), 48 MLP (-), each a norm, one mixer and a " +
				"residual add; the pattern is irregular (M---MM---M near the end), pruned from the 56B's",
			"Mamba-2 of 256 heads of 64 (d_inner 16384 = 2 × 8192), state 256, 8 groups; attention of 64 query and 8 KV heads of 128",
			"NVIDIA's paper (arXiv 2504.03624) makes it from Nemotron-H-56B by MiniPuzzle pruning and distillation and names it " +
				"47B; no exact parameter count is published",
		},
	}}
}

// readNemotronH reads model_type nemotron_h as transformers 5.17's
// NemotronHConfig does: the layers from layers_block_type (or layer_types,
// its other name; legacy "mamba" and "attention" remapped), else from the
// legacy hybrid_override_pattern; their count is the list's
// (num_hidden_layers is deprecated); the attention width from head_dim
// (attention_head_dim is not read); the mamba_* aliases over the plain
// names; and an LM head that is not tied. Where transformers 4.x or the
// checkpoints' remote code count otherwise, a note says by how much. The
// fields of a kind of layer the model does not have are left at zero.
func readNemotronH(f *hfFields) scale.Config {
	d := nemotronHDefaults()
	why := "nemotron_h default"
	c := d
	kinds, field := f.nemotronHKinds()
	if kinds == nil {
		return c
	}
	count := map[string]int64{}
	for _, k := range kinds {
		count[k]++
	}
	c.NumHiddenLayers = int64(len(kinds))
	f.alias("num_hidden_layers", fmt.Sprintf("num_hidden_layers (the length of %s)", f.name(field)))
	f.alias("layers", f.name(field))
	if n, ok := f.optional("num_hidden_layers"); ok && n != c.NumHiddenLayers {
		f.notes = append(f.notes, fmt.Sprintf("num_hidden_layers %d is not the %d layers %s lists: transformers 5.17 "+
			"builds the list's (num_hidden_layers is deprecated there)", n, c.NumHiddenLayers, field))
	}
	c.Layers = nemotronHKindLayers(kinds)
	f.notes = append(f.notes, fmt.Sprintf("%s: %d Mamba-2 (M), %d attention (*), %d MLP (-) and %d mixture-of-experts (E) layers",
		field, count[nemotronHMamba], count[nemotronHAttention], count[nemotronHMLP], count[nemotronHMoE]))

	c.VocabSize = f.required("vocab_size")
	c.HiddenSize = f.required("hidden_size")
	c.MaxPositionEmbeddings = f.intOr("max_position_embeddings", d.MaxPositionEmbeddings, why)
	if f.boolOr("tie_word_embeddings", false) && c.VocabSize > 0 && c.HiddenSize > 0 {
		f.notes = append(f.notes, fmt.Sprintf("tie_word_embeddings true: transformers 5.17 does not tie nemotron_h's "+
			"lm_head (num_parameters() counts it), and neither does tscale; transformers 4.x tied it, %s parameters "+
			"fewer (vocab_size × hidden_size)", bigProduct(c.VocabSize, c.HiddenSize)))
	}
	c.HiddenAct = f.stringOr("mlp_hidden_act", d.HiddenAct)
	f.alias("hidden_act", f.name("mlp_hidden_act"))
	c.MLPBias = f.boolOr("mlp_bias", false)

	if count[nemotronHAttention] > 0 {
		f.nemotronHAttention(&c, d, count[nemotronHAttention])
	} else { // no attention layer: its fields are unused
		c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim = 0, 0, 0
		f.unusedFields("no layer has attention", "num_attention_heads", "num_key_value_heads", "head_dim", "attention_head_dim")
	}
	if count[nemotronHMamba] > 0 {
		f.mamba2(&c, d, f.nemotronHMamba2Names())
		f.timeStepLimit("time_step_limit")
		f.timeStepLimit("mamba_dt_limit")
	} else { // no Mamba-2 layer
		c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel, c.Mamba2ChunkSize = 0, 0, 0, 0, 0, 0
		c.Mamba2ConvBias = false
		f.unusedFields("no layer is Mamba-2", "mamba_num_heads", "mamba_head_dim", "ssm_state_size", "n_groups", "conv_kernel")
	}
	if count[nemotronHMLP] > 0 {
		c.IntermediateSize = f.required("intermediate_size")
	} else { // no dense MLP layer
		c.IntermediateSize = 0
		f.unusedFields("no layer is a dense MLP", "intermediate_size")
	}
	if count[nemotronHMoE] > 0 {
		f.nemotronHExperts(&c)
	}
	if n, _ := f.optional("num_nextn_predict_layers"); n > 0 {
		f.unmodelled(true, "num_nextn_predict_layers", "Nemotron-H's multi-token-prediction layers (mtp_layers_block_type) are not modelled")
	}
	return c
}

// nemotronHKinds reads the layer kinds and the field that gives them:
// layers_block_type, or layer_types (NemotronHConfig's attribute_map name
// for it), else the characters of hybrid_override_pattern. Legacy names
// ("mamba", "attention") are remapped as transformers 5.17 remaps them,
// which it does only without a hybrid_override_pattern. A list longer than
// scale.MaxLayers is refused before anything is done per layer. nil: an
// error is recorded.
func (f *hfFields) nemotronHKinds() ([]string, string) {
	_, hasPattern := f.value("hybrid_override_pattern")
	field := ""
	for _, name := range []string{"layers_block_type", "layer_types"} {
		if _, ok := f.value(name); ok && field == "" {
			field = name
		}
	}
	if field == "" {
		if !hasPattern {
			f.errorf(ErrMissingField, "hybrid_override_pattern", "%s or %s (nemotron_h): transformers 5.x's default "+
				"(4 layers) and 4.x's (52) differ, so tscale assumes neither", f.name("layers_block_type"), f.name("hybrid_override_pattern"))
			return nil, ""
		}
		errs := len(f.errs)
		pattern := f.stringOr("hybrid_override_pattern", "")
		if len(f.errs) > errs {
			return nil, ""
		}
		if len(pattern) > scale.MaxLayers {
			f.errorf(ErrTooLarge, "hybrid_override_pattern", "%s lists %d layers, more than the %d tscale analyses",
				f.name("hybrid_override_pattern"), len(pattern), scale.MaxLayers)
			return nil, ""
		}
		kinds := make([]string, 0, len(pattern))
		for i, ch := range pattern {
			k, ok := nemotronHPatternKinds[ch]
			if !ok {
				f.errorf(ErrInvalidValue, "hybrid_override_pattern", "%s has %q at character %d: NemotronHConfig reads M "+
					"(Mamba-2), * (attention), - (MLP) and E (mixture of experts)", f.name("hybrid_override_pattern"), ch, i)
				return nil, ""
			}
			kinds = append(kinds, k)
		}
		return kinds, "hybrid_override_pattern"
	}
	v, _ := f.value(field)
	items, ok := v.([]any)
	if !ok {
		f.errorf(ErrWrongType, field, "%s must be a list of strings, got %s", f.name(field), describe(v))
		return nil, ""
	}
	if len(items) > scale.MaxLayers {
		f.errorf(ErrTooLarge, field, "%s lists %d layers, more than the %d tscale analyses", f.name(field), len(items), scale.MaxLayers)
		return nil, ""
	}
	kinds := make([]string, len(items))
	for i, it := range items {
		s, _ := it.(string)
		if current, legacy := nemotronHLegacyKinds[s]; legacy && !hasPattern { // 5.17 remaps them only here
			s = current
		}
		switch s {
		case nemotronHMamba, nemotronHAttention, nemotronHMLP, nemotronHMoE:
			kinds[i] = s
		default:
			f.errorf(ErrInvalidValue, field, "%s[%d] is %s: NemotronHConfig reads %q, %q, %q and %q (and, without "+
				"hybrid_override_pattern, the legacy \"mamba\" and \"attention\")", f.name(field), i, describe(it),
				nemotronHMamba, nemotronHAttention, nemotronHMLP, nemotronHMoE)
			return nil, ""
		}
	}
	if other, both := f.value("layer_types"); field == "layers_block_type" && both && !reflect.DeepEqual(v, other) {
		f.errorf(ErrInvalidValue, "layer_types", "%s and %s, one field under two names, differ", f.name("layer_types"),
			f.name("layers_block_type"))
		return nil, ""
	}
	if hasPattern {
		f.notes = append(f.notes, fmt.Sprintf("hybrid_override_pattern is not read: transformers 5.17 builds %s's layers "+
			"where the file has both", field))
	}
	return kinds, field
}

// nemotronHAttention reads the attention fields of a model with n
// attention layers. transformers 5.17's NemotronHAttention is head_dim
// wide (default 128) and has no biases; transformers 4.x and the
// checkpoints' remote code read attention_head_dim as the width and put
// attention_bias's biases on q, k, v and o: a note says how many
// parameters that would change.
func (f *hfFields) nemotronHAttention(c *scale.Config, d scale.Config, n int64) {
	why := "nemotron_h default"
	c.NumAttentionHeads = f.required("num_attention_heads")
	c.NumKeyValueHeads = f.intOr("num_key_value_heads", d.NumKeyValueHeads, why)
	c.HeadDim = f.intOr("head_dim", d.HeadDim, "NemotronHConfig's default in transformers 5.x, which does not read attention_head_dim")
	if w, _ := f.optional("sliding_window"); w > 0 {
		f.unmodelled(true, "sliding_window", "sliding-window attention in Nemotron-H is not modelled")
	}
	b := big.NewInt
	heads, kv := b(c.NumAttentionHeads), b(c.NumKeyValueHeads)
	width := b(c.HeadDim)
	if old, ok := f.optional("attention_head_dim"); ok && old != c.HeadDim {
		width = b(old)
		// q/k/v/o hold 2·h·(heads + kv) weights per unit of head width.
		perUnit := bigProduct(2, n, c.HiddenSize)
		perUnit.Mul(perUnit, new(big.Int).Add(heads, kv))
		change, more := perUnit.Mul(perUnit, new(big.Int).Sub(width, b(c.HeadDim))), "more"
		if change.Sign() < 0 {
			change, more = change.Neg(change), "fewer"
		}
		f.notes = append(f.notes, fmt.Sprintf("attention_head_dim %d is not read: transformers 5.17's NemotronHAttention "+
			"takes head_dim (%d), and so does tscale; transformers 4.x and the checkpoints' remote code read "+
			"attention_head_dim, which gives the %d attention layers' q/k/v/o %s parameters %s", old, c.HeadDim, n, change, more))
	}
	if f.boolOr("attention_bias", false) {
		// q, k and v's biases are (heads + 2·kv)·width, o's hidden_size.
		biases := new(big.Int).Add(heads, new(big.Int).Mul(b(2), kv))
		biases.Mul(biases, width).Add(biases, b(c.HiddenSize)).Mul(biases, b(n))
		f.notes = append(f.notes, fmt.Sprintf("attention_bias true is not read: transformers 5.17's NemotronHAttention "+
			"has no biases, and neither does tscale; transformers 4.x and the checkpoints' remote code put biases on q, k, "+
			"v and o, %s parameters more over the %d attention layers", biases, n))
	}
}

// nemotronHMamba2Names are the Mamba-2 fields' names in this file: the
// mamba_* aliases that NemotronHConfig's __post_init__ reads over the plain
// names where the file has them (mamba_n_groups, mamba_d_conv,
// mamba_conv_bias, mamba_chunk_size; mamba_expand, like expand, changes no
// count).
func (f *hfFields) nemotronHMamba2Names() mamba2Names {
	n := nemotronHMamba2
	for _, a := range []struct {
		alias string
		name  *string
	}{{"mamba_n_groups", &n.groups}, {"mamba_d_conv", &n.kernel}, {"mamba_conv_bias", &n.convBias}, {"mamba_chunk_size", &n.chunk}} {
		if _, ok := f.value(a.alias); !ok {
			continue
		}
		if _, plain := f.value(*a.name); plain {
			f.notes = append(f.notes, fmt.Sprintf("%s is read over %s, as NemotronHConfig reads it", a.alias, *a.name))
		}
		*a.name = a.alias
	}
	return n
}

// nemotronHExperts reads the mixture of experts of the "moe" (E) layers:
// n_routed_experts (or num_local_experts, its attribute_map name) non-gated
// relu² experts of moe_intermediate_size without biases, a router
// Linear(h, E) without bias whose e_score_correction_bias is a buffer, and
// one shared NemotronHMLP of moe_shared_expert_intermediate_size with
// mlp_bias's biases. n_shared_experts is not read by the modelling code.
// moe_latent_size (latent projections around the experts) is refused.
func (f *hfFields) nemotronHExperts(c *scale.Config) {
	d := nemotronHExpertDefaults()
	why := "nemotron_h default"
	experts := "n_routed_experts"
	if _, ok := f.value(experts); !ok {
		if _, ok := f.value("num_local_experts"); ok {
			experts = "num_local_experts"
		}
	}
	c.NumLocalExperts = f.intOr(experts, d.NumLocalExperts, why)
	f.alias("num_local_experts", f.name(experts))
	c.NumExpertsPerTok = f.intOr("num_experts_per_tok", d.NumExpertsPerTok, why)
	c.MoEIntermediateSize = f.intOr("moe_intermediate_size", d.MoEIntermediateSize, why)
	c.SharedExpertIntermediateSize = f.intOr("moe_shared_expert_intermediate_size", d.SharedExpertIntermediateSize, why)
	f.alias("shared_expert_intermediate_size", f.name("moe_shared_expert_intermediate_size"))
	c.NumSharedExperts = d.NumSharedExperts
	f.follows("num_shared_experts") // one shared expert, whatever its width says
	c.RouterScoreBias, c.RoutedExpertsNoBias = d.RouterScoreBias, d.RoutedExpertsNoBias
	if n, ok := f.optional("n_shared_experts"); ok && n != 1 {
		f.notes = append(f.notes, fmt.Sprintf("n_shared_experts %d is not read: NemotronHMoE builds one shared expert of "+
			"moe_shared_expert_intermediate_size", n))
	}
	if _, ok := f.value("moe_latent_size"); ok {
		f.unmodelled(true, "moe_latent_size", "the latent projections around Nemotron-H's experts are not modelled")
	}
}

// bigProduct is the product of xs, exactly.
func bigProduct(xs ...int64) *big.Int {
	p := big.NewInt(1)
	for _, x := range xs {
		p.Mul(p, big.NewInt(x))
	}
	return p
}

// unusedFields notes, where the file sets any of fields, that they are not
// read because of why: they describe a kind of layer the model does not
// have, which transformers does not build.
func (f *hfFields) unusedFields(why string, fields ...string) {
	var set []string
	for _, name := range fields {
		if _, ok := f.value(name); ok {
			set = append(set, f.name(name))
		}
	}
	if len(set) > 0 {
		verb := "is"
		if len(set) > 1 {
			verb = "are"
		}
		f.notes = append(f.notes, fmt.Sprintf("%s, so %s %s not read", why, strings.Join(set, ", "), verb))
	}
}
