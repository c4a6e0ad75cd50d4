package plugin_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
)

var request = credential.ProviderRequest{Image: "reg.io/app:v1", Repository: "reg.io/app"}

// TestBadPlugins: every way a plugin can misbehave gives a classified error, with the kubelet's
// text where it has one, and nothing is left running.
func TestBadPlugins(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tests := []struct {
		name   string
		args   []string
		reason error  // the sentinel the error matches
		want   string // the error's text after `credential provider "p": `
	}{
		{"non-zero exit", []string{"-exit", "1", "-stderr", "token endpoint unreachable"}, plugin.ErrPluginExec,
			"error execing credential provider plugin p for image reg.io/app: exit status 1"},
		{"hangs", []string{"-sleep", "1h", "-stderr", "waiting"}, plugin.ErrPluginExec,
			"error execing credential provider plugin p for image reg.io/app: context deadline exceeded"},
		{"prints 100 MB", []string{"-output", "huge"}, plugin.ErrInvalidResponse,
			"credential provider plugin p for image reg.io/app wrote more than 1048576 bytes on stdout"},
		{"prints garbage", []string{"-output", "garbage"}, plugin.ErrInvalidResponse,
			"error reading GVK from response: invalid JSON at byte 2"},
		{"answers another apiVersion", []string{"-api-version", plugin.ProtocolV1beta1}, plugin.ErrInvalidResponse,
			"apiVersion from credential plugin response did not match expected apiVersion:credentialprovider.kubelet.k8s.io/v1, actual apiVersion:credentialprovider.kubelet.k8s.io/v1beta1"},
		{"answers another kind", []string{"-output", "wrong-kind"}, plugin.ErrInvalidResponse,
			`error decoding credential provider plugin response from stdout: unexpected kind "CredentialProviderRequest"`},
		{"answers an unknown field", []string{"-output", "unknown-field"}, plugin.ErrInvalidResponse,
			`error decoding credential provider plugin response from stdout: strict decoding error: unknown field "extra"`},
		{"answers a bad duration", []string{"-cache-duration", "soon"}, plugin.ErrInvalidResponse,
			"error decoding credential provider plugin response from stdout: malformed"},
		{"answers an invalid cacheKeyType", []string{"-cache-key-type", "Pod"}, plugin.ErrInvalidResponse,
			`credential provider plugin did not return a valid cacheKeyType: Pod`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &plugin.Config{Providers: []plugin.ProviderConfig{providerConfig("p", []string{"reg.io"}, tc.args...)}}
			p, err := plugin.NewProvider(cfg, binDir(t, "p"), plugin.WithTimeout(500*time.Millisecond))
			require.NoError(t, err)
			creds, err := p.Lookup(t.Context(), request)
			require.ErrorIs(t, err, tc.reason)
			assert.EqualError(t, err, `credential provider "p": `+tc.want)
			assert.Empty(t, creds)

			creds, err = p.Credentials(t.Context(), request)
			require.NoError(t, err, "Credentials logs a plugin's failure and goes on, as the kubelet does")
			assert.Empty(t, creds)
		})
	}
	t.Run("hangs: the error is also the deadline's", func(t *testing.T) {
		cfg := &plugin.Config{Providers: []plugin.ProviderConfig{providerConfig("p", []string{"reg.io"}, "-sleep", "1h")}}
		p, err := plugin.NewProvider(cfg, binDir(t, "p"), plugin.WithTimeout(200*time.Millisecond))
		require.NoError(t, err)
		_, err = p.Lookup(t.Context(), request)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// TestPluginBinary: only an executable inside the plugin directory runs.
func TestPluginBinary(t *testing.T) {
	cfg := func(name string) *plugin.Config {
		return &plugin.Config{Providers: []plugin.ProviderConfig{providerConfig(name, []string{"reg.io"})}}
	}
	t.Run("missing", func(t *testing.T) {
		dir := binDir(t)
		_, err := plugin.NewProvider(cfg("absent"), dir)
		require.ErrorIs(t, err, plugin.ErrPluginNotFound)
		assert.EqualError(t, err, `credential provider "absent": plugin binary executable `+filepath.Join(dir, "absent")+` did not exist`)
	})
	t.Run("removed after start", func(t *testing.T) {
		dir := binDir(t, "p")
		p, err := plugin.NewProvider(cfg("p"), dir)
		require.NoError(t, err)
		require.NoError(t, os.Remove(filepath.Join(dir, "p")))
		_, err = p.Lookup(t.Context(), request)
		require.ErrorIs(t, err, plugin.ErrPluginNotFound)
	})
	t.Run("missing directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nope")
		_, err := plugin.NewProvider(cfg("p"), dir)
		require.ErrorIs(t, err, plugin.ErrPluginNotFound)
		assert.EqualError(t, err, "plugin binary directory "+dir+" did not exist")
	})
	t.Run("not executable", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "p"), []byte("#!/bin/sh\n"), 0o644))
		_, err := plugin.NewProvider(cfg("p"), dir)
		require.ErrorIs(t, err, plugin.ErrPluginNotFound)
		assert.EqualError(t, err, `credential provider "p": error inspecting binary executable `+filepath.Join(dir, "p")+`: permission denied: not executable`)
	})
	t.Run("a directory", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(dir, "p"), 0o755))
		_, err := plugin.NewProvider(cfg("p"), dir)
		require.ErrorIs(t, err, plugin.ErrPluginNotFound)
	})
	t.Run("symlink out of the directory", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Symlink(fakePlugin, filepath.Join(dir, "p")))
		_, err := plugin.NewProvider(cfg("p"), dir)
		require.ErrorIs(t, err, plugin.ErrPluginNotFound)
		assert.Contains(t, err.Error(), "outside the plugin directory")
	})
	t.Run("symlink replaced after start", func(t *testing.T) {
		dir := binDir(t, "p")
		p, err := plugin.NewProvider(cfg("p"), dir)
		require.NoError(t, err)
		require.NoError(t, os.Remove(filepath.Join(dir, "p")))
		require.NoError(t, os.Symlink(fakePlugin, filepath.Join(dir, "p")))
		_, err = p.Lookup(t.Context(), request)
		require.ErrorIs(t, err, plugin.ErrPluginNotFound, "checked again before every run")
	})
	t.Run("symlink within the directory", func(t *testing.T) {
		dir := binDir(t, "real")
		require.NoError(t, os.Symlink("real", filepath.Join(dir, "p")))
		p, err := plugin.NewProvider(cfg("p"), dir)
		require.NoError(t, err)
		creds, err := p.Lookup(t.Context(), request)
		require.NoError(t, err)
		assert.Len(t, creds, 1)
	})
	t.Run("directory through a symlink", func(t *testing.T) {
		real := binDir(t, "p")
		link := filepath.Join(t.TempDir(), "bin")
		require.NoError(t, os.Symlink(real, link))
		p, err := plugin.NewProvider(cfg("p"), link)
		require.NoError(t, err)
		creds, err := p.Lookup(t.Context(), request)
		require.NoError(t, err)
		assert.Len(t, creds, 1)
	})
}

