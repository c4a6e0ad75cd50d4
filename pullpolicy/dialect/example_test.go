package dialect_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
	"github.com/imagepull/imagepull/reference"
)

func ExampleParse() {
	for _, in := range []struct {
		system dialect.System
		value  string
	}{
		{dialect.Podman, "IfNotPresent"},
		{dialect.Docker, "Always"},
		{dialect.Compose, "every_1w2d"},
		{dialect.ECS, "sometimes"},
		{dialect.GitLab, `["always", "if-not-present"]`},
	} {
		p, err := dialect.Parse(in.system, in.value)
		if err != nil {
			fmt.Printf("%s %q: %v\n", in.system, in.value, err)
			continue
		}
		fmt.Printf("%s %q: %s refresh=%s steps=%v\n", in.system, in.value, p, p.Refresh, p.Steps())
	}
	// Output:
	// podman "IfNotPresent": podman:missing refresh=0s steps=[missing]
	// docker "Always": invalid pull option: 'Always': must be one of "always", "missing" or "never"
	// compose "every_1w2d": compose:every_1w2d refresh=216h0m0s steps=[every_1w2d]
	// ecs "sometimes": ecs:default refresh=0s steps=[default]
	// gitlab "[\"always\", \"if-not-present\"]": gitlab:always,if-not-present refresh=0s steps=[always if-not-present]
}

// Podman's newer keeps the local image when the registry cannot be reached; Kubernetes'
// Always would fail.
func ExampleDecide_newer() {
	ctx := context.Background()
	store := cache.NewStore()
	_ = store.Add(pullpolicy.LocalImage{ID: "sha256:c0ffee", RepoTags: []string{"nginx:1.25"}})
	down := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return "", fmt.Errorf("%w: connection refused", pullpolicy.ErrRegistryUnavailable)
	})
	img := reference.MustParse("nginx:1.25")

	d, err := dialect.Decide(ctx, dialect.MustParse(dialect.Podman, "newer"), img, store, down, nil)
	fmt.Println(d.Action, err, errors.Is(d.Tolerated, pullpolicy.ErrRegistryUnavailable))

	_, err = pullpolicy.Decide(ctx, pullpolicy.Always, img, store, down)
	fmt.Println(err)
	// Output:
	// UseLocal <nil> true
	// RegistryUnavailable: image pull failed for nginx:1.25 because the registry is unavailable: connection refused
}

// Compose's daily keeps a present image for 24 hours after its last pull, then asks the
// registry.
func ExampleDecide_composeDaily() {
	ctx := context.Background()
	pulled := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	store := cache.NewStore()
	_ = store.Add(pullpolicy.LocalImage{ID: "sha256:c0ffee", RepoTags: []string{"nginx:1.25"}, Pulled: pulled})
	moved := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		return "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", nil
	})
	daily := dialect.MustParse(dialect.Compose, "daily")
	for _, after := range []time.Duration{time.Hour, 25 * time.Hour} {
		now := func() time.Time { return pulled.Add(after) }
		d, _ := dialect.Decide(ctx, daily, reference.MustParse("nginx:1.25"), store, moved, &dialect.Options{Now: now})
		if d.Action == pullpolicy.Pull {
			fmt.Println(after, d.Action, d.PullRef)
		} else {
			fmt.Println(after, d.Action, "until", d.RefreshAt.Format(time.DateTime))
		}
	}
	// Output:
	// 1h0m0s UseLocal until 2026-03-02 08:00:00
	// 25h0m0s Pull docker.io/library/nginx@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
}

func ExampleToKubernetes() {
	for _, p := range []dialect.Policy{
		dialect.MustParse(dialect.Podman, "missing"),
		dialect.MustParse(dialect.ECS, "default"),
		dialect.MustParse(dialect.Nomad, "false"),
		dialect.MustParse(dialect.Compose, "daily"),
	} {
		m, err := dialect.ToKubernetes(p)
		fmt.Printf("%-16s %-9q %-11s %v\n", p, m.Kubernetes, m.Match, errors.Is(err, dialect.ErrNoEquivalent))
	}
	// Output:
	// podman:missing   "IfNotPresent" exact       false
	// ecs:default      "Always"  approximate false
	// nomad:false      ""        exact       false
	// compose:daily    ""        none        true
}

func ExampleFromKubernetes() {
	for _, sys := range []dialect.System{dialect.Podman, dialect.ECS, dialect.Nomad} {
		p, m, err := dialect.FromKubernetes(sys, pullpolicy.IfNotPresent)
		fmt.Println(sys, p.Name, m.Match, err)
	}
	_, m, err := dialect.FromKubernetes(dialect.ECS, pullpolicy.Never)
	fmt.Println(m.Match, err)
	// Output:
	// podman missing exact <nil>
	// ecs prefer-cached exact <nil>
	// nomad false approximate <nil>
	// none no equivalent pull policy in ecs for Kubernetes "Never": the ECS agent has no policy that refuses to pull
}
