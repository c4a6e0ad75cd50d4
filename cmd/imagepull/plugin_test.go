package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// pluginFlags installs the fake credential provider plugin as "registry-login" for images of
// host, answering user:password (args add to its flags), and returns the kubelet's two flags
// and the file the plugin logs its runs to.
func pluginFlags(t *testing.T, host, user, password string, args ...string) ([]string, string) {
	t.Helper()
	bin := t.TempDir()
	data, err := os.ReadFile(fakePlugin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(bin, "registry-login"), data, 0o755))
	calls := filepath.Join(t.TempDir(), "calls")
	all := append([]string{"-username", user, "-password", password, "-auth-keys", host, "-calls", calls}, args...)
	quoted := make([]string, len(all))
	for i, a := range all {
		quoted[i] = `"` + a + `"`
	}
	config := `apiVersion: kubelet.config.k8s.io/v1
kind: CredentialProviderConfig
providers:
  - name: registry-login
    matchImages: ["` + host + `"]
    defaultCacheDuration: 1m
    apiVersion: credentialprovider.kubelet.k8s.io/v1
    args: [` + strings.Join(quoted, ", ") + `]
`
	path := filepath.Join(t.TempDir(), "credential-providers.yaml")
	require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
	return []string{"--image-credential-provider-config", path, "--image-credential-provider-bin-dir", bin}, calls
}

// pluginRuns counts the plugin's runs from its log.
func pluginRuns(t *testing.T, calls string) int {
	t.Helper()
	data, err := os.ReadFile(calls)
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(t, err)
	return strings.Count(string(data), "\n")
}

// TestCredentialProviderPlugins: resolve, decide and explain take the kubelet's credential
// provider flags and reach a private image on the loopback registry with the plugin's
// credentials; a failing plugin is one warning line and the command goes on without it.
func TestCredentialProviderPlugins(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{Auth: registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "robot", Password: "s3cret"}})
	dgst, err := reg.PushRandom(t.Context(), "private/app:v1")
	require.NoError(t, err)
	host := reg.Host()
	image := host + "/private/app:v1"
	ph := placeholders{{host, "REGISTRY"}, {dgst.String(), "DIGEST"}}

	t.Run("resolve", func(t *testing.T) {
		flags, calls := pluginFlags(t, host, "robot", "s3cret")
		res := run(t, append([]string{"resolve", image, "--plain-http", "127.0.0.1"}, flags...)...)
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Equal(t, "image   REGISTRY/private/app:v1\ndigest  DIGEST\npinned  REGISTRY/private/app@DIGEST\n", ph.apply(res.stdout))
		assert.Equal(t, 1, pluginRuns(t, calls))
	})
	t.Run("decide", func(t *testing.T) {
		flags, calls := pluginFlags(t, host, "robot", "s3cret")
		res := run(t, append([]string{"decide", image, "--policy", "Always", "--registry", "--plain-http", "127.0.0.1"}, flags...)...)
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, ph.apply(res.stdout), "decision  Pull REGISTRY/private/app@DIGEST\n")
		assert.Equal(t, 1, pluginRuns(t, calls))
	})
	t.Run("explain", func(t *testing.T) {
		flags, calls := pluginFlags(t, host, "robot", "s3cret")
		manifest := filepath.Join(t.TempDir(), "pods.yaml")
		pod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n    - name: app\n      image: " + image + "\n      imagePullPolicy: Always\n"
		require.NoError(t, os.WriteFile(manifest, []byte(strings.ReplaceAll(pod, "%s", "a")+"---\n"+strings.ReplaceAll(pod, "%s", "b")), 0o600))
		res := run(t, append([]string{"explain", "-f", manifest, "--registry", "--plain-http", "127.0.0.1"}, flags...)...)
		require.Equal(t, exitOK, res.code, res.stderr)
		out := ph.apply(res.stdout)
		assert.Equal(t, 2, strings.Count(out, "the runtime is asked for REGISTRY/private/app@DIGEST\n"), out)
		assert.Equal(t, 1, pluginRuns(t, calls), "the second pod's credentials come from the plugin's cache")
	})
	t.Run("a failing plugin", func(t *testing.T) {
		flags, calls := pluginFlags(t, host, "robot", "s3cret", "-exit", "3", "-stderr", "token service down")
		res := run(t, append([]string{"resolve", image, "--plain-http", "127.0.0.1"}, flags...)...)
		assert.Equal(t, exitFailure, res.code)
		lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
		require.Len(t, lines, 2, res.stderr)
		assert.Contains(t, lines[0], "level=ERROR")
		assert.Contains(t, lines[0], "registry-login")
		assert.Contains(t, lines[0], "exit status 3")
		assert.NotContains(t, lines[0], "token service down", "a plugin's stderr is logged at debug level only (issue 18, item 7)")
		assert.True(t, strings.HasPrefix(ph.apply(lines[1]), `imagepull resolve: Unauthorized: resolving "REGISTRY/private/app:v1" on REGISTRY: 401 Unauthorized`), lines[1])
		assert.Equal(t, 1, pluginRuns(t, calls))
	})
	t.Run("a plugin outside the directory is refused", func(t *testing.T) {
		flags, _ := pluginFlags(t, host, "robot", "s3cret")
		config, err := os.ReadFile(flags[1])
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(flags[1], []byte(strings.Replace(string(config), "name: registry-login", "name: ../registry-login", 1)), 0o600))
		res := run(t, append([]string{"resolve", image, "--plain-http", "127.0.0.1"}, flags...)...)
		assert.Equal(t, exitUsage, res.code)
		assert.Equal(t, 1, strings.Count(res.stderr, "\n"), res.stderr)
		assert.Contains(t, res.stderr, "imagepull resolve: ")
	})
}
