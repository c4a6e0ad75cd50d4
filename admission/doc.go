// Package admission is the Kubernetes AlwaysPullImages admission plugin as a library: the rules
// of plugin/pkg/admission/alwayspullimages in Kubernetes v1.36, written against the published
// k8s.io/api types so that a webhook, a policy engine or a test can apply them without
// k8s.io/apiserver.
//
// The plugin exists for multi-tenant clusters. Once an image is on a node, any pod that names it
// with imagePullPolicy Never or IfNotPresent runs it without proving it may pull it. Forcing
// Always sends every container start through the registry, which checks the pod's credentials.
//
// # Rules
//
// [Admit] (the mutating half) and [Validate] (the validating half) take a [Request] and act
// exactly as the API server's plugin does:
//
//   - Only CREATE and UPDATE of the core "pods" resource are handled. Subresources (status,
//     binding, ephemeralcontainers, resize, …) are ignored, so an ephemeral container added
//     through the ephemeralcontainers subresource keeps its policy. Pod templates in workloads
//     are not pods and are ignored too.
//   - An UPDATE is ignored unless the new pod names a container image that the old pod did not
//     name. The comparison is between sets of image strings over init, regular and ephemeral
//     containers (image volumes do not take part, as in the plugin).
//   - Admit sets imagePullPolicy to Always on every init, regular and ephemeral container and
//     pullPolicy to Always on every image volume (KEP-4639).
//   - Validate reports every container and image volume whose policy is not Always: one
//     Forbidden status error per field, wrapping a NotSupported field error, aggregated. The
//     text is the API server's, for example
//     pods "web" is forbidden: spec.initContainers[0].imagePullPolicy: Unsupported value: "Never": supported values: "Always".
//     Unlike the API server, it names at most [MaxNamedFields] fields and counts the others
//     (", and N more fields not "Always"" closes the list), so that its cost and its text stay
//     linear and bounded for a pod with 100,000 containers; [ValidateContext] also stops when
//     its context ends.
//   - An object that is not a *corev1.Pod (or a [PodFields]) on the pods resource is a
//     BadRequest: "Resource was marked with kind Pod but was unable to be converted".
//
// [Skipped] says whether, and why, a request is left alone; [ImageFields] visits every
// image-bearing field of a pod spec in the plugin's order with its field path and JSON pointer.
// A caller that holds only those fields (the webhook decodes just them from a review) passes a
// [PodFields] as the object instead of a *corev1.Pod, with the same answers.
//
// The functions hold no state and are safe for concurrent use; Admit mutates the request's
// object in place, as the plugin does.
package admission
