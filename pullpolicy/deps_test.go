package pullpolicy_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCoreDependencies fails when reference or pullpolicy link anything beyond the standard
// library, distribution/reference, go-digest, golang.org/x/sync and this module's own
// dependency-light packages: importing the core must never drag in oras, gRPC or a registry.
func TestCoreDependencies(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/imagepull/imagepull/reference", "github.com/imagepull/imagepull/pullpolicy").Output()
	require.NoError(t, err)
	allowed := []string{
		"github.com/distribution/reference",
		"github.com/opencontainers/go-digest",
		"golang.org/x/sync/",
		"github.com/imagepull/imagepull/reference",
		"github.com/imagepull/imagepull/pullpolicy",
		"github.com/imagepull/imagepull/credential",
	}
	var seen []string
	for _, pkg := range strings.Fields(string(out)) {
		seen = append(seen, pkg)
		ok := false
		for _, a := range allowed {
			if pkg == a || strings.HasPrefix(pkg, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(pkg, a)) {
				ok = true
			}
		}
		assert.True(t, ok, "the core links %s", pkg)
	}
	assert.Contains(t, seen, "github.com/distribution/reference", "the guard sees the core's real dependencies")
}

// TestKubeDependencies guards the other direction: the Kubernetes API types live in kube (and
// lint above it), so that the core never links k8s.io, and kube stays an adapter: it must not
// link a registry client, gRPC or the container runtime.
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
	adapter := deps("github.com/imagepull/imagepull/kube", "github.com/imagepull/imagepull/lint")
	assert.Contains(t, adapter, "k8s.io/api/core/v1", "the guard sees kube's real dependencies")
	for _, pkg := range adapter {
		for _, banned := range []string{"oras.land/", "google.golang.org/grpc", "k8s.io/cri-api", "github.com/prometheus/", "github.com/imagepull/imagepull/registry", "github.com/imagepull/imagepull/cri", "github.com/imagepull/imagepull/internal/registrytest"} {
			assert.False(t, strings.HasPrefix(pkg, banned), "kube or lint links %s", pkg)
		}
	}
}
