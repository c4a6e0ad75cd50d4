// Command imagepull is the library's command-line tool. Today it has one subcommand:
//
//	imagepull webhook --addr :8443 --tls-cert-file tls.crt --tls-private-key-file tls.key
//
// serves the AlwaysPullImages admission plugin as a Kubernetes admission webhook (package
// github.com/imagepull/imagepull/admission/webhook).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and returns the exit code.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "webhook":
		return runWebhook(ctx, args[1:], stderr)
	case "-h", "--help", "help":
		usage(stderr)
		return 0
	}
	fmt.Fprintf(stderr, "imagepull: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

// usage lists the subcommands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: imagepull <command> [flags]")
	fmt.Fprintln(w, "commands:")
	fmt.Fprintln(w, "  webhook   serve the AlwaysPullImages admission plugin as an admission webhook")
}
