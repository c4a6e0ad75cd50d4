package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The exit codes.
const (
	exitOK          = 0
	exitFailure     = 1   // the answer is a failure: a failing decision, a registry error, findings
	exitUsage       = 2   // bad flags or arguments, unreadable or malformed input
	exitInterrupted = 130 // Ctrl-C or SIGTERM: 128 + SIGINT, as shells report it
)

// usageError is a mistake in how the command was called: exit code 2, with a pointer to --help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// inputError is input the command cannot use (a missing or malformed file): exit code 2.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

func inputErr(err error) error { return &inputError{err: err} }

// errReported means the command has already printed its answer, which is a failure (a
// decision that fails, lint findings at the chosen severity): exit code 1, nothing more to
// print.
var errReported = errors.New("failure reported")

// exitCode maps a command's error to the exit code, and the line to print (empty for none).
func exitCode(ctx context.Context, name string, err error) (int, string) {
	var ue *usageError
	var ie *inputError
	switch {
	case err == nil:
		return exitOK, ""
	case ctx.Err() != nil: // whatever the error says, it follows from the interruption
		return exitInterrupted, "imagepull: interrupted"
	case errors.Is(err, errReported):
		return exitFailure, ""
	case errors.As(err, &ue):
		return exitUsage, fmt.Sprintf("imagepull %s: %s (see 'imagepull %s --help')", name, ue.msg, name)
	case errors.As(err, &ie):
		return exitUsage, prefixLines("imagepull "+name+": ", ie.err.Error())
	default:
		return exitFailure, fmt.Sprintf("imagepull %s: %s", name, err)
	}
}

// prefixLines puts prefix before every line of text: one error per line.
func prefixLines(prefix, text string) string {
	return prefix + strings.ReplaceAll(text, "\n", "\n"+prefix)
}
