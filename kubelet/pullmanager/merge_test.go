package pullmanager

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestMergeRecord is group G of SEMANTICS-CASES (the kubelet's
// Test_pulledRecordMergeNewCreds).
func TestMergeRecord(t *testing.T) {
	then := time.Date(2024, 10, 21, 12, 26, 40, 0, time.UTC)
	now := then.Add(time.Hour)
	sec := func(uid, ns, name, hash string) ImagePullSecret {
		return ImagePullSecret{UID: uid, Namespace: ns, Name: name, CredentialHash: hash}
	}
	sa := func(uid, ns, name string) ImagePullServiceAccount {
		return ImagePullServiceAccount{UID: uid, Namespace: ns, Name: name}
	}
	secrets := func(s ...ImagePullSecret) *ImagePullCredentials { return &ImagePullCredentials{KubernetesSecrets: s} }
	sas := func(s ...ImagePullServiceAccount) *ImagePullCredentials {
		return &ImagePullCredentials{KubernetesServiceAccounts: s}
	}
	s1, s2 := sec("uid1", "namespace1", "name1", "hash1"), sec("uid2", "namespace2", "name2", "hash2")
	base := PulledRecord{LastUpdatedTime: then, ImageRef: "testImageRef", CredentialMapping: map[string]ImagePullCredentials{
		"test-image1":        *secrets(s1),
		"test-image2":        *secrets(s1, s2),
		"test-image-with-sa": *sas(sa("sa-uid1", "default", "sa1")),
		"test-image-mixed": {KubernetesSecrets: []ImagePullSecret{sec("secret-uid1", "kube-system", "secret1", "secret-hash1")},
			KubernetesServiceAccounts: []ImagePullServiceAccount{sa("sa-uid2", "kube-system", "sa2")}},
		"test-nodewide": {NodePodsAccessible: true},
	}}
	nodeWide := &ImagePullCredentials{NodePodsAccessible: true}
	tests := []struct {
		name    string
		key     string
		creds   *ImagePullCredentials
		want    *ImagePullCredentials // the key's entry afterwards; nil = the key absent
		changed bool
	}{
		{"G1 new key", "new-image", secrets(sec("newuid", "newnamespace", "newname", "newhash")),
			secrets(sec("newuid", "newnamespace", "newname", "newhash")), true},
		{"G2 secret added, sorted by namespace", "test-image1", secrets(sec("newuid", "newnamespace", "newname", "newhash")),
			secrets(s1, sec("newuid", "newnamespace", "newname", "newhash")), true},
		{"G3 sorted by name within a namespace", "test-image2", secrets(sec("newuid", "namespace1", "newname", "newhash")),
			secrets(s1, sec("newuid", "namespace1", "newname", "newhash"), s2), true},
		{"G4 node-wide replaces secrets", "test-image2", nodeWide, nodeWide, true},
		{"G5 new hash wins", "test-image2", secrets(sec("uid2", "namespace2", "name2", "newhash")),
			secrets(s1, sec("uid2", "namespace2", "name2", "newhash")), true},
		{"G6 same hash, other secret", "test-image2", secrets(sec("uid3", "namespace2", "name3", "hash2")),
			secrets(s1, s2, sec("uid3", "namespace2", "name3", "hash2")), true},
		{"G7 new key with a service account", "new-sa-image", sas(sa("new-sa-uid", "default", "new-sa")),
			sas(sa("new-sa-uid", "default", "new-sa")), true},
		{"G8 service account added", "test-image-with-sa", sas(sa("new-sa-uid", "kube-system", "new-sa")),
			sas(sa("sa-uid1", "default", "sa1"), sa("new-sa-uid", "kube-system", "new-sa")), true},
		{"G9 identical service account", "test-image-with-sa", sas(sa("sa-uid1", "default", "sa1")),
			sas(sa("sa-uid1", "default", "sa1")), false},
		{"G10 service account next to secrets", "test-image2", sas(sa("new-sa-uid", "default", "new-sa")),
			&ImagePullCredentials{KubernetesSecrets: []ImagePullSecret{s1, s2}, KubernetesServiceAccounts: []ImagePullServiceAccount{sa("new-sa-uid", "default", "new-sa")}}, true},
		{"G11 secret next to a service account", "test-image-with-sa", secrets(sec("new-secret-uid", "default", "new-secret", "new-secret-hash")),
			&ImagePullCredentials{KubernetesSecrets: []ImagePullSecret{sec("new-secret-uid", "default", "new-secret", "new-secret-hash")},
				KubernetesServiceAccounts: []ImagePullServiceAccount{sa("sa-uid1", "default", "sa1")}}, true},
		{"G12 node-wide replaces secrets and service accounts", "test-image-mixed", nodeWide, nodeWide, true},
		{"G13 node-wide entry ignores a secret", "test-nodewide", secrets(s1), nodeWide, false},
		{"G14 node-wide entry ignores a service account", "test-nodewide", sas(sa("x", "y", "z")), nodeWide, false},
		{"G15 nil credentials", "test-image1", nil, secrets(s1), false},
		{"G16 empty credentials", "test-image1", &ImagePullCredentials{}, secrets(s1), false},
		{"G16 empty credentials, new key", "new-image", &ImagePullCredentials{}, nil, false},
		{"G17 new key keeps the given order", "new-sorted-image",
			secrets(sec("z", "z", "z", "z"), sec("a", "a", "a", "a"), sec("m", "m", "m", "m")),
			secrets(sec("z", "z", "z", "z"), sec("a", "a", "a", "a"), sec("m", "m", "m", "m")), true},
		{"G18 new key keeps the given service-account order", "new-sorted-sa-image",
			sas(sa("z", "z", "z"), sa("a", "a", "a"), sa("m", "m", "m")), sas(sa("z", "z", "z"), sa("a", "a", "a"), sa("m", "m", "m")), true},
		{"G19 same name, other uid: sorted by uid", "test-image-with-sa", sas(sa("different-uid", "default", "sa1")),
			sas(sa("different-uid", "default", "sa1"), sa("sa-uid1", "default", "sa1")), true},
		{"secrets win over service accounts given together", "test-image1",
			&ImagePullCredentials{KubernetesSecrets: []ImagePullSecret{s2}, KubernetesServiceAccounts: []ImagePullServiceAccount{sa("x", "y", "z")}},
			secrets(s1, s2), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := base.Clone()
			got, changed := mergeRecord(orig, tc.key, tc.creds, now)
			assert.Equal(t, tc.changed, changed)
			assert.True(t, base.Equal(orig), "the input record is not modified")
			entry, ok := got.CredentialMapping[tc.key]
			if tc.want == nil {
				assert.False(t, ok)
			} else {
				assert.Equal(t, *tc.want, entry)
			}
			if changed { // G20
				assert.Equal(t, now, got.LastUpdatedTime)
				for k, v := range base.CredentialMapping {
					if k != tc.key {
						assert.Equal(t, v, got.CredentialMapping[k], "other keys kept")
					}
				}
			} else {
				assert.Equal(t, then, got.LastUpdatedTime)
			}
		})
	}
}

