package kubelet_test

import (
	"context"
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
