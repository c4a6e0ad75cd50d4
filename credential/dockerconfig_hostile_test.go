//go:build unix

package credential_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

// TestFromDockerConfigFileHostile: a node docker config that is a device, a FIFO, a directory
// or a huge file fails fast with an error naming the file, never a hang or unbounded memory.
func TestFromDockerConfigFileHostile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(credential.MaxDockerConfigSize+1))
	require.NoError(t, f.Close())
	link := filepath.Join(dir, "config.json")
	require.NoError(t, os.Symlink("/dev/zero", link))
	for _, path := range []string{"/dev/zero", fifo, dir, huge, link} {
		t.Run(path, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := credential.FromDockerConfigFile(path)
				done <- err
			}()
			select {
			case err := <-done:
				require.Error(t, err)
				assert.Contains(t, err.Error(), path)
			case <-time.After(5 * time.Second):
				t.Fatal("FromDockerConfigFile hangs")
			}
		})
	}
}

// TestFromDockerConfigFileFollowsSymlinks: a config mounted from a Secret volume is a symlink
// chain to a regular file; it is read.
func TestFromDockerConfigFileFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "..data", "config.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(target), 0o700))
	require.NoError(t, os.WriteFile(target, []byte(`{"auths":{"reg.example.com":{"username":"u","password":"p"}}}`), 0o600))
	link := filepath.Join(dir, "config.json")
	require.NoError(t, os.Symlink(target, link))
	k, err := credential.FromDockerConfigFile(link)
	require.NoError(t, err)
	assert.Len(t, k.Lookup("reg.example.com/app"), 1)
}
