package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/reference"
)

// criProvider is a virtual-kubelet provider that runs pods on a CRI runtime: one pod sandbox
// per pod, on the host's network (no CNI needed), and the pod's containers created and started
// in it from the images the virtualkubelet adapter made ready. It is synchronous (no
// NotifyPods): the adapter asks GetPodStatus, which asks the runtime. Init containers,
// volumes, probes and resources are left out: this is an example of the image handling, not a
// kubelet.
type criProvider struct {
	images  *cri.Client
	runtime runtimeapi.RuntimeServiceClient
	logDir  string

	mu   sync.Mutex
	pods map[string]*criPod // by namespace/name
}

// criPod is a pod the runtime runs.
type criPod struct {
	pod        *corev1.Pod
	sandbox    string
	containers map[string]string // container name → runtime container ID
}

func newCRIProvider(c *cri.Client, logDir string) *criProvider {
	return &criProvider{images: c, runtime: c.RuntimeService(), logDir: logDir, pods: map[string]*criPod{}}
}

func key(namespace, name string) string { return namespace + "/" + name }

// sandboxConfig is the pod's sandbox: its metadata, a log directory, the host's network.
func (p *criProvider) sandboxConfig(pod *corev1.Pod) *runtimeapi.PodSandboxConfig {
	return &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: pod.Name, Namespace: pod.Namespace, Uid: string(pod.UID)},
		LogDirectory: filepath.Join(p.logDir, pod.Namespace+"_"+pod.Name+"_"+string(pod.UID)),
		Labels:       map[string]string{"io.kubernetes.pod.name": pod.Name, "io.kubernetes.pod.namespace": pod.Namespace},
		Linux: &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
		}},
	}
}

// CreatePod runs the pod's sandbox and starts its containers, each from the image ID the
// runtime holds for the container's image (as the kubelet passes the imageRef EnsureImageExists
// returned). On failure, what was started is removed.
func (p *criProvider) CreatePod(ctx context.Context, pod *corev1.Pod) (err error) {
	if len(pod.Spec.InitContainers) > 0 {
		return errors.New("virtual-kubelet-cri: init containers are not supported by this example")
	}
	cfg := p.sandboxConfig(pod)
	sb, err := p.runtime.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: cfg})
	if err != nil {
		return fmt.Errorf("run pod sandbox: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, p.removeSandbox(context.WithoutCancel(ctx), sb.PodSandboxId))
		}
	}()
	run := &criPod{pod: pod.DeepCopy(), sandbox: sb.PodSandboxId, containers: map[string]string{}}
	for _, c := range pod.Spec.Containers {
		img, err := reference.Parse(c.Image)
		if err != nil {
			return err
		}
		local, ok, err := p.images.Lookup(ctx, img)
		if err != nil || !ok {
			return errors.Join(fmt.Errorf("image %q of container %q is not on the node", c.Image, c.Name), err)
		}
		created, err := p.runtime.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{
			PodSandboxId: sb.PodSandboxId, SandboxConfig: cfg,
			Config: &runtimeapi.ContainerConfig{
				Metadata: &runtimeapi.ContainerMetadata{Name: c.Name},
				Image:    &runtimeapi.ImageSpec{Image: local.ID, UserSpecifiedImage: c.Image},
				Command:  c.Command, Args: c.Args, WorkingDir: c.WorkingDir,
				LogPath: c.Name + ".log",
				Labels:  map[string]string{"io.kubernetes.container.name": c.Name},
				Linux:   &runtimeapi.LinuxContainerConfig{},
			},
		})
		if err != nil {
			return fmt.Errorf("create container %q: %w", c.Name, err)
		}
		if _, err := p.runtime.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: created.ContainerId}); err != nil {
			return fmt.Errorf("start container %q: %w", c.Name, err)
		}
		run.containers[c.Name] = created.ContainerId
	}
	p.mu.Lock()
	p.pods[key(pod.Namespace, pod.Name)] = run
	p.mu.Unlock()
	return nil
}

// removeSandbox stops and removes a sandbox with its containers.
func (p *criProvider) removeSandbox(ctx context.Context, id string) error {
	_, stopErr := p.runtime.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id})
	_, rmErr := p.runtime.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: id})
	return errors.Join(stopErr, rmErr)
}

// UpdatePod changes nothing: a running container's image is not replaced in this example.
func (p *criProvider) UpdatePod(context.Context, *corev1.Pod) error { return nil }

// DeletePod stops and removes the pod's sandbox and containers.
func (p *criProvider) DeletePod(ctx context.Context, pod *corev1.Pod) error {
	k := key(pod.Namespace, pod.Name)
	p.mu.Lock()
	run, ok := p.pods[k]
	delete(p.pods, k)
	p.mu.Unlock()
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, pod.Name)
	}
	return p.removeSandbox(ctx, run.sandbox)
}

// GetPod returns the pod with the runtime's status of its containers.
func (p *criProvider) GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	p.mu.Lock()
	run, ok := p.pods[key(namespace, name)]
	p.mu.Unlock()
	if !ok {
		return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, name)
	}
	pod := run.pod.DeepCopy()
	st, err := p.status(ctx, run)
	if err != nil {
		return nil, err
	}
	pod.Status = *st
	return pod, nil
}

// GetPodStatus returns the runtime's status of the pod's containers.
func (p *criProvider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	pod, err := p.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

// GetPods returns the pods the runtime runs.
func (p *criProvider) GetPods(ctx context.Context) ([]*corev1.Pod, error) {
	p.mu.Lock()
	keys := make([]string, 0, len(p.pods))
	for k := range p.pods {
		keys = append(keys, k)
	}
	p.mu.Unlock()
	var out []*corev1.Pod
	for _, k := range keys {
		ns, name, _ := cutKey(k)
		if pod, err := p.GetPod(ctx, ns, name); err == nil {
			out = append(out, pod)
		}
	}
	return out, nil
}

func cutKey(k string) (ns, name string, ok bool) {
	for i := range k {
		if k[i] == '/' {
			return k[:i], k[i+1:], true
		}
	}
	return "", k, false
}

// status maps the runtime's container states to the API's: Running while every container
// runs, Succeeded or Failed once all have exited.
func (p *criProvider) status(ctx context.Context, run *criPod) (*corev1.PodStatus, error) {
	st := &corev1.PodStatus{Phase: corev1.PodRunning}
	exited, failed := 0, false
	for _, c := range run.pod.Spec.Containers {
		resp, err := p.runtime.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: run.containers[c.Name]})
		if err != nil {
			return nil, err
		}
		s := resp.Status
		cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: s.ImageRef, ContainerID: "containerd://" + s.Id}
		switch s.State {
		case runtimeapi.ContainerState_CONTAINER_RUNNING:
			cs.Ready, cs.Started = true, ptr(true)
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.Unix(0, s.StartedAt)}
		case runtimeapi.ContainerState_CONTAINER_EXITED:
			exited++
			failed = failed || s.ExitCode != 0
			cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: s.ExitCode, Reason: s.Reason, Message: s.Message,
				StartedAt: metav1.Unix(0, s.StartedAt), FinishedAt: metav1.Unix(0, s.FinishedAt), ContainerID: cs.ContainerID}
		default:
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	if exited == len(run.pod.Spec.Containers) {
		st.Phase = corev1.PodSucceeded
		if failed {
			st.Phase = corev1.PodFailed
		}
	}
	return st, nil
}

func ptr[T any](v T) *T { return &v }
