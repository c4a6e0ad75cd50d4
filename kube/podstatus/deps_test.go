package podstatus_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDependencies: the status packages link the API types, the image manager and nothing
// heavy: no client-go, no virtual-kubelet, no gRPC or CRI, no Prometheus, no kubelet code.
func TestDependencies(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/imagepull/imagepull/kube/podstatus", "github.com/imagepull/imagepull/kube/nodestatus").Output()
	require.NoError(t, err)
	seen := strings.Fields(string(out))
	forbidden := []string{
		"k8s.io/client-go", "github.com/virtual-kubelet", "google.golang.org/grpc", "k8s.io/cri-api",
		"github.com/prometheus", "k8s.io/kubernetes", "github.com/imagepull/imagepull/cri",
		"github.com/imagepull/imagepull/registry", "github.com/imagepull/imagepull/kube/events",
	}
	for _, pkg := range seen {
		for _, f := range forbidden {
			assert.False(t, pkg == f || strings.HasPrefix(pkg, f+"/"), "the status packages link %s", pkg)
		}
	}
	assert.Contains(t, seen, "k8s.io/api/core/v1", "the guard sees the real dependencies")
	assert.Contains(t, seen, "github.com/imagepull/imagepull/kubelet")
}
