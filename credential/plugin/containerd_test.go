package plugin_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential/plugin"
	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/internal/critest"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestContainerdPullsWithPluginCredentials runs the image manager over a real containerd (the
// one .ci/containerd.sh starts, named by IMAGEPULL_CRI_SOCKET): a private image on the
// loopback registry is pulled with the plugin's credentials, and a second pod within the cache
// duration pulls again (Always) without the plugin running again. Without the socket the test
// is skipped, except under CI=true, where it fails.
func TestContainerdPullsWithPluginCredentials(t *testing.T) {
	socket := critest.Socket(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c, err := cri.Dial(ctx, socket, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })

	r := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "robot", Password: "s3cret"}})
	t.Cleanup(func() { removeImagesOf(t, c, r.Host()) })
	_, err = r.PushRandom(ctx, "private:v1")
	require.NoError(t, err)
	image := r.Ref("private", "v1")

	log, calls := callLog(t)
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
		providerConfig("login", []string{r.Host()}, "-calls", log, "-username", "robot", "-password", "s3cret",
			"-cache-key-type", "Registry", "-auth-keys", r.Host(), "-cache-duration", "10m"),
	}}, binDir(t, "login"))
	require.NoError(t, err)
	m, err := kubelet.NewImageManager(kubelet.Config{Store: c, Puller: c, CredentialProvider: p})
	require.NoError(t, err)

	for _, pod := range []string{"pod-a", "pod-b"} {
		res, err := m.EnsureImageExists(ctx, kubelet.Request{
			Pod: kubelet.Pod{Namespace: "team", Name: pod, UID: pod}, Image: image, Policy: pullpolicy.Always,
		})
		require.NoError(t, err, pod)
		require.NotEmpty(t, res.ImageRef, pod)
		assert.Equal(t, pullpolicy.ReasonPulled, res.Events[len(res.Events)-1].Reason, pod)
	}
	assert.Equal(t, []string{r.Host() + "/private"}, calls(), "one plugin run for both pods")
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("robot:s3cret"))
	authorized := 0
	for _, req := range r.Requests() {
		if req.Method == "HEAD" && req.Path == "/v2/private/manifests/v1" && req.Authorization == basic {
			authorized++
		}
	}
	assert.Equal(t, 2, authorized, "both pods' pulls resolved the tag with the plugin's credentials")
}

// removeImagesOf removes from containerd every image it holds from the registry at host.
func removeImagesOf(t *testing.T, c *cri.Client, host string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	imgs, err := c.ListImages(ctx)
	require.NoError(t, err)
	for _, img := range imgs {
		for _, name := range append(img.RepoTags, img.RepoDigests...) {
			if strings.HasPrefix(name, host+"/") {
				require.NoError(t, c.RemoveImage(ctx, img.ID))
				break
			}
		}
	}
}
