package plugin

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
func ReadConfig(path string) (*Config, error) {
	cfg, err := readConfig(path)
	if err != nil {
		return nil, configError(err)
	}
	return cfg, nil
}

func readConfig(path string) (*Config, error) {
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
	for _, f := range files {
		data, err := readLimited(f)
		if err != nil {
			return nil, fmt.Errorf("unable to read file %q: %w", f, err)
		}
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

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxConfigFileBytes)
	}
	return data, nil
}
