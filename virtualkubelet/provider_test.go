package virtualkubelet

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kubelet"
)

const private = "registry.example/team/app:v1"

// A private image without its Secret: ErrImagePull, then ImagePullBackOff between pulls whose
// spacing doubles (10 s, 20 s, 40 s on the fake clock, the pod worker retrying every 10 s);
// once the Secret exists, the next sync pulls and the provider creates the pod, with no restart.
func TestPrivateImageBackOffThenSecret(t *testing.T) {
	h := newHarness(t, kubelet.Config{})
	pod := testPod("team-b", "app", corev1.Container{Name: "app", Image: private})
	pod.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}}
	require.NoError(t, h.p.CreatePod(t.Context(), pod))

	p := h.next()
	assert.Equal(t, corev1.PodPending, p.Status.Phase)
	want := `app ErrImagePull: failed to pull and unpack image "registry.example/team/app:v1": failed to resolve reference "registry.example/team/app:v1": unexpected status from HEAD request: 401 Unauthorized`
	assert.Equal(t, []string{want}, waiting(p))
	assert.Equal(t, []string{
		`Normal Pulling spec.containers{app} Pulling image "registry.example/team/app:v1"`,
		`Warning Failed spec.containers{app} Failed to pull image "registry.example/team/app:v1": failed to pull and unpack image "registry.example/team/app:v1": failed to resolve reference "registry.example/team/app:v1": unexpected status from HEAD request: 401 Unauthorized`,
		`Warning Failed spec.containers{app} Error: ErrImagePull`,
		`Warning FailedToRetrieveImagePullSecret  Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.`,
	}, h.events.take())

	// The pod worker syncs every 10 s; the image back-off doubles from 10 s.
	var pulls []time.Duration
	var reasons []string
	var backOff *corev1.ContainerStateWaiting
	for range 15 {
		h.step(BackOffPeriod)
		p = h.next()
		reason := p.Status.ContainerStatuses[0].State.Waiting.Reason
		reasons = append(reasons, reason)
		if reason == "ErrImagePull" {
			pulls = append(pulls, h.clock.Now().Sub(start))
		} else {
			backOff = p.Status.ContainerStatuses[0].State.Waiting
		}
	}
	assert.Equal(t, []time.Duration{10 * time.Second, 30 * time.Second, 70 * time.Second, 150 * time.Second}, pulls)
	assert.Equal(t, "ImagePullBackOff", reasons[1])
	require.NotNil(t, backOff)
	assert.Equal(t, "ImagePullBackOff", backOff.Reason)
	assert.Equal(t, `Back-off pulling image "registry.example/team/app:v1": ErrImagePull: failed to pull and unpack image "registry.example/team/app:v1": failed to resolve reference "registry.example/team/app:v1": unexpected status from HEAD request: 401 Unauthorized`, backOff.Message)
	assert.Contains(t, h.events.take(), `Warning Failed spec.containers{app} Error: ImagePullBackOff`)
	assert.Zero(t, h.inner.createCount())

	// The Secret appears; the back-off from the pull at 150 s lasts 160 s.
	h.addSecret("team-b", "regcred")
	for h.clock.Now().Sub(start) < 310*time.Second {
		h.step(BackOffPeriod)
		p = h.next()
	}
	assert.Equal(t, corev1.PodRunning, p.Status.Phase)
	assert.Equal(t, []string{"app Running"}, waiting(p))
	assert.Equal(t, 1, h.inner.createCount())
	got, err := h.p.GetPod(t.Context(), "team-b", "app")
	require.NoError(t, err)
	assert.Equal(t, corev1.PodRunning, got.Status.Phase)
}

// Never with the image absent, and an invalid name: each fails on every sync with its own
// reason, never ImagePullBackOff, and nothing is pulled.
func TestNoBackOffReasons(t *testing.T) {
	for _, tc := range []struct {
		name, image, reason string
		policy              corev1.PullPolicy
	}{
		{"never", "registry.example/lib/absent:1", "ErrImageNeverPull", corev1.PullNever},
		{"invalid", "registry.example/Team/App:v1", "InvalidImageName", corev1.PullIfNotPresent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, kubelet.Config{})
			require.NoError(t, h.p.CreatePod(t.Context(), testPod("ns", "p", corev1.Container{Name: "c", Image: tc.image, ImagePullPolicy: tc.policy})))
			for i := range 4 {
				if i > 0 {
					h.step(BackOffPeriod)
				}
				p := h.next()
				assert.Equal(t, tc.reason, p.Status.ContainerStatuses[0].State.Waiting.Reason)
			}
			assert.Empty(t, h.rt.Pulls())
			assert.Contains(t, h.events.take(), "Warning Failed spec.containers{c} Error: "+tc.reason)
		})
	}
}

// Init containers are started in order: when the first fails, the second and the regular
// containers are not reached, and the provider does not get the pod.
func TestInitContainersInOrder(t *testing.T) {
	h := newHarness(t, kubelet.Config{})
	pod := testPod("ns", "p", corev1.Container{Name: "app", Image: "registry.example/lib/app:1"})
	pod.Spec.InitContainers = []corev1.Container{
		{Name: "init1", Image: "registry.example/lib/absent:1", ImagePullPolicy: corev1.PullNever},
		{Name: "init2", Image: "registry.example/lib/other:1"},
	}
	require.NoError(t, h.p.CreatePod(t.Context(), pod))
	p := h.next()
	assert.Equal(t, []string{
		`init1 ErrImageNeverPull: Container image "registry.example/lib/absent:1" is not present with pull policy of Never`,
		"init2 PodInitializing: ",
		"app PodInitializing: ",
	}, waiting(p))
	assert.Empty(t, h.rt.Pulls())
	assert.Zero(t, h.inner.createCount())
}

