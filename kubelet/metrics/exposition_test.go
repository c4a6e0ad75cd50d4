package metrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/metrics"
	"github.com/imagepull/imagepull/pullpolicy"
)

const (
	helpEnsure   = "# HELP kubelet_image_manager_ensure_image_requests_total [ALPHA] Number of ensure-image requests processed by the kubelet.\n# TYPE kubelet_image_manager_ensure_image_requests_total counter\n"
	helpMustPull = "# HELP kubelet_imagemanager_image_mustpull_checks_total [ALPHA] Counter for how many times kubelet checked whether credentials need to be re-verified to access an image\n# TYPE kubelet_imagemanager_image_mustpull_checks_total counter\n"
	helpPulls    = "# HELP imagepull_image_pulls_total Number of image pulls let through the back-off, by result: success, image_pull_error, registry_unavailable, signature_validation_failed, qps_exceeded (refused by the registry QPS limit) or canceled.\n# TYPE imagepull_image_pulls_total counter\n"
	helpBackOffs = "# HELP imagepull_image_pull_back_offs_total Number of image pulls refused by the pull back-off (no runtime call).\n# TYPE imagepull_image_pull_back_offs_total counter\n"
	helpFallback = "# HELP imagepull_offline_fallbacks_total Number of containers started from a local image because the registry was unavailable.\n# TYPE imagepull_offline_fallbacks_total counter\n"
)

// The metrics compared in the exposition tests (the pull duration histogram has its own).
var compared = []string{metrics.EnsureImageRequests, metrics.MustPullChecks, metrics.ImagePulls, metrics.ImagePullBackOffs, metrics.OfflineFallbacks}

