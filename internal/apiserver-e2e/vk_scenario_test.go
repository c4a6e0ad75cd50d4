package apiservere2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/virtualkubelet"
)

// The pod scenarios of issue 19 on a real kube-apiserver: a virtual node (virtual-kubelet's
// pod controller over the virtualkubelet adapter) pulls from the loopback registry, and the
// pods' statuses and events, written through client-go, are read back from the API server and
// compared, kubectl-describe style, with golden files in testdata/.

func onePod(name, image string, policy corev1.PullPolicy, secrets ...string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image, ImagePullPolicy: policy}}}}
	for _, s := range secrets {
		pod.Spec.ImagePullSecrets = append(pod.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: s})
	}
	return pod
}

// Never with the image absent: ErrImageNeverPull, and the registry is never asked.
func TestVirtualKubeletNeverAbsent(t *testing.T) {
	needControlPlane(t)
	reg := startRegistry(t)
	ns := namespace(t, hookAPI, "vk-never", false)
	n := startVirtualNode(t, "vk-never")
	n.runPod(t, ns, onePod("app", reg.Host()+"/lib/absent:1", corev1.PullNever))
	waitPod(t, ns, "app", waitingReason("ErrImageNeverPull"))
	checkDescribe(t, ns, "app", reg.Host(), "vk-never-absent.golden")
	assert.Zero(t, reg.Count("", "/v2/"))
}

// A private image and a pull Secret that does not exist: ErrImagePull, then ImagePullBackOff
// while the image's back-off lasts, the pod worker retrying every 10 s; the pulls come at 0,
// 10, 30 and 70 s on the fake clock, the back-off doubling (10 s, 20 s, 40 s). Once the Secret
// is created, the next pull succeeds and the pod runs, in the same process and without a
// restart.
func TestVirtualKubeletPrivateImageBackOff(t *testing.T) {
	needControlPlane(t)
	reg := startRegistry(t)
	_, err := reg.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	ns := namespace(t, hookAPI, "vk-private", false)
	n := startVirtualNode(t, "vk-private")
	n.runPod(t, ns, onePod("app", reg.Host()+"/team/app:v1", "", "regcred"))

	var got []string
	for i := range 8 { // t = 0 s … 70 s
		if i > 0 {
			n.clock.Step(virtualkubelet.BackOffPeriod)
		}
		n.idle(t, 1)
		w := n.status(t, ns, "app").ContainerStatuses[0].State.Waiting
		require.NotNil(t, w)
		got = append(got, fmt.Sprintf("t=%ds %s manifest-requests=%d", int(n.clock.Since(vkStart).Seconds()), w.Reason, reg.Count("HEAD", "/v2/team/app/manifests/")))
		if i == 6 {
			waitPod(t, ns, "app", waitingReason("ImagePullBackOff"))
			checkDescribe(t, ns, "app", reg.Host(), "vk-private-backoff.golden")
		}
	}
	assert.Equal(t, []string{
		"t=0s ErrImagePull manifest-requests=1",
		"t=10s ErrImagePull manifest-requests=2",
		"t=20s ImagePullBackOff manifest-requests=2",
		"t=30s ErrImagePull manifest-requests=3",
		"t=40s ImagePullBackOff manifest-requests=3",
		"t=50s ImagePullBackOff manifest-requests=3",
		"t=60s ImagePullBackOff manifest-requests=3",
		"t=70s ErrImagePull manifest-requests=4",
	}, got)

	// The Secret appears; the back-off from the pull at 70 s lasts 80 s: the pull at 150 s works.
	createSecret(t, ns, "regcred", reg)
	for n.clock.Since(vkStart) < 150*time.Second {
		n.clock.Step(virtualkubelet.BackOffPeriod)
		if n.clock.Since(vkStart) < 150*time.Second {
			n.idle(t, 1)
			assert.Equal(t, "ImagePullBackOff", n.status(t, ns, "app").ContainerStatuses[0].State.Waiting.Reason)
		}
	}
	pod := waitPod(t, ns, "app", phase(corev1.PodRunning))
	assert.Zero(t, pod.Status.ContainerStatuses[0].RestartCount)
	checkDescribe(t, ns, "app", reg.Host(), "vk-private-running.golden")
}

