package admission_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/admission"
)

func TestImageFields(t *testing.T) {
	type row struct {
		kind          admission.FieldKind
		name, image   string
		path, pointer string
	}
	want := []row{
		{admission.InitContainer, "init-a", "registry.example/init-a:1", "spec.initContainers[0].imagePullPolicy", "/spec/initContainers/0/imagePullPolicy"},
		{admission.InitContainer, "init-b", "registry.example/init-b:1", "spec.initContainers[1].imagePullPolicy", "/spec/initContainers/1/imagePullPolicy"},
		{admission.Container, "app", "registry.example/app:1", "spec.containers[0].imagePullPolicy", "/spec/containers/0/imagePullPolicy"},
		{admission.Container, "sidecar", "registry.example/sidecar:1", "spec.containers[1].imagePullPolicy", "/spec/containers/1/imagePullPolicy"},
		{admission.EphemeralContainer, "debug", "registry.example/debug:1", "spec.ephemeralContainers[0].imagePullPolicy", "/spec/ephemeralContainers/0/imagePullPolicy"},
		{admission.ImageVolume, "models", "registry.example/models:1", "spec.volumes[1].image.pullPolicy", "/spec/volumes/1/image/pullPolicy"},
	}
	p := pod(corev1.PullNever)
	var got []row
	for f := range admission.ImageFields(&p.Spec) {
		got = append(got, row{f.Kind, f.Name, f.Image, f.PolicyPath().String(), f.PolicyPointer()})
		assert.Equal(t, corev1.PullNever, *f.Policy)
		*f.Policy = corev1.PullIfNotPresent
	}
	assert.Equal(t, want, got)
	assert.Equal(t, all(corev1.PullIfNotPresent, fieldCount), policies(p), "Policy points into the spec")
}

func TestImageFieldsStopsEarly(t *testing.T) {
	p := pod("")
	var n int
	for range admission.ImageFields(&p.Spec) {
		n++
		if n == 3 {
			break
		}
	}
	assert.Equal(t, 3, n)
	for range admission.ImageFields(nil) {
		t.Fatal("a nil spec has no fields")
	}
}

func TestFieldKindString(t *testing.T) {
	tests := []struct {
		kind admission.FieldKind
		want string
	}{
		{admission.InitContainer, "initContainers"},
		{admission.Container, "containers"},
		{admission.EphemeralContainer, "ephemeralContainers"},
		{admission.ImageVolume, "volumes"},
		{0, "FieldKind(0)"},
		{9, "FieldKind(9)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.kind.String())
	}
}
