package pullmanager_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

func intentExists(t *testing.T, r pullmanager.PullRecords, image string) bool {
	t.Helper()
	ok, err := r.PullIntentExists(image)
	require.NoError(t, err)
	return ok
}

// mustPull asks v, with no pod credentials, whether image (present as ref) must be pulled.
func mustPull(t *testing.T, v *pullmanager.Manager, image, ref string) bool {
	t.Helper()
	got, err := v.MustAttemptImagePull(t.Context(), image, ref, nil)
	require.NoError(t, err)
	return got
}

// TestRecordPullIntent is R1–R4: the intent and the in-flight count.
func TestRecordPullIntent(t *testing.T) {
	const image = "repo.repo/test/test:latest"
	store := pullmanager.NewMemoryRecords()
	v := vfVerifier(t, pullmanager.Config{Records: store})

	require.NoError(t, v.RecordPullIntent(image)) // R1
	require.NoError(t, v.RecordPullIntent(image)) // R2: the same intent, two pulls in flight
	assert.True(t, intentExists(t, store, image))

	// The in-flight count makes the image kubelet-pulled even without the stored intent.
	require.NoError(t, store.DeletePullIntent(image))
	assert.True(t, mustPull(t, v, image, "preloaded-ref"), "pull in flight counts as pulled by the kubelet")
	require.NoError(t, store.WritePullIntent(image))

	v.RecordImagePullFailed(image) // R4: 2 → 1, intent kept
	assert.True(t, intentExists(t, store, image))
	v.RecordImagePulled(image, "testimageref", &pullmanager.ImagePullCredentials{NodePodsAccessible: true}) // R3: 1 → 0
	assert.False(t, intentExists(t, store, image))
	assert.Equal(t, map[string]pullmanager.ImagePullCredentials{"repo.repo/test/test": {NodePodsAccessible: true}},
		getRecord(t, store, "testimageref").CredentialMapping)
	assert.False(t, mustPull(t, v, image, "testimageref"))
	// Nothing in flight any more: an image without record is preloaded.
	assert.False(t, mustPull(t, v, image, "preloaded-ref"))
}

func TestRecordPullIntentError(t *testing.T) {
	store := &faultyRecords{PullRecords: pullmanager.NewMemoryRecords(), writeIntentErr: errors.New("disk full")}
	v := vfVerifier(t, pullmanager.Config{Records: store})
	err := v.RecordPullIntent("nginx")
	assert.EqualError(t, err, "failed to record image pull intent: disk full")
	assert.ErrorIs(t, err, store.writeIntentErr)
	assert.False(t, mustPull(t, v, "nginx", "ref"), "a failed intent is not counted")
}

