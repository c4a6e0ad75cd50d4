package plugin_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
	"github.com/imagepull/imagepull/reference"
)

// user returns the user names of creds, in order.
func users(creds []credential.Credential) []string {
	var out []string
	for _, c := range creds {
		out = append(out, c.Username)
	}
	return out
}

// TestMatchImages: only the providers whose matchImages match the repository run.
func TestMatchImages(t *testing.T) {
	tests := []struct {
		matchImages []string
		image       string
		runs        bool
	}{
		{[]string{"*.dkr.ecr.*.amazonaws.com"}, "123456789.dkr.ecr.us-east-1.amazonaws.com/app", true},
		{[]string{"*.dkr.ecr.*.amazonaws.com"}, "123456789.dkr.ecr.us-east-1.amazonaws.com.cn/app", false},
		{[]string{"*.azurecr.io"}, "azurecr.io/app", false},
		{[]string{"gcr.io", "*.gcr.io"}, "eu.gcr.io/project/app", true},
		{[]string{"registry.io:8080/team"}, "registry.io:8080/team/app", true},
		{[]string{"registry.io:8080/team"}, "registry.io/team/app", false},
		{[]string{"registry.io"}, "registry.io:8080/app", false},
		{[]string{"127.0.0.1:5000"}, "127.0.0.1:5000/app", true},
		{[]string{"docker.io"}, "docker.io/library/nginx", true},
	}
	for _, tc := range tests {
		t.Run(tc.image, func(t *testing.T) {
			log, calls := callLog(t)
			p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
				providerConfig("p", tc.matchImages, "-calls", log),
			}}, binDir(t, "p"))
			require.NoError(t, err)
			creds, err := p.Lookup(t.Context(), credential.ProviderRequest{Repository: tc.image})
			require.NoError(t, err)
			if tc.runs {
				assert.Equal(t, []string{tc.image}, calls())
				assert.Len(t, creds, 1)
			} else {
				assert.Empty(t, calls())
				assert.Empty(t, creds)
			}
		})
	}
}

// TestSeveralProviders: every matching provider contributes; the most specific auth key comes
// first whatever provider gave it; under one key the configuration's order holds; a provider
// that fails is logged and the others still contribute.
func TestSeveralProviders(t *testing.T) {
	logA, callsA := callLog(t)
	logB, callsB := callLog(t)
	logC, callsC := callLog(t)
	logs := &bytes.Buffer{}
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
		providerConfig("a", []string{"reg.io"}, "-calls", logA, "-username", "a-registry", "-auth-keys", "reg.io"),
		providerConfig("other", []string{"other.io"}, "-calls", logC),
		providerConfig("b", []string{"*.io"}, "-calls", logB, "-username", "b", "-auth-keys", "reg.io/app,reg.io,*.io,other.io"),
		providerConfig("broken", []string{"reg.io"}, "-exit", "3", "-stderr", "no metadata server"),
	}}, binDir(t, "a", "b", "other", "broken"), plugin.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	require.NoError(t, err)

	creds, err := p.Credentials(t.Context(), credential.ProviderRequest{Repository: "reg.io/app"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a-registry", "b", "b"}, users(creds),
		`keys "reg.io/app" (b), "reg.io" (a, then b), "*.io" (b); b's "other.io" does not match`)
	assert.Equal(t, []string{"reg.io/app"}, callsA())
	assert.Equal(t, []string{"reg.io/app"}, callsB())
	assert.Empty(t, callsC(), "a provider that does not match does not run")
	assert.Contains(t, logs.String(), `level=ERROR msg="Failed getting credential from external registry credential provider" provider=broken`)
	assert.Contains(t, logs.String(), "exit status 3")
	assert.NotContains(t, logs.String(), "no metadata server", "stderr is logged at debug level only")

	_, err = p.Lookup(t.Context(), credential.ProviderRequest{Repository: "reg.io/app"})
	require.ErrorIs(t, err, plugin.ErrPluginExec, "Lookup returns what Credentials logs")
	var perr *plugin.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, "broken", perr.Provider)
}

// TestDockerHub: the image is asked as its normalised repository; an "index.docker.io" auth
// key serves Docker Hub images, as in the kubelet's keyring.
func TestDockerHub(t *testing.T) {
	requests := t.TempDir() + "/requests"
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
		providerConfig("hub", []string{"docker.io"}, "-requests", requests, "-auth-keys", "https://index.docker.io/v1/"),
	}}, binDir(t, "hub"))
	require.NoError(t, err)
	creds, err := p.Lookup(t.Context(), credential.ProviderRequest{Image: "nginx:1.27"})
	require.NoError(t, err)
	require.Len(t, creds, 1, "the Docker Hub fallback of the keyring")
	assert.Equal(t, "pass-docker.io/library/nginx", creds[0].Password, "the plugin was asked for the repository")

	_, err = p.Lookup(t.Context(), credential.ProviderRequest{Image: "Not A Reference"})
	require.ErrorIs(t, err, reference.ErrInvalid)
	_, err = p.Credentials(t.Context(), credential.ProviderRequest{Image: "Not A Reference"})
	require.ErrorIs(t, err, reference.ErrInvalid)
}

func TestCancelledContext(t *testing.T) {
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{providerConfig("p", []string{"reg.io"})}}, binDir(t, "p"))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = p.Credentials(ctx, request)
	require.ErrorIs(t, err, context.Canceled)
}
