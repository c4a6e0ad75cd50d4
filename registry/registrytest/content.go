package registrytest

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/distribution/reference"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// randomFileBytes is the size of the one random file in a random image's layer.
const randomFileBytes = 256

// randomLayer returns an uncompressed tar holding one file of random bytes.
func randomLayer() ([]byte, error) {
	data := make([]byte, randomFileBytes)
	_, _ = rand.Read(data) // crypto/rand.Read never fails
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Name: "random", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, fmt.Errorf("random layer: %w", err)
	}
	if _, err := tw.Write(data); err != nil {
		return nil, fmt.Errorf("random layer: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("random layer: %w", err)
	}
	return buf.Bytes(), nil
}

// splitRepoTag splits "repo:tag" into its parts; a digest is refused.
func splitRepoTag(repoTag string) (repo, tag string, err error) {
	named, err := parseRef(repoTag)
	if err != nil {
		return "", "", err
	}
	tagged, ok := named.(reference.Tagged)
	if _, digested := named.(reference.Digested); !ok || digested {
		return "", "", fmt.Errorf("registrytest: %q is not repo:tag", repoTag)
	}
	return reference.Path(named), tagged.Tag(), nil
}

// splitRef splits "repo:tag" or "repo@digest" into the repository path and the tag or digest.
func splitRef(ref string) (repo, target string, err error) {
	named, err := parseRef(ref)
	if err != nil {
		return "", "", err
	}
	tagged, isTagged := named.(reference.Tagged)
	digested, isDigested := named.(reference.Digested)
	switch {
	case isTagged == isDigested:
		return "", "", fmt.Errorf("registrytest: %q needs exactly one of :tag or @digest", ref)
	case isTagged:
		return reference.Path(named), tagged.Tag(), nil
	default:
		return reference.Path(named), digested.Digest().String(), nil
	}
}

// parseRef parses a reference relative to the registry, such as "app:v1" or "team/app@sha256:…".
func parseRef(ref string) (reference.Named, error) {
	named, err := reference.ParseNamed("registrytest.invalid/" + ref)
	if err != nil {
		return nil, fmt.Errorf("registrytest: bad reference %q: %w", ref, err)
	}
	return named, nil
}

// parsePlatform reads "os/arch" or "os/arch/variant".
func parsePlatform(s string) (ocispec.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return ocispec.Platform{}, fmt.Errorf("platform %q is not os/arch or os/arch/variant", s)
	}
	p := ocispec.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}
