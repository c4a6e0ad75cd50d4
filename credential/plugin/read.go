package plugin

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/imagepull/imagepull/internal/safefile"
)

// maxConfigFileBytes bounds what ReadConfig reads from one file.
const maxConfigFileBytes = 16 << 20

// ReadConfig reads the kubelet's --image-credential-provider-config: a file, or a directory whose
// "*.json", "*.yaml" and "*.yml" files are read in lexicographic order and their providers
// concatenated. A provider name seen twice across the files is an error. Like [ParseConfig] it
// does not validate. Errors match [ErrInvalidConfig]; their texts are the kubelet's, for example
// `no configuration files found in directory "/etc/kubernetes/credential-providers"` or
// `error decoding config "/etc/kubernetes/ecr.yaml": strict decoding error: …`. A file larger
// than 16 MiB is refused (the kubelet reads any size).
//
// Only regular files (or symlinks to them) are read, and opening one never blocks: a path that
// is a FIFO or a device is an error, and a directory's entry that is not a regular file (a
// FIFO, a device, a socket, a symlink to a directory) is skipped, where the kubelet would wait
// on it forever, read it without end, or fail. [ReadConfigSkipping] reports what it skipped.
func ReadConfig(path string) (*Config, error) {
	return ReadConfigSkipping(path, nil)
}

// ReadConfigSkipping is [ReadConfig] that calls skipped, when not nil, for each entry of a
// configuration directory it skipped because it is not a regular file, with the reason: an
// error matching no sentinel, whose text says what the entry is ("not a regular file (a named
// pipe)"). A directory whose entries are all skipped has no configuration files.
func ReadConfigSkipping(path string, skipped func(file string, reason error)) (*Config, error) {
	cfg, err := readConfig(path, skipped)
	if err != nil {
		return nil, configError(err)
	}
	return cfg, nil
}

func readConfig(path string, skipped func(string, error)) (*Config, error) {
	if path == "" {
		return nil, errors.New("credential provider config path is empty")
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("unable to access path %q: %w", path, err)
	}
	files := []string{path}
	if info.IsDir() {
		if files, err = configFiles(path); err != nil {
			return nil, err
		}
	}
	merged := &Config{}
	seen := make(map[string]bool)
	read := 0
	for _, f := range files {
		data, err := readLimited(f)
		if errors.Is(err, safefile.ErrNotRegular) && info.IsDir() {
			if skipped != nil {
				skipped(f, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("unable to read file %q: %w", f, err)
		}
		read++
		cfg, err := parseConfig(data)
		if err != nil {
			return nil, fmt.Errorf("error decoding config %q: %w", f, err)
		}
		for _, p := range cfg.Providers {
			if seen[p.Name] {
				return nil, fmt.Errorf("duplicate provider name %q found in configuration file(s)", p.Name)
			}
			seen[p.Name] = true
			merged.Providers = append(merged.Providers, p)
		}
	}
	if read == 0 {
		return nil, fmt.Errorf("no configuration files found in directory %q", path)
	}
	return merged, nil
}

// configFiles lists the config files of dir, sorted.
func configFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("unable to read directory %q: %w", dir, err)
	}
	var files []string
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".json", ".yaml", ".yml":
			if !e.IsDir() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no configuration files found in directory %q", dir)
	}
	slices.Sort(files)
	return files, nil
}

// readLimited reads the regular file at path (following symlinks, as a ConfigMap volume's
// are), of at most maxConfigFileBytes, without blocking on a FIFO or a device. The errors
// name the file once, as the caller adds it: "not a regular file (a named pipe)" (matching
// safefile.ErrNotRegular), "larger than 16777216 bytes", or the open's error.
func readLimited(path string) ([]byte, error) {
	data, err := safefile.ReadRegular(path, maxConfigFileBytes, safefile.FollowSymlinks)
	var pe *os.PathError
	switch {
	case errors.Is(err, safefile.ErrTooLarge):
		return nil, fmt.Errorf("larger than %d bytes", maxConfigFileBytes)
	case errors.Is(err, safefile.ErrNotRegular) && errors.As(err, &pe):
		return nil, pe.Err
	}
	return data, err
}
