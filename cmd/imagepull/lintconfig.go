package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// configNames are the configuration files lint loads without --config, in this order.
var configNames = [...]string{".imagepull-lint.yaml", ".imagepull-lint.yml"}

// findConfig returns the configuration file lint loads when --config is not given, as
// kube-linter loads .kube-linter.yaml: the one in the working directory, or else the one at
// the root of the repository the working directory is in (the nearest directory above it
// with a .git, a directory or a worktree's file). "" when there is none. An error other
// than the file not existing (a permission denied) is returned, not ignored.
func findConfig() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if path, err := configIn(wd); path != "" || err != nil {
		return path, err
	}
	for dir := wd; ; {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			if dir == wd {
				return "", nil
			}
			return configIn(dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// configIn returns the configuration file in dir, or "".
func configIn(dir string) (string, error) {
	for _, name := range configNames {
		path := filepath.Join(dir, name)
		_, err := os.Stat(path)
		switch {
		case err == nil:
			return path, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", err
		}
	}
	return "", nil
}
