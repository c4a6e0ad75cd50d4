//go:build unix

package safefile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("hello"), 0o600))
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(file, link))
	zero := filepath.Join(dir, "zero")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	tests := []struct {
		name    string
		path    string
		max     int64
		links   Symlinks
		want    string
		wantErr error
	}{
		{name: "a regular file", path: file, max: 5, want: "hello"},
		{name: "over the limit", path: file, max: 4, wantErr: ErrTooLarge},
		{name: "missing", path: filepath.Join(dir, "missing"), max: 5, wantErr: fs.ErrNotExist},
		{name: "a directory", path: dir, max: 5, wantErr: ErrNotRegular},
		{name: "a FIFO", path: fifo, max: 5, wantErr: ErrNotRegular},
		{name: "a device", path: "/dev/zero", max: 5, wantErr: ErrNotRegular},
		{name: "a symlink, followed", path: link, max: 5, links: FollowSymlinks, want: "hello"},
		{name: "a symlink, refused", path: link, max: 5, links: NoSymlinks, wantErr: ErrNotRegular},
		{name: "a symlink to a device, followed", path: zero, max: 5, links: FollowSymlinks, wantErr: ErrNotRegular},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadRegular(tc.path, tc.max, tc.links)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), tc.path)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// TestOpenRegular: what ReadRegular refuses, OpenRegular refuses too, at once and naming what
// the path is; a regular file opens and reads.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("hello"), 0o600))
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	tests := []struct {
		name, path, what string
	}{
		{"a FIFO", fifo, "(a named pipe)"},
		{"a device", "/dev/zero", "(a device)"},
		{"a directory", dir, "(a directory)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := OpenRegular(tc.path, FollowSymlinks)
			require.ErrorIs(t, err, ErrNotRegular)
			assert.Nil(t, f)
			assert.Equal(t, "read "+tc.path+": not a regular file "+tc.what, err.Error())
		})
	}
	f, err := OpenRegular(file, NoSymlinks)
	require.NoError(t, err)
	defer f.Close()
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(data))
}
