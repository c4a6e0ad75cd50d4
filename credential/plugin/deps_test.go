package plugin_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDependencies: the plugin runner links only the standard library, the core packages and
// two small decoders (sigs.k8s.io/json and sigs.k8s.io/yaml, with the YAML parser) — no
// k8s.io module, no gRPC, no registry client — and the core and the image manager do not link
// it.
func TestDependencies(t *testing.T) {
	deps := func(pkgs ...string) []string {
		out, err := exec.CommandContext(t.Context(), "go", append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, pkgs...)...).Output()
		require.NoError(t, err)
		return strings.Fields(string(out))
	}
	allowed := []string{
		"github.com/imagepull/imagepull/credential", "github.com/imagepull/imagepull/reference",
		"github.com/distribution/reference", "github.com/opencontainers/go-digest", "golang.org/x/sync/",
		"sigs.k8s.io/json", "sigs.k8s.io/yaml", "go.yaml.in/yaml/",
		// standard library only: bounded text and bounded, non-blocking file reads
		"github.com/imagepull/imagepull/internal/clip", "github.com/imagepull/imagepull/internal/safefile",
		// standard library only: masking the secrets sent in a plugin's stderr
		"github.com/imagepull/imagepull/internal/redact",
	}
	seen := deps("github.com/imagepull/imagepull/credential/plugin")
	for _, pkg := range seen {
		ok := false
		for _, a := range allowed {
			if pkg == a || strings.HasPrefix(pkg, strings.TrimSuffix(a, "/")+"/") {
				ok = true
			}
		}
		assert.True(t, ok, "credential/plugin links %s", pkg)
	}
	assert.Contains(t, seen, "sigs.k8s.io/json", "the guard sees the real dependencies")
	for _, pkg := range deps("github.com/imagepull/imagepull/credential", "github.com/imagepull/imagepull/pullpolicy", "github.com/imagepull/imagepull/kubelet") {
		assert.NotContains(t, pkg, "credential/plugin", "the core and the image manager must not link the plugin runner")
		assert.False(t, strings.HasPrefix(pkg, "sigs.k8s.io/"), "%s is linked by the core or the image manager", pkg)
	}
	// The kustomize library (kube/kustomize, for the CLI) is large: the linter and the
	// manifest reader do not link it.
	for _, pkg := range deps("github.com/imagepull/imagepull/lint", "github.com/imagepull/imagepull/kube") {
		assert.False(t, strings.HasPrefix(pkg, "sigs.k8s.io/kustomize/") || strings.HasSuffix(pkg, "/kube/kustomize"),
			"%s is linked by lint or kube", pkg)
	}
	assert.Contains(t, deps("github.com/imagepull/imagepull/kube/kustomize"), "sigs.k8s.io/kustomize/api/krusty", "the guard sees kustomize")
}
