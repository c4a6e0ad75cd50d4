package kubelet_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const privateImage = "registry.example/team/app:v1"

// privateRuntime returns a runtime whose registry serves privateImage to alice only.
func privateRuntime() *fakeRuntime {
	rt := newFakeRuntime()
	rt.serve(privateImage, remoteImage{id: "sha256:app", digest: dg("c"), size: 42, user: "alice", password: "pw"})
	return rt
}

// schedulingModes are the ways pulls can be scheduled: the kubelet's serialized queue, a
// parallel limit, no limit, and de-duplication.
func schedulingModes() map[string]kubelet.Config {
	return map[string]kubelet.Config{
		"serialized": {},
		"parallel":   {MaxParallelImagePulls: ptr[int32](2)},
		"unbounded":  {SerializeImagePulls: ptr(false)},
		"dedup":      {DeduplicatePulls: true},
	}
}

// TestEnsureImageCancelledPullIsRecorded: pod A (with the Secret) pulls a private image and
// gives up mid-pull, but the runtime completes the pull anyway. A must wait for the pull's
// outcome, as the kubelet always does, so that the image is recorded as pulled with A's
// Secret; pod B without the Secret is then refused, never handed a "preloaded" image.
func TestEnsureImageCancelledPullIsRecorded(t *testing.T) {
	for name, cfg := range schedulingModes() {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := privateRuntime()
				gate := make(chan struct{})
				// The runtime ignores the caller's cancellation, as a runtime that already
				// fetched the layers does.
				records := pullmanager.NewMemoryRecords()
				cfg.Store, cfg.Records = rt, records
				cfg.Puller = kubelet.PullerFunc(func(_ context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
					<-gate
					return rt.fetch(req)
				})
				m, err := kubelet.NewImageManager(cfg)
				require.NoError(t, err)
				secretA := dockerSecret("ns-a", "regcred", "uid-a", "registry.example", "alice", "pw")
				podA := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns-a", Name: "a", UID: "pod-a"}, Image: privateImage, PullSecrets: []credential.Secret{secretA}}
				podB := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns-b", Name: "b", UID: "pod-b"}, Image: privateImage}

				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() {
					_, err := m.EnsureImageExists(ctx, podA)
					done <- err
				}()
				synctest.Wait()
				cancel()
				synctest.Wait()
				close(gate) // the runtime completes the pull
				<-done
				synctest.Wait()
				_, present, err := rt.store.Lookup(t.Context(), reference.MustParse(privateImage))
				require.NoError(t, err)
				require.True(t, present, "the runtime pulled the image")

				res, err := m.EnsureImageExists(t.Context(), podB)
				require.ErrorIs(t, err, pullpolicy.ErrImagePull, "pod B without the Secret must not get the image: %+v", res)
				rec, ok, err := records.GetPulledRecord("sha256:app")
				require.NoError(t, err)
				require.True(t, ok, "the pull that completed is recorded")
				assert.Equal(t, []pullmanager.ImagePullSecret{{UID: "uid-a", Namespace: "ns-a", Name: "regcred", CredentialHash: alice(t, rt)[0].Hash}},
					rec.CredentialMapping["registry.example/team/app"].KubernetesSecrets)
			})
		})
	}
}

// TestEnsureImageEmptySecretCoordinatesNeverMatch: Secrets built from their data alone (no
// namespace, name or UID) are not "the same Secret, rotated" as one another: under
// AlwaysVerify, pod B with a wrong password must pull (and is refused), and its hash is not
// written into the record.
func TestEnsureImageEmptySecretCoordinatesNeverMatch(t *testing.T) {
	dataOnly := func(password string) credential.Secret {
		return dockerSecret("", "", "", "registry.example", "alice", password)
	}
	for _, policy := range []pullmanager.VerificationPolicy{pullmanager.AlwaysVerify, pullmanager.NeverVerifyPreloadedImages} {
		t.Run(string(policy), func(t *testing.T) {
			rt := privateRuntime()
			records := pullmanager.NewMemoryRecords()
			m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, VerificationPolicy: policy, Records: records})
			require.NoError(t, err)
			podA := kubelet.Request{Pod: kubelet.Pod{UID: "pod-a"}, Image: privateImage, PullSecrets: []credential.Secret{dataOnly("pw")}}
			podB := kubelet.Request{Pod: kubelet.Pod{UID: "pod-b"}, Image: privateImage, PullSecrets: []credential.Secret{dataOnly("wrong")}}
			podC := kubelet.Request{Pod: kubelet.Pod{UID: "pod-c"}, Image: privateImage, PullSecrets: []credential.Secret{dataOnly("pw")}}

			_, err = m.EnsureImageExists(t.Context(), podA)
			require.NoError(t, err)
			before, _, err := records.GetPulledRecord("sha256:app")
			require.NoError(t, err)

			res, err := m.EnsureImageExists(t.Context(), podB)
			require.ErrorIs(t, err, pullpolicy.ErrImagePull, "a wrong password is no rotation: %+v", res)
			after, _, err := records.GetPulledRecord("sha256:app")
			require.NoError(t, err)
			assert.True(t, before.Equal(after), "B's hash is not written: %+v", after)

			rt.takeCalls()
			res, err = m.EnsureImageExists(t.Context(), podC)
			require.NoError(t, err, "the same content still matches by hash")
			assert.Equal(t, []string{"GetImageRef"}, rt.takeCalls())
			assert.Contains(t, res.Message, "can be accessed by the pod")
		})
	}
}

