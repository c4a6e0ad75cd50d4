package podstatus

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Kind says which list of the pod spec a [Step]'s image comes from.
type Kind int

const (
	// Container is a regular container: spec.containers. It is the zero Kind.
	Container Kind = iota
	// InitContainer is an init container that runs to completion: spec.initContainers.
	InitContainer
	// SidecarContainer is an init container with restartPolicy: Always (KEP-753): it is
	// started in its place among the init containers and keeps running.
	SidecarContainer
	// EphemeralContainer is an ephemeral (debug) container: spec.ephemeralContainers.
	EphemeralContainer
	// ImageVolume is an image volume: spec.volumes[].image.
	ImageVolume
)

var kindNames = [...]string{"Container", "InitContainer", "SidecarContainer", "EphemeralContainer", "ImageVolume"}

// String returns "Container", "InitContainer", "SidecarContainer", "EphemeralContainer" or
// "ImageVolume".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Step is one EnsureImageExists call the kubelet makes for a pod: the image of a container,
// or of an image volume.
type Step struct {
	// Kind says which list of the pod spec the image is in.
	Kind Kind
	// Name is the container's name, or the volume's name for an [ImageVolume].
	Name string
	// Index is the position in its list (spec.initContainers, spec.containers,
	// spec.ephemeralContainers or spec.volumes).
	Index int
	// Image is the image string as the pod spec has it: the kubelet passes container.Image
	// (kuberuntime_container.go:215) or volume.Image.Reference (kuberuntime_manager.go:2055)
	// to EnsureImageExists verbatim.
	Image string
	// Policy is the pull policy as the pod spec has it (the API server has defaulted it).
	Policy corev1.PullPolicy
	// FieldPath is the field path of the object reference the kubelet records the step's
	// events on: "spec.containers{app}", "spec.initContainers{init}",
	// "spec.ephemeralContainers{debug}" (pkg/kubelet/container/ref.go:33 GenerateContainerRef and :49 fieldPath,
	// "spec.containers[2]" for a container without a name). It is "" for an [ImageVolume],
	// whose image manager events the kubelet records on the pod itself
	// (kuberuntime_manager.go:2053).
	FieldPath string
}

// Request returns the [kubelet.Request] for step s of pod, without pull Secrets and runtime
// handler, which the caller adds: pod namespace, name, UID, service account and annotations,
// the container (or volume) name and kind, the image and the policy.
func (s Step) Request(pod *corev1.Pod) kubelet.Request {
	kind := kubelet.KindContainer
	switch s.Kind {
	case InitContainer, SidecarContainer:
		kind = kubelet.KindInitContainer
	case EphemeralContainer:
		kind = kubelet.KindEphemeralContainer
	case ImageVolume:
		kind = kubelet.KindImageVolume
	}
	return kubelet.Request{
		Pod: kubelet.Pod{
			Namespace: pod.Namespace, Name: pod.Name, UID: string(pod.UID),
			ServiceAccount: pod.Spec.ServiceAccountName, Annotations: pod.Annotations,
		},
		Container: s.Name,
		Kind:      kind,
		Image:     s.Image,
		Policy:    pullpolicy.Policy(s.Policy),
	}
}

// Steps returns every image step of pod in the kubelet's order: image volumes (pulled first,
// for the whole pod, kuberuntime_manager.go:1889), ephemeral containers (started before the
// init containers, kuberuntime_manager.go:1908), init containers in order with sidecars
// among them, then containers. Volumes without an image source are left out.
func Steps(pod *corev1.Pod) []Step {
	spec := &pod.Spec
	out := make([]Step, 0, len(spec.InitContainers)+len(spec.Containers)+len(spec.EphemeralContainers))
	for i := range spec.Volumes {
		v := &spec.Volumes[i]
		if v.Image != nil {
			out = append(out, Step{Kind: ImageVolume, Name: v.Name, Index: i, Image: v.Image.Reference, Policy: v.Image.PullPolicy})
		}
	}
	for i := range spec.EphemeralContainers {
		c := &spec.EphemeralContainers[i]
		out = append(out, containerStep(EphemeralContainer, "ephemeralContainers", i, c.Name, c.Image, c.ImagePullPolicy))
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		kind := InitContainer
		if isSidecar(c) {
			kind = SidecarContainer
		}
		out = append(out, containerStep(kind, "initContainers", i, c.Name, c.Image, c.ImagePullPolicy))
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		out = append(out, containerStep(Container, "containers", i, c.Name, c.Image, c.ImagePullPolicy))
	}
	return out
}

func containerStep(kind Kind, list string, i int, name, image string, policy corev1.PullPolicy) Step {
	path := "spec." + list + "{" + name + "}"
	if name == "" {
		path = "spec." + list + "[" + strconv.Itoa(i) + "]"
	}
	return Step{Kind: kind, Name: name, Index: i, Image: image, Policy: policy, FieldPath: path}
}

// isSidecar is podutil.IsRestartableInitContainer.
func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}
