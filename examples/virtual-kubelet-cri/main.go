// Command virtual-kubelet-cri is a virtual node whose pods run on a real container runtime,
// such as containerd, through package cri, with the kubelet's image handling: the
// virtualkubelet adapter ensures every image of a pod the kubelet's way (pull policy, pull
// Secrets read from the API, KEP-2535 pull records kept under -root, the back-off and the pod
// worker's retries, the kubelet's statuses and events) before the provider runs the pod's
// containers in a pod sandbox on the host's network. The node reports its images in
// Node.status.images as the kubelet does.
//
//	go run ./examples/virtual-kubelet-cri -kubeconfig ~/.kube/config -cri /run/containerd/containerd.sock -node vk-cri
//
// Pods land on the node when their spec.nodeName names it. Init containers, volumes, probes and
// resources are outside this example.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/virtualkubelet"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster the node joins")
	socket := flag.String("cri", "/run/containerd/containerd.sock", "CRI socket of the container runtime")
	name := flag.String("node", "vk-cri", "the node's name")
	root := flag.String("root", filepath.Join(os.TempDir(), "virtual-kubelet-cri"), "directory of the pull records and container logs")
	flag.Parse()
	client, err := clientFor(*kubeconfig)
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err = run(ctx, options{client: client, socket: *socket, node: *name, root: *root})
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "virtual-kubelet-cri:", err)
		os.Exit(1)
	}
}

// clientFor returns a client for the cluster of the kubeconfig file.
func clientFor(kubeconfig string) (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// options are what a node needs.
type options struct {
	client kubernetes.Interface
	socket string // the CRI socket
	node   string // the node's name
	root   string // pull records (root/<node>/image_manager) and container logs (root/<node>/pods)
	ready  func() // called once the node's controllers run; may be nil
}

// run runs the node until ctx ends.
func run(ctx context.Context, o options) error {
	c, err := cri.Dial(ctx, o.socket, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	dir := filepath.Join(o.root, o.node)
	if err := os.MkdirAll(filepath.Join(dir, "pods"), 0o700); err != nil {
		return err
	}

	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: o.client.CoreV1().Events("")})
	defer broadcaster.Shutdown()
	recorder := broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: o.node})

	// The kubelet's image manager for this node: containerd pulls, the records on disk.
	images, err := virtualkubelet.NewImageManager(kubelet.Config{Store: c, Puller: c}, recorder, dir)
	if err != nil {
		return err
	}
	adapter, err := virtualkubelet.New(virtualkubelet.Config{
		Provider: newCRIProvider(c, filepath.Join(dir, "pods")),
		Images:   images,
		Secrets:  virtualkubelet.ClientSecrets(o.client),
		Recorder: recorder,
		Logger:   slog.Default(),
	})
	if err != nil {
		return err
	}
	defer adapter.Close()

	podFactory := informers.NewSharedInformerFactoryWithOptions(o.client, time.Minute, informers.WithTweakListOptions(func(lo *metav1.ListOptions) {
		lo.FieldSelector = "spec.nodeName=" + o.node
	}))
	factory := informers.NewSharedInformerFactory(o.client, time.Minute)
	pc, err := node.NewPodController(node.PodControllerConfig{
		PodClient: o.client.CoreV1(), PodInformer: podFactory.Core().V1().Pods(), EventRecorder: recorder, Provider: adapter,
		SecretInformer: factory.Core().V1().Secrets(), ConfigMapInformer: factory.Core().V1().ConfigMaps(), ServiceInformer: factory.Core().V1().Services(),
	})
	if err != nil {
		return err
	}
	nodeObj := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: o.node, Labels: map[string]string{"type": "virtual-kubelet", "kubernetes.io/role": "agent"}},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "virtual-kubelet-cri is ready"}},
			NodeInfo:   corev1.NodeSystemInfo{KubeletVersion: "v1.37.2", OperatingSystem: "linux", Architecture: "amd64"},
		},
	}
	nc, err := node.NewNodeController(virtualkubelet.NewNodeProvider(nodeObj, c, nil), nodeObj, o.client.CoreV1().Nodes())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	podFactory.Start(ctx.Done())
	factory.Start(ctx.Done())
	defer podFactory.Shutdown()
	defer factory.Shutdown()
	errs := make(chan error, 2)
	go func() { errs <- nc.Run(ctx) }()
	go func() { errs <- pc.Run(ctx, 4) }()
	select {
	case <-pc.Ready():
		if o.ready != nil {
			o.ready()
		}
	case err := <-errs:
		cancel()
		return errors.Join(err, <-errs)
	}
	<-ctx.Done()
	return errors.Join(<-errs, <-errs)
}
