package events

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"

	"github.com/imagepull/imagepull/kubelet"
)

// Recorder is a [kubelet.EventRecorder] that forwards each event to a client-go recorder. It
// is safe for concurrent use when the recorder and the Pod function are.
type Recorder struct {
	// Recorder receives the events. Required.
	Recorder record.EventRecorder
	// Pod, when set, returns the pod object of a request (from an informer's cache, say), so
	// that the reference carries its resourceVersion as the kubelet's does; nil, or a nil
	// result, builds the reference from the request alone.
	Pod func(namespace, name, uid string) *corev1.Pod
}

// Event records e on the object reference of req's container ([Reference]).
func (r *Recorder) Event(_ context.Context, req *kubelet.Request, e kubelet.Event) {
	var pod *corev1.Pod
	if r.Pod != nil {
		pod = r.Pod(req.Pod.Namespace, req.Pod.Name, req.Pod.UID)
	}
	r.Recorder.Event(Reference(req, pod), e.Type, e.Reason, e.Message)
}

// Reference returns the object reference the kubelet records req's events on: the pod (kind
// Pod, API version v1, namespace, name, UID, and resourceVersion when pod is given) with the
// container's field path ([kubelet.Request.FieldPath]): "spec.containers{app}",
// "spec.initContainers{init}", "spec.ephemeralContainers{debug}", and none for an image
// volume (pkg/kubelet/container/ref.go GenerateContainerRef; kuberuntime getImageVolumes).
func Reference(req *kubelet.Request, pod *corev1.Pod) *corev1.ObjectReference {
	ref := &corev1.ObjectReference{
		Kind: "Pod", APIVersion: "v1",
		Namespace: req.Pod.Namespace, Name: req.Pod.Name, UID: types.UID(req.Pod.UID),
		FieldPath: req.FieldPath(),
	}
	if pod != nil {
		ref.ResourceVersion = pod.ResourceVersion
	}
	return ref
}
