package credential

import "context"

// ProviderRequest is what a [Provider] is asked: which image a pod is about to pull.
type ProviderRequest struct {
	// Image is the container's image string as written in the pod spec ("nginx:1.27").
	Image string
	// Repository is the image's normalised repository without tag or digest
	// ("docker.io/library/nginx"): the key the kubelet looks credentials up by.
	Repository string
	// Pod is the pod that needs the image.
	Pod Pod
}

// Pod identifies the pod a [Provider] is asked for: enough for a provider in service-account
// mode (KEP-4412) to find the pod's service account and request a token bound to the pod.
type Pod struct {
	Namespace string
	Name      string
	UID       string
	// ServiceAccount is spec.serviceAccountName as the kubelet passes it to its plugins: the
	// API server sets it ("default" when the manifest names none), so "" means a pod without a
	// service account, such as a static pod.
	ServiceAccount string
	// Annotations are the pod's annotations; a provider must not modify the map.
	Annotations map[string]string
}

// Provider supplies credentials for an image beyond a pod's pull Secrets and the node's docker
// config, as the kubelet's credential provider plugins do. Credentials returned with a
// [SourceServiceAccount] source take part in the image manager's credential verification
// (KEP-2535) as the service account's; others count as node-wide. Implementations must be
// safe for concurrent use.
type Provider interface {
	Credentials(ctx context.Context, req ProviderRequest) ([]Credential, error)
}

// ProviderFunc adapts a function to the [Provider] interface.
type ProviderFunc func(ctx context.Context, req ProviderRequest) ([]Credential, error)

// Credentials calls f(ctx, req).
func (f ProviderFunc) Credentials(ctx context.Context, req ProviderRequest) ([]Credential, error) {
	return f(ctx, req)
}
