package nodestatus_test

import (
	"context"
	"fmt"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kube/nodestatus"
	"github.com/imagepull/imagepull/pullpolicy"
)

// A custom kubelet reports the images of its store in Node.status.images, as the kubelet does:
// largest first, digests before tags, at most 50 images.
func ExampleList() {
	store := cache.NewStore()
	for _, img := range []pullpolicy.LocalImage{
		{ID: "sha256:aaa", RepoTags: []string{"docker.io/library/busybox:1.36"}, Size: 4_261_550},
		{ID: "sha256:bbb", RepoTags: []string{"docker.io/library/nginx:1.25"}, RepoDigests: []string{"docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"}, Size: 67_108_864},
	} {
		if err := store.Add(img); err != nil {
			fmt.Println(err)
			return
		}
	}
	images, err := nodestatus.List(context.Background(), store, nodestatus.DefaultMaxImages)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, img := range images {
		fmt.Println(img.SizeBytes, img.Names)
	}
	// Output:
	// 67108864 [docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31 docker.io/library/nginx:1.25]
	// 4261550 [docker.io/library/busybox:1.36]
}
