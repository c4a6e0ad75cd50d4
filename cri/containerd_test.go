package cri_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/internal/critest"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// testTimeout bounds each test's calls to containerd and the registry.
const testTimeout = 30 * time.Second

// containerd connects to the containerd named by IMAGEPULL_CRI_SOCKET (see .ci/containerd.sh).
// Without it the test is skipped, except under CI=true, where it fails: CI must not skip the
// runtime tests silently.
func containerd(t *testing.T) (context.Context, *cri.Client) {
	t.Helper()
	socket := critest.Socket(t)
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	c, err := cri.Dial(ctx, socket, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return ctx, c
}

// kubeletReason is the kubelet's evalCRIPullErr: a string-prefix test on the pull error.
func kubeletReason(err error) error {
	switch msg := err.Error(); {
	case strings.HasPrefix(msg, pullpolicy.ErrRegistryUnavailable.Error()):
		return pullpolicy.ErrRegistryUnavailable
	case strings.HasPrefix(msg, pullpolicy.ErrSignatureValidationFailed.Error()):
		return pullpolicy.ErrSignatureValidationFailed
	default:
		return pullpolicy.ErrImagePull
	}
}

func pull(ctx context.Context, t *testing.T, c *cri.Client, image string) kubelet.PullResult {
	t.Helper()
	res, err := c.PullImage(ctx, kubelet.PullRequest{Image: image})
	require.NoError(t, err)
	require.NotEmpty(t, res.ImageRef)
	return res
}

func TestVersion(t *testing.T) {
	ctx, c := containerd(t)
	name, version, err := c.Version(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, name)
	require.NotEmpty(t, version)
	t.Logf("runtime: %s %s", name, version)
}

// TestLookup pulls a single-platform image and a multi-platform image and asks for them the
// ways a kubelet can: by tag, by digest, by tag and digest, by a platform's manifest digest.
func TestLookup(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})

	singleDigest := push(ctx, t, r, "app:v1")
	push(ctx, t, r, "app:latest")
	push(ctx, t, r, "app:unpulled")

	otherArch := "arm64"
	if runtime.GOARCH == "arm64" {
		otherArch = "amd64"
	}
	idxDigest, platformDigests, err := r.PushIndex(ctx, "multi:v1", "linux/"+runtime.GOARCH, "linux/"+otherArch)
	require.NoError(t, err)
	platformDigest := map[string]digest.Digest{runtime.GOARCH: platformDigests[0], otherArch: platformDigests[1]}

	appV1 := pull(ctx, t, c, ref(r, "app:v1"))
	appLatest := pull(ctx, t, c, ref(r, "app:latest"))
	multi := pull(ctx, t, c, ref(r, "multi:v1"))
	require.Positive(t, appV1.Size, "PullImage reports the size")

	const zeroDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	tests := []struct {
		image  string // as a pod would name it
		wantID string // "" when absent
	}{
		{ref(r, "app:v1"), appV1.ImageRef},
		{ref(r, "app"), appLatest.ImageRef}, // tag-defaulted to :latest
		{ref(r, "app@"+singleDigest.String()), appV1.ImageRef},
		{ref(r, "app:nosuchtag@"+singleDigest.String()), appV1.ImageRef}, // the digest wins
		{ref(r, "app:unpulled"), ""},
		{ref(r, "app@"+zeroDigest), ""},
		{ref(r, "nosuchrepo:v1"), ""},
		{ref(r, "multi:v1"), multi.ImageRef},
		{ref(r, "multi@"+idxDigest.String()), multi.ImageRef}, // containerd records the index digest
		{ref(r, "multi@"+platformDigest[runtime.GOARCH].String()), ""},
		{ref(r, "multi@"+platformDigest[otherArch].String()), ""},
	}
	for _, tc := range tests {
		t.Run(tc.image, func(t *testing.T) {
			img, ok, err := c.Lookup(ctx, mustParse(t, tc.image))
			require.NoError(t, err)
			if tc.wantID == "" {
				require.False(t, ok)
				require.Zero(t, img)
				return
			}
			require.True(t, ok)
			require.Equal(t, tc.wantID, img.ID)
			require.Positive(t, img.Size)
		})
	}

	t.Run("names", func(t *testing.T) {
		img, ok, err := c.Lookup(ctx, mustParse(t, ref(r, "multi:v1")))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, []string{ref(r, "multi:v1")}, img.RepoTags)
		require.Equal(t, []string{ref(r, "multi@"+idxDigest.String())}, img.RepoDigests)
		require.Equal(t, multi.Size, img.Size)
	})
}

