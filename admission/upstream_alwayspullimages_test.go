package admission_test

// The API server's own AlwaysPullImages tests, translated case by case. Source:
// k8s.io/kubernetes v1.37.2 plugin/pkg/admission/alwayspullimages/admission_test.go (v1.36.3
// has the same cases), on the internal core types there and on k8s.io/api/core/v1 here.
//
// Count: 7 cases, 7 translated, 7 passing, none not expressible.
//   - TestAdmission (:32), 1 case; WithReinvocationTesting admits twice, so Admit runs twice.
//   - TestValidate (:78), 1 case, with the exact aggregated error text.
//   - TestOtherResources (:126), 3 cases.
//   - TestUpdatePod (:193), 2 cases. As upstream, the requests are CREATEs on the "finalizers"
//     subresource with update options (:266), so both are ignored as subresource requests.

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/imagepull/imagepull/admission"
)

// upstreamPod is the pod of TestAdmission (admission_test.go:35) and TestValidate (:81): four
// init containers and four containers with the policies unset, Never, IfNotPresent and Always,
// and image volumes with the given policies.
func upstreamPod(volumePolicies ...corev1.PullPolicy) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "123", Namespace: "test"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{
				{Name: "init1", Image: "image"},
				{Name: "init2", Image: "image", ImagePullPolicy: corev1.PullNever},
				{Name: "init3", Image: "image", ImagePullPolicy: corev1.PullIfNotPresent},
				{Name: "init4", Image: "image", ImagePullPolicy: corev1.PullAlways},
			},
			Containers: []corev1.Container{
				{Name: "ctr1", Image: "image"},
				{Name: "ctr2", Image: "image", ImagePullPolicy: corev1.PullNever},
				{Name: "ctr3", Image: "image", ImagePullPolicy: corev1.PullIfNotPresent},
				{Name: "ctr4", Image: "image", ImagePullPolicy: corev1.PullAlways},
			},
		},
	}
	for i, p := range volumePolicies {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: "volume" + string(rune('1'+i)),
			VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{PullPolicy: p}}})
	}
	return pod
}

// TestUpstreamAdmission is TestAdmission (admission_test.go:32): every container's and image
// volume's policy becomes Always, and admitting again changes nothing.
func TestUpstreamAdmission(t *testing.T) {
	pod := upstreamPod(corev1.PullNever, corev1.PullIfNotPresent, corev1.PullAlways)
	req := admission.Request{Operation: admissionv1.Create, Resource: pods, Name: pod.Name, Object: pod}
	for range 2 { // admissiontesting.WithReinvocationTesting
		require.NoError(t, admission.Admit(req))
		for _, c := range pod.Spec.InitContainers {
			assert.Equal(t, corev1.PullAlways, c.ImagePullPolicy, c.Name)
		}
		for _, c := range pod.Spec.Containers {
			assert.Equal(t, corev1.PullAlways, c.ImagePullPolicy, c.Name)
		}
		for _, v := range pod.Spec.Volumes {
			assert.Equal(t, corev1.PullAlways, v.Image.PullPolicy, v.Name)
		}
	}
}

// TestUpstreamValidate is TestValidate (admission_test.go:78): one Forbidden error per field
// whose policy is not Always, aggregated, verbatim.
func TestUpstreamValidate(t *testing.T) {
	pod := upstreamPod("", corev1.PullNever, corev1.PullIfNotPresent, corev1.PullAlways)
	want := `[` +
		`pods "123" is forbidden: spec.initContainers[0].imagePullPolicy: Unsupported value: "": supported values: "Always", ` +
		`pods "123" is forbidden: spec.initContainers[1].imagePullPolicy: Unsupported value: "Never": supported values: "Always", ` +
		`pods "123" is forbidden: spec.initContainers[2].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always", ` +
		`pods "123" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "": supported values: "Always", ` +
		`pods "123" is forbidden: spec.containers[1].imagePullPolicy: Unsupported value: "Never": supported values: "Always", ` +
		`pods "123" is forbidden: spec.containers[2].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always", ` +
		`pods "123" is forbidden: spec.volumes[0].image.pullPolicy: Unsupported value: "": supported values: "Always", ` +
		`pods "123" is forbidden: spec.volumes[1].image.pullPolicy: Unsupported value: "Never": supported values: "Always", ` +
		`pods "123" is forbidden: spec.volumes[2].image.pullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"` +
		`]`
	err := admission.Validate(admission.Request{Operation: admissionv1.Create, Resource: pods, Name: pod.Name, Object: pod})
	assert.EqualError(t, err, want)
}

// TestUpstreamOtherResources is TestOtherResources (admission_test.go:126): other resources
// and subresources are left alone; a non-pod object on the pods resource is an error.
func TestUpstreamOtherResources(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "testname", Namespace: "testnamespace"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "ctr2", Image: "image", ImagePullPolicy: corev1.PullNever}}},
	}
	tests := []struct {
		line        int
		name        string
		resource    string
		subresource string
		object      runtime.Object
		expectError bool
	}{
		{146, "non-pod resource", "foos", "", pod, false},
		{152, "pod subresource", "pods", "exec", pod, false},
		{159, "non-pod object", "pods", "", &corev1.Service{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := admission.Request{Operation: admissionv1.Create, Resource: schema.GroupResource{Resource: tc.resource},
				SubResource: tc.subresource, Name: "testname", Object: tc.object}
			for range 2 { // WithReinvocationTesting
				err := admission.Admit(req)
				if tc.expectError {
					require.Error(t, err)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, corev1.PullNever, pod.Spec.Containers[0].ImagePullPolicy, "image pull policy was changed")
			}
		})
	}
}

// TestUpstreamUpdatePod is TestUpdatePod (admission_test.go:193). Upstream sends both requests
// as CREATE on the "finalizers" subresource (:266), so neither is an error and the pod keeps
// IfNotPresent (the test checks the unchanged pod, :275).
func TestUpstreamUpdatePod(t *testing.T) {
	newPod := func(image string, annotations map[string]string) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "testname", Namespace: "testnamespace", Annotations: annotations},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "ctr2", Image: image, ImagePullPolicy: corev1.PullIfNotPresent}}},
		}
	}
	oldPod := newPod("image", nil)
	pod := newPod("image", map[string]string{"test": "test"})
	podWithNewImage := newPod("image2", map[string]string{"test": "test"})
	tests := []struct {
		line         int
		name         string
		object       *corev1.Pod
		expectIgnore bool
	}{
		{245, "update IfNotPresent pod annotations", pod, true},
		{254, "update IfNotPresent pod image", podWithNewImage, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := admission.Request{Operation: admissionv1.Create, Resource: pods, SubResource: "finalizers",
				Name: "testname", Object: tc.object, OldObject: oldPod}
			for range 2 { // WithReinvocationTesting
				require.NoError(t, admission.Admit(req))
			}
			if tc.expectIgnore {
				assert.Equal(t, corev1.PullIfNotPresent, pod.Spec.Containers[0].ImagePullPolicy, "image pull policy was changed")
			}
			assert.Equal(t, admission.SkipSubresource, admission.Skipped(req))
		})
	}
}
