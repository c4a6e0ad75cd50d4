package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Upstream answers used by the tests: a not-found answer, a 401-like refusal, and an
// unreachable registry.
var (
	errNotFound     = errors.New("manifest unknown: 404")
	errUnauthorized = errors.New("unauthorized: 401")
	errUnavailable  = fmt.Errorf("%w: dial tcp 127.0.0.1:5000: connection refused", pullpolicy.ErrRegistryUnavailable)
)

func isNotFound(err error) bool { return errors.Is(err, errNotFound) }

var (
	d1 = digest.FromString("one")
	d2 = digest.FromString("two")
	d9 = digest.FromString("nine")
)

// identityKey carries the caller's identity in a context, as credentials would.
type identityKey struct{}

// step is one Resolve call in a scripted sequence.
type step struct {
	advance   time.Duration  // the clock moves by this much before the call
	who       string         // the identity of the view that resolves ("" for the root)
	ref       string         // the image; "" means "nginx"
	upDigest  digest.Digest  // what the upstream answers, when asked
	upErr     error          // the upstream's error, when asked
	wantCall  bool           // whether the upstream must be asked
	want      digest.Digest  // the digest Resolve returns; with wantStale, the stale digest
	wantErr   error          // an error Resolve's error must match (errors.Is); nil: no error
	wantStale *time.Duration // when set, the error is a *pullpolicy.StaleError of this Age
}

func age(d time.Duration) *time.Duration { return &d }

// runSteps resolves each step in order through one Resolver with a manual clock.
func runSteps(t *testing.T, opts cache.ResolverOptions, steps []step) *cache.Resolver {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	opts.Now = func() time.Time { return now }
	var cur step
	var calls int
	up := pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
		calls++
		assert.Equal(t, cur.who, ctx.Value(identityKey{}), "the upstream sees the caller's context values")
		return cur.upDigest, cur.upErr
	})
	root, err := cache.NewResolver(up, &opts)
	require.NoError(t, err)
	for i, s := range steps {
		cur = s
		now = now.Add(s.advance)
		ref := s.ref
		if ref == "" {
			ref = "nginx"
		}
		before := calls
		ctx := context.WithValue(t.Context(), identityKey{}, s.who)
		got, err := root.Scoped(s.who).Resolve(ctx, reference.MustParse(ref))
		assert.Equal(t, s.wantCall, calls > before, "step %d: upstream asked", i)
		switch {
		case s.wantStale != nil:
			var stale *pullpolicy.StaleError
			require.ErrorAs(t, err, &stale, "step %d", i)
			assert.Equal(t, s.want, stale.Digest, "step %d: stale digest", i)
			assert.Equal(t, *s.wantStale, stale.Age, "step %d: stale age", i)
			assert.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "step %d", i)
			assert.Empty(t, got, "step %d", i)
		case s.wantErr != nil:
			assert.ErrorIs(t, err, s.wantErr, "step %d", i)
			var stale *pullpolicy.StaleError
			assert.False(t, errors.As(err, &stale), "step %d: unexpected stale answer %v", i, err)
			assert.Empty(t, got, "step %d", i)
		default:
			assert.NoError(t, err, "step %d", i)
			assert.Equal(t, s.want, got, "step %d", i)
		}
	}
	return root
}

