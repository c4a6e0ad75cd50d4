package webhook

import (
	"iter"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/imagepull/imagepull/admission"
)

// slimPod is the part of a v1 Pod's JSON that the plugin and the exclusions read: its type, its
// name, generateName, namespace and labels, and the name, image and pull policy of every
// container and image volume, in order. Its JSON names are corev1.Pod's, so that it decodes
// the same fields from the same document (encoding/json skips the others without building
// them). Fields it does not keep are not type-checked: a review whose pod has, say, a malformed
// resources field is decided on its images, where decoding the whole pod refused it; the API
// server never sends such a pod.
//
// It is the pod the plugin sees (an [admission.PodFields]): no corev1.Pod is built, which for
// 100,000 containers would be 45 MB of corev1.Container values to allocate and clear.
type slimPod struct {
	// APIVersion and Kind are fields of their own rather than an embedded metav1.TypeMeta, whose
	// name encoding/json would put in a type error's field path ("TypeMeta.kind").
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name         string            `json:"name"`
		GenerateName string            `json:"generateName"`
		Namespace    string            `json:"namespace"`
		Labels       map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		InitContainers      []slimContainer `json:"initContainers"`
		Containers          []slimContainer `json:"containers"`
		EphemeralContainers []slimContainer `json:"ephemeralContainers"`
		Volumes             []slimVolume    `json:"volumes"`
	} `json:"spec"`
}

// slimContainer is what is kept of a container or an ephemeral container (whose common fields
// are inline in its JSON).
type slimContainer struct {
	Name            string            `json:"name"`
	Image           string            `json:"image"`
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy"`
}

// slimVolume is what is kept of a volume: its name and its image source, if any.
type slimVolume struct {
	Name  string                    `json:"name"`
	Image *corev1.ImageVolumeSource `json:"image"`
}

var _ admission.PodFields = (*slimPod)(nil)

// ImageFields yields the pod's image-bearing fields in the plugin's order, as
// admission.ImageFields does for a corev1.PodSpec.
func (p *slimPod) ImageFields() iter.Seq[admission.ImageField] {
	return func(yield func(admission.ImageField) bool) {
		for _, list := range []struct {
			kind admission.FieldKind
			cs   []slimContainer
		}{{admission.InitContainer, p.Spec.InitContainers}, {admission.Container, p.Spec.Containers}, {admission.EphemeralContainer, p.Spec.EphemeralContainers}} {
			for i := range list.cs {
				c := &list.cs[i]
				if !yield(admission.ImageField{Kind: list.kind, Index: i, Name: c.Name, Image: c.Image, Policy: &c.ImagePullPolicy}) {
					return
				}
			}
		}
		for i := range p.Spec.Volumes {
			v := &p.Spec.Volumes[i]
			if v.Image != nil && !yield(admission.ImageField{Kind: admission.ImageVolume, Index: i, Name: v.Name, Image: v.Image.Reference, Policy: &v.Image.PullPolicy}) {
				return
			}
		}
	}
}

// GetObjectKind returns p, whose apiVersion and kind are its type.
func (p *slimPod) GetObjectKind() schema.ObjectKind { return p }

// GroupVersionKind returns the type p's apiVersion and kind name.
func (p *slimPod) GroupVersionKind() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(p.APIVersion, p.Kind)
}

// SetGroupVersionKind sets p's apiVersion and kind.
func (p *slimPod) SetGroupVersionKind(gvk schema.GroupVersionKind) {
	p.APIVersion, p.Kind = gvk.ToAPIVersionAndKind()
}

// PodName returns the pod's name and generateName.
func (p *slimPod) PodName() (name, generateName string) {
	return p.Metadata.Name, p.Metadata.GenerateName
}

// DeepCopyObject returns a copy that shares nothing with p.
func (p *slimPod) DeepCopyObject() runtime.Object {
	out := *p
	if p.Metadata.Labels != nil {
		out.Metadata.Labels = make(map[string]string, len(p.Metadata.Labels))
		for k, v := range p.Metadata.Labels {
			out.Metadata.Labels[k] = v
		}
	}
	out.Spec.InitContainers = slices.Clone(p.Spec.InitContainers)
	out.Spec.Containers = slices.Clone(p.Spec.Containers)
	out.Spec.EphemeralContainers = slices.Clone(p.Spec.EphemeralContainers)
	out.Spec.Volumes = slices.Clone(p.Spec.Volumes)
	for i, v := range out.Spec.Volumes {
		if v.Image != nil {
			image := *v.Image
			out.Spec.Volumes[i].Image = &image
		}
	}
	return &out
}

// imageFieldCount is the number of image-bearing fields of p.
func (p *slimPod) imageFieldCount() int {
	n := len(p.Spec.InitContainers) + len(p.Spec.Containers) + len(p.Spec.EphemeralContainers)
	for i := range p.Spec.Volumes {
		if p.Spec.Volumes[i].Image != nil {
			n++
		}
	}
	return n
}
