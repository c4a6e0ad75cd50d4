package kubelet

import (
	"context"
	"fmt"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/internal/clip"
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
// single error's text): [PullEach] does that part, so that an implementation writes only one
// attempt. Implementations must be safe for concurrent use, and should return
// promptly once ctx ends: like the kubelet, the image manager waits for the answer of a pull it
// started even after the caller gave up, so that an image the runtime pulled is recorded.
type Puller interface {
	PullImage(ctx context.Context, req PullRequest) (PullResult, error)
}

// PullerFunc adapts a function to the [Puller] interface.
type PullerFunc func(ctx context.Context, req PullRequest) (PullResult, error)

// PullImage calls f(ctx, req).
func (f PullerFunc) PullImage(ctx context.Context, req PullRequest) (PullResult, error) {
	return f(ctx, req)
}

// callPuller calls the Puller, turning a panic into a [*PullerPanicError].
func (m *ImageManager) callPuller(ctx context.Context, req *PullRequest) (res PullResult, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = PullResult{}, &PullerPanicError{Value: v}
		}
	}()
	return m.puller.PullImage(ctx, *req)
}

// PullerPanicError is the pull error of a [Puller] that panicked. The panic is recovered: the
// call that ran the pull fails with ErrImagePull and this error's text as its message, and
// every other pull goes on.
type PullerPanicError struct {
	Value any // the value passed to panic
}

// Error returns "the image puller panicked: <value>", the value cut to a bounded length.
func (e *PullerPanicError) Error() string {
	return "the image puller panicked: " + clip.String(fmt.Sprint(e.Value), clip.MaxErrorText)
}
