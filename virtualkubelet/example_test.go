package virtualkubelet_test

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
	"github.com/imagepull/imagepull/virtualkubelet"
)

// runningProvider is the provider being wrapped: it "runs" every pod it is given.
type runningProvider struct {
	mu   sync.Mutex
	pods map[string]*corev1.Pod
}

func (p *runningProvider) CreatePod(_ context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pod = pod.DeepCopy()
	pod.Status.Phase = corev1.PodRunning
	p.pods[pod.Namespace+"/"+pod.Name] = pod
	return nil
}
func (p *runningProvider) UpdatePod(context.Context, *corev1.Pod) error { return nil }
func (p *runningProvider) DeletePod(_ context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pods, pod.Namespace+"/"+pod.Name)
	return nil
}
func (p *runningProvider) GetPod(_ context.Context, ns, name string) (*corev1.Pod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pods[ns+"/"+name].DeepCopy(), nil
}
func (p *runningProvider) GetPodStatus(ctx context.Context, ns, name string) (*corev1.PodStatus, error) {
	pod, _ := p.GetPod(ctx, ns, name)
	if pod == nil {
		return nil, nil
	}
	return &pod.Status, nil
}
func (p *runningProvider) GetPods(context.Context) ([]*corev1.Pod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*corev1.Pod
	for _, pod := range p.pods {
		out = append(out, pod.DeepCopy())
	}
	return out, nil
}

// A provider wrapped by the adapter gets a pod only once all its images are ensured the
// kubelet's way; until then the pod waits with the kubelet's reasons and messages, and the
// kubelet's events are recorded on its containers. A provider takes whole pods, so the
// container whose image is present waits too (a kubelet would start it).
func Example() {
	node := kubelettest.NewRuntime("registry.example/lib/app:1") // the node's images and its puller
	events := record.NewFakeRecorder(10)
	images, err := virtualkubelet.NewImageManager(kubelet.Config{Store: node, Puller: node}, events, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	inner := &runningProvider{pods: map[string]*corev1.Pod{}}
	p, err := virtualkubelet.New(virtualkubelet.Config{
		Provider: inner,
		Images:   images,
		Secrets:  virtualkubelet.ClientSecrets(fake.NewClientset()), // the pods' pull Secrets
		Recorder: events,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	statuses := make(chan *corev1.Pod, 10)
	p.NotifyPods(context.Background(), func(pod *corev1.Pod) { statuses <- pod })

	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", UID: "uid-1"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "registry.example/lib/app:1", ImagePullPolicy: corev1.PullNever},
			{Name: "cache", Image: "registry.example/lib/cache:2", ImagePullPolicy: corev1.PullNever},
		}},
	}
	if err := p.CreatePod(context.Background(), pod); err != nil {
		fmt.Println(err)
		return
	}
	got := <-statuses
	fmt.Println("phase:", got.Status.Phase)
	for _, cs := range got.Status.ContainerStatuses {
		fmt.Println(strings.TrimSpace(cs.Name + ": " + cs.State.Waiting.Reason + " " + cs.State.Waiting.Message))
	}
	running, _ := inner.GetPods(context.Background())
	fmt.Println("pods the provider runs:", len(running))
	// Output:
	// phase: Pending
	// app: ContainerCreating
	// cache: ErrImageNeverPull Container image "registry.example/lib/cache:2" is not present with pull policy of Never
	// pods the provider runs: 0
}
