package pullpolicy_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCoreDependencies fails when reference, pullpolicy or pullpolicy/dialect link anything
// beyond the standard library, distribution/reference, go-digest, golang.org/x/sync and this
// module's own dependency-light packages: importing the core must never drag in oras, gRPC,
// k8s.io or a registry.
func TestCoreDependencies(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/imagepull/imagepull/reference", "github.com/imagepull/imagepull/pullpolicy",
		"github.com/imagepull/imagepull/pullpolicy/dialect").Output()
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
	assert.Contains(t, seen, "github.com/imagepull/imagepull/pullpolicy/dialect", "the guard lists the dialects too")
}
