package kubelet_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/require"
)

// BenchmarkEnsureImagePresent measures EnsureImageExists for an image that is present and that the
// pod may use (no pull): the kubelet's hot path on every container start.
func BenchmarkEnsureImagePresent(b *testing.B) {
	secret := dockerSecret("ns", "regcred", "uid-1", "registry.example", "alice", "pw")
	ring, err := credential.FromSecrets([]credential.Secret{secret})
	require.NoError(b, err)
	hash := ring.Lookup("registry.example/team/app")[0].Hash
	cases := []struct {
		name    string
		gateOff bool
		entry   *pullmanager.ImagePullCredentials // the image's record; nil: preloaded
		secrets []credential.Secret
	}{
		{name: "gate off", gateOff: true},
		{name: "preloaded"},
		{name: "open to all pods", entry: &pullmanager.ImagePullCredentials{NodePodsAccessible: true}},
		{name: "verified by secret", secrets: []credential.Secret{secret}, entry: &pullmanager.ImagePullCredentials{
			KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: "uid-1", Namespace: "ns", Name: "regcred", CredentialHash: hash}}}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			store := cache.NewStore()
			require.NoError(b, store.Add(pullpolicy.LocalImage{ID: "sha256:app", RepoTags: []string{"registry.example/team/app:v1"}}))
			records := pullmanager.NewMemoryRecords()
			if bc.entry != nil {
				require.NoError(b, records.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "sha256:app",
					CredentialMapping: map[string]pullmanager.ImagePullCredentials{"registry.example/team/app": *bc.entry}}))
			}
			puller := kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
				b.Fatal("the image is present: no pull")
				return kubelet.PullResult{}, nil
			})
			m, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: puller, Records: records, DisableCredentialVerification: bc.gateOff})
			require.NoError(b, err)
			req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: "p", UID: "u"}, Image: "registry.example/team/app:v1", PullSecrets: bc.secrets}
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				res, err := m.EnsureImageExists(ctx, req)
				if err != nil || res.ImageRef != "sha256:app" {
					b.Fatalf("EnsureImageExists: %v, %+v", err, res)
				}
			}
		})
	}
}

// BenchmarkEnsureImageConcurrentPods is 1,000 pods starting at once over 10 present private
// images, each pod with the Secret its image's record names (so every call verifies by hash):
// one op is the whole wave. Run with -cpu 1,2 to see it scale with cores: no lock is held
// across the credential work, and decisions share the per-image locks.
func BenchmarkEnsureImageConcurrentPods(b *testing.B) {
	const pods, images = 1000, 10
	store := cache.NewStore()
	records := pullmanager.NewMemoryRecords()
	reqs := make([]kubelet.Request, pods)
	for i := range images {
		image := fmt.Sprintf("registry.example/team/app-%d:v1", i)
		ref := fmt.Sprintf("sha256:app-%d", i)
		require.NoError(b, store.Add(pullpolicy.LocalImage{ID: ref, RepoTags: []string{image}}))
		secret := dockerSecret("ns", fmt.Sprint("regcred-", i), fmt.Sprint("uid-", i), "registry.example", "alice", fmt.Sprint("pw-", i))
		ring, err := credential.FromSecrets([]credential.Secret{secret})
		require.NoError(b, err)
		c := ring.Lookup("registry.example/team/app-" + fmt.Sprint(i))[0]
		require.NoError(b, records.WritePulledRecord(pullmanager.PulledRecord{ImageRef: ref,
			CredentialMapping: map[string]pullmanager.ImagePullCredentials{fmt.Sprint("registry.example/team/app-", i): {
				KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: c.Source.UID, Namespace: c.Source.Namespace, Name: c.Source.Name, CredentialHash: c.Hash}}}}}))
		for p := i; p < pods; p += images {
			reqs[p] = kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: fmt.Sprint("p", p), UID: fmt.Sprint("u", p)}, Image: image, PullSecrets: []credential.Secret{secret}}
		}
	}
	puller := kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
		return kubelet.PullResult{}, errors.New("the images are present: no pull")
	})
	m, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: puller, Records: records})
	require.NoError(b, err)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range reqs {
			wg.Go(func() {
				if res, err := m.EnsureImageExists(ctx, reqs[i]); err != nil || res.ImageRef == "" {
					b.Errorf("EnsureImageExists: %v, %+v", err, res)
				}
			})
		}
		wg.Wait()
	}
}
