//go:build unix

package lint_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/lint"
)

// TestLoadConfigHostile: a configuration path that is a device, a FIFO, a directory or a
// file over MaxConfigSize fails at once with an error naming the path and what it is, never a
// hang or unbounded memory (os.ReadFile read /dev/zero until memory ran out and waited on a
// FIFO forever).
func TestLoadConfigHostile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	huge := filepath.Join(dir, "huge.yaml")
	require.NoError(t, os.WriteFile(huge, []byte("rules: {IP005: error}\n"+strings.Repeat("#", lint.MaxConfigSize)), 0o600))
	zero := filepath.Join(dir, "zero.yaml")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	for _, tc := range []struct{ path, want string }{
		{"/dev/zero", "not a regular file (a device)"},
		{zero, "not a regular file (a device)"},
		{fifo, "not a regular file (a named pipe)"},
		{dir, "not a regular file (a directory)"},
		{huge, "file too large: more than 1048576 bytes"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := lint.LoadConfig(tc.path)
				done <- err
			}()
			select {
			case err := <-done:
				assert.EqualError(t, err, "read "+tc.path+": "+tc.want)
			case <-time.After(10 * time.Second):
				t.Fatal("LoadConfig hangs")
			}
		})
	}
}
