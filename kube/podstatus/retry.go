package podstatus

import "time"

// The kubelet's pod worker timings (pkg/kubelet/kubelet.go:223 backOffPeriod,
// pkg/kubelet/apis/config/v1beta1/defaults.go:77 SyncFrequency, pkg/kubelet/pod_workers.go:327
// and :330 the jitter factors).
const (
	// BackOffPeriod is how long the pod worker waits before syncing a pod again after a sync
	// that failed, before jitter.
	BackOffPeriod = 10 * time.Second
	// ResyncInterval is the default sync frequency: how long the pod worker waits after a
	// sync that succeeded, before jitter.
	ResyncInterval = time.Minute
	// JitterFactor is the jitter of both: a delay d becomes d + rand·JitterFactor·d
	// (wait.Jitter).
	JitterFactor = 0.5
)

// RetryDelay returns how long the kubelet's pod worker waits before the next sync of a pod
// whose last sync gave r, before jitter (pod_workers.go:1524 completeWork): a sync with a
// failed start returns an error (kubelet.go:2321, PodSyncResult.Error), and every image
// failure, ImagePullBackOff included, is such an error, so the pod is synced again after
// backOff (the kubelet's [BackOffPeriod]), at most resync; a sync without error is followed
// by one after resync ([ResyncInterval] by default). Image errors carry no back-off
// expiration (kubecontainer.MinBackoffExpiration finds none), so the image back-off does
// not shorten or lengthen the wait: while the back-off lasts, each retry fails at once
// with ImagePullBackOff and no registry request, and the first retry after it expires pulls
// again. A kubelet also syncs a pod when its spec changes or the runtime reports a container
// event (PLEG); a caller that wants the kubelet's exact cadence syncs on those too.
func RetryDelay(r *SyncResult, backOff, resync time.Duration) time.Duration {
	if !r.Failed() {
		return resync
	}
	return min(max(backOff, 0), resync)
}

// Jitter returns d + rnd·factor·d, as wait.Jitter (k8s.io/apimachinery/pkg/util/wait) does
// with rnd from rand.Float64: rnd is in [0, 1). A factor <= 0 means 1.
func Jitter(d time.Duration, factor, rnd float64) time.Duration {
	if factor <= 0 {
		factor = 1
	}
	return d + time.Duration(rnd*factor*float64(d))
}
