package cache

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/imagepull/imagepull/internal/safefile"
)

// MaxRecordFileSize is the largest pull-record or intent file [FileRecords] reads: 8 MiB, far
// above any real record (a record naming 10,000 Secrets is about 2 MiB). A larger file is a
// corrupt record.
const MaxRecordFileSize = 8 << 20

// fileSystem is the part of the OS that FileRecords uses. Tests replace it to inject failures
// at every step of a write.
type fileSystem interface {
	ReadFile(name string) ([]byte, error)
	ReadDir(name string) ([]os.DirEntry, error)
	MkdirAll(path string, perm os.FileMode) error
	Remove(name string) error
	Rename(oldpath, newpath string) error
	// CreateTemp creates a new file with mode 0600 (os.CreateTemp).
	CreateTemp(dir, pattern string) (tempFile, error)
	// SyncDir flushes a directory's entries (a rename) to disk.
	SyncDir(dir string) error
}

// tempFile is a file being written.
type tempFile interface {
	io.Writer
	Name() string
	Sync() error
	Close() error
}

// osFS is the real file system.
type osFS struct{}

// ReadFile reads a record file: a regular file, not a symlink, of at most MaxRecordFileSize
// bytes, opened without blocking (a FIFO is refused, never waited on).
func (osFS) ReadFile(name string) ([]byte, error) {
	return safefile.ReadRegular(name, MaxRecordFileSize, safefile.NoSymlinks)
}

func (osFS) ReadDir(name string) ([]os.DirEntry, error)   { return os.ReadDir(name) }
func (osFS) MkdirAll(path string, perm os.FileMode) error { return os.MkdirAll(path, perm) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }
func (osFS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }

func (osFS) CreateTemp(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// writeFileAtomic replaces dir/name with data so that a crash at any point leaves either the
// old file or the new one: the data goes to a unique "<name>.<random>.tmp" (mode 0600), is
// flushed, and is renamed over the target; the directory is then flushed. On failure the
// temporary file is removed (a crash may leave it behind: readers ignore ".tmp" files and
// [NewFileRecords] removes them).
func writeFileAtomic(fs fileSystem, dir, name string, data []byte) (err error) {
	if err := fs.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("failed to create directory %q: %w", dir, err)
	}
	f, err := fs.CreateTemp(dir, name+".*"+tmpSuffix)
	if err != nil {
		return fmt.Errorf("failed to create temporary file in %q: %w", dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = fs.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("failed to write temporary file %q: %w", tmp, err)
	}
	if err := fs.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	if err := fs.SyncDir(dir); err != nil {
		return fmt.Errorf("failed to flush directory %q: %w", dir, err)
	}
	return nil
}
