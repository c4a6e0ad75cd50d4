// Package sim is a simulated node for a virtual-kubelet provider: a container "runtime" whose
// images live in memory but whose pulls really talk to an OCI registry, and a
// PodLifecycleHandler that marks a pod's containers Running once their images are on the node.
//
// [Runtime] is one node's runtime. It is the [pullpolicy.Store] and [kubelet.Puller] a
// [kubelet.ImageManager] needs (and a [kubelet.ImageLister]). A pull behaves as containerd's
// does, request for request: the reference is resolved on the registry (HEAD of the
// manifest, through [registry.Resolver]), then the manifest, for an index the platform's
// manifest, the config and the layers are fetched (GET) unless the node's content store
// already holds them by digest. Concurrent pulls of the same content on one node fetch each
// blob once, as containerd's ingest locks make them do. So a pull of an image the node
// already has costs one HEAD and nothing else, and the first pull of an image costs one HEAD,
// one manifest GET and one blob GET per config and layer. Nothing is unpacked: the content
// is read, checked against its digest and forgotten, only its digest is kept.
//
// [Provider] implements virtual-kubelet's node.PodLifecycleHandler and node.PodNotifier
// (github.com/virtual-kubelet/virtual-kubelet v1.14.1) without importing virtual-kubelet: its
// methods take and return k8s.io/api types only, and its not-found error satisfies
// virtual-kubelet's errdefs.IsNotFound by method. It does not pull: it expects the images to
// be on the node already (the virtualkubelet adapter makes them so, the kubelet's way), and
// reports each container Running with the image ID the runtime holds.
//
// Registries are reached over plain HTTP for the hosts given in [RemoteOptions.PlainHTTP]
// (the loopback test registry), with anonymous or Basic authentication for the blob and
// manifest fetches; the resolve step speaks everything [registry.Resolver] speaks.
package sim
