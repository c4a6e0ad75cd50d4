package reference_test

// The kubelet's own parser tests, translated case by case. Source: k8s.io/kubernetes v1.37.2
// pkg/util/parsers/parsers_test.go (v1.36.3 has the same cases).
//
// Count: 24 cases.
//   - TestParseImageName (:27), 13 unnamed cases (the input names them), all translated and
//     passing: lines 35-43 are TestParseKubeletCases P1–P9 and lines 45-47 TestParseErrors
//     P11–P13 (image_test.go); line 44 is below.
//   - TestParseCronSchedule (:63), 7 cases, and TestParseCronSchedulePanicRecovery (:159), 4
//     cases: not expressible. They test the cron schedule parser of the same Go package
//     (CronJob schedules), which has nothing to do with images; this library has no such
//     parser.

import (
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/reference"
)

// TestUpstreamParseImageName is the TestParseImageName case of parsers_test.go:44 that the
// group-P tables do not hold: a registry with a port, a tag and a digest.
func TestUpstreamParseImageName(t *testing.T) {
	tests := []struct {
		line                     int
		input, repo, tag, digest string
	}{
		{44, "url:5000/repo:latest@" + dg, "url:5000/repo", "latest", dg},
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			img, err := reference.Parse(tc.input)
			require.NoError(t, err)
			assert.Equal(t, tc.repo, img.Repository())
			assert.Equal(t, tc.tag, img.Tag())
			assert.Equal(t, digest.Digest(tc.digest), img.Digest())
		})
	}
}
