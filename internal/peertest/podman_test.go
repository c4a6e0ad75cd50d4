package peertest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.podman.io/common/pkg/config"

	"github.com/imagepull/imagepull/pullpolicy/dialect"
)

// TestPodmanAgainstContainersCommon compares dialect.Parse(Podman, v) with Podman's own
// ParsePullPolicy: the same values accepted, the same canonical name, the same error text.
func TestPodmanAgainstContainersCommon(t *testing.T) {
	seeds := []string{"always", "missing", "ifmissing", "ifnotpresent", "IfNotPresent", "", "newer", "ifnewer", "never",
		"if-not-present", "if_not_present", "true", "false", " always", "always ", "newest", "Kalways", "\u212Aeep",
		"ALWAYS", "NeVeR", "\x00", "missing\n"}
	accepted := 0
	for _, v := range corpus(seeds, "alwysmingnewrtpfAIMNWEK -_", 20000) {
		ours, ourErr := dialect.Parse(dialect.Podman, v)
		theirs, theirErr := config.ParsePullPolicy(v)
		if !assert.Equal(t, theirErr == nil, ourErr == nil, "%q: ours %v, Podman's %v", v, ourErr, theirErr) {
			continue
		}
		if theirErr != nil {
			assert.Equal(t, theirErr.Error(), ourErr.Error(), "%q", v)
			continue
		}
		accepted++
		assert.Equal(t, theirs.String(), ours.Name, "%q", v)
	}
	assert.Greater(t, accepted, 30, "the corpus exercises accepted values too")
}
