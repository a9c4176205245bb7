package presets

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tscale/tscale/scale"
)

// hfNames builds the checkpoint a Hugging Face model of model_type
// modelType and config c stores, named as the family's modelling code
// names its modules: every tensor the config implies, fused and stacked
// where the family fuses and stacks, unquantised parameters in bf16.
func hfNames(t *testing.T, modelType string, c scale.Config) []SafetensorsTensor {
	t.Helper()
	exp, err := scale.ExpectedTensors(c)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		layer    int64
		op, part string
		expert   int64
	}
	byKey := map[key]scale.ExpectedTensor{}
	var order []key
	for _, e := range exp {
		k := key{e.Layer, e.Op, e.Part, e.Expert}
		byKey[k] = e
		order = append(order, k)
	}
	mods := hfModules(modelType, c)
	// The module that names each op: the first that lists it.
	moduleOf := map[string]hfModule{}
	for _, m := range mods {
		if m.role != scale.RoleParam && m.role != scale.RoleBuffer {
			continue
		}
		for _, op := range m.ops {
			if _, seen := moduleOf[op+"/"+string(m.role)]; !seen {
				moduleOf[op+"/"+string(m.role)] = m
			}
		}
	}
	for _, m := range mods { // an attr module of a fixed part names that part
		if m.attr && m.role == scale.RoleParam {
			for _, op := range m.ops {
				moduleOf[op+"/"+m.part] = m
			}
		}
	}
	var out []SafetensorsTensor
	var offset int64
	done := map[string]bool{}
	for _, k := range order {
		e := byKey[k]
		m, ok := moduleOf[k.op+"/"+k.part]
		if !ok {
			m, ok = moduleOf[k.op+"/"+string(e.Role)]
		}
		if !ok {
			t.Fatalf("%s: no module names %s", modelType, k.op)
		}
		path := strings.ReplaceAll(m.path, "{L}", strconv.FormatInt(k.layer, 10))
		if !m.stacked {
			path = strings.ReplaceAll(path, "{E}", strconv.FormatInt(k.expert, 10))
		}
		name := path + "." + k.part
		switch {
		case m.attr && m.part == k.part:
			name = path
		case m.attr && k.part == "bias":
			name = path + "_bias"
		case m.attr:
			name = path + "_" + k.part
		}
		if done[name] {
			continue
		}
		done[name] = true
		// Fused: the output widths of the module's ops add up.
		shape := append([]int64(nil), e.Shape...)
		dtype := e.DType
		if len(m.ops) > 1 {
			var out int64
			in := int64(0)
			for _, op := range m.ops {
				o := byKey[key{k.layer, op, "weight", k.expert}]
				if e.DType != "" {
					t.Skipf("%s fuses the quantised %v: TestGptOssCheckpointMatchesItsIndex builds its checkpoint", modelType, m.ops)
				}
				out += o.Shape[0]
				in = o.Shape[1]
			}
			switch k.part {
			case "weight":
				shape = []int64{out, in}
			case "bias":
				shape = []int64{out}
			}
		}
		if m.transposed && k.part == "weight" && e.DType == "" {
			shape[0], shape[1] = shape[1], shape[0]
		}
		if m.stacked {
			shape = append([]int64{c.NumLocalExperts}, shape...)
		}
		if dtype == "" {
			dtype = scale.TensorBF16
		}
		n := int64(1)
		for _, s := range shape {
			n *= s
		}
		size := n * dtype.Bits() / 8
		out = append(out, SafetensorsTensor{Name: name, DType: dtype, Shape: shape, Begin: offset, End: offset + size})
		offset += size
	}
	return out
}

// TestCheckpointNamesRoundTrip: for every real config.json in testdata,
// the checkpoint its family's modules name agrees with the config through
// CheckpointTensors: every name maps back to its op, and the tensors hold
// params.total (and params.mtp).
func TestCheckpointNamesRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "hf", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		p := readHF(t, filepath.Base(file))
		t.Run(p.Slug, func(t *testing.T) {
			if !HasCheckpointNames(p.Family) {
				t.Skipf("model_type %s: no checkpoint names (TestCheckpointNamesCoverage)", p.Family)
			}
			ts := hfNames(t, p.Family, p.Config)
			stored := CheckpointTensors(p.Family, p.Config, ts)
			ck, err := scale.CompareCheckpoint(p.Config, 1, 0, stored)
			if err != nil {
				t.Fatal(err)
			}
			r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 1, DType: scale.BF16})
			if err != nil {
				t.Fatal(err)
			}
			if !ck.Agrees || ck.Params != r.Params.Total || ck.MTPParams != r.Params.MTP {
				for _, s := range stored[:min(len(stored), 3)] {
					t.Logf("%s → %s", s.Name, describeRef(s.Ref))
				}
				t.Errorf("agrees %v, params %d of %d, mtp %d of %d\nunaccounted %v\nmissing %+v\ndisagreements %+v", ck.Agrees,
					ck.Params, r.Params.Total, ck.MTPParams, r.Params.MTP, names(ck.Unaccounted), ck.Missing, first(ck.Disagreements))
			}
		})
	}
}

