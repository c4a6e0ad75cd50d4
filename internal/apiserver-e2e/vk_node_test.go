package apiservere2e

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/virtual-kubelet/virtual-kubelet/node"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/imagepull/imagepull/virtualkubelet"
)

// Basic-auth credentials of the private repositories (paths under /v2/team/).
const (
	vkRegUser     = "alice"
	vkRegPassword = "s3cret"
)

// startRegistry serves the loopback registry with its team/ repositories behind Basic auth.
func startRegistry(t *testing.T) *registrytest.Registry {
	t.Helper()
	return registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBasic, Username: vkRegUser, Password: vkRegPassword, PathPrefix: "/v2/team/"}})
}

// vnode is one virtual node: virtual-kubelet's pod controller over the adapter, over an
// in-memory provider that runs a pod as soon as it gets it, with a containerd-like runtime
// pulling from the loopback registry. The pod worker and the image manager share a fake clock.
type vnode struct {
	name    string
	clock   *testingclock.FakeClock
	rt      *contentRuntime
	adapter *virtualkubelet.Provider
}

// vkStart is the fake clock's origin.
var vkStart = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// startVirtualNode runs a virtual node named name on hookAPI until the test ends.
func startVirtualNode(t *testing.T, name string) *vnode {
	t.Helper()
	client := hookAPI.Client
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var stops []func() // run after cancel, in order
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		for _, stop := range stops {
			stop()
		}
	})

	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	stops = append(stops, broadcaster.Shutdown)
	recorder := broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: name})

	rt, err := newContentRuntime()
	require.NoError(t, err)
	t.Cleanup(rt.close)
	clk := testingclock.NewFakeClock(vkStart)
	images, err := virtualkubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Now: clk.Now}, recorder, t.TempDir())
	require.NoError(t, err)
	adapter, err := virtualkubelet.New(virtualkubelet.Config{
		Provider: newRunProvider(), Images: images, Secrets: virtualkubelet.ClientSecrets(client), Recorder: recorder,
		Clock: clk, Jitter: func(d time.Duration, _ float64) time.Duration { return d },
	})
	require.NoError(t, err)
	stops = append(stops, func() { _ = adapter.Close() })

	podFactory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = "spec.nodeName=" + name
	}))
	factory := informers.NewSharedInformerFactory(client, 0)
	pc, err := node.NewPodController(node.PodControllerConfig{
		PodClient: client.CoreV1(), PodInformer: podFactory.Core().V1().Pods(), EventRecorder: recorder, Provider: adapter,
		SecretInformer: factory.Core().V1().Secrets(), ConfigMapInformer: factory.Core().V1().ConfigMaps(), ServiceInformer: factory.Core().V1().Services(),
	})
	require.NoError(t, err)
	podFactory.Start(ctx.Done())
	factory.Start(ctx.Done())
	stops = append(stops, podFactory.Shutdown, factory.Shutdown)
	wg.Go(func() { _ = pc.Run(ctx, 2) })
	readyCtx, readyCancel := context.WithTimeout(ctx, time.Minute)
	defer readyCancel()
	select {
	case <-pc.Ready():
	case <-pc.Done():
		t.Fatalf("pod controller: %v", pc.Err())
	case <-readyCtx.Done():
		t.Fatal("pod controller not ready")
	}
	return &vnode{name: name, clock: clk, rt: rt, adapter: adapter}
}

// runPod creates pod on the node in namespace ns.
func (n *vnode) runPod(t *testing.T, ns string, pod *corev1.Pod) {
	t.Helper()
	pod.Spec.NodeName = n.name
	pod.Spec.AutomountServiceAccountToken = ptr(false)
	_, err := hookAPI.Client.CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{})
	require.NoError(t, err)
}

// idle waits until the node's pod workers all wait on the fake clock: every sync due is done.
func (n *vnode) idle(t *testing.T, workers int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for n.clock.Waiters() < workers {
		require.NoError(t, ctx.Err(), "pod workers not waiting")
		runtime.Gosched()
	}
}

