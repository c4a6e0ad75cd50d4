package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	yaml "go.yaml.in/yaml/v3"
)

// Workload is a Kubernetes object that carries a pod template: a Pod, Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or PodTemplate.
// A Workload read by [Read] remembers its YAML so that [Workload.Line] can point into it; it
// is not safe to modify concurrently but safe for concurrent reads.
type Workload struct {
	// Source says where the object was read; the zero Source for [WorkloadOf].
	Source Source
	// APIVersion and Kind are the object's, as written ("apps/v1", "Deployment").
	APIVersion, Kind string
	// Namespace and Name are the object's; Namespace is "" when the manifest leaves it to
	// the client.
	Namespace, Name string
	// TemplatePath is where the pod template sits in the object: "" for a Pod (the pod is
	// its own template), "spec.template", "spec.jobTemplate.spec.template" for a CronJob,
	// "template" for a PodTemplate.
	TemplatePath string
	// Template is the pod's metadata and spec. For a Pod, its ObjectMeta is the Pod's.
	Template corev1.PodTemplateSpec
	// Metadata is the object's own metadata (for a Pod, the same as Template.ObjectMeta):
	// its labels and annotations, such as the suppressions of package lint.
	Metadata metav1.ObjectMeta

	node       *yaml.Node // the object's mapping node, when read from text
	lineOffset int        // the lines of the stream before node's document
}

// kindInfo returns where kind keeps its pod template and the API group it belongs to; ok is
// false for a kind that is not a workload.
func kindInfo(kind string) (path, group string, ok bool) {
	switch kind {
	case "Pod":
		return "", "", true
	case "ReplicationController":
		return "spec.template", "", true
	case "PodTemplate":
		return "template", "", true
	case "Deployment", "DaemonSet", "ReplicaSet", "StatefulSet":
		return "spec.template", "apps", true
	case "Job":
		return "spec.template", "batch", true
	case "CronJob":
		return "spec.jobTemplate.spec.template", "batch", true
	}
	return "", "", false
}

// templatePath returns where kind keeps its pod template, and whether kind, in API group
// group, is a workload this package knows. Deployments, DaemonSets and ReplicaSets of the
// old "extensions" group count too.
func templatePath(group, kind string) (string, bool) {
	path, want, ok := kindInfo(kind)
	return path, ok && (group == want || (group == "extensions" && want == "apps" && kind != "StatefulSet"))
}

// Images returns the images of the pod template ([PodImages]), with paths relative to the
// object: "spec.template.spec.containers[0].image" for a Deployment.
func (w *Workload) Images() []Image {
	prefix := "spec"
	if w.TemplatePath != "" {
		prefix = w.TemplatePath + ".spec"
	}
	return podImages(&w.Template.Spec, prefix)
}

// Line returns the 1-based line of the field at path (as in [Image].Path) in the text the
// Workload was read from. When the field is absent (a policy that is not set) it returns the
// line of the nearest enclosing field that is present, such as the container's; 0 for a
// Workload that was not read from text.
func (w *Workload) Line(path string) int {
	if w.node == nil {
		return 0
	}
	n, _ := lookup(w.node, path)
	return n.Line + w.lineOffset
}

// WorkloadOf returns the Workload of a typed API object: *corev1.Pod,
// *corev1.ReplicationController, *corev1.PodTemplate, *appsv1.Deployment,
// *appsv1.StatefulSet, *appsv1.DaemonSet, *appsv1.ReplicaSet, *batchv1.Job or
// *batchv1.CronJob. It reports false for any other object, and for a ReplicationController
// without a template. The Workload shares the object's slices and maps.
func WorkloadOf(obj runtime.Object) (*Workload, bool) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return of(&o.TypeMeta, &o.ObjectMeta, "Pod", "", &corev1.PodTemplateSpec{ObjectMeta: o.ObjectMeta, Spec: o.Spec})
	case *corev1.ReplicationController:
		return of(&o.TypeMeta, &o.ObjectMeta, "ReplicationController", "spec.template", o.Spec.Template)
	case *corev1.PodTemplate:
		return of(&o.TypeMeta, &o.ObjectMeta, "PodTemplate", "template", &o.Template)
	case *appsv1.Deployment:
		return of(&o.TypeMeta, &o.ObjectMeta, "Deployment", "spec.template", &o.Spec.Template)
	case *appsv1.StatefulSet:
		return of(&o.TypeMeta, &o.ObjectMeta, "StatefulSet", "spec.template", &o.Spec.Template)
	case *appsv1.DaemonSet:
		return of(&o.TypeMeta, &o.ObjectMeta, "DaemonSet", "spec.template", &o.Spec.Template)
	case *appsv1.ReplicaSet:
		return of(&o.TypeMeta, &o.ObjectMeta, "ReplicaSet", "spec.template", &o.Spec.Template)
	case *batchv1.Job:
		return of(&o.TypeMeta, &o.ObjectMeta, "Job", "spec.template", &o.Spec.Template)
	case *batchv1.CronJob:
		return of(&o.TypeMeta, &o.ObjectMeta, "CronJob", "spec.jobTemplate.spec.template", &o.Spec.JobTemplate.Spec.Template)
	}
	return nil, false
}

// of builds a Workload of a typed object. Objects fetched from the API often have an empty
// TypeMeta, so the API version falls back to the group's current one.
func of(tm *metav1.TypeMeta, meta *metav1.ObjectMeta, kind, path string, tmpl *corev1.PodTemplateSpec) (*Workload, bool) {
	if tmpl == nil {
		return nil, false
	}
	w := &Workload{Source: Source{Item: -1}, Kind: kind, TemplatePath: path, Template: *tmpl, Metadata: *meta,
		Namespace: meta.Namespace, Name: meta.Name, APIVersion: tm.APIVersion}
	if w.APIVersion == "" {
		w.APIVersion = "v1"
		if _, g, _ := kindInfo(kind); g != "" {
			w.APIVersion = g + "/v1"
		}
	}
	return w, true
}
