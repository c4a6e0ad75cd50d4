package metrics

// The metric names, as exposed. Those of the kubelet are its own, verbatim (Kubernetes
// v1.36, pkg/kubelet/metrics/metrics.go, pkg/kubelet/images/metrics.go and
// pkg/kubelet/images/pullmanager/metrics.go); those beyond it carry the "imagepull_" prefix.
const (
	// EnsureImageRequests is a counter of EnsureImageExists calls, labelled pull_policy,
	// present_locally and pull_required (kubelet, ALPHA).
	EnsureImageRequests = "kubelet_image_manager_ensure_image_requests_total"
	// ImagePullDuration is a histogram of successful pulls' durations in seconds, waiting
	// included, labelled image_size_in_bytes (kubelet, ALPHA).
	ImagePullDuration = "kubelet_image_pull_duration_seconds"
	// MustPullChecks is a counter of credential-verification checks of present images,
	// labelled result (kubelet, ALPHA).
	MustPullChecks = "kubelet_imagemanager_image_mustpull_checks_total"
	// OnDiskPullIntents is a gauge of the pull intents on disk (kubelet, ALPHA).
	OnDiskPullIntents = "kubelet_imagemanager_ondisk_pullintents"
	// OnDiskPulledRecords is a gauge of the pulled records on disk (kubelet, ALPHA).
	OnDiskPulledRecords = "kubelet_imagemanager_ondisk_pulledrecords"
	// InMemoryPullIntentsUsage is a gauge of the in-memory intents cache's use, in whole
	// percent (kubelet, ALPHA).
	InMemoryPullIntentsUsage = "kubelet_imagemanager_inmemory_pullintents_usage_percent"
	// InMemoryPulledRecordsUsage is a gauge of the in-memory pulled-records cache's use, in
	// whole percent (kubelet, ALPHA).
	InMemoryPulledRecordsUsage = "kubelet_imagemanager_inmemory_pulledrecords_usage_percent"

	// ImagePulls is a counter of pulls let through the back-off, labelled result (imagepull).
	ImagePulls = "imagepull_image_pulls_total"
	// ImagePullBackOffs is a counter of pulls the back-off refused (imagepull).
	ImagePullBackOffs = "imagepull_image_pull_back_offs_total"
	// DeduplicatedPulls is a counter of pulls answered by another caller's pull (imagepull).
	DeduplicatedPulls = "imagepull_image_pulls_deduplicated_total"
	// OfflineFallbacks is a counter of containers started from a local image because the
	// registry was unavailable (imagepull).
	OfflineFallbacks = "imagepull_offline_fallbacks_total"
	// Resolves is a counter of resolves, labelled resolver and outcome (imagepull).
	Resolves = "imagepull_resolves_total"
	// ResolveDuration is a histogram of resolves' durations in seconds, labelled resolver
	// (imagepull).
	ResolveDuration = "imagepull_resolve_duration_seconds"
)

// The kubelet's buckets of kubelet_image_pull_duration_seconds, in seconds.
var imagePullDurationBuckets = []float64{1, 5, 10, 20, 30, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600}

// resolveDurationBuckets spans a cache hit to a registry call at its default timeout.
var resolveDurationBuckets = []float64{0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// imageSizeBucket is a label value of kubelet_image_pull_duration_seconds and the size above
// which it applies.
type imageSizeBucket struct {
	above int64
	label string
}

const (
	mib = 1 << 20
	gib = 1 << 30
)

// The kubelet's image size buckets, in increasing order.
var imageSizeBuckets = [...]imageSizeBucket{
	{0, "0-10MB"},
	{10 * mib, "10MB-100MB"},
	{100 * mib, "100MB-500MB"},
	{500 * mib, "500MB-1GB"},
	{1 * gib, "1GB-5GB"},
	{5 * gib, "5GB-10GB"},
	{10 * gib, "10GB-20GB"},
	{20 * gib, "20GB-30GB"},
	{30 * gib, "30GB-40GB"},
	{40 * gib, "40GB-60GB"},
	{60 * gib, "60GB-100GB"},
	{100 * gib, "GT100GB"},
}

// sizeUnknown is the label of a pull whose size is unknown (0).
const sizeUnknown = "N/A"

// sizeBucket returns the index in imageSizeBuckets of size's label, or len(imageSizeBuckets)
// for an unknown size: as the kubelet's GetImageSizeBucket, a size on a boundary belongs to
// the lower bucket ("0-10MB" holds exactly 10 MiB).
func sizeBucket(size int64) int {
	if size <= 0 {
		return len(imageSizeBuckets)
	}
	for i := len(imageSizeBuckets) - 1; i > 0; i-- {
		if size > imageSizeBuckets[i].above {
			return i
		}
	}
	return 0
}

// sizeLabel returns the label of bucket i of sizeBucket.
func sizeLabel(i int) string {
	if i == len(imageSizeBuckets) {
		return sizeUnknown
	}
	return imageSizeBuckets[i].label
}
