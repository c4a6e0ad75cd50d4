package credential_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

// TestPatternMatch: the kubelet's URLsMatchStr cases (pkg/credentialprovider keyring_test.go:30
// TestURLsMatch), then the traps: ports, "*." at the apex, path prefixes, IP hosts, case.
func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern string // a matchImages entry or an auth key
		image   string // a repository, as the kubelet asks
		want    bool
	}{
		// The kubelet's own cases, all 18 (keyring_test.go:38-129, k8s.io/kubernetes v1.37.2).
		{"*.kubernetes.io", "prefix.kubernetes.io", true},
		{"prefix.*.io", "prefix.kubernetes.io", true},
		{"prefix.kubernetes.*", "prefix.kubernetes.io", true},
		{"*-good.kubernetes.io", "prefix-good.kubernetes.io", true},
		{"*.kubernetes.io/blah", "prefix.kubernetes.io/blah", true},
		{"prefix.*.io/foo", "prefix.kubernetes.io/foo/bar", true},
		{"*.kubernetes.io:1111/blah", "prefix.kubernetes.io:1111/blah", true},
		{"prefix.*.io:1111/foo", "prefix.kubernetes.io:1111/foo/bar", true},
		{"*.kubernetes.io", "kubernetes.io", false},
		{"*.*.kubernetes.io", "prefix.kubernetes.io", false},
		{"*.*.kubernetes.io", "kubernetes.io", false},
		{"*kubernetes.io", "a.kubernetes.io", false},
		{"*kubernetes.io", "kubernetes.io", true},
		{"*.*.*.kubernetes.io", "a.b.c.kubernetes.io", true},
		{"kubernetes.io", "kubernetes.com", false},
		{"k*.io", "quay.io", false},
		{"*.kubernetes.io:1234/blah", "prefix.kubernetes.io:1111/blah", false},
		{"prefix.*.io/foo", "prefix.kubernetes.io:1111/foo/bar", false},

		// Ports: a pattern without a port matches only images without one, and the other way.
		{"registry.io", "registry.io:5000/app", false},
		{"registry.io:5000", "registry.io/app", false},
		{"registry.io:5000", "registry.io:5000/app", true},
		// "*." at the apex: one label per "*", never zero, never two.
		{"*.azurecr.io", "azurecr.io/app", false},
		{"*.azurecr.io", "team.azurecr.io/app", true},
		{"*.azurecr.io", "a.team.azurecr.io/app", false},
		{"*", "localhost/app", true},
		{"*", "docker.io/library/nginx", false},
		{"*.*", "docker.io/library/nginx", true},
		// Path prefixes are string prefixes, not path-segment prefixes.
		{"quay.io/team", "quay.io/team/app", true},
		{"quay.io/team", "quay.io/teamwork/app", true},
		{"quay.io/team/", "quay.io/team", false},
		{"quay.io/team/app", "quay.io/team", false},
		{"quay.io/*", "quay.io/team/app", false}, // no glob in the path
		// IP hosts: four labels, each matched on its own.
		{"127.0.0.1:5000", "127.0.0.1:5000/app", true},
		{"*.*.*.*:5000", "127.0.0.1:5000/app", true},
		{"127.0.0.*", "127.0.0.1/app", true},
		{"127.0.0.1", "127.0.0.1:5000/app", false},
		{"[::1]:5000", "[::1]:5000/app", true},
		// Host names are case-sensitive, as in the kubelet.
		{"Registry.io", "registry.io/app", false},
		// A scheme makes "https:" the host: such a pattern matches nothing.
		{"https://registry.io", "registry.io/app", false},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.image, func(t *testing.T) {
			p, err := credential.ParsePattern(tc.pattern)
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.Match(tc.image))
			assert.Equal(t, tc.pattern, p.String())
		})
	}
}

func TestParsePatternErrors(t *testing.T) {
	tests := []struct {
		pattern string
		want    string // url.Parse's error, as the kubelet reports it
	}{
		{"%invalid%", `parse "https://%invalid%": invalid URL escape "%in"`},
		{"foo bar", `parse "https://foo bar": invalid character " " in host name`},
		{"registry.io:port", `parse "https://registry.io:port": invalid port ":port" after host`},
		{"registry.io:*", `parse "https://registry.io:*": invalid port ":*" after host`}, // no glob in a port
		{"reg[.io", `parse "https://reg[.io": invalid IP-literal`},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			_, err := credential.ParsePattern(tc.pattern)
			require.EqualError(t, err, tc.want)
		})
	}
	var zero credential.Pattern
	assert.False(t, zero.Match("registry.io/app"), "the zero Pattern matches nothing")
}
