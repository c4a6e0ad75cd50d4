// Package virtualkubelet makes a virtual-kubelet provider handle images the way the kubelet
// does. [New] wraps any [node.PodLifecycleHandler] (github.com/virtual-kubelet/virtual-kubelet
// v1.14.1) in a [Provider] whose CreatePod hands the pod to the provider only once every image
// of the pod is ready by the kubelet's rules ([kubelet.ImageManager.EnsureImageExists]):
//
//   - the image volumes first, all of them, then the init containers (sidecars included) in
//     order, stopping at the first that fails, then every regular container, as the kubelet's
//     SyncPod starts them (pkg/kubelet/kuberuntime/kuberuntime_manager.go:1887-1960, v1.37.2);
//   - the pod's imagePullSecrets read from the API, a missing one reported with the kubelet's
//     Warning FailedToRetrieveImagePullSecret event when a pull then fails
//     (pkg/kubelet/kubelet.go:2247 and 2307-2319, kubelet_pods.go:1094 getPullSecretsForPod);
//   - the KEP-2535 pull records of one node (one Provider per node: its own records,
//     in memory or in a directory);
//   - the kubelet's per-image back-off, with the pod retried as the kubelet's pod worker
//     retries a failed sync: after backOffPeriod (10 s) with up to 50 % jitter, at most the
//     resync interval (1 min) (pkg/kubelet/pod_workers.go:1524 completeWork);
//   - events through a client-go EventRecorder, and the waiting pod's status through
//     virtual-kubelet's NotifyPods callback, which writes it with UpdateStatus.
//
// Until the provider has the pod, GetPod and GetPodStatus answer for it with the waiting
// status; after, they ask the provider. The package is the only one of the module that links
// virtual-kubelet (credential/plugin/deps_test.go checks it).
package virtualkubelet