func TestResolverCaching(t *testing.T) {
	pinned := "nginx@" + string(d1)
	tests := []struct {
		name  string
		opts  cache.ResolverOptions
		steps []step
	}{{
		name: "digest served for TTL, asked again at TTL",
		opts: cache.ResolverOptions{TTL: 10 * time.Second},
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: 9 * time.Second, upDigest: d2, want: d1},
			{advance: time.Second, upDigest: d2, wantCall: true, want: d2},
			{upDigest: d1, want: d2},
		},
	}, {
		name: "default TTL is DefaultTTL",
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: cache.DefaultTTL - 1, upDigest: d2, want: d1},
			{advance: 1, upDigest: d2, wantCall: true, want: d2},
		},
	}, {
		name: "familiar and normalised names share an entry",
		steps: []step{
			{ref: "nginx", upDigest: d1, wantCall: true, want: d1},
			{ref: "docker.io/library/nginx:latest", upDigest: d2, want: d1},
			{ref: "nginx:1.25", upDigest: d2, wantCall: true, want: d2},
		},
	}, {
		name: "digest reference asks upstream once, then is cached like a tag",
		opts: cache.ResolverOptions{TTL: 10 * time.Second},
		steps: []step{
			{ref: pinned, upDigest: d1, wantCall: true, want: d1},
			{ref: pinned, advance: 5 * time.Second, upDigest: d1, want: d1},
			{ref: pinned, advance: 5 * time.Second, upErr: errUnauthorized, wantCall: true, wantErr: errUnauthorized},
		},
	}, {
		name: "not found cached for NegativeTTL",
		opts: cache.ResolverOptions{NegativeTTL: 5 * time.Second, IsNotFound: isNotFound},
		steps: []step{
			{upErr: errNotFound, wantCall: true, wantErr: errNotFound},
			{advance: 4 * time.Second, upDigest: d1, wantErr: errNotFound},
			{advance: time.Second, upDigest: d1, wantCall: true, want: d1},
			{upErr: errNotFound, want: d1},
		},
	}, {
		name: "not found is not cached without IsNotFound",
		steps: []step{
			{upErr: errNotFound, wantCall: true, wantErr: errNotFound},
			{upErr: errNotFound, wantCall: true, wantErr: errNotFound},
			{upDigest: d1, wantCall: true, want: d1},
		},
	}, {
		name: "401 is never cached, even with negative caching on",
		opts: cache.ResolverOptions{NegativeTTL: time.Minute, IsNotFound: isNotFound},
		steps: []step{
			{upErr: errUnauthorized, wantCall: true, wantErr: errUnauthorized},
			{upErr: errUnauthorized, wantCall: true, wantErr: errUnauthorized},
			{upDigest: d1, wantCall: true, want: d1},
		},
	}, {
		name: "unavailable is never cached",
		opts: cache.ResolverOptions{NegativeTTL: time.Minute, IsNotFound: func(error) bool { return true }},
		steps: []step{
			{upErr: errUnavailable, wantCall: true, wantErr: pullpolicy.ErrRegistryUnavailable},
			{upDigest: d1, wantCall: true, want: d1},
		},
	}, {
		name: "stale within MaxStale, bound inclusive, then the upstream error",
		opts: cache.ResolverOptions{TTL: 10 * time.Second, MaxStale: time.Minute},
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: 30 * time.Second, upErr: errUnavailable, wantCall: true, want: d1, wantStale: age(30 * time.Second)},
			{advance: 30 * time.Second, upErr: errUnavailable, wantCall: true, want: d1, wantStale: age(time.Minute)},
			{advance: time.Nanosecond, upErr: errUnavailable, wantCall: true, wantErr: errUnavailable},
			{upErr: errUnavailable, wantCall: true, wantErr: errUnavailable},
		},
	}, {
		name: "stale is off by default",
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: cache.DefaultTTL, upErr: errUnavailable, wantCall: true, wantErr: errUnavailable},
		},
	}, {
		name: "registry back after a stale answer gives the new digest",
		opts: cache.ResolverOptions{TTL: 10 * time.Second, MaxStale: time.Hour},
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: 20 * time.Second, upErr: errUnavailable, wantCall: true, want: d1, wantStale: age(20 * time.Second)},
			{advance: time.Second, upDigest: d2, wantCall: true, want: d2},
			{advance: time.Second, upDigest: d1, want: d2},
			{advance: 10 * time.Second, upErr: errUnavailable, wantCall: true, want: d2, wantStale: age(11 * time.Second)},
		},
	}, {
		name: "401 is returned, not stale, and the old digest is forgotten",
		opts: cache.ResolverOptions{TTL: 10 * time.Second, MaxStale: time.Hour},
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: 20 * time.Second, upErr: errUnauthorized, wantCall: true, wantErr: errUnauthorized},
			{upErr: errUnavailable, wantCall: true, wantErr: errUnavailable},
		},
	}, {
		name: "uncached 404 is returned, not stale, and the old digest is forgotten",
		opts: cache.ResolverOptions{TTL: 10 * time.Second, MaxStale: time.Hour},
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: 20 * time.Second, upErr: errNotFound, wantCall: true, wantErr: errNotFound},
			{upErr: errUnavailable, wantCall: true, wantErr: errUnavailable},
		},
	}, {
		name: "cached not-found replaces the digest and is never served stale",
		opts: cache.ResolverOptions{TTL: 10 * time.Second, MaxStale: time.Hour, NegativeTTL: 5 * time.Second, IsNotFound: isNotFound},
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: 20 * time.Second, upErr: errNotFound, wantCall: true, wantErr: errNotFound},
			{advance: 5 * time.Second, upErr: errUnavailable, wantCall: true, wantErr: errUnavailable},
		},
	}, {
		name: "context error keeps the digest for a later stale answer",
		opts: cache.ResolverOptions{TTL: 10 * time.Second, MaxStale: time.Hour},
		steps: []step{
			{upDigest: d1, wantCall: true, want: d1},
			{advance: 20 * time.Second, upErr: context.DeadlineExceeded, wantCall: true, wantErr: context.DeadlineExceeded},
			{advance: time.Second, upErr: errUnavailable, wantCall: true, want: d1, wantStale: age(21 * time.Second)},
		},
	}, {
		name: "invalid digest from upstream is returned but not cached",
		steps: []step{
			{upDigest: "sha256:bad", wantCall: true, want: "sha256:bad"},
			{upDigest: d1, wantCall: true, want: d1},
		},
	}, {
		name: "stale answer of a nested cache is passed on",
		opts: cache.ResolverOptions{MaxStale: time.Hour},
		steps: []step{
			{upErr: &pullpolicy.StaleError{Digest: d9, Age: 5 * time.Minute, Err: errUnavailable}, wantCall: true, want: d9, wantStale: age(5 * time.Minute)},
		},
	}, {
		name: "least recently used entry is evicted beyond MaxEntries",
		opts: cache.ResolverOptions{MaxEntries: 2},
		steps: []step{
			{ref: "a", upDigest: d1, wantCall: true, want: d1},
			{ref: "b", upDigest: d2, wantCall: true, want: d2},
			{ref: "a", upDigest: d9, want: d1},
			{ref: "c", upDigest: d9, wantCall: true, want: d9}, // evicts b
			{ref: "a", upDigest: d9, want: d1},
			{ref: "c", upDigest: d1, want: d9},
			{ref: "b", upDigest: d9, wantCall: true, want: d9}, // evicts a
			{ref: "a", upDigest: d2, wantCall: true, want: d2},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runSteps(t, tc.opts, tc.steps)
		})
	}
}

