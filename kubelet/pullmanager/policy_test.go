package pullmanager

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVerificationPolicy(t *testing.T) {
	for _, s := range []string{"NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages", "AlwaysVerify"} {
		p, err := ParseVerificationPolicy(s)
		require.NoError(t, err)
		assert.Equal(t, VerificationPolicy(s), p)
	}
	for _, s := range []string{"Foo", "", "neververify", "NeverVerifyAllowListedImages"} {
		_, err := ParseVerificationPolicy(s)
		require.ErrorIs(t, err, ErrInvalidVerificationPolicy)
		assert.EqualError(t, err, "unknown image pull credential verification policy: "+s) // L23
	}
	_, err := New(Config{Policy: "Foo"})
	assert.EqualError(t, err, "unknown image pull credential verification policy: Foo")
}

// TestAllowlistValidation checks the kubelet's exact error texts (getAllowlistImagePattern,
// pkg/kubelet/images/pullmanager/image_pull_policies.go:141), which the kubelet's own table
// (upstream_policies_test.go) checks only for "an error". Familiar names are accepted as written.
func TestAllowlistValidation(t *testing.T) {
	const dgst = "sha256:38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd"
	tests := []struct {
		pattern string
		wantErr string // "" = valid
	}{
		{"test.io/test/image1", ""},
		{"test.io/test/*", ""},
		{"test.io/*", ""},
		{"docker.io/library/nginx", ""},
		{"nginx/*", ""},
		{"nginx", ""},
		{"ubuntu", ""},
		{"library/busybox", ""},
		{"user/app", ""},
		{"localhost:5000/app", ""},
		{"image.repo/pokus*/imagename", "not a valid wildcard pattern, only patterns ending with '/*' are allowed: image.repo/pokus*/imagename"},
		{"image.repo/pokus*", "not a valid wildcard pattern, only patterns ending with '/*' are allowed: image.repo/pokus*"},
		{"image.repo/*/imagename", "not a valid wildcard pattern, only patterns ending with '/*' are allowed: image.repo/*/imagename"},
		{"/*", "at least registry hostname is required"},
		{"image.repo/", "failed to parse as an image name: invalid reference format"},
		{"Nginx", "failed to parse as an image name: repository name must be lowercase"},
		{"", "the supplied pattern is too short: "},
		{"*", "not a valid wildcard pattern, only patterns ending with '/*' are allowed: *"},
		{"test.io/test/image1:tagged", "neither tag nor digest is accepted in an image reference: test.io/test/image1:tagged"},
		{"test.io/test/image1@" + dgst, "neither tag nor digest is accepted in an image reference: test.io/test/image1@" + dgst},
		{"nginx:1.25", "neither tag nor digest is accepted in an image reference: nginx:1.25"},
		{"test.io/test/image1 ", "leading/trailing spaces are not allowed: test.io/test/image1 "},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			err := ValidateAllowlist([]string{"test.io/test/ok", tc.pattern})
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidAllowlist)
			assert.EqualError(t, err, tc.wantErr)
			_, err = New(Config{Policy: NeverVerifyAllowlistedImages, Allowlist: []string{tc.pattern}})
			assert.EqualError(t, err, tc.wantErr)
		})
	}
	// The allowlist is not read under another policy.
	_, err := New(Config{Policy: AlwaysVerify, Allowlist: []string{"nginx:1.25"}})
	assert.NoError(t, err)
}

// TestRequiresVerification adds cases beyond the kubelet's own table: NeverVerify,
// AlwaysVerify, and matching of spellings the kubelet's tests do not try.
func TestRequiresVerification(t *testing.T) {
	tests := []struct {
		name      string
		policy    VerificationPolicy
		allowlist []string
		image     string
		pulled    bool
		want      bool
	}{
		{name: "NeverVerify", policy: NeverVerify, image: "test.io/a:tag", pulled: true, want: false},
		{name: "AlwaysVerify", policy: AlwaysVerify, image: "test.io/a:tag", want: true},
		{name: "a familiar name does not match the full name", policy: NeverVerifyAllowlistedImages, image: "busybox:1.36",
			allowlist: []string{"docker.io/library/busybox"}, want: true},
		{name: "the full name with a tag matches it", policy: NeverVerifyAllowlistedImages, image: "docker.io/library/busybox:1.36",
			allowlist: []string{"docker.io/library/busybox"}, want: false},
		{name: "library/ is a spelling of its own", policy: NeverVerifyAllowlistedImages, image: "library/busybox:1.36",
			allowlist: []string{"busybox"}, want: true},
		{name: "tag and digest are both cut", policy: NeverVerifyAllowlistedImages,
			image:     "registry.io/team/app:v1@sha256:38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd",
			allowlist: []string{"registry.io/team/app"}, want: false},
		{name: "a port is not a tag", policy: NeverVerifyAllowlistedImages, image: "localhost:5000/app",
			allowlist: []string{"localhost:5000/app"}, want: false},
		{name: "a familiar wildcard matches a familiar name", policy: NeverVerifyAllowlistedImages, image: "nginx/app:1",
			allowlist: []string{"nginx/*"}, want: false},
		{name: "a wildcard is a plain prefix", policy: NeverVerifyAllowlistedImages, image: "docker.io/library/busybox:1.36",
			allowlist: []string{"docker.io/library/*"}, want: false},
		{name: "an unparsable image is matched as written", policy: NeverVerifyAllowlistedImages, image: "test.io/Upper:tag",
			allowlist: []string{"test.io/*"}, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := newAllowlist(tc.allowlist)
			require.NoError(t, err)
			assert.Equal(t, tc.want, requiresVerification(tc.policy, a, tc.image, tc.pulled))
		})
	}
}
