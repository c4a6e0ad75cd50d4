package pullmanager

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// mergeRecord merges creds into rec's entry for repo (the kubelet's pulledRecordMergeNewCreds)
// and reports whether anything changed. rec is not modified; a changed record is a copy with
// LastUpdatedTime set to now.
func mergeRecord(rec PulledRecord, repo string, creds *ImagePullCredentials, now time.Time) (PulledRecord, bool) {
	if creds == nil || (!creds.NodePodsAccessible && len(creds.KubernetesSecrets) == 0 && len(creds.KubernetesServiceAccounts) == 0) {
		return rec, false
	}
	entry, found := rec.CredentialMapping[repo]
	switch {
	case !found:
		entry = creds.Clone() // a new entry keeps the order given
	case entry.NodePodsAccessible:
		return rec, false
	case creds.NodePodsAccessible:
		entry = ImagePullCredentials{NodePodsAccessible: true}
	case len(creds.KubernetesSecrets) > 0:
		merged, changed := mergeSecrets(entry.KubernetesSecrets, creds.KubernetesSecrets)
		if !changed {
			return rec, false
		}
		entry = ImagePullCredentials{KubernetesSecrets: merged, KubernetesServiceAccounts: slices.Clone(entry.KubernetesServiceAccounts)}
	default:
		merged, changed := mergeServiceAccounts(entry.KubernetesServiceAccounts, creds.KubernetesServiceAccounts)
		if !changed {
			return rec, false
		}
		entry = ImagePullCredentials{KubernetesSecrets: slices.Clone(entry.KubernetesSecrets), KubernetesServiceAccounts: merged}
	}
	out := rec.Clone()
	if out.CredentialMapping == nil {
		out.CredentialMapping = make(map[string]ImagePullCredentials)
	}
	out.CredentialMapping[repo] = entry
	out.LastUpdatedTime = now
	return out, true
}

type secretKey struct{ uid, namespace, name string }

// mergeSecrets unions orig and add by (UID, namespace, name), the hash in add winning, sorted
// by namespace, name, UID. It reports whether the set changed; unchanged, orig is returned.
func mergeSecrets(orig, add []ImagePullSecret) ([]ImagePullSecret, bool) {
	set := make(map[secretKey]string, len(orig)+len(add))
	for _, s := range orig {
		set[secretKey{s.UID, s.Namespace, s.Name}] = s.CredentialHash
	}
	changed := false
	for _, s := range add {
		k := secretKey{s.UID, s.Namespace, s.Name}
		if h, ok := set[k]; !ok || h != s.CredentialHash {
			set[k], changed = s.CredentialHash, true
		}
	}
	if !changed {
		return orig, false
	}
	out := make([]ImagePullSecret, 0, len(set))
	for k, h := range set {
		out = append(out, ImagePullSecret{UID: k.uid, Namespace: k.namespace, Name: k.name, CredentialHash: h})
	}
	slices.SortFunc(out, func(a, b ImagePullSecret) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name), cmp.Compare(a.UID, b.UID))
	})
	return out, true
}

// mergeServiceAccounts unions orig and add, sorted by namespace, name, UID, and reports whether
// the set changed; unchanged, orig is returned.
func mergeServiceAccounts(orig, add []ImagePullServiceAccount) ([]ImagePullServiceAccount, bool) {
	set := make(map[ImagePullServiceAccount]struct{}, len(orig)+len(add))
	for _, s := range orig {
		set[s] = struct{}{}
	}
	changed := false
	for _, s := range add {
		if _, ok := set[s]; !ok {
			set[s], changed = struct{}{}, true
		}
	}
	if !changed {
		return orig, false
	}
	out := slices.SortedFunc(maps.Keys(set), func(a, b ImagePullServiceAccount) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name), cmp.Compare(a.UID, b.UID))
	})
	return out, true
}