func TestResolverScoped(t *testing.T) {
	tests := []struct {
		name  string
		opts  cache.ResolverOptions
		steps []step
	}{{
		name: "A's digest is never served to B",
		steps: []step{
			{who: "A", upDigest: d1, wantCall: true, want: d1},
			{who: "B", upDigest: d2, wantCall: true, want: d2},
			{who: "A", upDigest: d9, want: d1},
			{who: "B", upDigest: d9, want: d2},
			{who: "", upDigest: d9, wantCall: true, want: d9},
		},
	}, {
		name: "A's digest is not served to B who is refused",
		steps: []step{
			{who: "A", upDigest: d1, wantCall: true, want: d1},
			{who: "B", upErr: errUnauthorized, wantCall: true, wantErr: errUnauthorized},
			{who: "B", upErr: errUnauthorized, wantCall: true, wantErr: errUnauthorized},
			{who: "A", upErr: errUnauthorized, want: d1},
		},
	}, {
		name: "A's not-found is not served to B",
		opts: cache.ResolverOptions{NegativeTTL: time.Minute, IsNotFound: isNotFound},
		steps: []step{
			{who: "A", upErr: errNotFound, wantCall: true, wantErr: errNotFound},
			{who: "B", upDigest: d1, wantCall: true, want: d1},
			{who: "A", upDigest: d1, wantErr: errNotFound},
		},
	}, {
		name: "A's stale digest is not served to B, and B's 401 leaves A's entry",
		opts: cache.ResolverOptions{TTL: 10 * time.Second, MaxStale: time.Hour},
		steps: []step{
			{who: "A", upDigest: d1, wantCall: true, want: d1},
			{who: "B", upErr: errUnauthorized, wantCall: true, wantErr: errUnauthorized},
			{advance: 20 * time.Second, who: "B", upErr: errUnavailable, wantCall: true, wantErr: errUnavailable},
			{who: "A", upErr: errUnavailable, wantCall: true, want: d1, wantStale: age(20 * time.Second)},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runSteps(t, tc.opts, tc.steps)
		})
	}
}

