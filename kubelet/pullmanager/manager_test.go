package pullmanager_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// The kubelet's pull-manager test data (image_pull_manager_test.go), as records.
var (
	vfSecret  = pullmanager.ImagePullSecret{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "testsecrethash"}
	vfSA      = pullmanager.ImagePullServiceAccount{UID: "test-sa-uid", Namespace: "default", Name: "test-sa"}
	vfTime    = time.Date(2024, 10, 21, 12, 26, 40, 0, time.UTC)
	vfRecords = []pullmanager.PulledRecord{
		{LastUpdatedTime: vfTime, ImageRef: "testimageref", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
			"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{vfSecret}}}},
		{LastUpdatedTime: vfTime, ImageRef: "testemptycredmapping"},
		{LastUpdatedTime: vfTime, ImageRef: "testimage-anonpull", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
			"docker.io/testing/test": {NodePodsAccessible: true}}},
		{LastUpdatedTime: vfTime, ImageRef: "test-brokenhash", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
			"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "default", Name: "pull-secret"}}}}},
		{LastUpdatedTime: vfTime, ImageRef: "testimageref-sa", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
			"docker.io/testing/test": {KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{vfSA}}}},
	}
)

// vfClock is a manual clock: each call returns the current time, then advances a second.
type vfClock struct{ t time.Time }

func (c *vfClock) now() time.Time { c.t = c.t.Add(time.Second); return c.t }

// vfStore returns memory records holding the kubelet's test records and, if asked, the intent
// for "docker.io/testing/test:latest".
func vfStore(t *testing.T, intent bool) *pullmanager.MemoryRecords {
	t.Helper()
	m := pullmanager.NewMemoryRecords()
	for _, r := range vfRecords {
		require.NoError(t, m.WritePulledRecord(r))
	}
	if intent {
		require.NoError(t, m.WritePullIntent("docker.io/testing/test:latest"))
	}
	return m
}

func vfVerifier(t *testing.T, cfg pullmanager.Config) *pullmanager.Manager {
	t.Helper()
	if cfg.Now == nil {
		clock := &vfClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		cfg.Now = clock.now
	}
	v, err := pullmanager.New(cfg)
	require.NoError(t, err)
	return v
}

// faultyRecords wraps real records and fails the operations it is told to.
type faultyRecords struct {
	pullmanager.PullRecords
	getErr, intentExistsErr, writeIntentErr, deleteIntentErr, writeRecordErr, listErr error
}

func (f *faultyRecords) GetPulledRecord(ref string) (pullmanager.PulledRecord, bool, error) {
	if f.getErr != nil {
		return pullmanager.PulledRecord{}, true, f.getErr
	}
	return f.PullRecords.GetPulledRecord(ref)
}

func (f *faultyRecords) PullIntentExists(image string) (bool, error) {
	if f.intentExistsErr != nil {
		return false, f.intentExistsErr
	}
	return f.PullRecords.PullIntentExists(image)
}

func (f *faultyRecords) WritePullIntent(image string) error {
	if f.writeIntentErr != nil {
		return f.writeIntentErr
	}
	return f.PullRecords.WritePullIntent(image)
}

func (f *faultyRecords) DeletePullIntent(image string) error {
	if f.deleteIntentErr != nil {
		return f.deleteIntentErr
	}
	return f.PullRecords.DeletePullIntent(image)
}

func (f *faultyRecords) WritePulledRecord(r pullmanager.PulledRecord) error {
	if f.writeRecordErr != nil {
		return f.writeRecordErr
	}
	return f.PullRecords.WritePulledRecord(r)
}

func (f *faultyRecords) ListPulledRecords() ([]pullmanager.PulledRecord, error) {
	recs, err := f.PullRecords.ListPulledRecords()
	return recs, errors.Join(err, f.listErr)
}

func getRecord(t *testing.T, r pullmanager.PullRecords, ref string) pullmanager.PulledRecord {
	t.Helper()
	rec, ok, err := r.GetPulledRecord(ref)
	require.NoError(t, err)
	require.True(t, ok, "record %s", ref)
	return rec
}

func podSecrets(s ...pullmanager.ImagePullSecret) pullmanager.PodCredentials {
	return pullmanager.PodCredentials{Secrets: s}
}

