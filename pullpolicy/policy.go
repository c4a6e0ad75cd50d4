package pullpolicy

import (
	"fmt"

	"github.com/imagepull/imagepull/reference"
)

// Policy is a container's imagePullPolicy. The zero Policy means "not set": [Decide] then
// defaults it from the image with the API server's rule ([Default]).
type Policy string

// The three pull policies Kubernetes accepts, spelled exactly as in the Pod API.
const (
	// Always asks the registry on every container start.
	Always Policy = "Always"
	// IfNotPresent uses a local image when there is one and pulls otherwise.
	IfNotPresent Policy = "IfNotPresent"
	// Never uses only local images and fails when the image is absent.
	Never Policy = "Never"
)

// ParsePolicy returns the Policy named by s. It is strict and case-sensitive, like the API
// server's validation: "always" is rejected with
//
//	Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"
//
// and the empty string with `Required value`. Both errors match [ErrInvalidPolicy].
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case Always, IfNotPresent, Never:
		return p, nil
	case "":
		return "", fmt.Errorf("%w: Required value", ErrInvalidPolicy)
	default:
		return "", &policyError{value: s}
	}
}

// String returns the policy's name; the zero Policy gives "".
func (p Policy) String() string { return string(p) }

// IsValid reports whether p is one of [Always], [IfNotPresent] and [Never].
func (p Policy) IsValid() bool { return p == Always || p == IfNotPresent || p == Never }

// MarshalText returns the policy's name.
func (p Policy) MarshalText() ([]byte, error) { return []byte(p), nil }

// UnmarshalText parses text with [ParsePolicy]; empty text gives the zero Policy.
func (p *Policy) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*p = ""
		return nil
	}
	parsed, err := ParsePolicy(string(text))
	if err != nil {
		return err
	}
	*p = parsed
	return nil
}

// Default returns the policy the API server gives a container whose imagePullPolicy is empty
// (SetDefaults_Container in pkg/apis/core/v1): [Always] when the kubelet's parser reports the
// tag "latest" — an image with no tag and no digest, ":latest", or ":latest@sha256:…" — and
// [IfNotPresent] otherwise, including for an image that does not parse. It never fails.
func Default(image string) Policy {
	img, err := reference.Parse(image)
	if err != nil {
		return IfNotPresent
	}
	return DefaultFor(img)
}

// DefaultFor is [Default] for an image already parsed: [Always] when its tag is "latest"
// (given or implied), [IfNotPresent] otherwise.
func DefaultFor(img reference.Image) Policy {
	if img.Tag() == "latest" {
		return Always
	}
	return IfNotPresent
}

// policyError is the API server's NotSupported error for an unknown policy.
type policyError struct{ value string }

func (e *policyError) Error() string {
	return fmt.Sprintf("Unsupported value: %q: supported values: %q, %q, %q", e.value, Always, IfNotPresent, Never)
}

func (e *policyError) Unwrap() error { return ErrInvalidPolicy }
