package registrytest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// tlsClient trusts pool only.
func tlsClient(t *testing.T, pool *x509.CertPool) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestTLSServesHTTPSFromItsCA(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{TLS: &registrytest.TLS{}})
	d, err := r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(r.URL(), "https://127.0.0.1:"), r.URL())
	require.True(t, strings.HasPrefix(r.OtherURL(), "https://127.0.0.1:"), r.OtherURL())
	require.NotNil(t, r.CertPool())

	resp := mustDo(t, tlsClient(t, r.CertPool()), "HEAD", r.URL()+manifestPath, nil)
	assert.Equal(t, http.StatusOK, resp.status)
	assert.Equal(t, d.String(), resp.header.Get("Docker-Content-Digest"))

	// Without the CA: unknown authority.
	_, err = do(t.Context(), tlsClient(t, x509.NewCertPool()), "HEAD", r.URL()+manifestPath, nil)
	var unknown x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknown)

	// Plain HTTP to it: Go's refusal.
	resp = mustDo(t, client(t), "GET", "http://"+r.Host()+manifestPath, nil)
	assert.Equal(t, http.StatusBadRequest, resp.status)
	assert.Contains(t, resp.body, "Client sent an HTTP request to an HTTPS server")

	// Restart keeps serving HTTPS.
	r.Stop()
	require.NoError(t, r.Restart())
	resp = mustDo(t, tlsClient(t, r.CertPool()), "HEAD", r.URL()+manifestPath, nil)
	assert.Equal(t, http.StatusOK, resp.status)
}

func TestTLSWrongName(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{TLS: &registrytest.TLS{Names: []string{"registry.example"}}})
	_, err := do(t.Context(), tlsClient(t, r.CertPool()), "GET", r.URL()+"/v2/", nil)
	var wrongName x509.HostnameError
	require.ErrorAs(t, err, &wrongName)
	assert.Contains(t, err.Error(), "127.0.0.1")
}

func TestPlainRegistryHasNoCA(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{})
	assert.Nil(t, r.CAPEM())
	assert.Nil(t, r.CertPool())
	assert.True(t, strings.HasPrefix(r.URL(), "http://"))
	// HTTPS to it: Go's client says the server speaks plain HTTP.
	_, err := do(t.Context(), tlsClient(t, x509.NewCertPool()), "GET", "https://"+r.Host()+"/v2/", nil)
	assert.True(t, errors.Is(err, http.ErrSchemeMismatch), "%v", err)
}

func TestDockerHubRateLimit(t *testing.T) {
	t.Parallel()
	r, _ := newWithImage(t)
	f := registrytest.DockerHubRateLimit(100, 6*time.Hour, 90*time.Second)
	f.Times = 1
	_, err := r.Inject(f)
	require.NoError(t, err)
	c := client(t)
	resp := mustDo(t, c, "GET", r.URL()+manifestPath, nil)
	assert.Equal(t, http.StatusTooManyRequests, resp.status)
	assert.Equal(t, "TOOMANYREQUESTS", ociErrorCode(t, resp.body))
	assert.Equal(t, "100;w=21600", resp.header.Get("RateLimit-Limit"))
	assert.Equal(t, "0;w=21600", resp.header.Get("RateLimit-Remaining"))
	assert.Equal(t, "90", resp.header.Get("Retry-After"))
	// Times: 1; the next request is served, without the headers.
	resp = mustDo(t, c, "GET", r.URL()+manifestPath, nil)
	assert.Equal(t, http.StatusOK, resp.status)
	assert.Empty(t, resp.header.Get("RateLimit-Limit"))
}

func TestFaultHeaderOnRealContent(t *testing.T) {
	t.Parallel()
	r, d := newWithImage(t)
	_, err := r.Inject(registrytest.Fault{Header: http.Header{"Ratelimit-Remaining": {"76;w=21600"}}})
	require.NoError(t, err)
	resp := mustDo(t, client(t), "HEAD", r.URL()+manifestPath, nil)
	assert.Equal(t, http.StatusOK, resp.status)
	assert.Equal(t, d.String(), resp.header.Get("Docker-Content-Digest"))
	assert.Equal(t, "76;w=21600", resp.header.Get("RateLimit-Remaining"))
}
