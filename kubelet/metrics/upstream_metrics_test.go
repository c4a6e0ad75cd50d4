package metrics_test

// The kubelet's own tests of its pull-record metrics, translated step by step from
// k8s.io/kubernetes v1.37.2 (identical in v1.36.3):
// pkg/kubelet/images/pullmanager/metrics_test.go. Upstream's accessors report through
// component-base's legacy registry; here the Recorder reads the same counts from FileRecords
// (on disk) and CachedRecords (in memory), and the Manager reports its checks to it as its
// Observer. Every expected value and exposition text is upstream's.
//
// Counts: 2 tests translated (sequences, not tables: 42 gauge comparisons; 11 checks and 7
// counter comparisons), all passing, none left out.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/internal/pullmanagercases"
	"github.com/imagepull/imagepull/kubelet/metrics"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// gaugeTexts are upstream's expected expositions (metrics_test.go:251-311).
var gaugeTexts = map[string]string{
	metrics.OnDiskPullIntents: `
# HELP kubelet_imagemanager_ondisk_pullintents [ALPHA] Number of ImagePullIntents stored on disk.
# TYPE kubelet_imagemanager_ondisk_pullintents gauge
kubelet_imagemanager_ondisk_pullintents %d
`,
	metrics.OnDiskPulledRecords: `
# HELP kubelet_imagemanager_ondisk_pulledrecords [ALPHA] Number of ImagePulledRecords stored on disk.
# TYPE kubelet_imagemanager_ondisk_pulledrecords gauge
kubelet_imagemanager_ondisk_pulledrecords %d
`,
	metrics.InMemoryPullIntentsUsage: `
# HELP kubelet_imagemanager_inmemory_pullintents_usage_percent [ALPHA] The ImagePullIntents in-memory cache usage in percent.
# TYPE kubelet_imagemanager_inmemory_pullintents_usage_percent gauge
kubelet_imagemanager_inmemory_pullintents_usage_percent %d
`,
	metrics.InMemoryPulledRecordsUsage: `
# HELP kubelet_imagemanager_inmemory_pulledrecords_usage_percent [ALPHA] The ImagePulledRecords in-memory cache usage in percent.
# TYPE kubelet_imagemanager_inmemory_pulledrecords_usage_percent gauge
kubelet_imagemanager_inmemory_pulledrecords_usage_percent %d
`,
}

