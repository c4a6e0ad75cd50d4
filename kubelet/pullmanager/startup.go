package pullmanager

import (
	"context"
	"errors"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
)

// Initialize turns the intents left by a previous run into pulled records (the kubelet's
// startup recovery). images are the runtime's images. An intent whose image string equals one
// of an image's RepoDigests or RepoTags exactly becomes a record for that image's ID with no
// credentials (so every pod must verify), and is deleted. Other intents stay: while an intent
// exists, its string counts as pulled by the kubelet. Runtimes report normalised references
// ("docker.io/library/nginx:latest"), so an intent for a short name ("nginx") never matches.
//
// Initialize carries on past failures and returns them joined. Call it once, before the
// Manager is used.
func (v *Manager) Initialize(ctx context.Context, images []pullpolicy.LocalImage) error {
	intents, listErr := v.records.ListPullIntents()
	errs := []error{listErr}
	if len(intents) == 0 {
		return errors.Join(errs...)
	}
	pending := make(map[string]bool, len(intents))
	for _, in := range intents {
		pending[in.Image] = true
	}
	for _, img := range images {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		for _, name := range recordedNames(pending, img) {
			if err := v.writeRecord(name, img.ID, nil); err != nil {
				v.log.Error("failed to write an image pull record", "imageRef", img.ID, "err", err)
				errs = append(errs, err)
				continue
			}
			if err := v.records.DeletePullIntent(name); err != nil {
				v.log.Info("failed to remove image pull intent file", "imageName", name, "err", err)
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// recordedNames returns the digests, then the tags, of img that have a pending intent, once each.
func recordedNames(pending map[string]bool, img pullpolicy.LocalImage) []string {
	var out []string
	seen := make(map[string]bool)
	for _, list := range [][]string{img.RepoDigests, img.RepoTags} {
		for _, name := range list {
			if pending[name] && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// PruneUnknownRecords deletes the pulled records of images no longer on the node: those whose
// ImageRef is not in imageRefs and whose LastUpdatedTime is before until (the start of the
// garbage-collection run that listed imageRefs, so that a record written meanwhile is kept).
// Intents are never pruned. Listing and deletion failures are logged; what could be read is
// still pruned.
func (v *Manager) PruneUnknownRecords(imageRefs []string, until time.Time) {
	v.pulledLocks.lockAll()
	defer v.pulledLocks.unlockAll()
	records, err := v.records.ListPulledRecords()
	if err != nil {
		v.log.Error("there were errors listing ImagePulledRecords, garbage collection will proceed with incomplete records list", "err", err)
	}
	inUse := make(map[string]bool, len(imageRefs))
	for _, ref := range imageRefs {
		inUse[ref] = true
	}
	for _, rec := range records {
		if !rec.LastUpdatedTime.Before(until) || inUse[rec.ImageRef] {
			continue
		}
		if err := v.records.DeletePulledRecord(rec.ImageRef); err != nil {
			v.log.Error("failed to remove an ImagePulledRecord", "imageRef", rec.ImageRef, "err", err)
		}
	}
}
