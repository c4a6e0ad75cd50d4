package apiservere2e

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/examples/simnode/sim"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kube/events"
	"github.com/imagepull/imagepull/kubelet"
)

// directNode is one virtual node driven without virtual-kubelet: the library's ImageManager
// (its own pull records, back-off, queue and QPS limit, as one kubelet has) in front of the
// simulated provider, its own event broadcaster, as one kubelet has, and a pod worker per pod.
type directNode struct {
	w        *scaleWorld
	name     string
	rt       *sim.Runtime
	provider *sim.Provider
	images   *kubelet.ImageManager
	recorder record.EventRecorder
	logf     func(format string, args ...any)
}

// startDirectNodes starts the nodes: one pod informer for all of them, each pod handed to its
// node's pod worker. It returns a function that stops them.
func startDirectNodes(t *testing.T, w *scaleWorld) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	nodes := make(map[string]*directNode, w.shape.nodes)
	var broadcasters []record.EventBroadcaster
	for i := range w.shape.nodes {
		n := &directNode{w: w, name: nodeName(i), rt: w.newRuntime(t), logf: t.Logf}
		n.provider = sim.NewProvider(n.rt, nil)
		b := record.NewBroadcaster(record.WithContext(ctx))
		b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: w.nodes.CoreV1().Events("")})
		broadcasters = append(broadcasters, b)
		n.recorder = b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: n.name})
		im, err := kubelet.NewImageManager(kubelet.Config{Store: n.rt, Puller: n.rt, Recorder: &events.Recorder{Recorder: n.recorder}})
		require.NoError(t, err)
		n.images = im
		nodes[n.name] = n
	}
	f := informers.NewSharedInformerFactoryWithOptions(w.nodes, 0, informers.WithNamespace(w.ns))
	_, err := f.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: func(obj any) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || pod.Status.Phase != "" && pod.Status.Phase != corev1.PodPending {
			return
		}
		if n := nodes[pod.Spec.NodeName]; n != nil {
			go n.sync(ctx, pod)
		}
	}})
	require.NoError(t, err)
	f.Start(ctx.Done())
	return func() {
		cancel()
		f.Shutdown()
		for _, b := range broadcasters {
			b.Shutdown()
		}
	}
}

// sync is one pod's worker: ensure every image in the kubelet's order, then start the pod on
// the provider and write its status; on a failure, write the waiting status and the Failed
// event, as the kubelet does.
func (n *directNode) sync(ctx context.Context, pod *corev1.Pod) {
	reqs, err := kube.Requests(pod, kube.RequestOptions{})
	if err != nil {
		n.logf("%s: %v", pod.Name, err)
		return
	}
	for _, req := range reqs {
		if _, err := n.images.EnsureImageExists(ctx, req); err != nil {
			n.fail(ctx, pod, req, err)
			return
		}
	}
	if err := n.provider.CreatePod(ctx, pod); err != nil {
		n.logf("%s: %v", pod.Name, err)
		return
	}
	started, err := n.provider.GetPod(ctx, pod.Namespace, pod.Name)
	if err != nil {
		n.logf("%s: %v", pod.Name, err)
		return
	}
	next := pod.DeepCopy()
	next.Status = started.Status
	if _, err := n.w.nodes.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{}); err != nil {
		n.logf("%s: %v", pod.Name, err)
	}
}

// fail writes the container's waiting reason and message and the kubelet's
// Warning Failed "Error: <reason>" event.
func (n *directNode) fail(ctx context.Context, pod *corev1.Pod, req kubelet.Request, err error) {
	var ee *kubelet.EnsureError
	if !errors.As(err, &ee) {
		n.logf("%s: %v", pod.Name, err)
		return
	}
	reason := ee.WaitingReason()
	n.recorder.Event(events.Reference(&req, pod), corev1.EventTypeWarning, "Failed", "Error: "+reason)
	next := pod.DeepCopy()
	next.Status.Phase = corev1.PodPending
	next.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: req.Container, Image: req.Image,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: ee.Message}}}}
	if _, err := n.w.nodes.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{}); err != nil {
		n.logf("%s: %v", pod.Name, err)
	}
}
