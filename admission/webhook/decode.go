package webhook

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// slimPod is the part of a v1 Pod's JSON that the plugin and the exclusions read: its type, its
// name, generateName, namespace and labels, and the name, image and pull policy of every
// container and image volume, in order. Its JSON names are corev1.Pod's, so that it decodes
// the same fields from the same document (encoding/json skips the others without building
// them). Fields it does not keep are not type-checked: a review whose pod has, say, a malformed
// resources field is decided on its images, where decoding the whole pod refused it; the API
// server never sends such a pod.
type slimPod struct {
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

// pod returns the corev1.Pod holding p's fields, with slices of exactly p's lengths.
func (p *slimPod) pod() *corev1.Pod {
	out := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: p.APIVersion, Kind: p.Kind},
		ObjectMeta: metav1.ObjectMeta{
			Name: p.Metadata.Name, GenerateName: p.Metadata.GenerateName,
			Namespace: p.Metadata.Namespace, Labels: p.Metadata.Labels,
		},
	}
	out.Spec.InitContainers = containers(p.Spec.InitContainers)
	out.Spec.Containers = containers(p.Spec.Containers)
	if p.Spec.EphemeralContainers != nil {
		out.Spec.EphemeralContainers = make([]corev1.EphemeralContainer, len(p.Spec.EphemeralContainers))
		for i, c := range p.Spec.EphemeralContainers {
			out.Spec.EphemeralContainers[i].EphemeralContainerCommon = corev1.EphemeralContainerCommon{
				Name: c.Name, Image: c.Image, ImagePullPolicy: c.ImagePullPolicy,
			}
		}
	}
	if p.Spec.Volumes != nil {
		out.Spec.Volumes = make([]corev1.Volume, len(p.Spec.Volumes))
		for i, v := range p.Spec.Volumes {
			out.Spec.Volumes[i] = corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{Image: v.Image}}
		}
	}
	return out
}

// containers converts slim containers, keeping nil as nil.
func containers(in []slimContainer) []corev1.Container {
	if in == nil {
		return nil
	}
	out := make([]corev1.Container, len(in))
	for i, c := range in {
		out[i] = corev1.Container{Name: c.Name, Image: c.Image, ImagePullPolicy: c.ImagePullPolicy}
	}
	return out
}
