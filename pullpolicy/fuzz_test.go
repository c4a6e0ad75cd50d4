package pullpolicy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/pullpolicytest"
	"github.com/imagepull/imagepull/reference"
)

// FuzzDecide checks Decide's invariants for any image string, policy, store content and
// registry answer: Never and IfNotPresent never call the resolver; UseLocal only with a local
// image; Pull under Always only by the registry's digest; a failure always carries exactly one
// sentinel and a filled-in Decision.
func FuzzDecide(f *testing.F) {
	f.Add("nginx", "IfNotPresent", true, "", false, uint8(0))
	f.Add("nginx:1.25", "Never", false, "", false, uint8(0))
	f.Add("nginx", "Always", true, emptyDigest, false, uint8(0))
	f.Add("nginx:latest@"+emptyDigest, "", true, emptyDigest, false, uint8(1))
	f.Add("redis@"+emptyDigest, "Always", false, "sha256:bad", true, uint8(2))
	f.Add("", "always", false, "", false, uint8(3))
	f.Fuzz(func(t *testing.T, image, policy string, present bool, registry string, storeFails bool, resolverErr uint8) {
		img, perr := reference.Parse(image)
		if perr != nil {
			img = reference.Image{} // the zero Image is a legal, invalid input
		}
		store := cache.NewStore()
		if present && img.IsValid() {
			local := pullpolicy.LocalImage{ID: "sha256:local"}
			if img.Digest() != "" {
				local.RepoDigests = []string{img.Repository() + "@" + string(img.Digest())}
			} else {
				local.RepoTags = []string{img.Repository() + ":" + img.Tag()}
			}
			if rd := digest.Digest(registry); rd.Validate() == nil && img.Digest() == "" {
				local.RepoDigests = []string{img.Repository() + "@" + registry}
			}
			require.NoError(t, store.Add(local))
		}
		var st pullpolicy.Store = store
		if storeFails {
			st = pullpolicy.StoreFunc(func(context.Context, reference.Image) (pullpolicy.LocalImage, bool, error) {
				return pullpolicy.LocalImage{}, false, errors.New("store down")
			})
		}
		calls := 0
		resolver := pullpolicy.ResolverFunc(func(_ context.Context, got reference.Image) (digest.Digest, error) {
			calls++
			assert.Equal(t, img, got)
			switch resolverErr % 4 {
			case 1:
				return "", pullpolicy.ErrRegistryUnavailable
			case 2:
				return "", errors.New("denied")
			}
			return digest.Digest(registry), nil
		})

		d, err := pullpolicy.Decide(t.Context(), pullpolicy.Policy(policy), img, st, resolver)
		assert.Equal(t, img, d.Image)
		if d.Policy == pullpolicy.Never || d.Policy == pullpolicy.IfNotPresent || !d.Policy.IsValid() {
			assert.Zero(t, calls, "policy %q must not call the resolver", d.Policy)
		}
		switch d.Action {
		case pullpolicy.UseLocal:
			require.NoError(t, err)
			assert.NotEmpty(t, d.Local.ID, "UseLocal only with a local image")
		case pullpolicy.Pull:
			require.NoError(t, err)
			require.True(t, d.PullRef.IsValid())
			if d.Policy == pullpolicy.Always {
				assert.Equal(t, 1, calls)
				assert.Equal(t, d.Digest, d.PullRef.Digest(), "Always pulls by the registry's digest")
				assert.Empty(t, d.PullRef.Tag())
			} else {
				assert.Equal(t, img, d.PullRef)
			}
		case pullpolicy.Fail:
			require.Error(t, err)
			assert.Len(t, pullpolicytest.Kinds(err), 1, "exactly one sentinel in %v", err)
			assert.NotEmpty(t, d.Message)
			assert.Empty(t, d.Local.ID)
		default:
			t.Fatalf("unknown action %v", d.Action)
		}
	})
}
