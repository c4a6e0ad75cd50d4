package pullmanager_test

// The kubelet's own tests of its pull manager, translated case by case from k8s.io/kubernetes
// v1.37.2 (identical in v1.36.3): pkg/kubelet/images/pullmanager/image_pull_manager_test.go.
// Names and expectations are upstream's. Here they run over MemoryRecords; the tables shared
// with cache/upstream_image_pull_manager_test.go (which runs them over FileRecords and checks
// the files) are in internal/pullmanagercases. Upstream's file-name expectations are checked
// here by mapping the stored intents and records through the kubelet's cacheFilename.
//
// Counts: 73 cases translated, all passing, none left out:
//   - Test_pulledRecordMergeNewCreds (:39): 19
//   - TestFileBasedImagePullManager_MustAttemptImagePull (:427): 25
//   - TestFileBasedImagePullManager_RecordPullIntent (:827): 2
//   - TestFileBasedImagePullManager_RecordImagePulled (:901): 11
//   - TestFileBasedImagePullManager_initialize (:1269): 5
//   - TestFileBasedImagePullManager_PruneUnknownRecords (:1436): 4
//   - Test_mergePullServiceAccounts (:1565): 7
//
// Where upstream compares LastUpdatedTime with the wall clock (updated: within the last
// minute; not updated: over 4 hours old), the Manager runs on a fixed clock here and the time
// must equal that clock, or stay the fixture's.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/internal/pullmanagercases"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// upstreamNow is the fixed clock of the translated cases: after every fixture's time.
var upstreamNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fileNames returns the kubelet's file names of what mem holds: intents, then records.
func fileNames(t *testing.T, mem pullmanager.PullRecords) (intents, records []string) {
	t.Helper()
	in, err := mem.ListPullIntents()
	require.NoError(t, err)
	for _, i := range in {
		intents = append(intents, pullmanagercases.FileName(i.Image))
	}
	recs, err := mem.ListPulledRecords()
	require.NoError(t, err)
	for _, r := range recs {
		records = append(records, pullmanagercases.FileName(r.ImageRef))
	}
	return intents, records
}

func loadFixtures(t *testing.T, pulling, pulled []string) *pullmanager.MemoryRecords {
	t.Helper()
	mem := pullmanager.NewMemoryRecords()
	require.NoError(t, pullmanagercases.Load(mem, "pulling", pulling))
	require.NoError(t, pullmanagercases.Load(mem, "pulled", pulled))
	return mem
}

func newUpstreamManager(t *testing.T, policy pullmanager.VerificationPolicy, records pullmanager.PullRecords) *pullmanager.Manager {
	t.Helper()
	m, err := pullmanager.New(pullmanager.Config{Policy: policy, Records: records, Now: func() time.Time { return upstreamNow }})
	require.NoError(t, err)
	return m
}

