package admission_test

import (
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/admission"
)

// A pod that would run a cached image without asking the registry comes out of Admit with
// Always on every container and image volume.
func ExampleAdmit() {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "migrate", Image: "registry.example/migrate:1", ImagePullPolicy: corev1.PullNever}},
			Containers:     []corev1.Container{{Name: "app", Image: "registry.example/app:1", ImagePullPolicy: corev1.PullIfNotPresent}},
			Volumes: []corev1.Volume{{Name: "models", VolumeSource: corev1.VolumeSource{
				Image: &corev1.ImageVolumeSource{Reference: "registry.example/models:1", PullPolicy: corev1.PullNever},
			}}},
		},
	}
	err := admission.Admit(admission.Request{Operation: admissionv1.Create, Resource: admission.PodsResource(), Object: p})
	fmt.Println(err)
	for f := range admission.ImageFields(&p.Spec) {
		fmt.Println(f.PolicyPath(), *f.Policy)
	}
	// Output:
	// <nil>
	// spec.initContainers[0].imagePullPolicy Always
	// spec.containers[0].imagePullPolicy Always
	// spec.volumes[0].image.pullPolicy Always
}

// Validate rejects, with the API server's text, a pod whose policies are not all Always.
func ExampleValidate() {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "registry.example/app:1", ImagePullPolicy: corev1.PullAlways},
			{Name: "cache", Image: "registry.example/cache:1", ImagePullPolicy: corev1.PullNever},
		}},
	}
	err := admission.Validate(admission.Request{Operation: admissionv1.Create, Resource: admission.PodsResource(), Object: p})
	fmt.Println(err)
	// Output:
	// pods "web" is forbidden: spec.containers[1].imagePullPolicy: Unsupported value: "Never": supported values: "Always"
}

// An update that only changes labels, or a request to a subresource, is left alone.
func ExampleSkipped() {
	old := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}}}
	relabelled := old.DeepCopy()
	relabelled.Labels = map[string]string{"tier": "web"}
	newImage := old.DeepCopy()
	newImage.Spec.Containers[0].Image = "app:2"

	update := admission.Request{Operation: admissionv1.Update, Resource: admission.PodsResource(), OldObject: old}
	update.Object = relabelled
	fmt.Printf("%q\n", admission.Skipped(update))
	update.Object = newImage
	fmt.Printf("%q\n", admission.Skipped(update))
	update.SubResource = "ephemeralcontainers"
	fmt.Printf("%q\n", admission.Skipped(update))
	// Output:
	// "update without a new image"
	// ""
	// "subresource"
}
