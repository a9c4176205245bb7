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
//	tscale sweep [flags] SLUG...    models at many workloads (csv, json, markdown)
//	tscale gpus                     the accelerators -gpu knows, with their sources
//	tscale version                  the module version and VCS revision of this binary
//	tscale help [COMMAND]           the help of tscale or of one command
//
// Run tscale help, or tscale help COMMAND, for the flags and examples.
//
// Exit codes: 0 success, 1 a failure (a bad config file, an I/O error),
// 2 a mistake on the command line (one line on stderr, nothing on stdout),
// 3 an internal error (a bug).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1 // the command could not be done: a bad file, an I/O error
	exitUsage    = 2 // a mistake on the command line
	exitInternal = 3 // a bug: a panic recovered in run
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usageError is a mistake in the command line of command cmd ("" for tscale
// itself): exit code 2, one line on stderr that points to the command's help.
type usageError struct {
	cmd string
	err error
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(cmd, format string, args ...any) error {
	return usageError{cmd, fmt.Errorf(format, args...)}
}

// failures are several independent failures (one per bad config file, say),
// printed one a line.
type failures []error

func (f failures) Error() string {
	lines := make([]string, len(f))
	for i, err := range f {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// errHelp is returned by a command whose help was asked for and printed.
var errHelp = errors.New("help printed")

const mainUsage = `tscale prints the exact scale of transformer language models: parameters,
FLOPs (causal and dense), activation elements, KV cache and memory.

Usage:
  tscale                     write every preset's report into ./output (= tscale reports -out output)
  tscale reports [-out DIR]  write DIR/yaml/<slug>.yaml and DIR/txt/<slug>.txt for every preset
  tscale report [flags] SLUG print one report (text, yaml or json) on stdout
  tscale list                list the presets
  tscale compare [SLUG...]   one row per model: params, FLOPs per token, KV cache, memory (text, markdown, csv)
  tscale sweep [flags] SLUG... one row per (model, seq, batch): exact FLOPs, KV cache, memory (csv, json, markdown)
  tscale gpus                the accelerators -gpu knows, with their datasheet figures and sources
  tscale version             the module version and VCS revision this binary was built from
  tscale help [COMMAND]      this help, or a command's flags and examples

Examples:
  tscale report llama-3.1-8b
  tscale report -format yaml -seq 8Ki -batch 4 -dtype fp8 mixtral-8x7b
  tscale report -hf path/to/config.json
  tscale report -hf - < path/to/config.json
  tscale compare -format markdown llama-3.1-8b mistral-7b
  tscale report -tp 8 -pp 16 -dp 8 -sp -recompute selective -gpu a100-80gb gpt3-175b
  tscale list

Exit codes: 0 success, 1 failure (a bad config file, an I/O error), 2 a mistake on the
command line, 3 an internal error.

Run 'tscale help COMMAND' for a command's flags.
`

// cli is one run of tscale: what it reads (-hf - reads stdin), where it
// writes, and the files it works on.
type cli struct {
	fs             fileSystem
	stdin          io.Reader
	stdout, stderr io.Writer
}

// commands are the subcommands, by name.
var commands = map[string]func(c *cli, args []string) error{
	"reports": (*cli).reports,
	"report":  (*cli).report,
	"list":    (*cli).list,
	"compare": (*cli).compare,
	"sweep":   (*cli).sweep,
	"version": (*cli).version,
	"gpus":    (*cli).gpus,
}

// run executes the command line args and returns the exit code. stdin is
// read only by -hf -; a nil stdin reads as empty.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(osFS{}, args, stdin, stdout, stderr)
}

// runWith is run on the file system fsys: tests and the fuzz target pass
// one that fails on purpose or writes only into a temporary folder.
func runWith(fsys fileSystem, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "tscale: internal error: %s\n", oneLine(fmt.Sprint(r)))
			code = exitInternal
		}
	}()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	c := &cli{fs: fsys, stdin: stdin, stdout: stdout, stderr: stderr}
	return c.exitCode(c.dispatch(args))
}

func (c *cli) dispatch(args []string) error {
	if len(args) == 0 {
		return c.reports([]string{"-out", "output"})
	}
	switch name := args[0]; name {
	case "-h", "-help", "--help":
		fmt.Fprint(c.stdout, mainUsage)
		return nil
	case "help":
		return c.help(args[1:])
	default:
		cmd, ok := commands[name]
		if !ok {
			return usagef("", "unknown command %q; the commands are reports, report, list, compare, sweep, gpus, version and help", name)
		}
		return cmd(c, args[1:])
	}
}

// help prints the help of tscale, or of one command: the text its -h prints.
func (c *cli) help(args []string) error {
	switch {
	case len(args) == 0:
		fmt.Fprint(c.stdout, mainUsage)
		return nil
	case len(args) > 1:
		return usagef("", "help takes one command name, got %d arguments", len(args))
	case args[0] == "help", args[0] == "-h", args[0] == "-help", args[0] == "--help":
		fmt.Fprint(c.stdout, mainUsage)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return usagef("", "help: unknown command %q; the commands are reports, report, list, compare, sweep, gpus, version and help", args[0])
	}
	return cmd(c, []string{"-h"})
}

// exitCode prints err, if any, on stderr and returns the exit code it means.
func (c *cli) exitCode(err error) int {
	var usage usageError
	var many failures
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &usage):
		helpCmd := "tscale help"
		prefix := "tscale: "
		if usage.cmd != "" {
			helpCmd += " " + usage.cmd
			prefix += usage.cmd + ": "
		}
		fmt.Fprintf(c.stderr, "%s%s; run '%s' for usage\n", prefix, oneLine(usage.Error()), helpCmd)
		return exitUsage
	case errors.As(err, &many):
		for _, e := range many {
			fmt.Fprintf(c.stderr, "tscale: %s\n", oneLine(e.Error()))
		}
		return exitFailure
	default:
		fmt.Fprintf(c.stderr, "tscale: %s\n", oneLine(err.Error()))
		return exitFailure
	}
}

// oneLine joins the lines of a message (errors.Join separates its errors by
// newlines) with "; ".
func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "; ")
}