// image_pull_manager_test.go:39 Test_pulledRecordMergeNewCreds, through mergeRecord.
func TestUpstream_pulledRecordMergeNewCreds(t *testing.T) {
	type m = map[string]pullmanager.ImagePullCredentials
	type secrets = []pullmanager.ImagePullSecret
	type sas = []pullmanager.ImagePullServiceAccount
	testTime := time.Date(2022, 2, 22, 12, 0, 0, 0, time.Local)
	testRecord := func() pullmanager.PulledRecord {
		return pullmanager.PulledRecord{ImageRef: "testImageRef", LastUpdatedTime: testTime, CredentialMapping: m{
			"test-image1": {KubernetesSecrets: secrets{{UID: "uid1", Namespace: "namespace1", Name: "name1", CredentialHash: "hash1"}}},
			"test-image2": {KubernetesSecrets: secrets{
				{UID: "uid1", Namespace: "namespace1", Name: "name1", CredentialHash: "hash1"},
				{UID: "uid2", Namespace: "namespace2", Name: "name2", CredentialHash: "hash2"},
			}},
			"test-image-with-sa": {KubernetesServiceAccounts: sas{{UID: "sa-uid1", Namespace: "default", Name: "sa1"}}},
			"test-image-mixed": {
				KubernetesSecrets:         secrets{{UID: "secret-uid1", Namespace: "kube-system", Name: "secret1", CredentialHash: "secret-hash1"}},
				KubernetesServiceAccounts: sas{{UID: "sa-uid2", Namespace: "kube-system", Name: "sa2"}},
			},
			"test-nodewide": {NodePodsAccessible: true},
		}}
	}
	withImageRecord := func(image string, c pullmanager.ImagePullCredentials) pullmanager.PulledRecord {
		r := testRecord()
		r.CredentialMapping[image] = c
		return r
	}
	tests := []struct {
		name            string
		image           string
		credsForMerging *pullmanager.ImagePullCredentials
		expectedRecord  pullmanager.PulledRecord
		wantUpdate      bool
	}{
		{name: "create a new image record", image: "new-image",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "newuid", Namespace: "newnamespace", Name: "newname", CredentialHash: "newhash"}}},
			expectedRecord:  withImageRecord("new-image", pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "newuid", Namespace: "newnamespace", Name: "newname", CredentialHash: "newhash"}}}),
			wantUpdate:      true},
		{name: "merge with an existing image secret", image: "test-image1",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "newuid", Namespace: "newnamespace", Name: "newname", CredentialHash: "newhash"}}},
			expectedRecord: withImageRecord("test-image1", pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{
				{UID: "uid1", Namespace: "namespace1", Name: "name1", CredentialHash: "hash1"},
				{UID: "newuid", Namespace: "newnamespace", Name: "newname", CredentialHash: "newhash"},
			}}),
			wantUpdate: true},
		{name: "merge with existing image record secrets", image: "test-image2",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "newuid", Namespace: "namespace1", Name: "newname", CredentialHash: "newhash"}}},
			expectedRecord: withImageRecord("test-image2", pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{
				{UID: "uid1", Namespace: "namespace1", Name: "name1", CredentialHash: "hash1"},
				{UID: "newuid", Namespace: "namespace1", Name: "newname", CredentialHash: "newhash"},
				{UID: "uid2", Namespace: "namespace2", Name: "name2", CredentialHash: "hash2"},
			}}),
			wantUpdate: true},
		{name: "node-accessible overrides all secrets", image: "test-image2",
			credsForMerging: &pullmanager.ImagePullCredentials{NodePodsAccessible: true},
			expectedRecord:  withImageRecord("test-image2", pullmanager.ImagePullCredentials{NodePodsAccessible: true}),
			wantUpdate:      true},
		{name: "new creds have the same secret coordinates but a different hash", image: "test-image2",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "uid2", Namespace: "namespace2", Name: "name2", CredentialHash: "newhash"}}},
			expectedRecord: withImageRecord("test-image2", pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{
				{UID: "uid1", Namespace: "namespace1", Name: "name1", CredentialHash: "hash1"},
				{UID: "uid2", Namespace: "namespace2", Name: "name2", CredentialHash: "newhash"},
			}}),
			wantUpdate: true},
		{name: "new creds have the same hash but a different coordinates", image: "test-image2",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "uid3", Namespace: "namespace2", Name: "name3", CredentialHash: "hash2"}}},
			expectedRecord: withImageRecord("test-image2", pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{
				{UID: "uid1", Namespace: "namespace1", Name: "name1", CredentialHash: "hash1"},
				{UID: "uid2", Namespace: "namespace2", Name: "name2", CredentialHash: "hash2"},
				{UID: "uid3", Namespace: "namespace2", Name: "name3", CredentialHash: "hash2"},
			}}),
			wantUpdate: true},
		{name: "create a new image record with service accounts", image: "new-sa-image",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{{UID: "new-sa-uid", Namespace: "default", Name: "new-sa"}}},
			expectedRecord:  withImageRecord("new-sa-image", pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{{UID: "new-sa-uid", Namespace: "default", Name: "new-sa"}}}),
			wantUpdate:      true},
		{name: "merge with existing service account", image: "test-image-with-sa",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{{UID: "new-sa-uid", Namespace: "kube-system", Name: "new-sa"}}},
			expectedRecord: withImageRecord("test-image-with-sa", pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{
				{UID: "sa-uid1", Namespace: "default", Name: "sa1"},
				{UID: "new-sa-uid", Namespace: "kube-system", Name: "new-sa"},
			}}),
			wantUpdate: true},
		{name: "no update when service account is identical", image: "test-image-with-sa",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{{UID: "sa-uid1", Namespace: "default", Name: "sa1"}}},
			expectedRecord:  testRecord(), wantUpdate: false},
		{name: "add service account to image with only secrets", image: "test-image2",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{{UID: "new-sa-uid", Namespace: "default", Name: "new-sa"}}},
			expectedRecord: withImageRecord("test-image2", pullmanager.ImagePullCredentials{
				KubernetesSecrets: secrets{
					{UID: "uid1", Namespace: "namespace1", Name: "name1", CredentialHash: "hash1"},
					{UID: "uid2", Namespace: "namespace2", Name: "name2", CredentialHash: "hash2"},
				},
				KubernetesServiceAccounts: sas{{UID: "new-sa-uid", Namespace: "default", Name: "new-sa"}},
			}),
			wantUpdate: true},
		{name: "add secret to image with only service accounts", image: "test-image-with-sa",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "new-secret-uid", Namespace: "default", Name: "new-secret", CredentialHash: "new-secret-hash"}}},
			expectedRecord: withImageRecord("test-image-with-sa", pullmanager.ImagePullCredentials{
				KubernetesSecrets:         secrets{{UID: "new-secret-uid", Namespace: "default", Name: "new-secret", CredentialHash: "new-secret-hash"}},
				KubernetesServiceAccounts: sas{{UID: "sa-uid1", Namespace: "default", Name: "sa1"}},
			}),
			wantUpdate: true},
		{name: "node-accessible overrides mixed credentials", image: "test-image-mixed",
			credsForMerging: &pullmanager.ImagePullCredentials{NodePodsAccessible: true},
			expectedRecord:  withImageRecord("test-image-mixed", pullmanager.ImagePullCredentials{NodePodsAccessible: true}),
			wantUpdate:      true},
		{name: "no update when image already marked as node-accessible with secrets", image: "test-nodewide",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{{UID: "any-uid", Namespace: "any-namespace", Name: "any-name", CredentialHash: "any-hash"}}},
			expectedRecord:  testRecord(), wantUpdate: false},
		{name: "no update when trying to add service account to node-accessible image", image: "test-nodewide",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{{UID: "any-sa-uid", Namespace: "any-namespace", Name: "any-sa"}}},
			expectedRecord:  testRecord(), wantUpdate: false},
		{name: "nil credentials should not update", image: "test-image1", credsForMerging: nil, expectedRecord: testRecord(), wantUpdate: false},
		{name: "empty credentials should not update", image: "test-image1",
			credsForMerging: &pullmanager.ImagePullCredentials{NodePodsAccessible: false, KubernetesSecrets: secrets{}, KubernetesServiceAccounts: sas{}},
			expectedRecord:  testRecord(), wantUpdate: false},
		{name: "multiple secrets with sorting verification", image: "new-sorted-image",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{
				{UID: "uid-z", Namespace: "z-namespace", Name: "z-name", CredentialHash: "hash-z"},
				{UID: "uid-a", Namespace: "a-namespace", Name: "a-name", CredentialHash: "hash-a"},
				{UID: "uid-m", Namespace: "m-namespace", Name: "m-name", CredentialHash: "hash-m"},
			}},
			// A new entry keeps the order given: no sorting (image_pull_manager.go:477).
			expectedRecord: withImageRecord("new-sorted-image", pullmanager.ImagePullCredentials{KubernetesSecrets: secrets{
				{UID: "uid-z", Namespace: "z-namespace", Name: "z-name", CredentialHash: "hash-z"},
				{UID: "uid-a", Namespace: "a-namespace", Name: "a-name", CredentialHash: "hash-a"},
				{UID: "uid-m", Namespace: "m-namespace", Name: "m-name", CredentialHash: "hash-m"},
			}}),
			wantUpdate: true},
		{name: "multiple service accounts with sorting verification", image: "new-sorted-sa-image",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{
				{UID: "sa-uid-z", Namespace: "z-namespace", Name: "z-sa"},
				{UID: "sa-uid-a", Namespace: "a-namespace", Name: "a-sa"},
				{UID: "sa-uid-m", Namespace: "m-namespace", Name: "m-sa"},
			}},
			expectedRecord: withImageRecord("new-sorted-sa-image", pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{
				{UID: "sa-uid-z", Namespace: "z-namespace", Name: "z-sa"},
				{UID: "sa-uid-a", Namespace: "a-namespace", Name: "a-sa"},
				{UID: "sa-uid-m", Namespace: "m-namespace", Name: "m-sa"},
			}}),
			wantUpdate: true},
		{name: "service account with same namespace and name but different UID", image: "test-image-with-sa",
			credsForMerging: &pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{{UID: "different-uid", Namespace: "default", Name: "sa1"}}},
			expectedRecord: withImageRecord("test-image-with-sa", pullmanager.ImagePullCredentials{KubernetesServiceAccounts: sas{
				{UID: "different-uid", Namespace: "default", Name: "sa1"},
				{UID: "sa-uid1", Namespace: "default", Name: "sa1"},
			}}),
			wantUpdate: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			current := testRecord()
			gotRecord, gotUpdate := pullmanager.MergeRecord(current, tt.image, tt.credsForMerging, upstreamNow)
			assert.Equal(t, tt.wantUpdate, gotUpdate)
			if tt.wantUpdate {
				assert.True(t, gotRecord.LastUpdatedTime.Equal(upstreamNow), "an update sets the time")
			} else {
				assert.True(t, gotRecord.LastUpdatedTime.Equal(testTime), "no update keeps the time")
			}
			gotRecord.LastUpdatedTime = tt.expectedRecord.LastUpdatedTime
			pullmanagercases.AssertRecord(t, tt.expectedRecord, gotRecord)
			pullmanagercases.AssertRecord(t, testRecord(), current) // the input is never modified
		})
	}
}

