//go:build unix

package plugin_test

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential/plugin"
)

// readConfigBounded runs ReadConfigSkipping on path and returns what it gave and the entries
// it skipped, failing the test if it does not return in time (the kubelet's os.ReadFile waits
// on a FIFO forever).
func readConfigBounded(t *testing.T, path string) (*plugin.Config, map[string]string, error) {
	t.Helper()
	type result struct {
		cfg     *plugin.Config
		skipped map[string]string
		err     error
	}
	done := make(chan result, 1)
	go func() {
		skipped := map[string]string{}
		cfg, err := plugin.ReadConfigSkipping(path, func(file string, reason error) { skipped[file] = reason.Error() })
		done <- result{cfg, skipped, err}
	}()
	select {
	case r := <-done:
		return r.cfg, r.skipped, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("reading %s hangs", path)
		return nil, nil, nil
	}
}

// TestReadConfigNonRegular: a configuration path that is a FIFO or a device is refused at
// once; in a configuration directory, entries that are not regular files are skipped and
// reported, symlinks to regular files (a ConfigMap volume's) are read, and a directory left
// without a file to read has no configuration files.
func TestReadConfigNonRegular(t *testing.T) {
	const doc = "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n- name: %s\n" +
		"  matchImages: [\"a.io\"]\n  defaultCacheDuration: 1m\n  apiVersion: credentialprovider.kubelet.k8s.io/v1\n"
	provider := func(name string) []byte { return fmt.Appendf(nil, doc, name) }

	t.Run("a FIFO path", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "config.yaml")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		_, _, err := readConfigBounded(t, fifo)
		require.ErrorIs(t, err, plugin.ErrInvalidConfig)
		assert.EqualError(t, err, `unable to read file "`+fifo+`": not a regular file (a named pipe)`)
	})
	t.Run("a device path", func(t *testing.T) {
		_, _, err := readConfigBounded(t, "/dev/zero")
		require.ErrorIs(t, err, plugin.ErrInvalidConfig)
		assert.EqualError(t, err, `unable to read file "/dev/zero": not a regular file (a device)`)
	})
	t.Run("a directory with a FIFO, a device and a directory among its files", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "10-a.yaml"), provider("a"), 0o600))
		require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "20-fifo.yaml"), 0o600))
		require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "30-zero.json")))
		require.NoError(t, os.Symlink(t.TempDir(), filepath.Join(dir, "40-dir.yml")))
		data := filepath.Join(dir, "..data")
		require.NoError(t, os.Mkdir(data, 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(data, "50-b.yaml"), provider("b"), 0o600))
		require.NoError(t, os.Symlink(filepath.Join("..data", "50-b.yaml"), filepath.Join(dir, "50-b.yaml")))
		cfg, skipped, err := readConfigBounded(t, dir)
		require.NoError(t, err)
		var names []string
		for _, p := range cfg.Providers {
			names = append(names, p.Name)
		}
		assert.Equal(t, []string{"a", "b"}, names)
		assert.Equal(t, map[string]string{
			filepath.Join(dir, "20-fifo.yaml"): "not a regular file (a named pipe)",
			filepath.Join(dir, "30-zero.json"): "not a regular file (a device)",
			filepath.Join(dir, "40-dir.yml"):   "not a regular file (a directory)",
		}, skipped)
	})
	t.Run("a directory of a FIFO only", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "config.yaml"), 0o600))
		_, skipped, err := readConfigBounded(t, dir)
		require.ErrorIs(t, err, plugin.ErrInvalidConfig)
		assert.EqualError(t, err, `no configuration files found in directory "`+dir+`"`)
		assert.Len(t, skipped, 1)
	})
}
