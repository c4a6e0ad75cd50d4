package admission_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/admission"
)

func TestSkipped(t *testing.T) {
	tests := []struct {
		name string
		req  admission.Request
		want admission.Skip
	}{
		{"create of a pod", admission.Request{Operation: admissionv1.Create, Resource: pods, Object: pod("")}, admission.NotSkipped},
		{"create of something else on pods", admission.Request{Operation: admissionv1.Create, Resource: pods, Object: &corev1.Secret{}}, admission.NotSkipped},
		{"delete", admission.Request{Operation: admissionv1.Delete, Resource: pods}, admission.SkipOperation},
		{"connect", admission.Request{Operation: admissionv1.Connect, Resource: pods, SubResource: "exec"}, admission.SkipOperation},
		{"lower-case operation", admission.Request{Operation: "create", Resource: pods, Object: pod("")}, admission.SkipOperation},
		{"no operation", admission.Request{Resource: pods, Object: pod("")}, admission.SkipOperation},
		{"ephemeralcontainers", admission.Request{Operation: admissionv1.Update, Resource: pods, SubResource: "ephemeralcontainers", Object: pod(""), OldObject: pod("")}, admission.SkipSubresource},
		{"resize", admission.Request{Operation: admissionv1.Update, Resource: pods, SubResource: "resize", Object: pod(""), OldObject: pod("")}, admission.SkipSubresource},
		{"subresource of another resource", admission.Request{Operation: admissionv1.Update, Resource: deployments, SubResource: "scale"}, admission.SkipSubresource},
		{"deployments", admission.Request{Operation: admissionv1.Create, Resource: deployments}, admission.SkipResource},
		{"update, same images", admission.Request{Operation: admissionv1.Update, Resource: pods, Object: pod(""), OldObject: pod(corev1.PullAlways)}, admission.SkipNoNewImage},
		{"update, an image dropped", admission.Request{Operation: admissionv1.Update, Resource: pods, Object: func() *corev1.Pod {
			p := pod("")
			p.Spec.InitContainers = p.Spec.InitContainers[:1]
			return p
		}(), OldObject: pod("")}, admission.SkipNoNewImage},
		{"update, one new image", admission.Request{Operation: admissionv1.Update, Resource: pods, Object: withImage(pod(""), 1, "registry.example/sidecar:2"), OldObject: pod("")}, admission.NotSkipped},
		{"update, tag spelled differently is a new image", admission.Request{Operation: admissionv1.Update, Resource: pods, Object: withImage(pod(""), 0, "registry.example/app:1@sha256:"+sha), OldObject: pod("")}, admission.NotSkipped},
		{"update of a nil pod", admission.Request{Operation: admissionv1.Update, Resource: pods, Object: (*corev1.Pod)(nil), OldObject: pod("")}, admission.NotSkipped},
		{"update from a nil pod", admission.Request{Operation: admissionv1.Update, Resource: pods, Object: pod(""), OldObject: (*corev1.Pod)(nil)}, admission.NotSkipped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, admission.Skipped(tt.req))
		})
	}
}

const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestPodsResource(t *testing.T) {
	assert.Equal(t, pods, admission.PodsResource())
}