// An invalid image name: InvalidImageName on every sync, never ImagePullBackOff, and no
// request to the registry.
func TestVirtualKubeletInvalidName(t *testing.T) {
	needControlPlane(t)
	reg := startRegistry(t)
	ns := namespace(t, hookAPI, "vk-invalid", false)
	n := startVirtualNode(t, "vk-invalid")
	n.runPod(t, ns, onePod("app", reg.Host()+"/Team/App:v1", corev1.PullIfNotPresent))
	for i := range 4 {
		if i > 0 {
			n.clock.Step(virtualkubelet.BackOffPeriod)
		}
		n.idle(t, 1)
		assert.Equal(t, "InvalidImageName", n.status(t, ns, "app").ContainerStatuses[0].State.Waiting.Reason)
	}
	waitPod(t, ns, "app", waitingReason("InvalidImageName"))
	checkDescribe(t, ns, "app", reg.Host(), "vk-invalid-name.golden")
	assert.Zero(t, reg.Count("", "/v2/"))
}

// Two tenants on one node (KEP-2535): team-a's pod pulls the private image with its Secret and
// runs; team-b's pod, without a Secret, may not use the image on the node: it must pull with
// its own (no) credentials, and the registry refuses it.
func TestVirtualKubeletOtherTenantRefused(t *testing.T) {
	needControlPlane(t)
	reg := startRegistry(t)
	_, err := reg.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	nsA := namespace(t, hookAPI, "vk-tenant-a", false)
	nsB := namespace(t, hookAPI, "vk-tenant-b", false)
	createSecret(t, nsA, "regcred", reg)
	n := startVirtualNode(t, "vk-tenants")
	image := reg.Host() + "/team/app:v1"

	n.runPod(t, nsA, onePod("app", image, corev1.PullIfNotPresent, "regcred"))
	waitPod(t, nsA, "app", phase(corev1.PodRunning))
	_, present, err := n.rt.Lookup(t.Context(), reference.MustParse(image))
	require.NoError(t, err)
	require.True(t, present, "the image is on the node")

	n.runPod(t, nsB, onePod("app", image, corev1.PullIfNotPresent))
	waitPod(t, nsB, "app", waitingReason("ErrImagePull"))
	checkDescribe(t, nsB, "app", reg.Host(), "vk-other-tenant.golden")
}

// An Always pod on an image whose tag has not moved: the second pod's pull costs one manifest
// request (the HEAD that resolves the tag) and no blob download, as containerd's content store
// has every piece; both pods run.
func TestVirtualKubeletAlwaysUnchanged(t *testing.T) {
	needControlPlane(t)
	reg := startRegistry(t)
	_, err := reg.PushRandom(t.Context(), "lib/web:1")
	require.NoError(t, err)
	ns := namespace(t, hookAPI, "vk-always", false)
	n := startVirtualNode(t, "vk-always")
	image := reg.Host() + "/lib/web:1"

	n.runPod(t, ns, onePod("first", image, corev1.PullAlways))
	waitPod(t, ns, "first", phase(corev1.PodRunning))
	assert.Equal(t, 1, reg.Count("HEAD", "/v2/lib/web/manifests/"))
	assert.Equal(t, 1, reg.Count("GET", "/v2/lib/web/manifests/"))
	assert.Equal(t, 2, reg.Count("GET", "/v2/lib/web/blobs/"), "config and layer")

	reg.ResetCounts()
	n.runPod(t, ns, onePod("second", image, corev1.PullAlways))
	waitPod(t, ns, "second", phase(corev1.PodRunning))
	assert.Equal(t, map[string]int{"HEAD manifests": 1, "GET manifests": 0, "GET blobs": 0}, map[string]int{
		"HEAD manifests": reg.Count("HEAD", "/v2/lib/web/manifests/"),
		"GET manifests":  reg.Count("GET", "/v2/lib/web/manifests/"),
		"GET blobs":      reg.Count("GET", "/v2/lib/web/blobs/"),
	})
	checkDescribe(t, ns, "second", reg.Host(), "vk-always-unchanged.golden")
}