// TestRepushedTag: when a tag moves and is pulled again, containerd moves the name; the old
// image keeps its digest name and loses the tag.
func TestRepushedTag(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})

	firstDigest := push(ctx, t, r, "app:v1")
	old := pull(ctx, t, c, ref(r, "app:v1"))

	push(ctx, t, r, "app:v1")
	moved := pull(ctx, t, c, ref(r, "app:v1"))
	require.NotEqual(t, old.ImageRef, moved.ImageRef)

	byTag, ok, err := c.Lookup(ctx, mustParse(t, ref(r, "app:v1")))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, moved.ImageRef, byTag.ID)

	byOldDigest, ok, err := c.Lookup(ctx, mustParse(t, ref(r, "app@"+firstDigest.String())))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, old.ImageRef, byOldDigest.ID)
	require.Empty(t, byOldDigest.RepoTags, "the old image is untagged")
	require.Equal(t, []string{ref(r, "app@"+firstDigest.String())}, byOldDigest.RepoDigests)
}

func TestListAndRemove(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})

	push(ctx, t, r, "a:v1")
	push(ctx, t, r, "b:v1")
	a := pull(ctx, t, c, ref(r, "a:v1"))
	b := pull(ctx, t, c, ref(r, "b:v1"))

	listed := func() map[string]pullpolicy.LocalImage {
		imgs, err := c.ListImages(ctx)
		require.NoError(t, err)
		out := map[string]pullpolicy.LocalImage{}
		for _, img := range imgs {
			if fromRegistry(img, r) {
				out[img.ID] = img
			}
		}
		return out
	}
	got := listed()
	require.Len(t, got, 2)
	require.Equal(t, []string{ref(r, "a:v1")}, got[a.ImageRef].RepoTags)
	require.Equal(t, a.Size, got[a.ImageRef].Size)
	require.Equal(t, []string{ref(r, "b:v1")}, got[b.ImageRef].RepoTags)

	require.NoError(t, c.RemoveImage(ctx, a.ImageRef))
	got = listed()
	require.Len(t, got, 1)
	require.Contains(t, got, b.ImageRef)
	_, ok, err := c.Lookup(ctx, mustParse(t, ref(r, "a:v1")))
	require.NoError(t, err)
	require.False(t, ok, "removed by ID: every name is gone")

	require.NoError(t, c.RemoveImage(ctx, a.ImageRef), "removing an absent image is not an error")
	require.NoError(t, c.RemoveImage(ctx, ref(r, "b:v1")), "remove by reference")
	require.Empty(t, listed())
}

