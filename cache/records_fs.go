package cache

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	// Create creates or truncates name for writing, with mode 0600 (as os.WriteFile does).
	Create(name string) (tempFile, error)
	// SyncDir flushes a directory's entries (a rename) to disk.
	SyncDir(dir string) error
}

// tempFile is a file being written.
type tempFile interface {
	io.Writer
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

func (osFS) Create(name string) (tempFile, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// writeRecordFile replaces dir/name with data as the kubelet's writeFile does
// (pkg/kubelet/images/pullmanager/fs_pullrecords.go:290): the data goes to "<name>.tmp"
// (mode 0600), which is renamed over the target, so that a reader, or a crash at any point,
// sees the old file or the new one, and the directory holds the same names as the kubelet's at
// every instant. On failure the temporary file is removed (a crash may leave it behind: readers
// ignore ".tmp" files and [NewFileRecords] removes them). A missing directory is created, as
// the kubelet does before every write. With sync, the file is flushed before the rename and
// the directory after it ([FileRecordsOptions].Sync); the kubelet does neither. The caller
// holds the lock of name: the temporary name is fixed.
func writeRecordFile(fsys fileSystem, dir, name string, data []byte, sync bool) (err error) {
	target := filepath.Join(dir, name)
	tmp := target + tmpSuffix
	f, err := fsys.Create(tmp)
	if errors.Is(err, fs.ErrNotExist) { // the directory was removed: recreate it, as the kubelet does
		if err := fsys.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("failed to create directory %q: %w", dir, err)
		}
		f, err = fsys.Create(tmp)
	}
	if err != nil {
		return fmt.Errorf("failed to create temporary file %q: %w", tmp, err)
	}
	defer func() {
		if err != nil {
			_ = fsys.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("failed to create temporary file %q: %w", tmp, err)
	}
	if err := fsys.Rename(tmp, target); err != nil {
		return err
	}
	if sync {
		if err := fsys.SyncDir(dir); err != nil {
			return fmt.Errorf("failed to flush directory %q: %w", dir, err)
		}
	}
	return nil
}
