// Package cri connects imagepull to a container runtime through the Kubernetes Container
// Runtime Interface (CRI v1) image service, the way the kubelet does: a [Client] is both a
// [pullpolicy.Store] (CRI ImageStatus) and a [kubelet.Puller] (CRI PullImage), and it
// lists and removes images.
//
//	c, err := cri.Dial(ctx, "/run/containerd/containerd.sock", nil)
//	if err != nil { … }
//	defer c.Close()
//	d, err := pullpolicy.Decide(ctx, pullpolicy.IfNotPresent, img, c, nil)
//
// # Kubelet parity
//
// The requests and the error texts are the kubelet's (pkg/kubelet/kuberuntime/kuberuntime_image.go
// and the CRI client in k8s.io/cri-client/pkg/remote_image.go):
//
//   - Lookups send the tag-defaulted, unnormalised image string ([reference.Image.WithDefaultTag]);
//     a response without an image means absent, not an error.
//   - Pulls send the image string, the pod's annotations and runtime handler, the pod sandbox
//     metadata and one credential at a time: credentials are tried in order, the first success
//     wins, and there is no anonymous attempt once credentials exist. When all fail, the error
//     text is the kubelet's aggregate: the single distinct message, or "[e1, e2]".
//   - A pull error with gRPC code Unknown is reduced to its message (so a runtime's
//     "RegistryUnavailable: …" reaches the kubelet's prefix classification); every other error
//     keeps the full "rpc error: code = … desc = …" text.
//   - After a pull the image size is asked for (best effort: 0 when the runtime cannot say).
//
// What the runtime answers is the runtime's business: containerd records the top-level digest
// it pulled, so a multi-platform image is found by its index digest and not by a per-platform
// manifest digest.
//
// # Connections and time
//
// [Dial] checks that the socket exists and that the runtime serves the CRI v1 image service
// before it returns. Every call honours its context; calls other than PullImage are also
// bounded by [Options.CallTimeout] (by default the kubelet's two-minute runtime request
// timeout). Errors of calls ended by their context match errors.Is(err, context.Canceled) or
// context.DeadlineExceeded.
//
// This package links gRPC; the core packages reference and pullpolicy do not.
package cri
