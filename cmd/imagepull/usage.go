package main

import (
	"fmt"
	"io"
	"strings"
)

// usage writes the command's help: synopsis, description, flags and examples. fs is the
// command's parsed flag set; nil means a fresh one.
func (c *command) usage(w io.Writer, fs *flagSet) {
	if fs == nil {
		fs = newFlagSet(c.name)
		c.newRunner().flags(fs)
	}
	synopsis := "imagepull " + c.name
	if c.args != "" {
		synopsis += " " + c.args
	}
	fmt.Fprintf(w, "%s — %s\n\nUsage:\n  %s [flags]\n\n%s\n", synopsis, c.summary, synopsis, strings.TrimSpace(c.help))
	fmt.Fprint(w, "\nFlags:\n")
	fs.printDefaults(w)
	fmt.Fprint(w, "  -h, --help\n      show this help\n")
	if len(c.examples) > 0 {
		fmt.Fprint(w, "\nExamples:\n")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  # %s\n  %s\n\n", e.what, e.line)
		}
	}
}
