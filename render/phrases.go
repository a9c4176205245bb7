package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tscale/tscale/scale"
)

// Every phrase that describes a fact of a report is built here, once, from
// the typed facts the engine reports.

// spanPhrase names a layer's attention span: "global", "sliding window of
// 4,096 tokens" or "chunk of 8,192 tokens".
func spanPhrase(window, chunk int64) string {
	switch {
	case window > 0:
		return fmt.Sprintf("sliding window of %s tokens", grouped(window))
	case chunk > 0:
		return fmt.Sprintf("chunk of %s tokens", grouped(chunk))
	}
	return "global"
}

// modelSpan describes the attention span of the whole model: "causal over
// the whole sequence on every layer", "sliding window of 4,096 tokens on
// every layer" or "chunk of 8,192 tokens; every 4th layer global".
func modelSpan(c scale.Config) string {
	if c.SlidingWindow == 0 && c.AttentionChunkSize == 0 && c.HasLayerShapes() {
		return "causal over the whole sequence on every layer that has attention"
	}
	if c.SlidingWindow == 0 && c.AttentionChunkSize == 0 {
		return "causal over the whole sequence on every layer"
	}
	local := spanPhrase(c.SlidingWindow, c.AttentionChunkSize)
	var s string
	if c.GlobalAttentionInterval == 0 {
		s = local + " on every layer"
	} else {
		s = fmt.Sprintf("%s; every %s layer global", local, ordinal(c.GlobalAttentionInterval))
	}
	if c.WindowFromLayer > 0 {
		s = fmt.Sprintf("global on layers 0-%d; from layer %d on, %s", c.WindowFromLayer-1, c.WindowFromLayer,
			strings.TrimSuffix(s, " on every layer"))
	}
	return s
}

// layerKind names a layer group: "decoder layer, sliding-window attention,
// dense MLP".
func layerKind(lg scale.LayerGroup) string {
	attention := "global attention"
	switch {
	case lg.Shape != nil && lg.Shape.Attention == scale.PartNone:
		attention = "no attention"
	case lg.Shape != nil && lg.Shape.Attention == scale.PartLinear:
		attention = "attention replaced by a linear layer"
	case lg.Shape != nil && lg.Shape.Attention == scale.PartMamba2:
		attention = "Mamba-2 mixer"
	case lg.Shape != nil && lg.Shape.Attention == scale.PartMamba1:
		attention = "Mamba-1 mixer"
	case lg.Shape != nil && lg.Shape.Attention == scale.PartShortConv:
		attention = "short convolution"
	case lg.Shape != nil && lg.Shape.Attention == scale.PartGatedDeltaNet:
		attention = "Gated DeltaNet mixer"
	case lg.Shape != nil && lg.Shape.Attention == scale.PartLightning:
		attention = "lightning attention"
	case lg.SlidingWindow > 0:
		attention = "sliding-window attention"
	case lg.AttentionChunkSize > 0:
		attention = "chunked attention"
	}
	ffn := "dense MLP"
	switch {
	case lg.MoE:
		ffn = "MoE"
	case lg.Shape != nil && lg.Shape.MLP == scale.PartNone:
		ffn = "no MLP"
	case lg.Shape != nil && lg.Shape.MLP == scale.PartLinear:
		ffn = "MLP replaced by a linear layer"
	case lg.Shape != nil:
		ffn = fmt.Sprintf("dense MLP %d wide", lg.Shape.IntermediateSize)
	}
	if lg.Shape != nil && lg.Shape.Attention == scale.PartFull {
		attention += fmt.Sprintf(" (%d KV heads)", lg.Shape.NumKeyValueHeads)
	}
	if lg.Shape != nil && lg.Shape.SharedBlock {
		attention = "a shared transformer block, then " + attention
	}
	return "decoder layer, " + attention + ", " + ffn
}

