package kubelet

import (
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Pod is what the [Manager] needs to know about the pod whose container starts.
type Pod struct {
	Namespace      string // also the Sandbox's, for the runtime
	Name           string // also the Sandbox's, for the runtime
	UID            string // the back-off is per pod UID and image string
	ServiceAccount string // spec.serviceAccountName, for the CredentialProvider
	// Annotations are all the pod's annotations. They go to the runtime with the pull, as
	// PullRequest.Annotations (the same map: neither side may modify it).
	Annotations map[string]string
}

// Request asks the [Manager] to make a container's image ready.
type Request struct {
	// Pod is the pod the container belongs to.
	Pod Pod
	// Container is the container's name. It is informational: events are about it.
	Container string
	// Image is the container's image string, verbatim as in the pod spec.
	Image string
	// Policy is the container's imagePullPolicy; "" is defaulted from the image ([Default]).
	Policy pullpolicy.Policy
	// PullSecrets are the pod's image pull Secrets, already fetched.
	PullSecrets []credential.Secret
	// RuntimeHandler is the pod's runtime handler (KEP-4216); "" by default.
	RuntimeHandler string
}

// Result is what [Manager.EnsureImageExists] reports, on failure too.
type Result struct {
	// ImageRef is the runtime's image ID of the image to start; "" on failure.
	ImageRef string
	// Message is the kubelet's returned message: the pod's waiting message on failure, ""
	// after a fresh pull, and the "already present" text when a present image is used.
	Message string
	// Events are the events emitted, in order.
	Events []Event
}