// uncheckedModelTypes are the model types whose checkpoint names tscale
// does not map yet: -hf DIR refuses their checkpoints (their config alone
// is reported by -hf DIR/config.json) and a quantization_config of theirs
// is refused.
var uncheckedModelTypes = []string{"dbrx", "dots1", "ernie4_5", "ernie4_5_moe", "hunyuan_v1_dense", "hunyuan_v1_moe",
	"longcat_flash", "nemotron_h", "bamba", "granitemoehybrid", "mamba2", "falcon_h1", "jamba", "lfm2", "qwen3_next", "minimax", "zamba2"}

// TestCheckpointNamesCoverage: every model type tscale reads has checkpoint
// names, or is listed as not having them.
func TestCheckpointNamesCoverage(t *testing.T) {
	for _, mt := range HFModelTypes() {
		if HasCheckpointNames(mt) == slices.Contains(uncheckedModelTypes, mt) {
			t.Errorf("model_type %s: checkpoint names %v, listed as unmapped %v", mt, HasCheckpointNames(mt),
				slices.Contains(uncheckedModelTypes, mt))
		}
	}
}

func names(ts []scale.StoredTensor) []string {
	var out []string
	for _, t := range ts[:min(len(ts), 5)] {
		out = append(out, t.Name)
	}
	return out
}

func first(ds []scale.TensorDisagreement) []scale.TensorDisagreement { return ds[:min(len(ds), 5)] }

// describeRef writes a ref for test failures.
func describeRef(r *scale.TensorRef) string {
	if r == nil {
		return "<unmapped>"
	}
	return fmt.Sprintf("layer %d %v %s expert %d stacked %v transposed %v %s", r.Layer, r.Ops, r.Part, r.Expert, r.Stacked,
		r.Transposed, r.Role)
}

// TestGptOssCheckpointMatchesItsIndex: gpt-oss-20b's tensors, written here
// as its model.safetensors.index.json names them (the experts in MXFP4:
// gate_up_proj_blocks [E, 2f, h/32, 16], _scales [E, 2f, h/32], bf16
// _bias), agree with the preset, and their bytes are the index's
// total_size, 13,761,264,768.
func TestGptOssCheckpointMatchesItsIndex(t *testing.T) {
	p, err := Lookup("gpt-oss-20b")
	if err != nil {
		t.Fatal(err)
	}
	const V, h, L, H, K, d, E, f = 201088, 2880, 24, 64, 8, 64, 32, 2880
	var ts []SafetensorsTensor
	var offset int64
	add := func(name string, dtype scale.TensorDType, shape ...int64) {
		n := int64(1)
		for _, s := range shape {
			n *= s
		}
		ts = append(ts, SafetensorsTensor{Name: name, DType: dtype, Shape: shape, Begin: offset, End: offset + n*dtype.Bits()/8})
		offset += n * dtype.Bits() / 8
	}
	bf16, u8 := scale.TensorBF16, scale.TensorU8
	add("model.embed_tokens.weight", bf16, V, h)
	add("model.norm.weight", bf16, h)
	add("lm_head.weight", bf16, V, h)
	for l := range L {
		p := fmt.Sprintf("model.layers.%d.", l)
		add(p+"input_layernorm.weight", bf16, h)
		add(p+"post_attention_layernorm.weight", bf16, h)
		for _, proj := range []struct {
			name    string
			in, out int64
		}{{"q_proj", h, H * d}, {"k_proj", h, K * d}, {"v_proj", h, K * d}, {"o_proj", H * d, h}} {
			add(p+"self_attn."+proj.name+".weight", bf16, proj.out, proj.in)
			add(p+"self_attn."+proj.name+".bias", bf16, proj.out)
		}
		add(p+"self_attn.sinks", bf16, H)
		add(p+"mlp.router.weight", bf16, E, h)
		add(p+"mlp.router.bias", bf16, E)
		add(p+"mlp.experts.gate_up_proj_blocks", u8, E, 2*f, h/32, 16)
		add(p+"mlp.experts.gate_up_proj_scales", u8, E, 2*f, h/32)
		add(p+"mlp.experts.gate_up_proj_bias", bf16, E, 2*f)
		add(p+"mlp.experts.down_proj_blocks", u8, E, h, f/32, 16)
		add(p+"mlp.experts.down_proj_scales", u8, E, h, f/32)
		add(p+"mlp.experts.down_proj_bias", bf16, E, h)
	}
	if offset != 13_761_264_768 {
		t.Errorf("the tensors hold %d bytes, not the index's total_size 13,761,264,768", offset)
	}
	ck, err := scale.CompareCheckpoint(p.Config, 3, offset, CheckpointTensors("gpt_oss", p.Config, ts))
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Analyze(p.Config, scale.Workload{BatchSize: 1, SeqLen: 1, DType: scale.BF16})
	if err != nil {
		t.Fatal(err)
	}
	if !ck.Agrees || ck.Params != r.Params.Total || ck.Bytes != r.Memory.CheckpointWeightsBytes {
		t.Errorf("agrees %v, params %d of %d, bytes %d of %d: %+v %+v %v", ck.Agrees, ck.Params, r.Params.Total, ck.Bytes,
			r.Memory.CheckpointWeightsBytes, ck.Missing, first(ck.Disagreements), names(ck.Unaccounted))
	}
}

