package pullpolicy_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLayerDependencies fails when a layer links more than it may: importing the core
// (reference, pullpolicy, pullpolicy/dialect) must never drag in oras, gRPC, k8s.io, Prometheus or a registry, and
// importing the kubelet's image manager must never link k8s.io, Prometheus or an adapter
// (cache, registry, cri) — adapters implement its interfaces instead. Metrics live in
// kubelet/metrics alone: the resolvers and record stores expose observer interfaces.
func TestLayerDependencies(t *testing.T) {
	const mod = "github.com/imagepull/imagepull/"
	core := []string{
		"github.com/distribution/reference",
		"github.com/opencontainers/go-digest",
		mod + "reference",
		mod + "pullpolicy",
		mod + "internal/quote",
		mod + "internal/clip", // the bounds on kept text: standard library only
	}
	// Observability stays in its adapters: no core or kubelet package, resolver or record
	// store links a metrics or tracing library, or the Prometheus adapter.
	observability := []string{"github.com/prometheus/", "go.opentelemetry.io/", mod + "kubelet/metrics"}
	tests := []struct {
		name      string
		pkgs      []string
		allowed   []string // nil: anything not forbidden
		forbidden []string
		required  []string // linked for sure, so that the guard is seen to look
	}{
		{name: "core", pkgs: []string{mod + "reference", mod + "pullpolicy", mod + "pullpolicy/dialect"}, allowed: core, forbidden: observability},
		{name: "kubelet", pkgs: []string{mod + "kubelet", mod + "kubelet/pullmanager"}, allowed: append(append([]string(nil), core...),
			"golang.org/x/sync/", mod+"credential", mod+"kubelet", mod+"internal/safefile",
			mod+"internal/redact"), // redact masks echoed credentials: standard library only
			forbidden: append([]string{"k8s.io/"}, observability...)},
		{name: "resolvers and record stores", pkgs: []string{mod + "cache", mod + "registry"}, forbidden: observability,
			required: []string{"oras.land/oras-go/v2/registry/remote/auth"}},
		{name: "Prometheus adapter", pkgs: []string{mod + "kubelet/metrics"},
			forbidden: []string{"k8s.io/", "oras.land/", "google.golang.org/grpc", mod + "cache", mod + "registry", mod + "cri"},
			required:  []string{"github.com/prometheus/client_golang/prometheus", mod + "kubelet"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, tc.pkgs...)
			out, err := exec.CommandContext(t.Context(), "go", args...).Output()
			require.NoError(t, err)
			var seen []string
			for _, pkg := range strings.Fields(string(out)) {
				seen = append(seen, pkg)
				assert.True(t, tc.allowed == nil || allowed(pkg, tc.allowed), "%s links %s", tc.name, pkg)
				assert.False(t, allowed(pkg, tc.forbidden), "%s links %s", tc.name, pkg)
			}
			for _, pkg := range append([]string{"github.com/distribution/reference"}, tc.required...) {
				assert.Contains(t, seen, pkg, "the guard sees the real dependencies")
			}
		})
	}
}

// allowed reports whether pkg is one of allowed, or below one (an entry ending in "/" is a
// plain prefix).
func allowed(pkg string, allowed []string) bool {
	for _, a := range allowed {
		if pkg == a || strings.HasPrefix(pkg, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(pkg, a)) {
			return true
		}
	}
	return false
}

// TestKubernetesDependencies names the k8s.io boundary outright, beside the allow-lists above:
// the core and the image manager link nothing from k8s.io (the plugin-shaped packages that
// speak Kubernetes objects are apart), and the admission plugin and its webhook link the API
// types only — never the API server, client-go or the kubelet's manager, so a webhook binary
// stays small and a policy engine can embed the rules.
func TestKubernetesDependencies(t *testing.T) {
	const mod = "github.com/imagepull/imagepull/"
	tests := []struct {
		name string
		pkgs []string
		// forbidden are import-path prefixes none of the packages may link.
		forbidden []string
		// required are packages they must link, so the guard is known to see k8s.io at all.
		required []string
	}{
		{"core", []string{mod + "reference", mod + "pullpolicy"}, []string{"k8s.io/", "sigs.k8s.io/"}, nil},
		{"kubelet", []string{mod + "kubelet", mod + "kubelet/pullmanager"}, []string{"k8s.io/", "sigs.k8s.io/"}, nil},
		{"admission", []string{mod + "admission", mod + "admission/webhook"},
			[]string{"k8s.io/apiserver/", "k8s.io/client-go/", "k8s.io/kubernetes/", "github.com/prometheus/", mod + "kubelet", mod + "registry", mod + "cri"},
			[]string{"k8s.io/api/core/v1", "k8s.io/apimachinery/pkg/util/validation/field"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, tc.pkgs...)
			out, err := exec.CommandContext(t.Context(), "go", args...).Output()
			require.NoError(t, err)
			deps := strings.Fields(string(out))
			for _, pkg := range deps {
				for _, f := range tc.forbidden {
					assert.False(t, pkg == strings.TrimSuffix(f, "/") || strings.HasPrefix(pkg, f) ||
						(!strings.HasSuffix(f, "/") && strings.HasPrefix(pkg, f+"/")), "%s links %s", tc.name, pkg)
				}
			}
			for _, r := range tc.required {
				assert.Contains(t, deps, r)
			}
			assert.NotEmpty(t, deps)
		})
	}
}

// TestKubeDependencies guards the Kubernetes adapters: the API types live in kube (and lint
// above it), so that the core never links k8s.io; kube and lint link neither client-go (its
// recorder lives in kube/events) nor a registry client, gRPC or the container runtime.
func TestKubeDependencies(t *testing.T) {
	deps := func(pkgs ...string) []string {
		out, err := exec.CommandContext(t.Context(), "go", append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, pkgs...)...).Output()
		require.NoError(t, err)
		return strings.Fields(string(out))
	}
	core := deps("github.com/imagepull/imagepull/reference", "github.com/imagepull/imagepull/pullpolicy", "github.com/imagepull/imagepull/credential")
	for _, pkg := range core {
		assert.False(t, strings.HasPrefix(pkg, "k8s.io/") || strings.HasPrefix(pkg, "sigs.k8s.io/"), "the core links %s", pkg)
		assert.False(t, strings.Contains(pkg, "yaml"), "the core links %s", pkg)
	}
	assert.Contains(t, deps("github.com/imagepull/imagepull/kube/events"), "k8s.io/client-go/tools/record", "the guard sees kube/events' real dependencies")
	adapter := deps("github.com/imagepull/imagepull/kube", "github.com/imagepull/imagepull/lint")
	assert.Contains(t, adapter, "k8s.io/api/core/v1", "the guard sees kube's real dependencies")
	for _, pkg := range adapter {
		for _, banned := range []string{"oras.land/", "google.golang.org/grpc", "k8s.io/cri-api", "github.com/prometheus/", "github.com/imagepull/imagepull/registry", "github.com/imagepull/imagepull/cri", "github.com/imagepull/imagepull/registry/registrytest", "k8s.io/client-go/"} {
			assert.False(t, strings.HasPrefix(pkg, banned), "kube or lint links %s", pkg)
		}
	}
}
