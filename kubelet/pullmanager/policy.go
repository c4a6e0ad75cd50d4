package pullmanager

import (
	"errors"
	"fmt"
	"strings"
)

// VerificationPolicy is the kubelet's imagePullCredentialsVerificationPolicy (KEP-2535): when a
// pod must prove, with its own credentials, that it may use an image already on the node.
type VerificationPolicy string

// The four policies, spelled as in the KubeletConfiguration.
const (
	// NeverVerify never asks for verification: every pod may use every present image. Records
	// are still written.
	NeverVerify VerificationPolicy = "NeverVerify"
	// NeverVerifyPreloadedImages (the kubelet's default) verifies only images the kubelet pulled
	// itself (a pulled record, an intent on disk, or a pull in flight); images that reached the
	// node some other way are exempt.
	NeverVerifyPreloadedImages VerificationPolicy = "NeverVerifyPreloadedImages"
	// NeverVerifyAllowlistedImages verifies every image that does not match the allowlist,
	// whether or not the kubelet pulled it.
	NeverVerifyAllowlistedImages VerificationPolicy = "NeverVerifyAllowlistedImages"
	// AlwaysVerify verifies every image.
	AlwaysVerify VerificationPolicy = "AlwaysVerify"
)

// ErrInvalidVerificationPolicy is matched by the error of [ParseVerificationPolicy], whose text
// is the kubelet's: `unknown image pull credential verification policy: <value>`.
var ErrInvalidVerificationPolicy = errors.New("unknown image pull credential verification policy")

// ErrInvalidAllowlist is matched by the errors of [ValidateAllowlist]. Their texts are the
// kubelet's, for example `neither tag nor digest is accepted in an image reference: nginx`.
var ErrInvalidAllowlist = errors.New("invalid preloaded images verification allowlist")

// ParseVerificationPolicy returns the policy named s (case-sensitive). Anything else, the empty
// string included, is an error matching [ErrInvalidVerificationPolicy].
func ParseVerificationPolicy(s string) (VerificationPolicy, error) {
	switch p := VerificationPolicy(s); p {
	case NeverVerify, NeverVerifyPreloadedImages, NeverVerifyAllowlistedImages, AlwaysVerify:
		return p, nil
	}
	return "", fmt.Errorf("%w: %s", ErrInvalidVerificationPolicy, s)
}

// allowlistError carries the kubelet's text and matches ErrInvalidAllowlist and its cause.
type allowlistError struct {
	msg   string
	cause error
}

func (e *allowlistError) Error() string { return e.msg }

func (e *allowlistError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrInvalidAllowlist}
	}
	return []error{ErrInvalidAllowlist, e.cause}
}

func allowlistErrorf(cause error, format string, args ...any) error {
	return &allowlistError{msg: fmt.Sprintf(format, args...), cause: cause}
}

// ValidateAllowlist checks preloadedImagesVerificationAllowlist patterns as the kubelet does
// (getAllowlistImagePattern, pkg/kubelet/images/pullmanager/image_pull_policies.go:141) and
// returns the first problem. A pattern is either an image name without tag or digest, taken as
// written ("nginx", "library/busybox" and "docker.io/library/nginx" are three different
// entries, and "nginx:1.25" is refused), or a prefix ending in "/*"
// ("registry.example.com/team/*"). No other "*" is allowed, and no surrounding whitespace.
func ValidateAllowlist(patterns []string) error {
	_, err := newAllowlist(patterns)
	return err
}

// allowlist is a parsed allowlist: exact repositories and wildcard prefixes.
type allowlist struct {
	exact    map[string]struct{}
	prefixes []string
}

func newAllowlist(patterns []string) (allowlist, error) {
	a := allowlist{exact: make(map[string]struct{})}
	for _, p := range patterns {
		pattern, wildcard, err := parseAllowlistPattern(p)
		if err != nil {
			return allowlist{}, err
		}
		if wildcard {
			a.prefixes = append(a.prefixes, pattern)
		} else {
			a.exact[pattern] = struct{}{}
		}
	}
	return a, nil
}

// parseAllowlistPattern returns the pattern to match ("x/" for "x/*") and whether it is a prefix.
func parseAllowlistPattern(p string) (string, bool, error) {
	if p != strings.TrimSpace(p) {
		return "", false, allowlistErrorf(nil, "leading/trailing spaces are not allowed: %s", p)
	}
	trimmed, wildcard := p, strings.HasSuffix(p, "/*")
	if wildcard {
		trimmed = strings.TrimSuffix(p, "*")
	}
	switch {
	case trimmed == "":
		return "", false, allowlistErrorf(nil, "the supplied pattern is too short: %s", p)
	case strings.Contains(trimmed, "*"):
		return "", false, allowlistErrorf(nil, "not a valid wildcard pattern, only patterns ending with '/*' are allowed: %s", p)
	case wildcard && len(trimmed) == 1:
		return "", false, allowlistErrorf(nil, "at least registry hostname is required")
	case wildcard:
		return trimmed, true, nil
	}
	key, err := RecordKey(trimmed)
	if err != nil {
		return "", false, allowlistErrorf(err, "failed to parse as an image name: %v", err)
	}
	if key != trimmed {
		return "", false, allowlistErrorf(nil, "neither tag nor digest is accepted in an image reference: %s", p)
	}
	return trimmed, false, nil
}

// matches reports whether the pod's image string is allowlisted (the kubelet's imageMatches,
// image_pull_policies.go:112): its [RecordKey] (the raw string when that fails) equals an
// entry, or starts with a wildcard's prefix. Nothing is normalised: "test.io/test/image:tag"
// and "test.io/test/image@sha256:…" match the entry "test.io/test/image", "ubuntu:22.04"
// matches "ubuntu", and "busybox:1.36" does not match "docker.io/library/busybox".
func (a allowlist) matches(image string) bool {
	key, err := RecordKey(image)
	if err != nil {
		key = image
	}
	if _, ok := a.exact[key]; ok {
		return true
	}
	for _, p := range a.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// requiresVerification is the kubelet's RequireCredentialVerificationForImage.
func requiresVerification(p VerificationPolicy, a allowlist, image string, pulledByKubelet bool) bool {
	switch p {
	case NeverVerify:
		return false
	case NeverVerifyPreloadedImages:
		return pulledByKubelet
	case NeverVerifyAllowlistedImages:
		return !a.matches(image)
	}
	return true
}
