package dialect_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// These tests run the dialects against the loopback OCI registry through registry.Resolver,
// the resolver a user would plug in. They live in the external test package, so the dialect
// package itself never links registry code.

// loopback is a registry with app:v1 pushed, a resolver for it, and a store holding app:v1
// as a runtime that pulled it at t0 would.
type loopback struct {
	reg      *registrytest.Registry
	resolver *registry.Resolver
	store    *cache.Store
	img      reference.Image
	pushed   digest.Digest
}

func newLoopback(t *testing.T, opts registrytest.Options) *loopback {
	t.Helper()
	reg := registrytest.New(t, opts)
	pushed, err := reg.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	img := reference.MustParse(reg.Ref("app", "v1"))
	store := cache.NewStore()
	require.NoError(t, store.Add(pullpolicy.LocalImage{
		ID:          "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		RepoTags:    []string{img.String()},
		RepoDigests: []string{img.WithDigest(pushed).String()},
		Pulled:      t0,
	}))
	resolver, err := registry.NewResolver(&registry.Options{
		PlainHTTP:      []string{reg.Host(), reg.OtherHost()},
		RetryBackoff:   time.Millisecond,
		MaxRetryWait:   20 * time.Millisecond,
		AttemptTimeout: 2 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(resolver.CloseIdleConnections)
	return &loopback{reg: reg, resolver: resolver, store: store, img: img, pushed: pushed}
}

// requests returns every request the registry host received, for failure messages.
func (l *loopback) requests() map[registrytest.Key]int { return l.reg.Counts() }

func TestNewerOnRegistry(t *testing.T) {
	l := newLoopback(t, registrytest.Options{})
	newer := dialect.MustParse(dialect.Podman, "newer")

	t.Run("unchanged tag: the local image after exactly one HEAD and no GET", func(t *testing.T) {
		l.reg.ResetCounts()
		d, err := dialect.Decide(t.Context(), newer, l.img, l.store, l.resolver, nil)
		require.NoError(t, err)
		assert.Equal(t, pullpolicy.UseLocal, d.Action)
		assert.Equal(t, l.pushed, d.Digest)
		assert.NoError(t, d.Tolerated)
		assert.Equal(t, 1, l.reg.Count(http.MethodHead, "/v2/app/manifests/v1"), "%v", l.requests())
		assert.Zero(t, l.reg.Count(http.MethodGet, ""), "%v", l.requests())
		assert.Equal(t, 1, l.reg.Count("", "/"), "nothing else: %v", l.requests())
	})
	t.Run("moved tag: pull by the new digest", func(t *testing.T) {
		moved, err := l.reg.PushRandom(t.Context(), "app:v1")
		require.NoError(t, err)
		l.reg.ResetCounts()
		d, err := dialect.Decide(t.Context(), newer, l.img, l.store, l.resolver, nil)
		require.NoError(t, err)
		assert.Equal(t, pullpolicy.Pull, d.Action)
		assert.Equal(t, l.img.WithDigest(moved), d.PullRef)
		assert.Zero(t, l.reg.Count(http.MethodGet, ""), "%v", l.requests())
	})
	t.Run("registry down: the local image", func(t *testing.T) {
		l.reg.Stop()
		d, err := dialect.Decide(t.Context(), newer, l.img, l.store, l.resolver, nil)
		require.NoError(t, err)
		assert.Equal(t, pullpolicy.UseLocal, d.Action)
		assert.Equal(t, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", d.Local.ID)
		require.ErrorIs(t, d.Tolerated, pullpolicy.ErrRegistryUnavailable)
		assert.Contains(t, d.Tolerated.Error(), "connection refused")

		_, err = pullpolicy.Decide(t.Context(), pullpolicy.Always, l.img, l.store, l.resolver)
		assert.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "Kubernetes' Always fails where newer goes on")
	})
}

func TestComposeRefreshOnRegistry(t *testing.T) {
	for _, moved := range []bool{false, true} {
		name := map[bool]string{false: "unchanged tag", true: "moved tag"}[moved]
		t.Run(name, func(t *testing.T) {
			l := newLoopback(t, registrytest.Options{})
			var now atomic.Pointer[time.Time]
			clock := func() time.Time { return *now.Load() }
			set := func(d time.Duration) { at := t0.Add(d); now.Store(&at) }
			opts := &dialect.Options{Now: clock}
			every := dialect.MustParse(dialect.Compose, "every_1h")
			want := l.pushed
			if moved {
				var err error
				want, err = l.reg.PushRandom(t.Context(), "app:v1")
				require.NoError(t, err)
			}
			l.reg.ResetCounts()

			set(59 * time.Minute)
			d, err := dialect.Decide(t.Context(), every, l.img, l.store, l.resolver, opts)
			require.NoError(t, err)
			assert.Equal(t, pullpolicy.UseLocal, d.Action, "within the hour: kept")
			assert.Equal(t, t0.Add(time.Hour), d.RefreshAt)
			assert.Zero(t, l.reg.Count("", "/"), "within the hour the registry is not asked: %v", l.requests())

			set(61 * time.Minute)
			d, err = dialect.Decide(t.Context(), every, l.img, l.store, l.resolver, opts)
			require.NoError(t, err)
			assert.Equal(t, want, d.Digest)
			assert.Equal(t, 1, l.reg.Count(http.MethodHead, "/v2/app/manifests/v1"), "%v", l.requests())
			assert.Zero(t, l.reg.Count(http.MethodGet, ""), "%v", l.requests())
			if moved {
				assert.Equal(t, pullpolicy.Pull, d.Action, "after 61 minutes: re-pulled")
				assert.Equal(t, l.img.WithDigest(want), d.PullRef)
			} else {
				assert.Equal(t, pullpolicy.UseLocal, d.Action, "after 61 minutes: refreshed, nothing to transfer")
			}

			// The caller pulls and records the time: the window starts again.
			require.NoError(t, l.store.Add(pullpolicy.LocalImage{
				ID: "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", RepoTags: []string{l.img.String()},
				RepoDigests: []string{l.img.WithDigest(want).String()}, Pulled: t0.Add(61 * time.Minute),
			}))
			l.reg.ResetCounts()
			set(90 * time.Minute)
			d, err = dialect.Decide(t.Context(), every, l.img, l.store, l.resolver, opts)
			require.NoError(t, err)
			assert.Equal(t, pullpolicy.UseLocal, d.Action)
			assert.Zero(t, l.reg.Count("", "/"), "%v", l.requests())
		})
	}
}

// TestGitLabListOnRegistry checks the classified fall-through against the real registry's
// answers: a 401 or a 404 ends the list, an unreachable registry moves on to if-not-present.
func TestGitLabListOnRegistry(t *testing.T) {
	list := dialect.MustParse(dialect.GitLab, `["always", "if-not-present"]`)

	t.Run("401: fails, no fallback", func(t *testing.T) {
		l := newLoopback(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "u", Password: "p"}})
		d, err := dialect.Decide(t.Context(), list, l.img, l.store, l.resolver, nil)
		requireKind(t, err, pullpolicy.ErrImagePull)
		assert.ErrorIs(t, err, registry.ErrUnauthorized)
		assert.Equal(t, pullpolicy.Fail, d.Action)
		assert.Zero(t, d.Step)

		d, err = dialect.Decide(t.Context(), list, l.img, l.store, l.resolver, &dialect.Options{GitLabAnyError: true})
		require.NoError(t, err, "GitLab Runner's own rule falls through even here")
		assert.Equal(t, pullpolicy.UseLocal, d.Action)
		assert.Equal(t, 1, d.Step)
	})
	t.Run("404: fails, no fallback", func(t *testing.T) {
		l := newLoopback(t, registrytest.Options{})
		require.NoError(t, l.reg.DeleteTag(t.Context(), "app:v1"))
		d, err := dialect.Decide(t.Context(), list, l.img, l.store, l.resolver, nil)
		requireKind(t, err, pullpolicy.ErrImagePull)
		assert.Equal(t, pullpolicy.Fail, d.Action)
	})
	t.Run("unreachable: the local image", func(t *testing.T) {
		l := newLoopback(t, registrytest.Options{})
		l.reg.Stop()
		d, err := dialect.Decide(t.Context(), list, l.img, l.store, l.resolver, nil)
		require.NoError(t, err)
		assert.Equal(t, pullpolicy.UseLocal, d.Action)
		assert.Equal(t, 1, d.Step)
		assert.ErrorIs(t, d.Tolerated, pullpolicy.ErrRegistryUnavailable)
	})
}
