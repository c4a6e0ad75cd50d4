package registry_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/require"
)

// fastOptions are options for tests: plain HTTP to both of reg's hosts and short retries.
func fastOptions(reg *registrytest.Registry) *registry.Options {
	return &registry.Options{
		PlainHTTP:      []string{reg.Host(), reg.OtherHost()},
		RetryBackoff:   time.Millisecond,
		MaxRetryWait:   20 * time.Millisecond,
		AttemptTimeout: 2 * time.Second,
	}
}

func newResolver(t testing.TB, opts *registry.Options) *registry.Resolver {
	t.Helper()
	r, err := registry.NewResolver(opts)
	require.NoError(t, err)
	t.Cleanup(r.CloseIdleConnections)
	return r
}

// push pushes a random image as repoTag on reg and returns its digest.
func push(t testing.TB, reg *registrytest.Registry, repoTag string) digest.Digest {
	t.Helper()
	d, err := reg.PushRandom(t.Context(), repoTag)
	require.NoError(t, err)
	return d
}

// ref parses "HOST/repo:tag" on reg.
func ref(reg *registrytest.Registry, repo, tag string) reference.Image {
	return reference.MustParse(reg.Ref(repo, tag))
}

// noLeak checks that, once r drops its idle connections, the number of goroutines returns to
// baseline (taken after the registry and the resolver were set up), polling for a bounded time.
func noLeak(t *testing.T, r *registry.Resolver, baseline int) {
	t.Helper()
	r.CloseIdleConnections()
	// Poll in this goroutine: assert.Eventually would run the check in goroutines of its own.
	for end := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > baseline; {
		if time.Now().After(end) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines left behind: %d > %d\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
