package cache_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// filled returns a store of n images, each with one tag and one digest, as a node reports them.
func filled(b *testing.B, n int) *cache.Store {
	s := cache.NewStore()
	for i := range n {
		name := fmt.Sprintf("registry.example.com/team%d/app%d", i%100, i)
		err := s.Add(pullpolicy.LocalImage{
			ID:          string(digest.FromString(name + "config")),
			RepoTags:    []string{name + ":v1.2.3"},
			RepoDigests: []string{name + "@" + string(digest.FromString(name))},
			Size:        int64(i),
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkStoreLookup(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("images=%d", n), func(b *testing.B) {
			s := filled(b, n)
			img := reference.MustParse(fmt.Sprintf("registry.example.com/team%d/app%d:v1.2.3", (n/2)%100, n/2))
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if _, ok, err := s.Lookup(ctx, img); err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// BenchmarkStoreMemory reports the heap bytes the store holds per image (bytes/image), names
// included, for 100,000 images.
func BenchmarkStoreMemory(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s := filled(b, n)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/image")
		runtime.KeepAlive(s)
	}
}
