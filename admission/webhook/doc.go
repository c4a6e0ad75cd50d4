// Package webhook serves the AlwaysPullImages admission plugin of package
// [github.com/imagepull/imagepull/admission] as a Kubernetes admission webhook, for clusters
// whose API server cannot enable the plugin (managed control planes).
//
// # Endpoints
//
//   - POST /mutate answers an admission.k8s.io/v1 AdmissionReview with the plugin's Admit as a
//     JSONPatch: one "add" operation per pull policy that is not Always already.
//   - POST /validate answers with the plugin's Validate: the pod is denied, with the API server's
//     own message and code (403), when any container or image volume is not Always.
//   - GET /healthz answers 200 while the process serves; GET /readyz answers 200 until shutdown
//     begins.
//
// A request the plugin ignores (another operation, resource or subresource, an update without
// a new image) is allowed unchanged, as are requests in an excluded namespace (kube-system by
// default) and pods matching an exclusion label selector. In dry-run mode nothing is patched
// or denied: the answer carries a warning per field the plugin would have changed or rejected.
//
// A review that cannot be read is never a panic: a body over the size limit gets HTTP 413, a
// body that is not an AdmissionReview HTTP 400, and a review whose object cannot be decoded an
// AdmissionReview that denies the request with code 400, or in dry-run mode allows it with a
// warning (the API server applies the webhook's failurePolicy to the HTTP errors only). Every review gets one
// structured log line with its decision.
//
// # Serving
//
// [Server] serves TLS from a certificate and key file and reloads them when they change, as
// cert-manager and the kubelet's secret volumes rotate them; connections keep working with the
// old pair until a new pair loads. [Config] holds every option and registers the flags of the
// `imagepull webhook` command (--addr, --tls-cert-file, --tls-private-key-file, …); [Run] serves
// until its context ends, then shuts down gracefully. [Handler] is the bare http.Handler for
// embedding behind another server.
package webhook
