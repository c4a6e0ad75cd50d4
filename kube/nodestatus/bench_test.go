package nodestatus_test

import (
	"strconv"
	"testing"

	"github.com/imagepull/imagepull/kube/nodestatus"
	"github.com/imagepull/imagepull/pullpolicy"
)

// Node.status.images of a node with 1,000 images, as the kubelet reports it on every status
// update (every 10 s by default).
func BenchmarkImages1000(b *testing.B) {
	images := make([]pullpolicy.LocalImage, 1000)
	for i := range images {
		images[i] = pullpolicy.LocalImage{
			ID:          "sha256:" + strconv.Itoa(i),
			RepoTags:    []string{"registry.example/app:" + strconv.Itoa(i)},
			RepoDigests: []string{"registry.example/app@sha256:" + strconv.Itoa(i)},
			Size:        int64(i*7919) % 1_000_003,
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = nodestatus.Images(images, nodestatus.DefaultMaxImages)
	}
}
