package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "-compiler", Value: "gc"},
		{Key: "vcs.modified", Value: "false"},
		{Key: "vcs", Value: "git"},
		{Key: "vcs.time", Value: "2025-01-02T03:04:05Z"},
		{Key: "vcs.revision", Value: "abc123"},
	}
	for _, tt := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"a release", &debug.BuildInfo{Main: debug.Module{Path: "tscale", Version: "v1.2.3"}}, true, "tscale v1.2.3"},
		{"a checkout", &debug.BuildInfo{Main: debug.Module{Path: "tscale", Version: "(devel)"}, Settings: vcs}, true,
			"tscale (devel) vcs.revision=abc123 vcs.time=2025-01-02T03:04:05Z vcs.modified=false"},
		{"a modified checkout", &debug.BuildInfo{Main: debug.Module{Path: "tscale", Version: "v0.0.0-20250102030405-abc123+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}, true,
			"tscale v0.0.0-20250102030405-abc123+dirty vcs.revision=abc123 vcs.modified=true"},
		{"no main module (a test binary)", &debug.BuildInfo{}, true, "tscale (devel)"},
		{"no build information", nil, false, "tscale (unknown version: no build information)"},
		{"not ok, info present", &debug.BuildInfo{Main: debug.Module{Path: "tscale", Version: "v1"}}, false,
			"tscale (unknown version: no build information)"},
	} {
		if got := versionLine(tt.info, tt.ok); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestVersionCommand: tscale version prints this binary's versionLine, one
// line, exit 0.
func TestVersionCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version"}, nil, &stdout, &stderr); code != exitOK || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if want := versionLine(debug.ReadBuildInfo()) + "\n"; stdout.String() != want || strings.Count(want, "\n") != 1 {
		t.Errorf("stdout %q, want %q", stdout.String(), want)
	}
}
