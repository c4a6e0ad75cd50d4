package credential

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// FuzzParseTarget: the allocation-free split of a repository agrees with the kubelet's parse
// (url.Parse, net.SplitHostPort) on every input.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{
		"docker.io/library/nginx", "quay.io:5000/team/app", "quay.io:/x", ":5000/x", ":", "", "/x", "//x",
		"host:port/x", "a:b:5000/x", "[::1]:5000/app", "Quay.IO/App", "a_b.io/x_y", "q.io/a%41", "q.io/a?b",
		"u@q.io/x", "q.io/a#b", "a..b/x", ".a.", "q.io:99999999999999999999/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, image string) {
		assert.Equal(t, parseTargetURL(image), parseTarget(image))
	})
}

func TestParseTargetDoesNotAllocate(t *testing.T) {
	for _, image := range []string{"docker.io/library/nginx", "registry.example.com:5000/team/app"} {
		assert.Zero(t, testing.AllocsPerRun(100, func() { _ = parseTarget(image) }), image)
	}
}
