package registry_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResolveFaults runs one resolve per fault kind against the loopback registry and checks
// the classification, that the call returns before the caller's deadline, and that no
// goroutine is left behind. It is not parallel: it counts goroutines.
func TestResolveFaults(t *testing.T) {
	const manifests = "/v2/app/manifests/"
	head := func(f registrytest.Fault) []registrytest.Fault {
		f.Method, f.PathPrefix = http.MethodHead, manifests
		return []registrytest.Fault{f}
	}
	headRefusedThen := func(get registrytest.Fault) []registrytest.Fault {
		get.Method, get.PathPrefix = http.MethodGet, manifests
		return []registrytest.Fault{{Method: http.MethodHead, PathPrefix: manifests, Status: http.StatusMethodNotAllowed}, get}
	}
	tests := []struct {
		name   string
		faults []registrytest.Fault
		// setup changes the registry or the options before the resolve.
		setup    func(reg *registrytest.Registry, opts *registry.Options)
		deadline time.Duration // the caller's; 0 means 10s
		// wantKind is the error kind expected; nil means success with the pushed digest, unless
		// wantFail is set: a failure of no kind (a malformed answer).
		wantKind   error
		wantFail   bool
		wantStatus int // the *registry.Error's StatusCode, when wantKind is set
		// also are further errors the result must match (context.DeadlineExceeded, …).
		also []error
		// heads and gets are the expected manifest requests on the registry host; -1: any.
		heads, gets int
	}{
		{
			name:  "refused",
			setup: func(reg *registrytest.Registry, _ *registry.Options) { reg.Stop() },
			also:  []error{syscall.ECONNREFUSED}, wantKind: pullpolicy.ErrRegistryUnavailable, heads: 0, gets: 0,
		},
		{
			name: "reset", faults: head(registrytest.Fault{Drop: true}),
			wantKind: pullpolicy.ErrRegistryUnavailable, heads: -1, gets: 0,
		},
		{
			name: "attempt timeout", faults: head(registrytest.Fault{Delay: time.Hour}),
			setup: func(_ *registrytest.Registry, o *registry.Options) {
				o.AttemptTimeout, o.MaxRetries = 100*time.Millisecond, 1
			},
			wantKind: pullpolicy.ErrRegistryUnavailable, heads: 2, gets: 0,
		},
		{
			name: "caller deadline", faults: head(registrytest.Fault{Delay: time.Hour}), deadline: 300 * time.Millisecond,
			wantKind: pullpolicy.ErrRegistryUnavailable, also: []error{context.DeadlineExceeded}, heads: 1, gets: 0,
		},
		{
			name: "resolver timeout", faults: head(registrytest.Fault{Delay: time.Hour}),
			setup:    func(_ *registrytest.Registry, o *registry.Options) { o.Timeout = 300 * time.Millisecond },
			wantKind: pullpolicy.ErrRegistryUnavailable, also: []error{context.DeadlineExceeded}, heads: 1, gets: 0,
		},
		{
			name:     "429 asking for a longer wait than allowed",
			faults:   head(registrytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 5 * time.Second}),
			wantKind: pullpolicy.ErrRegistryUnavailable, wantStatus: http.StatusTooManyRequests, heads: 1, gets: 0,
		},
		{
			name:     "429 asking for a wait past the deadline",
			faults:   head(registrytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 5 * time.Second}),
			setup:    func(_ *registrytest.Registry, o *registry.Options) { o.MaxRetryWait = time.Minute },
			deadline: 2 * time.Second,
			wantKind: pullpolicy.ErrRegistryUnavailable, wantStatus: http.StatusTooManyRequests, heads: 1, gets: 0,
		},
		{
			name: "429 then success", faults: head(registrytest.Fault{Status: http.StatusTooManyRequests, Times: 2}),
			heads: 3, gets: 0,
		},
		{
			name: "500", faults: head(registrytest.Fault{Status: http.StatusInternalServerError}),
			wantKind: pullpolicy.ErrRegistryUnavailable, wantStatus: http.StatusInternalServerError, heads: 4, gets: 0,
		},
		{
			name: "502", faults: head(registrytest.Fault{Status: http.StatusBadGateway}),
			wantKind: pullpolicy.ErrRegistryUnavailable, wantStatus: http.StatusBadGateway, heads: 4, gets: 0,
		},
		{
			name: "503", faults: head(registrytest.Fault{Status: http.StatusServiceUnavailable}),
			wantKind: pullpolicy.ErrRegistryUnavailable, wantStatus: http.StatusServiceUnavailable, heads: 4, gets: 0,
		},
		{
			name: "503 then success", faults: head(registrytest.Fault{Status: http.StatusServiceUnavailable, Times: 3}),
			heads: 4, gets: 0,
		},
		{
			name: "404", faults: head(registrytest.Fault{Status: http.StatusNotFound}),
			wantKind: registry.ErrNotFound, wantStatus: http.StatusNotFound, heads: 1, gets: 0,
		},
		{
			name: "401 wrong credentials",
			setup: func(reg *registrytest.Registry, o *registry.Options) {
				reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword})
				o.Credentials = mustKeyring(t, reg.Host(), testUser, "wrong")
			},
			wantKind: registry.ErrUnauthorized, wantStatus: http.StatusUnauthorized, heads: 2, gets: 0,
		},
		{
			name: "403", faults: head(registrytest.Fault{Status: http.StatusForbidden}),
			wantKind: registry.ErrUnauthorized, wantStatus: http.StatusForbidden, heads: 1, gets: 0,
		},
		{
			name: "HEAD without digest header falls back to GET", faults: head(registrytest.Fault{NoDigest: true}),
			heads: 1, gets: 1,
		},
		{
			name: "HEAD with a malformed digest header falls back to GET, whose body is verified", faults: head(registrytest.Fault{BadDigest: true}),
			heads: 1, gets: 1,
		},
		{
			name:   "malformed digest header on HEAD and GET: the body is hashed",
			faults: []registrytest.Fault{{PathPrefix: manifests, BadDigest: true}},
			heads:  1, gets: 1,
		},
		{
			name: "malformed digest header on HEAD, wrong one on GET: mismatch",
			faults: []registrytest.Fault{
				{Method: http.MethodHead, PathPrefix: manifests, BadDigest: true},
				{Method: http.MethodGet, PathPrefix: manifests, WrongDigest: true},
			},
			wantKind: registry.ErrDigestMismatch, heads: 1, gets: 1,
		},
		{
			name: "HEAD refused falls back to GET", faults: headRefusedThen(registrytest.Fault{}),
			heads: 1, gets: 1,
		},
		{
			name: "GET without digest header is hashed", faults: headRefusedThen(registrytest.Fault{NoDigest: true}),
			heads: 1, gets: 1,
		},
		{
			name: "wrong digest header on GET", faults: headRefusedThen(registrytest.Fault{WrongDigest: true}),
			wantKind: registry.ErrDigestMismatch, heads: 1, gets: 1,
		},
		{
			name: "slow body", faults: headRefusedThen(registrytest.Fault{SlowBody: time.Second}), deadline: 300 * time.Millisecond,
			wantKind: pullpolicy.ErrRegistryUnavailable, also: []error{context.DeadlineExceeded}, heads: 1, gets: 1,
		},
		{
			name:   "redirect to another host",
			faults: head(registrytest.Fault{Redirect: true}),
			setup: func(reg *registrytest.Registry, o *registry.Options) {
				reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword})
				o.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
			},
			heads: -1, gets: 0,
		},
		{
			name:   "token service 503",
			faults: []registrytest.Fault{{PathPrefix: "/token", Status: http.StatusServiceUnavailable}},
			setup: func(reg *registrytest.Registry, o *registry.Options) {
				reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword})
				o.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
			},
			wantKind: pullpolicy.ErrRegistryUnavailable, wantStatus: http.StatusServiceUnavailable, heads: 1, gets: 0,
		},
		{
			name:   "token service drops the connection",
			faults: []registrytest.Fault{{PathPrefix: "/token", Drop: true}},
			setup: func(reg *registrytest.Registry, o *registry.Options) {
				reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword})
				o.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
			},
			wantKind: pullpolicy.ErrRegistryUnavailable, heads: 1, gets: 0,
		},
		{
			name:   "token service answers 200 with truncated JSON: malformed, not unavailable",
			faults: []registrytest.Fault{{PathPrefix: "/token", Body: `{"token":"ab`}},
			setup: func(reg *registrytest.Registry, o *registry.Options) {
				reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword})
				o.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
			},
			wantFail: true, heads: 1, gets: 0,
		},
		{
			name: "401 with an empty Bearer realm", faults: head(registrytest.Fault{Status: http.StatusUnauthorized, Challenge: `Bearer realm="",service="x"`}),
			wantKind: registry.ErrUnauthorized, wantStatus: http.StatusUnauthorized, heads: 1, gets: 0,
		},
		{
			name: "401 with a file:// Bearer realm", faults: head(registrytest.Fault{Status: http.StatusUnauthorized, Challenge: `Bearer realm="file:///etc/passwd",service="x"`}),
			wantKind: registry.ErrUnauthorized, wantStatus: http.StatusUnauthorized, heads: 1, gets: 0,
		},
		{
			name: "401 with an unparsable Bearer realm", faults: head(registrytest.Fault{Status: http.StatusUnauthorized, Challenge: `Bearer realm="http://[::1",service="x"`}),
			wantKind: registry.ErrUnauthorized, wantStatus: http.StatusUnauthorized, heads: 1, gets: 0,
		},
		{
			name: "401 with a 9 MB realm: headers capped, error text bounded",
			faults: head(registrytest.Fault{Status: http.StatusUnauthorized,
				Challenge: `Bearer realm="http://127.0.0.1/` + strings.Repeat("r", 9<<20) + `",service="x"`}),
			wantFail: true, heads: 1, gets: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := registrytest.New(t, registrytest.Options{})
			want := push(t, reg, "app:v1")
			opts := fastOptions(reg)
			if tc.setup != nil {
				tc.setup(reg, opts)
			}
			for _, f := range tc.faults {
				_, err := reg.Inject(f)
				require.NoError(t, err)
			}
			r := newResolver(t, opts)
			baseline := runtime.NumGoroutine()
			deadline := tc.deadline
			if deadline == 0 {
				deadline = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(t.Context(), deadline)
			defer cancel()

			start := time.Now()
			got, err := r.Resolve(ctx, ref(reg, "app", "v1"))
			elapsed := time.Since(start)

			assert.Less(t, len(fmt.Sprint(err)), 8<<10, "the error text is bounded")
			if tc.wantFail {
				require.Error(t, err)
				for _, kind := range []error{pullpolicy.ErrRegistryUnavailable, registry.ErrNotFound, registry.ErrUnauthorized, registry.ErrDigestMismatch} {
					assert.NotErrorIs(t, err, kind)
				}
				assert.Contains(t, err.Error(), reg.Ref("app", "v1"))
			} else if tc.wantKind == nil {
				require.NoError(t, err)
				assert.Equal(t, want, got)
			} else {
				require.ErrorIs(t, err, tc.wantKind)
				for _, other := range []error{pullpolicy.ErrRegistryUnavailable, registry.ErrNotFound, registry.ErrUnauthorized, registry.ErrDigestMismatch} {
					if other != tc.wantKind {
						assert.NotErrorIs(t, err, other)
					}
				}
				var re *registry.Error
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tc.wantStatus, re.StatusCode)
				assert.Equal(t, reg.Host(), re.Registry)
				assert.Contains(t, err.Error(), reg.Ref("app", "v1"))
			}
			for _, e := range tc.also {
				assert.ErrorIs(t, err, e)
			}
			if tc.deadline == 0 {
				assert.Less(t, elapsed, deadline, "returned before the deadline")
			} else {
				assert.Less(t, elapsed, deadline+2*time.Second, "returned soon after the deadline")
			}
			if tc.heads >= 0 {
				assert.Equal(t, tc.heads, reg.Count(http.MethodHead, manifests), "HEADs")
			}
			assert.Equal(t, tc.gets, reg.Count(http.MethodGet, manifests), "GETs")
			noLeak(t, r, baseline)
		})
	}
}

