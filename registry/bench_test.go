package registry_test

import (
	"context"
	"testing"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/opencontainers/go-digest"
)

// BenchmarkResolveHEAD measures one resolve of an unchanged tag: a HEAD round trip over a
// kept-alive loopback connection, anonymous and with a cached bearer token.
func BenchmarkResolveHEAD(b *testing.B) {
	for _, bc := range []struct {
		name string
		auth registrytest.Auth
	}{
		{"anonymous", registrytest.Auth{}},
		{"bearer", registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: testPassword}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			reg := registrytest.New(b, registrytest.Options{Auth: bc.auth})
			push(b, reg, "app:v1")
			opts := fastOptions(reg)
			opts.Credentials = mustKeyring(b, reg.Host(), testUser, testPassword)
			r := newResolver(b, opts)
			img := ref(reg, "app", "v1")
			if _, err := r.Resolve(b.Context(), img); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Resolve(b.Context(), img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResolveCached puts the two costs of a resolve side by side: a HEAD round trip to
// the loopback registry (this Resolver alone, kept-alive connection) and an answer from
// cache.Resolver in front of it (a fresh entry: no request), without and with a pod's
// credentials (ResolveWithCredentials, as the Manager calls it). The registry asks for Basic
// auth; the Resolver has node credentials for it.
func BenchmarkResolveCached(b *testing.B) {
	reg := registrytest.New(b, registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBasic, Username: testUser, Password: testPassword,
	}})
	push(b, reg, "app:v1")
	img := ref(reg, "app", "v1")
	pod := podCredentials(testUser, testPassword)
	opts := fastOptions(reg)
	opts.Credentials = mustKeyring(b, reg.Host(), testUser, testPassword) // for Resolve
	r := newResolver(b, opts)
	cached, err := cache.NewResolver(r, &cache.ResolverOptions{TTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		resolve func(context.Context) (digest.Digest, error)
	}{
		{"registry-HEAD", func(ctx context.Context) (digest.Digest, error) { return r.Resolve(ctx, img) }},
		{"cache-hit", func(ctx context.Context) (digest.Digest, error) { return cached.Resolve(ctx, img) }},
		{"cache-hit-with-credentials", func(ctx context.Context) (digest.Digest, error) {
			return cached.ResolveWithCredentials(ctx, img, pod)
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if _, err := bc.resolve(b.Context()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.resolve(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
