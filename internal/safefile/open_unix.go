//go:build unix

package safefile

import (
	"errors"
	"os"
	"syscall"
)

// open opens path for reading without blocking (O_NONBLOCK: a FIFO without a writer opens at
// once) and, with NoSymlinks, without following a final symlink (O_NOFOLLOW).
func open(path string, links Symlinks) (*os.File, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	if links == NoSymlinks {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0)
	if links == NoSymlinks && errors.Is(err, syscall.ELOOP) {
		return nil, &os.PathError{Op: "open", Path: path, Err: errSymlink}
	}
	return f, err
}
