package pullmanager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// writeBackLimit is the number of Secrets a record's entry may hold before a successful match
// stops adding the matching pod's Secret to it (the kubelet's writeRecordWhileMatchingLimit).
const writeBackLimit = 100

// Config configures a [Manager]. The zero value means the kubelet's defaults.
type Config struct {
	// Policy is imagePullCredentialsVerificationPolicy; "" means [NeverVerifyPreloadedImages].
	Policy VerificationPolicy
	// Allowlist is preloadedImagesVerificationAllowlist; it is read (and validated) only under
	// [NeverVerifyAllowlistedImages].
	Allowlist []string
	// Records stores intents and pulled records; nil means [NewMemoryRecords].
	Records PullRecords
	// Now is the clock for records' LastUpdatedTime; nil means time.Now.
	Now func() time.Time
	// Logger receives what the kubelet logs (record I/O failures, notably
	// "Unable to access cache records about image pulls"); nil discards it.
	Logger *slog.Logger
	// Observer, when set, is told the result of every must-pull check (the kubelet's
	// kubelet_imagemanager_image_mustpull_checks_total).
	Observer Observer
}

// Manager decides whether a pod may use an image already on the node, from records of the
// kubelet's own pulls and the credentials they used (the kubelet's ImagePullManager, KEP-2535).
// A Manager is safe for concurrent use.
//
// The protocol around a pull is RecordPullIntent before it, then exactly one of
// RecordImagePulled or RecordImagePullFailed after it.
type Manager struct {
	policy   VerificationPolicy
	allow    allowlist
	records  PullRecords
	now      func() time.Time
	log      *slog.Logger
	observer Observer // may be nil

	intentLocks *stripedLocks // per image string: intent file and counter
	pulledLocks *stripedLocks // per imageRef: pulled record

	countMu sync.Mutex
	counts  map[string]int32 // image → pulls in flight; protected by countMu

	keys keyCache // RecordKey by image string
}