// status is the adapter's current status of a pod (what it last sent to the API server).
func (n *vnode) status(t *testing.T, ns, name string) *corev1.PodStatus {
	t.Helper()
	st, err := n.adapter.GetPodStatus(t.Context(), ns, name)
	require.NoError(t, err)
	return st
}

// waitPod waits until the stored pod satisfies ok, and returns it.
func waitPod(t *testing.T, ns, name string, ok func(*corev1.Pod) error) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	require.NoError(t, eventually(t.Context(), func() error {
		p, err := hookAPI.Client.CoreV1().Pods(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		pod = p
		return ok(p)
	}))
	return pod
}

// waitingReason returns a condition on a stored pod: its first container waits with reason.
func waitingReason(reason string) func(*corev1.Pod) error {
	return func(p *corev1.Pod) error {
		for _, s := range append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...) {
			if s.State.Waiting != nil && s.State.Waiting.Reason == reason {
				return nil
			}
		}
		return fmt.Errorf("pod %s: no container waiting with %s: %+v", p.Name, reason, p.Status)
	}
}

func phase(ph corev1.PodPhase) func(*corev1.Pod) error {
	return func(p *corev1.Pod) error {
		if p.Status.Phase != ph {
			return fmt.Errorf("pod %s is %s, not %s", p.Name, p.Status.Phase, ph)
		}
		return nil
	}
}

// createSecret stores the dockerconfigjson Secret name in ns for the registry's private repositories.
func createSecret(t *testing.T, ns, name string, reg *registrytest.Registry) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: fmt.Appendf(nil, `{"auths":{%q:{"username":%q,"password":%q}}}`, reg.Host(), vkRegUser, vkRegPassword)}}
	_, err := hookAPI.Client.CoreV1().Secrets(ns).Create(t.Context(), s, metav1.CreateOptions{})
	require.NoError(t, err)
}

// describe renders a stored pod and its events as `kubectl describe pod` lays them out, with
// what varies from run to run left out (ages, IPs, the registry's port: REGISTRY). Events are
// in the order they were first recorded, with their count.
func describe(t *testing.T, ns, name, host string) (string, error) {
	ctx := t.Context()
	pod, err := hookAPI.Client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	evs, err := hookAPI.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + name})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Name:         %s\nNamespace:    %s\nNode:         %s\nStatus:       %s\n", pod.Name, pod.Namespace, pod.Spec.NodeName, pod.Status.Phase)
	section := func(title string, specs []corev1.Container, statuses []corev1.ContainerStatus) {
		if len(specs) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s:\n", title)
		for _, c := range specs {
			fmt.Fprintf(&b, "  %s:\n    Image:          %s\n", c.Name, c.Image)
			if c.ImagePullPolicy != "" {
				fmt.Fprintf(&b, "    Pull Policy:    %s\n", c.ImagePullPolicy)
			}
			i := slices.IndexFunc(statuses, func(s corev1.ContainerStatus) bool { return s.Name == c.Name })
			if i < 0 {
				continue
			}
			s := statuses[i]
			switch {
			case s.State.Waiting != nil:
				fmt.Fprintf(&b, "    State:          Waiting\n      Reason:       %s\n", s.State.Waiting.Reason)
				if s.State.Waiting.Message != "" {
					fmt.Fprintf(&b, "      Message:      %s\n", s.State.Waiting.Message)
				}
			case s.State.Running != nil:
				fmt.Fprintf(&b, "    State:          Running\n")
			case s.State.Terminated != nil:
				fmt.Fprintf(&b, "    State:          Terminated\n      Reason:       %s\n", s.State.Terminated.Reason)
			}
			fmt.Fprintf(&b, "    Ready:          %t\n    Restart Count:  %d\n", s.Ready, s.RestartCount)
		}
	}
	section("Init Containers", pod.Spec.InitContainers, pod.Status.InitContainerStatuses)
	section("Containers", pod.Spec.Containers, pod.Status.ContainerStatuses)
	items := evs.Items
	slices.SortStableFunc(items, func(a, b corev1.Event) int { return cmp.Compare(a.Name, b.Name) })
	fmt.Fprintf(&b, "Events:\n  Type     Reason                           Count  From     Message\n  ----     ------                           -----  ----     -------\n")
	for _, e := range items {
		from := e.Source.Component
		if e.ReportingController != "" && from == "" {
			from = e.ReportingController
		}
		path := ""
		if e.InvolvedObject.FieldPath != "" {
			path = " {" + e.InvolvedObject.FieldPath + "}"
		}
		fmt.Fprintf(&b, "  %-8s %-32s x%-5d %-8s %s%s\n", e.Type, e.Reason, e.Count, from, e.Message, path)
	}
	return strings.ReplaceAll(b.String(), host, "REGISTRY"), nil
}

