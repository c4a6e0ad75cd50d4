package plugin_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential/plugin"
	"github.com/imagepull/imagepull/kubelet/kubelettest"
)

// fakePlugin is the path of testdata/fakeplugin, built once by TestMain.
var fakePlugin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fakeplugin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fakePlugin = filepath.Join(dir, "fakeplugin")
	build := exec.Command("go", "build", "-o", fakePlugin, "./testdata/fakeplugin")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building testdata/fakeplugin:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binDir returns a new plugin directory holding the fake plugin under each of names.
func binDir(t testing.TB, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		installPlugin(t, filepath.Join(dir, name))
	}
	return dir
}

// installPlugin puts an executable copy of the fake plugin at path.
func installPlugin(t testing.TB, path string) {
	t.Helper()
	if os.Link(fakePlugin, path) == nil {
		return
	}
	src, err := os.Open(fakePlugin)
	require.NoError(t, err)
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
}

// provider configures one fake plugin called name, matching matchImages, with args.
func providerConfig(name string, matchImages []string, args ...string) plugin.ProviderConfig {
	return plugin.ProviderConfig{
		Name: name, MatchImages: matchImages, APIVersion: plugin.ProtocolV1,
		DefaultCacheDuration: &plugin.Duration{Duration: time.Minute}, Args: args,
	}
}

// callLog returns a file for the plugin's -calls flag, and a function that reads the images
// it was run for.
func callLog(t testing.TB) (path string, calls func() []string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "calls")
	return path, func() []string {
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			return nil
		}
		require.NoError(t, err)
		return strings.Fields(string(b))
	}
}

// newClock returns a manual clock for the cache.
func newClock() *kubelettest.Clock {
	return kubelettest.NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
}
