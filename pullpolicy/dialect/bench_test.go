package dialect_test

import (
	"context"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
	"github.com/imagepull/imagepull/reference"
)

// benchStore holds nginx:1.25 pulled at t0, with its digest.
func benchStore(b *testing.B) *cache.Store {
	s := cache.NewStore()
	if err := s.Add(pullpolicy.LocalImage{ID: "sha256:c0ffee", RepoTags: []string{"nginx:1.25"},
		RepoDigests: []string{"nginx@" + string(dgNginx)}, Pulled: t0}); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkParseDecide measures Parse plus Decide of a pre-parsed image, the work of one
// container start, with an in-memory resolver so that the figures are the engine's own.
func BenchmarkParseDecide(b *testing.B) {
	unchanged := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) { return dgNginx, nil })
	down := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) { return "", errDown })
	clock := func() time.Time { return t0.Add(time.Hour) }
	cases := []struct {
		name     string
		system   dialect.System
		value    string
		resolver pullpolicy.Resolver
		want     pullpolicy.Action
	}{
		{"podman newer unchanged", dialect.Podman, "IfNewer", unchanged, pullpolicy.UseLocal},
		{"podman newer registry down", dialect.Podman, "newer", down, pullpolicy.UseLocal},
		{"compose every_1w2d not due", dialect.Compose, "every_1w2d", nil, pullpolicy.UseLocal},
		{"ecs default unchanged", dialect.ECS, "default", unchanged, pullpolicy.UseLocal},
		{"gitlab always,if-not-present down", dialect.GitLab, `["always", "if-not-present"]`, down, pullpolicy.UseLocal},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			store := benchStore(b)
			img := reference.MustParse("nginx:1.25")
			opts := &dialect.Options{Now: clock}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				p, err := dialect.Parse(tc.system, tc.value)
				if err != nil {
					b.Fatal(err)
				}
				d, err := dialect.Decide(ctx, p, img, store, tc.resolver, opts)
				if err != nil || d.Action != tc.want {
					b.Fatal(d, err)
				}
			}
		})
	}
}

// BenchmarkDecideKubernetes is the yardstick: pullpolicy.Decide under Always, unchanged digest.
func BenchmarkDecideKubernetes(b *testing.B) {
	unchanged := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) { return dgNginx, nil })
	store := benchStore(b)
	img := reference.MustParse("nginx:1.25")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if d, err := pullpolicy.Decide(ctx, pullpolicy.Always, img, store, unchanged); err != nil || d.Action != pullpolicy.UseLocal {
			b.Fatal(d, err)
		}
	}
}