func TestResolverScopedConcurrent(t *testing.T) {
	// Pairs whose identity and reference, simply joined, would give the same string.
	calls := []struct{ who, ref string }{
		{who: "x", ref: "docker.io/library/y:latest"},
		{who: "", ref: "xdocker.io/library/y:latest"},
		{who: "A\x00docker.io/library/y:latest", ref: "z"},
		{who: "A", ref: "docker.io/library/y:latest"},
		{who: "B", ref: "docker.io/library/y:latest"},
	}
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var upstream atomic.Int64
		r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
			upstream.Add(1)
			<-release
			return digest.FromString(ctx.Value(identityKey{}).(string) + " " + img.String()), nil
		}), nil)
		require.NoError(t, err)
		got := make([]digest.Digest, len(calls))
		var wg sync.WaitGroup
		for i, c := range calls {
			wg.Go(func() {
				ctx := context.WithValue(t.Context(), identityKey{}, c.who)
				d, err := r.Scoped(c.who).Resolve(ctx, reference.MustParse(c.ref))
				assert.NoError(t, err)
				got[i] = d
			})
		}
		synctest.Wait() // all calls in flight at once
		close(release)
		wg.Wait()
		assert.Equal(t, int64(len(calls)), upstream.Load(), "no two identities share a call")
		for i, c := range calls {
			assert.Equal(t, digest.FromString(c.who+" "+reference.MustParse(c.ref).String()), got[i], "%q %q", c.who, c.ref)
		}
	})
}

func TestResolverScopedView(t *testing.T) {
	r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return d1, nil
	}), nil)
	require.NoError(t, err)
	a := r.Scoped("A")
	assert.Equal(t, "", r.Identity())
	assert.Equal(t, "A", a.Identity())
	assert.Equal(t, "B", a.Scoped("B").Identity(), "Scoped replaces the identity")

	_, err = a.Resolve(t.Context(), reference.MustParse("nginx"))
	require.NoError(t, err)
	_, err = r.Resolve(t.Context(), reference.MustParse("nginx"))
	require.NoError(t, err)
	_, err = r.Scoped("A").Resolve(t.Context(), reference.MustParse("nginx"))
	require.NoError(t, err)
	assert.Equal(t, 2, r.Len(), "views share one cache")
	assert.Equal(t, cache.ResolverStats{Hits: 1, Misses: 2, Upstream: 2}, a.Stats(), "views share stats")
}

func TestNewResolverOptions(t *testing.T) {
	up := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) { return d1, nil })
	tests := []struct {
		name    string
		next    pullpolicy.Resolver
		opts    *cache.ResolverOptions
		wantErr string // a substring of the error; "" for no error
	}{
		{name: "nil options", next: up},
		{name: "zero options", next: up, opts: &cache.ResolverOptions{}},
		{name: "MaxStale equal to TTL", next: up, opts: &cache.ResolverOptions{TTL: time.Minute, MaxStale: time.Minute}},
		{name: "negative caching", next: up, opts: &cache.ResolverOptions{NegativeTTL: time.Second, IsNotFound: isNotFound}},
		{name: "nil next", opts: &cache.ResolverOptions{}, wantErr: "needs an upstream Resolver"},
		{name: "negative TTL", next: up, opts: &cache.ResolverOptions{TTL: -1}, wantErr: "TTL is negative"},
		{name: "negative NegativeTTL", next: up, opts: &cache.ResolverOptions{NegativeTTL: -time.Second, IsNotFound: isNotFound}, wantErr: "NegativeTTL is negative"},
		{name: "negative MaxStale", next: up, opts: &cache.ResolverOptions{MaxStale: -time.Second}, wantErr: "MaxStale is negative"},
		{name: "negative CallTimeout", next: up, opts: &cache.ResolverOptions{CallTimeout: -time.Second}, wantErr: "CallTimeout is negative"},
		{name: "negative MaxEntries", next: up, opts: &cache.ResolverOptions{MaxEntries: -1}, wantErr: "MaxEntries is negative"},
		{name: "NegativeTTL without IsNotFound", next: up, opts: &cache.ResolverOptions{NegativeTTL: time.Second}, wantErr: "IsNotFound is nil"},
		{name: "IsNotFound without NegativeTTL", next: up, opts: &cache.ResolverOptions{IsNotFound: isNotFound}, wantErr: "NegativeTTL is 0"},
		{name: "MaxStale shorter than TTL", next: up, opts: &cache.ResolverOptions{TTL: time.Hour, MaxStale: time.Minute}, wantErr: "MaxStale 1m0s is shorter than TTL 1h0m0s"},
		{name: "MaxStale shorter than the default TTL", next: up, opts: &cache.ResolverOptions{MaxStale: time.Second}, wantErr: "shorter than TTL 1m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := cache.NewResolver(tc.next, tc.opts)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				assert.Nil(t, r)
				return
			}
			require.NoError(t, err)
			got, err := r.Resolve(t.Context(), reference.MustParse("nginx"))
			require.NoError(t, err)
			assert.Equal(t, d1, got)
		})
	}
}

