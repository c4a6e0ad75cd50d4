//go:build unix

package cache

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// within runs f and fails the test if it does not return within a few seconds (a hang).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s hangs", what)
	}
}

// TestFileRecordsHostileFiles: whatever sits where a record or an intent should be, reading it
// never hangs and never grows memory without bound, and anything but a regular file of sane
// size inside the directory is a corrupt record (a forced pull), never trusted.
func TestFileRecordsHostileFiles(t *testing.T) {
	good := kubeletFiles[3].content // the record of "testimageref"
	outside := filepath.Join(t.TempDir(), "record")
	require.NoError(t, os.WriteFile(outside, []byte(good), 0o600))
	tests := []struct {
		name  string
		plant func(t *testing.T, path string)
		// listed is false for a directory: listings skip directories, as the kubelet's do.
		unlisted bool
	}{
		{"a FIFO", func(t *testing.T, path string) { require.NoError(t, syscall.Mkfifo(path, 0o600)) }, false},
		{"a symlink to /dev/zero", func(t *testing.T, path string) { require.NoError(t, os.Symlink("/dev/zero", path)) }, false},
		{"a symlink to a valid record outside the directory", func(t *testing.T, path string) { require.NoError(t, os.Symlink(outside, path)) }, false},
		{"a dangling symlink", func(t *testing.T, path string) { require.NoError(t, os.Symlink("/nonexistent/record", path)) }, false},
		{"a directory", func(t *testing.T, path string) { require.NoError(t, os.Mkdir(path, 0o700)) }, true},
		{"a file over the size limit", func(t *testing.T, path string) {
			f, err := os.Create(path)
			require.NoError(t, err)
			require.NoError(t, f.Truncate(MaxRecordFileSize+1))
			require.NoError(t, f.Close())
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, sub := range []string{"pulled", "pulling"} {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, sub), 0o700))
				tc.plant(t, filepath.Join(dir, sub, recordFileName("testimageref")))
			}
			var r *FileRecords
			within(t, "NewFileRecords", func() {
				var err error
				r, err = NewFileRecords(dir)
				require.NoError(t, err)
			})
			within(t, "reading", func() {
				_, exists, err := r.GetPulledRecord("testimageref")
				require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
				assert.True(t, exists)
				_, err = r.PullIntentExists("testimageref")
				require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
				recs, err := r.ListPulledRecords()
				intents, ierr := r.ListPullIntents()
				assert.Empty(t, recs)
				assert.Empty(t, intents)
				if tc.unlisted {
					require.NoError(t, err)
					require.NoError(t, ierr)
					return
				}
				require.ErrorIs(t, err, pullmanager.ErrCorruptRecord)
				require.ErrorIs(t, ierr, pullmanager.ErrCorruptRecord)
			})
			v, err := pullmanager.New(pullmanager.Config{Records: r})
			require.NoError(t, err)
			within(t, "MustAttemptImagePull", func() {
				must, err := v.MustAttemptImagePull(t.Context(), "docker.io/testing/test:latest", "testimageref", nil)
				require.NoError(t, err)
				assert.True(t, must, "a forced pull")
			})
		})
	}
}
