package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// flagSet is a standard library flag.FlagSet for one subcommand, with what a command line
// user expects on top: flags anywhere among the arguments ("decide nginx --policy Always"),
// long aliases of short flags ("-o" and "--output"), and help text written by the command.
type flagSet struct {
	*flag.FlagSet
	aliases map[string]string // alias → the flag it names
}

func newFlagSet(name string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned and printed once, by the caller
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, aliases: make(map[string]string)}
}

// alias makes --alias another name of the flag name.
func (fs *flagSet) alias(alias, name string) {
	f := fs.Lookup(name)
	fs.Var(f.Value, alias, f.Usage)
	fs.aliases[alias] = name
}

// parse parses args, flags and positional arguments in any order, and returns the positional
// ones. After "--" everything is positional.
func (fs *flagSet) parse(args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printDefaults writes the flags: "  -o, --output FORMAT", then the usage and the default.
func (fs *flagSet) printDefaults(w io.Writer) {
	aliasOf := make(map[string]string) // flag → its alias
	for a, n := range fs.aliases {
		aliasOf[n] = a
	}
	fs.VisitAll(func(f *flag.Flag) {
		if _, isAlias := fs.aliases[f.Name]; isAlias {
			return
		}
		typ, usage := flag.UnquoteUsage(f)
		names := dashes(f.Name)
		if a, ok := aliasOf[f.Name]; ok {
			names += ", " + dashes(a)
		}
		if typ != "" {
			names += " " + typ
		}
		fmt.Fprintf(w, "  %s\n", names)
		for line := range strings.SplitSeq(usage, "\n") {
			fmt.Fprintf(w, "      %s\n", line)
		}
		if d := f.DefValue; d != "" && d != "false" && d != "[]" {
			fmt.Fprintf(w, "      (default %s)\n", d)
		}
	})
}

// dashes is how a flag is written: "-o" for a one-letter flag, "--policy" otherwise.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// listFlag is a repeatable flag collecting values; each value may also hold several,
// separated by commas ("--present nginx:1.25,redis:7 --present busybox").
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return errors.New("empty value")
		}
		*l = append(*l, v)
	}
	return nil
}

// formatFlag is -o: one of the formats a command offers.
type formatFlag struct {
	value   string
	allowed []string
}

func (f *formatFlag) String() string { return f.value }

func (f *formatFlag) Set(s string) error {
	if !slices.Contains(f.allowed, s) {
		return fmt.Errorf("unknown output format %q: use %s", s, strings.Join(f.allowed, ", "))
	}
	f.value = s
	return nil
}

// output registers -o/--output with the given formats; the first is the default.
func (fs *flagSet) output(formats ...string) *formatFlag {
	f := &formatFlag{value: formats[0], allowed: formats}
	fs.Var(f, "o", "output `FORMAT`: "+strings.Join(formats, ", "))
	fs.alias("output", "o")
	return f
}
