// Package kube reads Kubernetes objects for the pull-policy engine: the images of a pod and
// of every workload that carries a pod template, the pull Secrets of a pod, and — from
// manifests on disk — where each of them was written.
//
// It uses the k8s.io/api types. It is its own package so that the core ([reference],
// [pullpolicy]) and the image manager never link k8s.io: a test guards that.
//
// # Images of a pod
//
// [PodImages] lists every image-bearing field of a pod spec: init containers (sidecars
// included), containers, ephemeral containers and image volumes. For each it gives the
// image string and the policy as written, the policy the API server stores
// ([pullpolicy.Default] when the field is empty: the same rule for image volumes, in
// SetDefaults_Volume, with the ImageVolume feature gate on), the kubelet's field path for
// events ("spec.containers{app}"; none for an image volume, whose events the kubelet records
// on the pod) and a JSON-path-style location for reports ("spec.volumes[2].image.reference").
//
// # Workloads
//
// [Read] takes a stream of manifests — multi-document YAML as Helm renders it (with "---",
// comments, "# Source:" headers and empty documents) or JSON — and returns the
// [Workload]s: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
// Job, CronJob and PodTemplate, also inside a v1 List. Other kinds are [Skipped] with a
// reason. A malformed document becomes a [DocumentError] with its document number and
// line, and reading goes on with the next document. [Workload.Line] finds the line of any
// field, such as an image, for reports. Input is bounded ([DefaultMaxBytes]), and so is the
// expansion of YAML aliases.
//
// YAML is parsed once into nodes (go.yaml.in/yaml/v3), which keep line numbers; only the pod
// template, the object's metadata and the Secrets are converted to JSON and decoded into the
// API types. Scalars are typed as kubectl types them: YAML 1.2 for numbers, YAML 1.1 for
// booleans, so a plain yes, no, on or off is a boolean (kubectl reads YAML with
// sigs.k8s.io/yaml on go.yaml.in/yaml/v2, and sends JSON true or false), and a label value
// or any other string field written so is a [DocumentError], as the API server rejects it.
//
// # Secrets
//
// [Keyring] turns a pod's pull Secrets into the kubelet's keyring ([credential.Keyring]),
// taking kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg Secrets and skipping
// the rest, as the kubelet does. [PullSecrets] picks a pod's imagePullSecrets out of the
// Secrets at hand and names the missing ones, as the kubelet's
// FailedToRetrieveImagePullSecret event does.
package kube
