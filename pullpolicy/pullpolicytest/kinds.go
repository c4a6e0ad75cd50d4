package pullpolicytest

import (
	"errors"

	"github.com/imagepull/imagepull/pullpolicy"
)

// Kinds returns the pullpolicy sentinels that err matches with errors.Is, in the order they
// are declared. A failure of Decide matches exactly one, so a test asserts
// Kinds(err) == []error{want}.
func Kinds(err error) []error {
	var out []error
	for _, s := range []error{
		pullpolicy.ErrImagePullBackOff, pullpolicy.ErrImageInspect, pullpolicy.ErrImagePull,
		pullpolicy.ErrImageNeverPull, pullpolicy.ErrInvalidImageName, pullpolicy.ErrRegistryUnavailable,
		pullpolicy.ErrSignatureValidationFailed, pullpolicy.ErrInvalidPolicy, pullpolicy.ErrMisuse,
	} {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}
