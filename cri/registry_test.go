package cri_test

import (
	"context"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// The registry of these tests is the project's loopback registry, registry/registrytest: an
// OCI registry on 127.0.0.1 with request counts, Basic auth and Stop/Restart. containerd
// reaches it over plain HTTP without configuration (see .ci/containerd.sh), and removes what
// it pulled from it when the test ends.

// newRegistry starts a loopback registry with the given authentication for the test, and
// removes from the runtime, when the test ends, every image pulled from it.
func newRegistry(t *testing.T, c *cri.Client, auth registrytest.Auth) *registrytest.Registry {
	t.Helper()
	r := registrytest.New(t, registrytest.Options{Auth: auth})
	removeImagesOf(t, c, r)
	return r
}

// push pushes a random single-platform image as repoTag ("app:v1") and returns its manifest
// digest.
func push(ctx context.Context, t *testing.T, r *registrytest.Registry, repoTag string) digest.Digest {
	t.Helper()
	d, err := r.PushRandom(ctx, repoTag)
	require.NoError(t, err)
	return d
}

// removeImagesOf removes, when the test ends, every image the runtime holds from registry r, so
// that tests sharing one containerd do not see each other's images. Removing an image does not
// talk to the registry, so it does not matter that the registry is closed by then.
func removeImagesOf(t *testing.T, c *cri.Client, r *registrytest.Registry) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		imgs, err := c.ListImages(ctx)
		require.NoError(t, err)
		for _, img := range imgs {
			if fromRegistry(img, r) {
				require.NoError(t, c.RemoveImage(ctx, img.ID))
			}
		}
	})
}

// fromRegistry reports whether one of img's names is on registry r.
func fromRegistry(img pullpolicy.LocalImage, r *registrytest.Registry) bool {
	for _, name := range append(img.RepoTags, img.RepoDigests...) {
		if strings.HasPrefix(name, r.Host()+"/") {
			return true
		}
	}
	return false
}

// ref returns name ("app:v1", "app@sha256:…") on registry r: "127.0.0.1:PORT/app:v1".
func ref(r *registrytest.Registry, name string) string { return r.Host() + "/" + name }
