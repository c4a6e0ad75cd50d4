package cri_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/require"
)

// testRegistry is an OCI registry (go-containerregistry's pkg/registry) served on 127.0.0.1,
// optionally behind HTTP Basic auth, counting the requests it gets.
type testRegistry struct {
	srv  *httptest.Server
	host string // "127.0.0.1:port"
	user string // required user name, "" when open
	pass string

	mu     sync.Mutex     // protects counts
	counts map[string]int // "GET manifests", "HEAD blobs", …
}

// blockedUser is refused with 403 Forbidden rather than 401, so that its error differs from a
// wrong password's.
const blockedUser = "blocked"

func newRegistry(t *testing.T, user, pass string) *testRegistry {
	t.Helper()
	r := &testRegistry{user: user, pass: pass, counts: map[string]int{}}
	next := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.count(req)
		if r.user != "" {
			u, p, ok := req.BasicAuth()
			switch {
			case ok && u == blockedUser:
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			case !ok || u != r.user || p != r.pass:
				w.Header().Set("WWW-Authenticate", `Basic realm="imagepull-test"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, req)
	}))
	t.Cleanup(r.srv.Close)
	r.host = strings.TrimPrefix(r.srv.URL, "http://")
	return r
}

func (r *testRegistry) count(req *http.Request) {
	kind := "other"
	for _, k := range []string{"manifests", "blobs", "tags"} {
		if strings.Contains(req.URL.Path, "/"+k+"/") {
			kind = k
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[req.Method+" "+kind]++
}

// requests returns the number of requests with the given method to the given kind of path.
func (r *testRegistry) requests(method, kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[method+" "+kind]
}

func (r *testRegistry) resetCounts() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.counts)
}

func (r *testRegistry) remoteOptions(ctx context.Context) []remote.Option {
	opts := []remote.Option{remote.WithContext(ctx)}
	if r.user != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: r.user, Password: r.pass}))
	}
	return opts
}

// ref returns "127.0.0.1:port/<repoTag>".
func (r *testRegistry) ref(repoTag string) string { return r.host + "/" + repoTag }

// pushImage pushes a random single-platform image as repoTag and returns it.
func (r *testRegistry) pushImage(ctx context.Context, t *testing.T, repoTag string) v1.Image {
	t.Helper()
	img, err := random.Image(512, 1)
	require.NoError(t, err)
	tag, err := name.NewTag(r.ref(repoTag))
	require.NoError(t, err)
	require.NoError(t, remote.Write(tag, img, r.remoteOptions(ctx)...))
	return img
}

// pushIndex pushes a random multi-platform image (one image per platform) as repoTag and
// returns the index.
func (r *testRegistry) pushIndex(ctx context.Context, t *testing.T, repoTag string, platforms ...v1.Platform) v1.ImageIndex {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, p := range platforms {
		img, err := random.Image(512, 1)
		require.NoError(t, err)
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	idx := mutate.AppendManifests(empty.Index, adds...)
	tag, err := name.NewTag(r.ref(repoTag))
	require.NoError(t, err)
	require.NoError(t, remote.WriteIndex(tag, idx, r.remoteOptions(ctx)...))
	return idx
}