func podSA(sa pullmanager.ImagePullServiceAccount) pullmanager.PodCredentials {
	return pullmanager.PodCredentials{ServiceAccount: &sa}
}

// TestMustAttemptImagePull is group MA of SEMANTICS-CASES (the kubelet's
// TestFileBasedImagePullManager_MustAttemptImagePull).
func TestMustAttemptImagePull(t *testing.T) {
	const img, other = "docker.io/testing/test:latest", "docker.io/testing/different:latest"
	secretWith := func(mod func(*pullmanager.ImagePullSecret)) pullmanager.ImagePullSecret {
		s := vfSecret
		mod(&s)
		return s
	}
	tests := []struct {
		name        string
		policy      pullmanager.VerificationPolicy
		pod         pullmanager.PodCredentials
		image, ref  string
		intent      bool
		want        bool
		lookedUp    bool
		wantMapping map[string]pullmanager.ImagePullCredentials // the record's mapping afterwards, when it must change
	}{
		{name: "MA1 exact secret", pod: podSecrets(vfSecret), image: img, ref: "testimageref", want: false, lookedUp: true},
		{name: "MA2 no pod credentials", image: img, ref: "testimageref", want: true, lookedUp: true},
		{name: "MA3 rotated secret, same coordinates", pod: podSecrets(secretWith(func(s *pullmanager.ImagePullSecret) { s.CredentialHash = "differenthash" })),
			image: img, ref: "testimageref", want: false, lookedUp: true,
			wantMapping: map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{
				secretWith(func(s *pullmanager.ImagePullSecret) { s.CredentialHash = "differenthash" })}}}},
		{name: "MA4 other uid, other hash", pod: podSecrets(secretWith(func(s *pullmanager.ImagePullSecret) { s.UID, s.CredentialHash = "different uid", "differenthash" })),
			image: img, ref: "testimageref", want: true, lookedUp: true},
		{name: "MA5 other namespace, other hash", pod: podSecrets(secretWith(func(s *pullmanager.ImagePullSecret) { s.Namespace, s.CredentialHash = "differentns", "differenthash" })),
			image: img, ref: "testimageref", want: true, lookedUp: true},
		{name: "MA6 copied secret, same hash", pod: podSecrets(secretWith(func(s *pullmanager.ImagePullSecret) { s.Namespace = "differentns" })),
			image: img, ref: "testimageref", want: false, lookedUp: true,
			wantMapping: map[string]pullmanager.ImagePullCredentials{"docker.io/testing/test": {KubernetesSecrets: []pullmanager.ImagePullSecret{
				vfSecret, secretWith(func(s *pullmanager.ImagePullSecret) { s.Namespace = "differentns" })}}}},
		{name: "MA7 other repository", pod: podSecrets(vfSecret), image: other, ref: "testimageref", want: true},
		{name: "MA8 empty mapping", image: img, ref: "testemptycredmapping", want: true},
		{name: "MA9 no imageRef", image: img, ref: "", want: true},
		{name: "MA10 preloaded", image: img, ref: "testexistingref", want: false},
		{name: "MA11 AlwaysVerify preloaded", policy: pullmanager.AlwaysVerify, image: img, ref: "testexistingref", want: true},
		{name: "MA12 intent only", pod: podSecrets(vfSecret), image: img, ref: "testexistingref", intent: true, want: true},
		{name: "MA13 NeverVerify with intent", policy: pullmanager.NeverVerify, pod: podSecrets(vfSecret), image: img, ref: "testexistingref", intent: true, want: false},
		{name: "MA14 anonymous pull, no credentials", image: img, ref: "testimage-anonpull", want: false},
		{name: "MA15 anonymous pull, a secret", pod: podSecrets(vfSecret), image: img, ref: "testimage-anonpull", want: false},
		{name: "MA16 empty recorded hash, other namespace", pod: podSecrets(pullmanager.ImagePullSecret{UID: "testsecretuid", Namespace: "differentns", Name: "pull-secret"}),
			image: img, ref: "test-brokenhash", want: true, lookedUp: true},
		{name: "MA17 empty recorded hash, same coordinates", pod: podSecrets(pullmanager.ImagePullSecret{UID: "testsecretuid", Namespace: "default", Name: "pull-secret"}),
			image: img, ref: "test-brokenhash", want: false, lookedUp: true},
		{name: "MA18 service account", pod: podSA(vfSA), image: img, ref: "testimageref-sa", want: false, lookedUp: true},
		{name: "MA19 secrets record, no pod credentials", image: img, ref: "testimageref", want: true, lookedUp: true},
		{name: "MA20 service account, other uid", pod: podSA(pullmanager.ImagePullServiceAccount{UID: "different-sa-uid", Namespace: "default", Name: "test-sa"}),
			image: img, ref: "testimageref-sa", want: true, lookedUp: true},
		{name: "MA21 service account, other namespace", pod: podSA(pullmanager.ImagePullServiceAccount{UID: "test-sa-uid", Namespace: "different-ns", Name: "test-sa"}),
			image: img, ref: "testimageref-sa", want: true, lookedUp: true},
		{name: "MA22 service account, other repository", pod: podSA(vfSA), image: other, ref: "testimageref-sa", want: true},
		{name: "MA23 service account, intent only", pod: podSA(vfSA), image: img, ref: "testexistingref", intent: true, want: true},
		{name: "MA24 NeverVerify, service account, intent", policy: pullmanager.NeverVerify, pod: podSA(vfSA), image: img, ref: "testexistingref", intent: true, want: false},
		{name: "MA25 service account, anonymous pull", pod: podSA(vfSA), image: img, ref: "testimage-anonpull", want: false},
		{name: "secret does not match a service-account record", pod: podSecrets(vfSecret), image: img, ref: "testimageref-sa", want: true, lookedUp: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := vfStore(t, tc.intent)
			v := vfVerifier(t, pullmanager.Config{Policy: tc.policy, Records: store})
			before, _, err := store.GetPulledRecord(tc.ref)
			require.NoError(t, err)
			lookedUp := 0
			got, err := v.MustAttemptImagePull(t.Context(), tc.image, tc.ref, func() (pullmanager.PodCredentials, error) {
				lookedUp++
				return tc.pod, nil
			})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "must pull")
			assert.Equal(t, map[bool]int{true: 1, false: 0}[tc.lookedUp], lookedUp, "pod credentials looked up")
			after, _, err := store.GetPulledRecord(tc.ref)
			require.NoError(t, err)
			if tc.wantMapping == nil {
				assert.True(t, before.Equal(after), "record unchanged: %+v", after)
				return
			}
			assert.Equal(t, tc.wantMapping, after.CredentialMapping)
			assert.True(t, after.LastUpdatedTime.After(before.LastUpdatedTime), "LastUpdatedTime refreshed")
		})
	}
}