// TestMergeServiceAccounts is group GS (the kubelet's Test_mergePullServiceAccounts).
func TestMergeServiceAccounts(t *testing.T) {
	sa := func(uid, ns, name string) ImagePullServiceAccount {
		return ImagePullServiceAccount{UID: uid, Namespace: ns, Name: name}
	}
	tests := []struct {
		name      string
		orig, add []ImagePullServiceAccount
		want      []ImagePullServiceAccount
		changed   bool
	}{
		{"GS1 both empty", nil, nil, nil, false},
		{"GS2 add to empty", nil, []ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1")},
			[]ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1")}, true},
		{"GS3 identical", []ImagePullServiceAccount{sa("sa1", "default", "sa1")}, []ImagePullServiceAccount{sa("sa1", "default", "sa1")},
			[]ImagePullServiceAccount{sa("sa1", "default", "sa1")}, false},
		{"GS4 default first", []ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1")}, []ImagePullServiceAccount{sa("sa2", "kube-system", "serviceaccount2")},
			[]ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1"), sa("sa2", "kube-system", "serviceaccount2")}, true},
		{"GS5 sorted by namespace then name", []ImagePullServiceAccount{sa("sa2", "kube-system", "z-sa")},
			[]ImagePullServiceAccount{sa("sa1", "default", "a-sa"), sa("sa3", "kube-system", "a-sa")},
			[]ImagePullServiceAccount{sa("sa1", "default", "a-sa"), sa("sa3", "kube-system", "a-sa"), sa("sa2", "kube-system", "z-sa")}, true},
		{"GS6 duplicate ignored", []ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1"), sa("sa2", "kube-system", "serviceaccount2")},
			[]ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1"), sa("sa3", "default", "serviceaccount3")},
			[]ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1"), sa("sa3", "default", "serviceaccount3"), sa("sa2", "kube-system", "serviceaccount2")}, true},
		{"GS7 same name, sorted by uid", []ImagePullServiceAccount{sa("sa2", "default", "serviceaccount1")}, []ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1")},
			[]ImagePullServiceAccount{sa("sa1", "default", "serviceaccount1"), sa("sa2", "default", "serviceaccount1")}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := mergeServiceAccounts(tc.orig, tc.add)
			assert.Equal(t, tc.changed, changed)
			assert.Equal(t, tc.want, got)
		})
	}
}
