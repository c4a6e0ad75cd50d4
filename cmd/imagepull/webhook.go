package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/imagepull/imagepull/admission/webhook"
)

// runWebhook is `imagepull webhook`: it serves until ctx ends (SIGINT, SIGTERM).
func runWebhook(ctx context.Context, args []string, stderr io.Writer) int {
	var cfg webhook.Config
	fs := flag.NewFlagSet("imagepull webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "imagepull webhook: unexpected arguments %q\n", fs.Args())
		return 2
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(stderr, nil))
	if err := webhook.Run(ctx, cfg); err != nil {
		fmt.Fprintf(stderr, "imagepull webhook: %v\n", err)
		return 1
	}
	return 0
}
