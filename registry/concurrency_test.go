package registry_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// 1,000 concurrent Decide calls under Always over 10 images, through cache.Resolver in front
// of this resolver: the registry sees exactly one HEAD per image and no GET, and every
// decision is right (the present images used, the others pulled by digest).
func TestDecideConcurrentThroughCache(t *testing.T) {
	const images, calls = 10, 1000
	reg := registrytest.New(t, registrytest.Options{})
	imgs := make([]reference.Image, images)
	digests := make([]digest.Digest, images)
	store := cache.NewStore()
	for i := range images {
		repo := fmt.Sprintf("app%d", i)
		digests[i] = push(t, reg, repo+":v1")
		imgs[i] = ref(reg, repo, "v1")
		if i%2 == 0 { // the even images are on the node already
			require.NoError(t, store.Add(pullpolicy.LocalImage{
				ID:          fmt.Sprintf("sha256:%064d", i),
				RepoTags:    []string{imgs[i].String()},
				RepoDigests: []string{imgs[i].WithDigest(digests[i]).String()},
			}))
		}
	}
	cached, err := cache.NewResolver(newResolver(t, fastOptions(reg)), nil)
	require.NoError(t, err)
	reg.ResetCounts()

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for n := range calls {
		i := n % images
		wg.Go(func() {
			<-start
			d, err := pullpolicy.Decide(ctx, pullpolicy.Always, imgs[i], store, cached)
			if !assert.NoError(t, err) {
				return
			}
			assert.Equal(t, digests[i], d.Digest)
			if i%2 == 0 {
				assert.Equal(t, pullpolicy.UseLocal, d.Action)
			} else {
				assert.Equal(t, pullpolicy.Pull, d.Action)
				assert.Equal(t, imgs[i].WithDigest(digests[i]), d.PullRef)
			}
		})
	}
	close(start)
	wg.Wait()
	require.NoError(t, ctx.Err(), "all decisions within the time bound")

	assert.Equal(t, images, reg.Count(http.MethodHead, "/v2/"), "one HEAD per image: %v", reg.Counts())
	for i := range images {
		assert.Equal(t, 1, reg.Count(http.MethodHead, fmt.Sprintf("/v2/app%d/manifests/v1", i)))
	}
	assert.Zero(t, reg.Count(http.MethodGet, "/v2/"), "no GET")
	assert.Equal(t, images, reg.Count("", "/"), "no other request")
	stats := cached.Stats()
	assert.Equal(t, uint64(images), stats.Upstream)
	assert.Equal(t, uint64(calls), stats.Hits+stats.Misses)
}
