package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	vknode "github.com/virtual-kubelet/virtual-kubelet/node"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/examples/virtual-kubelet-sim/sim"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/virtualkubelet"
)

// options says which nodes to run.
type options struct {
	nodes     int
	prefix    string
	plainHTTP []string
	namespace string // "" means all
	// statusEvery is how often a node lists its images for Node.status.images; zero means
	// virtualkubelet.NodeStatusInterval (10 s, the kubelet's nodeStatusUpdateFrequency).
	statusEvery time.Duration
}

// cluster is the running nodes.
type cluster struct {
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	remote   *sim.Remote
	adapters []*virtualkubelet.Provider
	events   []record.EventBroadcaster
	mu       sync.Mutex
	errs     []error
}

// start runs opts.nodes virtual nodes with client: per node a NodeController (the Node object,
// its lease and its status) and a PodController whose provider is the adapter around the
// simulated provider. The nodes share one set of informers and filter the pods by node name.
func start(ctx context.Context, client kubernetes.Interface, opts options) (*cluster, error) {
	if opts.nodes < 1 {
		return nil, errors.New("at least one node")
	}
	remote, err := sim.NewRemote(sim.RemoteOptions{PlainHTTP: opts.plainHTTP})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &cluster{cancel: cancel, remote: remote}
	var factoryOpts []informers.SharedInformerOption
	if opts.namespace != "" {
		factoryOpts = append(factoryOpts, informers.WithNamespace(opts.namespace))
	}
	f := informers.NewSharedInformerFactoryWithOptions(client, time.Minute, factoryOpts...)
	for i := range opts.nodes {
		if err := c.startNode(ctx, client, f, fmt.Sprintf("%s-%d", opts.prefix, i), opts); err != nil {
			_ = c.stop()
			return nil, err
		}
	}
	f.Start(ctx.Done())
	c.wg.Go(func() {
		<-ctx.Done()
		f.Shutdown()
	})
	return c, nil
}

// startNode starts one node.
func (c *cluster) startNode(ctx context.Context, client kubernetes.Interface, f informers.SharedInformerFactory, name string, opts options) error {
	rt := sim.NewRuntime(c.remote, sim.RuntimeOptions{})
	b := record.NewBroadcaster(record.WithContext(ctx))
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	c.events = append(c.events, b)
	recorder := b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: name})
	images, err := virtualkubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt}, recorder, "")
	if err != nil {
		return err
	}
	secrets := f.Core().V1().Secrets()
	adapter, err := virtualkubelet.New(virtualkubelet.Config{
		Provider: sim.NewProvider(rt, nil),
		Images:   images,
		Secrets:  virtualkubelet.ListerSecrets(secrets.Lister().Secrets),
		Recorder: recorder,
	})
	if err != nil {
		return err
	}
	c.adapters = append(c.adapters, adapter)
	pc, err := vknode.NewPodController(vknode.PodControllerConfig{
		PodClient:          client.CoreV1(),
		PodInformer:        f.Core().V1().Pods(),
		EventRecorder:      recorder,
		Provider:           adapter,
		ConfigMapInformer:  f.Core().V1().ConfigMaps(),
		SecretInformer:     secrets,
		ServiceInformer:    f.Core().V1().Services(),
		PodEventFilterFunc: func(_ context.Context, pod *corev1.Pod) bool { return pod.Spec.NodeName == name },
	})
	if err != nil {
		return err
	}
	n := nodeObject(name)
	np := virtualkubelet.NewNodeProvider(n, rt, &virtualkubelet.NodeOptions{Interval: opts.statusEvery})
	nc, err := vknode.NewNodeController(np, n, client.CoreV1().Nodes(),
		vknode.WithNodeEnableLeaseV1(client.CoordinationV1().Leases(corev1.NamespaceNodeLease), vknode.DefaultLeaseDuration))
	if err != nil {
		return err
	}
	c.wg.Go(func() { c.fail(nc.Run(ctx)) })
	c.wg.Go(func() { c.fail(pc.Run(ctx, 10)) })
	return nil
}

// fail keeps a controller's error, unless it only says the context ended.
func (c *cluster) fail(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	c.mu.Lock()
	c.errs = append(c.errs, err)
	c.mu.Unlock()
}

// stop stops every node and returns the controllers' errors.
func (c *cluster) stop() error {
	c.cancel()
	c.wg.Wait()
	for _, a := range c.adapters {
		_ = a.Close()
	}
	for _, b := range c.events {
		b.Shutdown()
	}
	c.remote.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	return errors.Join(c.errs...)
}

// nodeObject is the Node a simulated node registers: Ready, tainted so that only pods that
// ask for it land on it.
func nodeObject(name string) *corev1.Node {
	now := metav1.Now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("16"),
		corev1.ResourceMemory: resource.MustParse("64Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"type": "virtual-kubelet", "kubernetes.io/role": "agent", "kubernetes.io/hostname": name,
		}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "virtual-kubelet.io/provider", Value: "sim", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{
			Capacity: capacity, Allocatable: capacity,
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
				Message: "kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now}},
			NodeInfo: corev1.NodeSystemInfo{OperatingSystem: "linux", Architecture: "amd64", KubeletVersion: "v1.37.2-sim"},
		},
	}
}
