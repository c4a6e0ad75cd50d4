package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstart runs the tour against its loopback registry and checks the story it tells:
// each step's decision and the registry traffic it caused.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out))
	text := regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(out.String(), "REG")

	for _, want := range []string{
		"Always         nginx:latest@sha256:e3b0c44298fc…    nginx:latest@sha256:e3b0c44298fc…",
		"2. Never, image absent: the kubelet refuses to pull\n   policy Never → Fail\n   event  ErrImageNeverPull: Container image \"REG/demo/app:v1\" is not present with pull policy of Never",
		"4. IfNotPresent, image present: used, the registry is not contacted\n   policy IfNotPresent → UseLocal",
		"5. IfNotPresent after the re-push: keeps the stale local image\n   policy IfNotPresent → UseLocal",
		"6. Always after the re-push: sees the new digest and pulls it by digest\n   policy Always → Pull",
		"7. Always, tag unchanged: uses the local image after one HEAD and no GET\n   policy Always → UseLocal",
		"8. Always, registry down: fails with RegistryUnavailable\n   policy Always → Fail",
		"(errors.Is ErrRegistryUnavailable: true)",
		"   stale  the registry is unavailable; using the digest it gave",
	} {
		assert.Contains(t, text, want)
	}
	steps := regexp.MustCompile(`(?m)^(\d+b?)\. .*\n(?:   .*\n)*?   registry saw (\d+) HEAD, (\d+) GET`).FindAllStringSubmatch(text, -1)
	counts := map[string]string{}
	for _, m := range steps {
		counts[m[1]] = m[2] + "/" + m[3]
	}
	assert.Equal(t, map[string]string{
		"2": "0/0", "3": "0/0", "4": "0/0", "5": "0/0", "6": "1/0", "7": "1/0", "7b": "1/0", "8": "0/0", "9": "0/0",
	}, counts, "HEAD/GET of manifests per step")
	// Step 6 pulls the new digest, never the moving tag.
	assert.Regexp(t, `6\. .*\n(?:   .*\n)*   pull   REG/demo/app@sha256:`, text)
}
