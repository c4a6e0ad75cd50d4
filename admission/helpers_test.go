package admission_test

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// pod returns a pod named "web" with every image-bearing field: two init containers, two
// containers, one ephemeral container and one image volume (beside an emptyDir volume), all with
// the given policy.
func pod(policy corev1.PullPolicy) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team-a"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{
				{Name: "init-a", Image: "registry.example/init-a:1", ImagePullPolicy: policy},
				{Name: "init-b", Image: "registry.example/init-b:1", ImagePullPolicy: policy},
			},
			Containers: []corev1.Container{
				{Name: "app", Image: "registry.example/app:1", ImagePullPolicy: policy},
				{Name: "sidecar", Image: "registry.example/sidecar:1", ImagePullPolicy: policy},
			},
			EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "registry.example/debug:1", ImagePullPolicy: policy,
			}}},
			Volumes: []corev1.Volume{
				{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "models", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{
					Reference: "registry.example/models:1", PullPolicy: policy,
				}}},
			},
		},
	}
}

// policies lists the pull policies of p, written out field by field rather than through the
// package's visitor: init containers, containers, ephemeral containers, image volumes.
func policies(p *corev1.Pod) []corev1.PullPolicy {
	var out []corev1.PullPolicy
	for _, c := range p.Spec.InitContainers {
		out = append(out, c.ImagePullPolicy)
	}
	for _, c := range p.Spec.Containers {
		out = append(out, c.ImagePullPolicy)
	}
	for _, c := range p.Spec.EphemeralContainers {
		out = append(out, c.ImagePullPolicy)
	}
	for _, v := range p.Spec.Volumes {
		if v.Image != nil {
			out = append(out, v.Image.PullPolicy)
		}
	}
	return out
}

// all returns n copies of policy.
func all(policy corev1.PullPolicy, n int) []corev1.PullPolicy {
	return slices.Repeat([]corev1.PullPolicy{policy}, n)
}

// withImage returns p with the container at index i of spec.containers running image.
func withImage(p *corev1.Pod, i int, image string) *corev1.Pod {
	p.Spec.Containers[i].Image = image
	return p
}