// layerAttention describes a layer group's attention: "causal, global" or
// "causal, chunk of 8,192 tokens, multi-head latent attention".
func layerAttention(c scale.Config, lg scale.LayerGroup) string {
	if sh := lg.Shape; sh != nil && sh.Attention != scale.PartFull {
		if sh.Attention == scale.PartLightning {
			return fmt.Sprintf("none; lightning attention: %d heads × %d, blocks of %d tokens", c.NumAttentionHeads, c.HeadDim, c.LightningBlockSize)
		}
		if sh.Attention == scale.PartGatedDeltaNet {
			return fmt.Sprintf("none; Gated DeltaNet: %d key heads × %d, %d value heads × %d, conv kernel %d",
				c.GDNNumKeyHeads, c.GDNKeyHeadDim, c.GDNNumValueHeads, c.GDNValueHeadDim, c.GDNConvKernel)
		}
		if sh.Attention == scale.PartShortConv {
			return fmt.Sprintf("none; short convolution: in_proj h → 3h, depthwise conv of kernel %d, out_proj", c.ShortConvKernel)
		}
		if sh.Attention == scale.PartMamba1 {
			return fmt.Sprintf("none; Mamba-1 mixer: d_inner %d, state %d, dt_rank %d, conv kernel %d",
				c.MambaInnerSize, c.MambaStateSize, c.MambaDTRank, c.MambaConvKernel)
		}
		if sh.Attention == scale.PartMamba2 {
			return fmt.Sprintf("none; Mamba-2 mixer: %d heads of %d, state %d, %d groups, conv kernel %d",
				c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel)
		}
		return map[scale.LayerPart]string{scale.PartNone: "none (the layer passes its input on)",
			scale.PartLinear: "one linear layer, hidden → hidden, no bias"}[sh.Attention]
	}
	s := "causal, " + spanPhrase(lg.SlidingWindow, lg.AttentionChunkSize)
	if lg.Shape != nil {
		s += fmt.Sprintf(", %d KV heads", lg.Shape.NumKeyValueHeads)
	}
	if c.IsMLA() {
		s += ", multi-head latent attention"
	}
	if c.Mamba2BesideAttention {
		s += fmt.Sprintf("; beside it on the same input a Mamba-2 mixer: %d heads of %d, state %d, %d groups, conv kernel %d",
			c.Mamba2NumHeads, c.Mamba2HeadDim, c.Mamba2StateSize, c.Mamba2NGroups, c.Mamba2ConvKernel)
	}
	return s
}

// layerFFN describes a layer group's feed-forward block: "dense gated MLP
// (silu), 14336 wide" or "MoE: 8 experts, top-2, gated MLP (silu) 14336 wide".
func layerFFN(c scale.Config, lg scale.LayerGroup) string {
	if sh := lg.Shape; sh != nil {
		switch sh.MLP {
		case scale.PartNone:
			return "none"
		case scale.PartLinear:
			return "one linear layer, hidden → hidden, no bias"
		}
		if !lg.MoE { // a layer of its own width, or the model's (0)
			width := sh.IntermediateSize
			if width == 0 {
				width = c.IntermediateSize
			}
			return fmt.Sprintf("dense %s MLP (%s), %d wide", c.MLP, c.HiddenAct, width)
		}
	}
	if !lg.MoE {
		return fmt.Sprintf("dense %s MLP (%s), %d wide", c.MLP, c.HiddenAct, c.IntermediateSize)
	}
	s := fmt.Sprintf("MoE: %d experts, top-%d, %s MLP (%s) %d wide", c.NumLocalExperts, c.NumExpertsPerTok,
		c.MLP, c.HiddenAct, c.MoEIntermediateSize)
	switch {
	case c.NumSharedExperts == 1:
		s += fmt.Sprintf(", 1 shared expert %d wide", c.SharedExpertIntermediateSize)
	case c.SharedExpertIntermediateSize > 0:
		s += fmt.Sprintf(", %d shared experts %d wide in all", c.NumSharedExperts, c.SharedExpertIntermediateSize)
	}
	if c.ZeroComputationExperts > 0 {
		s += fmt.Sprintf(", %d zero-computation experts (%d of the %d slots per token counted as theirs)",
			c.ZeroComputationExperts, c.ZeroComputationSlotsPerTok, c.NumExpertsPerTok)
	}
	if c.DenseMLPWithMoE {
		s = fmt.Sprintf("dense %s MLP (%s), %d wide, beside %s", c.MLP, c.HiddenAct, c.IntermediateSize, s)
	}
	return s
}

// modelFFN describes every kind of feed-forward block of the model, in layer
// order, joined by "; ".
func modelFFN(r *scale.Report) string {
	var kinds []string
	for _, lg := range r.Layers {
		if s := layerFFN(r.Config, lg); !slices.Contains(kinds, s) {
			kinds = append(kinds, s)
		}
	}
	return strings.Join(kinds, "; ")
}

