package plugin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// pluginDir is the plugin directory (--image-credential-provider-bin-dir), resolved once.
type pluginDir struct {
	path string // as given
	real string // with every symlink resolved
}

// openPluginDir checks that dir exists and is a directory, with the kubelet's messages.
func openPluginDir(dir string) (pluginDir, error) {
	info, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return pluginDir{}, fmt.Errorf("plugin binary directory %s did not exist", dir)
		}
		return pluginDir{}, fmt.Errorf("error inspecting binary directory %s: %w", dir, err)
	}
	if !info.IsDir() {
		return pluginDir{}, fmt.Errorf("error inspecting binary directory %s: not a directory", dir)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return pluginDir{}, fmt.Errorf("error inspecting binary directory %s: %w", dir, err)
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return pluginDir{}, fmt.Errorf("error inspecting binary directory %s: %w", dir, err)
	}
	return pluginDir{path: dir, real: real}, nil
}

// binary returns the path of the named plugin's executable in d, as the kubelet joins it,
// after checking that it exists, is an executable regular file, and, beyond the kubelet, that
// it and every symlink on the way to it resolve inside the plugin directory: a link to a
// binary elsewhere is refused, so that only what the directory holds ever runs. It is called
// when the provider is built and again before every run.
func (d pluginDir) binary(name string) (string, error) {
	path := filepath.Join(d.path, name)
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("plugin binary executable %s: the name %q is not a file name", path, name)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("plugin binary executable %s did not exist", path)
		}
		return "", fmt.Errorf("error inspecting binary executable %s: %w", path, err)
	}
	if real, err = filepath.Abs(real); err != nil {
		return "", fmt.Errorf("error inspecting binary executable %s: %w", path, err)
	}
	if rel, err := filepath.Rel(d.real, real); err != nil || rel == "." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || rel == ".." {
		return "", fmt.Errorf("plugin binary executable %s resolves to %s, outside the plugin directory %s", path, real, d.real)
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("error inspecting binary executable %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("error inspecting binary executable %s: not a regular file", path)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("error inspecting binary executable %s: permission denied: not executable", path)
	}
	return path, nil
}
