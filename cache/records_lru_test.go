package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// behindTheBack writes a record file without going through the cache.
func behindTheBack(t *testing.T, f *FileRecords, ref string) {
	t.Helper()
	data, err := encodeRecord(pullmanager.PulledRecord{ImageRef: ref}, apiVersionV1beta1)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(f.pulledDir, recordFileName(ref)), data, 0o600))
}

func TestCachedRecordsAuthoritative(t *testing.T) {
	f, _ := newTestFileRecords(t)
	require.NoError(t, f.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "a"}))
	c := NewCachedRecords(f, &CachedRecordsOptions{MaxIntents: 3, MaxRecords: 3})

	behindTheBack(t, f, "hidden")
	_, ok, err := c.GetPulledRecord("hidden")
	require.NoError(t, err)
	assert.False(t, ok, "authoritative: a miss does not read the disk")

	require.NoError(t, c.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "b"}))
	assert.FileExists(t, filepath.Join(f.pulledDir, recordFileName("b")), "write-through")
	require.NoError(t, os.Remove(filepath.Join(f.pulledDir, recordFileName("b"))))
	_, ok, err = c.GetPulledRecord("b")
	require.NoError(t, err)
	assert.True(t, ok, "a hit does not read the disk")

	// Two more records evict "a": the cache stops being authoritative.
	require.NoError(t, c.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "c"}))
	require.NoError(t, c.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "d"}))
	_, ok, err = c.GetPulledRecord("hidden")
	require.NoError(t, err)
	assert.True(t, ok, "after an eviction a miss reads the disk")
	_, ok, err = c.GetPulledRecord("a")
	require.NoError(t, err)
	assert.True(t, ok)

	// A complete listing that fits makes it authoritative again.
	for _, ref := range []string{"a", "c", "d", "hidden"} {
		require.NoError(t, c.DeletePulledRecord(ref))
	}
	recs, err := c.ListPulledRecords()
	require.NoError(t, err)
	assert.Empty(t, recs)
	behindTheBack(t, f, "hidden2")
	_, ok, err = c.GetPulledRecord("hidden2")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestCachedRecordsIntents(t *testing.T) {
	f, _ := newTestFileRecords(t)
	require.NoError(t, f.WritePullIntent("warm"))
	c := NewCachedRecords(f, nil)
	for image, want := range map[string]bool{"warm": true, "cold": false} {
		ok, err := c.PullIntentExists(image)
		require.NoError(t, err)
		assert.Equal(t, want, ok, image)
	}
	require.NoError(t, c.WritePullIntent("new"))
	ok, err := f.PullIntentExists("new")
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, c.DeletePullIntent("new"))
	ok, err = c.PullIntentExists("new")
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = f.PullIntentExists("new")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestCachedRecordsNeverCachesCorruption(t *testing.T) {
	f, _ := newTestFileRecords(t)
	require.NoError(t, os.WriteFile(filepath.Join(f.pulledDir, recordFileName("bad")), []byte("{"), 0o600))
	c := NewCachedRecords(f, nil) // the listing fails: not authoritative
	for range 2 {
		_, exists, err := c.GetPulledRecord("bad")
		require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
		assert.True(t, exists)
	}
	require.NoError(t, c.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "bad"}))
	_, ok, err := c.GetPulledRecord("bad")
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestCachedRecordsReturnsCopies(t *testing.T) {
	f, _ := newTestFileRecords(t)
	c := NewCachedRecords(f, nil)
	rec := *kubeletFiles[3].record
	require.NoError(t, c.WritePulledRecord(rec))
	got, _, err := c.GetPulledRecord(rec.ImageRef)
	require.NoError(t, err)
	got.CredentialMapping["docker.io/testing/test"].KubernetesSecrets[0].Name = "changed"
	again, _, err := c.GetPulledRecord(rec.ImageRef)
	require.NoError(t, err)
	assert.True(t, rec.Equal(again))
}

func TestCachedRecordsConcurrentWithVerifier(t *testing.T) {
	f, _ := newTestFileRecords(t)
	c := NewCachedRecords(f, &CachedRecordsOptions{MaxRecords: 4})
	v, err := pullmanager.New(pullmanager.Config{Records: c})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 30 {
				image, ref := fmt.Sprintf("app-%d:v1", i%6), fmt.Sprintf("sha256:%d", i%6)
				if err := v.RecordPullIntent(image); err != nil {
					t.Error(err)
					return
				}
				v.RecordImagePulled(image, ref, &pullmanager.ImagePullCredentials{NodePodsAccessible: g%2 == 0})
				_, _ = v.MustAttemptImagePull(t.Context(), image, ref, nil)
			}
		})
	}
	wg.Wait()
	for i := range 6 {
		fromCache, ok, err := c.GetPulledRecord(fmt.Sprintf("sha256:%d", i))
		require.NoError(t, err)
		require.True(t, ok)
		fromDisk, _, err := f.GetPulledRecord(fmt.Sprintf("sha256:%d", i))
		require.NoError(t, err)
		assert.True(t, fromDisk.Equal(fromCache), "cache and disk agree")
	}
}
