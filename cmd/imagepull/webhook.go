package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/imagepull/imagepull/admission/webhook"
)

func webhookCommand() *command {
	return &command{
		name:    "webhook",
		summary: "serve the AlwaysPullImages admission plugin as an admission webhook",
		help: `Webhook serves the AlwaysPullImages admission plugin of Kubernetes v1.36 (package admission)
over HTTPS, for clusters whose API server cannot enable the plugin (managed control planes):

  POST /mutate     sets every container's and image volume's imagePullPolicy to Always
                   (an admission.k8s.io/v1 AdmissionReview answered with a JSONPatch)
  POST /validate   denies pods that are not Always everywhere, with the plugin's message
  GET  /healthz    200 while the process serves
  GET  /readyz     200 until shutdown begins

The certificate and key are reloaded when they change (cert-manager rotates them). Requests in
--exclude-namespaces (kube-system by default) and pods matching --exclude-selector are allowed
untouched; --exclude-namespaces= (empty) excludes none, exactly as the built-in plugin.
--dry-run only reports. A denial names at most 32 fields and counts the others. Reviews over
--max-inflight-bytes in flight are answered 429 with Retry-After; /healthz and /readyz are never
refused. The Go runtime honours GOMEMLIMIT (bytes, or with a unit: 256MiB), logged at start as
memory_limit. Every review is one structured log line on stderr (-o json, the default, or
-o text), each value cut to a bounded size. SIGTERM or Ctrl-C shuts down gracefully, with exit
code 0. Deployment manifests: examples/webhook.`,
		examples: []example{
			{"imagepull webhook --tls-cert-file /tls/tls.crt --tls-private-key-file /tls/tls.key", "serve on :8443"},
			{"imagepull webhook --addr 127.0.0.1:9443 --tls-cert-file tls.crt --tls-private-key-file tls.key --dry-run -o text",
				"try it: report what would change, in readable logs"},
			{"imagepull webhook --tls-cert-file tls.crt --tls-private-key-file tls.key --exclude-namespaces kube-system,monitoring",
				"leave two namespaces alone"},
			{"imagepull webhook --tls-cert-file tls.crt --tls-private-key-file tls.key --exclude-namespaces=",
				"exclude no namespace: exactly the built-in plugin"},
		},
		minArgs: 0, maxArgs: 0,
		newRunner: func() runner { return &webhookRunner{} },
	}
}

type webhookRunner struct {
	cfg webhook.Config
	out *formatFlag
}

func (r *webhookRunner) flags(fs *flagSet) {
	r.cfg.RegisterFlags(fs.FlagSet)
	r.out = fs.output("json", "text")
}

// run serves until ctx ends (SIGINT, SIGTERM), then shuts down gracefully: exit code 0.
func (r *webhookRunner) run(ctx context.Context, a *app, _ []string) error {
	var h slog.Handler = slog.NewJSONHandler(a.stderr, nil)
	if r.out.value == "text" {
		h = slog.NewTextHandler(a.stderr, nil)
	}
	r.cfg.Logger = slog.New(h)
	if r.cfg.TLSCertFile == "" || r.cfg.TLSKeyFile == "" {
		return usagef("--tls-cert-file and --tls-private-key-file are required: the API server calls webhooks over HTTPS only")
	}
	s, err := webhook.NewServer(r.cfg) // checks the options and loads the certificate
	if err != nil {
		// The package's errors start with "webhook: ", which the command's line already says.
		return inputErr(errors.New(strings.ReplaceAll("\n"+err.Error(), "\nwebhook: ", "\n")[1:]))
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", r.cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	return s.Serve(ctx, ln)
}
