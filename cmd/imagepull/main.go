package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := newApp(os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stderr)).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// app is one run of the command line: its standard streams and whether progress may be shown.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// terminal is true when stderr is a terminal: progress is shown only then.
	terminal bool
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, terminal bool) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, terminal: terminal}
}

// isTerminal reports whether f is a character device other than a dumb terminal: the test
// progress output needs. It needs no terminal library (see the package doc).
func isTerminal(f *os.File) bool {
	if os.Getenv("TERM") == "dumb" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
