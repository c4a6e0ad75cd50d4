package pullpolicy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy"
)

const emptyDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// TestDefault is SEMANTICS-CASES.md group D: the API server's default for an empty policy.
func TestDefault(t *testing.T) {
	cases := []struct {
		id    string
		image string
		want  pullpolicy.Policy
	}{
		{"D1", "nginx", pullpolicy.Always},
		{"D2", "nginx:latest", pullpolicy.Always},
		{"D3", "nginx:1.25", pullpolicy.IfNotPresent},
		{"D4", "nginx@" + emptyDigest, pullpolicy.IfNotPresent},
		{"D5", "nginx:latest@" + emptyDigest, pullpolicy.Always},
		{"D6", "nginx:v1@" + emptyDigest, pullpolicy.IfNotPresent},
		{"D7a", "nginx:Latest", pullpolicy.IfNotPresent},
		{"D7b", "busybox:LATEST", pullpolicy.IfNotPresent},
		{"D8", "localhost:5000", pullpolicy.IfNotPresent},
		{"D9", "localhost:5000/foo", pullpolicy.Always},
		{"D10", "url:5000/repo", pullpolicy.Always},
		{"D11", "registry.k8s.io/pause:3.10", pullpolicy.IfNotPresent},
		{"D12", "ROOT", pullpolicy.IfNotPresent},
		{"D13", "", pullpolicy.IfNotPresent},
		{"D14", "sha256:" + strings.Repeat("a", 64), pullpolicy.IfNotPresent},
		{"D15a", "reg.io/latest:latest", pullpolicy.Always},
		{"D15b", "registry:5000/latest", pullpolicy.Always},
		{"whitespace", " nginx", pullpolicy.IfNotPresent},
		{"64-hex", strings.Repeat("a", 64), pullpolicy.IfNotPresent},
		{"scheme", "http://x", pullpolicy.IfNotPresent},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			assert.Equal(t, tc.want, pullpolicy.Default(tc.image))
		})
	}
}

// TestParsePolicy is group V: strict, case-sensitive, with the API server's wording.
func TestParsePolicy(t *testing.T) {
	cases := []struct {
		id    string
		input string
		want  pullpolicy.Policy
		err   string // the API server's text; "" for a valid policy
	}{
		{"V1a", "Always", pullpolicy.Always, ""},
		{"V1b", "IfNotPresent", pullpolicy.IfNotPresent, ""},
		{"V1c", "Never", pullpolicy.Never, ""},
		{"V2", "", "", "invalid image pull policy: Required value"},
		{"V3a", "always", "", `Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"`},
		{"V3b", "IfnotPresent", "", `Unsupported value: "IfnotPresent": supported values: "Always", "IfNotPresent", "Never"`},
		{"space", " Always", "", `Unsupported value: " Always": supported values: "Always", "IfNotPresent", "Never"`},
		{"control", "Never\n", "", `Unsupported value: "Never\n": supported values: "Always", "IfNotPresent", "Never"`},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			got, err := pullpolicy.ParsePolicy(tc.input)
			if tc.err == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				assert.True(t, got.IsValid())
				return
			}
			assert.EqualError(t, err, tc.err)
			assert.ErrorIs(t, err, pullpolicy.ErrInvalidPolicy)
			assert.Empty(t, got)
		})
	}
}

func TestPolicyText(t *testing.T) {
	var p pullpolicy.Policy
	require.NoError(t, p.UnmarshalText([]byte("Never")))
	assert.Equal(t, pullpolicy.Never, p)
	text, err := p.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "Never", string(text))
	assert.ErrorIs(t, p.UnmarshalText([]byte("never")), pullpolicy.ErrInvalidPolicy)
	assert.Equal(t, pullpolicy.Never, p, "a failed UnmarshalText leaves the value alone")
	require.NoError(t, p.UnmarshalText(nil))
	assert.Equal(t, pullpolicy.Policy(""), p)
	assert.False(t, p.IsValid())
}
