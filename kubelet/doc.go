// Package kubelet reproduces the kubelet's image manager (Kubernetes v1.36.3,
// pkg/kubelet/images) for programs that start containers as a kubelet does: custom kubelets,
// virtual-kubelet providers, runtimes and simulators.
//
// [ImageManager.EnsureImageExists] makes a container's image ready with the kubelet's order of
// checks, runtime calls, events, messages, waiting reasons, back-off, pull limits and KEP-2535
// pull records. The zero [Config], plus a pullpolicy.Store and a [Puller] (package cri for a
// real runtime, kubelettest for tests), is the kubelet with its default settings and feature
// gates.
//
// # Where each rule lives
//
//   - ensure.go: the order of checks of EnsureImageExists.
//   - pull.go, queue.go, throttle.go: a pull, the serialized queue or parallel limit, and the
//     registry QPS limit.
//   - backoff.go: the pull back-off per pod UID and image string.
//   - events.go: the kubelet's event and status messages, verbatim.
//   - error.go: the waiting reasons and how a runtime's error is classified.
//   - credentials.go: the pod's credentials (Secrets, node keyring, credential provider).
//   - verify.go, startup.go: KEP-2535 credential verification (package pullmanager) and its
//     startup recovery.
//   - resolve.go, dedup.go, credential_resolver.go: the extensions beyond the kubelet, all off
//     by default (resolve then pull by digest, offline fallback, de-duplicated pulls).
//   - mask.go: the pod's credentials masked in a runtime's or resolver's error before it is
//     repeated in an event, a message or a log line (beyond the kubelet, always on).
//   - request.go, puller.go, manager.go: the types a caller fills in.
//   - metrics.go, report.go: what is measured ([Metrics], a no-op unless [Config].Metrics is
//     set; package kubelet/metrics puts it on Prometheus under the kubelet's metric names) and
//     logged ([Config].Logger: a debug line per decision, an info line per pull).
//
// # Errors and events
//
// A failure returns an [*EnsureError] whose text says what happened ("ErrImagePull: …"),
// whose [EnsureError.WaitingReason] is the container's waiting reason, and which matches
// pullpolicy's sentinels with errors.Is. Every [Event] carries the field path of the
// kubelet's object reference ([Request.FieldPath]), so that an adapter to client-go's event
// recorder can tell init containers from regular ones.
//
// Two rules are stricter than the kubelet, always: a pull that fails after its context ended
// keeps its pull intent, so that an image the runtime may have stored meanwhile must be
// verified by every other pod ([ImageManager.EnsureImageExists]); and credentials a registry
// echoes in its error are masked ("[redacted]") before any event, message or log line.
package kubelet
