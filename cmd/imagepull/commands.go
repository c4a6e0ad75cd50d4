package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// command is one subcommand: its documentation and how to make its runner.
type command struct {
	name     string
	args     string // the positional arguments in the synopsis: "IMAGE"
	summary  string // one line for the command list
	help     string // what the command does, a few sentences
	examples []example
	// minArgs and maxArgs bound the positional arguments; maxArgs < 0 means no bound.
	minArgs, maxArgs int
	// newRunner returns a fresh runner, whose flags are then registered and parsed.
	newRunner func() runner
}

// example is a command line with what it shows.
type example struct{ line, what string }

// runner is a subcommand's flags and body.
type runner interface {
	// flags registers the runner's flags.
	flags(fs *flagSet)
	// run executes the command with its positional arguments, which are already counted.
	run(ctx context.Context, a *app, args []string) error
}

// commands lists the subcommands in the order of the top-level help.
func commands() []*command {
	return []*command{explainCommand(), lintCommand(), decideCommand(), resolveCommand(), recordsCommand(), webhookCommand(), doctorCommand(), versionCommand()}
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run runs the command line args (without the program name) and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.topUsage(a.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "--version", "-version":
		// As kubectl and kube-linter do: the same as the version command.
		return a.run(ctx, append([]string{"version"}, args[1:]...))
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			if c := findCommand(args[1]); c != nil {
				c.usage(a.stdout, nil)
				return exitOK
			}
			fmt.Fprintf(a.stderr, "imagepull help: unknown command %q (see 'imagepull --help')\n", args[1])
			return exitUsage
		}
		a.topUsage(a.stdout)
		return exitOK
	}
	c := findCommand(name)
	if c == nil {
		fmt.Fprintf(a.stderr, "imagepull: unknown command %q (see 'imagepull --help')\n", name)
		return exitUsage
	}
	code, line := exitCode(ctx, name, c.execute(ctx, a, args[1:]))
	if line != "" {
		fmt.Fprintln(a.stderr, line)
	}
	return code
}

// errHelp is returned by execute when --help was asked for and shown.
var errHelp = errors.New("help shown")

// execute parses the command's flags and arguments and runs it.
func (c *command) execute(ctx context.Context, a *app, args []string) error {
	r := c.newRunner()
	fs := newFlagSet(c.name)
	r.flags(fs)
	positional, err := fs.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		c.usage(a.stdout, fs)
		return nil
	}
	if err != nil {
		return &usageError{msg: flagError(err)}
	}
	switch {
	case len(positional) < c.minArgs:
		return usagef("missing %s", strings.Fields(c.args)[len(positional)])
	case c.maxArgs >= 0 && len(positional) > c.maxArgs:
		return usagef("unexpected argument %q", positional[c.maxArgs])
	}
	return r.run(ctx, a, positional)
}

// flagError is the flag package's error with flags written as on the command line:
// "flag provided but not defined: --bogus", not "-bogus".
func flagError(err error) string {
	re := regexp.MustCompile(`(flag |argument: |defined: )-([\w-]+)`)
	return re.ReplaceAllStringFunc(err.Error(), func(m string) string {
		sub := re.FindStringSubmatch(m)
		return sub[1] + dashes(sub[2])
	})
}

// topUsage writes the program's help: the commands and the common behaviour.
func (a *app) topUsage(w io.Writer) {
	fmt.Fprint(w, `imagepull: the kubelet's image pull decisions (Kubernetes v1.36.3), from the command line.

Usage:
  imagepull <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command takes --help (with examples) and -o text|json.
Exit codes: 0 success; 1 the answer is a failure (a decision that fails, a registry
error, lint findings); 2 bad usage or unreadable input; 130 interrupted.
`)
}
