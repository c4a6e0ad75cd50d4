package kube

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/pullpolicy"
)

// Image is one image-bearing field of a pod spec: a container's image, or an image volume's
// reference, with its pull policy.
type Image struct {
	// Kind says which list the field is in.
	Kind ContainerKind
	// Name is the container's name, or the volume's name for an [ImageVolume].
	Name string
	// Index is the position in its list (containers, initContainers, ephemeralContainers or
	// volumes).
	Index int
	// FieldPath is the field path of the object reference the kubelet records the image
	// manager's events on: "spec.containers{app}", "spec.initContainers{init}",
	// "spec.ephemeralContainers{debug}" (pkg/kubelet/container/ref.go; "spec.containers[2]"
	// for a container without a name). It is "" for an [ImageVolume]: the kubelet records an
	// image volume's events on the pod itself, with no field path
	// (pkg/kubelet/kuberuntime getImageVolumes).
	FieldPath string
	// Path locates the image string in the object, JSON-path style:
	// "spec.containers[0].image", "spec.template.spec.volumes[2].image.reference".
	Path string
	// PolicyPath locates the pull policy field in the object, whether it is set or not:
	// "spec.containers[0].imagePullPolicy", "spec.volumes[2].image.pullPolicy".
	PolicyPath string
	// Image is the image string as written ("nginx:1.25"); it may be empty or invalid.
	Image string
	// Policy is the pull policy as written; "" when the field is not set. It may be a value
	// the API server rejects ("always").
	Policy pullpolicy.Policy
	// Effective is the policy the API server stores and the kubelet applies: Policy when
	// set, otherwise [pullpolicy.Default] of the image (SetDefaults_Container, and
	// SetDefaults_Volume for image volumes, in pkg/apis/core/v1/defaults.go).
	Effective pullpolicy.Policy
}

// Defaulted reports whether the policy was left for the API server to default.
func (i Image) Defaulted() bool { return i.Policy == "" }

// PodImages returns every image-bearing field of spec, in this order: init containers
// (sidecars included), containers, ephemeral containers, image volumes. Paths are relative
// to a Pod ("spec.containers[0].image"); [Workload.Images] gives them relative to its
// object. Volumes without an image source are left out.
func PodImages(spec *corev1.PodSpec) []Image { return podImages(spec, "spec") }

// podImages is [PodImages] with the path of the pod spec in its object.
func podImages(spec *corev1.PodSpec, prefix string) []Image {
	n := len(spec.InitContainers) + len(spec.Containers) + len(spec.EphemeralContainers)
	for i := range spec.Volumes {
		if spec.Volumes[i].Image != nil {
			n++
		}
	}
	out := make([]Image, 0, n)
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		kind := InitContainer
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			kind = SidecarContainer
		}
		out = append(out, containerImage(kind, "initContainers", prefix, i, c.Name, c.Image, c.ImagePullPolicy))
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		out = append(out, containerImage(Container, "containers", prefix, i, c.Name, c.Image, c.ImagePullPolicy))
	}
	for i := range spec.EphemeralContainers {
		c := &spec.EphemeralContainers[i]
		out = append(out, containerImage(EphemeralContainer, "ephemeralContainers", prefix, i, c.Name, c.Image, c.ImagePullPolicy))
	}
	for i := range spec.Volumes {
		v := &spec.Volumes[i]
		if v.Image == nil {
			continue
		}
		at := prefix + ".volumes[" + itoa(i) + "].image."
		out = append(out, Image{
			Kind: ImageVolume, Name: v.Name, Index: i,
			Path: at + "reference", PolicyPath: at + "pullPolicy",
			Image: v.Image.Reference, Policy: pullpolicy.Policy(v.Image.PullPolicy),
			Effective: effective(v.Image.Reference, v.Image.PullPolicy),
		})
	}
	return out
}

func containerImage(kind ContainerKind, list, prefix string, i int, name, image string, policy corev1.PullPolicy) Image {
	at := prefix + "." + list + "[" + itoa(i) + "]."
	return Image{
		Kind: kind, Name: name, Index: i,
		FieldPath: containerFieldPath(list, i, name),
		Path:      at + "image", PolicyPath: at + "imagePullPolicy",
		Image: image, Policy: pullpolicy.Policy(policy),
		Effective: effective(image, policy),
	}
}

// containerFieldPath is the kubelet's fieldPath for a container of the pod
// (pkg/kubelet/container/ref.go): by name, or by index for a container without one.
func containerFieldPath(list string, i int, name string) string {
	if name == "" {
		return "spec." + list + "[" + itoa(i) + "]"
	}
	return "spec." + list + "{" + name + "}"
}

func effective(image string, policy corev1.PullPolicy) pullpolicy.Policy {
	if policy != "" {
		return pullpolicy.Policy(policy)
	}
	return pullpolicy.Default(image)
}

func itoa(i int) string { return strconv.Itoa(i) }