// A redirect to another host keeps the credentials at home.
func TestResolveRedirectDoesNotLeakCredentials(t *testing.T) {
	for _, scheme := range []registrytest.AuthScheme{registrytest.AuthBasic, registrytest.AuthBearer} {
		t.Run(map[registrytest.AuthScheme]string{1: "basic", 2: "bearer"}[scheme], func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: scheme, Username: testUser, Password: testPassword}})
			want := push(t, reg, "app:v1")
			_, err := reg.Inject(registrytest.Fault{Method: http.MethodHead, PathPrefix: "/v2/app/manifests/", Redirect: true})
			require.NoError(t, err)
			opts := fastOptions(reg)
			opts.Credentials = mustKeyring(t, reg.Host(), testUser, testPassword)
			got, err := newResolver(t, opts).Resolve(t.Context(), ref(reg, "app", "v1"))
			require.NoError(t, err)
			assert.Equal(t, want, got)

			var redirected int
			for _, req := range reg.Requests() {
				if req.Host == reg.OtherHost() {
					redirected++
					assert.Empty(t, req.Authorization, "credentials sent to another host: %+v", req)
				}
			}
			assert.Equal(t, 1, redirected)
		})
	}
}

// The wait a Retry-After header asks for is honoured exactly (on synctest's fake clock).
func TestResolveHonoursRetryAfter(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	want := push(t, reg, "app:v1")
	_, err := reg.Inject(registrytest.Fault{
		Method: http.MethodHead, PathPrefix: "/v2/app/manifests/", Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second, Times: 1,
	})
	require.NoError(t, err)
	img := ref(reg, "app", "v1")

	synctest.Test(t, func(t *testing.T) {
		// Without keep-alives no connection goroutine idles in the bubble, so the fake clock
		// can advance while the resolver waits.
		transport := &http.Transport{DisableKeepAlives: true}
		r, err := registry.NewResolver(&registry.Options{Transport: transport, PlainHTTP: []string{reg.Host()}})
		require.NoError(t, err)
		start := time.Now()
		got, err := r.Resolve(t.Context(), img)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, 2*time.Second, time.Since(start))
	})
	assert.Equal(t, 2, reg.Count(http.MethodHead, "/v2/app/manifests/v1"))
}

