package metrics_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kubelet/metrics"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

const helpResolves = "# HELP imagepull_resolves_total Number of image references resolved to a digest, by resolver and outcome.\n# TYPE imagepull_resolves_total counter\n"

// resolveCount returns how many resolves of resolver the duration histogram observed.
func resolveCount(t *testing.T, rec *metrics.Recorder, resolver string) uint64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(rec))
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != metrics.ResolveDuration {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == resolver {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}

// TestCacheResolverOutcomes drives a caching resolver through each of its outcomes over an
// upstream whose answers are scripted, and checks the counts.
func TestCacheResolverOutcomes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	answers := map[string]error{} // by reference; nil: a digest
	upstream := pullpolicy.ResolverFunc(func(_ context.Context, img reference.Image) (digest.Digest, error) {
		mu.Lock()
		defer mu.Unlock()
		if err := answers[img.String()]; err != nil {
			return "", err
		}
		return digest.FromString(img.String()), nil
	})
	set := func(ref string, err error) {
		mu.Lock()
		answers[reference.MustParse(ref).String()] = err
		mu.Unlock()
	}
	errNotFound := errors.New("manifest unknown")
	rec := metrics.New(nil)
	r, err := cache.NewResolver(upstream, &cache.ResolverOptions{
		TTL: time.Minute, MaxStale: time.Hour, NegativeTTL: time.Minute,
		IsNotFound: func(err error) bool { return errors.Is(err, errNotFound) },
		Now:        func() time.Time { return now },
		Observer:   rec.ResolveObserver("cache"),
	})
	require.NoError(t, err)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	set("b:1", errNotFound)
	set("c:1", pullpolicy.ErrRegistryUnavailable)
	set("d:1", errors.New("unauthorized: 401"))
	steps := []struct {
		ctx   context.Context
		image string
		then  func()
	}{
		{ctx: t.Context(), image: "a:1"}, // miss
		{ctx: t.Context(), image: "a:1"}, // hit
		{ctx: t.Context(), image: "b:1"}, // not_found
		{ctx: t.Context(), image: "b:1", then: func() { // negative_hit
			now = now.Add(2 * time.Minute) // a:1 expires, within MaxStale
			set("a:1", pullpolicy.ErrRegistryUnavailable)
		}},
		{ctx: t.Context(), image: "a:1"}, // stale
		{ctx: t.Context(), image: "c:1"}, // unavailable
		{ctx: t.Context(), image: "d:1"}, // error
		{ctx: cancelled, image: "a:1"},   // canceled
	}
	for _, s := range steps {
		_, _ = r.Resolve(s.ctx, reference.MustParse(s.image))
		if s.then != nil {
			s.then()
		}
	}
	want := helpResolves + `imagepull_resolves_total{outcome="canceled",resolver="cache"} 1
imagepull_resolves_total{outcome="error",resolver="cache"} 1
imagepull_resolves_total{outcome="hit",resolver="cache"} 1
imagepull_resolves_total{outcome="miss",resolver="cache"} 1
imagepull_resolves_total{outcome="negative_hit",resolver="cache"} 1
imagepull_resolves_total{outcome="not_found",resolver="cache"} 1
imagepull_resolves_total{outcome="stale",resolver="cache"} 1
imagepull_resolves_total{outcome="unavailable",resolver="cache"} 1
`
	require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(want), metrics.Resolves))
	assert.Equal(t, uint64(len(steps)), resolveCount(t, rec, "cache"))
}

// TestRegistryResolverOutcomes resolves against the loopback registry: a public image, a
// private one without credentials, an unknown tag, a cancelled call, and the registry down.
func TestRegistryResolverOutcomes(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBasic, Username: "alice", Password: "pw", PathPrefix: "/v2/private/",
	}})
	ctx := t.Context()
	_, err := reg.PushRandom(ctx, "public/app:v1")
	require.NoError(t, err)
	_, err = reg.PushRandom(ctx, "private/app:v1")
	require.NoError(t, err)
	rec := metrics.New(nil)
	r, err := registry.NewResolver(&registry.Options{
		PlainHTTP: []string{"127.0.0.1"}, MaxRetries: -1, Timeout: 5 * time.Second,
		Observer: rec.ResolveObserver("registry"),
	})
	require.NoError(t, err)
	defer r.CloseIdleConnections()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, s := range []struct {
		ctx context.Context
		ref string
	}{
		{ctx, reg.Ref("public/app", "v1")},
		{ctx, reg.Ref("public/app", "v1")},
		{ctx, reg.Ref("private/app", "v1")},
		{ctx, reg.Ref("public/app", "v2")},
		{cancelled, reg.Ref("public/app", "v1")},
	} {
		_, _ = r.Resolve(s.ctx, reference.MustParse(s.ref))
	}
	reg.Stop()
	_, err = r.Resolve(ctx, reference.MustParse(reg.Ref("public/app", "v1")))
	require.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
	want := helpResolves + `imagepull_resolves_total{outcome="canceled",resolver="registry"} 1
imagepull_resolves_total{outcome="not_found",resolver="registry"} 1
imagepull_resolves_total{outcome="resolved",resolver="registry"} 2
imagepull_resolves_total{outcome="unauthorized",resolver="registry"} 1
imagepull_resolves_total{outcome="unavailable",resolver="registry"} 1
`
	require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(want), metrics.Resolves))
	assert.Equal(t, uint64(6), resolveCount(t, rec, "registry"))
}

// TestResolveOutcomesKnown checks that every outcome cache.Resolver and registry.Resolver
// report is one the Recorder counts under its own name, not folded into "error".
func TestResolveOutcomesKnown(t *testing.T) {
	outcomes := []string{
		cache.OutcomeHit, cache.OutcomeNegativeHit, cache.OutcomeMiss, cache.OutcomeStale, cache.OutcomeNotFound,
		cache.OutcomeUnavailable, cache.OutcomeCanceled, cache.OutcomeError,
		registry.OutcomeResolved, registry.OutcomeNotFound, registry.OutcomeUnauthorized, registry.OutcomeDigestMismatch,
		registry.OutcomeUnavailable, registry.OutcomeCanceled, registry.OutcomeError,
	}
	rec := metrics.New(nil)
	obs := rec.ResolveObserver("x")
	want := map[string]int{}
	for _, o := range append(outcomes, "something new") {
		obs.ObserveResolve(t.Context(), o, time.Millisecond)
		want[o]++
	}
	want["error"] += want["something new"]
	delete(want, "something new")
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(rec))
	families, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]int{}
	for _, f := range families {
		if f.GetName() == metrics.Resolves {
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "outcome" {
						got[l.GetValue()] = int(m.GetCounter().GetValue())
					}
				}
			}
		}
	}
	assert.Equal(t, want, got)
}
