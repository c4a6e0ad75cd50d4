package pullpolicy_test

import (
	"context"
	"testing"

	distref "github.com/distribution/reference"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// BenchmarkDecideIfNotPresentPresent measures Decide for a pre-parsed image that the store
// holds: the common case of every container start under IfNotPresent.
func BenchmarkDecideIfNotPresentPresent(b *testing.B) {
	store := cache.NewStore()
	if err := store.Add(pullpolicy.LocalImage{ID: "sha256:c0ffee", RepoTags: []string{"nginx:1.25.3"}}); err != nil {
		b.Fatal(err)
	}
	img := reference.MustParse("nginx:1.25.3")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if d, err := pullpolicy.Decide(ctx, pullpolicy.IfNotPresent, img, store, nil); err != nil || d.Action != pullpolicy.UseLocal {
			b.Fatal(d, err)
		}
	}
}

// BenchmarkParseNormalizedNamedSameName is the yardstick for BenchmarkDecideIfNotPresentPresent:
// one distribution/reference parse of the same name.
func BenchmarkParseNormalizedNamedSameName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := distref.ParseNormalizedNamed("nginx:1.25.3"); err != nil {
			b.Fatal(err)
		}
	}
}
