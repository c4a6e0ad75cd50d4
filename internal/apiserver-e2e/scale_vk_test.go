package apiservere2e

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	vknode "github.com/virtual-kubelet/virtual-kubelet/node"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/examples/virtual-kubelet-sim/sim"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/virtualkubelet"
)

// vkPodSyncWorkers is each node's number of virtual-kubelet pod sync workers (nodeutil's
// default).
const vkPodSyncWorkers = 10

// startVKNodes starts the virtual nodes as virtual-kubelet runs them: per node, a
// PodController whose provider is the simulated provider wrapped by the virtualkubelet
// adapter, with its own image manager (its pull records, back-off, queue and QPS limit, as one
// kubelet has) and its own event broadcaster (as one kubelet has). The nodes share one client
// and one set of informers (pods, Secrets, ConfigMaps, Services of the namespace); each
// PodController filters the pods by node name. It returns a function that stops them all.
func startVKNodes(t *testing.T, w *scaleWorld) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	f := informers.NewSharedInformerFactoryWithOptions(w.nodes, 0, informers.WithNamespace(w.ns))
	pods, secrets := f.Core().V1().Pods(), f.Core().V1().Secrets()
	configMaps, services := f.Core().V1().ConfigMaps(), f.Core().V1().Services()
	var (
		wg           sync.WaitGroup
		broadcasters []record.EventBroadcaster
		adapters     []*virtualkubelet.Provider
	)
	for i := range w.shape.nodes {
		name := nodeName(i)
		rt := w.newRuntime(t)
		b := record.NewBroadcaster(record.WithContext(ctx))
		b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: w.nodes.CoreV1().Events("")})
		broadcasters = append(broadcasters, b)
		recorder := b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: name})
		images, err := virtualkubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt}, recorder, "")
		require.NoError(t, err)
		adapter, err := virtualkubelet.New(virtualkubelet.Config{
			Provider: sim.NewProvider(rt, nil),
			Images:   images,
			Secrets:  virtualkubelet.ListerSecrets(secrets.Lister().Secrets),
			Recorder: recorder,
		})
		require.NoError(t, err)
		adapters = append(adapters, adapter)
		pc, err := vknode.NewPodController(vknode.PodControllerConfig{
			PodClient:         w.nodes.CoreV1(),
			PodInformer:       pods,
			EventRecorder:     recorder,
			Provider:          adapter,
			ConfigMapInformer: configMaps,
			SecretInformer:    secrets,
			ServiceInformer:   services,
			PodEventFilterFunc: func(_ context.Context, pod *corev1.Pod) bool {
				return pod.Spec.NodeName == name
			},
		})
		require.NoError(t, err)
		wg.Go(func() { _ = pc.Run(ctx, vkPodSyncWorkers) })
	}
	f.Start(ctx.Done())
	return func() {
		// The pod workers first, so that no event follows; then the controllers.
		for _, a := range adapters {
			_ = a.Close()
		}
		cancel()
		wg.Wait()
		f.Shutdown()
		for _, b := range broadcasters {
			b.Shutdown()
		}
	}
}