// TestPluginRequest: the plugin gets the request on stdin, its args, and the configured env on
// top of the inherited environment.
func TestPluginRequest(t *testing.T) {
	requests := filepath.Join(t.TempDir(), "requests")
	pc := providerConfig("p", []string{"reg.io"}, "-requests", requests, "-password-env", "SECRET", "-username", "from-args")
	pc.Env = []plugin.EnvVar{{Name: "SECRET", Value: "from-config"}}
	environ := func() []string { return []string{"SECRET=inherited", "PATH=" + os.Getenv("PATH")} }
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{pc}}, binDir(t, "p"), plugin.WithEnviron(environ))
	require.NoError(t, err)
	creds, err := p.Lookup(t.Context(), request)
	require.NoError(t, err)
	require.Len(t, creds, 1)
	assert.Equal(t, "from-args", creds[0].Username)
	assert.Equal(t, "from-config", creds[0].Password, "the configured env overrides the inherited one")
	b, err := os.ReadFile(requests)
	require.NoError(t, err)
	assert.Equal(t, `{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"reg.io/app"}`+"\n", string(b))

	pc.Env = nil
	p, err = plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{pc}}, binDir(t, "p"), plugin.WithEnviron(environ))
	require.NoError(t, err)
	creds, err = p.Lookup(t.Context(), request)
	require.NoError(t, err)
	assert.Equal(t, "inherited", creds[0].Password)
}

func TestOptionsErrors(t *testing.T) {
	cfg := &plugin.Config{Providers: []plugin.ProviderConfig{providerConfig("p", []string{"reg.io"})}}
	for name, opt := range map[string]plugin.Option{
		"timeout":       plugin.WithTimeout(0),
		"response size": plugin.WithMaxResponseBytes(-1),
		"cache entries": plugin.WithMaxCacheEntries(0),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := plugin.NewProvider(cfg, binDir(t, "p"), opt)
			require.ErrorIs(t, err, plugin.ErrInvalidConfig)
		})
	}
}
