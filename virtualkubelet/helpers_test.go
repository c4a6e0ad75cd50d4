package virtualkubelet

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
)

// memProvider is a notifying provider in memory: CreatePod marks the pod Running.
type memProvider struct {
	mu      sync.Mutex
	pods    map[string]*corev1.Pod
	creates int
	notify  func(*corev1.Pod)
}

func newMemProvider() *memProvider { return &memProvider{pods: map[string]*corev1.Pod{}} }

func (m *memProvider) CreatePod(_ context.Context, pod *corev1.Pod) error {
	m.mu.Lock()
	pod = pod.DeepCopy()
	pod.Status.Phase = corev1.PodRunning
	pod.Status.ContainerStatuses = nil
	for _, c := range pod.Spec.Containers {
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image, Ready: true,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}})
	}
	m.pods[podKey(pod.Namespace, pod.Name)] = pod
	m.creates++
	f := m.notify
	m.mu.Unlock()
	if f != nil {
		f(pod.DeepCopy())
	}
	return nil
}

func (m *memProvider) UpdatePod(context.Context, *corev1.Pod) error { return nil }

func (m *memProvider) DeletePod(_ context.Context, pod *corev1.Pod) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pods, podKey(pod.Namespace, pod.Name))
	return nil
}

func (m *memProvider) GetPod(_ context.Context, namespace, name string) (*corev1.Pod, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.pods[podKey(namespace, name)]; ok {
		return p.DeepCopy(), nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, name)
}

func (m *memProvider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	p, err := m.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &p.Status, nil
}

func (m *memProvider) GetPods(context.Context) ([]*corev1.Pod, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*corev1.Pod
	for _, p := range m.pods {
		out = append(out, p.DeepCopy())
	}
	return out, nil
}

func (m *memProvider) NotifyPods(_ context.Context, f func(*corev1.Pod)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notify = f
}

func (m *memProvider) createCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.creates
}

// eventLog is a record.EventRecorder that keeps each event as kubectl lists it, with the field
// path of its object reference.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) Event(obj k8sruntime.Object, typ, reason, msg string) {
	path := ""
	if ref, ok := obj.(*corev1.ObjectReference); ok {
		path = ref.FieldPath
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf("%s %s %s %s", typ, reason, path, msg))
}

func (l *eventLog) Eventf(obj k8sruntime.Object, typ, reason, format string, args ...any) {
	l.Event(obj, typ, reason, fmt.Sprintf(format, args...))
}

func (l *eventLog) AnnotatedEventf(obj k8sruntime.Object, _ map[string]string, typ, reason, format string, args ...any) {
	l.Eventf(obj, typ, reason, format, args...)
}

// take returns the events recorded since the last take.
func (l *eventLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

// harness is one virtual node: the adapter over a memProvider, an in-memory runtime with a
// private repository, a fake API client for Secrets, and a fake clock shared by the pod
// worker and the image manager.
type harness struct {
	t        *testing.T
	p        *Provider
	inner    *memProvider
	rt       *kubelettest.Runtime
	client   *fake.Clientset
	clock    *testingclock.FakeClock
	events   *eventLog
	statuses chan *corev1.Pod
}

var start = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, cfg kubelet.Config) *harness {
	t.Helper()
	h := &harness{t: t, inner: newMemProvider(), rt: kubelettest.NewRuntime(), client: fake.NewClientset(),
		clock: testingclock.NewFakeClock(start), events: &eventLog{}, statuses: make(chan *corev1.Pod, 100)}
	h.rt.Private("registry.example/team/app", credential.Credential{Username: "alice", Password: "s3cret"})
	cfg.Store, cfg.Puller, cfg.Now = h.rt, h.rt, h.clock.Now
	images, err := NewImageManager(cfg, h.events, t.TempDir())
	require.NoError(t, err)
	h.p, err = New(Config{Provider: h.inner, Images: images, Secrets: ClientSecrets(h.client), Recorder: h.events,
		Clock: h.clock, Jitter: func(d time.Duration, _ float64) time.Duration { return d }})
	require.NoError(t, err)
	h.p.NotifyPods(t.Context(), func(p *corev1.Pod) { h.statuses <- p })
	t.Cleanup(func() { require.NoError(t, h.p.Close()) })
	return h
}

// next returns the next pod status the adapter notified, bounded by the test's context.
func (h *harness) next() *corev1.Pod {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.t.Context(), 30*time.Second)
	defer cancel()
	select {
	case p := <-h.statuses:
		return p
	case <-ctx.Done():
		h.t.Fatal("no pod status notified")
		return nil
	}
}

// step moves the clock by d once the pod worker waits on it.
func (h *harness) step(d time.Duration) {
	h.t.Helper()
	for !h.clock.HasWaiters() {
		require.NoError(h.t, h.t.Context().Err())
		runtime.Gosched()
	}
	h.clock.Step(d)
}

func (h *harness) addSecret(ns, name string) {
	h.t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)},
		Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{"registry.example":{"username":"alice","password":"s3cret"}}}`)}}
	_, err := h.client.CoreV1().Secrets(ns).Create(h.t.Context(), s, metav1.CreateOptions{})
	require.NoError(h.t, err)
}

func testPod(ns, name string, containers ...corev1.Container) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + "-" + name)},
		Spec: corev1.PodSpec{Containers: containers}}
}

// waiting returns "reason: message" of each container's waiting state, init containers first.
func waiting(p *corev1.Pod) []string {
	var out []string
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, s := range list {
			switch {
			case s.State.Waiting != nil:
				out = append(out, s.Name+" "+s.State.Waiting.Reason+": "+s.State.Waiting.Message)
			case s.State.Running != nil:
				out = append(out, s.Name+" Running")
			default:
				out = append(out, s.Name+" ?")
			}
		}
	}
	return out
}
