package registry_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// Resolve a tag against a registry: one HEAD request, no manifest download.
func ExampleNewResolver() {
	ctx := context.Background()
	reg, err := registrytest.Start(registrytest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Close()
	pushed, err := reg.PushRandom(ctx, "app:v1")
	if err != nil {
		fmt.Println(err)
		return
	}

	r, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{reg.Host()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.CloseIdleConnections()
	d, err := r.Resolve(ctx, reference.MustParse(reg.Ref("app", "v1")))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("digest is the pushed one:", d == pushed)
	fmt.Println("HEAD requests:", reg.Count("HEAD", "/v2/app/manifests/v1"))
	fmt.Println("GET requests:", reg.Count("GET", "/v2/"))
	// Output:
	// digest is the pushed one: true
	// HEAD requests: 1
	// GET requests: 0
}

// A pod's image pull Secret is looked up for the image and passed per call;
// pullpolicy.Decide under Always then asks the registry with those credentials. Failures are classified: an unauthorized answer is never
// "registry unavailable".
func ExampleResolver_WithCredentials() {
	ctx := context.Background()
	reg, err := registrytest.Start(registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBearer, Username: "robot", Password: "s3cret",
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Close()
	if _, err := reg.PushRandom(ctx, "app:v1"); err != nil {
		fmt.Println(err)
		return
	}
	pod, err := credential.FromSecrets([]credential.Secret{{
		Namespace: "default", Name: "regcred", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(
			`{"auths":{"` + reg.Host() + `":{"username":"robot","password":"s3cret"}}}`)},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{reg.Host()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.CloseIdleConnections()
	img := reference.MustParse(reg.Ref("app", "v1"))
	creds := pod.Lookup(img.Repository()) // what a Puller would get

	d, err := pullpolicy.Decide(ctx, pullpolicy.Always, img, cache.NewStore(), r.WithCredentials(creds))
	fmt.Println(d.Action, err)

	_, err = r.Resolve(ctx, img) // no credentials of its own, none for the node
	fmt.Println("unauthorized:", errors.Is(err, registry.ErrUnauthorized))
	fmt.Println("unavailable:", errors.Is(err, pullpolicy.ErrRegistryUnavailable))
	// Output:
	// Pull <nil>
	// unauthorized: true
	// unavailable: false
}

// Probe a registry about a tag that does not exist, with a pod's credential: the answer is
// classified, with the tags the repository has, and never shows the password.
func ExampleResolver_Probe() {
	ctx := context.Background()
	reg, err := registrytest.Start(registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBearer, Username: "alice", Password: "s3cret"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Close()
	for _, tag := range []string{"v1", "v1.9"} {
		if _, err := reg.PushRandom(ctx, "app:"+tag); err != nil {
			fmt.Println(err)
			return
		}
	}
	r, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{reg.Host()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.CloseIdleConnections()
	cred := &credential.Credential{Username: "alice", Password: "s3cret",
		Source: credential.Source{Kind: credential.SourceSecret, Namespace: "web", Name: "regcred"}}

	res := r.Probe(ctx, reference.MustParse(reg.Ref("app", "v2")), cred)
	fmt.Println(res.Kind, res.Tags)
	res = r.Probe(ctx, reference.MustParse(reg.Ref("app", "v1")), &credential.Credential{Username: "alice", Password: "expired"})
	fmt.Println(res.Kind, "from the token service:", res.TokenService, "-", res.Credential)
	// Output:
	// NotFound [v1 v1.9]
	// Unauthorized from the token service: true - user alice
}