func TestResolverBadInput(t *testing.T) {
	var calls atomic.Int64
	r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		calls.Add(1)
		return d1, nil
	}), nil)
	require.NoError(t, err)
	img := reference.MustParse("nginx")
	_, err = r.Resolve(t.Context(), img) // cached from now on
	require.NoError(t, err)

	_, err = r.Resolve(t.Context(), reference.Image{})
	require.ErrorContains(t, err, "invalid image reference")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got, err := r.Resolve(ctx, img)
	require.ErrorIs(t, err, context.Canceled, "a done context wins over a cached answer")
	assert.Empty(t, got)
	assert.Equal(t, int64(1), calls.Load())

	for _, zero := range []*cache.Resolver{nil, {}, (*cache.Resolver)(nil).Scoped("A")} {
		_, err = zero.Resolve(t.Context(), img)
		require.ErrorContains(t, err, "not made by NewResolver")
		assert.Zero(t, zero.Stats())
		assert.Zero(t, zero.Len())
	}
}

// images returns n distinct references and the digest a test upstream gives each.
func images(n int) ([]reference.Image, map[string]digest.Digest) {
	imgs := make([]reference.Image, n)
	want := make(map[string]digest.Digest, n)
	for i := range imgs {
		imgs[i] = reference.MustParse(fmt.Sprintf("registry.example/app%d:v1", i))
		want[imgs[i].String()] = digest.FromString(imgs[i].String())
	}
	return imgs, want
}

// countingUpstream counts its calls per reference; each call waits for release (when not
// nil) and answers with the reference's digest.
type countingUpstream struct {
	release chan struct{}
	mu      sync.Mutex     // protects calls
	calls   map[string]int // by reference
}

func (u *countingUpstream) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	u.mu.Lock()
	u.calls[img.String()]++
	u.mu.Unlock()
	if u.release != nil {
		select {
		case <-u.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return digest.FromString(img.String()), nil
}

func (u *countingUpstream) total() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := 0
	for _, c := range u.calls {
		n += c
	}
	return n
}

func TestResolverConcurrentCallsShareUpstream(t *testing.T) {
	const callers, refs = 1000, 10
	tests := []struct {
		name  string
		block bool // upstream calls wait until every caller has started (synctest)
	}{
		{name: "upstream blocks until all callers started", block: true},
		{name: "real scheduling, upstream answers at once", block: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := func(t *testing.T) {
				imgs, want := images(refs)
				up := &countingUpstream{calls: map[string]int{}}
				if tc.block {
					up.release = make(chan struct{})
				}
				r, err := cache.NewResolver(up, nil)
				require.NoError(t, err)
				got := make([]digest.Digest, callers)
				errs := make([]error, callers)
				var wg sync.WaitGroup
				for i := range callers {
					wg.Go(func() { got[i], errs[i] = r.Resolve(t.Context(), imgs[i%refs]) })
				}
				if tc.block {
					synctest.Wait() // every caller is in the upstream or waits for a shared call
					assert.Equal(t, refs, up.total(), "one call in flight per reference")
					close(up.release)
				}
				wg.Wait()
				for i := range callers {
					require.NoError(t, errs[i])
					assert.Equal(t, want[imgs[i%refs].String()], got[i])
				}
				assert.Equal(t, refs, up.total())
				for _, n := range up.calls {
					assert.Equal(t, 1, n)
				}
				st := r.Stats()
				assert.Equal(t, uint64(refs), st.Upstream)
				assert.Equal(t, uint64(callers), st.Hits+st.Misses)
			}
			if tc.block {
				synctest.Test(t, run)
			} else {
				run(t)
			}
		})
	}
}

