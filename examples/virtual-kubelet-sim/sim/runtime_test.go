package sim

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// counts is what a registry received, by kind.
type counts struct{ head, manifestGet, blobGet int }

func countsOf(r *registrytest.Registry, repo string) counts {
	return counts{
		head:        r.Count("HEAD", "/v2/"+repo+"/manifests/"),
		manifestGet: r.Count("GET", "/v2/"+repo+"/manifests/"),
		blobGet:     r.Count("GET", "/v2/"+repo+"/blobs/"),
	}
}

func newRuntime(t *testing.T) (*registrytest.Registry, *Runtime) {
	t.Helper()
	reg := registrytest.New(t, registrytest.Options{})
	remote, err := NewRemote(RemoteOptions{PlainHTTP: []string{"127.0.0.1"}})
	require.NoError(t, err)
	t.Cleanup(remote.Close)
	return reg, NewRuntime(remote, RuntimeOptions{})
}

func pull(t *testing.T, rt *Runtime, image string) kubelet.PullResult {
	t.Helper()
	res, err := rt.PullImage(t.Context(), kubelet.PullRequest{Image: image})
	require.NoError(t, err)
	return res
}

// A pull costs what containerd's costs: a resolve, then only the content the node lacks.
func TestRuntimePullRequests(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(ctx context.Context, reg *registrytest.Registry) error
		pulls  []string // tags of repo
		repo   string
		want   counts
		images int // images on the node afterwards
	}{
		{"first pull: HEAD, manifest, config and layer",
			func(ctx context.Context, reg *registrytest.Registry) error {
				_, err := reg.PushRandom(ctx, "app:v1")
				return err
			}, []string{"v1"}, "app", counts{1, 1, 2}, 1},
		{"second pull of a present image: one HEAD, no transfer",
			func(ctx context.Context, reg *registrytest.Registry) error {
				_, err := reg.PushRandom(ctx, "app:v1")
				return err
			}, []string{"v1", "v1"}, "app", counts{2, 1, 2}, 1},
		{"another tag of the same digest: one HEAD, no transfer",
			func(ctx context.Context, reg *registrytest.Registry) error {
				d, err := reg.PushRandom(ctx, "app:v1")
				if err != nil {
					return err
				}
				return reg.Tag(ctx, "app:stable", d)
			}, []string{"v1", "stable"}, "app", counts{2, 1, 2}, 1},
		{"another image: its content is fetched",
			func(ctx context.Context, reg *registrytest.Registry) error {
				if _, err := reg.PushRandom(ctx, "app:v1"); err != nil {
					return err
				}
				_, err := reg.PushRandom(ctx, "app:v2")
				return err
			}, []string{"v1", "v2"}, "app", counts{2, 2, 4}, 2},
		{"an index: the index and the platform's manifest",
			func(ctx context.Context, reg *registrytest.Registry) error {
				_, _, err := reg.PushIndex(ctx, "multi:v1", "linux/amd64", "linux/arm64")
				return err
			}, []string{"v1"}, "multi", counts{1, 2, 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, rt := newRuntime(t)
			rt.platform.Architecture = "amd64"
			require.NoError(t, tt.setup(t.Context(), reg))
			for _, p := range tt.pulls {
				pull(t, rt, reg.Ref(tt.repo, p))
			}
			assert.Equal(t, tt.want, countsOf(reg, tt.repo))
			imgs, err := rt.ListImages(t.Context())
			require.NoError(t, err)
			assert.Len(t, imgs, tt.images)
		})
	}
}

// Concurrent pulls of one image on one node each resolve, but fetch each blob once.
func TestRuntimeConcurrentPullsFetchOnce(t *testing.T) {
	reg, rt := newRuntime(t)
	_, err := reg.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = rt.PullImage(t.Context(), kubelet.PullRequest{Image: reg.Ref("app", "v1")})
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, counts{n, 1, 2}, countsOf(reg, "app"))
}

// The pulled image is in the store as containerd records it: ID the config digest, the tag
// and the manifest digest as names, the size of manifest, config and layer.
func TestRuntimeStoresPulledImage(t *testing.T) {
	reg, rt := newRuntime(t)
	d, err := reg.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	res := pull(t, rt, reg.Ref("app", "v1"))
	byTag, ok, err := rt.Lookup(t.Context(), reference.MustParse(reg.Ref("app", "v1")))
	require.NoError(t, err)
	require.True(t, ok)
	byDigest, ok, err := rt.Lookup(t.Context(), reference.MustParse(reg.Host()+"/app@"+d.String()))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, byTag.ID, byDigest.ID)
	assert.Equal(t, res.ImageRef, byTag.ID)
	assert.NotEqual(t, d.String(), byTag.ID, "the ID is the config digest, not the manifest's")
	assert.Equal(t, []string{reg.Host() + "/app@" + d.String()}, byTag.RepoDigests)
	assert.Greater(t, res.Size, int64(256))
	assert.Equal(t, res.Size, byTag.Size)
}

// A private repository: refused without the credential, with containerd's words; pulled
// with it, and the credential that worked is reported.
func TestRuntimePrivate(t *testing.T) {
	reg, rt := newRuntime(t)
	_, err := reg.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "alice", Password: "s3cret"})
	image := reg.Ref("team/app", "v1")

	_, err = rt.PullImage(t.Context(), kubelet.PullRequest{Image: image})
	require.Error(t, err)
	assert.Equal(t, `failed to pull and unpack image "`+image+`": failed to resolve reference "`+image+
		`": pulling from host `+reg.Host()+` failed with status code [manifests v1]: 401 Unauthorized`, err.Error())

	good := credential.Credential{Username: "alice", Password: "s3cret"}
	bad := credential.Credential{Username: "bob", Password: "nope"}
	res, err := rt.PullImage(t.Context(), kubelet.PullRequest{Image: image, Credentials: []credential.Credential{bad, good}})
	require.NoError(t, err)
	require.NotNil(t, res.Credential)
	assert.Equal(t, "alice", res.Credential.Username)
	// Anonymous: one HEAD refused. Each credential: a HEAD without it that learns the Basic
	// challenge (the resolver caches it per host and credential), then one with it.
	assert.Equal(t, counts{head: 5, manifestGet: 1, blobGet: 2}, countsOf(reg, "team/app"))
}

// A failed fetch is not kept: the next pull fetches again.
func TestRuntimeFailedFetchRetried(t *testing.T) {
	reg, rt := newRuntime(t)
	_, err := reg.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	remove, err := reg.Inject(registrytest.Fault{Method: "GET", PathPrefix: "/v2/app/blobs/", Status: 500, Times: 1})
	require.NoError(t, err)
	defer remove()
	_, err = rt.PullImage(t.Context(), kubelet.PullRequest{Image: reg.Ref("app", "v1")})
	require.ErrorContains(t, err, "failed to copy")
	pull(t, rt, reg.Ref("app", "v1"))
	assert.Equal(t, counts{2, 1, 3}, countsOf(reg, "app"))
}