// A pod deleted while it waits for its images is reported terminated and its worker ends; the
// provider never gets it.
func TestDeleteWaitingPod(t *testing.T) {
	h := newHarness(t, kubelet.Config{})
	pod := testPod("ns", "p", corev1.Container{Name: "c", Image: private})
	require.NoError(t, h.p.CreatePod(t.Context(), pod))
	h.next()
	require.NoError(t, h.p.DeletePod(t.Context(), pod))
	p := h.next()
	require.NotNil(t, p.Status.ContainerStatuses[0].State.Terminated)
	assert.Equal(t, corev1.PodFailed, p.Status.Phase)
	require.NoError(t, h.p.Close())
	assert.Zero(t, h.inner.createCount())
	_, err := h.p.GetPod(t.Context(), "ns", "p")
	require.Error(t, err)
}

// Two tenants on one node: team-a pulls the private image with its Secret; team-b's pod,
// without it, may not use the copy on the node (KEP-2535) and must pull, which the registry
// refuses.
func TestOtherTenantRefused(t *testing.T) {
	h := newHarness(t, kubelet.Config{})
	h.addSecret("team-a", "regcred")
	a := testPod("team-a", "app", corev1.Container{Name: "app", Image: private})
	a.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}}
	require.NoError(t, h.p.CreatePod(t.Context(), a))
	assert.Equal(t, corev1.PodRunning, h.next().Status.Phase)
	h.events.take()

	b := testPod("team-b", "app", corev1.Container{Name: "app", Image: private, ImagePullPolicy: corev1.PullIfNotPresent})
	require.NoError(t, h.p.CreatePod(t.Context(), b))
	p := h.next()
	assert.Equal(t, "ErrImagePull", p.Status.ContainerStatuses[0].State.Waiting.Reason)
	assert.Len(t, h.rt.Pulls(), 2)
	assert.Equal(t, 1, h.inner.createCount())
}

func TestNewRequiresEverything(t *testing.T) {
	_, err := New(Config{})
	require.EqualError(t, err, "virtualkubelet: Config.Provider is nil\nvirtualkubelet: Config.Images is nil\nvirtualkubelet: Config.Secrets is nil\nvirtualkubelet: Config.Recorder is nil")
}

// syncProvider hides memProvider's NotifyPods: a provider that virtual-kubelet has to poll.
type syncProvider struct{ m *memProvider }

func (s syncProvider) CreatePod(ctx context.Context, p *corev1.Pod) error {
	return s.m.CreatePod(ctx, p)
}
func (s syncProvider) UpdatePod(ctx context.Context, p *corev1.Pod) error {
	return s.m.UpdatePod(ctx, p)
}
func (s syncProvider) DeletePod(ctx context.Context, p *corev1.Pod) error {
	return s.m.DeletePod(ctx, p)
}
func (s syncProvider) GetPod(ctx context.Context, ns, n string) (*corev1.Pod, error) {
	return s.m.GetPod(ctx, ns, n)
}
func (s syncProvider) GetPodStatus(ctx context.Context, ns, n string) (*corev1.PodStatus, error) {
	return s.m.GetPodStatus(ctx, ns, n)
}
func (s syncProvider) GetPods(ctx context.Context) ([]*corev1.Pod, error) { return s.m.GetPods(ctx) }

// A provider that does not notify: once it has the pod, its status is asked every
// StatusPollInterval and passed on to virtual-kubelet when it changed, and only then.
func TestSyncProviderPolled(t *testing.T) {
	h := newHarness(t, kubelet.Config{})
	inner := newMemProvider()
	var err error
	h.p, err = New(Config{Provider: syncProvider{inner}, Images: h.p.cfg.Images, Secrets: h.p.cfg.Secrets, Recorder: h.events, Clock: h.clock})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, h.p.Close()) })
	h.p.NotifyPods(t.Context(), func(p *corev1.Pod) { h.statuses <- p })

	require.NoError(t, h.p.CreatePod(t.Context(), testPod("ns", "p", corev1.Container{Name: "c", Image: "registry.example/lib/app:1"})))
	h.step(StatusPollInterval)
	p := h.next()
	assert.Equal(t, corev1.PodRunning, p.Status.Phase)
	h.step(StatusPollInterval) // unchanged: nothing sent
	inner.mu.Lock()
	inner.pods["ns/p"].Status.Phase = corev1.PodSucceeded
	inner.mu.Unlock()
	h.step(StatusPollInterval)
	assert.Equal(t, corev1.PodSucceeded, h.next().Status.Phase)
	assert.Empty(t, h.statuses)
}

// A pod updated while it waits syncs at once with its new spec: the new image is ensured and
// the provider gets the updated pod.
func TestUpdateWaitingPod(t *testing.T) {
	h := newHarness(t, kubelet.Config{})
	pod := testPod("ns", "p", corev1.Container{Name: "c", Image: "registry.example/lib/absent:1", ImagePullPolicy: corev1.PullNever})
	require.NoError(t, h.p.CreatePod(t.Context(), pod))
	assert.Equal(t, "ErrImageNeverPull", h.next().Status.ContainerStatuses[0].State.Waiting.Reason)

	updated := pod.DeepCopy()
	updated.Spec.Containers[0].Image = "registry.example/lib/app:1"
	updated.Spec.Containers[0].ImagePullPolicy = corev1.PullIfNotPresent
	require.NoError(t, h.p.UpdatePod(t.Context(), updated))
	p := h.next()
	assert.Equal(t, corev1.PodRunning, p.Status.Phase)
	assert.Equal(t, "registry.example/lib/app:1", p.Spec.Containers[0].Image)
	assert.Equal(t, 1, h.inner.createCount())
}
