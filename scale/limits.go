package scale

// The limits of what the engine analyses. Work and memory never grow with a
// number beyond these: a Config or Workload past one is refused by Validate
// with an error naming the field and the limit.
const (
	// MaxLayers is the largest num_hidden_layers accepted.
	MaxLayers = 100_000
	// MaxSeqLen is the largest seq_len accepted (2^32 tokens).
	MaxSeqLen = 1 << 32
	// MaxBatchSize is the largest batch_size accepted (2^32 sequences).
	MaxBatchSize = 1 << 32
	// MaxLayerShapes is the most distinct per-layer shapes (config layers)
	// accepted: each is a layer group of the report, with its own ops.
	// Published heterogeneous models have a few dozen.
	MaxLayerShapes = 1_000
)
