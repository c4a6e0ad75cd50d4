package kubelet

import (
	"context"

	"github.com/imagepull/imagepull/credential"
)

// PullRequest is what the kubelet hands the container runtime's PullImage.
type PullRequest struct {
	// Image is the tag-defaulted, unnormalised image string ([reference.Image.WithDefaultTag]):
	// "nginx:latest", never "docker.io/library/nginx:latest".
	Image string
	// Credentials are the credentials matching the image, in keyring order. The puller tries
	// them in order and returns the first success; with none it pulls anonymously.
	Credentials []credential.Credential
	// RuntimeHandler is the pod's runtime handler (KEP-4216), "" by default.
	RuntimeHandler string
	// Annotations are all the pod's annotations, passed as ImageSpec annotations.
	Annotations map[string]string
	// Sandbox identifies the pod for the runtime (the pod sandbox config's metadata).
	Sandbox Sandbox
}

// Sandbox is the pod metadata a runtime receives with a pull.
type Sandbox struct {
	Name      string
	Namespace string
	UID       string
}

// PullResult is what a successful pull returns.
type PullResult struct {
	// ImageRef is the runtime's image ID (containerd: the config digest).
	ImageRef string
	// Credential is the credential that worked, or nil for an anonymous pull.
	Credential *credential.Credential
	// Size is the image size in bytes as the runtime reports it after the pull (the kubelet's
	// GetImageSize); 0 when unknown.
	Size int64
}

// Puller pulls images through a container runtime (CRI PullImage). Errors must read as the
// kubelet's CRI client surfaces them: a gRPC Unknown status unwrapped to its message (so that a
// "RegistryUnavailable…" prefix classifies), other codes kept in full; when several credentials
// were tried and all failed, the errors are aggregated as the kubelet does ("[e1, e2]", or the
// single error's text). Implementations must be safe for concurrent use.
type Puller interface {
	PullImage(ctx context.Context, req PullRequest) (PullResult, error)
}

// PullerFunc adapts a function to the [Puller] interface.
type PullerFunc func(ctx context.Context, req PullRequest) (PullResult, error)

// PullImage calls f(ctx, req).
func (f PullerFunc) PullImage(ctx context.Context, req PullRequest) (PullResult, error) {
	return f(ctx, req)
}
