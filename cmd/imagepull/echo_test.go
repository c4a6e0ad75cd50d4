package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestRegistryEchoMasked (issue 18, item 6): a registry whose error repeats the Authorization
// header it was sent does not get the credentials into `resolve` (text and JSON, with
// --docker-config or a credential provider plugin's answer) or `explain --registry` (the
// Failed event, with a pod's Secret) output.
func TestRegistryEchoMasked(t *testing.T) {
	const user, password = "alice", "echo-s3cret-pw"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	reg := registrytest.New(t, registrytest.Options{})
	_, err := reg.PushRandom(t.Context(), "private/app:v1")
	require.NoError(t, err)
	reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: user, Password: password, PathPrefix: "/v2/private/"})
	for _, f := range []registrytest.Fault{ // HEAD refused, so that the GET's error body is read
		{Method: http.MethodHead, PathPrefix: "/v2/private/app/manifests/", Status: http.StatusMethodNotAllowed},
		{Method: http.MethodGet, PathPrefix: "/v2/private/app/manifests/", Status: http.StatusForbidden, Echo: true},
	} {
		_, err := reg.Inject(f)
		require.NoError(t, err)
	}
	host := reg.Host()
	image := host + "/private/app:v1"
	manifest := filepath.Join(t.TempDir(), "pod.yaml")
	auth := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, basic)
	require.NoError(t, os.WriteFile(manifest, []byte(strings.Join([]string{
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: alice\n  namespace: reg\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '" + auth + "'\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: private\n  namespace: reg\nspec:\n  imagePullSecrets:\n    - name: alice\n  containers:\n    - name: app\n      image: " + image + "\n      imagePullPolicy: Always\n",
	}, "---\n")), 0o600))
	cfg := dockerConfig(t, host, user, password)
	plugin, _ := pluginFlags(t, host, user, password)
	ph := placeholders{{manifest, "MANIFEST"}, {host, "REGISTRY"}}

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr, placeholders applied
	}{
		{"resolve", []string{"resolve", image, "--docker-config", cfg}, exitFailure,
			"you sent Authorization: Basic [redacted], query , body"},
		{"resolve, json", []string{"resolve", image, "--docker-config", cfg, "-o", "json"}, exitFailure,
			"you sent Authorization: Basic [redacted], query , body"},
		{"resolve, a plugin's credentials", append([]string{"resolve", image}, plugin...), exitFailure,
			"you sent Authorization: Basic [redacted], query , body"},
		{"explain, the pod's Secret", []string{"explain", "-f", manifest, "--registry"}, exitFailure,
			"you sent Authorization: Basic [redacted], query , body"},
		{"explain, json", []string{"explain", "-f", manifest, "--registry", "-o", "json"}, exitFailure,
			"you sent Authorization: Basic [redacted], query , body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, append(tc.args, "--plain-http", "127.0.0.1")...)
			assert.Equal(t, tc.code, res.code, res.stderr)
			out := res.stdout + res.stderr
			assert.Contains(t, ph.apply(out), tc.want, "the registry's echo is shown, masked")
			for _, s := range []string{password, basic, strings.TrimRight(basic, "=")} {
				assert.NotContains(t, out, s, "a credential in the output")
			}
			golden(t, "registry-echo-"+strings.NewReplacer(" ", "-", ",", "", "'", "").Replace(tc.name), ph.apply(out))
		})
	}
}