// sharedBlocksDescription says what Zamba2's shared transformer blocks are
// and where they run.
func sharedBlocksDescription(r *scale.Report) string {
	c := r.Config
	var at []string
	for _, lg := range r.Layers {
		if lg.Shape != nil && lg.Shape.SharedBlock {
			at = append(at, layerRanges(lg.Ranges))
		}
	}
	adapters := "the MLP's gate and up projection"
	if c.SharedAttentionAdapters {
		adapters = "q, k, v and the MLP's gate and up projection"
	}
	return fmt.Sprintf("%d %s of attention over [hidden, embeddings] (2 × hidden wide) and a gated %s MLP of %s, "+
		"run in turn before the Mamba-2 mixer at layers %s; each use adds its own Linear(h, h) and rank-%d adapters on %s",
		c.SharedBlocks, plural(c.SharedBlocks, "block", "blocks"), c.HiddenAct, grouped(c.IntermediateSize),
		strings.Join(at, ", "), c.SharedBlockAdapterRank, adapters)
}

// layerRanges writes layer indices compactly: "0-31", "0-40 step 2" or
// "0-2, 5, 7-9".
func layerRanges(ranges []scale.LayerRange) string {
	parts := make([]string, len(ranges))
	for i, r := range ranges {
		switch {
		case r.First == r.Last:
			parts[i] = fmt.Sprint(r.First)
		case r.Step == 1:
			parts[i] = fmt.Sprintf("%d-%d", r.First, r.Last)
		default:
			parts[i] = fmt.Sprintf("%d-%d step %d", r.First, r.Last, r.Step)
		}
	}
	return strings.Join(parts, ", ")
}

// opNote says what an op does where its name and kind do not: lg is the
// layer group it belongs to (nil for the embedding and the head).
func opNote(c scale.Config, lg *scale.LayerGroup, o scale.Op) string {
	pairs := func() string {
		if lg.SlidingWindow > 0 || lg.AttentionChunkSize > 0 {
			return "causal pairs within a " + spanPhrase(lg.SlidingWindow, lg.AttentionChunkSize)
		}
		return "causal pairs s(s+1)/2"
	}
	switch {
	case o.Name == "embed_tokens":
		return "row lookup: 0 FLOPs"
	case o.Name == "embed_positions":
		return "learned position rows added to the token embeddings"
	case o.Name == "lm_head" && c.TieWordEmbeddings:
		return "weight tied to embed_tokens (counted there)"
	case lg == nil:
		return ""
	case o.Kind == scale.KindScores:
		s := "Q·Kᵀ over " + pairs()
		if c.NumKeyValueHeads != c.NumAttentionHeads {
			s += fmt.Sprintf("; each KV head serves %d query heads", c.GroupSize())
		}
		return s
	case o.Kind == scale.KindWeightedValues:
		return "softmax weights · V over " + pairs()
	case o.Name == "kv_a_proj_with_mqa":
		return "the latent and the shared rotary key: what the KV cache holds"
	case o.Kind == scale.KindConcat && o.Name == "k_heads":
		return "per-head no-RoPE keys joined with the shared rotary key (a new tensor)"
	case o.Kind == scale.KindActivation && c.MLP == scale.MLPGated:
		return fmt.Sprintf("%s(gate) · up", c.HiddenAct) + learnedActivation(c)
	case o.Kind == scale.KindActivation:
		return c.HiddenAct + learnedActivation(c)
	case o.Name == "router":
		s := fmt.Sprintf("scores %d experts; top-%d chosen per token", c.NumLocalExperts, c.NumExpertsPerTok)
		if c.ZeroComputationExperts > 0 {
			s = fmt.Sprintf("scores %d FFN and %d zero-computation experts; top-%d chosen per token",
				c.NumLocalExperts, c.ZeroComputationExperts, c.NumExpertsPerTok)
		}
		if c.RouterBias {
			s += "; learned bias"
		}
		if c.RouterScoreBias {
			s += "; per-expert score bias (e_score_correction_bias, a buffer) used in selection"
		}
		return s
	case o.Kind == scale.KindSoftmax && c.AttentionSinks:
		return "with a learned sink logit per head (sinks) in each row's denominator"
	case o.Name == "shared_expert_gate":
		return "sigmoid gate on the shared experts' output"
	case o.Kind == scale.KindLinear && strings.HasPrefix(o.Name, "experts.") && lg.Routing != nil:
		rt := lg.Routing
		if rt.ZeroComputationSlots != nil {
			return fmt.Sprintf("%d experts; %s token slots less %s to zero-computation experts, %s per expert on average",
				rt.NumExperts, rt.TokenSlots, rt.ZeroComputationSlots, rt.SlotsPerExpert)
		}
		return fmt.Sprintf("%d experts; %s token slots, %s per expert on average", rt.NumExperts, rt.TokenSlots, rt.SlotsPerExpert)
	case o.Kind == scale.KindCombine:
		return "router-weighted sum of each token's expert outputs (elementwise: 0 matmul FLOPs)"
	}
	return ""
}

