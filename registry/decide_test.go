package registry_test

import (
	"net/http"
	"testing"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pullpolicy.Decide under Always, end to end: a real registry, this resolver, cache.Store.
func TestDecideAlways(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword,
	}})
	pushed := push(t, reg, "app:v1")
	img := ref(reg, "app", "v1")
	store := cache.NewStore()
	require.NoError(t, store.Add(pullpolicy.LocalImage{
		ID:          "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		RepoTags:    []string{img.String()},
		RepoDigests: []string{img.WithDigest(pushed).String()},
	}))
	r := newResolver(t, fastOptions(reg))
	resolver := r.WithCredentials(podCredentials(testUser, testPassword))
	_, err := resolver.Resolve(t.Context(), img) // warm the token cache
	require.NoError(t, err)
	reg.ResetCounts()

	t.Run("unchanged tag, image present: use it after one HEAD", func(t *testing.T) {
		d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, resolver)
		require.NoError(t, err)
		assert.Equal(t, pullpolicy.UseLocal, d.Action)
		assert.Equal(t, pushed, d.Digest)
		assert.Equal(t, `Container image "`+img.Original()+`" already present on machine`, d.Message)
		assert.Equal(t, 1, reg.Count(http.MethodHead, "/v2/app/manifests/v1"))
		assert.Zero(t, reg.Count(http.MethodGet, ""))
		assert.Equal(t, 1, reg.Count("", "/"), "nothing else: %v", reg.Counts())
	})
	t.Run("moved tag: pull by the new digest", func(t *testing.T) {
		moved := push(t, reg, "app:v1")
		d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, resolver)
		require.NoError(t, err)
		assert.Equal(t, pullpolicy.Pull, d.Action)
		assert.Equal(t, img.WithDigest(moved), d.PullRef)
	})
	t.Run("without the pod's credentials: ErrImagePull, not unavailable", func(t *testing.T) {
		d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, r)
		require.ErrorIs(t, err, pullpolicy.ErrImagePull)
		require.ErrorIs(t, err, registry.ErrUnauthorized)
		assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
		assert.Equal(t, pullpolicy.Fail, d.Action)
	})
	t.Run("registry stopped: ErrRegistryUnavailable", func(t *testing.T) {
		reg.Stop()
		d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, resolver)
		require.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
		assert.NotErrorIs(t, err, pullpolicy.ErrImagePull)
		assert.Equal(t, pullpolicy.Fail, d.Action)
		var pe *pullpolicy.Error
		require.ErrorAs(t, err, &pe)
		assert.Contains(t, pe.Message, "image pull failed for "+img.Original()+" because the registry is unavailable: ")
		assert.Contains(t, pe.Message, "connection refused")
	})
}
