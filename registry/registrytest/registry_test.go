package registrytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// manifestAccept is what registry clients send to resolve a tag.
const manifestAccept = ocispec.MediaTypeImageManifest + ", " + ocispec.MediaTypeImageIndex

// response is the part of an HTTP response the tests look at.
type response struct {
	status int
	header http.Header
	body   string
}

// client returns an HTTP client that does not keep connections alive, so each request opens a
// fresh connection and a dropped connection is never retried silently.
func client(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// do sends one request and reads the whole response.
func do(ctx context.Context, c *http.Client, method, url string, header http.Header) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, http.NoBody)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Accept", manifestAccept)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(body)}, err
}

// mustDo is do for requests that must get an answer.
func mustDo(t *testing.T, c *http.Client, method, url string, header http.Header) response {
	t.Helper()
	resp, err := do(t.Context(), c, method, url, header)
	require.NoError(t, err)
	return resp
}

// ociErrorCode returns the code of the first error in an OCI error body.
func ociErrorCode(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &e), "body %q", body)
	require.NotEmpty(t, e.Errors, "body %q", body)
	return e.Errors[0].Code
}

func TestPushRandomServesManifest(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	c := client(t)
	d, err := r.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	require.NoError(t, d.Validate())

	head := mustDo(t, c, http.MethodHead, r.URL()+"/v2/team/app/manifests/v1", nil)
	require.Equal(t, http.StatusOK, head.status)
	assert.Equal(t, d.String(), head.header.Get("Docker-Content-Digest"))

	get := mustDo(t, c, http.MethodGet, r.URL()+"/v2/team/app/manifests/"+d.String(), nil)
	require.Equal(t, http.StatusOK, get.status)
	assert.Equal(t, d, digest.FromString(get.body), "manifest body hashes to its digest")
	var m ocispec.Manifest
	require.NoError(t, json.Unmarshal([]byte(get.body), &m))
	require.Len(t, m.Layers, 1)
	for _, blob := range []ocispec.Descriptor{m.Config, m.Layers[0]} {
		b := mustDo(t, c, http.MethodGet, r.URL()+"/v2/team/app/blobs/"+blob.Digest.String(), nil)
		require.Equal(t, http.StatusOK, b.status)
		assert.Equal(t, blob.Digest, digest.FromString(b.body))
	}

	assert.Equal(t, r.Host()+"/team/app:v1", r.Ref("team/app", "v1"))
	assert.Equal(t, r.Host()+"/team/app", r.Ref("team/app", ""))
	assert.Equal(t, "http://"+r.Host(), r.URL())
	assert.NotEqual(t, r.Host(), r.OtherHost())
}

func TestPushIndex(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	c := client(t)
	idx, platforms, err := r.PushIndex(t.Context(), "app:multi", "linux/amd64", "linux/arm64/v8")
	require.NoError(t, err)
	require.Len(t, platforms, 2)
	assert.NotContains(t, platforms, idx)
	assert.NotEqual(t, platforms[0], platforms[1])

	get := mustDo(t, c, http.MethodGet, r.URL()+"/v2/app/manifests/multi", nil)
	require.Equal(t, http.StatusOK, get.status)
	assert.Equal(t, idx.String(), get.header.Get("Docker-Content-Digest"))
	assert.Equal(t, ocispec.MediaTypeImageIndex, get.header.Get("Content-Type"))
	var index ocispec.Index
	require.NoError(t, json.Unmarshal([]byte(get.body), &index))
	require.Len(t, index.Manifests, 2)
	wantPlatforms := []ocispec.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}}
	for i, m := range index.Manifests {
		assert.Equal(t, platforms[i], m.Digest)
		require.NotNil(t, m.Platform)
		assert.Equal(t, wantPlatforms[i], *m.Platform)
		child := mustDo(t, c, http.MethodHead, r.URL()+"/v2/app/manifests/"+m.Digest.String(), nil)
		assert.Equal(t, http.StatusOK, child.status)
	}
}