// TestExposition runs known sequences of container starts through a real image manager and
// compares the whole exposition of the counters with what the kubelet (and the project's
// counters) show after them.
func TestExposition(t *testing.T) {
	const (
		public  = "registry.example/library/web:1.0"
		private = "registry.example/team/app:v1"
	)
	secret := dockerSecret("team-a", "regcred", "s-1", "registry.example", "alice", "pw")
	type start struct {
		pod     kubelet.Pod
		image   string
		policy  pullpolicy.Policy
		secrets []credential.Secret
		wantErr error // nil: the image is started
	}
	tests := []struct {
		name    string
		tweak   func(*kubelet.Config)
		setup   func(n *node)
		starts  []start
		exposed string
	}{{
		name:   "present (preloaded), credential verification on",
		setup:  func(n *node) { n.preload(t, public, remote{id: "sha256:web"}) },
		starts: []start{{pod: pod("ns", "a"), image: public}},
		exposed: helpEnsure + `kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="false"} 1
` + helpMustPull + `kubelet_imagemanager_image_mustpull_checks_total{result="credentialPolicyAllowed"} 1
`,
	}, {
		name:   "present, credential verification off: no check",
		tweak:  func(c *kubelet.Config) { c.DisableCredentialVerification = true },
		setup:  func(n *node) { n.preload(t, public, remote{id: "sha256:web"}) },
		starts: []start{{pod: pod("ns", "a"), image: public}, {pod: pod("ns", "b"), image: public, policy: pullpolicy.Never}},
		exposed: helpEnsure + `kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="false"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="never",pull_required="false"} 1
`,
	}, {
		name:   "absent and pulled, then present and open to every pod",
		setup:  func(n *node) { n.serve(public, remote{id: "sha256:web", size: 15 << 20}) },
		starts: []start{{pod: pod("ns", "a"), image: public}, {pod: pod("ns", "b"), image: public}},
		exposed: helpEnsure + `kubelet_image_manager_ensure_image_requests_total{present_locally="false",pull_policy="ifnotpresent",pull_required="true"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="false"} 1
` + helpMustPull + `kubelet_imagemanager_image_mustpull_checks_total{result="credentialRecordFound"} 1
` + helpPulls + `imagepull_image_pulls_total{result="success"} 1
`,
	}, {
		name:  "a failed pull, then the back-off",
		setup: func(n *node) {},
		starts: []start{
			{pod: pod("ns", "a"), image: public, wantErr: pullpolicy.ErrImagePull},
			{pod: pod("ns", "a"), image: public, wantErr: pullpolicy.ErrImagePullBackOff},
		},
		exposed: helpEnsure + `kubelet_image_manager_ensure_image_requests_total{present_locally="false",pull_policy="ifnotpresent",pull_required="true"} 2
` + helpPulls + `imagepull_image_pulls_total{result="image_pull_error"} 1
` + helpBackOffs + `imagepull_image_pull_back_offs_total 1
`,
	}, {
		name:  "a refused verification: the image is private to team-a's Secret",
		setup: func(n *node) { n.serve(private, remote{id: "sha256:app", user: "alice", password: "pw"}) },
		starts: []start{
			{pod: pod("team-a", "app"), image: private, secrets: []credential.Secret{secret}},
			{pod: pod("team-b", "app"), image: private, policy: pullpolicy.Never, wantErr: pullpolicy.ErrImageNeverPull},
			{pod: pod("team-b", "app"), image: private, wantErr: pullpolicy.ErrImagePull},
			{pod: pod("team-a", "app"), image: private, secrets: []credential.Secret{secret}},
		},
		exposed: helpEnsure + `kubelet_image_manager_ensure_image_requests_total{present_locally="false",pull_policy="ifnotpresent",pull_required="true"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="false"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="true"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="never",pull_required="true"} 1
` + helpMustPull + `kubelet_imagemanager_image_mustpull_checks_total{result="credentialRecordFound"} 1
kubelet_imagemanager_image_mustpull_checks_total{result="mustAuthenticate"} 2
` + helpPulls + `imagepull_image_pulls_total{result="image_pull_error"} 1
imagepull_image_pulls_total{result="success"} 1
`,
	}, {
		name:   "a QPS refusal: a burst of 0 refuses every pull",
		tweak:  func(c *kubelet.Config) { c.RegistryBurst = ptr[int32](0) },
		setup:  func(n *node) { n.serve(public, remote{id: "sha256:web"}) },
		starts: []start{{pod: pod("ns", "a"), image: public, wantErr: pullpolicy.ErrImagePull}},
		exposed: helpEnsure + `kubelet_image_manager_ensure_image_requests_total{present_locally="false",pull_policy="ifnotpresent",pull_required="true"} 1
` + helpPulls + `imagepull_image_pulls_total{result="qps_exceeded"} 1
`,
	}, {
		name:  "Always, Never absent, an invalid name, an invalid policy",
		setup: func(n *node) { n.serve(public, remote{id: "sha256:web"}) },
		starts: []start{
			{pod: pod("ns", "a"), image: public, policy: pullpolicy.Always},
			{pod: pod("ns", "a"), image: "registry.example/other:1", policy: pullpolicy.Never, wantErr: pullpolicy.ErrImageNeverPull},
			{pod: pod("ns", "a"), image: "Bad//Name", wantErr: pullpolicy.ErrInvalidImageName},
			{pod: pod("ns", "a"), image: public, policy: "Sometimes", wantErr: pullpolicy.ErrInvalidPolicy},
		},
		exposed: helpEnsure + `kubelet_image_manager_ensure_image_requests_total{present_locally="false",pull_policy="never",pull_required="unknown"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="unknown",pull_policy="always",pull_required="true"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="unknown",pull_policy="ifnotpresent",pull_required="unknown"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="unknown",pull_policy="invalid",pull_required="unknown"} 1
` + helpPulls + `imagepull_image_pulls_total{result="success"} 1
`,
	}, {
		name:  "an offline fallback: the registry is down, the preloaded image runs",
		tweak: func(c *kubelet.Config) { c.OfflineFallback = true },
		setup: func(n *node) {
			n.preload(t, public, remote{id: "sha256:web"})
			n.pullErr = pullpolicy.ErrRegistryUnavailable
		},
		starts: []start{{pod: pod("ns", "a"), image: public, policy: pullpolicy.Always}},
		exposed: helpEnsure + `kubelet_image_manager_ensure_image_requests_total{present_locally="unknown",pull_policy="always",pull_required="true"} 1
` + helpMustPull + `kubelet_imagemanager_image_mustpull_checks_total{result="credentialPolicyAllowed"} 1
` + helpPulls + `imagepull_image_pulls_total{result="registry_unavailable"} 1
` + helpFallback + `imagepull_offline_fallbacks_total 1
`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode()
			tc.setup(n)
			rec := metrics.New(nil)
			m := n.manager(t, rec, tc.tweak)
			for _, s := range tc.starts {
				_, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: s.pod, Image: s.image, Policy: s.policy, PullSecrets: s.secrets})
				if s.wantErr == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, s.wantErr)
				}
				n.advance(time.Second)
			}
			require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(withZeros(tc.exposed)), compared...))
			problems, err := testutil.CollectAndLint(rec)
			require.NoError(t, err)
			assert.Empty(t, problems)
		})
	}
}

