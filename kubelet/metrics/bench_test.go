package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/metrics"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// presentCase is a present image as a pod may use it, in the cases of the kubelet package's
// BenchmarkEnsureImagePresent.
type presentCase struct {
	name    string
	gateOff bool
	entry   *pullmanager.ImagePullCredentials // the image's record; nil: preloaded
	secrets []credential.Secret
}

func presentCases(b *testing.B) []presentCase {
	secret := dockerSecret("ns", "regcred", "uid-1", "registry.example", "alice", "pw")
	ring, err := credential.FromSecrets([]credential.Secret{secret})
	require.NoError(b, err)
	hash := ring.Lookup("registry.example/team/app")[0].Hash
	return []presentCase{
		{name: "gate off", gateOff: true},
		{name: "preloaded"},
		{name: "verified by secret", secrets: []credential.Secret{secret}, entry: &pullmanager.ImagePullCredentials{
			KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: "uid-1", Namespace: "ns", Name: "regcred", CredentialHash: hash}}}},
	}
}

// ensurePresent returns a call of EnsureImageExists for bc's present image, on a manager
// with the Prometheus Recorder (registered) or without metrics.
func ensurePresent(b *testing.B, bc presentCase, withMetrics bool) func() {
	store := cache.NewStore()
	require.NoError(b, store.Add(pullpolicy.LocalImage{ID: "sha256:app", RepoTags: []string{"registry.example/team/app:v1"}}))
	records := pullmanager.NewMemoryRecords()
	if bc.entry != nil {
		require.NoError(b, records.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "sha256:app",
			CredentialMapping: map[string]pullmanager.ImagePullCredentials{"registry.example/team/app": *bc.entry}}))
	}
	cfg := kubelet.Config{Store: store, Records: records, DisableCredentialVerification: bc.gateOff,
		Puller: kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
			b.Fatal("the image is present: no pull")
			return kubelet.PullResult{}, nil
		})}
	if withMetrics {
		rec := metrics.New(&metrics.Options{InMemory: records})
		prometheus.NewRegistry().MustRegister(rec)
		cfg.Metrics = rec
	}
	m, err := kubelet.NewImageManager(cfg)
	require.NoError(b, err)
	req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: "p", UID: "u"}, Image: "registry.example/team/app:v1", PullSecrets: bc.secrets}
	ctx := b.Context()
	return func() {
		res, err := m.EnsureImageExists(ctx, req)
		if err != nil || res.ImageRef != "sha256:app" {
			b.Fatalf("EnsureImageExists: %v, %+v", err, res)
		}
	}
}

// BenchmarkEnsureImagePresentMetrics measures EnsureImageExists on the present-image path (the
// kubelet's hot path on every container start) without metrics ("nop") and with the
// Prometheus Recorder ("prometheus").
func BenchmarkEnsureImagePresentMetrics(b *testing.B) {
	for _, bc := range presentCases(b) {
		for _, variant := range []string{"nop", "prometheus"} {
			b.Run(bc.name+"/"+variant, func(b *testing.B) {
				ensure := ensurePresent(b, bc, variant == "prometheus")
				b.ReportAllocs()
				for b.Loop() {
					ensure()
				}
			})
		}
	}
}

// BenchmarkEnsureImagePresentOverhead measures the Recorder's cost on a busy machine: the two
// managers run in alternating blocks of calls, each block timed, so that load changes hit
// both alike. It reports each one's ns per call and the overhead in percent.
func BenchmarkEnsureImagePresentOverhead(b *testing.B) {
	const block = 64
	for _, bc := range presentCases(b) {
		b.Run(bc.name, func(b *testing.B) {
			nop, prom := ensurePresent(b, bc, false), ensurePresent(b, bc, true)
			var tNop, tProm time.Duration
			var calls int
			for b.Loop() {
				start := time.Now()
				for range block {
					nop()
				}
				mid := time.Now()
				for range block {
					prom()
				}
				tNop, tProm = tNop+mid.Sub(start), tProm+time.Since(mid)
				calls += block
			}
			b.ReportMetric(float64(tNop.Nanoseconds())/float64(calls), "nop-ns/call")
			b.ReportMetric(float64(tProm.Nanoseconds())/float64(calls), "prometheus-ns/call")
			b.ReportMetric(100*(float64(tProm)/float64(tNop)-1), "overhead-%")
		})
	}
}

// BenchmarkRecorderPresentPath measures what the Recorder adds to one EnsureImageExists call
// that finds its image present with credential verification on: one ensure-request count and
// one must-pull check count.
func BenchmarkRecorderPresentPath(b *testing.B) {
	rec := metrics.New(nil)
	prometheus.NewRegistry().MustRegister(rec)
	ctx := b.Context()
	o := kubelet.EnsureObservation{Policy: pullpolicy.IfNotPresent, PresentLocally: kubelet.AnswerYes, PullRequired: kubelet.AnswerNo}
	b.ReportAllocs()
	for b.Loop() {
		rec.ObserveMustPullCheck(ctx, pullmanager.CheckCredentialPolicyAllowed)
		rec.ObserveEnsure(ctx, o)
	}
}
