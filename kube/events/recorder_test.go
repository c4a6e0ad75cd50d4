package events_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kube/events"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
)

// sink collects the events a real client-go broadcaster delivers.
type sink struct {
	mu     sync.Mutex
	events []*corev1.Event
}

func (s *sink) add(e *corev1.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

func (s *sink) wait(t *testing.T, n int) []*corev1.Event {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.events) >= n
	}, 5*time.Second, time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*corev1.Event(nil), s.events...)
}

// recorder returns a client-go recorder as the kubelet builds one (component "kubelet") and
// the sink its events arrive in.
func recorder(t *testing.T) (record.EventRecorder, *sink) {
	scheme := runtime.NewScheme()
	require.NoError(t, corev1.AddToScheme(scheme))
	b := record.NewBroadcaster()
	t.Cleanup(b.Shutdown)
	s := &sink{}
	b.StartEventWatcher(s.add)
	return b.NewRecorder(scheme, corev1.EventSource{Component: "kubelet", Host: "node-1"}), s
}

// TestRecorderThroughImageManager runs the real image manager on a pod with a container, an
// init container and an image volume, and checks what arrives on the client-go side: the
// kubelet's reasons and messages, on the kubelet's object references.
func TestRecorderThroughImageManager(t *testing.T) {
	rec, s := recorder(t)
	rt := kubelettest.NewRuntime("busybox:1.36")
	rt.Fail("docker.io/library/broken:1", errors.New("manifest unknown"))
	pods := map[string]*corev1.Pod{}
	mgr, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Recorder: &events.Recorder{
		Recorder: rec,
		Pod:      func(ns, name, uid string) *corev1.Pod { return pods[ns+"/"+name] },
	}})
	require.NoError(t, err)

	m, err := kube.Read(stringsReader(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, uid: 11111111-2222-3333-4444-555555555555, resourceVersion: "42"}
spec:
  initContainers:
  - {name: init, image: "busybox:1.36"}
  containers:
  - {name: app, image: "broken:1"}
  volumes:
  - name: data
    image: {reference: "ghcr.io/acme/data:1", pullPolicy: IfNotPresent}
`), kube.Options{})
	require.NoError(t, err)
	pod := m.Workloads[0].Pod()
	pods["shop/web"] = pod
	reqs, err := kube.Requests(pod, kube.RequestOptions{})
	require.NoError(t, err)
	for _, r := range reqs {
		_, _ = mgr.EnsureImageExists(t.Context(), r)
	}

	got := s.wait(t, 5)
	type seen struct{ fieldPath, typ, reason, message string }
	var out []seen
	for _, e := range got {
		assert.Equal(t, "Pod", e.InvolvedObject.Kind)
		assert.Equal(t, "v1", e.InvolvedObject.APIVersion)
		assert.Equal(t, "shop", e.InvolvedObject.Namespace)
		assert.Equal(t, "web", e.InvolvedObject.Name)
		assert.Equal(t, "11111111-2222-3333-4444-555555555555", string(e.InvolvedObject.UID))
		assert.Equal(t, "42", e.InvolvedObject.ResourceVersion)
		assert.Equal(t, "kubelet", e.Source.Component)
		msg := e.Message
		if len(msg) > 40 && e.Reason == "Pulled" && e.InvolvedObject.FieldPath == "" {
			msg = msg[:40] // the durations vary
		}
		out = append(out, seen{e.InvolvedObject.FieldPath, e.Type, e.Reason, msg})
	}
	assert.ElementsMatch(t, []seen{
		{"spec.initContainers{init}", "Normal", "Pulled", `Container image "busybox:1.36" already present on machine and can be accessed by the pod`},
		{"spec.containers{app}", "Normal", "Pulling", `Pulling image "broken:1"`},
		{"spec.containers{app}", "Warning", "Failed", `Failed to pull image "broken:1": manifest unknown`},
		{"", "Normal", "Pulling", `Pulling image "ghcr.io/acme/data:1"`},
		{"", "Normal", "Pulled", `Successfully pulled image "ghcr.io/acme/`},
	}, out)
}

func TestReference(t *testing.T) {
	req := &kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: "p", UID: "u"}, Container: "debug", Kind: kubelet.KindEphemeralContainer}
	assert.Equal(t, &corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: "ns", Name: "p", UID: "u",
		FieldPath: "spec.ephemeralContainers{debug}"}, events.Reference(req, nil))
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "7"}}
	assert.Equal(t, "7", events.Reference(req, pod).ResourceVersion)
}