func TestPushMovesTag(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	c := client(t)
	first, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	second, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	require.NotEqual(t, first, second)

	head := mustDo(t, c, http.MethodHead, r.URL()+"/v2/app/manifests/v1", nil)
	assert.Equal(t, second.String(), head.header.Get("Docker-Content-Digest"))
	old := mustDo(t, c, http.MethodHead, r.URL()+"/v2/app/manifests/"+first.String(), nil)
	assert.Equal(t, http.StatusOK, old.status, "the old image stays reachable by digest")

	require.NoError(t, r.Tag(t.Context(), "app:v1", first), "move the tag back")
	head = mustDo(t, c, http.MethodHead, r.URL()+"/v2/app/manifests/v1", nil)
	assert.Equal(t, first.String(), head.header.Get("Docker-Content-Digest"))
	assert.Error(t, r.Tag(t.Context(), "app:v1", digest.FromString("unknown")))
	assert.Error(t, r.Tag(t.Context(), "other:v1", first), "the manifest is in another repository")
	assert.Error(t, r.Tag(t.Context(), "app:v1", "sha256:short"))

	require.NoError(t, r.DeleteTag(t.Context(), "app:v1"))
	gone := mustDo(t, c, http.MethodGet, r.URL()+"/v2/app/manifests/v1", nil)
	assert.Equal(t, http.StatusNotFound, gone.status)
	assert.Equal(t, "MANIFEST_UNKNOWN", ociErrorCode(t, gone.body))
}

func TestNotFoundHasOCIErrorBody(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	c := client(t)
	_, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	tests := []struct {
		path string // requested with GET
		code string // the OCI error code expected in the 404 body
	}{
		{"/v2/nosuch/manifests/v1", "NAME_UNKNOWN"},
		{"/v2/app/manifests/nosuch", "MANIFEST_UNKNOWN"},
		{"/v2/app/blobs/" + digest.FromString("nothing").String(), "BLOB_UNKNOWN"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp := mustDo(t, c, http.MethodGet, r.URL()+tc.path, nil)
			assert.Equal(t, http.StatusNotFound, resp.status)
			assert.Equal(t, tc.code, ociErrorCode(t, resp.body))
		})
	}
}

func TestPushRejectsBadInput(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	ctx := t.Context()
	for _, ref := range []string{"", "app", "App:v1", "app@" + digest.FromString("x").String(), "app:v1:v2", ":v1"} {
		t.Run("PushRandom "+ref, func(t *testing.T) {
			_, err := r.PushRandom(ctx, ref)
			assert.Error(t, err)
		})
	}
	for _, platforms := range [][]string{nil, {"linux"}, {"linux/"}, {"a/b/c/d"}} {
		t.Run("PushIndex "+strings.Join(platforms, ","), func(t *testing.T) {
			_, _, err := r.PushIndex(ctx, "app:v1", platforms...)
			assert.Error(t, err)
		})
	}
	t.Run("PushManifest with neither tag nor digest", func(t *testing.T) {
		_, err := r.PushManifest(ctx, "app", ocispec.MediaTypeImageManifest, []byte("{}"))
		assert.Error(t, err)
	})
	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := r.PushRandom(cctx, "app:v1")
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("DeleteTag of an unknown tag", func(t *testing.T) {
		assert.Error(t, r.DeleteTag(ctx, "app:nosuch"))
	})
}

func TestCounts(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	c := client(t)
	_, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	assert.Equal(t, 0, r.Count("", ""), "pushes are not counted")

	mustDo(t, c, http.MethodHead, r.URL()+"/v2/app/manifests/v1", nil)
	mustDo(t, c, http.MethodHead, r.URL()+"/v2/app/manifests/v1", nil)
	mustDo(t, c, http.MethodGet, r.URL()+"/v2/app/manifests/v1", nil)
	mustDo(t, c, http.MethodGet, r.URL()+"/v2/other/manifests/v2", nil)
	mustDo(t, c, http.MethodGet, r.OtherURL()+"/v2/app/manifests/v1", nil)

	tests := []struct {
		method, prefix string
		want           int
	}{
		{"HEAD", "/v2/app/manifests/v1", 2},
		{"GET", "/v2/app/manifests/v1", 1},
		{"", "/v2/app/", 3},
		{"", "/v2/", 4},
		{"", "", 4},
		{"PUT", "", 0},
		{"HEAD", "/v2/other/", 0},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.prefix, func(t *testing.T) {
			assert.Equal(t, tc.want, r.Count(tc.method, tc.prefix))
		})
	}
	assert.Equal(t, map[registrytest.Key]int{
		{Method: "HEAD", Path: "/v2/app/manifests/v1"}:  2,
		{Method: "GET", Path: "/v2/app/manifests/v1"}:   1,
		{Method: "GET", Path: "/v2/other/manifests/v2"}: 1,
	}, r.Counts())

	reqs := r.Requests()
	require.Len(t, reqs, 5, "Requests includes the other host")
	assert.Equal(t, r.OtherHost(), reqs[4].Host)
	assert.Equal(t, r.Host(), reqs[0].Host)

	r.ResetCounts()
	assert.Equal(t, 0, r.Count("", ""))
	assert.Empty(t, r.Requests())
}