// Without Retry-After, retries back off exponentially from RetryBackoff (±10%).
func TestResolveBackoff(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	push(t, reg, "app:v1")
	_, err := reg.Inject(registrytest.Fault{Method: http.MethodHead, PathPrefix: "/v2/app/manifests/", Status: http.StatusServiceUnavailable})
	require.NoError(t, err)
	img := ref(reg, "app", "v1")

	synctest.Test(t, func(t *testing.T) {
		transport := &http.Transport{DisableKeepAlives: true}
		r, err := registry.NewResolver(&registry.Options{
			Transport: transport, PlainHTTP: []string{reg.Host()}, MaxRetries: 3, RetryBackoff: time.Second, MaxRetryWait: time.Minute,
		})
		require.NoError(t, err)
		start := time.Now()
		_, err = r.Resolve(t.Context(), img)
		require.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
		// 1s + 2s + 4s, each ±10%.
		assert.InDelta(t, 7*time.Second, time.Since(start), float64(700*time.Millisecond))
		assert.GreaterOrEqual(t, time.Since(start), 6300*time.Millisecond)
	})
	assert.Equal(t, 4, reg.Count(http.MethodHead, "/v2/app/manifests/v1"))
}

func TestResolveCancelled(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	push(t, reg, "app:v1")
	_, err := reg.Inject(registrytest.Fault{Method: http.MethodHead, Delay: time.Hour})
	require.NoError(t, err)
	r := newResolver(t, fastOptions(reg))
	baseline := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(t.Context())
	stop := time.AfterFunc(100*time.Millisecond, cancel)
	defer stop.Stop()

	_, err = r.Resolve(ctx, ref(reg, "app", "v1"))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "the caller gave up; the registry is not to blame")
	assert.Equal(t, 1, reg.Count(http.MethodHead, "/v2/app/manifests/v1"), "a cancelled request is not retried")
	noLeak(t, r, baseline)
}