// mismatchPhrase says why a formula does not apply: one reason.
func mismatchPhrase(r *scale.Report, m scale.Mismatch) string {
	c := r.Config
	switch m {
	case scale.MismatchMoE:
		return "mixture of experts"
	case scale.MismatchMoEActive:
		return "a mixture of experts runs only its active experts per token; see the N_active rows"
	case scale.MismatchMLA:
		return "multi-head latent attention"
	case scale.MismatchLayerShapes:
		return "layers of different shapes, where the formula assumes identical ones"
	case scale.MismatchMamba2:
		return "Mamba-2 blocks beside attention, which the formula does not count"
	case scale.MismatchWindowedKeys:
		return "windowed or chunked attention scores fewer keys than the formula's n_ctx"
	case scale.MismatchWindowed:
		return "windowed or chunked attention"
	case scale.MismatchKVProjections:
		return r.Architecture.AttentionType + ": the formula counts a key and value projection per query head"
	case scale.MismatchFewerKVHeads:
		return r.Architecture.AttentionType + " (fewer KV heads than query heads)"
	case scale.MismatchGatedTwoMatrices:
		return "gated MLP: the formula counts two MLP matrices"
	case scale.MismatchGatedMLP:
		return "gated MLP (three matrices)"
	case scale.MismatchMLPWidth:
		return fmt.Sprintf("MLP width %d is not 4 × hidden", c.IntermediateSize)
	case scale.MismatchHeadWidth:
		return "heads × head_dim differs from hidden size"
	case scale.MismatchBlock:
		return "not a sequential block with two norms"
	case scale.MismatchActivationDType:
		return fmt.Sprintf("it assumes 2-byte activations; the workload's dtype is %s", r.Workload.DType)
	case scale.MismatchZeroComputationExperts:
		return "zero-computation experts: the router scores them too, and a token runs fewer FFN experts than top-k"
	case scale.MismatchDenseMLPWithMoE:
		return "MoE layers keep a dense MLP beside the experts"
	}
	return string(m)
}

// notApplicable is the note of a formula whose assumptions do not hold.
func notApplicable(r *scale.Report, why []scale.Mismatch) string {
	parts := make([]string, len(why))
	for i, m := range why {
		parts[i] = mismatchPhrase(r, m)
	}
	return "does not apply: " + strings.Join(parts, "; ")
}

// noScores is what the 2N and 6N estimates leave out.
const noScores = "leaves out the attention scores (Q·Kᵀ and weights·V)"

// crossCheckNotes says what each published formula counts, by name.
var crossCheckNotes = map[string]string{
	scale.Check2N:             noScores,
	scale.Check2NNonEmbedding: noScores + " and the embedding",
	scale.Check6N:             noScores,
	scale.Check6NNonEmbedding: noScores + " and the embedding",
	scale.Check2NActive:       noScores,
	scale.Check6NActive:       noScores,
	scale.CheckKaplan: "leaves out the LM head (the de-embedding), as Kaplan's Table 1 total does; the mask term counts one of the two " +
		"attention matmuls over all n_ctx keys; both, causally, give 2·n_layer·(n_ctx+1)·d_attn",
	scale.CheckChinchilla: "as written: embeddings and final logits included, softmax 3·H·s² counted, all s² pairs; " +
		"the paper's Table A4 ratios come only from the count without the embedding and logit terms (a known slip), the next check",
	scale.CheckChinchillaNoEmbeddings: "Table A4's count: no embedding or final-logit terms, softmax 3·H·s² counted, all s² pairs; " +
		"it gives the table's ratios to 6ND (1.03, 1.10, 1.08, 1.04, 1.03, 0.99)",
	scale.CheckPaLM: "attention over all T keys, without causal halving",
	scale.CheckMaxText: "3 × the forward weight matmuls, the router among them, and causal attention as half the s² pairs " +
		"(of s·min(w, s) on a windowed layer, of Σ chunk² on a chunked one)",
	scale.CheckMegatronLM: "what Megatron-LM logs: 3 × the forward weight matmuls, without the router, and causal attention as half the s² pairs; " +
		"logits over the vocabulary padded to a multiple of 128",
	scale.CheckMegatronLMUnpadded: "the same with logits over the model's own vocabulary",
	scale.CheckMegatron:           "counts all s² attention pairs and recomputes the layers but not the logits; tscale recomputes the whole forward pass",
	scale.CheckKorthikanti:        "counts all s² attention pairs",
}

