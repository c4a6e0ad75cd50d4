package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// waitFor polls cond until it holds, for at most 60 s (a bound for a loaded machine, not a
// measure of speed).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			require.FailNow(t, "timed out waiting: "+what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// One simulated node on a fake API server: a pod on a registry image is pulled (for real, from
// the loopback registry) and Running with the image's digest; a Never pod on an absent image
// waits with ErrImageNeverPull and the kubelet's events; the node reports the pulled image in
// Node.status.images.
func TestSimulatedNode(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	d, err := reg.PushRandom(t.Context(), "web:v1")
	require.NoError(t, err)
	client := fake.NewClientset()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c, err := start(ctx, client, options{nodes: 1, prefix: "vk-sim", plainHTTP: []string{"127.0.0.1"}, statusEvery: 100 * time.Millisecond})
	require.NoError(t, err)
	defer func() { require.NoError(t, c.stop()) }()

	pod := func(name, image string, policy corev1.PullPolicy) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: types.UID("uid-" + name)},
			Spec:       corev1.PodSpec{NodeName: "vk-sim-0", Containers: []corev1.Container{{Name: "app", Image: image, ImagePullPolicy: policy}}},
			Status:     corev1.PodStatus{Phase: corev1.PodPending},
		}
	}
	pods := client.CoreV1().Pods("default")
	_, err = pods.Create(ctx, pod("web", reg.Ref("web", "v1"), corev1.PullIfNotPresent), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = pods.Create(ctx, pod("never", reg.Ref("absent", "v1"), corev1.PullNever), metav1.CreateOptions{})
	require.NoError(t, err)

	var web, never *corev1.Pod
	waitFor(t, "web Running", func() bool {
		web, err = pods.Get(ctx, "web", metav1.GetOptions{})
		return err == nil && web.Status.Phase == corev1.PodRunning
	})
	require.Len(t, web.Status.ContainerStatuses, 1)
	assert.Equal(t, reg.Host()+"/web@"+d.String(), web.Status.ContainerStatuses[0].ImageID)
	assert.NotNil(t, web.Status.ContainerStatuses[0].State.Running)
	assert.Equal(t, 1, reg.Count("HEAD", "/v2/web/manifests/"), "one resolve")
	assert.Equal(t, 1, reg.Count("GET", "/v2/web/manifests/"), "one manifest")
	assert.Equal(t, 2, reg.Count("GET", "/v2/web/blobs/"), "config and layer")

	waitFor(t, "never waiting", func() bool {
		never, err = pods.Get(ctx, "never", metav1.GetOptions{})
		return err == nil && len(never.Status.ContainerStatuses) == 1 && never.Status.ContainerStatuses[0].State.Waiting != nil &&
			never.Status.ContainerStatuses[0].State.Waiting.Reason == "ErrImageNeverPull"
	})
	assert.Equal(t, `Container image "`+reg.Ref("absent", "v1")+`" is not present with pull policy of Never`,
		never.Status.ContainerStatuses[0].State.Waiting.Message)
	assert.Zero(t, reg.Count("", "/v2/absent/"), "Never asks no registry")

	waitFor(t, "the kubelet's events", func() bool {
		list, err := client.CoreV1().Events("default").List(ctx, metav1.ListOptions{})
		if err != nil {
			return false
		}
		var got []string
		for _, e := range list.Items {
			got = append(got, e.InvolvedObject.Name+" "+e.Reason+" "+e.Message)
		}
		return slices.Contains(got, "web Pulling Pulling image \""+reg.Ref("web", "v1")+"\"") &&
			slices.Contains(got, "never ErrImageNeverPull Container image \""+reg.Ref("absent", "v1")+"\" is not present with pull policy of Never") &&
			slices.Contains(got, "never Failed Error: ErrImageNeverPull")
	})

	waitFor(t, "the node's images", func() bool {
		n, err := client.CoreV1().Nodes().Get(ctx, "vk-sim-0", metav1.GetOptions{})
		return err == nil && len(n.Status.Images) == 1 && slices.Contains(n.Status.Images[0].Names, reg.Host()+"/web@"+d.String())
	})
}
