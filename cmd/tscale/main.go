// Command tscale prints the exact scale of transformer language models:
// parameters, FLOPs, activation elements, KV cache and memory, for every
// preset model or one at a chosen workload.
//
// Usage:
//
//	tscale                          write every preset's report into ./output
//	tscale reports [-out DIR]       the same, into DIR/yaml and DIR/txt
//	tscale report [flags] SLUG      one report on stdout
//	tscale list                     the presets
//	tscale compare [SLUG...]        a table of models (text, markdown or csv)
//
// Run tscale -h, or tscale COMMAND -h, for the flags and examples.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

const mainUsage = `tscale prints the exact scale of transformer language models: parameters,
FLOPs (causal and dense), activation elements, KV cache and memory.

Usage:
  tscale                     write every preset's report into ./output (= tscale reports -out output)
  tscale reports [-out DIR]  write DIR/yaml/<slug>.yaml and DIR/txt/<slug>.txt for every preset
  tscale report [flags] SLUG print one report (text, yaml or json) on stdout
  tscale list                list the presets
  tscale compare [SLUG...]   one row per model: params, FLOPs per token, KV cache, memory (text, markdown, csv)

Examples:
  tscale report llama-3.1-8b
  tscale report -format yaml -seq 8192 -batch 4 -dtype fp8 mixtral-8x7b
  tscale report -hf path/to/config.json
  tscale compare -format markdown llama-3.1-8b mistral-7b
  tscale list

Run 'tscale COMMAND -h' for a command's flags.
`

// run executes the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 0:
		err = runReports([]string{"-out", "output"}, stdout, stderr)
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	case args[0] == "reports":
		err = runReports(args[1:], stdout, stderr)
	case args[0] == "report":
		err = runReport(args[1:], stdout, stderr)
	case args[0] == "list":
		err = runList(args[1:], stdout, stderr)
	case args[0] == "compare":
		err = runCompare(args[1:], stdout, stderr)
	default:
		err = usagef("unknown command %q; the commands are reports, report, list and compare", args[0])
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "tscale: %v\n", err)
		fmt.Fprintln(stderr, "Run 'tscale -h' for usage.")
		return exitUsage
	default:
		fmt.Fprintf(stderr, "tscale: %v\n", err)
		return exitFailure
	}
}

// newFlagSet makes a flag set whose -h prints help, with examples, on stdout.
func newFlagSet(name, synopsis, description string, examples []string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fs.SetOutput(stdout)
		defer fs.SetOutput(stderr)
		fmt.Fprintf(stdout, "Usage: tscale %s\n\n%s\n", synopsis, description)
		if hasFlags(fs) {
			fmt.Fprintln(stdout, "\nFlags:")
			fs.PrintDefaults()
		}
		fmt.Fprintln(stdout, "\nExamples:")
		for _, e := range examples {
			fmt.Fprintf(stdout, "  %s\n", e)
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseInterspersed parses flags that may come before or after positional
// arguments (tscale report llama-2-7b -seq 8192) and returns the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// oneOf checks that value is one of the allowed words of flag name.
func oneOf(name, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usagef("-%s must be one of %s, got %q", name, strings.Join(allowed, ", "), value)
}
