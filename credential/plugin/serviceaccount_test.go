package plugin_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
	"github.com/imagepull/imagepull/credential/plugin/plugintest"
)

// saFixture is a plugin in service-account mode with an in-memory API server.
type saFixture struct {
	p        *plugin.Provider
	accounts *plugintest.ServiceAccounts
	calls    func() []string
	requests string
	logs     *bytes.Buffer
}

func newSAFixture(t *testing.T, ta plugin.TokenAttributes, args ...string) *saFixture {
	t.Helper()
	log, calls := callLog(t)
	requests := filepath.Join(t.TempDir(), "requests")
	pc := providerConfig("sa", []string{"reg.io"}, append([]string{"-calls", log, "-requests", requests}, args...)...)
	pc.TokenAttributes = &ta
	accounts := &plugintest.ServiceAccounts{}
	accounts.Add("team", "builder", plugin.ServiceAccount{UID: "sa-uid-1", Annotations: map[string]string{
		"example.com/role": "puller", "example.com/region": "eu", "example.com/unrelated": "x",
	}})
	accounts.Add("team", "other", plugin.ServiceAccount{UID: "sa-uid-2", Annotations: map[string]string{"example.com/role": "puller"}})
	accounts.Add("team", "plain", plugin.ServiceAccount{UID: "sa-uid-3"})
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{pc}}, binDir(t, "sa"),
		plugin.WithServiceAccountTokens(accounts), plugin.WithLogger(logger))
	require.NoError(t, err)
	return &saFixture{p: p, accounts: accounts, calls: calls, requests: requests, logs: logs}
}

// sent returns the requests the plugin received.
func (f *saFixture) sent(t *testing.T) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(f.requests)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		out = append(out, m)
	}
	return out
}

func podRequest(name, uid, serviceAccount string) credential.ProviderRequest {
	return credential.ProviderRequest{Repository: "reg.io/app", Pod: credential.Pod{Namespace: "team", Name: name, UID: uid, ServiceAccount: serviceAccount}}
}

func tokenAttributes(cacheType plugin.CacheType, require bool, required ...string) plugin.TokenAttributes {
	return plugin.TokenAttributes{
		ServiceAccountTokenAudience: "registry.example.com", CacheType: cacheType, RequireServiceAccount: &require,
		RequiredServiceAccountAnnotationKeys: required, OptionalServiceAccountAnnotationKeys: []string{"example.com/region", "example.com/absent"},
	}
}

// TestServiceAccountMode: the plugin gets a token bound to the pod and the configured
// annotations, and its credentials carry the service account as their source.
func TestServiceAccountMode(t *testing.T) {
	f := newSAFixture(t, tokenAttributes(plugin.CacheTypeServiceAccount, true, "example.com/role"))
	creds, err := f.p.Lookup(t.Context(), podRequest("app", "pod-1", "builder"))
	require.NoError(t, err)
	require.Len(t, creds, 1)
	assert.Equal(t, credential.Source{Kind: credential.SourceServiceAccount, Namespace: "team", Name: "builder", UID: "sa-uid-1"}, creds[0].Source)
	assert.Equal(t, credential.Hash(creds[0]), creds[0].Hash)

	assert.Equal(t, []plugin.TokenRequest{{Namespace: "team", ServiceAccountName: "builder", ServiceAccountUID: "sa-uid-1",
		Audience: "registry.example.com", PodName: "app", PodUID: "pod-1"}}, f.accounts.TokenRequests())
	assert.Equal(t, []map[string]any{{
		"kind": "CredentialProviderRequest", "apiVersion": plugin.ProtocolV1, "image": "reg.io/app",
		"serviceAccountToken":       "token:team/builder:sa-uid-1:registry.example.com:pod-1:0",
		"serviceAccountAnnotations": map[string]any{"example.com/role": "puller", "example.com/region": "eu"},
	}}, f.sent(t), "required and optional annotations present on the service account, no others")
}

