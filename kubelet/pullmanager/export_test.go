package pullmanager

import "time"

// Hooks for the external tests that translate the kubelet's own tests: upstream's
// image_pull_manager_test.go sets and reads the pull manager's intentCounters and calls
// pulledRecordMergeNewCreds and mergePullServiceAccounts directly.

// SetInFlight sets the number of pulls of image in flight, as upstream's tests store into
// intentCounters (image_pull_manager_test.go:871, :1230).
func SetInFlight(v *Manager, image string, n int32) {
	v.countMu.Lock()
	defer v.countMu.Unlock()
	if n == 0 {
		delete(v.counts, image)
		return
	}
	v.counts[image] = n
}

// InFlight returns the number of pulls of image in flight (upstream's getIntentCounterForImage).
func InFlight(v *Manager, image string) int32 { return v.inFlight(image) }

// MergeRecord is mergeRecord (upstream's pulledRecordMergeNewCreds).
func MergeRecord(rec PulledRecord, key string, creds *ImagePullCredentials, now time.Time) (PulledRecord, bool) {
	return mergeRecord(rec, key, creds, now)
}

// MergeServiceAccounts is mergeServiceAccounts (upstream's mergePullServiceAccounts).
func MergeServiceAccounts(orig, add []ImagePullServiceAccount) ([]ImagePullServiceAccount, bool) {
	return mergeServiceAccounts(orig, add)
}
