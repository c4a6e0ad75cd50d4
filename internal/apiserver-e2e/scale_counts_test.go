package apiservere2e

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// registryCounts are the registry requests of one policy's repositories, by kind.
type registryCounts struct {
	ManifestHead, ManifestGet, BlobGet, Other int
}

func (c registryCounts) String() string {
	return fmt.Sprintf("manifest HEAD %d, manifest GET %d, blob GET %d, other %d", c.ManifestHead, c.ManifestGet, c.BlobGet, c.Other)
}

// countByKind sorts what the registry received by the first path segment of the repository
// ("always", "ifnotpresent", "never") and by kind; requests outside /v2/<repo>/ are under "".
func countByKind(reg *registrytest.Registry) map[string]registryCounts {
	out := make(map[string]registryCounts)
	for k, n := range reg.Counts() {
		rest, _ := strings.CutPrefix(k.Path, "/v2/")
		group, _, _ := strings.Cut(rest, "/")
		if rest == k.Path || !strings.Contains(rest, "/") {
			group = ""
		}
		c := out[group]
		switch {
		case strings.Contains(k.Path, "/manifests/") && k.Method == http.MethodHead:
			c.ManifestHead += n
		case strings.Contains(k.Path, "/manifests/") && k.Method == http.MethodGet:
			c.ManifestGet += n
		case strings.Contains(k.Path, "/blobs/") && k.Method == http.MethodGet:
			c.BlobGet += n
		default:
			c.Other += n
		}
		out[group] = c
	}
	return out
}

// apiCounter counts the requests a client-go client sends, by verb and resource
// ("POST pods", "PUT pods/status", "WATCH pods", "POST events"). It is a
// rest.Config.WrapTransport.
type apiCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func newAPICounter() *apiCounter { return &apiCounter{counts: make(map[string]int)} }

func (c *apiCounter) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		c.add(apiKey(req))
		return next.RoundTrip(req)
	})
}

func (c *apiCounter) add(key string) {
	c.mu.Lock()
	c.counts[key]++
	c.mu.Unlock()
}

// snapshot returns a copy of the counts and their total.
func (c *apiCounter) snapshot() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for _, n := range c.counts {
		total += n
	}
	return maps.Clone(c.counts), total
}

// format lists the counts, largest first.
func formatCounts(m map[string]int) string {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// apiKey names a request by verb and resource: /api/v1/namespaces/NS/pods/NAME/status with
// PUT is "PUT pods/status"; a GET with watch=true is "WATCH"; a GET of a collection is "LIST".
func apiKey(req *http.Request) string {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	// Skip /api/v1 or /apis/GROUP/VERSION.
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
		parts = parts[2:]
	}
	resource, named := "", false
	if len(parts) > 0 {
		resource = parts[0]
	}
	if len(parts) > 1 {
		named = true
	}
	if len(parts) > 2 {
		resource += "/" + parts[2]
	}
	verb := req.Method
	if verb == http.MethodGet {
		switch {
		case req.URL.Query().Get("watch") == "true":
			verb = "WATCH"
		case !named:
			verb = "LIST"
		}
	}
	return verb + " " + resource
}
