package admission_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"github.com/imagepull/imagepull/admission"
)

// onePod returns a pod with one container of the given policy, named name (or generated from
// generateName when name is empty).
func onePod(name, generateName string, policy corev1.PullPolicy) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, GenerateName: generateName},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app", ImagePullPolicy: policy}}},
	}
}

func TestValidate(t *testing.T) {
	const never = `: Unsupported value: "Never": supported values: "Always"`
	tests := []struct {
		name string
		req  admission.Request
		// want lists the messages of the aggregated errors, in order; nil when the request passes.
		want []string
		// wantText is the aggregate's Error(), the text the API server shows.
		wantText string
		// wantBadRequest is true when the object must be refused as not a pod.
		wantBadRequest bool
	}{
		{name: "create, Always everywhere", req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod(corev1.PullAlways)}},
		{name: "create, Never everywhere",
			req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod(corev1.PullNever)},
			want: []string{
				`pods "web" is forbidden: spec.initContainers[0].imagePullPolicy` + never,
				`pods "web" is forbidden: spec.initContainers[1].imagePullPolicy` + never,
				`pods "web" is forbidden: spec.containers[0].imagePullPolicy` + never,
				`pods "web" is forbidden: spec.containers[1].imagePullPolicy` + never,
				`pods "web" is forbidden: spec.ephemeralContainers[0].imagePullPolicy` + never,
				`pods "web" is forbidden: spec.volumes[1].image.pullPolicy` + never,
			},
			wantText: `[pods "web" is forbidden: spec.initContainers[0].imagePullPolicy` + never +
				`, pods "web" is forbidden: spec.initContainers[1].imagePullPolicy` + never +
				`, pods "web" is forbidden: spec.containers[0].imagePullPolicy` + never +
				`, pods "web" is forbidden: spec.containers[1].imagePullPolicy` + never +
				`, pods "web" is forbidden: spec.ephemeralContainers[0].imagePullPolicy` + never +
				`, pods "web" is forbidden: spec.volumes[1].image.pullPolicy` + never + `]`},
		{name: "create, IfNotPresent, one container",
			req:      admission.Request{Operation: admissionv1.Create, Resource: pods, Object: onePod("one", "", corev1.PullIfNotPresent)},
			want:     []string{`pods "one" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"`},
			wantText: `pods "one" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"`},
		{name: "create, unset policy",
			req:      admission.Request{Operation: admissionv1.Create, Resource: pods, Object: onePod("one", "", "")},
			want:     []string{`pods "one" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "": supported values: "Always"`},
			wantText: `pods "one" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "": supported values: "Always"`},
		{name: "a value with quotes is JSON-quoted",
			req:      admission.Request{Operation: admissionv1.Create, Resource: pods, Object: onePod("one", "", `a"b<`)},
			want:     []string{`pods "one" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "a\"b\u003c": supported values: "Always"`},
			wantText: `pods "one" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "a\"b\u003c": supported values: "Always"`},
		{name: "the request's name wins over the object's",
			req:      admission.Request{Operation: admissionv1.Create, Resource: pods, Name: "from-path", Object: onePod("one", "", corev1.PullNever)},
			want:     []string{`pods "from-path" is forbidden: spec.containers[0].imagePullPolicy` + never},
			wantText: `pods "from-path" is forbidden: spec.containers[0].imagePullPolicy` + never},
		{name: "generateName stands in for a name not generated yet",
			req:      admission.Request{Operation: admissionv1.Create, Resource: pods, Object: onePod("", "web-", corev1.PullNever)},
			want:     []string{`pods "web-" is forbidden: spec.containers[0].imagePullPolicy` + never},
			wantText: `pods "web-" is forbidden: spec.containers[0].imagePullPolicy` + never},
		{name: "no name at all",
			req:      admission.Request{Operation: admissionv1.Create, Resource: pods, Object: onePod("", "", corev1.PullNever)},
			want:     []string{`pods "Unknown" is forbidden: spec.containers[0].imagePullPolicy` + never},
			wantText: `pods "Unknown" is forbidden: spec.containers[0].imagePullPolicy` + never},
		{name: "update with a new image",
			req: admission.Request{Operation: admissionv1.Update, Resource: pods, Name: "one",
				Object: onePod("one", "", corev1.PullNever), OldObject: func() *corev1.Pod {
					p := onePod("one", "", corev1.PullNever)
					p.Spec.Containers[0].Image = "old"
					return p
				}()},
			want:     []string{`pods "one" is forbidden: spec.containers[0].imagePullPolicy` + never},
			wantText: `pods "one" is forbidden: spec.containers[0].imagePullPolicy` + never},
		{name: "update without a new image",
			req: admission.Request{Operation: admissionv1.Update, Resource: pods, Object: pod(corev1.PullNever), OldObject: pod(corev1.PullNever)}},
		{name: "ephemeralcontainers subresource",
			req: admission.Request{Operation: admissionv1.Update, Resource: pods, SubResource: "ephemeralcontainers", Object: pod(corev1.PullNever), OldObject: pod(corev1.PullAlways)}},
		{name: "another resource",
			req: admission.Request{Operation: admissionv1.Create, Resource: deployments, Object: pod(corev1.PullNever)}},
		{name: "delete",
			req: admission.Request{Operation: admissionv1.Delete, Resource: pods, Object: pod(corev1.PullNever)}},
		{name: "a config map on the pods resource",
			req: admission.Request{Operation: admissionv1.Create, Resource: pods, Object: &corev1.ConfigMap{}}, wantBadRequest: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := admission.Validate(tt.req)
			if tt.wantBadRequest {
				require.Error(t, err)
				assert.True(t, apierrors.IsBadRequest(err))
				assert.EqualError(t, err, "Resource was marked with kind Pod but was unable to be converted")
				return
			}
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.EqualError(t, err, tt.wantText)
			var agg utilerrors.Aggregate
			require.ErrorAs(t, err, &agg)
			var got []string
			for _, e := range agg.Errors() {
				got = append(got, e.Error())
				assert.True(t, apierrors.IsForbidden(e), "%v is Forbidden", e)
				assert.Equal(t, int32(http.StatusForbidden), statusCode(t, e))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestValidateAfterAdmit checks the plugin's two halves agree: whatever Admit let through or
// mutated, Validate accepts.
func TestValidateAfterAdmit(t *testing.T) {
	for _, policy := range []corev1.PullPolicy{"", corev1.PullNever, corev1.PullIfNotPresent, corev1.PullAlways} {
		t.Run(string(policy), func(t *testing.T) {
			req := admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod(policy)}
			require.NoError(t, admission.Admit(req))
			assert.NoError(t, admission.Validate(req))
		})
	}
}
