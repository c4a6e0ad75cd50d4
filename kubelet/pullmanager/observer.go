package pullmanager

import "context"

// CheckResult is how a [Manager.MustAttemptImagePull] check for a present image ended, in the
// words of the kubelet's kubelet_imagemanager_image_mustpull_checks_total metric (its "result"
// label).
type CheckResult string

// The results of a must-pull check. A check for an image that is not present (imageRef "")
// is not counted, as in the kubelet.
const (
	// CheckCredentialPolicyAllowed: the verification policy lets every pod use the image
	// (preloaded, allowlisted, or NeverVerify).
	CheckCredentialPolicyAllowed CheckResult = "credentialPolicyAllowed"
	// CheckCredentialRecordFound: a pulled record opens the image to every pod, or names one
	// of the pod's Secrets or its service account.
	CheckCredentialRecordFound CheckResult = "credentialRecordFound"
	// CheckMustAuthenticate: the pod must pull the image to prove its access.
	CheckMustAuthenticate CheckResult = "mustAuthenticate"
	// CheckError: the records could not be read, the image name could not be parsed, the
	// pod's credentials could not be looked up, or the context ended. The pod must pull.
	CheckError CheckResult = "error"
)

// Observer is told the result of every must-pull check a [Manager] makes. Implementations
// must be safe for concurrent use and fast: they run on the caller's goroutine.
type Observer interface {
	ObserveMustPullCheck(ctx context.Context, result CheckResult)
}

// Usage is how many intents and pulled records a [PullRecords] holds, and how many it can
// hold: the numbers behind the kubelet's kubelet_imagemanager_ondisk_* and
// kubelet_imagemanager_inmemory_*_usage_percent metrics.
type Usage struct {
	Intents int // intents held
	Records int // pulled records held
	// IntentsCapacity and RecordsCapacity bound what a cache holds; 0 means unbounded.
	IntentsCapacity int
	RecordsCapacity int
}

// UsageReporter is implemented by a [PullRecords] that can tell how much it holds. Usage
// should be cheap enough to call on every metrics scrape; it must be safe for concurrent use.
type UsageReporter interface {
	Usage() (Usage, error)
}

// Usage reports the intents and records m holds; a MemoryRecords is unbounded.
func (m *MemoryRecords) Usage() (Usage, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return Usage{Intents: len(m.intents), Records: len(m.pulled)}, nil
}
