package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestDecideDialect: decide --dialect parses the policy as the system does (its own error
// text on a bad value), decides on the same node and registry, and names the nearest
// Kubernetes policy.
func TestDecideDialect(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	dgst, err := reg.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	host := reg.Host()
	down := registrytest.New(t, registrytest.Options{})
	downHost := down.Host()
	_, err = down.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	down.Stop()
	ph := placeholders{{host, "REGISTRY"}, {downHost, "DOWN"}, {dgst.String(), "DIGEST"}}
	registry := []string{"--registry", "--plain-http", "127.0.0.1"}

	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		want  string // stdout with placeholders
		heads int
	}{
		{"podman newer, the node has the registry's digest: no pull",
			append([]string{host + "/team/app:v1", "--dialect", "podman", "--policy", "ifnewer", "--present", host + "/team/app:v1@" + dgst.String()}, registry...),
			exitOK, `image       REGISTRY/team/app:v1
policy      podman newer
kubernetes  Always (approximate: Kubernetes fails when the registry cannot be reached; newer starts the local image)
node        holds REGISTRY/team/app:v1@DIGEST
decision    UseLocal sha256:LOCALID
registry    DIGEST
outcome     Normal Pulled: Container image "REGISTRY/team/app:v1" already present on machine
`, 1},
		{"podman newer, the registry is down: the local image, tolerated",
			append([]string{downHost + "/team/app:v1", "--dialect", "podman", "--policy", "newer", "--present", downHost + "/team/app:v1"}, registry...),
			exitOK, "", 0},
		{"gitlab list: never on a node without the image, then if-not-present",
			[]string{"nginx:1.25", "--dialect", "gitlab", "--policy", "[never, if-not-present]"},
			exitOK, `image       nginx:1.25
policy      gitlab never,if-not-present
kubernetes  Never (approximate: Kubernetes has no fallback list: only the first entry carries over)
tolerated   ErrImageNeverPull: Container image "nginx:1.25" is not present with pull policy of Never
node        no images (give --present or --runtime)
decision    Pull docker.io/library/nginx:1.25
outcome     Normal Pulling: Pulling image "nginx:1.25"
`, 0},
		{"docker never on a node without the image", []string{"nginx:1.25", "--dialect", "docker", "--policy", "never"},
			exitFailure, `image       nginx:1.25
policy      docker never
kubernetes  Never (exact)
node        no images (give --present or --runtime)
decision    Fail ErrImageNeverPull
outcome     Warning ErrImageNeverPull: Container image "nginx:1.25" is not present with pull policy of Never
`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg.ResetCounts()
			res := run(t, append([]string{"decide"}, tc.args...)...)
			assert.Empty(t, res.stderr)
			assert.Equal(t, tc.code, res.code)
			got := localIDRE.ReplaceAllString(ph.apply(res.stdout), "UseLocal sha256:LOCALID")
			if tc.want == "" {
				assert.Contains(t, got, "decision    UseLocal sha256:LOCALID\n")
				assert.Contains(t, got, "tolerated   RegistryUnavailable: image pull failed for DOWN/team/app:v1 because the registry is unavailable")
				return
			}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.heads, reg.Count("HEAD", "/v2/team/app/manifests/"))
			assert.Zero(t, reg.Count("GET", "/v2/team/app/manifests/"))
		})
	}

	t.Run("json", func(t *testing.T) {
		res := run(t, "decide", "nginx", "--dialect", "compose", "--policy", "every_1w2d", "-o", "json")
		require.Equal(t, exitOK, res.code, res.stderr)
		var got struct {
			Action  string
			Dialect map[string]any
		}
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &got))
		assert.Equal(t, "Pull", got.Action)
		assert.Equal(t, "compose", got.Dialect["system"])
		assert.Equal(t, "every_1w2d", got.Dialect["input"])
		assert.Equal(t, "none", got.Dialect["match"])
	})

	t.Run("errors are the system's own", func(t *testing.T) {
		for args, want := range map[[2]string]string{
			{"podman", "sometimes"}: `imagepull decide: --policy: unsupported pull policy "sometimes" (see 'imagepull decide --help')` + "\n",
			{"nerdctl", "Always"}:   `imagepull decide: --policy: unexpected pull mode: "Always" (see 'imagepull decide --help')` + "\n",
			{"k8s", "Always"}:       `imagepull decide: --dialect: unknown pull policy dialect "k8s": supported dialects are podman, docker, compose, nerdctl, ecs, nomad, gitlab (see 'imagepull decide --help')` + "\n",
		} {
			res := run(t, "decide", "nginx", "--dialect", args[0], "--policy", args[1])
			assert.Equal(t, exitUsage, res.code)
			assert.Equal(t, want, res.stderr)
		}
	})
}
