package main

import (
	"fmt"
	"runtime/debug"
)

func (c *cli) version(args []string) error {
	fs := newFlagSet("version", "version",
		"Prints the module path and version of this tscale binary, then the version-control revision,\n"+
			"commit time and modified flag it was built from, as the Go toolchain recorded them\n"+
			"(runtime/debug.ReadBuildInfo): \"github.com/tscale/tscale v1.2.3\", or\n"+
			"\"github.com/tscale/tscale (devel) vcs.revision=... vcs.time=... vcs.modified=false\" for a\n"+
			"build from a checkout. A binary without build information says so, with exit code 0.",
		[]string{"tscale version", "go install ./cmd/tscale && tscale version"})
	positional, err := fs.parse(args, c.stdout)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usagef("version", "version takes no arguments, got %q", positional)
	}
	_, err = fmt.Fprintln(c.stdout, versionLine(debug.ReadBuildInfo()))
	return err
}

// vcsKeys are the build settings versionLine prints, in order.
var vcsKeys = []string{"vcs.revision", "vcs.time", "vcs.modified"}

// versionLine describes a build: the main module's path and version, then
// each VCS setting the build recorded, as key=value. ok false (no build
// information) gives "tscale (unknown version: no build information)".
func versionLine(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "tscale (unknown version: no build information)"
	}
	path, version := info.Main.Path, info.Main.Version
	if path == "" {
		path = "tscale" // a test binary records no main module
	}
	if version == "" {
		version = "(devel)"
	}
	line := path + " " + version
	for _, key := range vcsKeys {
		for _, s := range info.Settings {
			if s.Key == key {
				line += " " + key + "=" + s.Value
			}
		}
	}
	return line
}