// TestRecordImagePulled is R3–R11.
func TestRecordImagePulled(t *testing.T) {
	nodeWide := &pullmanager.ImagePullCredentials{NodePodsAccessible: true}
	newSecret := pullmanager.ImagePullSecret{UID: "newuid", Namespace: "newns", Name: "newname", CredentialHash: "somehash"}
	sa := func(uid, ns, name string) pullmanager.ImagePullServiceAccount {
		return pullmanager.ImagePullServiceAccount{UID: uid, Namespace: ns, Name: name}
	}
	tests := []struct {
		name      string
		image     string
		ref       string
		creds     *pullmanager.ImagePullCredentials
		inFlight  int
		want      map[string]pullmanager.ImagePullCredentials
		rewritten bool
	}{
		{name: "R3 new record", image: "repo.repo/test/test:v1", ref: "new-ref", creds: nodeWide, inFlight: 1, rewritten: true,
			want: map[string]pullmanager.ImagePullCredentials{"repo.repo/test/test": {NodePodsAccessible: true}}},
		{name: "R4 more pulls in flight", image: "repo.repo/test/test:v1", ref: "new-ref", creds: nodeWide, inFlight: 2, rewritten: true,
			want: map[string]pullmanager.ImagePullCredentials{"repo.repo/test/test": {NodePodsAccessible: true}}},
		{name: "R5 merge into an existing record", image: "repo.repo/test/test:v1", ref: "testimageref", creds: nodeWide, inFlight: 1, rewritten: true,
			want: map[string]pullmanager.ImagePullCredentials{"repo.repo/test/test": {NodePodsAccessible: true},
				"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{vfSecret}}}},
		{name: "R6 existing key", image: "docker.io/testing/test:something", ref: "testimageref", inFlight: 1, rewritten: true,
			creds: &pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{newSecret}},
			want:  map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{vfSecret, newSecret}}}},
		{name: "R7 unchanged record not rewritten", image: "docker.io/testing/test:something", ref: "testimageref", inFlight: 1,
			creds: &pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{vfSecret}},
			want:  map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{vfSecret}}}},
		{name: "R8 new record with a service account", image: "docker.io/sa-test/app:v1", ref: "sa-testimageref", inFlight: 1, rewritten: true,
			creds: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{sa("sa-uid-123", "default", "test-sa")}},
			want: map[string]pullmanager.ImagePullCredentials{"docker.io/sa-test/app": {
				KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{sa("sa-uid-123", "default", "test-sa")}}}},
		{name: "R9 service account into a secrets record", image: "docker.io/testing/test:v1", ref: "testimageref", inFlight: 1, rewritten: true,
			creds: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{sa("sa-uid-456", "kube-system", "system-sa")}},
			want: map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{vfSecret},
				KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{sa("sa-uid-456", "kube-system", "system-sa")}}}},
		{name: "R10 additional service account", image: "docker.io/testing/test:v1", ref: "testimageref-sa", inFlight: 1, rewritten: true,
			creds: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{sa("sa-uid-789", "app-ns", "app-sa")}},
			want: map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {
				KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{sa("sa-uid-789", "app-ns", "app-sa"), vfSA}}}},
		{name: "R11 duplicate service account", image: "docker.io/testing/test:v1", ref: "testimageref-sa", inFlight: 1,
			creds: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{vfSA}},
			want:  map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{vfSA}}}},
		{name: "nil credentials, new record: kubelet-pulled, unverified", image: "docker.io/testing/test:v1", ref: "new-ref", inFlight: 1, rewritten: true,
			want: map[string]pullmanager.ImagePullCredentials{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := vfStore(t, false)
			v := vfVerifier(t, pullmanager.Config{Records: store})
			for range tc.inFlight {
				require.NoError(t, v.RecordPullIntent(tc.image))
			}
			before, existed, err := store.GetPulledRecord(tc.ref)
			require.NoError(t, err)

			v.RecordImagePulled(tc.image, tc.ref, tc.creds)

			after := getRecord(t, store, tc.ref)
			assert.Equal(t, tc.want, after.CredentialMapping)
			assert.Equal(t, tc.ref, after.ImageRef)
			if tc.rewritten {
				assert.True(t, !existed || after.LastUpdatedTime.After(before.LastUpdatedTime), "LastUpdatedTime refreshed")
			} else {
				assert.True(t, before.Equal(after), "not rewritten")
			}
			assert.Equal(t, tc.inFlight > 1, intentExists(t, store, tc.image), "intent kept only while pulls are in flight")
		})
	}
}

func TestRecordImagePulledWriteFailureKeepsIntent(t *testing.T) {
	store := &faultyRecords{PullRecords: pullmanager.NewMemoryRecords(), writeRecordErr: errors.New("read-only file system")}
	v := vfVerifier(t, pullmanager.Config{Records: store})
	require.NoError(t, v.RecordPullIntent("nginx"))
	v.RecordImagePulled("nginx", "sha256:abc", &pullmanager.ImagePullCredentials{NodePodsAccessible: true})
	assert.True(t, intentExists(t, store, "nginx"), "the image stays kubelet-pulled for the next start")

	// A failed intent deletion keeps the in-flight count, consistent with the stored intent.
	store.writeRecordErr, store.deleteIntentErr = nil, errors.New("EBUSY")
	v.RecordImagePullFailed("nginx")
	require.NoError(t, store.PullRecords.DeletePullIntent("nginx"))
	assert.True(t, mustPull(t, v, "nginx", "preloaded"), "count kept after a failed delete")
	store.deleteIntentErr = nil
	v.RecordImagePullFailed("nginx")
	assert.False(t, mustPull(t, v, "nginx", "preloaded"), "count dropped once deleted")
}

func TestRecordImagePulledReplacesCorruptRecord(t *testing.T) {
	mem := pullmanager.NewMemoryRecords()
	store := &faultyRecords{PullRecords: mem, getErr: pullmanager.ErrCorruptRecord}
	v := vfVerifier(t, pullmanager.Config{Records: store})
	v.RecordImagePulled("nginx:1", "ref", &pullmanager.ImagePullCredentials{NodePodsAccessible: true})
	assert.Equal(t, map[string]pullmanager.ImagePullCredentials{"nginx": {NodePodsAccessible: true}}, // trimImageTagDigest("nginx:1")
		getRecord(t, mem, "ref").CredentialMapping)
}

