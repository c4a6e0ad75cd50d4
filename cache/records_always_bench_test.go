package cache_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
)

// BenchmarkEnsureImageAlwaysFileRecords is a pod with a Secret starting a container whose
// policy is Always, credential verification on, pull records in the kubelet's files (with and
// without the kubelet's LRU in front): each op is a full pull cycle (intent, the runtime's
// pull, record, intent removal) over a runtime that answers at once, so the figure is the
// image manager's own cost, file I/O included.
func BenchmarkEnsureImageAlwaysFileRecords(b *testing.B) {
	secret := credential.Secret{Namespace: "ns", Name: "regcred", UID: "uid-1", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"registry.example":{"username":"alice","password":"pw"}}}`)}}
	for _, cached := range []bool{false, true} {
		b.Run(map[bool]string{false: "files", true: "cached files"}[cached], func(b *testing.B) {
			files, err := cache.NewFileRecords(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			var records pullmanager.PullRecords = files
			if cached {
				records = cache.NewCachedRecords(files, nil)
			}
			puller := kubelet.PullerFunc(func(_ context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
				return kubelet.PullResult{ImageRef: "sha256:app", Credential: &req.Credentials[0], Size: 1}, nil
			})
			m, err := kubelet.NewImageManager(kubelet.Config{Store: cache.NewStore(), Puller: puller, Records: records,
				RegistryPullQPS: new(int32)})
			if err != nil {
				b.Fatal(err)
			}
			req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: "p", UID: "u"}, Image: "registry.example/team/app:v1",
				Policy: pullpolicy.Always, PullSecrets: []credential.Secret{secret}}
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if res, err := m.EnsureImageExists(ctx, req); err != nil || res.ImageRef != "sha256:app" {
					b.Fatalf("EnsureImageExists: %v, %+v", err, res)
				}
			}
		})
	}
}

// BenchmarkKubeletIntentCycleIO is the yardstick for BenchmarkEnsureImageAlwaysFileRecords:
// the file I/O the kubelet v1.36 does on its records for one Always pull with an unchanged
// record (intent written to "<name>.tmp" and renamed, without fsync; the pulled record read;
// the intent removed), and nothing else.
func BenchmarkKubeletIntentCycleIO(b *testing.B) {
	dir := b.TempDir()
	pulling, pulled := filepath.Join(dir, "pulling"), filepath.Join(dir, "pulled")
	for _, d := range []string{pulling, pulled} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			b.Fatal(err)
		}
	}
	intent := []byte(`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"registry.example/team/app:v1"}` + "\n")
	record := filepath.Join(pulled, "sha256-record")
	if err := os.WriteFile(record, []byte(`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2026-05-01T10:00:00Z","imageRef":"sha256:app","credentialMapping":{"registry.example/team/app":{"kubernetesSecrets":[{"uid":"uid-1","namespace":"ns","name":"regcred","credentialHash":"h"}]}}}`+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	target := filepath.Join(pulling, "sha256-intent")
	b.ReportAllocs()
	for b.Loop() {
		if err := os.WriteFile(target+".tmp", intent, 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(target+".tmp", target); err != nil {
			b.Fatal(err)
		}
		if _, err := os.ReadFile(record); err != nil {
			b.Fatal(err)
		}
		if err := os.Remove(target); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnsureImageVerifiedFileRecords is a present private image that a pod may use
// because its Secret is on the image's record, with the records in the kubelet's files and no
// cache in front: every op reads and decodes the record file.
func BenchmarkEnsureImageVerifiedFileRecords(b *testing.B) {
	secret := credential.Secret{Namespace: "ns", Name: "regcred", UID: "uid-1", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"registry.example":{"username":"alice","password":"pw"}}}`)}}
	ring, err := credential.FromSecrets([]credential.Secret{secret})
	if err != nil {
		b.Fatal(err)
	}
	files, err := cache.NewFileRecords(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if err := files.WritePulledRecord(pullmanager.PulledRecord{ImageRef: "sha256:app", CredentialMapping: map[string]pullmanager.ImagePullCredentials{
		"registry.example/team/app": {KubernetesSecrets: []pullmanager.ImagePullSecret{
			{UID: "uid-1", Namespace: "ns", Name: "regcred", CredentialHash: ring.Lookup("registry.example/team/app")[0].Hash}}}}}); err != nil {
		b.Fatal(err)
	}
	store := cache.NewStore()
	if err := store.Add(pullpolicy.LocalImage{ID: "sha256:app", RepoTags: []string{"registry.example/team/app:v1"}}); err != nil {
		b.Fatal(err)
	}
	puller := kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
		b.Fatal("the image is present and the pod's Secret is on record: no pull")
		return kubelet.PullResult{}, nil
	})
	m, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: puller, Records: files})
	if err != nil {
		b.Fatal(err)
	}
	req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", Name: "p", UID: "u"}, Image: "registry.example/team/app:v1",
		Policy: pullpolicy.IfNotPresent, PullSecrets: []credential.Secret{secret}}
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := m.EnsureImageExists(ctx, req); err != nil || res.ImageRef != "sha256:app" {
			b.Fatalf("EnsureImageExists: %v, %+v", err, res)
		}
	}
}
