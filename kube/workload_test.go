package kube_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/imagepull/imagepull/kube"
)

func TestWorkloadOf(t *testing.T) {
	meta := metav1.ObjectMeta{Namespace: "ns", Name: "n"}
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}
	tmpl := corev1.PodTemplateSpec{Spec: spec}
	tests := []struct {
		obj       runtime.Object
		kind, api string
		imagePath string
		ok        bool
	}{
		{&corev1.Pod{ObjectMeta: meta, Spec: spec}, "Pod", "v1", "spec.containers[0].image", true},
		{&corev1.ReplicationController{ObjectMeta: meta, Spec: corev1.ReplicationControllerSpec{Template: &tmpl}}, "ReplicationController", "v1", "spec.template.spec.containers[0].image", true},
		{&corev1.PodTemplate{ObjectMeta: meta, Template: tmpl}, "PodTemplate", "v1", "template.spec.containers[0].image", true},
		{&appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Template: tmpl}}, "Deployment", "apps/v1", "spec.template.spec.containers[0].image", true},
		{&appsv1.StatefulSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1beta2"}, ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{Template: tmpl}}, "StatefulSet", "apps/v1beta2", "spec.template.spec.containers[0].image", true},
		{&appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Template: tmpl}}, "DaemonSet", "apps/v1", "spec.template.spec.containers[0].image", true},
		{&appsv1.ReplicaSet{ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{Template: tmpl}}, "ReplicaSet", "apps/v1", "spec.template.spec.containers[0].image", true},
		{&batchv1.Job{ObjectMeta: meta, Spec: batchv1.JobSpec{Template: tmpl}}, "Job", "batch/v1", "spec.template.spec.containers[0].image", true},
		{&batchv1.CronJob{ObjectMeta: meta, Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tmpl}}}}, "CronJob", "batch/v1", "spec.jobTemplate.spec.template.spec.containers[0].image", true},
		{&corev1.ReplicationController{ObjectMeta: meta}, "", "", "", false},
		{&corev1.Service{ObjectMeta: meta}, "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.obj.GetObjectKind().GroupVersionKind().Kind+tc.kind, func(t *testing.T) {
			w, ok := kube.WorkloadOf(tc.obj)
			assert.Equal(t, tc.ok, ok)
			if !ok {
				assert.Nil(t, w)
				return
			}
			assert.Equal(t, tc.kind, w.Kind)
			assert.Equal(t, tc.api, w.APIVersion)
			assert.Equal(t, "ns", w.Namespace)
			assert.Equal(t, "n", w.Name)
			assert.Equal(t, -1, w.Source.Item)
			assert.Equal(t, 0, w.Line(tc.imagePath), "no text, no line")
			imgs := w.Images()
			if assert.Len(t, imgs, 1) {
				assert.Equal(t, tc.imagePath, imgs[0].Path)
				assert.Equal(t, "spec.containers{c}", imgs[0].FieldPath)
			}
		})
	}
}

func TestPodImagesUnnamed(t *testing.T) {
	spec := corev1.PodSpec{
		Containers:          []corev1.Container{{Name: "a", Image: "x"}, {Image: "y", ImagePullPolicy: corev1.PullNever}},
		InitContainers:      []corev1.Container{{Image: "z:latest"}},
		EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Image: "w:1"}}},
		Volumes: []corev1.Volume{
			{Name: "e", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			{Name: "v", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{}}},
		},
	}
	var got [][4]string
	for _, i := range kube.PodImages(&spec) {
		got = append(got, [4]string{i.Kind.String(), i.FieldPath, i.PolicyPath, string(i.Effective)})
	}
	assert.Equal(t, [][4]string{
		{"init container", "spec.initContainers[0]", "spec.initContainers[0].imagePullPolicy", "Always"},
		{"container", "spec.containers{a}", "spec.containers[0].imagePullPolicy", "Always"},
		{"container", "spec.containers[1]", "spec.containers[1].imagePullPolicy", "Never"},
		{"ephemeral container", "spec.ephemeralContainers[0]", "spec.ephemeralContainers[0].imagePullPolicy", "IfNotPresent"},
		{"image volume", "", "spec.volumes[1].image.pullPolicy", "IfNotPresent"},
	}, got, "an empty image volume reference defaults like an unparsable image: IfNotPresent")
}

func TestContainerKindText(t *testing.T) {
	for k, want := range map[kube.ContainerKind]string{
		kube.Container: "container", kube.InitContainer: "init-container", kube.SidecarContainer: "sidecar-container",
		kube.EphemeralContainer: "ephemeral-container", kube.ImageVolume: "image-volume", kube.ContainerKind(9): "ContainerKind(9)",
	} {
		b, err := k.MarshalText()
		assert.NoError(t, err)
		assert.Equal(t, want, string(b))
	}
}

func TestSourceString(t *testing.T) {
	assert.Equal(t, "a.yaml: document 2 (line 14)", kube.Source{File: "a.yaml", Document: 2, Line: 14, Item: -1}.String())
	assert.Equal(t, "document 1, item 3 (line 9)", kube.Source{Document: 1, Line: 9, Item: 3}.String())
}
