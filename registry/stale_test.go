package registry_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// manualClock is the caching resolver's clock, moved by the test.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *manualClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// TestStaleIfErrorAgainstRegistry: with the registry stopped, Always through cache.NewResolver
// keeps using the last good digest within MaxStale and fails with ErrRegistryUnavailable after
// it; an unauthorized answer is never served stale.
func TestStaleIfErrorAgainstRegistry(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	pushed := push(t, reg, "app:v1")
	img := ref(reg, "app", "v1")
	store := cache.NewStore()
	require.NoError(t, store.Add(pullpolicy.LocalImage{
		ID: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", RepoDigests: []string{img.WithDigest(pushed).String()},
	}))
	clock := &manualClock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	cached, err := cache.NewResolver(newResolver(t, fastOptions(reg)), &cache.ResolverOptions{
		TTL: time.Minute, MaxStale: time.Hour, Now: clock.Now,
	})
	require.NoError(t, err)

	d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, cached)
	require.NoError(t, err)
	require.Equal(t, pullpolicy.UseLocal, d.Action)
	require.Nil(t, d.Stale)
	require.Equal(t, 1, reg.Count(http.MethodHead, "/v2/app/manifests/v1"))

	reg.Stop()
	clock.Advance(30 * time.Minute) // past the TTL, within MaxStale
	d, err = pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, cached)
	require.NoError(t, err, "within the bound the last good digest is used")
	assert.Equal(t, pullpolicy.UseLocal, d.Action)
	assert.Equal(t, pushed, d.Digest)
	require.NotNil(t, d.Stale)
	assert.Equal(t, 30*time.Minute, d.Stale.Age)
	assert.ErrorIs(t, d.Stale, pullpolicy.ErrRegistryUnavailable)

	clock.Advance(31 * time.Minute) // 61 minutes after the registry's answer
	d, err = pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, cached)
	require.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "beyond the bound the outage shows")
	assert.Equal(t, pullpolicy.Fail, d.Action)
	assert.Nil(t, d.Stale)

	// Back up, now demanding credentials: a refusal is never answered from the cache.
	require.NoError(t, reg.Restart())
	_, err = pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, cached)
	require.NoError(t, err, "a fresh answer")
	reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword})
	clock.Advance(2 * time.Minute) // past the TTL: the registry is asked and refuses
	d, err = pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, cached)
	require.ErrorIs(t, err, pullpolicy.ErrImagePull)
	assert.ErrorIs(t, err, registry.ErrUnauthorized)
	assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
	assert.Nil(t, d.Stale, "401 is never served stale")
	reg.Stop()
	clock.Advance(time.Second)
	_, err = pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, cached)
	assert.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "the refused digest is forgotten, not kept for a later outage")
}
