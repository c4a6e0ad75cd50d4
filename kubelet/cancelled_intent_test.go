package kubelet_test

import (
	"context"
	"sync"
	"testing"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnsureImageCancelledPullHonouredKeepsIntent (issue 18, item 5): pod A with the Secret
// gives up mid-pull and the runtime honours the cancellation after storing the image, as
// cri.Client does through gRPC: it answers ctx's error with the image on the node. The
// intent must be kept, so that pod B without the Secret is refused instead of being handed a
// "preloaded" image; in every scheduling mode, over memory and file records. Pod A, back with
// a live context, then pulls and records the image as the kubelet would.
func TestEnsureImageCancelledPullHonouredKeepsIntent(t *testing.T) {
	stores := map[string]func(t *testing.T) pullmanager.PullRecords{
		"memory records": func(*testing.T) pullmanager.PullRecords { return pullmanager.NewMemoryRecords() },
		"file records": func(t *testing.T) pullmanager.PullRecords {
			r, err := cache.NewFileRecords(t.TempDir())
			require.NoError(t, err)
			return r
		},
	}
	for mode, cfg := range schedulingModes() {
		for kind, newRecords := range stores {
			t.Run(mode+"/"+kind, func(t *testing.T) {
				rt := privateRuntime()
				records := newRecords(t)
				started := make(chan struct{})
				var once sync.Once
				cfg.Store, cfg.Records = rt, records
				cfg.Puller = kubelet.PullerFunc(func(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
					first := false
					once.Do(func() { first = true })
					if !first {
						return rt.fetch(req)
					}
					close(started)
					<-ctx.Done()
					// The layers were fetched and the image stored; the runtime then honours
					// the cancellation.
					_, err := rt.fetch(req)
					require.NoError(t, err)
					return kubelet.PullResult{}, ctx.Err()
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
				<-started
				cancel()
				require.ErrorIs(t, <-done, context.Canceled)
				_, present, err := rt.store.Lookup(t.Context(), reference.MustParse(privateImage))
				require.NoError(t, err)
				require.True(t, present, "the runtime stored the image")
				kept, err := records.PullIntentExists(privateImage)
				require.NoError(t, err)
				assert.True(t, kept, "the intent of the cancelled pull is kept")

				res, err := m.EnsureImageExists(t.Context(), podB)
				require.ErrorIs(t, err, pullpolicy.ErrImagePull, "pod B without the Secret must not get the image: %+v", res)

				podA.Pod.UID = "pod-a2"
				_, err = m.EnsureImageExists(t.Context(), podA)
				require.NoError(t, err, "pod A with the Secret verifies and gets the image")
				rec, ok, err := records.GetPulledRecord("sha256:app")
				require.NoError(t, err)
				require.True(t, ok, "pod A's pull is recorded")
				assert.Len(t, rec.CredentialMapping["registry.example/team/app"].KubernetesSecrets, 1)
				podB.Pod.UID = "pod-b2"
				_, err = m.EnsureImageExists(t.Context(), podB)
				require.ErrorIs(t, err, pullpolicy.ErrImagePull, "pod B is still refused")
			})
		}
	}
}

// TestEnsureImageCancelledInQueueDropsIntent: a pull whose context ends while it waits for a
// slot never reaches the runtime, so its intent is removed as the kubelet removes it, and a
// preloaded image stays preloaded.
func TestEnsureImageCancelledInQueueDropsIntent(t *testing.T) {
	rt := privateRuntime()
	records := pullmanager.NewMemoryRecords()
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = m.EnsureImageExists(ctx, kubelet.Request{Pod: kubelet.Pod{UID: "a"}, Image: privateImage, Policy: pullpolicy.Always})
	require.Error(t, err)
	assert.NotContains(t, rt.takeCalls(), "PullImage", "the runtime was never asked to pull")
	kept, err := records.PullIntentExists(privateImage)
	require.NoError(t, err)
	assert.False(t, kept, "no pull ran: the intent is removed")
}
