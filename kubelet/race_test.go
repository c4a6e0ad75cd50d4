package kubelet_test

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnsureImageConcurrent runs 1,000 concurrent EnsureImageExists calls (100 pods, public,
// private, missing and broken images, all policies) under each pull mode, and checks every
// answer: the right image, or a failure of an allowed kind; never a private image for a pod
// without its Secret. Run it with -race. synctest fails the test if a goroutine (such as the
// serialized pull worker) outlives the calls.
func TestEnsureImageConcurrent(t *testing.T) {
	private := remoteImage{id: "sha256:private", digest: dg("c"), size: 1, user: "alice", password: "pw"}
	modes := map[string]kubelet.Config{
		"serialized, kubelet defaults":    {},
		"parallel 4, no QPS limit":        {MaxParallelImagePulls: ptr[int32](4), RegistryPullQPS: ptr[int32](0)},
		"parallel, de-duplicated":         {SerializeImagePulls: ptr(false), DeduplicatePulls: true, RegistryPullQPS: ptr[int32](0)},
		"gate off, resolver, fallback":    {DisableCredentialVerification: true, OfflineFallback: true, SerializeImagePulls: ptr(false)},
		"parallel 8, resolver, dedup":     {MaxParallelImagePulls: ptr[int32](8), DeduplicatePulls: true, RegistryPullQPS: ptr[int32](0)},
		"serialized, AlwaysVerify, dedup": {VerificationPolicy: pullmanager.AlwaysVerify, DeduplicatePulls: true},
	}
	type job struct {
		image   string
		policy  pullpolicy.Policy
		secrets []credential.Secret
		want    string  // the image ref on success
		fail    bool    // the call must fail
		allowed []error // the reasons a failure may have
	}
	throttled := []error{pullpolicy.ErrImagePull, pullpolicy.ErrImagePullBackOff} // QPS limit and its back-off
	jobFor := func(i int, gateOff bool) job {
		secret := dockerSecret("ns", "regcred", "uid", "registry.example", "alice", "pw")
		switch i % 6 {
		case 0:
			return job{image: "present_image:latest", policy: pullpolicy.IfNotPresent, want: presentImage.id}
		case 1:
			return job{image: "missing_image", policy: pullpolicy.IfNotPresent, want: missingImage.id, allowed: throttled}
		case 2:
			return job{image: "present_image", policy: pullpolicy.Always, want: presentImage.id, allowed: throttled}
		case 3:
			return job{image: "typo_image:v1", policy: pullpolicy.IfNotPresent, fail: true, allowed: throttled}
		case 4:
			return job{image: "registry.example/app:v1", secrets: []credential.Secret{secret}, want: private.id, allowed: throttled}
		default:
			// No Secret: never the private image, unless verification is off and it is present.
			return job{image: "registry.example/app:v1", want: private.id, fail: !gateOff, allowed: throttled}
		}
	}
	for name, cfg := range modes {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				rt.serve("registry.example/app:v1", private)
				cfg.Store, cfg.Puller = rt, rt
				if name == "gate off, resolver, fallback" || name == "parallel 8, resolver, dedup" {
					cfg.Resolver = rt
				}
				m, err := kubelet.NewImageManager(cfg)
				require.NoError(t, err)
				const calls = 1000
				type answer struct {
					res kubelet.Result
					err error
				}
				// Two waves: in the first every image is checked before anything is pulled; in
				// the second (after the back-off expired) the pulled images are present.
				succeeded := 0
				for range 2 {
					answers := make([]answer, calls)
					done := make(chan struct{})
					for i := range calls {
						go func() {
							j := jobFor(i, cfg.DisableCredentialVerification)
							req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: fmt.Sprint("pod-", i%100), UID: fmt.Sprint("uid-", i%100)},
								Image: j.image, Policy: j.policy, PullSecrets: j.secrets}
							res, err := m.EnsureImageExists(t.Context(), req)
							answers[i] = answer{res, err}
							done <- struct{}{}
						}()
					}
					for range calls {
						<-done
					}
					for i, a := range answers {
						j := jobFor(i, cfg.DisableCredentialVerification)
						if a.err == nil {
							require.False(t, j.fail, "call %d (%s) must not succeed: %+v", i, j.image, a.res)
							assert.Equal(t, j.want, a.res.ImageRef, "call %d", i)
							succeeded++
							continue
						}
						var ee *kubelet.EnsureError
						require.ErrorAs(t, a.err, &ee, "call %d", i)
						require.NotNil(t, ee.Reason, "call %d: %v", i, a.err)
						assert.True(t, slicesContainsErr(j.allowed, ee.Reason), "call %d (%s): unexpected %v: %s", i, j.image, a.err, ee.Message)
						assert.Equal(t, ee.Reason.Error(), ee.WaitingReason())
						assert.Equal(t, ee.Reason.Error()+": "+ee.Message, a.err.Error())
						assert.Equal(t, ee.Message, a.res.Message)
						assert.NotEmpty(t, a.res.Events)
					}
					time.Sleep(15 * time.Minute)
				}
				assert.GreaterOrEqual(t, succeeded, calls/6, "at least every present IfNotPresent call succeeds")
			})
		})
	}
}

func slicesContainsErr(errs []error, err error) bool {
	for _, e := range errs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
