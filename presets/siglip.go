package presets

import (
	"fmt"
	"math/big"
)

// siglipVision is the shape of a SigLIP vision tower, a config.json's
// vision_config read as transformers' SiglipVisionConfig.
type siglipVision struct {
	HiddenSize, IntermediateSize, NumHiddenLayers, NumAttentionHeads int64
	NumChannels, ImageSize, PatchSize                                int64
	// Head: the attention-pooling head (SiglipMultiheadAttentionPoolingHead),
	// which SiglipVisionTransformer builds unless vision_use_head is false.
	Head bool
}

// siglipVisionDefaults are SiglipVisionConfig's defaults. vision_use_head
// is not one of its arguments: a config without it has no such attribute,
// and SiglipVisionTransformer then builds the head.
func siglipVisionDefaults() siglipVision {
	return siglipVision{HiddenSize: 768, IntermediateSize: 3072, NumHiddenLayers: 12, NumAttentionHeads: 12,
		NumChannels: 3, ImageSize: 224, PatchSize: 16, Head: true}
}

// params is the parameters of the tower, as transformers modeling_siglip.py
// builds SiglipVisionTransformer: the patch embedding Conv2d(num_channels,
// hidden, kernel = stride = patch_size) with bias; a learned position
// embedding of (image_size // patch_size)² rows; per encoder layer q, k, v
// and out projections (hidden → hidden) with bias, two LayerNorms and an
// MLP fc1 (hidden → intermediate), fc2 (intermediate → hidden) with biases;
// the post LayerNorm; and, with Head, the pooling head: a probe of hidden
// weights, nn.MultiheadAttention (in_proj 3·hidden × hidden plus bias,
// out_proj hidden × hidden plus bias), a LayerNorm and an MLP as a layer's.
// It is exact for any size: the caller checks that it fits an int64.
func (v siglipVision) params() *big.Int {
	n := func(x int64) *big.Int { return big.NewInt(x) }
	mul := func(xs ...*big.Int) *big.Int {
		p := big.NewInt(1)
		for _, x := range xs {
			p.Mul(p, x)
		}
		return p
	}
	sum := func(xs ...*big.Int) *big.Int {
		s := new(big.Int)
		for _, x := range xs {
			s.Add(s, x)
		}
		return s
	}
	h, ff := n(v.HiddenSize), n(v.IntermediateSize)
	linear := func(in, out *big.Int) *big.Int { return sum(mul(in, out), out) } // with bias
	layerNorm := mul(n(2), h)
	mlp := sum(linear(h, ff), linear(ff, h))

	patch := sum(mul(n(v.NumChannels), n(v.PatchSize), n(v.PatchSize), h), h)
	side := n(v.ImageSize / v.PatchSize)
	positions := mul(side, side, h)
	layer := sum(mul(n(4), linear(h, h)), mul(n(2), layerNorm), mlp)
	total := sum(patch, positions, mul(n(v.NumHiddenLayers), layer), layerNorm)
	if v.Head {
		total.Add(total, sum(h, linear(h, mul(n(3), h)), linear(h, h), layerNorm, mlp))
	}
	return total
}

// siglipVision reads the fields of vision_config, the current object, onto
// SiglipVisionConfig's defaults, noting each one it applies. It reports
// whether the shape is one transformers builds: positive sizes, the hidden
// size a multiple of the heads.
func (f *hfFields) siglipVision() (siglipVision, bool) {
	errs := len(f.errs)
	v := siglipVisionDefaults()
	why := "SiglipVisionConfig default"
	if mt := f.stringOr("model_type", "siglip_vision_model"); mt != "siglip_vision_model" {
		f.unmodelled(true, "model_type", "Gemma 3's vision tower is modelled as SigLIP's (siglip_vision_model)")
	}
	fields := []struct {
		name string
		to   *int64
	}{
		{"hidden_size", &v.HiddenSize}, {"intermediate_size", &v.IntermediateSize},
		{"num_hidden_layers", &v.NumHiddenLayers}, {"num_attention_heads", &v.NumAttentionHeads},
		{"num_channels", &v.NumChannels}, {"image_size", &v.ImageSize}, {"patch_size", &v.PatchSize},
	}
	for _, fd := range fields {
		*fd.to = f.intOr(fd.name, *fd.to, why)
	}
	if _, set := f.value("vision_use_head"); set {
		v.Head = f.boolOr("vision_use_head", v.Head)
	} else {
		f.notes = append(f.notes, "vision_use_head absent: true (SiglipVisionTransformer builds the attention-pooling "+
			"head when the config lacks the attribute)")
	}
	if len(f.errs) > errs {
		return v, false
	}
	for _, fd := range fields {
		if *fd.to <= 0 {
			f.errorf(ErrInvalidValue, fd.name, "%s must be a positive integer, got %d", f.name(fd.name), *fd.to)
		}
	}
	if v.HiddenSize > 0 && v.NumAttentionHeads > 0 && v.HiddenSize%v.NumAttentionHeads != 0 {
		f.errorf(ErrInvalidValue, "hidden_size", "%s %d is not a multiple of %s %d (SiglipAttention's head_dim)",
			f.name("hidden_size"), v.HiddenSize, f.name("num_attention_heads"), v.NumAttentionHeads)
	}
	return v, len(f.errs) == errs
}

// describeSigLIP says what a vision tower is, for a note.
func describeSigLIP(v siglipVision) string {
	head := "without"
	if v.Head {
		head = "with"
	}
	return fmt.Sprintf("SigLIP vision tower: %d layers of hidden size %d (MLP %d), %d×%d patches of %d pixels over %d-pixel "+
		"images, %s the attention-pooling head", v.NumHiddenLayers, v.HiddenSize, v.IntermediateSize,
		v.ImageSize/v.PatchSize, v.ImageSize/v.PatchSize, v.PatchSize, v.ImageSize, head)
}
