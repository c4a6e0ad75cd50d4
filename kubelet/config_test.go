package kubelet_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNewManagerValidation checks the kubelet's configuration-validation texts (cases K4, K5)
// and the image manager's own checks.
func TestNewManagerValidation(t *testing.T) {
	rt := newFakeRuntime()
	tests := []struct {
		name    string
		cfg     kubelet.Config
		noStore bool
		err     string
		is      error
	}{{
		name: "K4 maxParallelImagePulls 0",
		cfg:  kubelet.Config{MaxParallelImagePulls: ptr[int32](0)},
		err:  "invalid configuration: maxParallelImagePulls 0 must be a positive number",
	}, {
		name: "K5 serialized with a parallel limit",
		cfg:  kubelet.Config{SerializeImagePulls: ptr(true), MaxParallelImagePulls: ptr[int32](3)},
		err:  "invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false",
	}, {
		name: "negative QPS",
		cfg:  kubelet.Config{RegistryPullQPS: ptr[int32](-1)},
		err:  "invalid configuration: registryPullQPS (--registry-qps) -1 must not be a negative number",
	}, {
		name: "negative burst",
		cfg:  kubelet.Config{RegistryBurst: ptr[int32](-1)},
		err:  "invalid configuration: registryBurst (--registry-burst) -1 must not be a negative number",
	}, {
		name: "several problems are aggregated as the kubelet does",
		cfg:  kubelet.Config{RegistryBurst: ptr[int32](-1), MaxParallelImagePulls: ptr[int32](-2)},
		err:  "[invalid configuration: registryBurst (--registry-burst) -1 must not be a negative number, invalid configuration: maxParallelImagePulls -2 must be a positive number]",
	}, {
		name: "back-off initial above max",
		cfg:  kubelet.Config{BackOffInitial: 400e9},
		err:  "kubelet: invalid back-off: initial 6m40s, max 5m0s",
	}, {
		name: "unknown verification policy",
		cfg:  kubelet.Config{VerificationPolicy: "Foo"},
		err:  "unknown image pull credential verification policy: Foo",
		is:   pullmanager.ErrInvalidVerificationPolicy,
	}, {
		name: "invalid allowlist",
		cfg:  kubelet.Config{VerificationPolicy: pullmanager.NeverVerifyAllowlistedImages, Allowlist: []string{"nginx:1.25"}},
		is:   pullmanager.ErrInvalidAllowlist,
	}, {
		name: "no store", noStore: true,
		err: "kubelet: Config.Store is nil",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Puller = rt
			if !tc.noStore {
				cfg.Store = rt
			}
			m, err := kubelet.NewImageManager(cfg)
			require.Error(t, err)
			assert.Nil(t, m)
			if tc.err != "" {
				assert.Equal(t, tc.err, err.Error())
			}
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
		})
	}
	_, err := kubelet.NewImageManager(kubelet.Config{})
	assert.EqualError(t, err, "[kubelet: Config.Store is nil, kubelet: Config.Puller is nil]")
}

// TestManagerPullConcurrency checks how many pulls run at once (K1–K3, K7, M3): serialized by
// default and with a limit of 1, bounded by maxParallelImagePulls otherwise, unbounded without
// a limit; the QPS limit off at 0.
func TestManagerPullConcurrency(t *testing.T) {
	tests := []struct {
		name    string
		cfg     kubelet.Config
		callers int
		running int // pulls in the runtime at once, while every pull is held
	}{
		{"K1 default: serialized", kubelet.Config{}, 3, 1},
		{"K2 limit 1: serialized", kubelet.Config{MaxParallelImagePulls: ptr[int32](1)}, 3, 1},
		{"K3 limit 3: parallel", kubelet.Config{MaxParallelImagePulls: ptr[int32](3)}, 5, 3},
		// M3 is the kubelet's TestMaxParallelImagePullsLimit, case "image present, pull "
		// (pkg/kubelet/images/image_manager_test.go:1127): 5 of 7 pulls run at once.
		{"M3 limit 5 of 7 (image present, pull )", kubelet.Config{SerializeImagePulls: ptr(false), MaxParallelImagePulls: ptr[int32](5)}, 7, 5},
		{"K7 no limit, QPS off", kubelet.Config{SerializeImagePulls: ptr(false), RegistryPullQPS: ptr[int32](0)}, 12, 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				rt.pullTime = 0
				rt.gate = make(chan struct{})
				cfg := tc.cfg
				cfg.Store, cfg.Puller = rt, rt
				m, err := kubelet.NewImageManager(cfg)
				require.NoError(t, err)
				errs := make(chan error, tc.callers)
				for i := range tc.callers {
					go func() {
						_, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: fmt.Sprint(i)}, Image: "missing_image", Policy: pullpolicy.Always})
						errs <- err
					}()
				}
				synctest.Wait()
				rt.mu.Lock()
				assert.Equal(t, tc.running, rt.inFlight, "pulls running at once")
				rt.mu.Unlock()
				for range tc.callers {
					rt.gate <- struct{}{}
				}
				for range tc.callers {
					require.NoError(t, <-errs)
				}
				assert.Len(t, rt.takeCalls(), tc.callers, "one runtime pull per caller: the kubelet does not de-duplicate")
				assert.Equal(t, tc.running, rt.maxSeen)
			})
		})
	}
}

// TestManagerQueueHonoursContext: a caller blocked behind a held pull (in the serialized
// queue or for a parallel slot) returns when its context ends, and the pull is never run.
func TestManagerQueueHonoursContext(t *testing.T) {
	for name, cfg := range map[string]kubelet.Config{
		"serialized": {},
		"parallel":   {MaxParallelImagePulls: ptr[int32](2)},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				rt.pullTime = 0
				rt.gate = make(chan struct{})
				cfg.Store, cfg.Puller = rt, rt
				m, err := kubelet.NewImageManager(cfg)
				require.NoError(t, err)
				holders := 1
				if cfg.MaxParallelImagePulls != nil {
					holders = int(*cfg.MaxParallelImagePulls)
				}
				done := make(chan error, holders)
				for i := range holders {
					go func() {
						_, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: fmt.Sprint("holder", i)}, Image: "missing_image"})
						done <- err
					}()
				}
				synctest.Wait()
				ctx, cancel := context.WithCancel(t.Context())
				waited := make(chan error, 1)
				go func() {
					_, err := m.EnsureImageExists(ctx, kubelet.Request{Pod: kubelet.Pod{UID: "waiter"}, Image: "missing_image"})
					waited <- err
				}()
				synctest.Wait()
				cancel()
				err = <-waited
				require.ErrorIs(t, err, context.Canceled)
				require.ErrorIs(t, err, pullpolicy.ErrImagePull)
				for range holders {
					rt.gate <- struct{}{}
				}
				for range holders {
					require.NoError(t, <-done)
				}
				assert.Len(t, rt.takeCalls(), holders, "the cancelled caller's pull never reached the runtime")
			})
		})
	}
}
