package pullpolicy_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLayerDependencies fails when a layer links more than it may: importing the core
// (reference, pullpolicy) must never drag in oras, gRPC, k8s.io, Prometheus or a registry, and
// importing the kubelet's image manager must never link k8s.io, Prometheus or an adapter
// (cache, registry, cri) — adapters implement its interfaces instead.
func TestLayerDependencies(t *testing.T) {
	const mod = "github.com/imagepull/imagepull/"
	core := []string{
		"github.com/distribution/reference",
		"github.com/opencontainers/go-digest",
		mod + "reference",
		mod + "pullpolicy",
		mod + "internal/quote",
	}
	tests := []struct {
		name    string
		pkgs    []string
		allowed []string
	}{
		{"core", []string{mod + "reference", mod + "pullpolicy"}, core},
		{"kubelet", []string{mod + "kubelet", mod + "kubelet/pullmanager"}, append(append([]string(nil), core...),
			"golang.org/x/sync/", mod+"credential", mod+"kubelet")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, tc.pkgs...)
			out, err := exec.CommandContext(t.Context(), "go", args...).Output()
			require.NoError(t, err)
			var seen []string
			for _, pkg := range strings.Fields(string(out)) {
				seen = append(seen, pkg)
				assert.True(t, allowed(pkg, tc.allowed), "%s links %s", tc.name, pkg)
			}
			assert.Contains(t, seen, "github.com/distribution/reference", "the guard sees the real dependencies")
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