// New returns a Manager for cfg. It fails when the policy is unknown (an error
// matching [ErrInvalidVerificationPolicy]) or, under [NeverVerifyAllowlistedImages], when the
// allowlist is invalid (matching [ErrInvalidAllowlist]). It does not read the records: call
// [Manager.Initialize] once at startup.
func New(cfg Config) (*Manager, error) {
	v := &Manager{
		policy:      cfg.Policy,
		records:     cfg.Records,
		now:         cfg.Now,
		log:         cfg.Logger,
		observer:    cfg.Observer,
		intentLocks: newStripedLocks(),
		pulledLocks: newStripedLocks(),
		counts:      make(map[string]int32),
	}
	if v.policy == "" {
		v.policy = NeverVerifyPreloadedImages
	}
	if _, err := ParseVerificationPolicy(string(v.policy)); err != nil {
		return nil, err
	}
	if v.policy == NeverVerifyAllowlistedImages {
		a, err := newAllowlist(cfg.Allowlist)
		if err != nil {
			return nil, err
		}
		v.allow = a
	}
	if v.records == nil {
		v.records = NewMemoryRecords()
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	return v, nil
}

// RecordPullIntent records that image (the pod's image string, verbatim) is about to be
// pulled: it writes the intent and counts the pull in flight. An error reads
// `failed to record image pull intent: <cause>` and wraps the cause; the pull must not go on.
func (v *Manager) RecordPullIntent(image string) error {
	l := v.intentLocks.stripe(image)
	l.Lock()
	defer l.Unlock()
	if err := v.records.WritePullIntent(image); err != nil {
		return fmt.Errorf("failed to record image pull intent: %w", err)
	}
	v.countMu.Lock()
	v.counts[image]++
	v.countMu.Unlock()
	return nil
}

// RecordImagePulled records a successful pull of image as imageRef with creds (see
// [CredentialsFor]; nil marks the image kubelet-pulled with no known credentials), merging
// into an existing record, then ends the pull started by RecordPullIntent. When the record
// cannot be written the error is logged and the intent is kept on purpose, so that the image
// still counts as pulled by the kubelet.
func (v *Manager) RecordImagePulled(image, imageRef string, creds *ImagePullCredentials) {
	if err := v.writeRecord(image, imageRef, creds); err != nil {
		v.log.Error("failed to write image pulled record", "imageRef", imageRef, "err", err)
		return
	}
	v.endIntent(image)
}

// RecordImagePullFailed ends a pull started by RecordPullIntent that did not succeed.
func (v *Manager) RecordImagePullFailed(image string) { v.endIntent(image) }

// endIntent decrements image's in-flight count; the last one removes the intent.
func (v *Manager) endIntent(image string) {
	l := v.intentLocks.stripe(image)
	l.Lock()
	defer l.Unlock()
	if v.inFlight(image) > 1 {
		v.countMu.Lock()
		v.counts[image]--
		v.countMu.Unlock()
		return
	}
	if err := v.records.DeletePullIntent(image); err != nil {
		v.log.Error("failed to remove image pull intent", "image", image, "err", err)
		return // the count stays, consistent with the intent still stored
	}
	v.countMu.Lock()
	delete(v.counts, image)
	v.countMu.Unlock()
}

func (v *Manager) inFlight(image string) int32 {
	v.countMu.Lock()
	defer v.countMu.Unlock()
	return v.counts[image]
}

// writeRecord creates or merges the pulled record for imageRef (the kubelet's
// writePulledRecordIfChanged). An unreadable existing record is replaced.
func (v *Manager) writeRecord(image, imageRef string, creds *ImagePullCredentials) error {
	l := v.pulledLocks.stripe(imageRef)
	l.Lock()
	defer l.Unlock()
	key, err := v.keys.key(image) // RecordKey: image_pull_manager.go:121
	if err != nil {
		return fmt.Errorf("invalid image name %q: %w", image, err)
	}
	rec, exists, err := v.records.GetPulledRecord(imageRef)
	if err != nil {
		v.log.Info("failed to retrieve an ImagePulledRecord", "image", image, "err", err)
		exists = false
	}
	if !exists {
		rec = PulledRecord{LastUpdatedTime: v.now(), ImageRef: imageRef, CredentialMapping: make(map[string]ImagePullCredentials)}
		if creds != nil {
			rec.CredentialMapping[key] = creds.Clone()
		}
		return v.records.WritePulledRecord(rec)
	}
	rec, changed := mergeRecord(rec, key, creds, v.now())
	if !changed {
		return nil
	}
	return v.records.WritePulledRecord(rec)
}

// errUnreadable marks a failure to read the records in MustAttemptImagePull.
var errUnreadable = errors.New("unable to read image pull records")

// MustAttemptImagePull reports whether the pod must pull image (its image string, verbatim),
// present on the node as imageRef, before using it (the kubelet's MustAttemptImagePull):
//
//   - imageRef "" → true;
//   - records unreadable or corrupt → true (logged "Unable to access cache records about image
//     pulls"): never a silent pass;
//   - the policy requires no verification → false;
//   - no pulled record, no entry for the image's [RecordKey] (the image string without tag or
//     digest, not normalised: "busybox:1.36" and "docker.io/library/busybox" are two keys),
//     or an entry without credentials → true;
//   - an entry open to every pod (NodePodsAccessible) → false;
//   - otherwise podCreds is called (once, only now): a pod Secret whose hash equals a recorded
//     non-empty hash, or whose UID, namespace and name equal a recorded Secret's (all three
//     non-empty: a Secret without coordinates matches only by hash), or the pod's service
//     account equal to a recorded one → false; anything else → true. A match through
//     a new Secret, or a rotated hash, is written back while the entry has fewer than 100
//     Secrets.
//
// An error from podCreds is returned with true. A nil podCreds means no pod credentials. A
// cancelled ctx gives (true, ctx.Err()). Every check of a present image (imageRef not "") is
// reported to [Config].Observer with its [CheckResult].
func (v *Manager) MustAttemptImagePull(ctx context.Context, image, imageRef string, podCreds func() (PodCredentials, error)) (bool, error) {
	must, result, err := v.check(ctx, image, imageRef, podCreds)
	if v.observer != nil && imageRef != "" {
		v.observer.ObserveMustPullCheck(ctx, result)
	}
	return must, err
}

// check is MustAttemptImagePull, with the result the kubelet's metric counts.
func (v *Manager) check(ctx context.Context, image, imageRef string, podCreds func() (PodCredentials, error)) (bool, CheckResult, error) {
	if err := ctx.Err(); err != nil {
		return true, CheckError, err
	}
	if imageRef == "" {
		return true, "", nil
	}
	rec, hasRecord, pulledByKubelet, err := v.pullState(image, imageRef)
	if err != nil {
		v.log.Error("Unable to access cache records about image pulls", "image", image, "imageRef", imageRef, "err", err)
		return true, CheckError, nil
	}
	if !requiresVerification(v.policy, v.allow, image, pulledByKubelet) {
		return false, CheckCredentialPolicyAllowed, nil
	}
	if !hasRecord {
		return true, CheckMustAuthenticate, nil
	}
	key, err := v.keys.key(image) // RecordKey: image_pull_manager.go:254
	if err != nil {
		v.log.Error("failed to parse image name, forcing image credentials reverification", "image", image, "err", err)
		return true, CheckError, nil
	}
	entry, ok := rec.CredentialMapping[key]
	switch {
	case !ok:
		return true, CheckMustAuthenticate, nil
	case entry.NodePodsAccessible:
		return false, CheckCredentialRecordFound, nil
	case len(entry.KubernetesSecrets) == 0 && len(entry.KubernetesServiceAccounts) == 0:
		return true, CheckMustAuthenticate, nil
	}
	var pc PodCredentials
	if podCreds != nil {
		if pc, err = podCreds(); err != nil {
			return true, CheckError, err
		}
	}
	if v.matchPodCredentials(image, imageRef, entry, pc) {
		return false, CheckCredentialRecordFound, nil
	}
	return true, CheckMustAuthenticate, nil
}

// pullState reads, under the image's and imageRef's locks, the pulled record and whether the
// kubelet pulled the image (record, pull in flight, or intent stored).
func (v *Manager) pullState(image, imageRef string) (rec PulledRecord, hasRecord, pulledByKubelet bool, err error) {
	// Shared locks: decisions only read; writers (pulls ending, write-backs) wait for them.
	pl, il := v.pulledLocks.stripe(imageRef), v.intentLocks.stripe(image)
	pl.RLock()
	defer pl.RUnlock()
	il.RLock()
	defer il.RUnlock()
	rec, exists, err := v.records.GetPulledRecord(imageRef)
	switch {
	case err != nil:
		return PulledRecord{}, false, false, errors.Join(errUnreadable, err)
	case exists:
		return rec, true, true, nil
	case v.inFlight(image) > 0:
		return PulledRecord{}, false, true, nil
	}
	ok, err := v.records.PullIntentExists(image)
	if err != nil {
		return PulledRecord{}, false, false, fmt.Errorf("failed to check existence of an image pull intent: %w", err)
	}
	return PulledRecord{}, false, ok, nil
}

// matchPodCredentials reports whether pc matches the recorded entry, writing back what the
// match taught (a new Secret with known content, or a rotated Secret's new hash).
func (v *Manager) matchPodCredentials(image, imageRef string, entry ImagePullCredentials, pc PodCredentials) bool {
	canWrite := len(entry.KubernetesSecrets) < writeBackLimit
	for _, pod := range pc.Secrets {
		for _, rec := range entry.KubernetesSecrets {
			hashMatch := rec.CredentialHash != "" && pod.CredentialHash == rec.CredentialHash
			coordMatch := sameSecret(pod, rec)
			switch {
			case hashMatch:
				if !coordMatch && canWrite {
					v.writeBack(image, imageRef, pod) // a new Secret with known content
				}
				return true
			case coordMatch && canWrite:
				// A rotated Secret. As in the kubelet, a full entry (100 Secrets) does not
				// accept a coordinates-only match at all.
				v.writeBack(image, imageRef, pod)
				return true
			}
		}
	}
	if pc.ServiceAccount == nil {
		return false
	}
	for _, sa := range entry.KubernetesServiceAccounts {
		if sa == *pc.ServiceAccount {
			return true
		}
	}
	return false
}

// sameSecret reports whether a and b name the same Secret object: equal UID, namespace and
// name, none of them empty. A Secret missing a coordinate (one built from its data alone)
// names no object, so it is never "the same Secret, rotated" as another: it matches only by
// its credential hash. Secrets from the API server always carry all three.
func sameSecret(a, b ImagePullSecret) bool {
	return a.UID != "" && a.Namespace != "" && a.Name != "" &&
		a.UID == b.UID && a.Namespace == b.Namespace && a.Name == b.Name
}

func (v *Manager) writeBack(image, imageRef string, s ImagePullSecret) {
	creds := &ImagePullCredentials{KubernetesSecrets: []ImagePullSecret{s}}
	if err := v.writeRecord(image, imageRef, creds); err != nil {
		v.log.Error("failed to write an image pulled record", "image", image, "imageRef", imageRef, "err", err)
	}
}
