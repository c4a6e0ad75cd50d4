package registrytest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestOrasClient checks the registry against oras-go, the client the registry package uses:
// the Bearer flow with the token endpoint on the other host, HEAD-first resolution, and a blob
// redirect to the other host.
func TestOrasClient(t *testing.T) {
	t.Parallel()
	r := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBearer, Username: "alice", Password: "s3cret", TokenOnOtherHost: true,
	}})
	ctx := t.Context()
	idx, platforms, err := r.PushIndex(ctx, "app:v1", "linux/amd64", "linux/arm64")
	require.NoError(t, err)

	repo, err := remote.NewRepository(r.Ref("app", ""))
	require.NoError(t, err)
	repo.PlainHTTP = true
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	repo.Client = &auth.Client{
		Client:     &http.Client{Transport: tr},
		Credential: auth.StaticCredential(r.Host(), auth.Credential{Username: "alice", Password: "s3cret"}),
		Cache:      auth.NewCache(),
	}

	desc, err := repo.Resolve(ctx, "v1")
	require.NoError(t, err)
	assert.Equal(t, idx, desc.Digest)
	assert.Equal(t, 2, r.Count("HEAD", "/v2/app/manifests/v1"), "one challenged, one with the token")
	assert.Equal(t, 1, countRequests(r, r.OtherHost(), "/token"))

	_, err = r.Inject(registrytest.Fault{PathPrefix: "/v2/app/manifests/sha256:", Redirect: true})
	require.NoError(t, err)
	rc, err := repo.Fetch(ctx, desc)
	require.NoError(t, err)
	body, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, idx, digest.FromBytes(body))
	assert.Contains(t, string(body), platforms[0].String())

	for _, q := range r.Requests() {
		switch {
		case q.Host == r.OtherHost() && q.Path == "/token":
			assert.True(t, strings.HasPrefix(q.Authorization, "Basic "), "the token service gets the password")
		case q.Host == r.OtherHost():
			assert.Empty(t, q.Authorization, "the redirect target gets no credentials")
		default:
			assert.False(t, strings.HasPrefix(q.Authorization, "Basic "), "the registry host never gets the password")
		}
	}
	assert.Equal(t, 1, countRequests(r, r.OtherHost(), "/v2/app/manifests/"+idx.String()), "the redirect was followed")
}
