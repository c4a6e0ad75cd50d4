package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/pullpolicy"
)

// TestEffectivePolicy: the policy and the reason given agree with pullpolicy.Default for every
// shape of image name.
func TestEffectivePolicy(t *testing.T) {
	for _, tc := range []struct {
		image   string
		written pullpolicy.Policy
		want    pullpolicy.Policy
		why     string
	}{
		{"nginx", "", pullpolicy.Always, "no tag → Always"},
		{"docker.io/library/nginx", "", pullpolicy.Always, "no tag → Always"},
		{"nginx:latest", "", pullpolicy.Always, "tag latest → Always"},
		{"nginx:1.25", "", pullpolicy.IfNotPresent, "tag 1.25 → IfNotPresent"},
		{"localhost:5000", "", pullpolicy.IfNotPresent, "tag 5000 → IfNotPresent"},
		{"nginx@" + testDigest, "", pullpolicy.IfNotPresent, "digest, no tag → IfNotPresent"},
		{"nginx:1.25@" + testDigest, "", pullpolicy.IfNotPresent, "tag 1.25 → IfNotPresent"},
		{"nginx:latest@" + testDigest, "", pullpolicy.Always, "tag latest → Always (the digest is not looked at)"},
		{"Nginx:1.25", "", pullpolicy.IfNotPresent, "invalid image name → IfNotPresent"},
		{"", "", pullpolicy.IfNotPresent, "invalid image name → IfNotPresent"},
		{"nginx", pullpolicy.IfNotPresent, pullpolicy.IfNotPresent, "set explicitly"},
		{"nginx:1.25", pullpolicy.Never, pullpolicy.Never, "set explicitly"},
	} {
		t.Run(tc.image+"/"+string(tc.written), func(t *testing.T) {
			got, why := effectivePolicy(tc.image, tc.written)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.why, why)
			if tc.written == "" {
				assert.Equal(t, pullpolicy.Default(tc.image), got, "the API server's default")
			}
		})
	}
}

func TestEventType(t *testing.T) {
	for reason, want := range map[string]string{
		pullpolicy.ReasonPulling: "Normal", pullpolicy.ReasonPulled: "Normal", pullpolicy.ReasonBackOff: "Normal",
		pullpolicy.ReasonFailed: "Warning", pullpolicy.ReasonInspectFailed: "Warning", pullpolicy.ReasonNeverPull: "Warning",
	} {
		assert.Equal(t, want, eventType(reason), reason)
	}
}