// checkDescribe compares describe's output with testdata/<golden>, once the events have reached
// the API server (they are sent asynchronously); UPDATE_GOLDEN=1 rewrites it.
func checkDescribe(t *testing.T, ns, name, host, golden string) {
	t.Helper()
	path := filepath.Join("testdata", golden)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		// Events arrive asynchronously: write the output once it has not changed for 2 s.
		var got, last string
		require.NoError(t, eventually(t.Context(), func() error {
			var err error
			if got, err = describe(t, ns, name, host); err != nil {
				return err
			}
			if got != last {
				last = got
				time.Sleep(2 * time.Second)
				return errors.New("still changing")
			}
			return nil
		}))
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	var got string
	err = eventually(t.Context(), func() error {
		var err error
		if got, err = describe(t, ns, name, host); err != nil {
			return err
		}
		if got != string(want) {
			return fmt.Errorf("not yet %s", golden)
		}
		return nil
	})
	require.Equal(t, string(want), got, "%s (UPDATE_GOLDEN=1 rewrites it)", golden)
	require.NoError(t, err)
}

// runProvider is the provider under the adapter: it runs a pod (all containers Running) as soon
// as it gets it, and notifies virtual-kubelet.
type runProvider struct {
	mu     sync.Mutex
	pods   map[string]*corev1.Pod
	notify func(*corev1.Pod)
}

func newRunProvider() *runProvider { return &runProvider{pods: map[string]*corev1.Pod{}} }

func (r *runProvider) CreatePod(_ context.Context, pod *corev1.Pod) error {
	pod = pod.DeepCopy()
	now := metav1.Now()
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &now}
	for _, c := range pod.Spec.Containers {
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image, Ready: true,
			Started: ptr(true), State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}})
	}
	r.mu.Lock()
	r.pods[pod.Namespace+"/"+pod.Name] = pod
	f := r.notify
	r.mu.Unlock()
	if f != nil {
		f(pod.DeepCopy())
	}
	return nil
}

func (r *runProvider) UpdatePod(context.Context, *corev1.Pod) error { return nil }

func (r *runProvider) DeletePod(_ context.Context, pod *corev1.Pod) error {
	r.mu.Lock()
	p, ok := r.pods[pod.Namespace+"/"+pod.Name]
	delete(r.pods, pod.Namespace+"/"+pod.Name)
	f := r.notify
	r.mu.Unlock()
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, pod.Name)
	}
	p.Status.Phase = corev1.PodSucceeded
	for i := range p.Status.ContainerStatuses {
		p.Status.ContainerStatuses[i].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}
	}
	if f != nil {
		f(p)
	}
	return nil
}

func (r *runProvider) GetPod(_ context.Context, ns, name string) (*corev1.Pod, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.pods[ns+"/"+name]; ok {
		return p.DeepCopy(), nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, name)
}

func (r *runProvider) GetPodStatus(ctx context.Context, ns, name string) (*corev1.PodStatus, error) {
	p, err := r.GetPod(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	return &p.Status, nil
}

func (r *runProvider) GetPods(context.Context) ([]*corev1.Pod, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*corev1.Pod
	for _, p := range r.pods {
		out = append(out, p.DeepCopy())
	}
	return out, nil
}

func (r *runProvider) NotifyPods(_ context.Context, f func(*corev1.Pod)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notify = f
}
