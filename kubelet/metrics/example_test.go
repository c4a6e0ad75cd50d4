package metrics_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/opencontainers/go-digest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/metrics"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// A Recorder set as the image manager's Metrics and registered with Prometheus: two starts
// of a preloaded image, then a scrape of the kubelet's ensure-image counter.
func Example() {
	store := cache.NewStore()
	if err := store.Add(pullpolicy.LocalImage{ID: "sha256:web", RepoTags: []string{"docker.io/library/nginx:1.25"}}); err != nil {
		panic(err)
	}
	rec := metrics.New(nil)
	reg := prometheus.NewRegistry()
	reg.MustRegister(rec)
	puller := kubelet.PullerFunc(func(context.Context, kubelet.PullRequest) (kubelet.PullResult, error) {
		panic("the image is present")
	})
	m, err := kubelet.NewImageManager(kubelet.Config{Store: store, Puller: puller, Metrics: rec})
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"web-1", "web-2"} {
		req := kubelet.Request{Pod: kubelet.Pod{Namespace: "shop", Name: name, UID: name}, Image: "nginx:1.25"}
		if _, err := m.EnsureImageExists(context.Background(), req); err != nil {
			panic(err)
		}
	}

	scrape := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(scrape, httptest.NewRequest("GET", "/metrics", nil))
	for line := range strings.Lines(scrape.Body.String()) {
		if strings.HasPrefix(line, "kubelet_image") {
			fmt.Print(line)
		}
	}
	// Output:
	// kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="false"} 2
	// kubelet_imagemanager_image_mustpull_checks_total{result="credentialPolicyAllowed"} 2
	// kubelet_imagemanager_inmemory_pulledrecords_usage_percent 0
	// kubelet_imagemanager_inmemory_pullintents_usage_percent 0
	// kubelet_imagemanager_ondisk_pulledrecords 0
	// kubelet_imagemanager_ondisk_pullintents 0
}

// Resolvers report their outcomes through an observer the Recorder hands out, one per
// resolver name.
func ExampleRecorder_ResolveObserver() {
	rec := metrics.New(nil)
	upstream := pullpolicy.ResolverFunc(func(ctx context.Context, img reference.Image) (digest.Digest, error) {
		return digest.FromString(img.String()), nil
	})
	r, err := cache.NewResolver(upstream, &cache.ResolverOptions{Observer: rec.ResolveObserver("cache")})
	if err != nil {
		panic(err)
	}
	for range 3 {
		if _, err := r.Resolve(context.Background(), reference.MustParse("nginx:1.25")); err != nil {
			panic(err)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(rec)
	families, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range families {
		if f.GetName() == metrics.Resolves {
			for _, m := range f.GetMetric() {
				fmt.Println(m.GetLabel()[0].GetValue(), m.GetLabel()[1].GetValue(), m.GetCounter().GetValue())
			}
		}
	}
	// Output:
	// hit cache 2
	// miss cache 1
}
