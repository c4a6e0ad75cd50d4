package kubelet_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnsureImagePullRequest checks what the runtime receives (M1, M2, M10–M15): the
// tag-defaulted, unnormalised image, all pod annotations, the runtime handler, the sandbox,
// and the credentials in the kubelet's order (pod Secrets before the node keyring; none
// matching means anonymous).
func TestEnsureImagePullRequest(t *testing.T) {
	dockercfg := func(user string) credential.Secret {
		doc := `{"index.docker.io/v1/":{"username":"` + user + `","password":"passed-password"}}`
		return credential.Secret{Namespace: "test-ns", Name: "cfg", UID: "u1", Type: credential.SecretTypeDockercfg,
			Data: map[string][]byte{credential.DockercfgKey: []byte(doc)}}
	}
	users := func(creds []credential.Credential) []string {
		var out []string
		for _, c := range creds {
			out = append(out, c.Username+"/"+c.Password)
		}
		return out
	}
	tests := []struct {
		name        string
		annotations map[string]string
		handler     string
		secrets     []credential.Secret
		node        *credential.Keyring
		users       []string // the credentials the runtime got, in order
	}{{
		name:        "M1 annotations, no handler",
		annotations: map[string]string{"kubernetes.io/runtimehandler": "handler_name"},
	}, {
		name:        "M2 runtime handler",
		annotations: map[string]string{"kubernetes.io/runtimehandler": "handler_name"},
		handler:     "handler_name",
	}, {
		name: "M10 M15 no matching secrets: anonymous",
	}, {
		name:  "M11 node keyring",
		node:  mustKeyring(t, `{"auths":{"index.docker.io/v1/":{"username":"built-in","password":"password"}}}`),
		users: []string{"built-in/password"},
	}, {
		name: "M12 node keyring for another registry",
		node: mustKeyring(t, `{"auths":{"extraneous":{"username":"built-in","password":"password"}}}`),
	}, {
		name:    "M13 dockercfg pod secret before the node keyring",
		secrets: []credential.Secret{dockercfg("passed-user")},
		node:    mustKeyring(t, `{"auths":{"index.docker.io/v1/":{"username":"built-in","password":"password"}}}`),
		users:   []string{"passed-user/passed-password", "built-in/password"},
	}, {
		name:    "M14 dockerconfigjson pod secret",
		secrets: []credential.Secret{dockerSecret("test-ns", "json", "u2", "index.docker.io/v1/", "passed-user", "passed-password")},
		users:   []string{"passed-user/passed-password"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime()
			rt.pullTime = 0
			rt.serve("ubuntu:latest", remoteImage{id: "sha256:ubuntu", digest: dg("d")})
			m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Keyring: tc.node})
			require.NoError(t, err)
			pod := kubelet.Pod{Namespace: "test-ns", Name: "foo", UID: "bar", Annotations: tc.annotations}
			_, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: pod, Image: "ubuntu", Policy: pullpolicy.Always, PullSecrets: tc.secrets, RuntimeHandler: tc.handler})
			require.NoError(t, err)
			got := rt.lastRequest()
			assert.Equal(t, "ubuntu:latest", got.Image)
			assert.Equal(t, tc.annotations, got.Annotations)
			assert.Equal(t, tc.handler, got.RuntimeHandler)
			assert.Equal(t, kubelet.Sandbox{Name: "foo", Namespace: "test-ns", UID: "bar"}, got.Sandbox)
			assert.Equal(t, tc.users, users(got.Credentials))
		})
	}
}

func mustKeyring(t *testing.T, doc string) *credential.Keyring {
	t.Helper()
	k, err := credential.FromDockerConfigJSON([]byte(doc), credential.Source{})
	require.NoError(t, err)
	return k
}