func TestStopRestart(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	c := client(t)
	d, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	url := r.URL() + "/v2/app/manifests/v1"
	host, other := r.Host(), r.OtherHost()

	r.Stop()
	r.Stop() // twice is harmless
	for _, u := range []string{url, r.OtherURL() + "/v2/"} {
		_, err = do(t.Context(), c, http.MethodHead, u, nil)
		require.Error(t, err)
		assert.True(t, errors.Is(err, syscall.ECONNREFUSED), "want connection refused, got %v", err)
	}

	_, err = r.PushRandom(t.Context(), "app:v2")
	require.NoError(t, err, "pushes work while stopped")

	require.NoError(t, r.Restart())
	require.NoError(t, r.Restart(), "restarting a running registry does nothing")
	assert.Equal(t, host, r.Host())
	assert.Equal(t, other, r.OtherHost())
	head := mustDo(t, c, http.MethodHead, url, nil)
	require.Equal(t, http.StatusOK, head.status)
	assert.Equal(t, d.String(), head.header.Get("Docker-Content-Digest"), "content kept")
	assert.Equal(t, http.StatusOK, mustDo(t, c, http.MethodHead, r.URL()+"/v2/app/manifests/v2", nil).status)

	r.Close()
	r.Close()
	assert.ErrorIs(t, r.Restart(), registrytest.ErrClosed)
	_, err = do(t.Context(), c, http.MethodHead, url, nil)
	assert.True(t, errors.Is(err, syscall.ECONNREFUSED), "want connection refused, got %v", err)
}

func TestZeroRegistry(t *testing.T) {
	t.Parallel()
	var r registrytest.Registry
	assert.Error(t, r.Restart())
	r.Stop()
	r.Close()
	assert.ErrorIs(t, r.Restart(), registrytest.ErrClosed)
	assert.Equal(t, 0, r.Count("", ""))
}

func TestPushManifestDockerMediaType(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	c := client(t)
	ctx := t.Context()
	const dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	cfg, err := r.PushBlob(ctx, "legacy", []byte(`{"architecture":"amd64","os":"linux"}`))
	require.NoError(t, err)
	body := []byte(`{"schemaVersion":2,"mediaType":"` + dockerManifest + `","config":{"mediaType":` +
		`"application/vnd.docker.container.image.v1+json","digest":"` + cfg.String() + `","size":37},"layers":[]}`)
	d, err := r.PushManifest(ctx, "legacy:v1", dockerManifest, body)
	require.NoError(t, err)
	assert.Equal(t, digest.FromBytes(body), d)

	head := mustDo(t, c, http.MethodHead, r.URL()+"/v2/legacy/manifests/v1", nil)
	require.Equal(t, http.StatusOK, head.status)
	assert.Equal(t, dockerManifest, head.header.Get("Content-Type"))
	assert.Equal(t, d.String(), head.header.Get("Docker-Content-Digest"))

	byDigest, err := r.PushManifest(ctx, "legacy@"+d.String(), dockerManifest, body)
	require.NoError(t, err)
	assert.Equal(t, d, byDigest)
	_, err = r.PushManifest(ctx, "legacy@"+digest.FromString("other").String(), dockerManifest, body)
	assert.Error(t, err, "the body does not match the digest")
}
