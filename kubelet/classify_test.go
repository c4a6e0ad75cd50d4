package kubelet

import (
	"errors"
	"fmt"
	"testing"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
)

// TestClassifyPullErr checks the kubelet's evalCRIPullErr (cases M5–M9, E17, E19): the
// runtime error is classified by the prefix of its text.
func TestClassifyPullErr(t *testing.T) {
	tests := []struct {
		name   string // the kubelet's case name; "" for the error's text
		err    error
		reason error
		msg    string
	}{
		// The kubelet's TestEvalCRIPullErr, pkg/kubelet/images/image_manager_test.go:1314, by its case names.
		{"fallback error", errors.New("test"), pullpolicy.ErrImagePull, "test"},
		{"registry is unavailable", pullpolicy.ErrRegistryUnavailable, pullpolicy.ErrRegistryUnavailable, "image pull failed for test because the registry is unavailable"},
		{"registry is unavailable with additional error message", fmt.Errorf("%v: foo", pullpolicy.ErrRegistryUnavailable), pullpolicy.ErrRegistryUnavailable, "image pull failed for test because the registry is unavailable: foo"},
		{"signature is invalid", pullpolicy.ErrSignatureValidationFailed, pullpolicy.ErrSignatureValidationFailed, "image pull failed for test because the signature validation failed"},
		{"signature is invalid with additional error message (wrapped)", fmt.Errorf("%w: bar", pullpolicy.ErrSignatureValidationFailed), pullpolicy.ErrSignatureValidationFailed, "image pull failed for test because the signature validation failed: bar"},
		// Beyond the kubelet's cases.
		{"", errors.New("[RegistryUnavailable: a, RegistryUnavailable: b]"), pullpolicy.ErrImagePull, "[RegistryUnavailable: a, RegistryUnavailable: b]"},
		{"", fmt.Errorf("wrapped: %w", pullpolicy.ErrRegistryUnavailable), pullpolicy.ErrImagePull, "wrapped: RegistryUnavailable"},
	}
	for _, tc := range tests {
		name := tc.name
		if name == "" {
			name = tc.err.Error()
		}
		t.Run(name, func(t *testing.T) {
			f := classifyPullErr("test", tc.err)
			assert.Equal(t, tc.reason, f.reason)
			assert.Equal(t, tc.msg, f.msg)
		})
	}
}