func TestDecideThroughResolverSharesUpstream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const callers, refs = 1000, 10
		imgs, want := images(refs)
		up := &countingUpstream{calls: map[string]int{}, release: make(chan struct{})}
		r, err := cache.NewResolver(up, nil)
		require.NoError(t, err)
		decisions := make([]pullpolicy.Decision, callers)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				decisions[i], errs[i] = pullpolicy.Decide(t.Context(), pullpolicy.Always, imgs[i%refs], cache.NewStore(), r)
			})
		}
		synctest.Wait()
		close(up.release)
		wg.Wait()
		assert.Equal(t, refs, up.total())
		for i, d := range decisions {
			require.NoError(t, errs[i])
			img := imgs[i%refs]
			assert.Equal(t, pullpolicy.Pull, d.Action)
			assert.Equal(t, want[img.String()], d.Digest)
			assert.Equal(t, img.WithDigest(want[img.String()]), d.PullRef)
			assert.Nil(t, d.Stale)
		}
	})
}

func TestResolverFirstCallerCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var upstreamCtxErr error
		var calls atomic.Int64
		r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
			calls.Add(1)
			<-release
			upstreamCtxErr = ctx.Err()
			return d1, nil
		}), nil)
		require.NoError(t, err)
		img := reference.MustParse("nginx")

		firstCtx, cancelFirst := context.WithCancel(t.Context())
		var firstErr, secondErr error
		var second digest.Digest
		firstDone, secondDone := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(firstDone)
			_, firstErr = r.Resolve(firstCtx, img)
		}()
		synctest.Wait() // the first caller started the shared call
		go func() {
			defer close(secondDone)
			second, secondErr = r.Resolve(t.Context(), img)
		}()
		synctest.Wait() // the second caller waits for it

		cancelFirst()
		synctest.Wait()
		select {
		case <-firstDone:
		default:
			t.Fatal("the cancelled caller did not return while the upstream call went on")
		}
		require.ErrorIs(t, firstErr, context.Canceled)
		select {
		case <-secondDone:
			t.Fatal("the second caller returned before the shared call ended")
		default:
		}

		close(release)
		<-secondDone
		require.NoError(t, secondErr)
		assert.Equal(t, d1, second)
		assert.NoError(t, upstreamCtxErr, "the shared call does not run under the first caller's cancellation")

		got, err := r.Resolve(t.Context(), img)
		require.NoError(t, err)
		assert.Equal(t, d1, got, "the shared answer was cached")
		assert.Equal(t, int64(1), calls.Load())
	})
}

func TestResolverAllCallersGoneAnswerStillCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
			calls.Add(1)
			time.Sleep(10 * time.Second) // a slow registry (synctest's clock)
			return d1, nil
		}), nil)
		require.NoError(t, err)
		img := reference.MustParse("nginx")

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		_, err = r.Resolve(ctx, img)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start), "the caller returns at its own deadline")

		time.Sleep(20 * time.Second) // the shared call ends on its own at 10s
		got, err := r.Resolve(t.Context(), img)
		require.NoError(t, err)
		assert.Equal(t, d1, got)
		assert.Equal(t, int64(1), calls.Load())
		assert.Equal(t, cache.ResolverStats{Hits: 1, Misses: 1, Upstream: 1}, r.Stats(), "answered from the cache")
	})
}

func TestResolverCallTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
			calls.Add(1)
			<-ctx.Done() // a registry that never answers
			return "", ctx.Err()
		}), &cache.ResolverOptions{CallTimeout: 5 * time.Second})
		require.NoError(t, err)
		img := reference.MustParse("nginx")

		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() { _, errs[i] = r.Resolve(t.Context(), img) })
		}
		wg.Wait()
		assert.Equal(t, 5*time.Second, time.Since(start))
		for _, err := range errs {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorContains(t, err, "cache: upstream resolve of docker.io/library/nginx:latest did not finish within 5s")
		}
		assert.Equal(t, int64(1), calls.Load())
	})
}

func TestResolverDefaultClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var answer atomic.Pointer[step]
		answer.Store(&step{upDigest: d1})
		r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
			a := answer.Load()
			return a.upDigest, a.upErr
		}), &cache.ResolverOptions{TTL: time.Minute, MaxStale: 10 * time.Minute})
		require.NoError(t, err)
		img := reference.MustParse("nginx")
		resolve := func() (digest.Digest, error) { return r.Resolve(t.Context(), img) }

		got, err := resolve()
		require.NoError(t, err)
		assert.Equal(t, d1, got)

		answer.Store(&step{upDigest: d2})
		time.Sleep(time.Minute - time.Nanosecond) // synctest's clock: no real waiting
		got, err = resolve()
		require.NoError(t, err)
		assert.Equal(t, d1, got, "fresh until TTL")

		answer.Store(&step{upErr: errUnavailable})
		time.Sleep(5 * time.Minute)
		_, err = resolve()
		var stale *pullpolicy.StaleError
		require.ErrorAs(t, err, &stale)
		assert.Equal(t, d1, stale.Digest)
		assert.Equal(t, 6*time.Minute-time.Nanosecond, stale.Age)

		time.Sleep(5 * time.Minute)
		_, err = resolve()
		require.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
		assert.False(t, errors.As(err, &stale), "beyond MaxStale: the upstream error")
		assert.Equal(t, uint64(1), r.Stats().Stale)
	})
}

func TestDecideMarksStaleAnswer(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var upErr error
	r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return d1, upErr
	}), &cache.ResolverOptions{TTL: time.Minute, MaxStale: time.Hour, Now: func() time.Time { return now }})
	require.NoError(t, err)
	img := reference.MustParse("nginx")
	store := cache.NewStore()
	require.NoError(t, store.Add(pullpolicy.LocalImage{ID: "sha256:cfg", RepoDigests: []string{img.WithDigest(d1).String()}}))

	d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, r)
	require.NoError(t, err)
	assert.Equal(t, pullpolicy.UseLocal, d.Action)
	assert.Nil(t, d.Stale)

	upErr, now = errUnavailable, now.Add(30*time.Minute)
	d, err = pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, r)
	require.NoError(t, err)
	assert.Equal(t, pullpolicy.UseLocal, d.Action)
	require.NotNil(t, d.Stale)
	assert.Equal(t, 30*time.Minute, d.Stale.Age)
	assert.Equal(t, d1, d.Digest)

	now = now.Add(31 * time.Minute)
	d, err = pullpolicy.Decide(t.Context(), pullpolicy.Always, img, store, r)
	require.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
	assert.Equal(t, pullpolicy.Fail, d.Action)
}

func BenchmarkResolverHit(b *testing.B) {
	r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return d1, nil
	}), nil)
	require.NoError(b, err)
	img := reference.MustParse("nginx:1.25")
	ctx := b.Context()
	_, err = r.Resolve(ctx, img)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resolve(ctx, img); err != nil {
			b.Fatal(err)
		}
	}
	if st := r.Stats(); st.Upstream != 1 {
		b.Fatalf("upstream called %d times", st.Upstream)
	}
}

func BenchmarkResolverHitParallel(b *testing.B) {
	r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return d1, nil
	}), nil)
	require.NoError(b, err)
	imgs, _ := images(10)
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := r.Resolve(ctx, imgs[i%len(imgs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkDecideAlwaysCached(b *testing.B) {
	r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return d1, nil
	}), nil)
	require.NoError(b, err)
	img := reference.MustParse("nginx:1.25")
	store := cache.NewStore()
	require.NoError(b, store.Add(pullpolicy.LocalImage{ID: "sha256:cfg", RepoDigests: []string{img.WithDigest(d1).String()}}))
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if d, err := pullpolicy.Decide(ctx, pullpolicy.Always, img, store, r); err != nil || d.Action != pullpolicy.UseLocal {
			b.Fatal(d.Action, err)
		}
	}
}

// BenchmarkResolverMiss measures a Resolve that asks the upstream: the clock moves past the
// TTL on every read, so each call is a shared upstream call of one caller.
func BenchmarkResolverMiss(b *testing.B) {
	var ticks atomic.Int64
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r, err := cache.NewResolver(pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return d1, nil
	}), &cache.ResolverOptions{Now: func() time.Time { return t0.Add(time.Duration(ticks.Add(1)) * time.Hour) }})
	require.NoError(b, err)
	img := reference.MustParse("nginx:1.25")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resolve(ctx, img); err != nil {
			b.Fatal(err)
		}
	}
	if st := r.Stats(); st.Hits != 0 {
		b.Fatalf("%d hits", st.Hits)
	}
}