// withZeros adds to want the unlabelled counters it does not show, at 0: they are exposed
// from the start.
func withZeros(want string) string {
	for _, c := range []struct{ help, name string }{{helpBackOffs, metrics.ImagePullBackOffs}, {helpFallback, metrics.OfflineFallbacks}} {
		if !strings.Contains(want, c.help) {
			want += c.help + c.name + " 0\n"
		}
	}
	return want
}

// TestPullDurationExposition checks the kubelet's histogram after two pulls: its buckets,
// the image-size label, and that the duration includes the wait (here the whole pull).
func TestPullDurationExposition(t *testing.T) {
	n := newNode()
	n.pullTime = 12 * time.Second
	n.serve("registry.example/a:1", remote{id: "sha256:a", size: 15 << 20})
	n.serve("registry.example/b:1", remote{id: "sha256:b"}) // the runtime reports no size
	rec := metrics.New(nil)
	m := n.manager(t, rec, nil)
	for _, image := range []string{"registry.example/a:1", "registry.example/b:1"} {
		_, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: pod("ns", "p"), Image: image})
		require.NoError(t, err)
	}
	const want = `# HELP kubelet_image_pull_duration_seconds [ALPHA] Duration in seconds to pull an image.
# TYPE kubelet_image_pull_duration_seconds histogram
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="1"} 0
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="5"} 0
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="10"} 0
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="20"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="30"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="60"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="120"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="180"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="240"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="300"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="360"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="480"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="600"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="900"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="1200"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="1800"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="2700"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="3600"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="+Inf"} 1
kubelet_image_pull_duration_seconds_sum{image_size_in_bytes="10MB-100MB"} 12
kubelet_image_pull_duration_seconds_count{image_size_in_bytes="10MB-100MB"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="1"} 0
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="5"} 0
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="10"} 0
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="20"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="30"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="60"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="120"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="180"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="240"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="300"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="360"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="480"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="600"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="900"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="1200"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="1800"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="2700"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="3600"} 1
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="N/A",le="+Inf"} 1
kubelet_image_pull_duration_seconds_sum{image_size_in_bytes="N/A"} 12
kubelet_image_pull_duration_seconds_count{image_size_in_bytes="N/A"} 1
`
	require.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(want), metrics.ImagePullDuration))
}

// TestImageSizeBuckets follows the kubelet's bucketing, boundaries included (its own test
// data points: 0, 5 MiB, 15 MiB, 500 MiB, 15 GiB, 200 GiB).
func TestImageSizeBuckets(t *testing.T) {
	const mib, gib = int64(1) << 20, int64(1) << 30
	tests := []struct {
		size int64
		want string
	}{
		{0, "N/A"}, {-1, "N/A"}, {1, "0-10MB"}, {5 * mib, "0-10MB"}, {10 * mib, "0-10MB"},
		{10*mib + 1, "10MB-100MB"}, {15 * mib, "10MB-100MB"}, {500 * mib, "100MB-500MB"},
		{500*mib + 1, "500MB-1GB"}, {2 * gib, "1GB-5GB"}, {6 * gib, "5GB-10GB"}, {15 * gib, "10GB-20GB"},
		{25 * gib, "20GB-30GB"}, {35 * gib, "30GB-40GB"}, {50 * gib, "40GB-60GB"}, {80 * gib, "60GB-100GB"},
		{100 * gib, "60GB-100GB"}, {200 * gib, "GT100GB"},
	}
	for _, tc := range tests {
		rec := metrics.New(nil)
		rec.ObservePull(context.Background(), kubelet.PullObservation{Outcome: kubelet.PullSucceeded, Size: tc.size, Duration: time.Second})
		want := `# HELP kubelet_image_pull_duration_seconds [ALPHA] Duration in seconds to pull an image.
# TYPE kubelet_image_pull_duration_seconds histogram
`
		for _, le := range []string{"1", "5", "10", "20", "30", "60", "120", "180", "240", "300", "360", "480", "600", "900", "1200", "1800", "2700", "3600", "+Inf"} {
			want += `kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="` + tc.want + `",le="` + le + `"} 1` + "\n"
		}
		want += `kubelet_image_pull_duration_seconds_sum{image_size_in_bytes="` + tc.want + `"} 1` + "\n" +
			`kubelet_image_pull_duration_seconds_count{image_size_in_bytes="` + tc.want + `"} 1` + "\n"
		assert.NoError(t, testutil.CollectAndCompare(rec, strings.NewReader(want), metrics.ImagePullDuration), "size %d", tc.size)
	}
}