// image_pull_manager_test.go:427 TestFileBasedImagePullManager_MustAttemptImagePull.
func TestUpstreamFileBasedImagePullManager_MustAttemptImagePull(t *testing.T) {
	for _, tt := range pullmanagercases.MustAttemptCases() {
		t.Run(tt.Name, func(t *testing.T) {
			records := &pullmanagercases.CountingRecords{PullRecords: loadFixtures(t, tt.PullingFiles, tt.PulledFiles)}
			f := newUpstreamManager(t, tt.Policy, records)
			var podCredsRequested bool
			s := func() (pullmanager.PodCredentials, error) {
				podCredsRequested = true
				return pullmanager.PodCredentials{Secrets: tt.PodSecrets, ServiceAccount: tt.PodServiceAccount}, nil
			}
			got, err := f.MustAttemptImagePull(t.Context(), tt.Image, tt.ImageRef, s)
			require.NoError(t, err)
			assert.Equal(t, tt.Want, got)
			assert.Equal(t, tt.WantPodCredsRequested, podCredsRequested, "pod credentials looked up")
			assert.Equal(t, tt.ExpectedCacheWrite, records.Writes != 0, "record writes: %d", records.Writes)
			if tt.ExpectedPullRecord != nil {
				rec, found, err := records.GetPulledRecord(tt.ImageRef)
				require.NoError(t, err)
				require.True(t, found)
				rec.LastUpdatedTime = tt.ExpectedPullRecord.LastUpdatedTime
				pullmanagercases.AssertRecord(t, *tt.ExpectedPullRecord, rec)
			}
		})
	}
}

