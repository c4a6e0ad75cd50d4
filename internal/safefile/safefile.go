// Package safefile reads small configuration and state files that someone else may have
// replaced: only a regular file is read, never more than a given size, and opening never
// blocks (a FIFO or a device where a file should be is refused, not waited on).
package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

var (
	// ErrNotRegular is matched by the error for a path that is not a regular file: a
	// directory, a FIFO, a device, a socket, or (when symlinks are not followed) a symlink.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is matched by the error for a file larger than the limit.
	ErrTooLarge = errors.New("file too large")
)

// Symlinks says whether ReadRegular follows a symlink that is the last element of the path.
type Symlinks bool

const (
	// FollowSymlinks follows symlinks (a Kubernetes volume mount is a chain of them).
	FollowSymlinks Symlinks = true
	// NoSymlinks refuses a symlink as the last element of the path, wherever it points.
	NoSymlinks Symlinks = false
)

// ReadRegular reads the regular file at path, refusing anything else and any file over max
// bytes. The errors are *os.PathError values: not-exist errors as os.ReadFile gives them, and
// errors matching ErrNotRegular or ErrTooLarge. It never blocks on a FIFO or a device.
func ReadRegular(path string, max int64, links Symlinks) ([]byte, error) {
	f, err := open(path, links)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !info.Mode().IsRegular():
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, info.Mode().Type())}
	case info.Size() > max:
		return nil, tooLarge(path, max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > max { // it grew while being read
		return nil, tooLarge(path, max)
	}
	return data, nil
}

func tooLarge(path string, max int64) error {
	return &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)}
}

// errSymlink is the error for a symlink refused with NoSymlinks.
var errSymlink = fmt.Errorf("%w (a symlink)", ErrNotRegular)
