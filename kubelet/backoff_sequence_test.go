package kubelet_test

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// step is one EnsureImageExists call of a sequence and what it must give.
type step struct {
	calls  []string // runtime calls
	reason error    // the error's sentinel; nil for success
	msg    string   // the returned message, when checked
}

// runSequence makes one EnsureImageExists call per step, 1 s of (fake) time apart, as the kubelet's
// tests step their fake clock, with back-off 1 s → 1 min.
func runSequence(t *testing.T, rt *fakeRuntime, cfg kubelet.Config, req kubelet.Request, steps []step) {
	t.Helper()
	cfg.Store, cfg.Puller = rt, rt
	cfg.BackOffInitial, cfg.BackOffMax = time.Second, time.Minute
	rt.pullTime = 0 // the kubelet's fake runtime pulls instantly
	m, err := kubelet.NewImageManager(cfg)
	require.NoError(t, err)
	for i, s := range steps {
		time.Sleep(time.Second)
		res, err := m.EnsureImageExists(t.Context(), req)
		assert.Equal(t, s.calls, rt.takeCalls(), "call %d: runtime calls", i+1)
		if s.reason == nil {
			assert.NoError(t, err, "call %d", i+1)
		} else {
			assert.ErrorIs(t, err, s.reason, "call %d", i+1)
		}
		if s.msg != "" {
			assert.Equal(t, s.msg, res.Message, "call %d: message", i+1)
		}
	}
}

// TestEnsureImageBackOffSequences replays the kubelet's image manager test sequences (E6, E8,
// E12, B10): pull, pull, back-off, pull, back-off, back-off; with the gate off and on.
func TestEnsureImageBackOffSequences(t *testing.T) {
	pod := kubelet.Pod{Namespace: "test-ns", Name: "foo", UID: "bar"}
	pulls := []string{"GetImageRef", "PullImage"}
	inspect := []string{"GetImageRef"}
	sig := "image pull failed for typo_image because the signature validation failed"
	tests := []struct {
		name   string
		image  string
		policy pullpolicy.Policy
		setup  func(*fakeRuntime, *kubelet.Config)
		steps  []step
	}{{
		name: "E6 B10 pull error (image missing, unable to fetch)", image: "typo_image", policy: pullpolicy.IfNotPresent,
		setup: func(rt *fakeRuntime, _ *kubelet.Config) { rt.pullErr = errors.New("404") },
		steps: []step{
			{pulls, pullpolicy.ErrImagePull, "404"},
			{pulls, pullpolicy.ErrImagePull, "404"},
			{inspect, pullpolicy.ErrImagePullBackOff, `Back-off pulling image "typo_image": ErrImagePull: 404`},
			{pulls, pullpolicy.ErrImagePull, "404"},
			{inspect, pullpolicy.ErrImagePullBackOff, `Back-off pulling image "typo_image": ErrImagePull: 404`},
			{inspect, pullpolicy.ErrImagePullBackOff, `Back-off pulling image "typo_image": ErrImagePull: 404`},
		},
	}, {
		name: "E12 signature validation (image missing, SignatureValidationFailed)", image: "typo_image", policy: pullpolicy.IfNotPresent,
		setup: func(rt *fakeRuntime, _ *kubelet.Config) { rt.pullErr = pullpolicy.ErrSignatureValidationFailed },
		steps: []step{
			{pulls, pullpolicy.ErrSignatureValidationFailed, sig},
			{pulls, pullpolicy.ErrSignatureValidationFailed, sig},
			{inspect, pullpolicy.ErrImagePullBackOff, `Back-off pulling image "typo_image": SignatureValidationFailed: ` + sig},
			{pulls, pullpolicy.ErrSignatureValidationFailed, sig},
			{inspect, pullpolicy.ErrImagePullBackOff, `Back-off pulling image "typo_image": SignatureValidationFailed: ` + sig},
		},
	}, {
		name: "E8 QPS exceeded (image present and excessive qps rate, pull)", image: "present_image", policy: pullpolicy.Always,
		setup: func(_ *fakeRuntime, cfg *kubelet.Config) {
			cfg.RegistryPullQPS, cfg.RegistryBurst = ptr[int32](2000), ptr[int32](0)
		},
		steps: []step{
			{nil, pullpolicy.ErrImagePull, "pull QPS exceeded"},
			{nil, pullpolicy.ErrImagePull, "pull QPS exceeded"},
			{nil, pullpolicy.ErrImagePullBackOff, `Back-off pulling image "present_image": ErrImagePull: pull QPS exceeded`},
		},
	}, {
		name: "E7 QPS allows (image present and qps>0, pull)", image: "present_image", policy: pullpolicy.Always,
		setup: func(_ *fakeRuntime, cfg *kubelet.Config) {
			cfg.RegistryPullQPS, cfg.RegistryBurst = ptr[int32](400), ptr[int32](600)
		},
		steps: []step{{[]string{"PullImage"}, nil, ""}, {[]string{"PullImage"}, nil, ""}, {[]string{"PullImage"}, nil, ""}},
	}, {
		name: "B9 present image ignores the back-off", image: "present_image:latest", policy: pullpolicy.IfNotPresent,
		setup: func(rt *fakeRuntime, _ *kubelet.Config) { rt.pullErr = errors.New("404") },
		steps: []step{{inspect, nil, ""}, {inspect, nil, ""}},
	}}
	for _, gate := range []bool{false, true} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("gate=%v/%s", gate, tc.name), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					rt := newRuntime()
					cfg := kubelet.Config{DisableCredentialVerification: !gate}
					if tc.setup != nil {
						tc.setup(rt, &cfg)
					}
					runSequence(t, rt, cfg, kubelet.Request{Pod: pod, Image: tc.image, Policy: tc.policy}, tc.steps)
				})
			})
		}
	}
}

