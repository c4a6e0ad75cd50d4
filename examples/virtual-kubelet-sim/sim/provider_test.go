package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
)

var start = time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)

func testPod(images ...string) *corev1.Pod {
	always := corev1.ContainerRestartPolicyAlways
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", UID: "uid-1"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: images[0]}, {Name: "sidecar", Image: images[1], RestartPolicy: &always}},
			Containers:     []corev1.Container{{Name: "app", Image: images[2]}},
		},
	}
}

func newProvider(t *testing.T, preload ...string) (*Provider, *[]*corev1.Pod) {
	t.Helper()
	store := cache.NewStore()
	for _, name := range preload {
		require.NoError(t, store.Add(pullpolicy.LocalImage{RepoTags: []string{name}, RepoDigests: []string{name[:len(name)-4] + "@sha256:" + sha(name)}}))
	}
	p := NewProvider(store, func() time.Time { return start })
	var notified []*corev1.Pod
	p.NotifyPods(t.Context(), func(pod *corev1.Pod) { notified = append(notified, pod) })
	return p, &notified
}

func sha(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 64)
	for i := range b {
		b[i] = hex[(int(s[i%len(s)])+i)%16]
	}
	return string(b)
}

// CreatePod runs every container on the image the node holds; init containers complete,
// sidecars and containers run; the notifier gets the Running pod.
func TestProviderCreatePodRunning(t *testing.T) {
	p, notified := newProvider(t, "init:1.0", "side:1.0", "app:1.0")
	require.NoError(t, p.CreatePod(t.Context(), testPod("init:1.0", "side:1.0", "app:1.0")))
	require.Len(t, *notified, 1)
	st := (*notified)[0].Status
	assert.Equal(t, corev1.PodRunning, st.Phase)
	require.Len(t, st.InitContainerStatuses, 2)
	require.Len(t, st.ContainerStatuses, 1)
	assert.NotNil(t, st.InitContainerStatuses[0].State.Terminated)
	assert.Equal(t, "Completed", st.InitContainerStatuses[0].State.Terminated.Reason)
	assert.NotNil(t, st.InitContainerStatuses[1].State.Running)
	app := st.ContainerStatuses[0]
	require.NotNil(t, app.State.Running)
	assert.Equal(t, "docker.io/library/app:1.0", app.Image)
	assert.Equal(t, "docker.io/library/app@sha256:"+sha("app:1.0"), app.ImageID)
	assert.True(t, app.Ready)
	var ready bool
	for _, c := range st.Conditions {
		if c.Type == corev1.PodReady {
			ready = c.Status == corev1.ConditionTrue
		}
	}
	assert.True(t, ready)

	got, err := p.GetPodStatus(t.Context(), "ns", "p")
	require.NoError(t, err)
	assert.Equal(t, st, *got)
	pods, err := p.GetPods(t.Context())
	require.NoError(t, err)
	assert.Len(t, pods, 1)
}

// An image that is not on the node fails CreatePod: the provider never pulls.
func TestProviderCreatePodImageMissing(t *testing.T) {
	p, notified := newProvider(t, "init:1.0", "side:1.0")
	err := p.CreatePod(t.Context(), testPod("init:1.0", "side:1.0", "app:1.0"))
	require.EqualError(t, err, `container app: image "app:1.0" is not on the node`)
	assert.Empty(t, *notified)
	_, err = p.GetPod(t.Context(), "ns", "p")
	var nf interface{ NotFound() bool }
	require.True(t, errors.As(err, &nf))
	assert.True(t, nf.NotFound())
}

// DeletePod completes the running containers, reports the pod Succeeded, and forgets it.
func TestProviderDeletePod(t *testing.T) {
	p, notified := newProvider(t, "init:1.0", "side:1.0", "app:1.0")
	pod := testPod("init:1.0", "side:1.0", "app:1.0")
	require.NoError(t, p.CreatePod(t.Context(), pod))
	require.NoError(t, p.DeletePod(t.Context(), pod))
	require.Len(t, *notified, 2)
	done := (*notified)[1].Status
	assert.Equal(t, corev1.PodSucceeded, done.Phase)
	require.NotNil(t, done.ContainerStatuses[0].State.Terminated)
	assert.Equal(t, int32(0), done.ContainerStatuses[0].State.Terminated.ExitCode)
	require.NotNil(t, done.InitContainerStatuses[1].State.Terminated, "the sidecar stops too")
	_, err := p.GetPod(t.Context(), "ns", "p")
	assert.ErrorContains(t, err, "pod ns/p not found")
	require.NoError(t, p.DeletePod(t.Context(), pod), "deleting twice does nothing")
	assert.Len(t, *notified, 2)
}
