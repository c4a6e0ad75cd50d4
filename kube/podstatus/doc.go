// Package podstatus is the kubelet's mapping from the outcome of EnsureImageExists to what the
// API shows: the containers' waiting reasons and messages, the Warning Failed "Error: <reason>"
// event that the kubelet's runtime manager adds, and the order in which a pod's images are
// ensured, sync after sync. It follows the kubelet v1.37.2 (v1.36.3 behaves the same); the
// citations in the docs are file:line in k8s.io/kubernetes@v1.37.2/pkg/kubelet.
//
// It is independent of any kubelet framework: it uses the k8s.io/api types and this library's
// [kubelet.ImageManager] outcome types, and links neither client-go nor virtual-kubelet.
//
// # One sync
//
// The kubelet's pod worker runs SyncPod for a pod again and again. Each SyncPod ensures the
// images of the containers it is about to start ([Plan]): image volumes first, then the next
// init container (one at a time: the next waits until the previous has completed, or, for a
// sidecar, started), then, once the pod is initialized, every regular container. [Sync] runs
// one such pass with a caller's [EnsureFunc] (usually [kubelet.ImageManager.EnsureImageExists])
// and returns a [SyncResult]: each container's [Start] (ready, or failed with a reason and a
// message) and the Failed events. [SyncAll] does the same in one pass for a runtime that starts
// the whole pod at once (a virtual-kubelet provider's CreatePod), counting each init container
// whose images are ready as completed. For a runtime that runs init containers one at a time,
// [PlanProgress] and [SyncProgress] take each container's [ContainerProgress], so that an init
// container still running holds the rest up, as in the kubelet.
//
// # Statuses
//
// The kubelet keeps the failure of each container's last start in its reason cache
// ([ReasonCache], updated with [ReasonCache.Update] after each sync) and builds the container
// statuses from it: [ContainerStatuses] returns them (ContainerCreating or PodInitializing
// before any attempt, ErrImagePull, ImagePullBackOff, … after one).
//
// # Retrying
//
// The kubelet does not wait for the image back-off to expire: its pod worker syncs the pod
// again [BackOffPeriod] (10 s, jittered up to 15 s) after a sync with a failed start, back-off
// included ([RetryDelay], [Jitter]; pod_workers.go:1524). The image back-off (10 s doubling
// to 300 s, per pod and image) decides what each retry finds: while it lasts,
// EnsureImageExists fails at once with ImagePullBackOff and the message
// `Back-off pulling image "X": ErrImagePull: …`, without asking the registry; the first retry
// after it ends pulls again. As both start at 10 s, the first retry pulls again (ErrImagePull
// twice), the next one falls in the 20 s back-off (ImagePullBackOff), and so on
// ([ExampleSync]). A caller retries a pod the kubelet's way by calling Sync, then
// ReasonCache.Update, then ContainerStatuses or PodStatus, on that cadence, until every Start
// succeeds; a new Secret needs no restart, since every pull asks for the pod's Secrets again.
package podstatus