// TestEnsureImageBackOffEvents checks B11: the BackOff event is Normal and never carries the
// previous error; the returned message does.
func TestEnsureImageBackOffEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		rt.pullErr = errors.New("boom")
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt})
		require.NoError(t, err)
		req := kubelet.Request{Pod: kubelet.Pod{UID: "u1"}, Image: "nginx:1.25"}
		_, err = m.EnsureImageExists(t.Context(), req)
		require.ErrorIs(t, err, pullpolicy.ErrImagePull)
		time.Sleep(9999 * time.Millisecond) // B4: 1 ms before the 10 s delay ends
		res, err := m.EnsureImageExists(t.Context(), req)
		require.ErrorIs(t, err, pullpolicy.ErrImagePullBackOff)
		assert.Equal(t, `ImagePullBackOff: Back-off pulling image "nginx:1.25": ErrImagePull: boom`, err.Error())
		assert.Equal(t, []kubelet.Event{normal("BackOff", `Back-off pulling image "nginx:1.25"`)}, res.Events)
		assert.Equal(t, `Back-off pulling image "nginx:1.25": ErrImagePull: boom`, res.Message)
		var ee *kubelet.EnsureError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, res.Message, ee.Message)
	})
}

// TestEnsureImageBackOffKeys checks B1, B2 and B8: the key is the pod UID and the image string
// as written, so "nginx" and "nginx:latest" back off separately and a new pod starts afresh.
func TestEnsureImageBackOffKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		rt.pullErr = errors.New("boom")
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt})
		require.NoError(t, err)
		ensure := func(uid, image string) error {
			_, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: uid}, Image: image, Policy: pullpolicy.Always})
			return err
		}
		require.ErrorIs(t, ensure("u1", "nginx"), pullpolicy.ErrImagePull)
		assert.ErrorIs(t, ensure("u1", "nginx"), pullpolicy.ErrImagePullBackOff, "same key")
		assert.ErrorIs(t, ensure("u1", "nginx:latest"), pullpolicy.ErrImagePull, "another image string")
		assert.ErrorIs(t, ensure("u2", "nginx"), pullpolicy.ErrImagePull, "another pod (new UID)")
	})
}

// TestEnsureImageBackOffDelays checks B3, B5, B6 and B7 through the image manager: the delays
// double from 10 s to 300 s, an attempt exactly at the end of the delay pulls, an entry idle
// for more than 600 s starts again at 10 s, and a success does not reset the delay.
func TestEnsureImageBackOffDelays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, RegistryPullQPS: ptr[int32](0)})
		require.NoError(t, err)
		req := kubelet.Request{Pod: kubelet.Pod{UID: "u1"}, Image: "missing_image:latest", Policy: pullpolicy.Always}
		fail := func() {
			rt.mu.Lock()
			rt.pullErr = errors.New("boom")
			rt.mu.Unlock()
		}
		succeed := func() {
			rt.mu.Lock()
			rt.pullErr = nil
			rt.mu.Unlock()
		}
		// delayOf measures the current delay: the shortest wait after which a pull is tried.
		expectDelay := func(d time.Duration) {
			t.Helper()
			time.Sleep(d - time.Millisecond)
			_, err := m.EnsureImageExists(t.Context(), req)
			require.ErrorIs(t, err, pullpolicy.ErrImagePullBackOff, "1 ms before %v", d)
			time.Sleep(time.Millisecond)
			_, err = m.EnsureImageExists(t.Context(), req)
			require.NotErrorIs(t, err, pullpolicy.ErrImagePullBackOff, "at %v", d)
		}
		fail()
		_, err = m.EnsureImageExists(t.Context(), req)
		require.ErrorIs(t, err, pullpolicy.ErrImagePull)
		for _, d := range []time.Duration{10, 20, 40, 80, 160, 300, 300} {
			expectDelay(d * time.Second) // each attempt fails again and doubles the delay
		}
		time.Sleep(601 * time.Second) // B6: idle more than 2×max: the entry expired
		_, err = m.EnsureImageExists(t.Context(), req)
		require.ErrorIs(t, err, pullpolicy.ErrImagePull)
		expectDelay(10 * time.Second)
		expectDelay(20 * time.Second)
		// B7: a success does not reset the delay (40 s now); a failure 100 s later doubles it.
		succeed()
		time.Sleep(40 * time.Second)
		_, err = m.EnsureImageExists(t.Context(), req)
		require.NoError(t, err)
		time.Sleep(100 * time.Second)
		fail()
		_, err = m.EnsureImageExists(t.Context(), req)
		require.ErrorIs(t, err, pullpolicy.ErrImagePull)
		expectDelay(80 * time.Second)
	})
}
