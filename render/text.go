package render

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/tscale/tscale/scale"
)

// textReport writes d as a report for people: exact integers with thousands
// separators and a short form in one unit system per kind of quantity.
func textReport(d Document) []byte {
	out, _ := encode(d, FormatText) // the text report cannot fail
	return out
}

// appendText appends the text report of d to dst.
func appendText(dst []byte, d Document) []byte {
	b := bytes.NewBuffer(dst)
	writeText(b, d)
	return b.Bytes()
}

// writeText writes the text report of d to b.
func writeText(b *bytes.Buffer, d Document) {
	r := d.Report
	c := r.Config
	title := fmt.Sprintf("%s — %s", d.Model.Name, d.Model.Slug)
	if d.Model.Estimate && !strings.Contains(d.Model.Name, "estimate") {
		title += " (estimate)"
	}
	fmt.Fprintf(b, "%s\n%s\n", title, strings.Repeat("=", len([]rune(title))))
	if d.Model.Estimate {
		fmt.Fprintf(b, "ESTIMATE: %s\n", d.Model.EstimateReason)
	}

	w := r.Workload
	section(b, "Workload")
	fmt.Fprintf(b, "  batch %s × sequence %s = %s tokens; weights and activations in %s, KV cache in %s\n",
		grouped(w.BatchSize), grouped(w.SeqLen), GroupedBig(w.Tokens), w.DType, w.KVDType)
	if w.TrainingTokens > 0 {
		fmt.Fprintf(b, "  training run of %s tokens\n", count(w.TrainingTokens))
	}

	section(b, "Architecture")
	arch := newTable(nil)
	a := r.Architecture
	arch.add("family", d.Model.Family)
	arch.add("hidden size", grouped(c.HiddenSize))
	arch.add("layers", grouped(c.NumHiddenLayers))
	if c.HasLightning() {
		arch.add("token mixers", fmt.Sprintf("lightning attention: %d heads × %d, blocks of %d tokens",
			c.NumAttentionHeads, c.HeadDim, c.LightningBlockSize))
	}
	if c.HasGatedDeltaNet() {
		arch.add("token mixers", fmt.Sprintf("Gated DeltaNet: %d key heads × %d, %d value heads × %d, conv kernel %d",
			c.GDNNumKeyHeads, c.GDNKeyHeadDim, c.GDNNumValueHeads, c.GDNValueHeadDim, c.GDNConvKernel))
	}
	if c.HasShortConv() {
		arch.add("token mixers", fmt.Sprintf("short convolutions: in_proj h → 3h, depthwise conv of kernel %d, out_proj", c.ShortConvKernel))
	}
	if c.HasMamba1() {
		arch.add("token mixers", fmt.Sprintf("Mamba-1: d_inner %s, state %d, dt_rank %d, conv kernel %d",
			grouped(c.MambaInnerSize), c.MambaStateSize, c.MambaDTRank, c.MambaConvKernel))
	}
	if c.HasMamba2() {
		arch.add("token mixers", fmt.Sprintf("Mamba-2: %d heads of %d (d_inner %s), state %d, %d groups, conv kernel %d, chunk %d",
			c.Mamba2NumHeads, c.Mamba2HeadDim, grouped(c.Mamba2NumHeads*c.Mamba2HeadDim), c.Mamba2StateSize, c.Mamba2NGroups,
			c.Mamba2ConvKernel, c.Mamba2ChunkSize))
	}
	if c.HasSharedBlocks() {
		arch.add("shared blocks", sharedBlocksDescription(r))
	}
	switch {
	case c.NumAttentionHeads == 0:
		arch.add("attention", "none: every token mixer is a Mamba-2 block")
	case c.IsMLA():
		q := "one q_proj"
		if c.QLoraRank > 0 {
			q = fmt.Sprintf("q_lora_rank %d", c.QLoraRank)
		}
		arch.add("attention", fmt.Sprintf("MLA: %d heads; %s, kv_lora_rank %d; query/key head %d + %d rotary, value head %d",
			c.NumAttentionHeads, q, c.KVLoraRank, c.QKNopeHeadDim, c.QKRopeHeadDim, c.VHeadDim))
	default:
		arch.add("attention", fmt.Sprintf("%s: %d query heads, %d KV heads (group size %d), head_dim %d",
			a.AttentionType, c.NumAttentionHeads, c.NumKeyValueHeads, a.GroupSize, c.HeadDim))
		arch.add("", fmt.Sprintf("query width %s, KV width %s", grouped(a.QueryWidth), grouped(a.KVWidth)))
	}
	arch.add("attention span", modelSpan(c))
	switch {
	case c.QKNorm && c.QKNormFullWidth:
		arch.add("", normName(c.Norm)+" on the whole query and key projections (QK-norm)")
	case c.QKNorm && c.QKNormPerHead:
		arch.add("", normName(c.Norm)+" on queries and keys per head, each head with its own weights (QK-norm)")
	case c.QKNorm:
		arch.add("", normName(c.Norm)+" on queries and keys per head (QK-norm)")
	}
	if c.AttentionSinks {
		arch.add("", "a learned sink logit per head in every softmax (attention sinks)")
	}
	arch.add("feed-forward", modelFFN(r))
	arch.add("block", blockDescription(c))
	arch.add("biases", biasDescription(c))
	arch.add("positions", positionDescription(c))
	arch.add("vocabulary", vocabDescription(c))
	arch.add("context", grouped(c.MaxPositionEmbeddings)+" (max_position_embeddings)")
	arch.write(b, "  ")

	p := r.Params
	section(b, "Parameters")
	params := newTable(nil)
	params.add("total", count(p.Total))
	params.add("active per token", count(p.Active))
	if p.ActiveMax > 0 {
		params.add("active, fewest and most", count(p.ActiveMin)+" to "+count(p.ActiveMax)+
			" (no slot or every slot of a token on an FFN expert)")
	}
	params.add("embedding", count(p.Embedding))
	params.add("non-embedding", count(p.NonEmbedding))
	if p.Vision > 0 {
		params.add("vision tower and projector", count(p.Vision)+" (not in the total: the text backbone is the model analysed)")
	}
	if p.SharedBlocks > 0 {
		params.add("shared blocks", count(p.SharedBlocks)+" (in the total once, though the blocks run at several layers)")
	}
	if p.MTP > 0 {
		params.add("multi-token prediction", count(p.MTP)+fmt.Sprintf(" (%d %s, not in the total: transformers does not build it)",
			c.MTPLayers, plural(c.MTPLayers, "module", "modules")))
	}
	params.write(b, "  ")
	checkpointSection(b, r)

	f := r.FLOPs
	section(b, "Compute: one forward pass over the workload (matmul FLOPs, 2 per multiply-accumulate)")
	comp := newTable([]string{"", "causal (forward)", "dense, all s² pairs (forward_dense)"}, 1, 2)
	comp.add("attention projections", flops(f.Blocks.AttentionProjections), flops(f.BlocksDense.AttentionProjections))
	comp.add("attention scores", flops(f.Blocks.AttentionScores), flops(f.BlocksDense.AttentionScores))
	comp.add("MLP / MoE", flops(f.Blocks.MLP), flops(f.BlocksDense.MLP))
	if f.Blocks.SSM != nil {
		label := "recurrent mixers (Mamba scans in recurrent form)"
		if c.HasGatedDeltaNet() {
			label = "recurrent mixers (delta rules in recurrent form)"
		}
		if c.HasLightning() {
			label = "recurrent mixers (lightning attention in recurrent form)"
		}
		comp.add(label, flops(f.Blocks.SSM), flops(f.BlocksDense.SSM))
	}
	comp.add("LM head", flops(f.Blocks.LMHead), flops(f.BlocksDense.LMHead))
	comp.add("total", flops(f.Forward), flops(f.ForwardDense))
	comp.write(b, "  ")
	if f.ForwardChunked != nil && f.SSMChunkSize > 0 {
		scans, field := "Mamba-2 scans", "mamba2_chunk_size"
		if c.HasGatedDeltaNet() {
			scans, field = "Gated DeltaNet delta rules", "gdn_chunk_size"
		}
		if c.HasLightning() {
			scans, field = "lightning attention", "lightning_block_size"
		}
		fmt.Fprintf(b, "  forward with the %s in the chunked parallel form (chunks of %d tokens, %s): %s\n",
			scans, f.SSMChunkSize, field, flops(f.ForwardChunked))
	}

	m := r.Memory
	ae := m.ActivationElements
	section(b, "Memory")
	mem := newTable(nil)
	mem.add(fmt.Sprintf("weights (%s)", w.DType), byteCount(m.WeightsBytes))
	if cw := m.CheckpointWeights; cw != nil {
		mem.add("weights as the checkpoint stores them", byteCount(m.CheckpointWeightsBytes)+" ("+checkpointWeightsPhrase(c, cw)+")")
		if q := c.Quantization; q != nil && len(q.NotQuantized) > 0 {
			mem.add("  not quantised", notQuantizedPhrase(q)+" (quantization_config)")
		}
	}
	if c.HasRecurrent() {
		mem.add("KV cache per token (attention layers only)", fmt.Sprintf("%s elements = %s", grouped(m.KVCacheElementsPerToken), byteCount(m.KVCacheBytesPerToken)))
	} else {
		mem.add("KV cache per token", fmt.Sprintf("%s elements = %s", grouped(m.KVCacheElementsPerToken), byteCount(m.KVCacheBytesPerToken)))
	}
	if c.IsMLA() {
		mem.add("  keys and values expanded per head", fmt.Sprintf("%s elements (keys with the rotary part joined, as attention computes them)",
			grouped(m.KVCacheElementsPerTokenExpanded)))
		mem.add("  MHA with the same heads", fmt.Sprintf("%s elements (H·(qk_nope_head_dim + v_head_dim) per layer: DeepSeek-V2 Table 1's MHA, 2·n_h·d_h·l)",
			grouped(m.KVCacheElementsPerTokenMHA)))
	} else {
		mem.add("  keys and values per head", fmt.Sprintf("%s elements (the MHA-equivalent cache)", grouped(m.KVCacheElementsPerTokenExpanded)))
	}
	mem.add("KV cache, whole workload", fmt.Sprintf("%s elements = %s", GroupedBig(m.KVCacheElements), bytesBig(m.KVCacheBytes)))
	if c.HasRecurrent() {
		label := "recurrent state per sequence (Mamba / short-conv layers)"
		if c.HasGatedDeltaNet() {
			label = "recurrent state per sequence (Gated DeltaNet layers)"
		}
		if c.HasLightning() {
			label = "recurrent state per sequence (lightning-attention layers)"
		}
		mem.add(label, fmt.Sprintf("%s elements = %s (SSM and conv states, %s; constant in context)",
			grouped(m.RecurrentStateElementsPerSequence), byteCount(m.RecurrentStateBytesPerSequence), w.KVDType))
		mem.add("recurrent state, whole workload", bytesBig(m.RecurrentStateBytes))
	}
	mem.add("activation elements", countBig(ae.Total))
	mem.add("  embedding", countBig(ae.Embedding))
	mem.add("  attention", countBig(ae.Attention))
	mem.add("    of which s×s scores and softmax", countBig(ae.AttentionScores))
	mem.add("  MLP / MoE", countBig(ae.MLP))
	if ae.SSM != nil {
		mem.add("  recurrent mixers", countBig(ae.SSM))
	}
	mem.add("  head", countBig(ae.Head))
	mem.write(b, "  ")
	memoryViews(b, r)
	trainingCompute(b, r)
	inference(b, r)
	parallelSections(b, d)

	section(b, "Embedding (once)")
	opTable(b, r.Embedding.Ops)
	for i, lg := range r.Layers {
		section(b, fmt.Sprintf("Layer group %d of %d: %s × %d (layers %s)", i+1, len(r.Layers), layerKind(lg), lg.Count,
			layerRanges(lg.Ranges)))
		fmt.Fprintf(b, "  attention: %s; feed-forward: %s\n", layerAttention(c, lg), layerFFN(c, lg))
		fmt.Fprintf(b, "  per layer: params %s, active %s; forward FLOPs %s; activation elements %s\n",
			count(lg.Params), count(lg.ActiveParams), GroupedBig(lg.FLOPs.Forward), GroupedBig(lg.ActivationElements.Total))
		if lg.SSMStateElements > 0 {
			noKV := ""
			if lg.KVCacheElementsPerToken == 0 {
				noKV = "; no KV cache"
			}
			fmt.Fprintf(b, "  recurrent state per layer and sequence: SSM %s + conv %s elements, whatever the context%s\n",
				grouped(lg.SSMStateElements), grouped(lg.ConvStateElements), noKV)
		}
		if lg.SSMStateElements == 0 || lg.KVCacheElementsPerToken > 0 {
			fmt.Fprintf(b, "  KV cache per layer: %s elements per token, %s tokens per sequence at this workload\n",
				grouped(lg.KVCacheElementsPerToken), grouped(lg.KVCacheTokens))
		}
		if rt := lg.Routing; rt != nil {
			fmt.Fprintf(b, "  routing: %s tokens × %d routed %s each = %s token slots over %d experts, %s per expert on average\n",
				GroupedBig(rt.Tokens), rt.ExpertsPerToken, plural(rt.ExpertsPerToken, "expert", "experts"), GroupedBig(rt.TokenSlots),
				rt.NumExperts, fraction(rt.SlotsPerExpert))
			if rt.ZeroComputationSlots != nil {
				fmt.Fprintf(b, "  of them %s counted on the %d zero-computation experts (no FLOPs)\n",
					GroupedBig(rt.ZeroComputationSlots), rt.ZeroComputationExperts)
			}
		}
		opTable(b, lg.Ops)
	}
	section(b, "Head (once)")
	opTable(b, r.Head.Ops)

	crossChecks(b, r)
	list(b, "Conventions", r.Conventions)
	list(b, "Sources", d.Model.Source)
	list(b, "Notes", d.Model.Notes)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func section(b *bytes.Buffer, name string) { fmt.Fprintf(b, "\n%s\n", name) }

func list(b *bytes.Buffer, name string, items []string) {
	if len(items) == 0 {
		return
	}
	section(b, name)
	for _, it := range items {
		fmt.Fprintf(b, "  - %s\n", it)
	}
}

// opTable writes ops as an aligned table: name, input shapes, output shape,
// elements, FLOPs and parameters.
func opTable(b *bytes.Buffer, ops []scale.Op) {
	t := newTable([]string{"op", "inputs", "output", "elements", "FLOPs", "params"}, 3, 4, 5)
	var ins []byte
	for _, o := range ops {
		ins = ins[:0]
		for i, s := range o.Inputs {
			if i > 0 {
				ins = append(ins, ' ')
			}
			ins = appendShape(ins, s)
		}
		elements := "(view)"
		if !o.View {
			elements = GroupedBig(o.OutputElements)
		}
		t.add(o.Name, string(ins), shapeOf(o.Output), elements, GroupedBig(o.FLOPs), grouped(o.Params))
	}
	t.write(b, "  ")
}

func ordinal(n int64) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return fmt.Sprintf("%dth", n)
	case n%10 == 1:
		return fmt.Sprintf("%dst", n)
	case n%10 == 2:
		return fmt.Sprintf("%dnd", n)
	case n%10 == 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}