// TestCheckpointNames: names tscale maps and those it does not, per family.
func TestCheckpointNames(t *testing.T) {
	llama := readHF(t, "llama-2-7b.json").Config
	gpt2 := readHF(t, "gpt2.json").Config
	deepseek := readHF(t, "deepseek-v3.json").Config
	for _, tc := range []struct {
		modelType string
		c         scale.Config
		name      string
		want      string
	}{
		{"llama", llama, "model.layers.3.self_attn.q_proj.weight", "layer 3 [q_proj] weight expert -1 stacked false transposed false "},
		{"llama", llama, "model.layers.3.self_attn.q_proj.qweight", "layer 3 [q_proj] qweight expert -1 stacked false transposed false "},
		{"llama", llama, "model.layers.3.mlp.down_proj.weight.absmax", "layer 3 [down_proj] weight.absmax expert -1 stacked false transposed false "},
		{"llama", llama, "model.layers.0.self_attn.rotary_emb.inv_freq", "<unmapped>"},
		{"llama", llama, "model.layers.x.self_attn.q_proj.weight", "<unmapped>"},
		{"gpt2", gpt2, "h.11.attn.c_attn.weight", "layer 11 [q_proj k_proj v_proj] weight expert -1 stacked false transposed true "},
		{"gpt2", gpt2, "transformer.h.0.attn.bias", "layer 0 [scores] causal_mask expert -1 stacked false transposed false buffer"},
		{"gpt2", gpt2, "lm_head.weight", "layer -1 [embed_tokens] weight expert -1 stacked false transposed false copy"},
		{"deepseek_v3", deepseek, "model.layers.7.mlp.experts.255.down_proj.weight_scale_inv",
			"layer 7 [experts.down_proj] weight_scale_inv expert 255 stacked false transposed false "},
		{"deepseek_v3", deepseek, "model.layers.7.mlp.gate.e_score_correction_bias",
			"layer 7 [router] e_score_correction_bias expert -1 stacked false transposed false buffer"},
		{"deepseek_v3", deepseek, "model.layers.61.shared_head.head.weight",
			"layer 61 [lm_head] weight expert -1 stacked false transposed false copy"},
		{"llama4", readHF(t, "llama-4-scout.json").Config, "vision_model.model.layers.0.mlp.fc1.weight",
			"layer -1 [] weight expert 0 stacked false transposed false vision"},
	} {
		stored := CheckpointTensors(tc.modelType, tc.c, []SafetensorsTensor{{Name: tc.name}})
		got := describeRef(stored[0].Ref)
		if tc.want == "layer -1 [] weight expert 0 stacked false transposed false vision" {
			got = string(stored[0].Ref.Role)
			tc.want = "vision"
		}
		if got != tc.want {
			t.Errorf("%s %s → %s, want %s", tc.modelType, tc.name, got, tc.want)
		}
	}
}