// metrics_test.go:38 TestFSPullRecordsMetrics.
func TestUpstreamFSPullRecordsMetrics(t *testing.T) {
	fsAccessor, err := cache.NewFileRecords(filepath.Join(t.TempDir(), "image_manager"))
	require.NoError(t, err)
	const pullIntentsCacheSize, pulledRecordsCacheSize = 5, 10
	inMemoryAccessor := cache.NewCachedRecords(fsAccessor, &cache.CachedRecordsOptions{MaxIntents: pullIntentsCacheSize, MaxRecords: pulledRecordsCacheSize})
	rec := metrics.New(&metrics.Options{OnDisk: fsAccessor, InMemory: inMemoryAccessor})
	cmp := func(name string) func(t *testing.T, expected int) {
		return func(t *testing.T, expected int) {
			t.Helper()
			require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(fmt.Sprintf(gaugeTexts[name], expected)), name))
		}
	}
	cmpFSIntents, cmpMemIntents := cmp(metrics.OnDiskPullIntents), cmp(metrics.InMemoryPullIntentsUsage)
	cmpFSPulledRecords, cmpMemPulledRecords := cmp(metrics.OnDiskPulledRecords), cmp(metrics.InMemoryPulledRecordsUsage)
	record := func(ref string) pullmanager.PulledRecord {
		return pullmanager.PulledRecord{ImageRef: ref, LastUpdatedTime: pullmanagercases.FixtureTime}
	}

	cmpFSIntents(t, 0)
	cmpMemIntents(t, 0)
	require.NoError(t, inMemoryAccessor.WritePullIntent("test-image:latest"))
	cmpFSIntents(t, 1)
	cmpMemIntents(t, 20)

	// Test that writing the same record does not increase the count
	require.NoError(t, inMemoryAccessor.WritePullIntent("test-image:latest"))
	require.NoError(t, inMemoryAccessor.WritePullIntent("test-image:latest"))
	cmpFSIntents(t, 1)
	cmpMemIntents(t, 20)

	// Test adding more records
	require.NoError(t, inMemoryAccessor.WritePullIntent("test-image:v1"))
	require.NoError(t, inMemoryAccessor.WritePullIntent("test-image:v1.1"))
	cmpFSIntents(t, 3)
	cmpMemIntents(t, 60)

	cmpFSPulledRecords(t, 0)
	cmpMemPulledRecords(t, 0)
	require.NoError(t, inMemoryAccessor.WritePulledRecord(record("test-image-latest-ref")))
	cmpFSPulledRecords(t, 1)
	cmpMemPulledRecords(t, 10)

	// Test that writing the same record does not increase the count
	require.NoError(t, inMemoryAccessor.WritePulledRecord(record("test-image-latest-ref")))
	require.NoError(t, inMemoryAccessor.WritePulledRecord(record("test-image-latest-ref")))
	cmpFSPulledRecords(t, 1)
	cmpMemPulledRecords(t, 10)

	// Test adding more records
	require.NoError(t, inMemoryAccessor.WritePulledRecord(record("test-image-v1-ref")))
	require.NoError(t, inMemoryAccessor.WritePulledRecord(record("test-image-v1.1-ref")))
	require.NoError(t, inMemoryAccessor.WritePulledRecord(record("test-image-v1.2-ref")))
	cmpFSPulledRecords(t, 4)
	cmpMemPulledRecords(t, 40)

	// double-check that intents count is not affected
	cmpFSIntents(t, 3)
	cmpMemIntents(t, 60)

	// Test deletions
	require.NoError(t, inMemoryAccessor.DeletePullIntent("test-image:latest"))
	cmpFSIntents(t, 2)
	cmpMemIntents(t, 40)

	require.NoError(t, inMemoryAccessor.DeletePullIntent("test-image:latest"))
	require.NoError(t, inMemoryAccessor.DeletePullIntent("test-image:latest"))
	cmpFSIntents(t, 2)
	cmpMemIntents(t, 40)

	require.NoError(t, inMemoryAccessor.DeletePullIntent("test-image:v1"))
	require.NoError(t, inMemoryAccessor.DeletePullIntent("test-image:v1.1"))
	cmpFSIntents(t, 0)
	cmpMemIntents(t, 0)

	// double-check that pulled records count is not affected
	cmpFSPulledRecords(t, 4)
	cmpMemPulledRecords(t, 40)

	// Test image pulled record deletions
	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-v1.1-ref"))
	cmpFSPulledRecords(t, 3)
	cmpMemPulledRecords(t, 30)

	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-v1.1-ref"))
	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-v1.1-ref"))
	cmpFSPulledRecords(t, 3)
	cmpMemPulledRecords(t, 30)

	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-v1.2-ref"))
	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-v1-ref"))
	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-latest-ref"))
	cmpFSPulledRecords(t, 0)
	cmpMemPulledRecords(t, 0)

	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-v1-ref"))
	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-latest-ref"))
	cmpFSPulledRecords(t, 0)
	cmpMemPulledRecords(t, 0)

	// test exceeding memory cache sizes
	for i := range 20 {
		require.NoError(t, inMemoryAccessor.WritePullIntent(fmt.Sprintf("test-image-%d:latest", i)))
		require.NoError(t, inMemoryAccessor.WritePulledRecord(record(fmt.Sprintf("test-image-v%d-ref", i))))
	}
	cmpFSIntents(t, 20)
	cmpFSPulledRecords(t, 20)
	cmpMemIntents(t, 100)
	cmpMemPulledRecords(t, 100)

	// test removing some of the latest records from the cache
	require.NoError(t, inMemoryAccessor.DeletePullIntent("test-image-19:latest"))
	cmpFSIntents(t, 19)
	cmpMemIntents(t, 80)

	require.NoError(t, inMemoryAccessor.DeletePulledRecord("test-image-v19-ref"))
	cmpFSPulledRecords(t, 19)
	cmpMemPulledRecords(t, 90)
}