// TestServiceAccountCacheTypes: ServiceAccount caches per service account (and annotations),
// Token per token.
func TestServiceAccountCacheTypes(t *testing.T) {
	tests := []struct {
		cacheType plugin.CacheType
		pods      [][3]string // pod name, pod UID, service account, in order
		want      int         // plugin runs
	}{
		{plugin.CacheTypeServiceAccount, [][3]string{{"a", "pod-1", "builder"}, {"b", "pod-2", "builder"}, {"a", "pod-1", "builder"}}, 1},
		{plugin.CacheTypeServiceAccount, [][3]string{{"a", "pod-1", "builder"}, {"c", "pod-3", "other"}}, 2},
		{plugin.CacheTypeToken, [][3]string{{"a", "pod-1", "builder"}, {"a", "pod-1", "builder"}, {"b", "pod-2", "builder"}}, 2},
	}
	for _, tc := range tests {
		t.Run(string(tc.cacheType), func(t *testing.T) {
			f := newSAFixture(t, tokenAttributes(tc.cacheType, true, "example.com/role"))
			for _, pod := range tc.pods {
				creds, err := f.p.Lookup(t.Context(), podRequest(pod[0], pod[1], pod[2]))
				require.NoError(t, err)
				require.Len(t, creds, 1)
				assert.Equal(t, pod[2], creds[0].Source.Name, "a cached answer names the asking pod's service account")
			}
			assert.Len(t, f.calls(), tc.want)
		})
	}
	t.Run("Token: a rotated token runs the plugin again", func(t *testing.T) {
		f := newSAFixture(t, tokenAttributes(plugin.CacheTypeToken, true))
		_, err := f.p.Lookup(t.Context(), podRequest("a", "pod-1", "builder"))
		require.NoError(t, err)
		f.accounts.Rotate()
		_, err = f.p.Lookup(t.Context(), podRequest("a", "pod-1", "builder"))
		require.NoError(t, err)
		assert.Len(t, f.calls(), 2)
	})
}

// TestServiceAccountNotRun: the kubelet's cases where the plugin is not run for a pod, and
// those where it fails.
func TestServiceAccountNotRun(t *testing.T) {
	t.Run("service account lacks a required annotation", func(t *testing.T) {
		f := newSAFixture(t, tokenAttributes(plugin.CacheTypeServiceAccount, true, "example.com/role"))
		creds, err := f.p.Credentials(t.Context(), podRequest("app", "pod-1", "plain"))
		require.NoError(t, err, "not an error: a way for workloads to opt in")
		assert.Empty(t, creds)
		assert.Empty(t, f.calls())
		assert.Empty(t, f.accounts.TokenRequests(), "no token is even requested")
		assert.Contains(t, f.logs.String(), "level=DEBUG")
		assert.Contains(t, f.logs.String(), "required annotation example.com/role not found")
		assert.NotContains(t, f.logs.String(), "level=ERROR")
	})
	t.Run("pod without a service account, one required", func(t *testing.T) {
		f := newSAFixture(t, tokenAttributes(plugin.CacheTypeServiceAccount, true))
		creds, err := f.p.Lookup(t.Context(), podRequest("static", "pod-1", ""))
		require.NoError(t, err)
		assert.Empty(t, creds)
		assert.Empty(t, f.calls())
	})
	t.Run("pod without a service account, none required", func(t *testing.T) {
		f := newSAFixture(t, tokenAttributes(plugin.CacheTypeServiceAccount, false))
		creds, err := f.p.Lookup(t.Context(), podRequest("static", "pod-1", ""))
		require.NoError(t, err)
		require.Len(t, creds, 1)
		assert.Equal(t, credential.Source{}, creds[0].Source, "no service account: node-wide")
		assert.Equal(t, []map[string]any{{"kind": "CredentialProviderRequest", "apiVersion": plugin.ProtocolV1, "image": "reg.io/app"}},
			f.sent(t), "no token, no annotations")
	})
	t.Run("API server unreachable", func(t *testing.T) {
		f := newSAFixture(t, tokenAttributes(plugin.CacheTypeServiceAccount, true))
		f.accounts.Fail(errors.New("connection refused"))
		_, err := f.p.Lookup(t.Context(), podRequest("app", "pod-1", "builder"))
		require.ErrorIs(t, err, plugin.ErrServiceAccount)
		assert.EqualError(t, err, `credential provider "sa": failed to get service account team/builder: connection refused`)
		creds, err := f.p.Credentials(t.Context(), podRequest("app", "pod-1", "builder"))
		require.NoError(t, err)
		assert.Empty(t, creds)
		assert.Contains(t, f.logs.String(), "level=ERROR")
		assert.Empty(t, f.calls())
	})
	t.Run("unknown service account", func(t *testing.T) {
		f := newSAFixture(t, tokenAttributes(plugin.CacheTypeServiceAccount, true))
		_, err := f.p.Lookup(t.Context(), podRequest("app", "pod-1", "ghost"))
		require.ErrorIs(t, err, plugin.ErrServiceAccount)
	})
}

