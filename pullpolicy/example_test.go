package pullpolicy_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/opencontainers/go-digest"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

func ExampleDefault() {
	for _, image := range []string{"nginx", "nginx:latest", "nginx:1.25.3", "nginx@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "nginx:latest@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "localhost:5000"} {
		fmt.Printf("%-14s %s\n", pullpolicy.Default(image), image)
	}
	// Output:
	// Always         nginx
	// Always         nginx:latest
	// IfNotPresent   nginx:1.25.3
	// IfNotPresent   nginx@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	// Always         nginx:latest@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	// IfNotPresent   localhost:5000
}

func ExampleParsePolicy() {
	p, err := pullpolicy.ParsePolicy("IfNotPresent")
	fmt.Println(p, err)
	_, err = pullpolicy.ParsePolicy("always")
	fmt.Println(err)
	// Output:
	// IfNotPresent <nil>
	// Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"
}

func ExampleDecide() {
	ctx := context.Background()
	store := cache.NewStore()
	_ = store.Add(pullpolicy.LocalImage{ID: "sha256:c0ffee", RepoTags: []string{"nginx:1.25"}})

	d, err := pullpolicy.Decide(ctx, pullpolicy.IfNotPresent, reference.MustParse("nginx:1.25"), store, nil)
	fmt.Println(d.Action, d.Reason, d.Message, err)

	d, err = pullpolicy.Decide(ctx, pullpolicy.Never, reference.MustParse("redis"), store, nil)
	fmt.Println(d.Action, d.Reason, errors.Is(err, pullpolicy.ErrImageNeverPull))
	fmt.Println(err)
	// Output:
	// UseLocal Pulled Container image "nginx:1.25" already present on machine <nil>
	// Fail ErrImageNeverPull true
	// ErrImageNeverPull: Container image "redis" is not present with pull policy of Never
}

func ExampleDecide_always() {
	ctx := context.Background()
	store := cache.NewStore()
	registry := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", nil // the tag now names this
	})
	d, err := pullpolicy.Decide(ctx, pullpolicy.Always, reference.MustParse("nginx"), store, registry)
	fmt.Println(d.Action, err)
	fmt.Println(d.PullRef) // pinned: a tag moved after this answer cannot swap the image
	// Output:
	// Pull <nil>
	// docker.io/library/nginx@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
}

// With no Resolver, Always is the kubelet's own: the runtime is asked to pull the
// tag-defaulted image string, and resolves the tag itself.
func ExampleDecide_alwaysWithoutResolver() {
	d, err := pullpolicy.Decide(context.Background(), pullpolicy.Always, reference.MustParse("nginx"), nil, nil)
	fmt.Println(d.Action, d.PullRef.WithDefaultTag(), err)
	fmt.Println(d.Reason, d.Message)
	// Output:
	// Pull nginx:latest <nil>
	// Pulling Pulling image "nginx"
}

// An empty policy is defaulted from the image, as the API server stores it.
func ExampleDecide_defaulted() {
	store := cache.NewStore()
	_ = store.Add(pullpolicy.LocalImage{RepoTags: []string{"nginx:1.25"}})
	d, _ := pullpolicy.Decide(context.Background(), "", reference.MustParse("nginx:1.25"), store, nil)
	fmt.Println(d.Policy, d.Action)
	// Output:
	// IfNotPresent UseLocal
}