// TestDecide runs pullpolicy.Decide over the runtime as the store.
func TestDecide(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})

	imgDigest := push(ctx, t, r, "app:v1")
	present := pull(ctx, t, c, ref(r, "app:v1"))

	t.Run("Never absent", func(t *testing.T) {
		image := ref(r, "absent:v1")
		d, err := pullpolicy.Decide(ctx, pullpolicy.Never, mustParse(t, image), c, nil)
		require.ErrorIs(t, err, pullpolicy.ErrImageNeverPull)
		require.Equal(t, pullpolicy.Fail, d.Action)
		require.Equal(t, "ErrImageNeverPull", d.Reason)
		require.Equal(t, `Container image "`+image+`" is not present with pull policy of Never`, d.Message)
	})
	t.Run("IfNotPresent present", func(t *testing.T) {
		image := ref(r, "app:v1")
		d, err := pullpolicy.Decide(ctx, pullpolicy.IfNotPresent, mustParse(t, image), c, nil)
		require.NoError(t, err)
		require.Equal(t, pullpolicy.UseLocal, d.Action)
		require.Equal(t, present.ImageRef, d.Local.ID)
		require.Equal(t, `Container image "`+image+`" already present on machine`, d.Message)
	})
	t.Run("Always registry digest present", func(t *testing.T) {
		resolver := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
			return imgDigest, nil
		})
		d, err := pullpolicy.Decide(ctx, pullpolicy.Always, mustParse(t, ref(r, "app:v1")), c, resolver)
		require.NoError(t, err)
		require.Equal(t, pullpolicy.UseLocal, d.Action, "found by the pinned digest reference")
		require.Equal(t, present.ImageRef, d.Local.ID)
	})
	t.Run("Always tag moved: pull by digest", func(t *testing.T) {
		movedDigest := push(ctx, t, r, "app:v1")
		resolver := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
			return movedDigest, nil
		})
		d, err := pullpolicy.Decide(ctx, pullpolicy.Always, mustParse(t, ref(r, "app:v1")), c, resolver)
		require.NoError(t, err)
		require.Equal(t, pullpolicy.Pull, d.Action)
		require.Equal(t, ref(r, "app@"+movedDigest.String()), d.PullRef.String())

		res := pull(ctx, t, c, d.PullRef.WithDefaultTag())
		d, err = pullpolicy.Decide(ctx, pullpolicy.Always, mustParse(t, ref(r, "app:v1")), c, resolver)
		require.NoError(t, err)
		require.Equal(t, pullpolicy.UseLocal, d.Action)
		require.Equal(t, res.ImageRef, d.Local.ID)
	})
}

// TestPullCredentials pulls from a registry that requires Basic auth.
func TestPullCredentials(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "alice", Password: "s3cret"})
	push(ctx, t, r, "private:v1")
	image := ref(r, "private:v1")

	// containerd 1.6 parses ServerAddress as a URL: it needs a scheme when it has a port.
	right := credential.Credential{Username: "alice", Password: "s3cret", ServerAddress: "http://" + r.Host(), Hash: "right"}
	bareHostPort := credential.Credential{Username: "alice", Password: "s3cret", ServerAddress: r.Host(), Hash: "bare"}
	rightAuth := credential.Credential{Auth: base64.StdEncoding.EncodeToString([]byte("alice:s3cret")), Hash: "auth"}
	wrong := credential.Credential{Username: "alice", Password: "wrong", Hash: "wrong"}
	wrong2 := credential.Credential{Username: "bob", Password: "wrong", Hash: "wrong2"}
	otherHost := credential.Credential{Username: "alice", Password: "s3cret", ServerAddress: "registry.example.com", Hash: "other"}

	parseAddress := `failed to pull and unpack image "` + image + `": failed to resolve reference "` + image +
		`": parse server address: parse "` + r.Host() + `": first path segment in URL cannot contain colon`
	unauthorized := `failed to pull and unpack image "` + image + `": failed to resolve reference "` + image +
		`": pulling from host ` + r.Host() + ` failed with status code [manifests v1]: 401 Unauthorized`
	forbidden := strings.Replace(unauthorized, "401 Unauthorized", "403 Forbidden", 1)

	tests := []struct {
		name     string
		creds    []credential.Credential
		forbid   bool   // the registry answers 403 to requests that pass authentication
		wantHash string // the credential that worked; "" for failure
		wantErr  string // the whole error text
	}{
		{"right", []credential.Credential{right}, false, "right", ""},
		{"auth field", []credential.Credential{rightAuth}, false, "auth", ""},
		{"wrong then right", []credential.Credential{wrong, right}, false, "right", ""},
		{"none: anonymous", nil, false, "", unauthorized},
		{"wrong", []credential.Credential{wrong}, false, "", unauthorized},
		{"two wrong, one text", []credential.Credential{wrong, wrong2}, false, "", unauthorized},
		{"wrong then forbidden", []credential.Credential{wrong, right}, true, "", "[" + unauthorized + ", " + forbidden + "]"},
		{"other registry's credential is not sent", []credential.Credential{otherHost}, false, "", unauthorized},
		{"host:port server address without scheme", []credential.Credential{bareHostPort}, false, "", parseAddress},
		{"bad address then right", []credential.Credential{bareHostPort, right}, false, "right", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.forbid {
				remove, err := r.Inject(registrytest.Fault{PathPrefix: "/v2/private/", Status: http.StatusForbidden})
				require.NoError(t, err)
				t.Cleanup(remove)
			}
			res, err := c.PullImage(ctx, kubelet.PullRequest{Image: image, Credentials: tc.creds})
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				require.Equal(t, pullpolicy.ErrImagePull, kubeletReason(err), "auth failures are not RegistryUnavailable")
				st, ok := status.FromError(err)
				require.True(t, ok)
				require.Equal(t, codes.Unknown, st.Code(), "containerd reports pull failures as Unknown")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, res.Credential)
			require.Equal(t, tc.wantHash, res.Credential.Hash)
			require.NotEmpty(t, res.ImageRef)
			require.Positive(t, res.Size)
		})
	}
}

