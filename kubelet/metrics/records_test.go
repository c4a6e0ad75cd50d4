package metrics_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/metrics"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

const recordGaugesHelp = `# HELP kubelet_imagemanager_inmemory_pulledrecords_usage_percent [ALPHA] The ImagePulledRecords in-memory cache usage in percent.
# TYPE kubelet_imagemanager_inmemory_pulledrecords_usage_percent gauge
kubelet_imagemanager_inmemory_pulledrecords_usage_percent %s
# HELP kubelet_imagemanager_inmemory_pullintents_usage_percent [ALPHA] The ImagePullIntents in-memory cache usage in percent.
# TYPE kubelet_imagemanager_inmemory_pullintents_usage_percent gauge
kubelet_imagemanager_inmemory_pullintents_usage_percent %s
# HELP kubelet_imagemanager_ondisk_pulledrecords [ALPHA] Number of ImagePulledRecords stored on disk.
# TYPE kubelet_imagemanager_ondisk_pulledrecords gauge
kubelet_imagemanager_ondisk_pulledrecords %s
# HELP kubelet_imagemanager_ondisk_pullintents [ALPHA] Number of ImagePullIntents stored on disk.
# TYPE kubelet_imagemanager_ondisk_pullintents gauge
kubelet_imagemanager_ondisk_pullintents %s
`

var recordGauges = []string{metrics.OnDiskPullIntents, metrics.OnDiskPulledRecords, metrics.InMemoryPullIntentsUsage, metrics.InMemoryPulledRecordsUsage}

// gaugesText is the exposition of the record gauges with the values given.
func gaugesText(memRecords, memIntents, diskRecords, diskIntents string) string {
	return fill(recordGaugesHelp, memRecords, memIntents, diskRecords, diskIntents)
}

func fill(format string, values ...string) string {
	for _, v := range values {
		format = strings.Replace(format, "%s", v, 1)
	}
	return format
}

// TestRecordGauges counts the records of a real manager on real files behind the kubelet's
// LRU cache: pulls write records, a failed pull leaves none, a pull in flight shows its
// intent; the counts follow the files and the cache, scrape by scrape.
func TestRecordGauges(t *testing.T) {
	dir := t.TempDir()
	files, err := cache.NewFileRecords(dir)
	require.NoError(t, err)
	cached := cache.NewCachedRecords(files, &cache.CachedRecordsOptions{MaxIntents: 4, MaxRecords: 8})
	rec := metrics.New(&metrics.Options{OnDisk: files, InMemory: cached})
	require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(gaugesText("0", "0", "0", "0")), recordGauges...))

	n := newNode()
	for _, image := range []string{"registry.example/a:1", "registry.example/b:1", "registry.example/c:1"} {
		n.serve(image, remote{id: "sha256:" + image[len(image)-3:len(image)-2]})
	}
	m := n.manager(t, rec, func(c *kubelet.Config) { c.Records = cached })
	for _, image := range []string{"registry.example/a:1", "registry.example/b:1", "registry.example/c:1", "registry.example/missing:1"} {
		_, _ = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: pod("ns", "p"), Image: image})
	}
	// 3 records of 8 in memory: 37 %, rounded down as the kubelet does.
	require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(gaugesText("37", "0", "3", "0")), recordGauges...))

	require.NoError(t, cached.WritePullIntent("registry.example/d:1"))
	require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(gaugesText("37", "25", "3", "1")), recordGauges...))

	// The directory becomes unreadable: the last counts stay, as in the kubelet.
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "pulled")))
	require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(gaugesText("37", "25", "3", "1")), recordGauges...))
}

// failingUsage is a source whose counts cannot be read.
type failingUsage struct{}

func (failingUsage) Usage() (pullmanager.Usage, error) {
	return pullmanager.Usage{}, errors.New("disk on fire")
}

// TestRecordGaugesUnbounded: an unbounded store has no usage percent; a source that never
// answers leaves 0.
func TestRecordGaugesUnbounded(t *testing.T) {
	mem := pullmanager.NewMemoryRecords()
	require.NoError(t, mem.WritePullIntent("x"))
	rec := metrics.New(&metrics.Options{OnDisk: failingUsage{}, InMemory: mem})
	require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(gaugesText("0", "0", "0", "0")), recordGauges...))
}
