package cri

import (
	"context"
	"errors"
	"fmt"
	"maps"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
)

// PullImage pulls req.Image through the runtime (CRI PullImage) as the kubelet's runtime
// manager does, and implements [kubelet.Puller]:
//
//   - the image spec carries req.Image (sent as given: the kubelet's tag-defaulted string),
//     req.Annotations and req.RuntimeHandler; the sandbox config carries req.Sandbox;
//   - without credentials the pull is anonymous; otherwise each credential is tried in order,
//     the first success wins and no anonymous attempt follows a failure;
//   - a success with an empty image reference is a failure of that attempt:
//     `imageRef of image "X" is not set`;
//   - after a success the image size is asked for (ImageStatus; 0 when unknown).
//
// The error of a single attempt reads as the kubelet's CRI client reports it (gRPC Unknown
// reduced to its message, other codes in full); when several credentials failed, the text is
// the kubelet's aggregate ("[e1, e2]", or the single distinct message): [kubelet.PullEach]
// tries the credentials. Attempts stop early once ctx is done. The runtime repeats the registry's error, so the credentials of each
// attempt (the password, the base64 "user:password" and "auth", the tokens) are masked in its
// error ("[redacted]"), in the text and in the gRPC status alike: a registry that echoes them
// cannot put them into events, messages or logs.
func (c *Client) PullImage(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	if req.Image == "" {
		return kubelet.PullResult{}, errors.New("cri: pull image: empty image")
	}
	spec := &runtimeapi.ImageSpec{
		Image:          req.Image,
		Annotations:    maps.Clone(req.Annotations),
		RuntimeHandler: req.RuntimeHandler,
	}
	sandbox := sandboxConfig(req.Sandbox)
	return kubelet.PullEach(ctx, req.Credentials, func(ctx context.Context, cred *credential.Credential) (kubelet.PullResult, error) {
		var auth *runtimeapi.AuthConfig
		if cred != nil {
			auth = authConfig(cred)
		}
		ref, err := c.pull(ctx, spec, auth, sandbox)
		if err != nil {
			return kubelet.PullResult{}, err
		}
		return c.pulled(ctx, spec, ref, cred), nil
	})
}

// pull makes one PullImage call.
func (c *Client) pull(ctx context.Context, spec *runtimeapi.ImageSpec, auth *runtimeapi.AuthConfig, sandbox *runtimeapi.PodSandboxConfig) (string, error) {
	resp, err := c.images.PullImage(ctx, &runtimeapi.PullImageRequest{Image: spec, Auth: auth, SandboxConfig: sandbox})
	if err != nil {
		return "", maskAuth(callError(ctx, err, true), auth)
	}
	if resp.GetImageRef() == "" {
		return "", fmt.Errorf("imageRef of image %q is not set", spec.GetImage())
	}
	return resp.GetImageRef(), nil
}

// pulled completes a successful pull with the image size, best effort as in the kubelet.
func (c *Client) pulled(ctx context.Context, spec *runtimeapi.ImageSpec, ref string, cred *credential.Credential) kubelet.PullResult {
	res := kubelet.PullResult{ImageRef: ref, Credential: cred}
	if img, ok, err := c.status(ctx, spec); err == nil && ok {
		res.Size = img.Size
	}
	return res
}

func authConfig(cr *credential.Credential) *runtimeapi.AuthConfig {
	return &runtimeapi.AuthConfig{
		Username:      cr.Username,
		Password:      cr.Password,
		Auth:          cr.Auth,
		ServerAddress: cr.ServerAddress,
		IdentityToken: cr.IdentityToken,
		RegistryToken: cr.RegistryToken,
	}
}

// sandboxConfig returns the pod sandbox config for a pull: its metadata, or nil when the
// request names no pod.
func sandboxConfig(s kubelet.Sandbox) *runtimeapi.PodSandboxConfig {
	if s == (kubelet.Sandbox{}) {
		return nil
	}
	return &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{
		Name:      s.Name,
		Namespace: s.Namespace,
		Uid:       s.UID,
	}}
}