// TestInitialize is R12–R16 and R22.
func TestInitialize(t *testing.T) {
	images := []pullpolicy.LocalImage{
		{ID: "testimageref1", RepoTags: []string{"docker.io/testing/test:something"}},
		{ID: "testimageref", RepoTags: []string{"repo.repo/test/test:v1"}, RepoDigests: []string{"repo.repo/test/test@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		{ID: "nginxref", RepoTags: []string{"docker.io/library/nginx:latest"}},
	}
	tests := []struct {
		name        string
		intents     []string
		wantRecords []string // image refs with a record afterwards
		wantIntents []string
	}{
		{name: "R12 nothing", wantRecords: []string{"test-brokenhash", "testemptycredmapping", "testimage-anonpull", "testimageref", "testimageref-sa"}},
		{name: "R14 intent becomes a record", intents: []string{"docker.io/testing/test:something"},
			wantRecords: []string{"test-brokenhash", "testemptycredmapping", "testimage-anonpull", "testimageref", "testimageref-sa", "testimageref1"}},
		{name: "R15 intent for an image with a record", intents: []string{"repo.repo/test/test:v1"},
			wantRecords: []string{"test-brokenhash", "testemptycredmapping", "testimage-anonpull", "testimageref", "testimageref-sa"}},
		{name: "R16 both, and a digest", intents: []string{"docker.io/testing/test:something", "repo.repo/test/test:v1", "repo.repo/test/test@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
			wantRecords: []string{"test-brokenhash", "testemptycredmapping", "testimage-anonpull", "testimageref", "testimageref-sa", "testimageref1"}},
		{name: "R22 short names never match", intents: []string{"nginx", "nginx:latest"},
			wantRecords: []string{"test-brokenhash", "testemptycredmapping", "testimage-anonpull", "testimageref", "testimageref-sa"},
			wantIntents: []string{"nginx", "nginx:latest"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := vfStore(t, false)
			for _, in := range tc.intents {
				require.NoError(t, store.WritePullIntent(in))
			}
			before := getRecord(t, store, "testimageref")
			v := vfVerifier(t, pullmanager.Config{Records: store})
			require.NoError(t, v.Initialize(t.Context(), images))

			recs, err := store.ListPulledRecords()
			require.NoError(t, err)
			var refs []string
			for _, r := range recs {
				refs = append(refs, r.ImageRef)
			}
			assert.Equal(t, tc.wantRecords, refs)
			intents, err := store.ListPullIntents()
			require.NoError(t, err)
			var left []string
			for _, in := range intents {
				left = append(left, in.Image)
			}
			assert.Equal(t, tc.wantIntents, left)
			assert.True(t, before.Equal(getRecord(t, store, "testimageref")), "R15: nil credentials change nothing")
			if rec, ok, _ := store.GetPulledRecord("testimageref1"); ok {
				assert.Empty(t, rec.CredentialMapping, "R14: no credentials recorded")
				assert.True(t, mustPull(t, v, "docker.io/testing/test:something", "testimageref1"), "every pod must verify")
			}
			if len(tc.wantIntents) > 0 {
				assert.True(t, mustPull(t, v, "nginx", "nginxref"), "R22: a lingering intent makes nginx kubelet-pulled")
			}
		})
	}
}

func TestInitializeCancelled(t *testing.T) {
	store := pullmanager.NewMemoryRecords()
	require.NoError(t, store.WritePullIntent("docker.io/library/nginx:latest"))
	v := vfVerifier(t, pullmanager.Config{Records: store})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := v.Initialize(ctx, []pullpolicy.LocalImage{{ID: "x", RepoTags: []string{"docker.io/library/nginx:latest"}}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.True(t, intentExists(t, store, "docker.io/library/nginx:latest"))
}

// TestPruneUnknownRecords is R17–R21.
func TestPruneUnknownRecords(t *testing.T) {
	gcStart := time.Date(2024, 12, 25, 0, 1, 0, 0, time.UTC)
	all := []string{"testemptycredmapping", "testimage-anonpull", "testimageref"}
	tests := []struct {
		name   string
		inUse  []string
		kept   []string
		listOK bool
	}{
		{"R17 all present", []string{"testimage-anonpull", "testimageref", "testemptycredmapping"}, all, true},
		{"R18 empty list", nil, nil, true},
		{"R19 untracked images", []string{"untracked1", "different-untracked"}, nil, true},
		{"R20 partial", []string{"testimage-anonpull", "untracked1", "testimageref", "different-untracked"}, []string{"testimage-anonpull", "testimageref"}, true},
		{"listing errors: prune what was read", nil, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := pullmanager.NewMemoryRecords()
			for _, r := range vfRecords[:3] {
				require.NoError(t, mem.WritePulledRecord(r))
			}
			// R21: updated after the GC started, not in the list: kept.
			require.NoError(t, mem.WritePulledRecord(pullmanager.PulledRecord{LastUpdatedTime: gcStart, ImageRef: "fresh"}))
			store := &faultyRecords{PullRecords: mem}
			if !tc.listOK {
				store.listErr = errors.New("one unreadable file")
			}
			v := vfVerifier(t, pullmanager.Config{Records: store})
			v.PruneUnknownRecords(tc.inUse, gcStart)
			recs, err := mem.ListPulledRecords()
			require.NoError(t, err)
			var got []string
			for _, r := range recs {
				if r.ImageRef != "fresh" {
					got = append(got, r.ImageRef)
				}
			}
			assert.Equal(t, tc.kept, got)
			_, ok, _ := mem.GetPulledRecord("fresh")
			assert.True(t, ok, "R21")
		})
	}
}

// TestReuseTable is §5.11: when a present image must be pulled again (IfNotPresent).
func TestReuseTable(t *testing.T) {
	const image, ref = "registry.example.com/team/app:v1", "sha256:app"
	const repo = "registry.example.com/team/app"
	secret := pullmanager.ImagePullSecret{UID: "u1", Namespace: "team", Name: "regcred", CredentialHash: "h1"}
	recordWith := func(c pullmanager.ImagePullCredentials) *pullmanager.PulledRecord {
		return &pullmanager.PulledRecord{ImageRef: ref, CredentialMapping: map[string]pullmanager.ImagePullCredentials{repo: c}}
	}
	tests := []struct {
		name      string
		policy    pullmanager.VerificationPolicy
		allowlist []string
		record    *pullmanager.PulledRecord
		intent    bool
		pod       pullmanager.PodCredentials
		want      bool
	}{
		{name: "NeverVerify, anything", policy: pullmanager.NeverVerify, record: recordWith(pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{secret}}), want: false},
		{name: "NVP, no record, no intent", policy: pullmanager.NeverVerifyPreloadedImages, want: false},
		{name: "NVP, intent only", policy: pullmanager.NeverVerifyPreloadedImages, intent: true, pod: podSecrets(secret), want: true},
		{name: "NVP, record without the key", policy: pullmanager.NeverVerifyPreloadedImages, record: &pullmanager.PulledRecord{ImageRef: ref}, pod: podSecrets(secret), want: true},
		{name: "node-accessible key", policy: pullmanager.AlwaysVerify, record: recordWith(pullmanager.ImagePullCredentials{NodePodsAccessible: true}), want: false},
		{name: "hash match", policy: pullmanager.AlwaysVerify, record: recordWith(pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{secret}}),
			pod: podSecrets(pullmanager.ImagePullSecret{UID: "u2", Namespace: "other", Name: "copy", CredentialHash: "h1"}), want: false},
		{name: "coordinates match", policy: pullmanager.AlwaysVerify, record: recordWith(pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{secret}}),
			pod: podSecrets(pullmanager.ImagePullSecret{UID: "u1", Namespace: "team", Name: "regcred", CredentialHash: "rotated"}), want: false},
		{name: "service account match", policy: pullmanager.AlwaysVerify,
			record: recordWith(pullmanager.ImagePullCredentials{KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{{UID: "s", Namespace: "team", Name: "builder"}}}),
			pod:    podSA(pullmanager.ImagePullServiceAccount{UID: "s", Namespace: "team", Name: "builder"}), want: false},
		{name: "no match", policy: pullmanager.NeverVerifyPreloadedImages, record: recordWith(pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{secret}}),
			pod: podSecrets(pullmanager.ImagePullSecret{UID: "u9", Namespace: "x", Name: "y", CredentialHash: "h9"}), want: true},
		{name: "no creds", policy: pullmanager.NeverVerifyPreloadedImages, record: recordWith(pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{secret}}), want: true},
		{name: "allowlisted", policy: pullmanager.NeverVerifyAllowlistedImages, allowlist: []string{"registry.example.com/*"},
			record: recordWith(pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{secret}}), want: false},
		{name: "not allowlisted, preloaded", policy: pullmanager.NeverVerifyAllowlistedImages, allowlist: []string{"other.example.com/*"}, want: true},
		{name: "AlwaysVerify, preloaded", policy: pullmanager.AlwaysVerify, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := pullmanager.NewMemoryRecords()
			if tc.record != nil {
				require.NoError(t, store.WritePulledRecord(*tc.record))
			}
			if tc.intent {
				require.NoError(t, store.WritePullIntent(image))
			}
			v := vfVerifier(t, pullmanager.Config{Policy: tc.policy, Allowlist: tc.allowlist, Records: store})
			got, err := v.MustAttemptImagePull(t.Context(), image, ref, func() (pullmanager.PodCredentials, error) { return tc.pod, nil })
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestVerifierEndToEnd follows §12.9 under AlwaysVerify: an anonymous first pull opens the image
// to every pod; a secret pull restricts it to that secret, its copies and its rotations.
func TestVerifierEndToEnd(t *testing.T) {
	v := vfVerifier(t, pullmanager.Config{Policy: pullmanager.AlwaysVerify})
	pull := func(image, ref string, used *credential.Credential) {
		require.NoError(t, v.RecordPullIntent(image))
		v.RecordImagePulled(image, ref, pullmanager.CredentialsFor(used))
	}
	ask := func(image, ref string, creds ...credential.Credential) bool {
		got, err := v.MustAttemptImagePull(t.Context(), image, ref, func() (pullmanager.PodCredentials, error) {
			return pullmanager.PodCredentialsFrom(creds), nil
		})
		require.NoError(t, err)
		return got
	}
	secretCred := func(name, uid, password string) credential.Credential {
		c := credential.Credential{Username: "u", Password: password, Source: credential.Source{Kind: credential.SourceSecret, Namespace: "ns", Name: name, UID: uid}}
		c.Hash = credential.Hash(c)
		return c
	}

	pull("busybox:1.36", "sha256:busybox", nil)
	assert.False(t, ask("busybox:1.36", "sha256:busybox"), "anonymous pull: open to every pod")
	assert.True(t, ask("docker.io/other/busybox:1.36", "sha256:busybox"), "another repository name must verify")

	regcred := secretCred("regcred", "uid-1", "s3cret")
	pull("registry.example.com/app:v1", "sha256:app", &regcred)
	assert.True(t, ask("registry.example.com/app:v1", "sha256:app"), "no credentials")
	assert.False(t, ask("registry.example.com/app:v2", "sha256:app", regcred), "same secret, other tag")
	assert.False(t, ask("registry.example.com/app:v1", "sha256:app", secretCred("copy", "uid-2", "s3cret")), "a copy of the secret")
	assert.False(t, ask("registry.example.com/app:v1", "sha256:app", secretCred("regcred", "uid-1", "rotated")), "a rotated secret")
	assert.False(t, ask("registry.example.com/app:v1", "sha256:app", secretCred("copy", "uid-2", "rotated")), "the copy learned the rotated hash")
	assert.True(t, ask("registry.example.com/app:v1", "sha256:app", secretCred("other", "uid-3", "wrong")), "another secret")
	node := credential.Credential{Username: "node"}
	assert.True(t, ask("registry.example.com/app:v1", "sha256:app", node), "node credentials prove nothing")
	pull("registry.example.com/app:v1", "sha256:app", &node)
	assert.False(t, ask("registry.example.com/app:v1", "sha256:app"), "a node-credential pull opens the image")
}

func TestVerifierConcurrent(t *testing.T) {
	store := pullmanager.NewMemoryRecords()
	v := vfVerifier(t, pullmanager.Config{Records: store, Now: time.Now})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				image := fmt.Sprintf("registry.example.com/app:v%d", i%5)
				ref := fmt.Sprintf("sha256:%d", i%5)
				if err := v.RecordPullIntent(image); err != nil {
					t.Error(err)
					return
				}
				if (g+i)%3 == 0 {
					v.RecordImagePullFailed(image)
				} else {
					s := pullmanager.ImagePullSecret{UID: fmt.Sprint(g), Namespace: "ns", Name: "s", CredentialHash: "h"}
					v.RecordImagePulled(image, ref, &pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{s}})
				}
				_, _ = v.MustAttemptImagePull(t.Context(), image, ref, func() (pullmanager.PodCredentials, error) {
					return podSecrets(pullmanager.ImagePullSecret{UID: "x", Namespace: "ns", Name: "s", CredentialHash: "h"}), nil
				})
			}
		})
	}
	wg.Wait()
	intents, err := store.ListPullIntents()
	require.NoError(t, err)
	assert.Empty(t, intents, "every intent ended")
	for i := range 5 {
		rec := getRecord(t, store, fmt.Sprintf("sha256:%d", i))
		secrets := rec.CredentialMapping["registry.example.com/app"].KubernetesSecrets
		assert.NotEmpty(t, secrets)
		assert.True(t, slices.IsSortedFunc(secrets, func(a, b pullmanager.ImagePullSecret) int { return strings.Compare(a.UID, b.UID) }))
	}
}
