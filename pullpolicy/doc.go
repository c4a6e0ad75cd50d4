// Package pullpolicy decides, exactly as the Kubernetes kubelet (v1.36) does, whether a
// container image must be pulled, may be used from the node's local images, or must fail.
//
// # The three policies
//
//   - [Never]: the image must already be on the node. Present: use it. Absent: fail with
//     [ErrImageNeverPull]. No registry is asked.
//   - [IfNotPresent]: use the image when present, pull it when absent. No registry is asked.
//   - [Always]: every start goes through the registry. With no [Resolver], [Decide] answers
//     as the kubelet does: pull the tag-defaulted reference and let the runtime resolve it.
//     With a Resolver it goes further: the registry is asked which digest the tag names now,
//     a present image with that digest is used without a transfer, and otherwise the pull is
//     pinned to the digest, so that a tag moved meanwhile cannot swap the image.
//
// # Defaulting
//
// A container with no imagePullPolicy gets one from the API server: [Always] when the image's
// tag is "latest", given or implied ("nginx", "nginx:latest", even "nginx:latest@sha256:…"),
// and [IfNotPresent] otherwise (a digest without a tag included). [Default] applies that rule
// to an image string, [DefaultFor] to a parsed one, and [Decide] to an empty policy.
// [ParsePolicy] accepts exactly the API server's three spellings.
//
// # What is verbatim
//
// [Decision].Reason and Message, and the [*Error]'s Reason sentinel and Message, are the
// kubelet's event reason, event message, waiting reason and pod-status message, byte for byte
// ("Pulled", `Container image "nginx" already present on machine`, "ErrImageNeverPull", …).
// Under Always the kubelet itself never says "already present": it emits Pulling and then
// "Successfully pulled …" even when the runtime has the digest; a UseLocal Decision under
// Always with a Resolver is this package's answer, and carries the kubelet's "already present"
// text only as the nearest event. Action, PullRef, Digest and Stale are this package's own.
//
// The kubelet's whole image manager, with back-off, pull limits, events and KEP-2535
// credential verification, is package kubelet, built on this one.
package pullpolicy
