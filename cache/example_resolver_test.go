package cache_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
)

// A registry stand-in: it names nginx:1.25 by one digest and counts how often it is asked.
// Real code passes a registry-backed resolver instead.
func ExampleNewResolver() {
	calls := 0
	registry := pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
		calls++
		return digest.FromString("nginx 1.25 index"), nil
	})
	r, err := cache.NewResolver(registry, &cache.ResolverOptions{TTL: 5 * time.Minute})
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	img := reference.MustParse("nginx:1.25")
	for range 3 {
		d, err := pullpolicy.Decide(ctx, pullpolicy.Always, img, cache.NewStore(), r)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(d.Action, d.PullRef.Familiar())
	}
	fmt.Println("registry asked", calls, "time(s)")
	fmt.Printf("%+v\n", r.Stats())
	// Output:
	// Pull nginx@sha256:8f86fdd06c78933f798a7be8e4e90df76bc0f2c23ec6602fd01900b284f3122a
	// Pull nginx@sha256:8f86fdd06c78933f798a7be8e4e90df76bc0f2c23ec6602fd01900b284f3122a
	// Pull nginx@sha256:8f86fdd06c78933f798a7be8e4e90df76bc0f2c23ec6602fd01900b284f3122a
	// registry asked 1 time(s)
	// {Hits:2 Misses:1 Upstream:1 Stale:0 Evictions:0}
}

// With MaxStale set, a registry outage does not stop a node from starting the image it
// resolved recently: Decide goes on with the cached digest and marks the Decision Stale.
func ExampleResolver_staleIfError() {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) // an injected clock
	var outage error
	registry := pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
		if outage != nil {
			return "", outage
		}
		return digest.FromString("app v1"), nil
	})
	r, err := cache.NewResolver(registry, &cache.ResolverOptions{
		TTL:      time.Minute,
		MaxStale: time.Hour,
		Now:      func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	img := reference.MustParse("registry.example/app:v1")
	store := cache.NewStore()
	if err := store.Add(pullpolicy.LocalImage{ID: "sha256:c0ffee", RepoDigests: []string{img.WithDigest(digest.FromString("app v1")).String()}}); err != nil {
		fmt.Println(err)
		return
	}
	decide := func() {
		d, err := pullpolicy.Decide(context.Background(), pullpolicy.Always, img, store, r)
		switch {
		case err != nil:
			fmt.Println(d.Action, errors.Is(err, pullpolicy.ErrRegistryUnavailable))
		case d.Stale != nil:
			fmt.Println(d.Action, d.Local.ID, "stale for", d.Stale.Age)
		default:
			fmt.Println(d.Action, d.Local.ID)
		}
	}

	decide()
	outage = fmt.Errorf("%w: connection refused", pullpolicy.ErrRegistryUnavailable)
	now = now.Add(20 * time.Minute)
	decide()
	now = now.Add(2 * time.Hour)
	decide()
	// Output:
	// UseLocal sha256:c0ffee
	// UseLocal sha256:c0ffee stale for 20m0s
	// Fail true
}

// Scoped views share one cache but never each other's answers: a digest that one set of
// credentials may see is not given to another.
func ExampleResolver_Scoped() {
	type credsKey struct{}
	registry := pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
		if ctx.Value(credsKey{}) != "team-a-token" {
			return "", errors.New("unauthorized: authentication required")
		}
		return digest.FromString("private"), nil
	})
	r, err := cache.NewResolver(registry, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	img := reference.MustParse("registry.example/team-a/private:v1")

	// The identity is a stable name for the credentials (here a made-up hash), not the secret.
	ctxA := context.WithValue(context.Background(), credsKey{}, "team-a-token")
	d, err := r.Scoped("sha256-of-team-a-secret").Resolve(ctxA, img)
	fmt.Println(d != "", err)

	ctxB := context.WithValue(context.Background(), credsKey{}, "team-b-token")
	_, err = r.Scoped("sha256-of-team-b-secret").Resolve(ctxB, img)
	fmt.Println(err)
	// Output:
	// true <nil>
	// unauthorized: authentication required
}