// header builds a safetensors header for tests.
func header(t *testing.T, entries map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func entry(dtype string, shape []int64, begin, end int64) map[string]any {
	return map[string]any{"dtype": dtype, "shape": shape, "data_offsets": []int64{begin, end}}
}

// TestParseSafetensorsHeader: a well-formed header, and each rule of the
// format refused with the tensor named.
func TestParseSafetensorsHeader(t *testing.T) {
	good := header(t, map[string]any{
		"__metadata__": map[string]string{"format": "pt"},
		"b":            entry("F32", []int64{2, 3}, 0, 24),
		"a":            entry("BF16", []int64{4}, 24, 32),
		"e":            entry("F8_E4M3", []int64{}, 32, 33),
	})
	ts, err := ParseSafetensorsHeader(append(good, "    "...), 33)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 || ts[0].Name != "a" || ts[1].Name != "b" || fmt.Sprint(ts[1].Shape) != "[2 3]" || ts[2].End != 33 {
		t.Errorf("tensors %+v", ts)
	}
	for _, tc := range []struct {
		name   string
		header []byte
		data   int64
		want   string
	}{
		{"not an object", []byte("[1]"), 0, "not a JSON object"},
		{"garbage after", append(header(t, map[string]any{"a": entry("U8", []int64{1}, 0, 1)}), "x"...), 1, "data after"},
		{"unknown dtype", header(t, map[string]any{"a": entry("Q4", []int64{1}, 0, 1)}), 1, `"a": unknown dtype "Q4"`},
		{"negative dim", header(t, map[string]any{"a": entry("U8", []int64{-1}, 0, 1)}), 1, "non-negative"},
		{"length", header(t, map[string]any{"a": entry("F32", []int64{2}, 0, 4)}), 4, "data_offsets give 4 bytes"},
		{"gap", header(t, map[string]any{"a": entry("U8", []int64{1}, 1, 2)}), 2, "starts at byte 1"},
		{"overlap", header(t, map[string]any{"a": entry("U8", []int64{2}, 0, 2), "b": entry("U8", []int64{1}, 1, 2)}), 2,
			"a gap or an overlap"},
		{"short of the data", header(t, map[string]any{"a": entry("U8", []int64{2}, 0, 2)}), 3, "cover 2 bytes"},
		{"too large", header(t, map[string]any{"a": entry("F64", []int64{1 << 40, 1 << 40}, 0, 8)}), 8, "too large"},
	} {
		if _, err := ParseSafetensorsHeader(tc.header, tc.data); err == nil || !strings.Contains(err.Error(), tc.want) ||
			!errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestSafetensorsHeaderLength: the 8-byte length is bounded by the format's
// limit and by the file.
func TestSafetensorsHeaderLength(t *testing.T) {
	le := func(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }
	if n, err := SafetensorsHeaderLength(le(100), 200); n != 100 || err != nil {
		t.Errorf("100 in 200: %d, %v", n, err)
	}
	for _, tc := range []struct {
		prefix []byte
		size   int64
		want   string
	}{
		{le(1 << 62), 1<<63 - 1, "past the safetensors limit"},
		{le(100_000_001), 1 << 40, "past the safetensors limit"},
		{le(300), 200, "past the end of the file"},
		{le(1), 200, "too short"},
		{[]byte{1, 2}, 2, "shorter than"},
	} {
		if _, err := SafetensorsHeaderLength(tc.prefix, tc.size); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v in %d: %v, want %q", tc.prefix, tc.size, err, tc.want)
		}
	}
}

// TestParseSafetensorsIndex: shards in name order, total_size, and shard
// names that would leave the folder refused.
func TestParseSafetensorsIndex(t *testing.T) {
	idx, err := ParseSafetensorsIndex([]byte(`{"metadata": {"total_size": 123.0}, "weight_map": {"a": "m-2.safetensors", "b": "m-1.safetensors", "c": "m-2.safetensors"}}`))
	if err != nil || fmt.Sprint(idx.Files) != "[m-1.safetensors m-2.safetensors]" || idx.TotalSize != 123 {
		t.Errorf("%+v, %v", idx, err)
	}
	for _, bad := range []string{"../x.safetensors", "/etc/passwd", "sub/x.safetensors", "..", ""} {
		data, _ := json.Marshal(map[string]any{"weight_map": map[string]string{"a": bad}})
		if _, err := ParseSafetensorsIndex(data); err == nil || !strings.Contains(err.Error(), "not a file name") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := ParseSafetensorsIndex([]byte(`{"metadata": {}}`)); err == nil {
		t.Error("an index without weight_map is accepted")
	}
}