// image_pull_manager_test.go:827 TestFileBasedImagePullManager_RecordPullIntent.
func TestUpstreamFileBasedImagePullManager_RecordPullIntent(t *testing.T) {
	for _, tt := range pullmanagercases.RecordPullIntentCases() {
		t.Run(tt.Name, func(t *testing.T) {
			mem := pullmanager.NewMemoryRecords()
			f := newUpstreamManager(t, "", mem)
			pullmanager.SetInFlight(f, tt.InputImage, tt.StartCounter)
			require.NoError(t, f.RecordPullIntent(tt.InputImage))
			intents, _ := fileNames(t, mem)
			assert.Equal(t, []string{tt.WantFile}, intents)
			assert.Equal(t, tt.WantCounter, pullmanager.InFlight(f, tt.InputImage), "pull intent counter does not match")
			got, err := mem.ListPullIntents()
			require.NoError(t, err)
			assert.Equal(t, []pullmanager.PullIntent{{Image: tt.InputImage}}, got)
		})
	}
}

// image_pull_manager_test.go:901 TestFileBasedImagePullManager_RecordImagePulled.
func TestUpstreamFileBasedImagePullManager_RecordImagePulled(t *testing.T) {
	for _, tt := range pullmanagercases.RecordImagePulledCases() {
		t.Run(tt.Name, func(t *testing.T) {
			mem := loadFixtures(t, tt.ExistingPulling, tt.ExistingPulled)
			f := newUpstreamManager(t, "", mem)
			pullmanager.SetInFlight(f, tt.Image, tt.PullsInFlight)
			f.RecordImagePulled(tt.Image, tt.ImageRef, tt.Creds)
			assert.Equal(t, tt.PullsInFlight-1, pullmanager.InFlight(f, tt.Image), "intent counter for %s was not decremented", tt.Image)

			intents, records := fileNames(t, mem)
			assert.Subset(t, records, tt.ExpectPulled)
			if tt.ExpectPullingRemoved != "" {
				assert.NotContains(t, intents, tt.ExpectPullingRemoved)
			}
			var got *pullmanager.PulledRecord
			recs, err := mem.ListPulledRecords()
			require.NoError(t, err)
			for i := range recs {
				if pullmanagercases.FileName(recs[i].ImageRef) == tt.CheckedPullFile {
					got = &recs[i]
				}
			}
			require.NotNil(t, got, "no record in %s", tt.CheckedPullFile)
			if tt.ExpectUpdated {
				assert.True(t, got.LastUpdatedTime.Equal(upstreamNow), "expected the record to be updated: %s", got.LastUpdatedTime)
			} else {
				assert.True(t, got.LastUpdatedTime.Equal(pullmanagercases.FixtureTime), "expected the record NOT to be updated: %s", got.LastUpdatedTime)
			}
			got.LastUpdatedTime = tt.ExpectedPullRecord.LastUpdatedTime
			pullmanagercases.AssertRecord(t, tt.ExpectedPullRecord, *got)
		})
	}
}

