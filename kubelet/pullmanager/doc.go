// Package pullmanager is KEP-2535 ("ensure secret pulled images") as the kubelet v1.36.3
// implements it in pkg/kubelet/images/pullmanager: records of which credentials pulled which
// image, and the decision whether a pod may start an image already on the node or must pull
// it to prove its access.
//
// A [Manager] keeps pull intents (written before a pull, so that an image can never appear on
// the node unrecorded) and pulled records (which Secrets, service accounts or "all pods" may
// use an image ID) in a [PullRecords] store: [MemoryRecords] here, cache.FileRecords for the
// kubelet's own on-disk layout. The verification policies ([VerificationPolicy]) and the
// preloaded-images allowlist follow the KubeletConfiguration. The kubelet package's image
// manager drives a Manager; most programs never call one directly.
package pullmanager
