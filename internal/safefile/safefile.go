// Package safefile reads small configuration and state files that someone else may have
// replaced: only a regular file is read, never more than a given size, and opening never
// blocks (a FIFO or a device where a file should be is refused, not waited on).
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	f, size, err := openRegular(path, links)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > max {
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

// OpenRegular opens the regular file at path for reading, for a caller that bounds what it
// reads itself. Like [ReadRegular] it never blocks on a FIFO or a device and refuses anything
// but a regular file, with an *os.PathError matching ErrNotRegular.
func OpenRegular(path string, links Symlinks) (*os.File, error) {
	f, _, err := openRegular(path, links)
	return f, err
}

// openRegular opens path without blocking and checks that it is a regular file; it returns
// the file's size too.
func openRegular(path string, links Symlinks) (*os.File, int64, error) {
	f, err := open(path, links)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, 0, err
	case !info.Mode().IsRegular():
		f.Close()
		return nil, 0, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, describe(info.Mode()))}
	}
	return f, info.Size(), nil
}

// describe names what a non-regular file is, for errors: "a named pipe", "a device"…
func describe(mode fs.FileMode) string {
	switch t := mode.Type(); {
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	case t&fs.ModeSymlink != 0:
		return "a symlink"
	default:
		return "file mode " + t.String()
	}
}

func tooLarge(path string, max int64) error {
	return &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)}
}

// errSymlink is the error for a symlink refused with NoSymlinks.
var errSymlink = fmt.Errorf("%w (a symlink)", ErrNotRegular)