// TestEnsureImageVerificationOffHandsUntrackedCredentials: with the feature gate off the
// kubelet's NewTrackedAuthConfig drops the source and the hash, so the Puller gets
// credentials with neither.
func TestEnsureImageVerificationOffHandsUntrackedCredentials(t *testing.T) {
	rt := privateRuntime()
	node := nodeKeyring(t, "registry.example", "alice")
	sa := saCredentials("alice", "pw")
	for name, cfg := range map[string]kubelet.Config{
		"secret":           {},
		"node keyring":     {Keyring: node},
		"service account":  {CredentialProvider: sa},
		"all three, dedup": {Keyring: node, CredentialProvider: sa, DeduplicatePulls: true},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Store, cfg.Puller, cfg.DisableCredentialVerification = rt, rt, true
			m, err := kubelet.NewImageManager(cfg)
			require.NoError(t, err)
			req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: "p", UID: "pod-" + name, ServiceAccount: "sa"}, Image: privateImage, Policy: pullpolicy.Always}
			if name != "node keyring" && name != "service account" {
				req.PullSecrets = []credential.Secret{dockerSecret("ns", "regcred", "uid", "registry.example", "alice", "pw")}
			}
			_, err = m.EnsureImageExists(t.Context(), req)
			require.NoError(t, err)
			creds := rt.lastRequest().Credentials
			require.NotEmpty(t, creds)
			for _, c := range creds {
				assert.Equal(t, credential.Source{}, c.Source, "no source")
				assert.Empty(t, c.Hash, "no hash")
				assert.Equal(t, "alice", c.Username, "the auth fields are kept")
			}
		})
	}
}

// TestEnsureImagePullerPanics: a panicking Puller fails that one call with the panic value in
// the message; the queue keeps serving the next pull, in every scheduling mode.
func TestEnsureImagePullerPanics(t *testing.T) {
	for name, cfg := range schedulingModes() {
		t.Run(name, func(t *testing.T) {
			rt := newRuntime()
			rt.pullTime = 0
			cfg.Store = rt
			cfg.Puller = kubelet.PullerFunc(func(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
				if strings.HasPrefix(req.Image, "missing_image") {
					panic("runtime exploded")
				}
				return rt.PullImage(ctx, req)
			})
			m, err := kubelet.NewImageManager(cfg)
			require.NoError(t, err)
			res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "a"}, Image: "missing_image"})
			require.ErrorIs(t, err, pullpolicy.ErrImagePull)
			assert.Contains(t, res.Message, "runtime exploded")
			assert.Contains(t, res.Events[len(res.Events)-1].Message, "runtime exploded")

			res, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "b"}, Image: "present_image", Policy: pullpolicy.Always})
			require.NoError(t, err, "the queue keeps serving")
			assert.Equal(t, presentImage.id, res.ImageRef)
		})
	}
}

// TestEnsureImageIsolationUnderCancellation: rounds of pods with the Secret (a third of them
// giving up mid-pull) racing pods without it, over a runtime that finishes every pull it
// started; in every scheduling mode, no pod without the Secret ever gets the private image,
// during the race or after it. IMAGEPULL_ISOLATION_ROUNDS raises the rounds (the reliability
// suite does).
func TestEnsureImageIsolationUnderCancellation(t *testing.T) {
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("IMAGEPULL_ISOLATION_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	modes := map[string]kubelet.Config{
		"serialized": {},
		"parallel":   {MaxParallelImagePulls: ptr[int32](4)},
		"dedup":      {SerializeImagePulls: ptr(false), DeduplicatePulls: true},
	}
	calls, refused := 0, 0
	for round := range rounds {
		for name, cfg := range modes {
			rt := privateRuntime()
			cfg.Store, cfg.RegistryPullQPS = rt, ptr[int32](0)
			cfg.Puller = kubelet.PullerFunc(func(_ context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
				time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond) // ignores cancellation
				return rt.fetch(req)
			})
			m, err := kubelet.NewImageManager(cfg)
			require.NoError(t, err)
			secret := dockerSecret("ns-a", "regcred", "uid-a", "registry.example", "alice", "pw")
			var wg sync.WaitGroup
			var mu sync.Mutex
			for i := range 60 {
				wg.Go(func() {
					req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: "p", UID: fmt.Sprint(round, name, i)}, Image: privateImage, Policy: pullpolicy.IfNotPresent}
					ctx := t.Context()
					if i%2 == 0 {
						req.PullSecrets = []credential.Secret{secret}
						if i%3 == 0 {
							c, cancel := context.WithTimeout(ctx, time.Duration(rand.IntN(1500))*time.Microsecond)
							defer cancel()
							ctx = c
						}
					}
					res, err := m.EnsureImageExists(ctx, req)
					mu.Lock()
					defer mu.Unlock()
					calls++
					if len(req.PullSecrets) == 0 {
						assert.Error(t, err, "%s round %d: a pod without the Secret got the image: %+v", name, round, res)
						refused++
					}
				})
			}
			wg.Wait()
			for i := range 10 { // after the race: the image is on the node
				res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: fmt.Sprint("late", round, name, i)}, Image: privateImage, Policy: pullpolicy.IfNotPresent})
				assert.Error(t, err, "%s round %d: a late pod without the Secret got the image: %+v", name, round, res)
				calls++
				refused++
			}
		}
	}
	t.Logf("%d rounds × %d modes: %d calls, %d calls without the Secret, all refused", rounds, len(modes), calls, refused)
}