// crossCheckNote is what a cross-check's note says: why it does not apply,
// or what the formula counts and, where every difference is known, the
// terms of the exact count less the formula's.
func crossCheckNote(r *scale.Report, cc scale.CrossCheck) string {
	if !cc.Applies {
		return notApplicable(r, cc.NotApplicable)
	}
	note := crossCheckNotes[cc.Name]
	if len(cc.Differences) == 0 {
		return note
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s; %s − value = ", note, cc.CompareWith)
	for i, d := range cc.Differences {
		n, negative := strings.CutPrefix(GroupedBig(d.FLOPs), "-")
		switch {
		case i == 0 && negative:
			b.WriteString("−")
		case i > 0 && negative:
			b.WriteString(" − ")
		case i > 0:
			b.WriteString(" + ")
		}
		fmt.Fprintf(&b, "%s (%s)", n, differencePhrase(r, d))
	}
	return b.String()
}

// differencePhrase says what one term of exact − value is, by its formula
// in the workload's B and s and the model's widths.
func differencePhrase(r *scale.Report, d scale.Difference) string {
	c := r.Config
	switch d.Term {
	case scale.TermAttentionPairs:
		switch {
		case c.SlidingWindow > 0 || c.AttentionChunkSize > 0:
			return "the formula counts half of s², of s·min(w, s) or of Σ chunk² (query, key) pairs per head; tscale the causal pairs exactly"
		case c.IsMLA():
			return "3·B·s·L·H·(qk_nope_head_dim + qk_rope_head_dim + v_head_dim): the formula counts s²/2 (query, key) pairs per head, tscale s(s+1)/2"
		}
		return "6·B·s·L·H·d: the formula counts s²/2 (query, key) pairs per head, tscale s(s+1)/2"
	case scale.TermRouter:
		return "6·B·s·h·E per MoE layer: the router, which the formula leaves out"
	case scale.TermSharedExpertGate:
		return "6·B·s·h per MoE layer: the shared experts' sigmoid gate, which the formula leaves out"
	case scale.TermLatentNorms:
		return "6·B·s·(q_lora_rank + kv_lora_rank) per layer: MLA's q_a and kv_a norms, which the formula counts as matmuls and tscale, like every norm, does not"
	case scale.TermVocabPadding:
		return fmt.Sprintf("6·B·s·h·(%s − %s): the formula's logits span the vocabulary padded from %s to %s",
			grouped(d.PaddedVocabSize), grouped(c.VocabSize), grouped(c.VocabSize), grouped(d.PaddedVocabSize))
	}
	return string(d.Term)
}

// decodedWeightsPhrase says which weights one decoded token reads.
func decodedWeightsPhrase(c scale.Config) string {
	s := "every weight"
	if c.IsMoE() {
		s = "the active weights of one token"
	}
	if c.TieWordEmbeddings {
		s += "; the tied token embedding whole, as the LM head"
	} else {
		s += "; of the token embedding, one row"
	}
	if c.PositionEmbedding == scale.PositionLearned {
		s += "; of the position table, one row"
	}
	return s
}

// activationNote is what an activation-memory convention's note says.
func activationNote(r *scale.Report, a scale.ActivationMemory) string {
	if !a.Applies {
		return notApplicable(r, a.NotApplicable)
	}
	dtype := r.Workload.DType
	switch a.Convention {
	case scale.ConventionEveryIntermediate:
		return fmt.Sprintf("memory.activation_elements.total at %s", dtype)
	case scale.ConventionFlashAttention:
		return fmt.Sprintf("as above without the s×s score and softmax tensors, which flash attention never stores; at %s", dtype)
	case scale.ConventionKorthikantiFull:
		return "L·sbh(34 + 5as/h) bytes (eq. 1): 16-bit activations and 1-byte dropout masks after attention, softmax and MLP; " +
			"a model trained without dropout stores less"
	case scale.ConventionKorthikantiSelective:
		return "L·34·sbh bytes (eq. 6): the s×s attention tensors are recomputed in the backward pass"
	}
	return ""
}

// normName names a norm kind: "LayerNorm", "RMSNorm" or "LayerNorm
// without bias".
func normName(k scale.NormKind) string {
	return map[scale.NormKind]string{scale.LayerNorm: "LayerNorm", scale.RMSNorm: "RMSNorm",
		scale.LayerNormNoBias: "LayerNorm without bias"}[k]
}

// learnedActivation says what a learned activation owns: "" for a fixed
// function, "; 2 learned parameters" for xIELU.
func learnedActivation(c scale.Config) string {
	if c.ActivationParams == 0 {
		return ""
	}
	return fmt.Sprintf("; %d learned %s", c.ActivationParams, plural(c.ActivationParams, "parameter", "parameters"))
}
