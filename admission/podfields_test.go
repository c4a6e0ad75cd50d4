package admission_test

import (
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/imagepull/imagepull/admission"
)

// fieldsOnly is a pod as an admission.PodFields: its names and its spec's image fields, and
// nothing a caller could read through a *corev1.Pod.
type fieldsOnly struct{ p *corev1.Pod }

func (f fieldsOnly) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }
func (f fieldsOnly) DeepCopyObject() runtime.Object   { return fieldsOnly{f.p.DeepCopy()} }
func (f fieldsOnly) ImageFields() iter.Seq[admission.ImageField] {
	return admission.ImageFields(&f.p.Spec)
}
func (f fieldsOnly) PodName() (name, generateName string) { return f.p.Name, f.p.GenerateName }

// TestPodFieldsActsAsAPod: Admit, Validate and Skipped give a PodFields exactly the answers they
// give the *corev1.Pod it stands for (the error texts, with every way of naming the pod, the
// policies Admit sets, and the updates skipped), alone and mixed with a *corev1.Pod.
func TestPodFieldsActsAsAPod(t *testing.T) {
	named := func(name, generateName string, policy corev1.PullPolicy) *corev1.Pod {
		p := pod(policy)
		p.Name, p.GenerateName = name, generateName
		return p
	}
	tests := []struct {
		name      string
		op        admissionv1.Operation
		reqName   string
		obj, old  *corev1.Pod
		skipCheck admission.Skip
	}{
		{name: "create, named by the request", op: admissionv1.Create, reqName: "req", obj: named("web", "", corev1.PullNever)},
		{name: "create, named by the pod", op: admissionv1.Create, obj: named("web", "", corev1.PullIfNotPresent)},
		{name: "create, generateName", op: admissionv1.Create, obj: named("", "web-", corev1.PullNever)},
		{name: "create, no name", op: admissionv1.Create, obj: named("", "", corev1.PullNever)},
		{name: "create, all Always", op: admissionv1.Create, obj: named("web", "", corev1.PullAlways)},
		{name: "update, same images", op: admissionv1.Update, obj: named("web", "", corev1.PullNever), old: named("web", "", corev1.PullAlways), skipCheck: admission.SkipNoNewImage},
		{name: "update, new image", op: admissionv1.Update, obj: withImage(named("web", "", corev1.PullNever), 1, "registry.example/new:2"), old: named("web", "", corev1.PullAlways)},
	}
	for _, tt := range tests {
		for _, mix := range []string{"object", "old object", "both"} {
			t.Run(tt.name+"/"+mix, func(t *testing.T) {
				request := func(wrapObj, wrapOld bool) (admission.Request, *corev1.Pod) {
					req := admission.Request{Operation: tt.op, Resource: admission.PodsResource(), Name: tt.reqName}
					obj := tt.obj.DeepCopy()
					req.Object = obj
					if wrapObj {
						req.Object = fieldsOnly{obj}
					}
					if tt.old != nil {
						req.OldObject = tt.old.DeepCopy()
						if wrapOld {
							req.OldObject = fieldsOnly{tt.old.DeepCopy()}
						}
					}
					return req, obj
				}
				core, corePod := request(false, false)
				wrapped, wrappedPod := request(mix != "old object", mix != "object")

				assert.Equal(t, tt.skipCheck, admission.Skipped(wrapped))
				assert.Equal(t, admission.Skipped(core), admission.Skipped(wrapped))

				want, got := admission.Validate(core), admission.Validate(wrapped)
				if want == nil {
					assert.NoError(t, got)
				} else {
					require.Error(t, got)
					assert.Equal(t, want.Error(), got.Error())
				}

				require.NoError(t, admission.Admit(core))
				require.NoError(t, admission.Admit(wrapped))
				assert.Equal(t, policies(corePod), policies(wrappedPod))
			})
		}
	}
}

// TestPodFieldsNil: a nil PodFields is no pod: Admit and Validate refuse it as the API server
// refuses an object that is not a pod.
func TestPodFieldsNil(t *testing.T) {
	var none admission.PodFields
	req := admission.Request{Operation: admissionv1.Create, Resource: admission.PodsResource(), Object: none}
	require.Error(t, admission.Admit(req))
	require.Error(t, admission.Validate(req))
}
