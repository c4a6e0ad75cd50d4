package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrReadOnly is matched by the error every write and delete method returns on a
// [FileRecords] opened with [OpenFileRecordsReadOnly].
var ErrReadOnly = errors.New("pull records opened read-only")

// OpenFileRecordsReadOnly opens the records under dir (the kubelet's
// /var/lib/kubelet/image_manager) for reading only, for tools that inspect a node's records
// without changing them. Unlike [NewFileRecords] it creates no directory, removes no
// temporary file and rewrites no v1alpha1 file (those are read as they are). Its write and
// delete methods return an error matching [ErrReadOnly] and touch nothing. A missing
// pulling/ or pulled/ subdirectory reads as empty. It returns an error wrapping
// [fs.ErrNotExist] when dir does not exist, and an error when dir is not a directory.
//
// Reading a directory the kubelet is writing is safe (the kubelet replaces files by rename,
// and temporary files are ignored), but the listing is not a snapshot.
func OpenFileRecordsReadOnly(dir string) (*FileRecords, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("pull records: %s is not a directory", dir)
	}
	return &FileRecords{pullingDir: filepath.Join(dir, "pulling"), pulledDir: filepath.Join(dir, "pulled"), fs: readOnlyFS{}}, nil
}

// readOnlyFS is the real file system for reading; every change is refused.
type readOnlyFS struct{ osFS }

func (readOnlyFS) ReadDir(name string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return entries, err
}

func (readOnlyFS) MkdirAll(path string, _ os.FileMode) error { return refuse("create", path) }
func (readOnlyFS) Remove(name string) error                  { return refuse("remove", name) }
func (readOnlyFS) Rename(oldpath, _ string) error            { return refuse("rename", oldpath) }
func (readOnlyFS) SyncDir(dir string) error                  { return refuse("sync", dir) }

func (readOnlyFS) Create(name string) (tempFile, error) { return nil, refuse("create", name) }

func refuse(op, path string) error { return fmt.Errorf("%w: cannot %s %s", ErrReadOnly, op, path) }
