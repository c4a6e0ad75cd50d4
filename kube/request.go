package kube

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kubelet"
)

// RequestOptions complete what a pod alone does not say about its image pulls.
type RequestOptions struct {
	// PullSecrets are the Secrets the pod's imagePullSecrets name, already fetched ([PullSecrets]
	// picks them out of a set). Secrets of types the kubelet ignores may be included.
	PullSecrets []corev1.Secret
	// RuntimeHandlers maps RuntimeClass names to their handlers. Nil gives every request the
	// empty handler, as the kubelet does with its RuntimeClassInImageCriAPI feature gate off
	// (the default); when set, a pod's runtimeClassName must be in it, as the kubelet fails a
	// pod whose RuntimeClass it cannot look up.
	RuntimeHandlers map[string]string
}

// Requests returns the image manager's requests for every image of pod, in [PodImages]
// order: the pod's namespace, name, UID, service account and annotations, the container's
// name and kind, the image and its policy (as the API server stores it), the pull Secrets
// and the runtime handler. The kubelet asks for image volumes first, before any container
// starts, then ephemeral, init and regular containers.
func Requests(pod *corev1.Pod, opts RequestOptions) ([]kubelet.Request, error) {
	handler := ""
	if opts.RuntimeHandlers != nil && pod.Spec.RuntimeClassName != nil && *pod.Spec.RuntimeClassName != "" {
		h, ok := opts.RuntimeHandlers[*pod.Spec.RuntimeClassName]
		if !ok {
			return nil, fmt.Errorf("pod %s/%s: runtimeClassName %q: RuntimeClass not found", pod.Namespace, pod.Name, *pod.Spec.RuntimeClassName)
		}
		handler = h
	}
	p := kubelet.Pod{Namespace: pod.Namespace, Name: pod.Name, UID: string(pod.UID),
		ServiceAccount: pod.Spec.ServiceAccountName, Annotations: pod.Annotations}
	secrets := CredentialSecrets(opts.PullSecrets)
	images := PodImages(&pod.Spec)
	out := make([]kubelet.Request, len(images))
	for i, img := range images {
		out[i] = kubelet.Request{Pod: p, Container: img.Name, Kind: img.Kind.kubelet(), Image: img.Image,
			Policy: img.Effective, PullSecrets: secrets, RuntimeHandler: handler}
	}
	return out, nil
}

// kubelet returns the image manager's kind: sidecars are init containers to it.
func (k ContainerKind) kubelet() kubelet.ContainerKind {
	switch k {
	case InitContainer, SidecarContainer:
		return kubelet.KindInitContainer
	case EphemeralContainer:
		return kubelet.KindEphemeralContainer
	case ImageVolume:
		return kubelet.KindImageVolume
	}
	return kubelet.KindContainer
}

// Pod returns the pod the workload runs: for a Pod, itself; for a controller, a pod made
// from its template in the workload's namespace, named after the template or, failing that,
// the workload (controllers add a random suffix the manifest cannot know).
func (w *Workload) Pod() *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: *w.Template.ObjectMeta.DeepCopy(), Spec: w.Template.Spec}
	pod.Kind, pod.APIVersion = "Pod", "v1"
	if pod.Namespace == "" {
		pod.Namespace = w.Namespace
	}
	if pod.Name == "" {
		pod.Name = w.Name
	}
	return pod
}
