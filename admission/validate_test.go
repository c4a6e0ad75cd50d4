package admission_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"

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

// manyContainers returns a pod named name with n containers of the given policy.
func manyContainers(name string, n int, policy corev1.PullPolicy) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}}
	p.Spec.Containers = make([]corev1.Container, n)
	for i := range p.Spec.Containers {
		p.Spec.Containers[i] = corev1.Container{Name: fmt.Sprintf("c%d", i), Image: "app", ImagePullPolicy: policy}
	}
	return p
}

// pluginErrors is the plugin's own aggregate for a pod of n Never containers named name, built
// as plugin/pkg/admission/alwayspullimages/admission.go (Validate) builds it.
func pluginErrors(name string, n int) error {
	var errs []error
	for i := range n {
		path := field.NewPath("spec", "containers").Index(i).Child("imagePullPolicy")
		errs = append(errs, apierrors.NewForbidden(pods, name, field.NotSupported(path, corev1.PullNever, []string{string(corev1.PullAlways)})))
	}
	return utilerrors.NewAggregate(errs)
}

// TestValidateNamesBoundedFields pins issue 18 (1): the message names at most MaxNamedFields
// fields and counts the rest, with the plugin's exact text up to the bound, and a 100,000-field
// pod is answered (the aggregate's Error() was quadratic: 100,000 fields never answered).
func TestValidateNamesBoundedFields(t *testing.T) {
	never := func(i int) string {
		return fmt.Sprintf(`pods "web" is forbidden: spec.containers[%d].imagePullPolicy: Unsupported value: "Never": supported values: "Always"`, i)
	}
	tests := []struct {
		name      string
		n         int
		wantMore  int
		wantTail  string
		wantExact bool // the text is the plugin's, byte for byte
	}{
		{name: "at the bound: the plugin's text", n: admission.MaxNamedFields, wantTail: never(admission.MaxNamedFields-1) + "]", wantExact: true},
		{name: "one more is counted", n: admission.MaxNamedFields + 1, wantMore: 1,
			wantTail: never(admission.MaxNamedFields-1) + `, and 1 more fields not "Always"]`},
		{name: "100,000 fields", n: 100_000, wantMore: 100_000 - admission.MaxNamedFields,
			wantTail: never(admission.MaxNamedFields-1) + `, and 99968 more fields not "Always"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := admission.Validate(admission.Request{Operation: admissionv1.Create, Resource: pods, Object: manyContainers("web", tt.n, corev1.PullNever)})
			require.Error(t, err)
			var agg utilerrors.Aggregate
			require.ErrorAs(t, err, &agg)
			require.Len(t, agg.Errors(), admission.MaxNamedFields)
			for i, e := range agg.Errors() {
				assert.Equal(t, never(i), e.Error())
				assert.True(t, apierrors.IsForbidden(e))
			}
			var fe *admission.FieldsError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.wantMore, fe.More)
			text := err.Error()
			assert.True(t, strings.HasPrefix(text, "["+never(0)+", "+never(1)+", "), text[:200])
			assert.True(t, strings.HasSuffix(text, tt.wantTail), text[len(text)-200:])
			assert.Less(t, len(text), 200*(admission.MaxNamedFields+1))
			if tt.wantExact {
				assert.Equal(t, pluginErrors("web", tt.n).Error(), text)
			}
		})
	}
}

// TestValidateCutsHugeValues: a name or a policy no API server would accept (a review sent to
// the webhook directly) is cut in the message, so that naming a bounded number of fields bounds
// the message too.
func TestValidateCutsHugeValues(t *testing.T) {
	huge := strings.Repeat("n", 3<<20)
	p := manyContainers(huge, 100, corev1.PullPolicy(huge))
	err := admission.Validate(admission.Request{Operation: admissionv1.Create, Resource: pods, Object: p})
	require.Error(t, err)
	assert.Less(t, len(err.Error()), admission.MaxNamedFields*(3<<10))
	assert.Contains(t, err.Error(), "bytes cut]")
}

// TestValidateContext pins issue 18 (1): validation stops with the context's error once the
// request's context has ended, instead of working on for a client that left.
func TestValidateContext(t *testing.T) {
	req := admission.Request{Operation: admissionv1.Create, Resource: pods, Object: manyContainers("web", 100_000, corev1.PullNever)}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, admission.ValidateContext(ctx, req), context.Canceled)

	// A live context changes nothing.
	err := admission.ValidateContext(t.Context(), req)
	var fe *admission.FieldsError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, 100_000-admission.MaxNamedFields, fe.More)
}
