package metrics_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/metrics"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// populated returns a Recorder with every metric observed at least once.
func populated(t *testing.T) *metrics.Recorder {
	ctx := t.Context()
	rec := metrics.New(&metrics.Options{OnDisk: pullmanager.NewMemoryRecords(), InMemory: pullmanager.NewMemoryRecords()})
	rec.ObserveEnsure(ctx, kubelet.EnsureObservation{Policy: pullpolicy.IfNotPresent, PresentLocally: kubelet.AnswerYes, PullRequired: kubelet.AnswerNo})
	rec.ObservePull(ctx, kubelet.PullObservation{Outcome: kubelet.PullSucceeded, Size: 1 << 20, Duration: 3 * time.Second, Shared: true})
	rec.ObserveBackOff(ctx)
	rec.ObserveOfflineFallback(ctx)
	rec.ObserveMustPullCheck(ctx, pullmanager.CheckMustAuthenticate)
	rec.ResolveObserver("cache").ObserveResolve(ctx, "hit", time.Microsecond)
	return rec
}

// TestKubeletNames pins the kubelet v1.36 metrics this package reproduces: names, types,
// help texts (with the "[ALPHA] " component-base adds) and label names, and the project's
// own metrics, so that no change slips by; nothing else is exposed.
func TestKubeletNames(t *testing.T) {
	type family struct {
		typ    dto.MetricType
		help   string
		labels []string
	}
	want := map[string]family{
		"kubelet_image_manager_ensure_image_requests_total": {dto.MetricType_COUNTER,
			"[ALPHA] Number of ensure-image requests processed by the kubelet.", []string{"present_locally", "pull_policy", "pull_required"}},
		"kubelet_image_pull_duration_seconds": {dto.MetricType_HISTOGRAM,
			"[ALPHA] Duration in seconds to pull an image.", []string{"image_size_in_bytes"}},
		"kubelet_imagemanager_image_mustpull_checks_total": {dto.MetricType_COUNTER,
			"[ALPHA] Counter for how many times kubelet checked whether credentials need to be re-verified to access an image", []string{"result"}},
		"kubelet_imagemanager_ondisk_pullintents":                   {dto.MetricType_GAUGE, "[ALPHA] Number of ImagePullIntents stored on disk.", nil},
		"kubelet_imagemanager_ondisk_pulledrecords":                 {dto.MetricType_GAUGE, "[ALPHA] Number of ImagePulledRecords stored on disk.", nil},
		"kubelet_imagemanager_inmemory_pullintents_usage_percent":   {dto.MetricType_GAUGE, "[ALPHA] The ImagePullIntents in-memory cache usage in percent.", nil},
		"kubelet_imagemanager_inmemory_pulledrecords_usage_percent": {dto.MetricType_GAUGE, "[ALPHA] The ImagePulledRecords in-memory cache usage in percent.", nil},
		"imagepull_image_pulls_total": {dto.MetricType_COUNTER,
			"Number of image pulls let through the back-off, by result: success, image_pull_error, registry_unavailable, signature_validation_failed, qps_exceeded (refused by the registry QPS limit) or canceled.", []string{"result"}},
		"imagepull_image_pull_back_offs_total": {dto.MetricType_COUNTER,
			"Number of image pulls refused by the pull back-off (no runtime call).", nil},
		"imagepull_image_pulls_deduplicated_total": {dto.MetricType_COUNTER,
			"Number of image pulls answered by another caller's identical pull instead of a runtime pull of their own.", nil},
		"imagepull_offline_fallbacks_total": {dto.MetricType_COUNTER,
			"Number of containers started from a local image because the registry was unavailable.", nil},
		"imagepull_resolves_total": {dto.MetricType_COUNTER,
			"Number of image references resolved to a digest, by resolver and outcome.", []string{"outcome", "resolver"}},
		"imagepull_resolve_duration_seconds": {dto.MetricType_HISTOGRAM,
			"Duration in seconds to resolve an image reference to a digest, by resolver.", []string{"resolver"}},
	}
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(populated(t)))
	families, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]family{}
	for _, f := range families {
		var labels []string
		for _, l := range f.GetMetric()[0].GetLabel() {
			labels = append(labels, l.GetName())
		}
		got[f.GetName()] = family{f.GetType(), f.GetHelp(), labels}
	}
	assert.Equal(t, want, got)
	for _, name := range []string{metrics.EnsureImageRequests, metrics.ImagePullDuration, metrics.MustPullChecks,
		metrics.OnDiskPullIntents, metrics.OnDiskPulledRecords, metrics.InMemoryPullIntentsUsage, metrics.InMemoryPulledRecordsUsage,
		metrics.ImagePulls, metrics.ImagePullBackOffs, metrics.DeduplicatedPulls, metrics.OfflineFallbacks, metrics.Resolves, metrics.ResolveDuration} {
		assert.Contains(t, want, name, "the exported name constant %s", name)
	}
}

// TestLint lints the whole exposition with every metric present.
func TestLint(t *testing.T) {
	problems, err := testutil.CollectAndLint(populated(t))
	require.NoError(t, err)
	assert.Empty(t, problems)
}

// TestDeduplicatedPulls: two pods pull the same image at once with DeduplicatePulls; one
// runtime pull serves both, and the second counts as de-duplicated.
func TestDeduplicatedPulls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode()
		n.serve("registry.example/a:1", remote{id: "sha256:a"})
		release := make(chan struct{})
		var calls int
		var mu sync.Mutex
		puller := kubelet.PullerFunc(func(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			<-release
			return n.PullImage(ctx, req)
		})
		rec := metrics.New(nil)
		m := n.manager(t, rec, func(c *kubelet.Config) {
			c.Puller, c.DeduplicatePulls, c.SerializeImagePulls = puller, true, ptr(false)
		})
		var wg sync.WaitGroup
		for _, name := range []string{"a", "b"} {
			wg.Go(func() {
				_, err := m.EnsureImageExists(context.Background(), kubelet.Request{Pod: pod("ns", name), Image: "registry.example/a:1"})
				assert.NoError(t, err)
			})
		}
		synctest.Wait() // one pull runs, the other caller waits for it
		close(release)
		wg.Wait()
		assert.Equal(t, 1, calls)
		want := `# HELP imagepull_image_pulls_deduplicated_total Number of image pulls answered by another caller's identical pull instead of a runtime pull of their own.
# TYPE imagepull_image_pulls_deduplicated_total counter
imagepull_image_pulls_deduplicated_total 1
` + helpPulls + `imagepull_image_pulls_total{result="success"} 2
`
		assert.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(want), metrics.DeduplicatedPulls, metrics.ImagePulls))
	})
}