// TestPullRegistryDown records what containerd says when the registry is not there: the
// text carries no "RegistryUnavailable" prefix, so the kubelet reports ErrImagePull.
func TestPullRegistryDown(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})
	push(ctx, t, r, "app:v1")
	r.Stop()

	image := ref(r, "app:v1")
	_, err := c.PullImage(ctx, kubelet.PullRequest{Image: image})
	require.EqualError(t, err, `failed to pull and unpack image "`+image+`": failed to resolve reference "`+image+
		`": failed to do request: Head "http://`+r.Host()+`/v2/app/manifests/v1": dial tcp `+r.Host()+`: connect: connection refused`)
	require.Equal(t, pullpolicy.ErrImagePull, kubeletReason(err), "containerd 1.6 does not report RegistryUnavailable")
}

// TestPullReusesContent: pulling an image again asks the registry for the manifest and
// downloads no blob.
func TestPullReusesContent(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})
	push(ctx, t, r, "app:v1")

	first := pull(ctx, t, c, ref(r, "app:v1"))
	require.Positive(t, r.Count("GET", "/v2/app/blobs/"))
	r.ResetCounts()
	again := pull(ctx, t, c, ref(r, "app:v1"))
	require.Equal(t, first, again)
	require.Equal(t, map[registrytest.Key]int{{Method: "HEAD", Path: "/v2/app/manifests/v1"}: 1}, r.Counts(),
		"the tag is resolved again (one HEAD); the manifest, config and layer are not downloaded again")
}

// TestConcurrentUse shares one Client between goroutines pulling and looking up.
func TestConcurrentUse(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})
	const n = 4
	for i := range n {
		push(ctx, t, r, fmt.Sprintf("app%d:v1", i))
	}
	g, gctx := errgroup.WithContext(ctx)
	for i := range n {
		image := ref(r, fmt.Sprintf("app%d:v1", i))
		g.Go(func() error {
			res, err := c.PullImage(gctx, kubelet.PullRequest{Image: image})
			if err != nil {
				return err
			}
			img, ok, err := c.Lookup(gctx, reference.MustParse(image))
			if err != nil {
				return err
			}
			if !ok || img.ID != res.ImageRef {
				return fmt.Errorf("%s: lookup gave %+v, %v after pulling %s", image, img, ok, res.ImageRef)
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
}

// TestCancelled: calls ended by their context report the context's error.
func TestCancelled(t *testing.T) {
	ctx, c := containerd(t)
	r := newRegistry(t, c, registrytest.Auth{})
	push(ctx, t, r, "app:v1")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err := c.Lookup(cancelled, mustParse(t, ref(r, "app:v1")))
	require.ErrorIs(t, err, context.Canceled)
	_, err = c.PullImage(cancelled, kubelet.PullRequest{Image: ref(r, "app:v1"), Credentials: []credential.Credential{{}, {}}})
	require.ErrorIs(t, err, context.Canceled)
	_, err = c.ListImages(cancelled)
	require.ErrorIs(t, err, context.Canceled)
}

func mustParse(t *testing.T, s string) reference.Image {
	t.Helper()
	img, err := reference.Parse(s)
	require.NoError(t, err)
	return img
}
