package kubelettest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
	"github.com/imagepull/imagepull/reference"
)

func TestRuntimeIdentifiesImagesAsCRI(t *testing.T) {
	rt := kubelettest.NewRuntime("nginx:1.25")
	local, ok, err := rt.Lookup(t.Context(), reference.MustParse("docker.io/library/nginx:1.25"))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, local.ID)
	assert.Equal(t, []string{"docker.io/library/nginx:1.25"}, local.RepoTags)
	require.Len(t, local.RepoDigests, 1)
	assert.Regexp(t, `^docker.io/library/nginx@sha256:[0-9a-f]{64}$`, local.RepoDigests[0])
	byDigest, ok, err := rt.Lookup(t.Context(), reference.MustParse(local.RepoDigests[0]))
	require.NoError(t, err)
	require.True(t, ok, "found by its digest too")
	assert.Equal(t, local.ID, byDigest.ID)
	listed, err := rt.ListImages(t.Context())
	require.NoError(t, err)
	assert.Len(t, listed, 1)
	assert.True(t, rt.Remove(local.ID))
	_, ok, _ = rt.Lookup(t.Context(), reference.MustParse("nginx:1.25"))
	assert.False(t, ok)
	assert.Panics(t, func() { kubelettest.NewRuntime("Not/Valid") })
}

func TestRuntimePulls(t *testing.T) {
	alice := credential.Credential{Username: "alice", Password: "pw"}
	mallory := credential.Credential{Username: "mallory", Password: "guess"}
	boom := errors.New("RegistryUnavailable: connection refused")
	cases := []struct {
		name    string
		image   string
		creds   []credential.Credential
		wantErr string
		used    *credential.Credential
	}{
		{"public-anonymous", "redis:7", nil, "", nil},
		{"private-without-credentials", "team/app:v1", nil, "401 Unauthorized", nil},
		{"private-wrong-credentials", "team/app:v1", []credential.Credential{mallory}, "401 Unauthorized", nil},
		{"private-second-credential-works", "team/app:v1", []credential.Credential{mallory, alice}, "", &alice},
		{"injected-failure", "quay.io/x/y:1", nil, "RegistryUnavailable: connection refused", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := kubelettest.NewRuntime()
			rt.Private("team/app", alice)
			rt.Fail("quay.io/x/y:1", boom)
			req := kubelet.PullRequest{Image: tc.image, Credentials: tc.creds}
			res, err := rt.PullImage(t.Context(), req)
			assert.Equal(t, []kubelet.PullRequest{req}, rt.Pulls(), "every pull is recorded with its credentials")
			_, present, _ := rt.Lookup(t.Context(), reference.MustParse(tc.image))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				assert.False(t, present)
				return
			}
			require.NoError(t, err)
			assert.True(t, present)
			assert.Equal(t, tc.used, res.Credential)
			assert.NotEmpty(t, res.ImageRef)
		})
	}
	rt := kubelettest.NewRuntime()
	rt.Fail("a:1", boom)
	rt.Fail("a:1", nil)
	_, err := rt.PullImage(t.Context(), kubelet.PullRequest{Image: "a:1"})
	assert.NoError(t, err, "Fail(image, nil) heals")
}

func TestClock(t *testing.T) {
	var c kubelettest.Clock
	start := c.Now()
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), start)
	assert.Equal(t, start.Add(90*time.Second), c.Advance(90*time.Second))
	assert.Equal(t, start.Add(90*time.Second), c.Now())
	at := time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, at, kubelettest.NewClock(at).Now())
}
