package scale

import (
	"fmt"
	"strings"
)

// DType is the storage type of weights, activations or the KV cache.
type DType string

// The data types tscale knows, with their width in bits.
const (
	FP32 DType = "fp32"
	BF16 DType = "bf16"
	FP16 DType = "fp16"
	FP8  DType = "fp8"
	INT8 DType = "int8"
	INT4 DType = "int4"
)

var dtypeBits = map[DType]int64{FP32: 32, BF16: 16, FP16: 16, FP8: 8, INT8: 8, INT4: 4}

// DTypes lists every known data type, widest first.
func DTypes() []DType {
	return []DType{FP32, BF16, FP16, FP8, INT8, INT4}
}

// Bits is the width of one element in bits; 0 for an unknown type.
func (d DType) Bits() int64 { return dtypeBits[d] }

// DTypeNames is the names of DTypes, widest first: "fp32, bf16, fp16,
// fp8, int8, int4".
func DTypeNames() string {
	names := make([]string, 0, len(dtypeBits))
	for _, d := range DTypes() {
		names = append(names, string(d))
	}
	return strings.Join(names, ", ")
}

// ParseDType returns the DType named s, in any case, or an error listing
// the known ones.
func ParseDType(s string) (DType, error) {
	d := DType(strings.ToLower(s))
	if d.Bits() == 0 {
		return "", fmt.Errorf("dtype must be one of %s, got %q", DTypeNames(), s)
	}
	return d, nil
}

// Workload is what the model is run on: BatchSize sequences of SeqLen tokens
// each, with weights and activations stored in DType and the KV cache in
// KVDType (empty: DType). TrainingTokens, when positive, is the length of a
// training run for its compute total.
type Workload struct {
	BatchSize      int64 `json:"batch_size"`
	SeqLen         int64 `json:"seq_len"`
	DType          DType `json:"dtype"`
	KVDType        DType `json:"kv_dtype"`
	TrainingTokens int64 `json:"training_tokens"`
}

// Validate returns every broken rule of w for the model c at once. It
// allocates only for what it reports, so the cost model can validate every
// point of a sweep.
func (w Workload) Validate(c Config) error {
	var v validator
	if w.BatchSize <= 0 {
		v.positive("batch_size", w.BatchSize)
	}
	if w.SeqLen <= 0 {
		v.positive("seq_len", w.SeqLen)
	}
	if w.BatchSize > MaxBatchSize {
		v.check(false, "batch_size", fmt.Sprintf("must not exceed %d (2^32)", int64(MaxBatchSize)), w.BatchSize)
	}
	if w.SeqLen > MaxSeqLen {
		v.check(false, "seq_len", fmt.Sprintf("must not exceed %d (2^32)", int64(MaxSeqLen)), w.SeqLen)
	}
	if w.DType.Bits() == 0 {
		v.check(false, "dtype", "must be one of "+DTypeNames(), fmt.Sprintf("%q", w.DType))
	}
	if w.KVDType != "" && w.KVDType.Bits() == 0 {
		v.check(false, "kv_dtype", "must be empty (same as dtype) or one of "+DTypeNames(), fmt.Sprintf("%q", w.KVDType))
	}
	if w.TrainingTokens < 0 {
		v.check(false, "training_tokens", "must not be negative", w.TrainingTokens)
	}
	if c.PositionEmbedding == PositionLearned && c.MaxPositionEmbeddings > 0 && w.SeqLen > c.MaxPositionEmbeddings {
		v.check(false, "seq_len",
			fmt.Sprintf("must not exceed max_position_embeddings (%d) of a model with learned positions", c.MaxPositionEmbeddings),
			w.SeqLen)
	}
	return v.err()
}