func TestMustAttemptImagePullRecordErrors(t *testing.T) {
	const img = "docker.io/testing/test:latest"
	podCredsErr := errors.New("secret lookup failed")
	tests := []struct {
		name     string
		records  *faultyRecords
		ref      string
		podErr   error
		want     bool
		wantErr  error
		lookedUp bool
		wantLog  string
	}{
		{name: "MA26 corrupt record forces a pull", ref: "testimageref",
			records: &faultyRecords{getErr: pullmanager.ErrCorruptRecord}, want: true, wantLog: "Unable to access cache records about image pulls"},
		{name: "unreadable intent forces a pull", ref: "testexistingref",
			records: &faultyRecords{intentExistsErr: errors.New("EIO")}, want: true, wantLog: "failed to check existence of an image pull intent: EIO"},
		{name: "MA27 pod credentials error", ref: "testimageref", records: &faultyRecords{},
			podErr: podCredsErr, want: true, wantErr: podCredsErr, lookedUp: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.records.PullRecords = vfStore(t, false)
			var logs bytes.Buffer
			v := vfVerifier(t, pullmanager.Config{Records: tc.records, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			lookedUp := false
			got, err := v.MustAttemptImagePull(t.Context(), img, tc.ref, func() (pullmanager.PodCredentials, error) {
				lookedUp = true
				return podSecrets(vfSecret), tc.podErr
			})
			assert.ErrorIs(t, err, tc.wantErr)
			if tc.wantErr == nil {
				assert.NoError(t, err)
			}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.lookedUp, lookedUp)
			assert.Contains(t, logs.String(), tc.wantLog)
		})
	}
}

