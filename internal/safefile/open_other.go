//go:build !unix

package safefile

import "os"

// open opens path for reading; with NoSymlinks a final symlink is refused first (a check then
// an open: on systems without O_NOFOLLOW a swap in between is not caught).
func open(path string, links Symlinks) (*os.File, error) {
	if links == NoSymlinks {
		info, err := os.Lstat(path)
		if err != nil {
			return nil, err
		}
		if info.Mode()&os.ModeSymlink != 0 {
			return nil, &os.PathError{Op: "open", Path: path, Err: errSymlink}
		}
	}
	return os.Open(path)
}
