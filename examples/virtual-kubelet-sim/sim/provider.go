package sim

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// Provider is a virtual-kubelet provider (node.PodLifecycleHandler and node.PodNotifier) whose
// pods run nowhere: CreatePod marks every container Running (init containers that are not
// sidecars Completed) with the image ID the node's image store holds, and DeletePod marks
// them Completed. It keeps its pods in memory. It is safe for concurrent use.
//
// It does not pull. Wrap it in the virtualkubelet adapter, which ensures every image of the
// pod the kubelet's way before CreatePod is called; CreatePod fails when an image is still
// missing.
type Provider struct {
	images pullpolicy.Store
	now    func() time.Time

	mu     sync.Mutex
	pods   map[string]*corev1.Pod // by namespace/name
	notify func(*corev1.Pod)
}

// NewProvider returns a Provider whose containers run images from images (a [Runtime]); now
// is the clock of the start and finish times, nil meaning time.Now.
func NewProvider(images pullpolicy.Store, now func() time.Time) *Provider {
	if now == nil {
		now = time.Now
	}
	return &Provider{images: images, now: now, pods: make(map[string]*corev1.Pod), notify: func(*corev1.Pod) {}}
}

// NotFoundError is the error of GetPod and GetPodStatus for a pod the provider does not have.
// virtual-kubelet's errdefs.IsNotFound recognises it by its NotFound method.
type NotFoundError struct{ Namespace, Name string }

// Error returns "pod NAMESPACE/NAME not found".
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("pod %s/%s not found", e.Namespace, e.Name)
}

// NotFound reports true: the error means "not found" to virtual-kubelet.
func (e *NotFoundError) NotFound() bool { return true }

// CreatePod starts pod: every container gets the image ID of its image on the node and is
// Running (an init container that is not a sidecar is terminated with exit code 0), the pod
// is Running and Ready, and the notifier is told.
func (p *Provider) CreatePod(ctx context.Context, pod *corev1.Pod) error {
	pod = pod.DeepCopy()
	now := metav1.NewTime(p.now().Truncate(time.Second))
	var err error
	status := &pod.Status
	status.InitContainerStatuses, err = p.statuses(ctx, pod.Spec.InitContainers, now, true)
	if err != nil {
		return err
	}
	status.ContainerStatuses, err = p.statuses(ctx, pod.Spec.Containers, now, false)
	if err != nil {
		return err
	}
	status.Phase = corev1.PodRunning
	status.StartTime = &now
	status.Reason, status.Message = "", ""
	for _, c := range []corev1.PodConditionType{corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
		setCondition(status, c, now)
	}
	p.mu.Lock()
	p.pods[key(pod.Namespace, pod.Name)] = pod
	notify := p.notify
	p.mu.Unlock()
	notify(pod.DeepCopy())
	return nil
}

// statuses returns the running (or, for init containers that are not sidecars, completed)
// statuses of cs.
func (p *Provider) statuses(ctx context.Context, cs []corev1.Container, now metav1.Time, init bool) ([]corev1.ContainerStatus, error) {
	out := make([]corev1.ContainerStatus, 0, len(cs))
	for _, c := range cs {
		img, err := reference.Parse(c.Image)
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", c.Name, err)
		}
		local, ok, err := p.images.Lookup(ctx, img)
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", c.Name, err)
		}
		if !ok {
			return nil, fmt.Errorf("container %s: image %q is not on the node", c.Name, c.Image)
		}
		st := corev1.ContainerStatus{Name: c.Name, Image: img.String(), ImageID: imageID(local), RestartCount: 0}
		if init && (c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways) {
			st.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now}
			st.Ready = true
		} else {
			st.State.Running = &corev1.ContainerStateRunning{StartedAt: now}
			st.Ready, st.Started = true, ptr(true)
		}
		out = append(out, st)
	}
	return out, nil
}

// imageID is what a CRI runtime reports as a container's image: the repo digest it was pulled
// by, or its ID when it has none.
func imageID(img pullpolicy.LocalImage) string {
	if len(img.RepoDigests) > 0 {
		return img.RepoDigests[0]
	}
	return img.ID
}

// setCondition sets condition c of status to True at now, unless it is already True.
func setCondition(status *corev1.PodStatus, c corev1.PodConditionType, now metav1.Time) {
	for i := range status.Conditions {
		if status.Conditions[i].Type == c {
			if status.Conditions[i].Status != corev1.ConditionTrue {
				status.Conditions[i].Status, status.Conditions[i].LastTransitionTime = corev1.ConditionTrue, now
				status.Conditions[i].Reason, status.Conditions[i].Message = "", ""
			}
			return
		}
	}
	status.Conditions = append(status.Conditions, corev1.PodCondition{Type: c, Status: corev1.ConditionTrue, LastTransitionTime: now})
}

// UpdatePod keeps the new pod's spec and metadata with the status the provider has.
func (p *Provider) UpdatePod(_ context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := key(pod.Namespace, pod.Name)
	cur, ok := p.pods[k]
	if !ok {
		return &NotFoundError{pod.Namespace, pod.Name}
	}
	next := pod.DeepCopy()
	next.Status = *cur.Status.DeepCopy()
	p.pods[k] = next
	return nil
}

// DeletePod stops pod: its running containers terminate with exit code 0, the pod Succeeds,
// the notifier is told, and the provider forgets it. Deleting a pod it does not have does
// nothing.
func (p *Provider) DeletePod(_ context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	k := key(pod.Namespace, pod.Name)
	cur, ok := p.pods[k]
	delete(p.pods, k)
	notify := p.notify
	p.mu.Unlock()
	if !ok {
		return nil
	}
	now := metav1.NewTime(p.now().Truncate(time.Second))
	done := cur.DeepCopy()
	for _, list := range [][]corev1.ContainerStatus{done.Status.InitContainerStatuses, done.Status.ContainerStatuses} {
		for i := range list {
			if r := list[i].State.Running; r != nil {
				list[i].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: r.StartedAt, FinishedAt: now}}
				list[i].Ready, list[i].Started = false, ptr(false)
			}
		}
	}
	done.Status.Phase = corev1.PodSucceeded
	notify(done)
	return nil
}

// GetPod returns a copy of the pod, or a [*NotFoundError].
func (p *Provider) GetPod(_ context.Context, namespace, name string) (*corev1.Pod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pod, ok := p.pods[key(namespace, name)]
	if !ok {
		return nil, &NotFoundError{namespace, name}
	}
	return pod.DeepCopy(), nil
}

// GetPodStatus returns a copy of the pod's status, or a [*NotFoundError].
func (p *Provider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	pod, err := p.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

// GetPods returns a copy of every pod, sorted by namespace and name.
func (p *Provider) GetPods(context.Context) ([]*corev1.Pod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := slices.Sorted(maps.Keys(p.pods))
	out := make([]*corev1.Pod, len(keys))
	for i, k := range keys {
		out[i] = p.pods[k].DeepCopy()
	}
	return out, nil
}

// NotifyPods registers f, called with each pod whose status the provider changes.
func (p *Provider) NotifyPods(_ context.Context, f func(*corev1.Pod)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notify = f
}

func key(namespace, name string) string { return namespace + "/" + name }

func ptr[T any](v T) *T { return &v }