// image_pull_manager_test.go:1269 TestFileBasedImagePullManager_initialize.
func TestUpstreamFileBasedImagePullManager_initialize(t *testing.T) {
	for _, tt := range pullmanagercases.InitializeCases() {
		t.Run(tt.Name, func(t *testing.T) {
			mem := loadFixtures(t, tt.ExistingIntents, tt.ExistingPulledRecords)
			f := newUpstreamManager(t, "", mem)
			require.NoError(t, f.Initialize(t.Context(), pullmanagercases.InitializeImages()))
			intents, records := fileNames(t, mem)
			assert.ElementsMatch(t, tt.ExpectedIntents, intents)
			assert.ElementsMatch(t, tt.ExpectedPulled, records)
		})
	}
}

// image_pull_manager_test.go:1436 TestFileBasedImagePullManager_PruneUnknownRecords.
func TestUpstreamFileBasedImagePullManager_PruneUnknownRecords(t *testing.T) {
	for _, tt := range pullmanagercases.PruneCases() {
		t.Run(tt.Name, func(t *testing.T) {
			mem := loadFixtures(t, nil, tt.PulledFiles)
			f := newUpstreamManager(t, "", mem)
			f.PruneUnknownRecords(tt.ImageList, tt.GCStartTime)
			_, records := fileNames(t, mem)
			assert.ElementsMatch(t, tt.WantFiles, records)
		})
	}
}

// image_pull_manager_test.go:1565 Test_mergePullServiceAccounts, through mergeServiceAccounts.
func TestUpstream_mergePullServiceAccounts(t *testing.T) {
	type sas = []pullmanager.ImagePullServiceAccount
	tests := []struct {
		name      string
		orig, new sas
		expected  sas
		changed   bool
	}{
		{name: "merge empty slices", orig: sas{}, new: sas{}, expected: sas{}, changed: false},
		{name: "add new service account to empty slice", orig: sas{}, new: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}},
			expected: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}}, changed: true},
		{name: "duplicate service account - no change", orig: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}},
			new: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}}, expected: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}}, changed: false},
		{name: "merge different service accounts", orig: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}},
			new:      sas{{UID: "sa2", Namespace: "kube-system", Name: "serviceaccount2"}},
			expected: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}, {UID: "sa2", Namespace: "kube-system", Name: "serviceaccount2"}}, changed: true},
		{name: "verify sorting by namespace, name, uid", orig: sas{{UID: "sa2", Namespace: "kube-system", Name: "z-sa"}},
			new:      sas{{UID: "sa1", Namespace: "default", Name: "a-sa"}, {UID: "sa3", Namespace: "kube-system", Name: "a-sa"}},
			expected: sas{{UID: "sa1", Namespace: "default", Name: "a-sa"}, {UID: "sa3", Namespace: "kube-system", Name: "a-sa"}, {UID: "sa2", Namespace: "kube-system", Name: "z-sa"}},
			changed:  true},
		{name: "multiple service accounts with some duplicates",
			orig: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}, {UID: "sa2", Namespace: "kube-system", Name: "serviceaccount2"}},
			new:  sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}, {UID: "sa3", Namespace: "default", Name: "serviceaccount3"}},
			expected: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}, {UID: "sa3", Namespace: "default", Name: "serviceaccount3"},
				{UID: "sa2", Namespace: "kube-system", Name: "serviceaccount2"}},
			changed: true},
		{name: "same namespace and name, different UID", orig: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}},
			new:      sas{{UID: "sa2", Namespace: "default", Name: "serviceaccount1"}},
			expected: sas{{UID: "sa1", Namespace: "default", Name: "serviceaccount1"}, {UID: "sa2", Namespace: "default", Name: "serviceaccount1"}}, changed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result, changed := pullmanager.MergeServiceAccounts(tt.orig, tt.new)
			assert.Equal(t, tt.expected, result)
			assert.Equal(t, tt.changed, changed)
		})
	}
}
