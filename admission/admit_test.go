package admission_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/imagepull/imagepull/admission"
)

var (
	pods        = schema.GroupResource{Resource: "pods"}
	deployments = schema.GroupResource{Group: "apps", Resource: "deployments"}
)

// fieldCount is the number of image-bearing fields of pod(…): 2 init, 2 regular, 1 ephemeral
// container and 1 image volume.
const fieldCount = 6

func TestAdmit(t *testing.T) {
	tests := []struct {
		name string
		req  admission.Request
		// want is the policies of the request's pod afterwards; nil when the object is no pod.
		want []corev1.PullPolicy
		// wantBadRequest is true when Admit must refuse the object as not a pod.
		wantBadRequest bool
	}{
		{name: "create, policy unset", req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod("")},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "create, Never", req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod(corev1.PullNever)},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "create, IfNotPresent", req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod(corev1.PullIfNotPresent)},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "create, Always", req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod(corev1.PullAlways)},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "create, a policy the API server would reject", req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod("Sometimes")},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "update with a new container image",
			req:  admission.Request{Operation: admissionv1.Update, Resource: pods, Object: withImage(pod(corev1.PullNever), 0, "registry.example/app:2"), OldObject: pod(corev1.PullNever)},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "update with a new ephemeral container image through the pod itself",
			req: admission.Request{Operation: admissionv1.Update, Resource: pods, Object: func() *corev1.Pod {
				p := pod(corev1.PullNever)
				p.Spec.EphemeralContainers[0].Image = "registry.example/debug:2"
				return p
			}(), OldObject: pod(corev1.PullNever)},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "update with an image moved from an init container to a container is no new image",
			req:  admission.Request{Operation: admissionv1.Update, Resource: pods, Object: withImage(pod(corev1.PullNever), 1, "registry.example/init-a:1"), OldObject: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "update with the same images",
			req:  admission.Request{Operation: admissionv1.Update, Resource: pods, Object: pod(corev1.PullNever), OldObject: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "update whose only new image is an image volume's",
			req: admission.Request{Operation: admissionv1.Update, Resource: pods, Object: func() *corev1.Pod {
				p := pod(corev1.PullNever)
				p.Spec.Volumes[1].Image.Reference = "registry.example/models:2"
				return p
			}(), OldObject: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "update whose old object is not a pod",
			req:  admission.Request{Operation: admissionv1.Update, Resource: pods, Object: pod(corev1.PullNever), OldObject: &corev1.Service{}},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "update without an old object",
			req:  admission.Request{Operation: admissionv1.Update, Resource: pods, Object: pod(corev1.PullNever)},
			want: all(corev1.PullAlways, fieldCount)},
		{name: "ephemeralcontainers subresource",
			req:  admission.Request{Operation: admissionv1.Update, Resource: pods, SubResource: "ephemeralcontainers", Object: withImage(pod(corev1.PullNever), 0, "registry.example/app:2"), OldObject: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "status subresource",
			req:  admission.Request{Operation: admissionv1.Update, Resource: pods, SubResource: "status", Object: withImage(pod(corev1.PullNever), 0, "registry.example/app:2"), OldObject: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "binding subresource on create",
			req:  admission.Request{Operation: admissionv1.Create, Resource: pods, SubResource: "binding", Object: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "a pod sent as another resource",
			req:  admission.Request{Operation: admissionv1.Create, Resource: deployments, Object: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "pods of another group",
			req:  admission.Request{Operation: admissionv1.Create, Resource: schema.GroupResource{Group: "example.com", Resource: "pods"}, Object: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "delete",
			req:  admission.Request{Operation: admissionv1.Delete, Resource: pods, Object: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "connect",
			req:  admission.Request{Operation: admissionv1.Connect, Resource: pods, Object: pod(corev1.PullNever)},
			want: all(corev1.PullNever, fieldCount)},
		{name: "a deployment on another resource is no business of the plugin",
			req: admission.Request{Operation: admissionv1.Create, Resource: deployments, Object: &appsv1.Deployment{}}},
		{name: "a service on the pods resource",
			req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: &corev1.Service{}}, wantBadRequest: true},
		{name: "no object on the pods resource",
			req: admission.Request{Operation: admissionv1.Create, Resource: pods}, wantBadRequest: true},
		{name: "a nil pod",
			req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: (*corev1.Pod)(nil)}, wantBadRequest: true},
		{name: "an update to a service on the pods resource",
			req: admission.Request{Operation: admissionv1.Update, Resource: pods, Object: &corev1.Service{}, OldObject: pod(corev1.PullNever)}, wantBadRequest: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := admission.Admit(tt.req)
			if tt.wantBadRequest {
				require.Error(t, err)
				assert.True(t, apierrors.IsBadRequest(err), "%v is a BadRequest", err)
				assert.EqualError(t, err, "Resource was marked with kind Pod but was unable to be converted")
				assert.Equal(t, int32(http.StatusBadRequest), statusCode(t, err))
				return
			}
			require.NoError(t, err)
			if tt.want != nil {
				assert.Equal(t, tt.want, policies(tt.req.Object.(*corev1.Pod)))
			}
		})
	}
}

// statusCode is the HTTP code of the status error err.
func statusCode(t *testing.T, err error) int32 {
	t.Helper()
	var status apierrors.APIStatus
	require.ErrorAs(t, err, &status)
	return status.Status().Code
}

// TestAdmitLeavesTheRestAlone checks that Admit changes nothing but the pull policies.
func TestAdmitLeavesTheRestAlone(t *testing.T) {
	got := pod(corev1.PullNever)
	require.NoError(t, admission.Admit(admission.Request{Operation: admissionv1.Create, Resource: pods, Object: got}))
	want := pod(corev1.PullAlways)
	assert.Equal(t, want, got)
}
