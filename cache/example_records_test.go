package cache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// Pull records kept on disk in the kubelet's format, used by a credential Verifier: a pull made
// with a Secret is remembered across restarts.
func ExampleNewFileRecords() {
	dir, _ := os.MkdirTemp("", "image_manager")
	defer os.RemoveAll(dir)

	records, err := cache.NewFileRecords(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	clock := func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
	v, _ := pullmanager.New(pullmanager.Config{Records: records, Now: clock})
	secret := pullmanager.ImagePullSecret{UID: "6f1c", Namespace: "default", Name: "regcred", CredentialHash: "9b1f"}
	_ = v.RecordPullIntent("registry.example.com/app:v1")
	v.RecordImagePulled("registry.example.com/app:v1", "sha256:0c7a",
		&pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{secret}})

	files, _ := filepath.Glob(filepath.Join(dir, "pulled", "*"))
	data, _ := os.ReadFile(files[0])
	fmt.Println(filepath.Base(files[0]))
	fmt.Print(string(data))

	// After a restart, the same Secret may use the image; a pod without it must pull.
	reopened, _ := cache.NewFileRecords(dir)
	v2, _ := pullmanager.New(pullmanager.Config{Records: reopened})
	for _, pod := range []pullmanager.PodCredentials{{Secrets: []pullmanager.ImagePullSecret{secret}}, {}} {
		must, _ := v2.MustAttemptImagePull(context.Background(), "registry.example.com/app:v1", "sha256:0c7a",
			func() (pullmanager.PodCredentials, error) { return pod, nil })
		fmt.Println("must pull:", must)
	}
	// Output:
	// sha256-247e9579e6238559a8097f29e2dbc96bcd493e526b10bb277c4670c74f10cfcc
	// {"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2025-01-02T03:04:05Z","imageRef":"sha256:0c7a","credentialMapping":{"registry.example.com/app":{"kubernetesSecrets":[{"uid":"6f1c","namespace":"default","name":"regcred","credentialHash":"9b1f"}]}}}
	// must pull: false
	// must pull: true
}
