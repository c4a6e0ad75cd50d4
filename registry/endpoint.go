package registry

import (
	"net"
	"strings"

	"github.com/imagepull/imagepull/reference"
)

// Docker Hub's names: references say "docker.io", the registry API lives at
// registry-1.docker.io (as in docker and containerd), and docker configs name it
// "index.docker.io".
const (
	dockerHubDomain = "docker.io"
	dockerHubHost   = "registry-1.docker.io"
	dockerHubIndex  = "index.docker.io"
)

// endpoint is one place a manifest can be asked for: a registry or one of its mirrors.
type endpoint struct {
	host   string // host[:port] in URLs, and the only host that gets this endpoint's credentials
	scheme string // "https", or "http" for hosts the caller named
	ns     string // for a mirror, the registry it mirrors ("?ns=" query); "" for the registry
}

// mirror reports whether e is a mirror rather than the registry itself.
func (e endpoint) mirror() bool { return e.ns != "" }

// endpoints returns where to ask for img: its registry's mirrors in order, then the registry.
func (c *config) endpoints(img reference.Image) []endpoint {
	domain := img.Domain()
	host := domain
	if domain == dockerHubDomain {
		host = dockerHubHost
	}
	upstream := endpoint{host: host, scheme: schemeFor(host, c.plainHTTP)}
	if domain != host && c.plainHTTP[domain] {
		upstream.scheme = "http"
	}
	mirrors := c.mirrors[domain]
	if len(mirrors) == 0 {
		return []endpoint{upstream}
	}
	eps := make([]endpoint, 0, len(mirrors)+1)
	return append(append(eps, mirrors...), upstream)
}

// schemeFor returns "http" when host, or its name without the port, is listed as plain
// HTTP, and "https" otherwise.
func schemeFor(host string, plain map[string]bool) string {
	host = strings.ToLower(host)
	if plain[host] {
		return "http"
	}
	if name, _, err := net.SplitHostPort(host); err == nil && plain[name] {
		return "http"
	}
	return "https"
}

// credentialRepo is the repository the keyring is asked about for img at e: the image's own
// repository at its registry, and the mirror's host with the image's path at a mirror, so
// that credentials go only to the host they are for.
func (e endpoint) credentialRepo(img reference.Image) string {
	if !e.mirror() {
		return img.Repository()
	}
	return e.host + "/" + img.Path()
}

// manifestURL returns the URL of the manifest named ref (a tag or a digest) of img at e.
func (e endpoint) manifestURL(img reference.Image, ref string) string {
	var b strings.Builder
	b.Grow(len(e.scheme) + len(e.host) + len(img.Path()) + len(ref) + len(e.ns) + 32)
	b.WriteString(e.scheme)
	b.WriteString("://")
	b.WriteString(e.host)
	b.WriteString("/v2/")
	b.WriteString(img.Path())
	b.WriteString("/manifests/")
	b.WriteString(ref)
	if e.ns != "" {
		b.WriteString("?ns=")
		b.WriteString(e.ns)
	}
	return b.String()
}
