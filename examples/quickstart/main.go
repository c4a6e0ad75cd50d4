// Command quickstart walks through how imagepull decides, exactly as the kubelet does, whether
// a container image is pulled, used from the node, or refused — against a real OCI registry
// served in-process on 127.0.0.1, so it runs offline in a few seconds:
//
//	go run ./examples/quickstart
//
// Each step prints the decision (policy, action, the kubelet's event reason and message) and
// how many manifest HEAD and GET requests the registry saw.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// demo holds the pieces every step uses: the registry, the node's image store and the
// resolvers that ask the registry.
type demo struct {
	out      io.Writer
	reg      *registrytest.Registry
	store    *cache.Store
	resolver pullpolicy.Resolver // straight to the registry
	cached   *cache.Resolver     // the same, with a cache that may answer stale during an outage
	repo     string
}

func run(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	defaulting(w)

	reg, err := registrytest.Start(registrytest.Options{})
	if err != nil {
		return err
	}
	defer reg.Close()
	resolver, err := registry.NewResolver(&registry.Options{
		PlainHTTP:  []string{"127.0.0.1"}, // the loopback registry speaks plain HTTP
		MaxRetries: -1,                    // fail fast when it is stopped
		Timeout:    5 * time.Second,
	})
	if err != nil {
		return err
	}
	defer resolver.CloseIdleConnections()
	cached, err := cache.NewResolver(resolver, &cache.ResolverOptions{TTL: time.Nanosecond, MaxStale: time.Hour})
	if err != nil {
		return err
	}
	d := &demo{out: w, reg: reg, store: cache.NewStore(), resolver: resolver, cached: cached, repo: "demo/app"}
	fmt.Fprintf(w, "\nA registry is serving on %s; the node's image store is empty.\n", reg.Host())
	return d.scenarios(ctx)
}

// defaulting prints the API server's default policy and the string the kubelet sends the
// runtime, for the names the kubelet treats specially.
func defaulting(w io.Writer) {
	const dg = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	fmt.Fprintln(w, "1. An empty imagePullPolicy is defaulted from the image (the API server's rule):")
	fmt.Fprintf(w, "   %-14s %-36s %s\n", "default", "image", "sent to the runtime as")
	for _, image := range []string{"nginx", "nginx:latest", "nginx:1.25.3", "nginx@" + dg[:19] + "…", "nginx:latest@" + dg[:19] + "…"} {
		full := strings.Replace(image, dg[:19]+"…", dg, 1)
		sent := reference.MustParse(full).WithDefaultTag()
		fmt.Fprintf(w, "   %-14s %-36s %s\n", pullpolicy.Default(full), image, shorten(sent))
	}
}

func (d *demo) scenarios(ctx context.Context) error {
	ref := d.reg.Ref(d.repo, "v1")
	img := reference.MustParse(ref)
	first, err := d.reg.PushRandom(ctx, d.repo+":v1")
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "Pushed %s = %s\n", ref, shorten(string(first)))

	d.step("2. Never, image absent: the kubelet refuses to pull", pullpolicy.Never, img, d.resolver)
	dec := d.step("3. IfNotPresent, image absent: pull it", pullpolicy.IfNotPresent, img, d.resolver)
	d.pull(dec, first)
	d.step("4. IfNotPresent, image present: used, the registry is not contacted", pullpolicy.IfNotPresent, img, d.resolver)

	second, err := d.reg.PushRandom(ctx, d.repo+":v1")
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\nThe tag is pushed again in the registry: %s = %s\n", ref, shorten(string(second)))
	d.step("5. IfNotPresent after the re-push: keeps the stale local image", pullpolicy.IfNotPresent, img, d.resolver)
	dec = d.step("6. Always after the re-push: sees the new digest and pulls it by digest", pullpolicy.Always, img, d.resolver)
	d.pull(dec, second)
	d.step("7. Always, tag unchanged: uses the local image after one HEAD and no GET", pullpolicy.Always, img, d.resolver)

	d.step("7b. The same through cache.NewResolver, which keeps the answer for later", pullpolicy.Always, img, d.cached)
	d.reg.Stop()
	fmt.Fprintln(d.out, "\nThe registry is stopped.")
	d.step("8. Always, registry down: fails with RegistryUnavailable", pullpolicy.Always, img, d.resolver)
	d.step("9. Beyond the kubelet: Always through cache.NewResolver with MaxStale keeps running", pullpolicy.Always, img, d.cached)
	return nil
}

// step runs one Decide, printing the decision and the registry's manifest requests.
func (d *demo) step(title string, policy pullpolicy.Policy, img reference.Image, resolver pullpolicy.Resolver) pullpolicy.Decision {
	d.reg.ResetCounts()
	dec, err := pullpolicy.Decide(context.Background(), policy, img, d.store, resolver)
	fmt.Fprintf(d.out, "\n%s\n", title)
	fmt.Fprintf(d.out, "   policy %s → %s\n", dec.Policy, dec.Action)
	if dec.Reason != "" {
		fmt.Fprintf(d.out, "   event  %s: %s\n", dec.Reason, shorten(dec.Message))
	}
	switch {
	case err != nil:
		fmt.Fprintf(d.out, "   error  %s (errors.Is ErrRegistryUnavailable: %v)\n", shorten(err.Error()), errors.Is(err, pullpolicy.ErrRegistryUnavailable))
	case dec.Action == pullpolicy.Pull:
		fmt.Fprintf(d.out, "   pull   %s\n", shorten(dec.PullRef.String()))
	case dec.Action == pullpolicy.UseLocal:
		fmt.Fprintf(d.out, "   local  %s %s\n", dec.Local.ID, shorten(strings.Join(dec.Local.RepoDigests, ",")))
	}
	if dec.Stale != nil {
		fmt.Fprintf(d.out, "   stale  the registry is unavailable; using the digest it gave %s ago\n", dec.Stale.Age.Round(time.Second))
	}
	fmt.Fprintf(d.out, "   registry saw %d HEAD, %d GET of manifests\n", d.reg.Count("HEAD", "/v2/"+d.repo+"/manifests/"), d.reg.Count("GET", "/v2/"+d.repo+"/manifests/"))
	return dec
}

// pull stands in for the container runtime: it records the pulled image in the node's store as
// containerd does, under its tag and its (top-level) digest.
func (d *demo) pull(dec pullpolicy.Decision, dg digest.Digest) {
	if dec.Action != pullpolicy.Pull {
		return
	}
	img := dec.Image
	local := pullpolicy.LocalImage{
		ID:          "sha256:" + dg.Encoded()[:12] + "…",
		RepoTags:    []string{img.String()},
		RepoDigests: []string{img.Repository() + "@" + string(dg)},
	}
	if err := d.store.Add(local); err != nil {
		fmt.Fprintln(d.out, "   the runtime could not record the image:", err)
		return
	}
	fmt.Fprintf(d.out, "   (the runtime pulled %s)\n", shorten(local.RepoDigests[0]))
}

// shorten abbreviates sha256 digests so that lines stay readable.
func shorten(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "sha256:")
		if i < 0 || len(s) < i+7+64 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+7+12])
		b.WriteString("…")
		s = s[i+7+64:]
	}
}
