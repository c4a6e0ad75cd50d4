package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cri"
	"github.com/imagepull/imagepull/internal/critest"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// containerd returns the socket of the containerd named by IMAGEPULL_CRI_SOCKET (see
// .ci/containerd.sh) and a client to it. Without it the test is skipped, except under
// CI=true, where it fails: CI must not skip the runtime tests silently.
func containerd(t *testing.T) (string, *cri.Client) {
	t.Helper()
	socket := critest.Socket(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c, err := cri.Dial(ctx, socket, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return socket, c
}

// pullInto pulls image into the runtime, as a kubelet would have, and returns its image ID.
func pullInto(t *testing.T, c *cri.Client, image string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := c.PullImage(ctx, kubelet.PullRequest{Image: image})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), image) })
	return res.ImageRef
}

// TestDecideRuntime decides against the real containerd: an image it holds is used, one it
// does not hold is pulled or, under Never, fails.
func TestDecideRuntime(t *testing.T) {
	socket, c := containerd(t)
	reg := registrytest.New(t, registrytest.Options{})
	_, err := reg.PushRandom(t.Context(), "cli/decide:v1")
	require.NoError(t, err)
	present := reg.Host() + "/cli/decide:v1"
	id := pullInto(t, c, present)
	absent := reg.Host() + "/cli/absent:v1"

	for _, tc := range []struct {
		args  []string
		code  int
		lines []string
	}{
		{[]string{present}, exitOK, []string{"decision  UseLocal " + id + "\n",
			`event     Normal Pulled: Container image "` + present + `" already present on machine` + "\n"}},
		{[]string{present, "--runtime", "unix://" + socket, "--policy", "Never"}, exitOK, []string{"decision  UseLocal " + id + "\n"}},
		{[]string{absent}, exitOK, []string{"decision  Pull " + absent + "\n"}},
		{[]string{absent, "--policy", "Never"}, exitFailure, []string{"decision  Fail ErrImageNeverPull\n"}},
	} {
		args := append([]string{"decide", "--runtime", socket}, tc.args...)
		res := run(t, args...)
		assert.Empty(t, res.stderr)
		assert.Equal(t, tc.code, res.code, args)
		assert.Contains(t, res.stdout, "node      containerd ")
		for _, l := range tc.lines {
			assert.Contains(t, res.stdout, l, args)
		}
	}
}

// TestExplainRuntime explains pods against the real containerd and the loopback registry:
// what containerd holds is used (with the kubelet's verification: a preloaded image is for
// every pod), what it lacks is pulled or, under Never, fails; with --registry, Always uses an
// image whose digest containerd holds.
func TestExplainRuntime(t *testing.T) {
	socket, c := containerd(t)
	reg := registrytest.New(t, registrytest.Options{})
	ctx := t.Context()
	_, err := reg.PushRandom(ctx, "cli/explain:v1")
	require.NoError(t, err)
	host := reg.Host()
	present := host + "/cli/explain:v1"
	id := pullInto(t, c, present)
	name, version, err := c.Version(ctx)
	require.NoError(t, err)

	pod := func(name, image, policy string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: node\nspec:\n  containers:\n    - name: app\n      image: " +
			image + "\n      imagePullPolicy: " + policy + "\n"
	}
	manifest := filepath.Join(t.TempDir(), "pods.yaml")
	require.NoError(t, os.WriteFile(manifest, []byte(strings.Join([]string{
		pod("present", present, "IfNotPresent"),
		pod("present-never", present, "Never"),
		pod("present-always", present, "Always"),
		pod("absent", host+"/cli/absent:v1", "IfNotPresent"),
		pod("absent-never", host+"/cli/absent:v1", "Never"),
	}, "---\n")), 0o600))
	ph := placeholders{{manifest, "MANIFEST"}, {socket, "SOCKET"}, {host, "REGISTRY"}, {id, "IMAGE-ID"},
		{name + " " + version, "RUNTIME"}}
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"explain-runtime", nil},
		{"explain-runtime-registry", []string{"--registry", "--plain-http", "127.0.0.1"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			res := run(t, append([]string{"explain", "-f", manifest, "--runtime", "unix://" + socket}, tc.args...)...)
			// absent-never fails with ErrImageNeverPull: explain exits 1, as the README says.
			require.Equal(t, exitFailure, res.code, res.stderr)
			assert.Empty(t, res.stderr)
			golden(t, tc.golden, digestRE.ReplaceAllString(ph.apply(res.stdout), "sha256:DIGEST"))
		})
	}
}
