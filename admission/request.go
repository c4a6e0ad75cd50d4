package admission

import (
	"iter"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// PluginName is the name the API server registers the plugin under, as given to
// --enable-admission-plugins.
const PluginName = "AlwaysPullImages"

// podsResource is the resource the plugin acts on: core pods, whatever the version.
var podsResource = schema.GroupResource{Group: corev1.GroupName, Resource: "pods"}

// PodsResource returns the group and resource the plugin acts on: core "pods".
func PodsResource() schema.GroupResource { return podsResource }

// Request is what the plugin sees of one admission request: the attributes the API server's
// plugin reads, without k8s.io/apiserver.
type Request struct {
	// Operation is CREATE, UPDATE, DELETE or CONNECT; the plugin handles CREATE and UPDATE.
	Operation admissionv1.Operation
	// Resource is the group and resource requested; the plugin acts only on core "pods".
	Resource schema.GroupResource
	// SubResource is the subresource requested ("status", "ephemeralcontainers", …), empty for
	// the pod itself. Requests to a subresource are ignored.
	SubResource string
	// Name is the object's name as given in the request path. When empty, error messages use the
	// object's name or generateName, as the API server does.
	Name string
	// Object is the new object. The plugin expects a *corev1.Pod; Admit mutates it in place.
	Object runtime.Object
	// OldObject is the stored object on UPDATE, nil otherwise.
	OldObject runtime.Object
}

// Skip says why the plugin leaves a request alone. The zero value, [NotSkipped], means the
// plugin acts on it.
type Skip string

// The reasons the plugin leaves a request alone, in the order it checks them.
const (
	// NotSkipped means the plugin mutates or validates the request.
	NotSkipped Skip = ""
	// SkipOperation is any operation but CREATE and UPDATE.
	SkipOperation Skip = "operation not handled"
	// SkipSubresource is a request to a subresource of a pod, such as ephemeralcontainers.
	SkipSubresource Skip = "subresource"
	// SkipResource is any resource but core pods.
	SkipResource Skip = "not the pods resource"
	// SkipNoNewImage is an UPDATE whose pod names no container image the old pod did not name.
	SkipNoNewImage Skip = "update without a new image"
)

// Skipped reports whether the plugin leaves req alone, and why. Admit and Validate return nil
// for exactly the requests it does not return [NotSkipped] for.
func Skipped(req Request) Skip {
	switch {
	case req.Operation != admissionv1.Create && req.Operation != admissionv1.Update:
		return SkipOperation
	case req.SubResource != "":
		return SkipSubresource
	case req.Resource != podsResource:
		return SkipResource
	case isUpdateWithNoNewImage(req):
		return SkipNoNewImage
	}
	return NotSkipped
}

// isUpdateWithNoNewImage is true for an UPDATE of a pod whose containers name only images that
// the old pod's containers named. When either object is not a pod it is false, so that Admit and
// Validate go on to reject the object.
func isUpdateWithNoNewImage(req Request) bool {
	if req.Operation != admissionv1.Update {
		return false
	}
	pod, ok := podOf(req.Object)
	if !ok {
		return false
	}
	old, ok := podOf(req.OldObject)
	if !ok {
		return false
	}
	known := make(map[string]struct{})
	for f := range old.ImageFields() {
		if f.Kind != ImageVolume {
			known[f.Image] = struct{}{}
		}
	}
	for f := range pod.ImageFields() {
		if _, seen := known[f.Image]; f.Kind != ImageVolume && !seen {
			return false
		}
	}
	return true
}

// podOf returns obj as the plugin reads a pod: a non-nil *corev1.Pod, or a [PodFields]; a nil
// *corev1.Pod is not one.
func podOf(obj runtime.Object) (PodFields, bool) {
	switch pod := obj.(type) {
	case *corev1.Pod:
		return corePod{pod}, pod != nil
	case PodFields:
		return pod, true
	}
	return nil, false
}

// corePod is a *corev1.Pod as a [PodFields].
type corePod struct{ *corev1.Pod }

func (p corePod) ImageFields() iter.Seq[ImageField] { return ImageFields(&p.Spec) }

func (p corePod) PodName() (name, generateName string) { return p.Name, p.GenerateName }
