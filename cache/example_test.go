package cache_test

import (
	"context"
	"fmt"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

func ExampleStore() {
	ctx := context.Background()
	store := cache.NewStore()
	_ = store.Add(pullpolicy.LocalImage{ID: "sha256:old", RepoTags: []string{"app:v1"}})
	_ = store.Add(pullpolicy.LocalImage{ID: "sha256:new", RepoTags: []string{"app:v1"}}) // re-pushed tag

	img, ok, _ := store.Lookup(ctx, reference.MustParse("app:v1"))
	fmt.Println(ok, img.ID, img.RepoTags)
	for _, img := range store.List() {
		fmt.Println(img.ID, img.RepoTags)
	}
	// Output:
	// true sha256:new [docker.io/library/app:v1]
	// sha256:new [docker.io/library/app:v1]
	// sha256:old []
}
