package presets

import "github.com/tscale/tscale/scale"

// arceeDefaults are Arcee AFM's (model_type arcee) and ArceeConfig's
// (LlamaConfig's fields with its own defaults): the Llama block with a
// standard (non-gated) MLP up_proj → relu² → down_proj, biases where
// attention_bias and mlp_bias say (default none), an untied LM head and a
// context of 4096.
func arceeDefaults() scale.Config {
	c := llamaDefaults()
	c.MLP, c.HiddenAct = scale.MLPStandard, "relu2"
	c.MaxPositionEmbeddings = 4096
	return c
}

// readArcee reads an arcee config.json: transformers modeling_arcee.py is
// Llama's attention and norms with ArceeMLP (NemotronMLP): up_proj and
// down_proj with bias where mlp_bias says, around hidden_act (relu2: the
// square of ReLU, no parameter).
func readArcee(f *hfFields) scale.Config {
	c := f.llama(arceeDefaults()) // q/k/v/o bias where attention_bias, up/down where mlp_bias says
	f.notes = append(f.notes, "ArceeMLP: up_proj → "+c.HiddenAct+" → down_proj, no gate")
	return c
}