// metrics_test.go:175 TestMustAttemptPullMetrics.
func TestUpstreamMustAttemptPullMetrics(t *testing.T) {
	tempDir := t.TempDir()
	pulledDir := filepath.Join(tempDir, "image_manager", "pulled")
	fsAccessor, err := cache.NewFileRecords(filepath.Join(tempDir, "image_manager"))
	require.NoError(t, err)
	rec := metrics.New(nil)
	imageManager, err := pullmanager.New(pullmanager.Config{
		Policy:    pullmanager.NeverVerifyAllowlistedImages,
		Allowlist: []string{"docker.io/testing/policyexempt"},
		Records:   fsAccessor,
		Observer:  rec,
	})
	require.NoError(t, err)

	// teeTestData, after the accessor is open (as upstream: no migration of these files).
	for _, name := range []string{
		"sha256-e766e4624f9bc4d3847d6c5b470d9d5362cc8d0c250bd9572daf95278e044263",
		"sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a",
		"sha256-f4058727984875eb66ddbf289f7013096d4cbaa167e591fbcb2e447e36391c1f",
		"sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(pulledDir, name), pullmanagercases.Lookup("pulled", name).Bytes(), 0o600))
	}

	testMustAttemptImagePull := func(expected bool, image, imageRef string, podCreds func() (pullmanager.PodCredentials, error)) {
		t.Helper()
		mustPull, err := imageManager.MustAttemptImagePull(t.Context(), image, imageRef, podCreds)
		require.NoError(t, err)
		require.Equal(t, expected, mustPull)
	}
	expectedMetrics := make(map[string]int)
	cmpMustAttemptPullMetrics := func() {
		t.Helper()
		expected := `
# HELP kubelet_imagemanager_image_mustpull_checks_total [ALPHA] Counter for how many times kubelet checked whether credentials need to be re-verified to access an image
# TYPE kubelet_imagemanager_image_mustpull_checks_total counter
`
		labels := make([]string, 0, len(expectedMetrics))
		for label := range expectedMetrics {
			labels = append(labels, label)
		}
		slices.Sort(labels)
		for _, label := range labels {
			expected += fmt.Sprintf("kubelet_imagemanager_image_mustpull_checks_total{result=\"%s\"} %d\n", label, expectedMetrics[label])
		}
		require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(expected), metrics.MustPullChecks))
	}

	testMustAttemptImagePull(true, "docker.io/testing/broken", "testbrokenrecord", nil)
	expectedMetrics[string(pullmanager.CheckError)]++
	cmpMustAttemptPullMetrics()

	testMustAttemptImagePull(true, "docker.io/testing/broken", "testbrokenrecord", nil)
	testMustAttemptImagePull(true, "docker.io/testing/broken", "testbrokenrecord", nil)
	expectedMetrics[string(pullmanager.CheckError)] += 2

	testMustAttemptImagePull(false, "docker.io/testing/test", "testimage-anonpull", nil)
	expectedMetrics[string(pullmanager.CheckCredentialRecordFound)]++
	cmpMustAttemptPullMetrics()

	testMustAttemptImagePull(false, "docker.io/testing/test", "testimage-anonpull", nil)
	testMustAttemptImagePull(false, "docker.io/testing/test", "testimage-anonpull", nil)
	testMustAttemptImagePull(false, "docker.io/testing/test", "testimage-anonpull", nil)
	expectedMetrics[string(pullmanager.CheckCredentialRecordFound)] += 3
	cmpMustAttemptPullMetrics()

	testMustAttemptImagePull(false, "docker.io/testing/policyexempt", "policyallowed", nil)
	expectedMetrics[string(pullmanager.CheckCredentialPolicyAllowed)]++
	cmpMustAttemptPullMetrics()

	testMustAttemptImagePull(false, "docker.io/testing/policyexempt", "policyallowed", nil)
	expectedMetrics[string(pullmanager.CheckCredentialPolicyAllowed)]++
	cmpMustAttemptPullMetrics()

	testMustAttemptImagePull(true, "docker.io/testing/norecords", "somewhatunknown", nil)
	expectedMetrics[string(pullmanager.CheckMustAuthenticate)]++
	cmpMustAttemptPullMetrics()

	testMustAttemptImagePull(false, "docker.io/testing/test", "testimageref", func() (pullmanager.PodCredentials, error) {
		return pullmanager.PodCredentials{Secrets: []pullmanager.ImagePullSecret{
			{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "testsecrethash"},
		}}, nil
	})
	expectedMetrics[string(pullmanager.CheckCredentialRecordFound)]++
	cmpMustAttemptPullMetrics()
}
