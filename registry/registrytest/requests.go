package registrytest

import (
	"net/http"
	"slices"
	"strings"
)

// Request is one HTTP request received by either listener, recorded when it arrives (before it
// is answered), so a client that got a response always finds its request recorded.
type Request struct {
	Host          string // the listener that received it: [Registry.Host] or [Registry.OtherHost]
	Method        string // "HEAD", "GET", …
	Path          string // URL path, e.g. "/v2/app/manifests/v1" or "/token"
	Query         string // raw query, e.g. "scope=repository%3Aapp%3Apull&service=registrytest"
	Authorization string // the Authorization header as received, "" if none
}

// Key is a method and path, the key of [Registry.Counts].
type Key struct {
	Method string // "HEAD", "GET", …
	Path   string // URL path, e.g. "/v2/app/manifests/v1"
}

// record appends req to the log and returns it.
func (r *Registry) record(host string, req *http.Request) {
	rec := Request{
		Host:          host,
		Method:        req.Method,
		Path:          req.URL.Path,
		Query:         req.URL.RawQuery,
		Authorization: req.Header.Get("Authorization"),
	}
	r.mu.Lock()
	r.requests = append(r.requests, rec)
	r.mu.Unlock()
}

// Count returns how many requests the registry host (not [Registry.OtherHost]) received with
// the given method whose path starts with pathPrefix. An empty method matches every method, an
// empty prefix every path. Count("HEAD", "/v2/app/manifests/") counts manifest HEADs of
// repository "app"; use a full path such as "/v2/app/manifests/v1" for one tag. Every request
// that arrived counts, also those answered 401 or with an injected fault; requests made by the
// push helpers do not. Requests to [Registry.OtherHost] are in [Registry.Requests].
func (r *Registry) Count(method, pathPrefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.requests {
		if q.Host == r.host && (method == "" || q.Method == method) && strings.HasPrefix(q.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// Counts returns the number of requests the registry host received per method and path. The
// map is a copy.
func (r *Registry) Counts() map[Key]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[Key]int)
	for _, q := range r.requests {
		if q.Host == r.host {
			m[Key{q.Method, q.Path}]++
		}
	}
	return m
}

// Requests returns a copy of every recorded request on both listeners, oldest first. Use it to
// check which Authorization headers each host received.
func (r *Registry) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// ResetCounts forgets all recorded requests on both listeners. The log grows with every
// request, so long benchmarks should reset it now and then.
func (r *Registry) ResetCounts() {
	r.mu.Lock()
	r.requests = nil
	r.mu.Unlock()
}
