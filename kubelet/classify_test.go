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
		err    error
		reason error
		msg    string
	}{
		{errors.New("test"), pullpolicy.ErrImagePull, "test"},
		{pullpolicy.ErrRegistryUnavailable, pullpolicy.ErrRegistryUnavailable, "image pull failed for test because the registry is unavailable"},
		{fmt.Errorf("%v: foo", pullpolicy.ErrRegistryUnavailable), pullpolicy.ErrRegistryUnavailable, "image pull failed for test because the registry is unavailable: foo"},
		{pullpolicy.ErrSignatureValidationFailed, pullpolicy.ErrSignatureValidationFailed, "image pull failed for test because the signature validation failed"},
		{fmt.Errorf("%w: bar", pullpolicy.ErrSignatureValidationFailed), pullpolicy.ErrSignatureValidationFailed, "image pull failed for test because the signature validation failed: bar"},
		{errors.New("[RegistryUnavailable: a, RegistryUnavailable: b]"), pullpolicy.ErrImagePull, "[RegistryUnavailable: a, RegistryUnavailable: b]"},
		{fmt.Errorf("wrapped: %w", pullpolicy.ErrRegistryUnavailable), pullpolicy.ErrImagePull, "wrapped: RegistryUnavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.err.Error(), func(t *testing.T) {
			f := classifyPullErr("test", tc.err)
			assert.Equal(t, tc.reason, f.reason)
			assert.Equal(t, tc.msg, f.msg)
		})
	}
}
