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
// # Bounds
//
// No review can stall the webhook. A denial names at most admission.MaxNamedFields fields and
// counts the others, and the work is linear in the pod's fields: only the fields the plugin
// reads are decoded, and the JSONPatch is written into one buffer. A review in the form the API
// server sends is decoded in one pass of the webhook's own, straight into those fields, which
// the plugin reads as an admission.PodFields (a 100,000-field review is answered in tens of
// milliseconds); any other form (keys in another case or repeated, escaped names or images,
// values of the wrong type) goes through encoding/json, with the same answer. A review whose request
// context ends (the API server gave up) is dropped with HTTP 503 and an "abandoned" log line.
// Reviews take their body's size from a budget of Config.MaxInflightBytes (--max-inflight-bytes)
// before being read; one that does not fit is answered 429 with Retry-After at once, while
// /healthz and /readyz are never refused. Every value logged is cut to 1 KiB (the reason to
// 4 KiB), so a 3 MB pod name or user name writes a line of a few kilobytes.
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