// TestEnsureImageRuntimeImageString checks that the runtime gets the kubelet's tag-defaulted,
// unnormalised string (cases A1–A11) while the event names the image as written.
func TestEnsureImageRuntimeImageString(t *testing.T) {
	for image, want := range map[string]string{
		"root":                           "root:latest",
		"root:tag":                       "root:tag",
		"root@" + string(dg("e")):        "root@" + string(dg("e")),
		"root:latest@" + string(dg("e")): "root:latest@" + string(dg("e")),
		"docker.io/nginx":                "docker.io/nginx:latest",
		"index.docker.io/nginx":          "index.docker.io/nginx:latest",
		"localhost:5000":                 "localhost:5000",
		"registry:5000/latest":           "registry:5000/latest:latest",
		"Foo/bar":                        "Foo/bar:latest",
	} {
		t.Run(image, func(t *testing.T) {
			var got kubelet.PullRequest
			puller := kubelet.PullerFunc(func(_ context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
				got = req
				return kubelet.PullResult{ImageRef: "sha256:x"}, nil
			})
			m, err := kubelet.NewImageManager(kubelet.Config{Store: newFakeRuntime(), Puller: puller})
			require.NoError(t, err)
			res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Image: image, Policy: pullpolicy.Always})
			require.NoError(t, err)
			assert.Equal(t, want, got.Image)
			assert.Equal(t, normal("Pulling", `Pulling image "`+image+`"`), res.Events[0])
		})
	}
}

// TestEnsureImageEmptyImageRef: a runtime that reports success without an image ID fails the
// pull, as the kubelet's CRI client makes it.
func TestEnsureImageEmptyImageRef(t *testing.T) {
	puller := kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
		return kubelet.PullResult{}, nil
	})
	m, err := kubelet.NewImageManager(kubelet.Config{Store: newFakeRuntime(), Puller: puller})
	require.NoError(t, err)
	res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Image: "nginx"})
	require.ErrorIs(t, err, pullpolicy.ErrImagePull)
	assert.Equal(t, `imageRef of image "nginx:latest" is not set`, res.Message)
}

// TestEnsureImageInvalidPolicy: a policy Kubernetes does not accept fails with
// ErrInvalidPolicy and no event (the API server would have rejected the pod).
func TestEnsureImageInvalidPolicy(t *testing.T) {
	rt := newRuntime()
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt})
	require.NoError(t, err)
	res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Image: "nginx", Policy: "always"})
	require.ErrorIs(t, err, pullpolicy.ErrInvalidPolicy)
	assert.Equal(t, `Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"`, res.Message)
	assert.Empty(t, res.Events)
	assert.Empty(t, rt.takeCalls())
}

// TestEnsureImageCancelled: a pull whose context ends fails like any runtime error (Failed
// event, back-off), and errors.Is finds context.Canceled.
func TestEnsureImageCancelled(t *testing.T) {
	rt := newRuntime()
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := m.EnsureImageExists(ctx, kubelet.Request{Image: "missing_image:latest"})
	require.ErrorIs(t, err, pullpolicy.ErrImagePull)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "context canceled", res.Message)
	assert.Empty(t, rt.takeCalls(), "the runtime is not called")
}

// TestEnsureImageM4 is the kubelet's parallel-pull test with an error: two pods pull the same
// image at once (limit 2), one pull fails; on their next start both find the image present.
func TestEnsureImageM4(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		failOnce := map[string]bool{"bar2": true}
		puller := kubelet.PullerFunc(func(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
			if failOnce[req.Sandbox.UID] {
				return kubelet.PullResult{}, errors.New("pull failed")
			}
			return rt.PullImage(ctx, req)
		})
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: puller, SerializeImagePulls: ptr(false), MaxParallelImagePulls: ptr[int32](2)})
		require.NoError(t, err)
		errs := make(chan error, 2)
		for _, uid := range []string{"bar1", "bar2"} {
			go func() {
				_, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: uid}, Image: "missing_image:latest", Policy: pullpolicy.IfNotPresent})
				errs <- err
			}()
		}
		got := []error{<-errs, <-errs}
		assert.ElementsMatch(t, []bool{true, false}, []bool{got[0] == nil, got[1] == nil})
		rt.takeCalls()
		for _, uid := range []string{"bar1", "bar2"} {
			res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: uid}, Image: "missing_image:latest", Policy: pullpolicy.IfNotPresent})
			require.NoError(t, err)
			assert.Equal(t, missingImage.id, res.ImageRef)
		}
		assert.Equal(t, []string{"GetImageRef", "GetImageRef"}, rt.takeCalls(), "no pull: the image is present and open to all pods")
	})
}