// A digest reference whose HEAD answer names another digest is checked with a GET: the body
// decides.
func TestResolveDigestReferenceVerifiesBody(t *testing.T) {
	tests := []struct {
		name    string
		method  string // the method the WrongDigest fault applies to; "" for both
		wantErr error
	}{
		{name: "HEAD lies, GET body matches", method: http.MethodHead},
		{name: "HEAD and GET lie", method: "", wantErr: registry.ErrDigestMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := registrytest.New(t, registrytest.Options{})
			d := push(t, reg, "app:v1")
			_, err := reg.Inject(registrytest.Fault{Method: tc.method, PathPrefix: "/v2/app/manifests/", WrongDigest: true})
			require.NoError(t, err)
			r := newResolver(t, fastOptions(reg))
			got, err := r.Resolve(t.Context(), ref(reg, "app", "v1").WithDigest(d))
			assert.Equal(t, 1, reg.Count(http.MethodGet, "/v2/app/manifests/"+d.String()))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, d, got)
		})
	}
}

func TestResolveManifestTooLarge(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	push(t, reg, "app:v1")
	_, err := reg.Inject(registrytest.Fault{Method: http.MethodHead, Status: http.StatusMethodNotAllowed})
	require.NoError(t, err)
	opts := fastOptions(reg)
	opts.MaxManifestBytes = 16
	_, err = newResolver(t, opts).Resolve(t.Context(), ref(reg, "app", "v1"))
	require.ErrorContains(t, err, "manifest is larger than 16 bytes")
	for _, kind := range []error{pullpolicy.ErrRegistryUnavailable, registry.ErrNotFound, registry.ErrUnauthorized, registry.ErrDigestMismatch} {
		assert.NotErrorIs(t, err, kind)
	}
}