// TestServiceAccountTokenEcho: a plugin that hands the token back as the password is refused
// unless the cache type is Token.
func TestServiceAccountTokenEcho(t *testing.T) {
	f := newSAFixture(t, tokenAttributes(plugin.CacheTypeServiceAccount, true), "-output", "echo-token")
	_, err := f.p.Lookup(t.Context(), podRequest("app", "pod-1", "builder"))
	require.ErrorIs(t, err, plugin.ErrInvalidResponse)
	assert.EqualError(t, err, `credential provider "sa": credential provider plugin returned the service account token as the password for image "reg.io/app", which is not allowed when service account cache type is not set to 'Token'`)

	f = newSAFixture(t, tokenAttributes(plugin.CacheTypeToken, true), "-output", "echo-token")
	creds, err := f.p.Lookup(t.Context(), podRequest("app", "pod-1", "builder"))
	require.NoError(t, err)
	require.Len(t, creds, 1)
	assert.Equal(t, "token:team/builder:sa-uid-1:registry.example.com:pod-1:0", creds[0].Password)
}

func TestServiceAccountModeNeedsTokens(t *testing.T) {
	yes := true
	pc := providerConfig("sa", []string{"reg.io"})
	pc.TokenAttributes = &plugin.TokenAttributes{ServiceAccountTokenAudience: "aud", CacheType: plugin.CacheTypeToken, RequireServiceAccount: &yes}
	_, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{pc}}, binDir(t, "sa"))
	require.ErrorIs(t, err, plugin.ErrInvalidConfig)
	assert.EqualError(t, err, `credential provider "sa": tokenAttributes needs service account tokens: pass WithServiceAccountTokens`)
}

// TestPluginStderrMasked (issue 18, item 7): a failing plugin that echoes its request (with the
// pod's service-account token) and its credentials on stderr: the stderr is in no error and in
// no error-level log line; at debug level it is logged with the token (and its base64 form)
// and the password masked.
func TestPluginStderrMasked(t *testing.T) {
	const token = "token:team/builder:sa-uid-1:registry.example.com:pod-1:0"
	f := newSAFixture(t, tokenAttributes(plugin.CacheTypeToken, true), "-echo-stderr", "-password", "hunter2-secret", "-exit-after", "1")
	_, lookupErr := f.p.Lookup(t.Context(), podRequest("app", "pod-1", "builder"))
	require.ErrorIs(t, lookupErr, plugin.ErrPluginExec)
	assert.EqualError(t, lookupErr, `credential provider "sa": error execing credential provider plugin sa for image reg.io/app: exit status 1`)

	creds, err := f.p.Credentials(t.Context(), podRequest("app", "pod-1", "builder"))
	require.NoError(t, err)
	assert.Empty(t, creds)
	logs := f.logs.String()
	require.Contains(t, logs, `level=DEBUG msg="credential provider plugin stderr" provider=sa image=reg.io/app`)
	assert.Contains(t, logs, `password: [redacted]`)
	assert.Contains(t, logs, `\"serviceAccountToken\":\"[redacted]\"`)
	for _, secret := range []string{token, base64.StdEncoding.EncodeToString([]byte(token)), "hunter2-secret"} {
		assert.NotContains(t, logs, secret)
		assert.NotContains(t, lookupErr.Error(), secret)
	}
	for line := range strings.Lines(logs) {
		if strings.Contains(line, "level=ERROR") {
			assert.NotContains(t, line, "request:", "no stderr at error level")
		}
	}
}

// TestPluginStderrMaskedAcrossTheCut: a token that straddles the 16 KiB cut of a plugin's
// stderr leaves no part of it in the debug log.
func TestPluginStderrMaskedAcrossTheCut(t *testing.T) {
	f := newSAFixture(t, tokenAttributes(plugin.CacheTypeToken, true), "-echo-stderr", "-exit-after", "1")
	_, err := f.p.Lookup(t.Context(), podRequest("app", "pod-1", "builder"))
	require.Error(t, err)
	sent := f.sent(t)
	require.Len(t, sent, 1)
	token := sent[0]["serviceAccountToken"].(string)
	b, err := os.ReadFile(f.requests)
	require.NoError(t, err)
	at := strings.Index("request: "+string(b), token) // where the token starts in the echo
	require.Positive(t, at)
	for _, before := range []int{4, 12, len(token) - 3} { // bytes of the token before the cut
		pad := strings.Repeat("x", plugin.MaxStderrBytes-at-before)
		f := newSAFixture(t, tokenAttributes(plugin.CacheTypeToken, true), "-stderr", pad, "-echo-stderr", "-exit-after", "1")
		_, err := f.p.Lookup(t.Context(), podRequest("app", "pod-1", "builder"))
		require.Error(t, err)
		logs := f.logs.String()
		require.Contains(t, logs, "more bytes]", "the stderr was cut")
		assert.NotContains(t, logs, token[:min(before, 8)], "%d bytes of the token before the cut", before)
	}
}
