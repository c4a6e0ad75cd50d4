package registrytest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// manifestPath is the manifest of app:v1 that the fault tests push.
const manifestPath = "/v2/app/manifests/v1"

// newWithImage starts a registry holding a random app:v1 and returns it with its digest.
func newWithImage(t *testing.T) (*registrytest.Registry, digest.Digest) {
	t.Helper()
	r := registrytest.New(t, registrytest.Options{})
	d, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	return r, d
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault      registrytest.Fault
		method     string // the request's method
		wantStatus int
		wantCode   string // OCI error code; "" for HEAD, which has no body
		retryAfter string // want Retry-After header
	}{
		{registrytest.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond}, "GET", 429, "TOOMANYREQUESTS", "2"},
		{registrytest.Fault{Status: 429}, "GET", 429, "TOOMANYREQUESTS", ""},
		{registrytest.Fault{Status: 500}, "GET", 500, "UNAVAILABLE", ""},
		{registrytest.Fault{Status: 502}, "GET", 502, "UNAVAILABLE", ""},
		{registrytest.Fault{Status: 503, RetryAfter: time.Second}, "HEAD", 503, "", "1"},
		{registrytest.Fault{Status: 401}, "GET", 401, "UNAUTHORIZED", ""},
		{registrytest.Fault{Status: 403}, "GET", 403, "DENIED", ""},
		{registrytest.Fault{Status: 404}, "GET", 404, "MANIFEST_UNKNOWN", ""},
		{registrytest.Fault{Method: "HEAD", Status: 405}, "HEAD", 405, "", ""},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.wantStatus)+" "+tc.method, func(t *testing.T) {
			t.Parallel()
			r, _ := newWithImage(t)
			c := client(t)
			_, err := r.Inject(tc.fault)
			require.NoError(t, err)
			resp := mustDo(t, c, tc.method, r.URL()+manifestPath, nil)
			assert.Equal(t, tc.wantStatus, resp.status)
			assert.Equal(t, tc.retryAfter, resp.header.Get("Retry-After"))
			if tc.wantCode != "" {
				assert.Equal(t, tc.wantCode, ociErrorCode(t, resp.body))
			}
			assert.Equal(t, 1, r.Count(tc.method, manifestPath))
		})
	}
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	r, _ := newWithImage(t)
	_, err := r.PushRandom(t.Context(), "other:v1")
	require.NoError(t, err)
	c := client(t)
	status := func(method, path string) int {
		return mustDo(t, c, method, r.URL()+path, nil).status
	}

	// Times: the next two matching requests fail, then the fault is gone.
	_, err = r.Inject(registrytest.Fault{PathPrefix: "/v2/app/", Status: 503, Times: 2})
	require.NoError(t, err)
	assert.Equal(t, 200, status("GET", "/v2/other/manifests/v1"), "other paths do not match")
	assert.Equal(t, 503, status("GET", manifestPath))
	assert.Equal(t, 503, status("HEAD", manifestPath))
	assert.Equal(t, 200, status("GET", manifestPath))

	// Method: only HEAD is refused, so clients must fall back to GET.
	removeHead, err := r.Inject(registrytest.Fault{Method: "HEAD", Status: 405})
	require.NoError(t, err)
	assert.Equal(t, 405, status("HEAD", manifestPath))
	assert.Equal(t, 405, status("HEAD", manifestPath), "Times 0 applies until removed")
	assert.Equal(t, 200, status("GET", manifestPath))

	// The first matching fault wins; removing it uncovers the next.
	_, err = r.Inject(registrytest.Fault{Method: "HEAD", Status: 500})
	require.NoError(t, err)
	assert.Equal(t, 405, status("HEAD", manifestPath))
	removeHead()
	removeHead() // twice is harmless
	assert.Equal(t, 500, status("HEAD", manifestPath))

	// Faults never apply on the other host.
	assert.Equal(t, 200, mustDo(t, c, "HEAD", r.OtherURL()+manifestPath, nil).status)

	r.ClearFaults()
	assert.Equal(t, 200, status("HEAD", manifestPath))
}

