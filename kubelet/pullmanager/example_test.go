package pullmanager_test

import (
	"context"
	"fmt"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// A private image pulled with one pod's Secret: another pod may use the local copy only if it
// presents the same credentials (or the same Secret object).
func ExampleManager() {
	v, err := pullmanager.New(pullmanager.Config{}) // NeverVerifyPreloadedImages, in memory
	if err != nil {
		fmt.Println(err)
		return
	}
	const image, imageRef = "registry.example.com/team/app:v1", "sha256:0c7a"
	secret := func(ns, name, password string) credential.Credential {
		c := credential.Credential{Username: "ci", Password: password,
			Source: credential.Source{Kind: credential.SourceSecret, Namespace: ns, Name: name, UID: ns + "/" + name}}
		c.Hash = credential.Hash(c)
		return c
	}

	// Pod A pulls the image with its Secret.
	used := secret("team-a", "regcred", "s3cret")
	if err := v.RecordPullIntent(image); err != nil {
		fmt.Println(err)
		return
	}
	v.RecordImagePulled(image, imageRef, pullmanager.CredentialsFor(&used))

	for _, pod := range []struct {
		name  string
		creds []credential.Credential
	}{
		{"pod with the same credentials", []credential.Credential{secret("team-b", "copy", "s3cret")}},
		{"pod with other credentials", []credential.Credential{secret("team-c", "regcred", "guess")}},
		{"pod without credentials", nil},
	} {
		mustPull, _ := v.MustAttemptImagePull(context.Background(), image, imageRef, func() (pullmanager.PodCredentials, error) {
			return pullmanager.PodCredentialsFrom(pod.creds), nil
		})
		fmt.Printf("%s: must pull = %v\n", pod.name, mustPull)
	}
	// Output:
	// pod with the same credentials: must pull = false
	// pod with other credentials: must pull = true
	// pod without credentials: must pull = true
}

// The allowlist is validated as the kubelet validates preloadedImagesVerificationAllowlist.
func ExampleValidateAllowlist() {
	fmt.Println(pullmanager.ValidateAllowlist([]string{"registry.k8s.io/*", "docker.io/library/nginx"}))
	fmt.Println(pullmanager.ValidateAllowlist([]string{"nginx", "library/busybox"})) // taken as written
	fmt.Println(pullmanager.ValidateAllowlist([]string{"nginx:1.25"}))
	fmt.Println(pullmanager.ValidateAllowlist([]string{"registry.k8s.io/pause*"}))
	// Output:
	// <nil>
	// <nil>
	// neither tag nor digest is accepted in an image reference: nginx:1.25
	// not a valid wildcard pattern, only patterns ending with '/*' are allowed: registry.k8s.io/pause*
}