func TestMustAttemptImagePullCancelled(t *testing.T) {
	v := vfVerifier(t, pullmanager.Config{Records: vfStore(t, false)})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got, err := v.MustAttemptImagePull(ctx, "docker.io/testing/test:latest", "testimage-anonpull", nil)
	assert.True(t, got)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestMustAttemptImagePullWriteBackLimit is MA28: an entry with 100 Secrets accepts a hash
// match without recording the new Secret, and (a kubelet quirk) does not accept a
// coordinates-only match.
func TestMustAttemptImagePullWriteBackLimit(t *testing.T) {
	secrets := make([]pullmanager.ImagePullSecret, 100)
	for i := range secrets {
		secrets[i] = pullmanager.ImagePullSecret{UID: fmt.Sprintf("uid-%03d", i), Namespace: "ns", Name: fmt.Sprintf("s-%03d", i), CredentialHash: fmt.Sprintf("hash-%03d", i)}
	}
	rec := pullmanager.PulledRecord{LastUpdatedTime: vfTime, ImageRef: "full", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
		"docker.io/testing/test": {KubernetesSecrets: secrets}}}
	tests := []struct {
		name string
		pod  pullmanager.ImagePullSecret
		want bool
	}{
		{"hash match, new coordinates", pullmanager.ImagePullSecret{UID: "new", Namespace: "other", Name: "copy", CredentialHash: "hash-042"}, false},
		{"coordinates match, rotated hash", pullmanager.ImagePullSecret{UID: "uid-042", Namespace: "ns", Name: "s-042", CredentialHash: "rotated"}, true},
		{"exact match", secrets[7], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := pullmanager.NewMemoryRecords()
			require.NoError(t, store.WritePulledRecord(rec))
			v := vfVerifier(t, pullmanager.Config{Records: store})
			got, err := v.MustAttemptImagePull(t.Context(), "docker.io/testing/test:v1", "full", func() (pullmanager.PodCredentials, error) {
				return podSecrets(tc.pod), nil
			})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.True(t, rec.Equal(getRecord(t, store, "full")), "record not written")
		})
	}
}

// TestMustAttemptImagePullEmptyCoordinates: a Secret missing its namespace, name or UID names no
// object, so it never matches "as the same Secret, rotated"; it still matches by hash.
func TestMustAttemptImagePullEmptyCoordinates(t *testing.T) {
	const image, ref, repo = "registry.example/app:v1", "sha256:app", "registry.example/app"
	tests := []struct {
		name     string
		recorded pullmanager.ImagePullSecret
		pod      pullmanager.ImagePullSecret
		want     bool
	}{
		{"both without coordinates, other hash", pullmanager.ImagePullSecret{CredentialHash: "h1"}, pullmanager.ImagePullSecret{CredentialHash: "h2"}, true},
		{"both without coordinates, same hash", pullmanager.ImagePullSecret{CredentialHash: "h1"}, pullmanager.ImagePullSecret{CredentialHash: "h1"}, false},
		{"no UID on either side, other hash", pullmanager.ImagePullSecret{Namespace: "ns", Name: "s", CredentialHash: "h1"}, pullmanager.ImagePullSecret{Namespace: "ns", Name: "s", CredentialHash: "h2"}, true},
		{"no namespace on either side, other hash", pullmanager.ImagePullSecret{UID: "u", Name: "s", CredentialHash: "h1"}, pullmanager.ImagePullSecret{UID: "u", Name: "s", CredentialHash: "h2"}, true},
		{"full coordinates, other hash: rotated", pullmanager.ImagePullSecret{UID: "u", Namespace: "ns", Name: "s", CredentialHash: "h1"}, pullmanager.ImagePullSecret{UID: "u", Namespace: "ns", Name: "s", CredentialHash: "h2"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			records := pullmanager.NewMemoryRecords()
			require.NoError(t, records.WritePulledRecord(pullmanager.PulledRecord{ImageRef: ref,
				CredentialMapping: map[string]pullmanager.ImagePullCredentials{repo: {KubernetesSecrets: []pullmanager.ImagePullSecret{tc.recorded}}}}))
			v := vfVerifier(t, pullmanager.Config{Policy: pullmanager.AlwaysVerify, Records: records})
			got, err := v.MustAttemptImagePull(t.Context(), image, ref, func() (pullmanager.PodCredentials, error) {
				return pullmanager.PodCredentials{Secrets: []pullmanager.ImagePullSecret{tc.pod}}, nil
			})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
