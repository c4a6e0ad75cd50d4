package pullpolicy

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestClassifyPullErr checks the kubelet's evalCRIPullErr (cases M5–M9, E17, E19): the
// runtime error is classified by the prefix of its text.
func TestClassifyPullErr(t *testing.T) {
	tests := []struct {
		err    error
		reason error
		msg    string
	}{
		{errors.New("test"), ErrImagePull, "test"},
		{ErrRegistryUnavailable, ErrRegistryUnavailable, "image pull failed for test because the registry is unavailable"},
		{fmt.Errorf("%v: foo", ErrRegistryUnavailable), ErrRegistryUnavailable, "image pull failed for test because the registry is unavailable: foo"},
		{ErrSignatureValidationFailed, ErrSignatureValidationFailed, "image pull failed for test because the signature validation failed"},
		{fmt.Errorf("%w: bar", ErrSignatureValidationFailed), ErrSignatureValidationFailed, "image pull failed for test because the signature validation failed: bar"},
		{errors.New("[RegistryUnavailable: a, RegistryUnavailable: b]"), ErrImagePull, "[RegistryUnavailable: a, RegistryUnavailable: b]"},
		{fmt.Errorf("wrapped: %w", ErrRegistryUnavailable), ErrImagePull, "wrapped: RegistryUnavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.err.Error(), func(t *testing.T) {
			f := classifyPullErr("test", tc.err)
			assert.Equal(t, tc.reason, f.reason)
			assert.Equal(t, tc.msg, f.msg)
		})
	}
}
