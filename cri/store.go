package cri

import (
	"context"
	"errors"
	"fmt"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// errInvalidImage is returned for a zero (invalid) reference.Image.
var errInvalidImage = errors.New("cri: invalid image reference")

// Lookup reports whether the runtime has the image img names (CRI ImageStatus), as the
// kubelet's GetImageRef asks: the image string sent is img.WithDefaultTag(), the tag-defaulted
// original ("nginx:latest"; a digest reference as written). An absent image is
// (LocalImage{}, false, nil). The runtime decides what matches: containerd finds an image by
// tag, by the digest it pulled (for a multi-platform image, the index digest, not a platform's
// manifest digest) and by ID. Like the kubelet's CRI client, Lookup fails with
// `Id or size of image "X" is not set` when the runtime reports an image without them; other
// errors are the gRPC status errors in full. Lookup implements [pullpolicy.Store].
func (c *Client) Lookup(ctx context.Context, img reference.Image) (pullpolicy.LocalImage, bool, error) {
	if !img.IsValid() {
		return pullpolicy.LocalImage{}, false, errInvalidImage
	}
	return c.status(ctx, &runtimeapi.ImageSpec{Image: img.WithDefaultTag()})
}

// status runs ImageStatus for spec.
func (c *Client) status(ctx context.Context, spec *runtimeapi.ImageSpec) (pullpolicy.LocalImage, bool, error) {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: spec})
	if err != nil {
		return pullpolicy.LocalImage{}, false, callError(ctx, err, false)
	}
	img := resp.GetImage()
	if img == nil {
		return pullpolicy.LocalImage{}, false, nil
	}
	if img.GetId() == "" || img.GetSize() == 0 {
		return pullpolicy.LocalImage{}, false, fmt.Errorf("Id or size of image %q is not set", spec.GetImage())
	}
	return localImage(img), true, nil
}

// ListImages returns every image the runtime holds (CRI ListImages without a filter), in the
// runtime's order. It is what a manager reads at start-up to reconcile its pull records.
func (c *Client) ListImages(ctx context.Context) ([]pullpolicy.LocalImage, error) {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.images.ListImages(ctx, &runtimeapi.ListImagesRequest{})
	if err != nil {
		return nil, callError(ctx, err, false)
	}
	out := make([]pullpolicy.LocalImage, 0, len(resp.GetImages()))
	for _, img := range resp.GetImages() {
		out = append(out, localImage(img))
	}
	return out, nil
}

// RemoveImage removes an image from the runtime (CRI RemoveImage). image is an image ID
// ("sha256:…") or a reference as the runtime accepts it; containerd removes the image with all
// its names and treats an absent image as already removed.
func (c *Client) RemoveImage(ctx context.Context, image string) error {
	if image == "" {
		return errors.New("cri: remove image: empty image")
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	_, err := c.images.RemoveImage(ctx, &runtimeapi.RemoveImageRequest{Image: &runtimeapi.ImageSpec{Image: image}})
	if err != nil {
		return callError(ctx, err, false)
	}
	return nil
}

func localImage(img *runtimeapi.Image) pullpolicy.LocalImage {
	size := img.GetSize()
	if size > 1<<63-1 {
		size = 1<<63 - 1
	}
	return pullpolicy.LocalImage{
		ID:          img.GetId(),
		RepoTags:    img.GetRepoTags(),
		RepoDigests: img.GetRepoDigests(),
		Size:        int64(size),
	}
}
