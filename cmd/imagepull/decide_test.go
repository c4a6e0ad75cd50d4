package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestDecide runs decide on a node given with --present (or none), without a registry: the
// kubelet's own decisions.
func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // stdout
	}{
		{"no tag defaults to Always and pulls", []string{"nginx"}, exitOK, `image     nginx
policy    Always (no tag → Always)
node      no images (give --present or --runtime)
decision  Pull docker.io/library/nginx:latest
event     Normal Pulling: Pulling image "nginx"
`},
		{"a version tag defaults to IfNotPresent, present", []string{"nginx:1.25", "--present", "nginx:1.25"}, exitOK, `image     nginx:1.25
policy    IfNotPresent (tag 1.25 → IfNotPresent)
node      holds nginx:1.25
decision  UseLocal sha256:LOCALID
event     Normal Pulled: Container image "nginx:1.25" already present on machine
`},
		{"Never on a node without the image", []string{"--policy", "Never", "nginx:1.25", "--present", "redis:7,nginx:1.24"}, exitFailure, `image     nginx:1.25
policy    Never (set explicitly)
node      holds redis:7, nginx:1.24
decision  Fail ErrImageNeverPull
event     Warning ErrImageNeverPull: Container image "nginx:1.25" is not present with pull policy of Never
`},
		{"Never with the image under its full name", []string{"nginx:1.25", "--policy=Never", "--present", "docker.io/library/nginx:1.25"}, exitOK, `image     nginx:1.25
policy    Never (set explicitly)
node      holds docker.io/library/nginx:1.25
decision  UseLocal sha256:LOCALID
event     Normal Pulled: Container image "nginx:1.25" already present on machine
`},
		{"tag latest with a digest: Always, and without a registry the kubelet pulls", []string{"nginx:latest@" + testDigest, "--present", "nginx@" + testDigest}, exitOK, `image     nginx:latest@` + testDigest + `
policy    Always (tag latest → Always (the digest is not looked at))
node      holds nginx@` + testDigest + `
decision  Pull docker.io/library/nginx:latest@` + testDigest + `
event     Normal Pulling: Pulling image "nginx:latest@` + testDigest + `"
`},
		{"a digest alone defaults to IfNotPresent", []string{"ghcr.io/org/app@" + testDigest, "--present", "ghcr.io/org/app@" + testDigest}, exitOK, `image     ghcr.io/org/app@` + testDigest + `
policy    IfNotPresent (digest, no tag → IfNotPresent)
node      holds ghcr.io/org/app@` + testDigest + `
decision  UseLocal sha256:LOCALID
event     Normal Pulled: Container image "ghcr.io/org/app@` + testDigest + `" already present on machine
`},
		{"an invalid name", []string{"Foo:bar"}, exitFailure, `image     Foo:bar
policy    IfNotPresent (invalid image name → IfNotPresent)
node      no images (give --present or --runtime)
decision  Fail InvalidImageName
event     Warning InspectFailed: Failed to apply default image tag "Foo:bar": couldn't parse image name "Foo:bar": invalid reference format: repository name (library/Foo) must be lowercase
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, append([]string{"decide"}, tc.args...)...)
			assert.Empty(t, res.stderr)
			assert.Equal(t, tc.code, res.code)
			assert.Equal(t, tc.want, localIDRE.ReplaceAllString(res.stdout, "UseLocal sha256:LOCALID"))
		})
	}
}

func TestDecideJSON(t *testing.T) {
	res := run(t, "decide", "nginx:1.25", "--policy", "Never", "-o", "json")
	require.Equal(t, exitFailure, res.code, res.stderr)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &got))
	assert.Equal(t, map[string]any{
		"image": "nginx:1.25", "policy": "Never", "policySource": "explicit", "why": "set explicitly",
		"node": "no images (give --present or --runtime)", "action": "Fail",
		"event": map[string]any{"type": "Warning", "reason": "ErrImageNeverPull",
			"message": `Container image "nginx:1.25" is not present with pull policy of Never`},
		"waiting": map[string]any{"reason": "ErrImageNeverPull",
			"message": `Container image "nginx:1.25" is not present with pull policy of Never`},
	}, got)
}

// TestDecideRegistry runs decide --registry against the loopback registry: under Always the
// registry's digest is asked for, the pull pinned to it, and a node holding that digest uses
// its image; registry failures are classified as the kubelet classifies them.
func TestDecideRegistry(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	dgst, err := reg.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	host := reg.Host()
	ph := placeholders{{host, "REGISTRY"}, {dgst.String(), "DIGEST"}}
	image := host + "/team/app:v1"
	base := []string{"decide", "--registry", "--plain-http", "127.0.0.1", "--policy", "Always"}

	for _, tc := range []struct {
		name  string
		args  []string
		stop  bool // the registry is stopped
		code  int
		want  string // stdout with placeholders
		heads int    // HEAD requests the registry saw
	}{
		{"the tag's digest is pulled", []string{image}, false, exitOK, `image     REGISTRY/team/app:v1
policy    Always (set explicitly)
node      no images (give --present or --runtime)
decision  Pull REGISTRY/team/app@DIGEST
registry  DIGEST
event     Normal Pulling: Pulling image "REGISTRY/team/app:v1"
`, 1},
		{"the node holds the digest", []string{image, "--present", host + "/team/app@" + dgst.String()}, false, exitOK, `image     REGISTRY/team/app:v1
policy    Always (set explicitly)
node      holds REGISTRY/team/app@DIGEST
decision  UseLocal sha256:LOCALID
registry  DIGEST
event     Normal Pulled: Container image "REGISTRY/team/app:v1" already present on machine
`, 1},
		{"an unknown tag", []string{host + "/team/app:v9"}, false, exitFailure, `image     REGISTRY/team/app:v9
policy    Always (set explicitly)
node      no images (give --present or --runtime)
decision  Fail ErrImagePull
event     Warning Failed: Failed to pull image "REGISTRY/team/app:v9": resolving "REGISTRY/team/app:v9" on REGISTRY: 404 Not Found: manifest or repository unknown
waiting   ErrImagePull: resolving "REGISTRY/team/app:v9" on REGISTRY: 404 Not Found: manifest or repository unknown
`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg.ResetCounts()
			res := run(t, append(base, tc.args...)...)
			assert.Empty(t, res.stderr)
			assert.Equal(t, tc.code, res.code)
			got := localIDRE.ReplaceAllString(ph.apply(res.stdout), "UseLocal sha256:LOCALID")
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.heads, reg.Count("HEAD", "/v2/team/app/manifests/"))
			assert.Zero(t, reg.Count("GET", "/v2/team/app/manifests/"), "a HEAD is enough")
		})
	}

	t.Run("the registry is down", func(t *testing.T) {
		down := registrytest.New(t, registrytest.Options{})
		downHost := down.Host()
		down.Stop()
		res := run(t, append(base, downHost+"/team/app:v1")...)
		assert.Equal(t, exitFailure, res.code)
		out := placeholders{{downHost, "REGISTRY"}}.apply(res.stdout)
		assert.Contains(t, out, "decision  Fail RegistryUnavailable\n")
		assert.Contains(t, out, `event     Warning Failed: Failed to pull image "REGISTRY/team/app:v1": `)
		assert.Contains(t, out, `waiting   RegistryUnavailable: image pull failed for REGISTRY/team/app:v1 because the registry is unavailable: `)
		assert.True(t, strings.Contains(out, "connection refused"), out)
	})
}
