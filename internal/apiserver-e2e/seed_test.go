package apiservere2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/admission/webhook"
	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/internal/critest"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestSeedStory is the seed article's ending, end to end: a pod asking for imagePullPolicy
// Never is created through the API server. Without the webhook it is stored as Never and the
// kubelet's image manager, on a real containerd, fails it with ErrImageNeverPull. With the
// webhook it is stored as Always: the image manager pulls with the pod's pull Secret (Pulling,
// Pulled), and another tenant's pod naming the same image, now cached on the node, is sent to
// the registry too, which refuses it for want of credentials.
func TestSeedStory(t *testing.T) {
	needControlPlane(t)
	ctx, runtime := containerd(t)
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "tenant-a", Password: "s3cret"}})
	removeImagesOf(t, runtime, reg.Host())
	_, err := reg.PushRandom(ctx, "private/app:v1")
	require.NoError(t, err)
	image := reg.Ref("private/app", "v1")

	h := startHook(t, webhook.Config{})
	register(t, hookAPI, h, registration{mutate: fail})
	on := namespace(t, hookAPI, "seed", true)
	off := namespace(t, hookAPI, "seed-unprotected", false)
	waitMutating(t, hookAPI, on)
	for _, ns := range []string{on, off} {
		dockerConfig := fmt.Sprintf(`{"auths":{%q:{"username":"tenant-a","password":"s3cret","auth":%q}}}`,
			reg.Host(), base64.StdEncoding.EncodeToString([]byte("tenant-a:s3cret")))
		_, err := hookAPI.Client.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson,
			Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(dockerConfig)},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	manager, err := kubelet.NewImageManager(kubelet.Config{Store: runtime, Puller: runtime})
	require.NoError(t, err)

	// start creates a one-container pod asking for Never and runs the image manager on what the
	// API server stored (package kube turns the pod and its fetched pull Secrets into the
	// manager's request, as the kubelet does).
	start := func(ns, name string, secrets ...string) (corev1.PullPolicy, kubelet.Result, error) {
		t.Helper()
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PodSpec{
				AutomountServiceAccountToken: ptr(false),
				Containers:                   []corev1.Container{{Name: "app", Image: image, ImagePullPolicy: corev1.PullNever}},
			},
		}
		for _, s := range secrets {
			pod.Spec.ImagePullSecrets = append(pod.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: s})
		}
		stored, err := hookAPI.Client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		require.NoError(t, err)
		var pullSecrets []corev1.Secret
		for _, ref := range stored.Spec.ImagePullSecrets {
			s, err := hookAPI.Client.CoreV1().Secrets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
			require.NoError(t, err)
			pullSecrets = append(pullSecrets, *s)
		}
		reqs, err := kube.Requests(stored, kube.RequestOptions{PullSecrets: pullSecrets})
		require.NoError(t, err)
		require.Len(t, reqs, 1)
		req := reqs[0]
		require.Equal(t, string(stored.Spec.Containers[0].ImagePullPolicy), string(req.Policy))
		res, err := manager.EnsureImageExists(ctx, req)
		return stored.Spec.Containers[0].ImagePullPolicy, res, err
	}

	policy, res, err := start(off, "tenant-a", "regcred")
	assert.Equal(t, corev1.PullNever, policy, "no webhook: stored as asked")
	require.ErrorIs(t, err, pullpolicy.ErrImageNeverPull)
	assert.Equal(t, []kubelet.Event{{Type: kubelet.EventTypeWarning, Reason: pullpolicy.ReasonNeverPull,
		Message: `Container image "` + image + `" is not present with pull policy of Never`, FieldPath: "spec.containers{app}"}}, res.Events)

	policy, res, err = start(on, "tenant-a", "regcred")
	assert.Equal(t, corev1.PullAlways, policy, "the webhook set Always")
	require.NoError(t, err)
	require.Len(t, res.Events, 2)
	assert.Equal(t, kubelet.Event{Type: kubelet.EventTypeNormal, Reason: pullpolicy.ReasonPulling,
		Message: `Pulling image "` + image + `"`, FieldPath: "spec.containers{app}"}, res.Events[0])
	assert.Equal(t, pullpolicy.ReasonPulled, res.Events[1].Reason)
	assert.True(t, strings.HasPrefix(res.Events[1].Message, `Successfully pulled image "`+image+`" in `), res.Events[1].Message)
	img, present, err := runtime.Lookup(ctx, reference.MustParse(image))
	require.NoError(t, err)
	require.True(t, present, "containerd holds the image now")
	assert.Equal(t, res.ImageRef, img.ID)

	policy, res, err = start(on, "tenant-b")
	assert.Equal(t, corev1.PullAlways, policy)
	require.ErrorIs(t, err, pullpolicy.ErrImagePull, "the cached image is not started: the registry refuses a pod without credentials")
	assert.Empty(t, res.ImageRef)
	assert.Contains(t, err.Error(), "401 Unauthorized")
	require.Len(t, res.Events, 2)
	assert.Equal(t, pullpolicy.ReasonPulling, res.Events[0].Reason)
	assert.Equal(t, pullpolicy.ReasonFailed, res.Events[1].Reason)
	assert.Contains(t, res.Events[1].Message, "401 Unauthorized")
}

// containerd dials the CRI socket in IMAGEPULL_CRI_SOCKET; without one the test skips (fails
// under CI=true).
func containerd(t *testing.T) (context.Context, *cri.Client) {
	t.Helper()
	socket := critest.Socket(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	c, err := cri.Dial(ctx, socket, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return ctx, c
}

// removeImagesOf removes, when the test ends, the images the runtime holds from host.
func removeImagesOf(t *testing.T, c *cri.Client, host string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
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
	})
}