func blockDescription(c scale.Config) string {
	norm := normName(c.Norm)
	switch {
	case c.ParallelBlock && c.NormsPerLayer == 1:
		return fmt.Sprintf("parallel attention + MLP sharing one %s per layer", norm)
	case c.ParallelBlock:
		return fmt.Sprintf("parallel attention + MLP, one %s each", norm)
	case c.PostNorm:
		return fmt.Sprintf("sequential, post-norm: %s after attention and after MLP, before each residual add", norm)
	case c.NormsPerLayer == 4:
		return fmt.Sprintf("sequential, %s before and after attention and MLP (4 per layer)", norm)
	default:
		return fmt.Sprintf("sequential, pre-norm: %s before attention and before MLP", norm)
	}
}

func biasDescription(c scale.Config) string {
	var parts []string
	for _, x := range []struct {
		on   bool
		name string
	}{
		{c.AttentionQKVBias, "q/k/v"}, {c.AttentionOutBias, "attention output"}, {c.MLPBias, "MLP"},
		{c.RouterBias, "router"}, {c.LMHeadBias, "LM head"},
	} {
		if x.on {
			parts = append(parts, x.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func positionDescription(c scale.Config) string {
	switch c.PositionEmbedding {
	case scale.PositionLearned:
		return fmt.Sprintf("learned table of %s positions", grouped(c.MaxPositionEmbeddings))
	case scale.PositionRoPE:
		return "rotary (RoPE), no parameters"
	case scale.PositionNone:
		return "none in attention (no parameters)"
	default:
		return "ALiBi, no parameters"
	}
}

func vocabDescription(c scale.Config) string {
	s := grouped(c.VocabSize) + "; LM head "
	if c.TieWordEmbeddings {
		return s + "tied to the token embedding"
	}
	return s + "untied"
}

func memoryViews(b *bytes.Buffer, r *scale.Report) {
	m := r.Memory
	fmt.Fprintln(b, "\n  weights at each data type")
	t := newTable([]string{"dtype", "total", "active per token"}, 1, 2)
	for _, d := range m.WeightsByDType {
		t.add(string(d.DType), byteCount(d.TotalBytes), byteCount(d.ActiveBytes))
	}
	t.write(b, "    ")
	fmt.Fprintf(b, "\n  training state (mixed-precision Adam): %s\n", byteCount(m.TrainingStateBytes))
	t = newTable(nil, 1, 2)
	for _, s := range m.TrainingState {
		t.add(s.Name, fmt.Sprintf("%d B/param", s.BytesPerParam), byteCount(s.Bytes))
	}
	t.write(b, "    ")
	fmt.Fprintf(b, "\n  training activations kept for the backward pass (%s)\n", r.Workload.DType)
	for _, a := range m.TrainingActivations {
		if a.Applies {
			fmt.Fprintf(b, "    %s: %s\n      %s\n", a.Convention, bytesBig(a.Bytes), activationNote(r, a))
		} else {
			fmt.Fprintf(b, "    %s: %s\n", a.Convention, activationNote(r, a))
		}
	}
}

func trainingCompute(b *bytes.Buffer, r *scale.Report) {
	f := r.FLOPs
	section(b, "Training compute (matmul FLOPs; backward = 2 × forward)")
	t := newTable([]string{"", "per step (the workload)", "per token (average)"}, 1, 2)
	t.add("forward", flops(f.Forward), fraction(f.PerToken.Forward))
	t.add("training = 3 × forward", flops(f.Training), fraction(f.PerToken.Training))
	t.add("with full recomputation = 4 × forward", flops(f.TrainingWithRecomputation), fraction(f.PerToken.TrainingWithRecomputation))
	t.write(b, "  ")
	if run := f.TrainingRun; run != nil {
		fmt.Fprintf(b, "  run of %s tokens: %s; with full recomputation %s\n    (%s)\n",
			grouped(run.Tokens), flops(run.FLOPs), flops(run.FLOPsWithRecomputation), run.Formula)
	}
}

func inference(b *bytes.Buffer, r *scale.Report) {
	in := r.Inference
	section(b, "Inference")
	fmt.Fprintf(b, "  prefill (the whole workload)       %s\n", flops(in.PrefillFLOPs))
	fmt.Fprintf(b, "  weights read per decoded token     %s (%s)\n", byteCount(in.WeightsBytesPerDecodedToken), decodedWeightsPhrase(r.Config))
	fmt.Fprintln(b, "  decoding one token of one sequence at KV length k (the new token included):")
	t := newTable([]string{"k", "FLOPs", "KV cache read"}, 0, 1, 2)
	for _, d := range in.Decode {
		t.add(grouped(d.KVLength), flops(d.FLOPs), bytesBig(d.KVCacheBytesRead))
	}
	t.write(b, "    ")
	if r.Config.HasRecurrent() {
		fmt.Fprintf(b, "    the recurrent layers' FLOPs are the same at every k, and each token also reads and writes back their "+
			"recurrent state, %s per sequence\n", byteCount(r.Memory.RecurrentStateBytesPerSequence))
	}
}

func crossChecks(b *bytes.Buffer, r *scale.Report) {
	section(b, "Cross-checks: published formulas beside the exact count")
	for _, cc := range r.CrossChecks {
		ratio := ""
		if cc.Applies {
			ratio = fmt.Sprintf(", ratio to exact %.4f", cc.RatioToExact)
		}
		fmt.Fprintf(b, "  %s: %s%s\n", cc.Name, GroupedBig(cc.Value), ratio)
		fmt.Fprintf(b, "      exact %s = %s\n      %s\n      source: %s\n", cc.CompareWith, fraction(cc.Exact), crossCheckNote(r, cc), cc.Source)
	}
}
