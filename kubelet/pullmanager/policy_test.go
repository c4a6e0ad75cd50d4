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

// TestAllowlistValidation is L7–L16 and L20 (the kubelet's TestNewNeverVerifyAllowListedPullPolicy).
func TestAllowlistValidation(t *testing.T) {
	tests := []struct {
		pattern string
		wantErr string // "" = valid
	}{
		{"test.io/test/image1", ""},
		{"test.io/test/*", ""},
		{"test.io/*", ""},
		{"docker.io/library/nginx", ""},
		{"nginx/*", ""},
		{"image.repo/pokus*/imagename", "not a valid wildcard pattern, only patterns ending with '/*' are allowed: image.repo/pokus*/imagename"},
		{"image.repo/pokus*", "not a valid wildcard pattern, only patterns ending with '/*' are allowed: image.repo/pokus*"},
		{"image.repo/*/imagename", "not a valid wildcard pattern, only patterns ending with '/*' are allowed: image.repo/*/imagename"},
		{"/*", "at least registry hostname is required"},
		{"image.repo/", "failed to parse as an image name: invalid reference format"},
		{"", "the supplied pattern is too short: "},
		{"*", "not a valid wildcard pattern, only patterns ending with '/*' are allowed: *"},
		{"test.io/test/image1:tagged", "neither tag nor digest is accepted in an image reference: test.io/test/image1:tagged"},
		{"test.io/test/image1@sha256:38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd",
			"neither tag nor digest is accepted in an image reference: test.io/test/image1@sha256:38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd"},
		{"test.io/test/image1 ", "leading/trailing spaces are not allowed: test.io/test/image1 "},
		{"nginx", "neither tag nor digest is accepted in an image reference: nginx"},
		{"user/app", "neither tag nor digest is accepted in an image reference: user/app"},
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
	_, err := New(Config{Policy: AlwaysVerify, Allowlist: []string{"nginx"}})
	assert.NoError(t, err)
}

// TestRequiresVerification is L1–L6, L17–L19, L21, L22 and L24 (the kubelet's
// TestNeverVerifyPreloadedPullPolicy and TestNeverVerifyAllowListedPullPolicy), with the
// allowlist matched against the raw image string as in v1.36.3.
func TestRequiresVerification(t *testing.T) {
	const tagged, untagged = "test.io/test/test-image:tag", "test.io/test/test-image"
	abs := []string{"test.io/test/image1", "test.io/test/image2", "test.io/test/image3"}
	tests := []struct {
		name           string
		policy         VerificationPolicy
		allowlist      []string
		wantAbs, wantP int // parsed absolute entries and wildcard prefixes
		image          string
		pulled         bool
		want           bool
	}{
		{name: "L1 preloaded", policy: NeverVerifyPreloadedImages, image: tagged, want: false},
		{name: "L2 pulled by the kubelet", policy: NeverVerifyPreloadedImages, image: tagged, pulled: true, want: true},
		{name: "NeverVerify", policy: NeverVerify, image: tagged, pulled: true, want: false},
		{name: "AlwaysVerify", policy: AlwaysVerify, image: tagged, want: true},
		{name: "L3 not listed", policy: NeverVerifyAllowlistedImages, allowlist: abs, wantAbs: 3, image: tagged, want: true},
		{name: "L4 duplicates collapse", policy: NeverVerifyAllowlistedImages, wantAbs: 3, image: tagged, pulled: true, want: true,
			allowlist: []string{"test.io/test/image1", "test.io/test/image3", "test.io/test/image2", "test.io/test/image3"}},
		{name: "L5 v1.36.3: a tagged image does not match its repository", policy: NeverVerifyAllowlistedImages, wantAbs: 4, image: tagged, want: true,
			allowlist: append([]string{"test.io/test/test-image"}, abs...)},
		{name: "L6 v1.36.3: nor when pulled", policy: NeverVerifyAllowlistedImages, wantAbs: 4, image: tagged, pulled: true, want: true,
			allowlist: append([]string{"test.io/test/test-image"}, abs...)},
		{name: "L24 L5 untagged", policy: NeverVerifyAllowlistedImages, wantAbs: 4, image: untagged, want: false,
			allowlist: append([]string{"test.io/test/test-image"}, abs...)},
		{name: "L24 L6 untagged", policy: NeverVerifyAllowlistedImages, wantAbs: 4, image: untagged, pulled: true, want: false,
			allowlist: append([]string{"test.io/test/test-image"}, abs...)},
		{name: "L17 other wildcard", policy: NeverVerifyAllowlistedImages, wantAbs: 2, wantP: 1, image: tagged, want: true,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "different.repo/test/*"}},
		{name: "L18 repository wildcard", policy: NeverVerifyAllowlistedImages, wantAbs: 2, wantP: 1, image: tagged, want: false,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "test.io/test/*"}},
		{name: "L19 registry wildcard", policy: NeverVerifyAllowlistedImages, wantAbs: 2, wantP: 1, image: tagged, want: false,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "test.io/*"}},
		{name: "L24 L18 untagged", policy: NeverVerifyAllowlistedImages, wantAbs: 2, wantP: 1, image: untagged, want: false,
			allowlist: []string{"test.io/test/image1", "test.io/test/image2", "test.io/test/*"}},
		{name: "L21 v1.36.3: a familiar name does not match", policy: NeverVerifyAllowlistedImages, wantAbs: 1, image: "alpine:3.20", want: true,
			allowlist: []string{"docker.io/library/alpine"}},
		{name: "L21 the full name without tag matches", policy: NeverVerifyAllowlistedImages, wantAbs: 1, image: "docker.io/library/alpine", want: false,
			allowlist: []string{"docker.io/library/alpine"}},
		{name: "L22 v1.36.3: a familiar wildcard matches the raw string", policy: NeverVerifyAllowlistedImages, wantP: 1, image: "nginx/app:1", want: false,
			allowlist: []string{"nginx/*"}},
		{name: "wildcard is a plain prefix", policy: NeverVerifyAllowlistedImages, wantP: 1, image: "docker.io/library/busybox:1.36", want: false,
			allowlist: []string{"docker.io/library/*"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := newAllowlist(tc.allowlist)
			require.NoError(t, err)
			assert.Len(t, a.exact, tc.wantAbs)
			assert.Len(t, a.prefixes, tc.wantP)
			assert.Equal(t, tc.want, requiresVerification(tc.policy, a, tc.image, tc.pulled))
		})
	}
}
