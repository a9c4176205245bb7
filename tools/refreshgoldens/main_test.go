package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChanges(t *testing.T) {
	before := map[string]map[string]string{
		"a": {"params.total": "6738415616", "flops.forward": "100"},
		"b": {"params.total": "1"},
	}
	after := map[string]map[string]string{
		"a": {"params.total": "6738415620", "flops.forward": "100"},
		"c": {"params.total": "1234"},
	}
	want := []string{
		"a params.total 6,738,415,616 → 6,738,415,620",
		"b: removed",
		"c: new preset (params.total 1,234)",
	}
	if diff := cmp.Diff(want, changes(before, after)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got := changes(before, before); !cmp.Equal(got, []string{"no headline number moved"}) {
		t.Errorf("no change: %v", got)
	}
}