func TestFaultAfterAuth(t *testing.T) {
	t.Parallel()
	r, _ := newWithImage(t)
	c := client(t)
	r.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "u", Password: "p"})
	_, err := r.Inject(registrytest.Fault{Status: 503, Times: 1})
	require.NoError(t, err)
	assert.Equal(t, 401, mustDo(t, c, "GET", r.URL()+manifestPath, nil).status)
	assert.Equal(t, 503, mustDo(t, c, "GET", r.URL()+manifestPath, basic("u", "p")).status, "the 401 used up no fault")
	assert.Equal(t, 200, mustDo(t, c, "GET", r.URL()+manifestPath, basic("u", "p")).status)
}

func TestFaultDigestHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  registrytest.Fault
		method string
		check  func(t *testing.T, got string, want digest.Digest)
	}{
		{"HEAD without digest", registrytest.Fault{Method: "HEAD", NoDigest: true}, "HEAD",
			func(t *testing.T, got string, _ digest.Digest) { assert.Empty(t, got) }},
		{"GET without digest", registrytest.Fault{NoDigest: true}, "GET",
			func(t *testing.T, got string, _ digest.Digest) { assert.Empty(t, got) }},
		{"wrong digest", registrytest.Fault{PathPrefix: "/v2/app/manifests/", WrongDigest: true}, "GET",
			func(t *testing.T, got string, want digest.Digest) {
				assert.NoError(t, digest.Digest(got).Validate(), "well-formed")
				assert.NotEqual(t, want.String(), got)
			}},
		{"HEAD with a malformed digest", registrytest.Fault{Method: "HEAD", BadDigest: true}, "HEAD",
			func(t *testing.T, got string, _ digest.Digest) {
				assert.Equal(t, registrytest.MalformedDigest, got)
				_, err := digest.Parse(got)
				assert.Error(t, err, "not a digest")
			}},
		{"GET with a malformed digest", registrytest.Fault{BadDigest: true}, "GET",
			func(t *testing.T, got string, _ digest.Digest) { assert.Equal(t, registrytest.MalformedDigest, got) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, d := newWithImage(t)
			c := client(t)
			_, err := r.Inject(tc.fault)
			require.NoError(t, err)
			resp := mustDo(t, c, tc.method, r.URL()+manifestPath, nil)
			require.Equal(t, http.StatusOK, resp.status)
			tc.check(t, resp.header.Get("Docker-Content-Digest"), d)
			if tc.method == "GET" {
				assert.Equal(t, d, digest.FromString(resp.body), "the body is untouched")
			}
			r.ClearFaults()
			assert.Equal(t, d.String(), mustDo(t, c, tc.method, r.URL()+manifestPath, nil).header.Get("Docker-Content-Digest"))
		})
	}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	r, _ := newWithImage(t)
	c := client(t)
	_, err := r.Inject(registrytest.Fault{Drop: true, Times: 1})
	require.NoError(t, err)
	_, err = do(t.Context(), c, http.MethodGet, r.URL()+manifestPath, nil)
	require.Error(t, err)
	assert.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF),
		"want a reset connection, got %v", err)
	assert.Equal(t, 1, r.Count("GET", manifestPath))
	assert.Equal(t, 200, mustDo(t, c, http.MethodGet, r.URL()+manifestPath, nil).status)
}

func TestFaultRedirect(t *testing.T) {
	t.Parallel()
	r, d := newWithImage(t)
	_, err := r.Inject(registrytest.Fault{PathPrefix: "/v2/app/", Redirect: true})
	require.NoError(t, err)

	noFollow := client(t)
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp := mustDo(t, noFollow, http.MethodGet, r.URL()+manifestPath+"?x=1", nil)
	assert.Equal(t, http.StatusTemporaryRedirect, resp.status)
	assert.Equal(t, r.OtherURL()+manifestPath+"?x=1", resp.header.Get("Location"))

	follow := mustDo(t, client(t), http.MethodGet, r.URL()+manifestPath, nil)
	require.Equal(t, http.StatusOK, follow.status)
	assert.Equal(t, d, digest.FromString(follow.body), "the other host serves the same content")
	assert.Equal(t, 1, countRequests(r, r.OtherHost(), manifestPath))

	// The other host records the Authorization header it receives.
	mustDo(t, noFollow, http.MethodGet, r.OtherURL()+"/v2/", bearer("leaked"))
	reqs := r.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, registrytest.Request{Host: r.OtherHost(), Method: "GET", Path: "/v2/", Authorization: "Bearer leaked"}, last)
}

func TestFaultDelayAndSlowBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault registrytest.Fault
	}{
		{"delay", registrytest.Fault{Delay: 5 * time.Millisecond}},
		{"slow body", registrytest.Fault{SlowBody: time.Millisecond}},
		{"delay and wrong digest", registrytest.Fault{Delay: time.Millisecond, SlowBody: time.Millisecond, WrongDigest: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name+" completes", func(t *testing.T) {
			t.Parallel()
			r, d := newWithImage(t)
			_, err := r.Inject(tc.fault)
			require.NoError(t, err)
			resp := mustDo(t, client(t), http.MethodGet, r.URL()+manifestPath, nil)
			require.Equal(t, http.StatusOK, resp.status)
			assert.Equal(t, d, digest.FromString(resp.body))
		})
	}
	for _, f := range []registrytest.Fault{{Delay: time.Hour}, {SlowBody: time.Hour}} {
		t.Run("client gives up", func(t *testing.T) {
			t.Parallel()
			r, _ := newWithImage(t)
			_, err := r.Inject(f)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			_, err = do(ctx, client(t), http.MethodGet, r.URL()+manifestPath, nil)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			r.Close() // returns only once the delayed handler has returned
		})
	}
	t.Run("stop cuts a delay short", func(t *testing.T) {
		t.Parallel()
		r, _ := newWithImage(t)
		_, err := r.Inject(registrytest.Fault{Delay: time.Hour})
		require.NoError(t, err)
		errc := make(chan error, 1)
		go func() {
			_, err := do(t.Context(), client(t), http.MethodGet, r.URL()+manifestPath, nil)
			errc <- err
		}()
		require.Eventually(t, func() bool { return r.Count("GET", manifestPath) == 1 }, 5*time.Second, time.Millisecond)
		r.Stop()
		assert.Error(t, <-errc, "the client sees the connection close")
	})
}

func TestInjectRejectsInvalidFaults(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	for _, f := range []registrytest.Fault{
		{Times: -1}, {Delay: -time.Second}, {SlowBody: -1}, {RetryAfter: -1}, {Status: 99}, {Status: 200}, {Status: 307}, {Status: 600},
		{NoDigest: true, BadDigest: true}, {WrongDigest: true, BadDigest: true}, {NoDigest: true, WrongDigest: true},
	} {
		remove, err := r.Inject(f)
		assert.Error(t, err, "%+v", f)
		assert.Nil(t, remove)
	}
}

func TestFaultOnTokenEndpoint(t *testing.T) {
	t.Parallel()
	r, _ := newWithImage(t)
	r.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBearer, Username: "u", Password: "p"})
	c := client(t)
	tokenURL := r.URL() + "/token?scope=repository%3Aapp%3Apull"

	_, err := r.Inject(registrytest.Fault{PathPrefix: "/token", Status: 503, Times: 1})
	require.NoError(t, err)
	resp := mustDo(t, c, http.MethodGet, tokenURL, basic("u", "p"))
	assert.Equal(t, http.StatusServiceUnavailable, resp.status)

	_, err = r.Inject(registrytest.Fault{PathPrefix: "/token", Drop: true, Times: 1})
	require.NoError(t, err)
	_, err = do(t.Context(), c, http.MethodGet, tokenURL, basic("u", "p"))
	assert.Error(t, err, "dropped")

	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodGet, tokenURL, basic("u", "p")).status)
	assert.Equal(t, 3, r.Count("GET", "/token"))

	_, err = r.Inject(registrytest.Fault{PathPrefix: "/token", Status: 503})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodGet, r.OtherURL()+"/token?scope=repository%3Aapp%3Apull", basic("u", "p")).status,
		"the other host's token endpoint never misbehaves")
}

// TestFaultEcho: a fault with Echo repeats the Authorization header and the query in its error
// message, as a careless registry does; Echo needs a Status.
func TestFaultEcho(t *testing.T) {
	t.Parallel()
	r, _ := newWithImage(t)
	_, err := r.Inject(registrytest.Fault{PathPrefix: "/v2/app/manifests/", Status: 403, Echo: true})
	require.NoError(t, err)
	resp := mustDo(t, client(t), "GET", r.URL()+manifestPath+"?x=1", http.Header{"Authorization": {"Basic c2VjcmV0"}})
	assert.Equal(t, 403, resp.status)
	assert.Contains(t, resp.body, "you sent Authorization: Basic c2VjcmV0, query x=1, body ")

	_, err = r.Inject(registrytest.Fault{Echo: true})
	require.ErrorContains(t, err, "Echo without Status")
}
