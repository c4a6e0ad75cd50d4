package kubelet

import (
	"strconv"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Pod is what the [ImageManager] needs to know about the pod whose container starts.
type Pod struct {
	Namespace      string // also the Sandbox's, for the runtime
	Name           string // also the Sandbox's, for the runtime
	UID            string // the back-off is per pod UID and image string
	ServiceAccount string // spec.serviceAccountName, for the CredentialProvider
	// Annotations are all the pod's annotations. They go to the runtime with the pull, as
	// PullRequest.Annotations (the same map: neither side may modify it).
	Annotations map[string]string
}

// Request asks the [ImageManager] to make a container's image ready.
type Request struct {
	// Pod is the pod the container belongs to.
	Pod Pod
	// Container is the container's name (for an image volume, the volume's name). It is
	// informational: events are about it.
	Container string
	// Kind says which list of the pod spec Container is in; it gives the events' field path.
	Kind ContainerKind
	// Image is the container's image string, verbatim as in the pod spec.
	Image string
	// Policy is the container's imagePullPolicy; "" is defaulted from the image ([Default]).
	Policy pullpolicy.Policy
	// PullSecrets are the pod's image pull Secrets, already fetched.
	PullSecrets []credential.Secret
	// RuntimeHandler is the pod's runtime handler (KEP-4216); "" by default.
	RuntimeHandler string
}

// Result is what [ImageManager.EnsureImageExists] reports, on failure too.
type Result struct {
	// ImageRef is the runtime's image ID of the image to start; "" on failure.
	ImageRef string
	// Message is the kubelet's returned message: the pod's waiting message on failure, ""
	// after a fresh pull, and the "already present" text when a present image is used.
	Message string
	// Events are the events emitted, in order.
	Events []Event
}

// ContainerKind says where in the pod spec an image comes from.
type ContainerKind int

const (
	// KindContainer is a regular container: spec.containers. It is the zero ContainerKind.
	KindContainer ContainerKind = iota
	// KindInitContainer is an init container (sidecars included): spec.initContainers.
	KindInitContainer
	// KindEphemeralContainer is an ephemeral (debug) container: spec.ephemeralContainers.
	KindEphemeralContainer
	// KindImageVolume is an image volume: spec.volumes[].image.
	KindImageVolume
)

var kindNames = [...]string{"Container", "InitContainer", "EphemeralContainer", "ImageVolume"}

// String returns "Container", "InitContainer", "EphemeralContainer" or "ImageVolume".
func (k ContainerKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "ContainerKind(" + strconv.Itoa(int(k)) + ")"
}

// FieldPath returns the field path of the kubelet's event object reference for r's
// container: "spec.containers{app}", "spec.initContainers{init}" or
// "spec.ephemeralContainers{debug}". It is "" for an image volume, whose events the kubelet
// v1.36 records on the pod itself, and when Container is empty.
func (r *Request) FieldPath() string {
	if r.Container == "" {
		return ""
	}
	switch r.Kind {
	case KindContainer:
		return "spec.containers{" + r.Container + "}"
	case KindInitContainer:
		return "spec.initContainers{" + r.Container + "}"
	case KindEphemeralContainer:
		return "spec.ephemeralContainers{" + r.Container + "}"
	}
	return ""
}
