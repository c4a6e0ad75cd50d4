package credential

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUpstreamIsDefaultRegistryMatch is the kubelet's TestIsDefaultRegistryMatch,
// pkg/credentialprovider/keyring_test.go:457 (k8s.io/kubernetes v1.37.2), its 8 cases.
func TestUpstreamIsDefaultRegistryMatch(t *testing.T) {
	for _, tc := range []struct {
		image string
		want  bool
	}{
		{"foo/bar", true},
		{"docker.io/foo/bar", true},
		{"index.docker.io/foo/bar", true},
		{"foo", true},
		{"", false},
		{"registry.tld/foo/bar", false},
		{"registry:5000/foo/bar", false},
		{"myhostdocker.io/foo/bar", false},
	} {
		t.Run(tc.image, func(t *testing.T) {
			assert.Equal(t, tc.want, isDefaultRegistryMatch(tc.image))
		})
	}
}
