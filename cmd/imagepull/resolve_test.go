package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// dockerConfigJSON is a docker config with user:password for host.
func dockerConfigJSON(t *testing.T, host, user, password string) []byte {
	t.Helper()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	data, err := json.Marshal(map[string]any{"auths": map[string]any{host: map[string]string{"auth": auth}}})
	require.NoError(t, err)
	return data
}

// dockerConfig writes a docker config file with user:password for host.
func dockerConfig(t *testing.T, host, user, password string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	require.NoError(t, os.WriteFile(path, dockerConfigJSON(t, host, user, password), 0o600))
	return path
}

// TestResolve asks the loopback registry for digests: found, not found, unauthorized with and
// without credentials, unavailable; errors are one classified line and exit code 1.
func TestResolve(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	ctx := t.Context()
	public, err := reg.PushRandom(ctx, "team/app:v1")
	require.NoError(t, err)
	private, err := reg.PushRandom(ctx, "private/app:v1")
	require.NoError(t, err)
	reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "alice", Password: "s3cret", PathPrefix: "/v2/private/"})
	host := reg.Host()
	good := dockerConfig(t, host, "alice", "s3cret")
	bad := dockerConfig(t, host, "alice", "wrong")
	down := registrytest.New(t, registrytest.Options{})
	downHost := down.Host()
	down.Stop()
	ph := placeholders{{host, "REGISTRY"}, {downHost, "DOWN"}, {public.String(), "PUBLIC"}, {private.String(), "PRIVATE"}}

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string // a prefix
	}{
		{"a public tag", []string{host + "/team/app:v1"}, exitOK,
			"image   REGISTRY/team/app:v1\ndigest  PUBLIC\npinned  REGISTRY/team/app@PUBLIC\n", ""},
		{"json", []string{host + "/team/app:v1", "-o", "json"}, exitOK,
			"{\n  \"image\": \"REGISTRY/team/app:v1\",\n  \"digest\": \"PUBLIC\",\n  \"pinned\": \"REGISTRY/team/app@PUBLIC\"\n}\n", ""},
		{"an unknown tag", []string{host + "/team/app:v9"}, exitFailure, "",
			`imagepull resolve: NotFound: resolving "REGISTRY/team/app:v9" on REGISTRY: 404 Not Found: manifest or repository unknown` + "\n"},
		{"an unknown tag, json", []string{host + "/team/app:v9", "-o", "json"}, exitFailure,
			"{\n  \"image\": \"REGISTRY/team/app:v9\",\n  \"error\": {\n    \"kind\": \"NotFound\",\n    \"message\": \"resolving \\\"REGISTRY/team/app:v9\\\" on REGISTRY: 404 Not Found: manifest or repository unknown\"\n  }\n}\n", ""},
		{"private without credentials", []string{host + "/private/app:v1"}, exitFailure, "",
			`imagepull resolve: Unauthorized: resolving "REGISTRY/private/app:v1" on REGISTRY: 401 Unauthorized: authentication required or credentials rejected (HEAD "http://REGISTRY/v2/private/app/manifests/v1": basic credential not found); no credentials were given (--docker-config, --image-credential-provider-config)` + "\n"},
		{"private with wrong credentials", []string{host + "/private/app:v1", "--docker-config", bad}, exitFailure, "",
			`imagepull resolve: Unauthorized: resolving "REGISTRY/private/app:v1" on REGISTRY: 401 Unauthorized: authentication required or credentials rejected` + "\n"},
		{"private with credentials", []string{host + "/private/app:v1", "--docker-config", good}, exitOK,
			"image   REGISTRY/private/app:v1\ndigest  PRIVATE\npinned  REGISTRY/private/app@PRIVATE\n", ""},
		{"the registry is down", []string{downHost + "/team/app:v1"}, exitFailure, "",
			`imagepull resolve: RegistryUnavailable: resolving "DOWN/team/app:v1" on DOWN: registry unreachable: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, append([]string{"resolve", "--plain-http", "127.0.0.1"}, tc.args...)...)
			assert.Equal(t, tc.code, res.code)
			assert.Equal(t, tc.stdout, ph.apply(res.stdout))
			if tc.stderr == "" {
				assert.Empty(t, res.stderr)
			} else {
				assert.Equal(t, 1, bytes.Count([]byte(res.stderr), []byte("\n")), "one line: %q", res.stderr)
				assert.True(t, len(res.stderr) >= len(tc.stderr) && ph.apply(res.stderr)[:len(tc.stderr)] == tc.stderr, "got %q", ph.apply(res.stderr))
			}
		})
	}
}

// TestResolveHTTPSByDefault: a registry not named with --plain-http is reached over HTTPS,
// so the loopback registry's plain HTTP answer is an error, never silently accepted.
func TestResolveHTTPSByDefault(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	_, err := reg.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	res := run(t, "resolve", reg.Host()+"/team/app:v1")
	assert.Equal(t, exitFailure, res.code)
	assert.Contains(t, res.stderr, "http: server gave HTTP response to HTTPS client")
	assert.Zero(t, reg.Count("HEAD", "/v2/"))
}

// TestInterrupt: SIGINT during a registry call stops the command at once, with one line and
// exit code 130.
func TestInterrupt(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	_, err := reg.PushRandom(t.Context(), "team/app:v1")
	require.NoError(t, err)
	_, err = reg.Inject(registrytest.Fault{Method: http.MethodHead, PathPrefix: "/v2/team/app/manifests/", Delay: time.Minute})
	require.NoError(t, err)

	cmd := exec.Command(binary, "resolve", "--plain-http", "127.0.0.1", reg.Host()+"/team/app:v1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool { return reg.Count(http.MethodHead, "/v2/team/app/manifests/") > 0 },
		30*time.Second, 10*time.Millisecond, "the request reaches the registry")
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("imagepull did not stop within 10s of SIGINT")
	}
	t.Logf("stopped %v after SIGINT", time.Since(start))
	assert.Equal(t, exitInterrupted, cmd.ProcessState.ExitCode())
	assert.Equal(t, "imagepull: interrupted\n", stderr.String())
	assert.Empty(t, stdout.String())
}
