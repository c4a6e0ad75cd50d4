package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
)

func resolveCommand() *command {
	return &command{
		name:    "resolve",
		args:    "IMAGE",
		summary: "the digest a registry gives for an image reference",
		help: `Resolve asks IMAGE's registry which manifest digest the reference names now (one HEAD
request, with the OCI and Docker Accept headers; the top-level index digest for a multi-arch
image). Credentials come from --docker-config; the registry is reached over HTTPS unless
named with --plain-http.

Failures are classified, and the exit code is 1:
  NotFound             the registry has no such repository or tag (404)
  Unauthorized         the credentials are missing, wrong or not allowed (401, 403)
  RegistryUnavailable  the registry cannot be reached, or answers 5xx/429 after retries
  DigestMismatch       the manifest does not hash to the digest named`,
		examples: []example{
			{"imagepull resolve nginx:1.25", "the digest Docker Hub gives for nginx:1.25"},
			{"imagepull resolve ghcr.io/org/app:v1 --docker-config ~/.docker/config.json", "a private image, with docker's credentials"},
			{"imagepull resolve 127.0.0.1:5000/app:v1 --plain-http 127.0.0.1", "a local registry over plain HTTP"},
			{"imagepull resolve nginx:1.25 -o json", "the digest as JSON"},
		},
		minArgs: 1, maxArgs: 1,
		newRunner: func() runner { return &resolveRunner{} },
	}
}

type resolveRunner struct {
	reg registryFlags
	out *formatFlag
}

func (r *resolveRunner) flags(fs *flagSet) {
	r.reg.register(fs)
	r.out = fs.output("text", "json")
}

// resolveJSON is resolve's answer.
type resolveJSON struct {
	Image  string            `json:"image"`
	Digest string            `json:"digest,omitempty"`
	Pinned string            `json:"pinned,omitempty"`
	Error  *resolveErrorJSON `json:"error,omitempty"`
}

type resolveErrorJSON struct {
	Kind    string `json:"kind"` // NotFound, Unauthorized, RegistryUnavailable, DigestMismatch, Error
	Message string `json:"message"`
}

func (r *resolveRunner) run(ctx context.Context, a *app, args []string) error {
	img, err := reference.Parse(args[0])
	if err != nil {
		return usagef("%v", err)
	}
	provider, err := r.reg.provider(a.stderr)
	if err != nil {
		return err
	}
	res, keyring, err := r.reg.open()
	if err != nil {
		return err
	}
	defer res.CloseIdleConnections()
	n := node{resolver: res, keyring: keyring, provider: provider}
	creds, err := n.providerCredentials(ctx, args[0])
	if err != nil {
		return err
	}
	out := resolveJSON{Image: img.String()}
	d, err := res.ResolveWithCredentials(ctx, img, creds)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		out.Error = &resolveErrorJSON{Kind: errorKind(err), Message: err.Error()}
	default:
		out.Digest, out.Pinned = d.String(), img.WithDigest(d).String()
	}
	if r.out.value == "json" {
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
		if out.Error != nil {
			return errReported
		}
		return nil
	}
	if out.Error != nil {
		hint := ""
		if out.Error.Kind == "Unauthorized" && r.reg.dockerConfig == "" && provider == nil {
			hint = "; no credentials were given (--docker-config, --image-credential-provider-config)"
		}
		return fmt.Errorf("%s: %s%s", out.Error.Kind, out.Error.Message, hint)
	}
	return out.writeText(a.stdout)
}

// errorKind names the class of a registry error, for people and for scripts.
func errorKind(err error) string {
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return "NotFound"
	case errors.Is(err, registry.ErrUnauthorized):
		return "Unauthorized"
	case errors.Is(err, pullpolicy.ErrRegistryUnavailable):
		return "RegistryUnavailable"
	case errors.Is(err, registry.ErrDigestMismatch):
		return "DigestMismatch"
	}
	return "Error"
}

func (o resolveJSON) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "image\t%s\ndigest\t%s\npinned\t%s\n", o.Image, o.Digest, o.Pinned)
	return tw.Flush()
}
