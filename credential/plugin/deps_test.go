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
}

// TestVirtualKubeletDependency: only the virtual-kubelet adapter (package virtualkubelet) and
// the examples built on it link github.com/virtual-kubelet/virtual-kubelet; the core, the
// image manager, kube/... and every other package of the module do not (issue 19).
func TestVirtualKubeletDependency(t *testing.T) {
	const vk = "github.com/virtual-kubelet/virtual-kubelet"
	out, err := exec.CommandContext(t.Context(), "go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "github.com/imagepull/imagepull/...").Output()
	require.NoError(t, err)
	mayLink := func(pkg string) bool {
		return pkg == "github.com/imagepull/imagepull/virtualkubelet" ||
			strings.HasPrefix(pkg, "github.com/imagepull/imagepull/virtualkubelet/") ||
			strings.HasPrefix(pkg, "github.com/imagepull/imagepull/examples/virtual-kubelet")
	}
	linked := map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		for _, d := range strings.Fields(deps) {
			if d == vk || strings.HasPrefix(d, vk+"/") {
				linked[pkg] = true
			}
		}
	}
	require.True(t, linked["github.com/imagepull/imagepull/virtualkubelet"], "the guard sees the adapter's dependency")
	for pkg := range linked {
		assert.True(t, mayLink(pkg), "%s links virtual-kubelet", pkg)
	}
	for _, pkg := range []string{"reference", "pullpolicy", "credential", "kubelet", "kubelet/pullmanager", "kube", "kube/events", "cache", "registry", "cri"} {
		assert.False(t, linked["github.com/imagepull/imagepull/"+pkg], "%s links virtual-kubelet", pkg)
	}
}
