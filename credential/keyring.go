package credential

import (
	"maps"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// defaultRegistryHost is the key under which a Docker Hub entry ("index.docker.io/v1/",
// "https://index.docker.io/v1/", "index.docker.io") is indexed.
const defaultRegistryHost = "index.docker.io"

// Keyring answers which credentials match an image repository, in the kubelet's order (its
// BasicDockerKeyring and UnionDockerKeyring). A Keyring is immutable and safe for concurrent
// use. A nil *Keyring is an empty keyring.
type Keyring struct {
	rings []*ring // looked up in order; each is immutable
}

// ring is one BasicDockerKeyring: credentials indexed by location key.
type ring struct {
	index []location              // unique keys, reverse-sorted: more specific first
	creds map[string][]Credential // key → credentials, in the order they were added
}

// location is a key of a ring and its parsed form, used as a glob against image repositories.
type location struct {
	key   string
	glob  *url.URL // nil when the key does not parse; such a key never matches
	parts []string // host split on "."
	port  string
}

// ringBuilder collects docker config entries into one ring.
type ringBuilder struct {
	creds map[string][]Credential
}

// add indexes every entry of cfg under its location key, with source src. Entries are taken in
// sorted order of their location strings so that the result does not depend on map order (the
// kubelet's own order for two locations with the same key is random).
func (b *ringBuilder) add(src Source, cfg dockerConfig) {
	if b.creds == nil {
		b.creds = make(map[string][]Credential)
	}
	for _, loc := range slices.Sorted(maps.Keys(cfg)) {
		key, ok := locationKey(loc)
		if !ok {
			continue // the kubelet logs "Entry %q in dockercfg invalid" and ignores it
		}
		e := cfg[loc]
		c := Credential{Username: e.Username, Password: e.Password, Email: e.Email, Source: src}
		c.Hash = Hash(c)
		b.creds[key] = append(b.creds[key], c)
	}
}

// keyring freezes the builder into a Keyring of one ring.
func (b *ringBuilder) keyring() *Keyring {
	if len(b.creds) == 0 {
		return &Keyring{}
	}
	r := &ring{creds: b.creds}
	for _, key := range slices.Sorted(maps.Keys(b.creds)) {
		r.index = append(r.index, newLocation(key))
	}
	slices.Reverse(r.index)
	return &Keyring{rings: []*ring{r}}
}

// locationKey turns a docker config location into the kubelet's index key: scheme dropped,
// host kept with its port, a leading "/v1/" or "/v2/" path dropped, "/" alone dropped.
func locationKey(loc string) (string, bool) {
	value := loc
	if !strings.HasPrefix(value, "https://") && !strings.HasPrefix(value, "http://") {
		value = "https://" + value
	}
	u, err := url.Parse(value)
	if err != nil {
		return "", false
	}
	path := u.Path
	if strings.HasPrefix(path, "/v2/") || strings.HasPrefix(path, "/v1/") {
		path = path[3:]
	}
	if path == "" || path == "/" {
		return u.Host, true
	}
	return u.Host + path, true
}

func newLocation(key string) location {
	l := location{key: key}
	if u, err := parseSchemeless(key); err == nil {
		l.glob = u
		l.parts, l.port = splitHost(u)
	}
	return l
}

// parseSchemeless parses a host[/path] string as an https URL.
func parseSchemeless(s string) (*url.URL, error) {
	return url.Parse("https://" + s)
}

// splitHost splits u's host into its dot-separated labels and its port.
func splitHost(u *url.URL) (parts []string, port string) {
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, ""
	}
	return strings.Split(host, "."), port
}

// matches reports whether the image repository target matches l: same port, same number of
// host labels, each label matching l's (which may hold globs such as "*"), and l's path a
// string prefix of target's.
func (l location) matches(target *url.URL, parts []string, port string) bool {
	if l.glob == nil || l.port != port || len(l.parts) != len(parts) ||
		!strings.HasPrefix(target.Path, l.glob.Path) {
		return false
	}
	for i, p := range l.parts {
		if ok, err := filepath.Match(p, parts[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

// isDefaultRegistryMatch reports whether image is pulled from Docker Hub, judging by its name.
func isDefaultRegistryMatch(image string) bool {
	first, _, found := strings.Cut(image, "/")
	switch {
	case first == "":
		return false
	case !found, first == "docker.io", first == defaultRegistryHost:
		return true
	}
	return !strings.ContainsAny(first, ".:")
}

// lookup returns the ring's credentials for image: those of every matching location, most
// specific first; when none matches and image is on Docker Hub, those of "index.docker.io".
func (r *ring) lookup(image string) []Credential {
	var out []Credential
	if target, err := parseSchemeless(image); err == nil {
		parts, port := splitHost(target)
		for _, l := range r.index {
			if l.matches(target, parts, port) {
				out = append(out, r.creds[l.key]...)
			}
		}
	}
	if len(out) == 0 && isDefaultRegistryMatch(image) {
		out = append(out, r.creds[defaultRegistryHost]...)
	}
	return out
}

// Lookup returns the credentials that match image, a normalised repository without tag or
// digest such as "docker.io/library/nginx" ([reference.Image.Repository]), in the order the
// kubelet tries them: keyring by keyring in [Union] order; within a keyring, locations in
// reverse lexical order (so "quay.io/team" before "quay.io"). A location matches when its port
// and number of host labels are the image's, each label matches (a label may be a glob such as
// "*"), and its path is a prefix of the image's path. When no location of a keyring matches,
// a Docker Hub image gets that keyring's "index.docker.io" entries. Lookup returns nil when
// nothing matches: the pull is then anonymous. The returned slice is the caller's.
func (k *Keyring) Lookup(image string) []Credential {
	if k == nil {
		return nil
	}
	var out []Credential
	for _, r := range k.rings {
		out = append(out, r.lookup(image)...)
	}
	return out
}

// Union returns a keyring that looks up each of rings in turn and concatenates their answers,
// as the kubelet unions the pod's Secrets keyring with the node's: pass the pod's first. Nil
// keyrings are skipped; Union() is an empty keyring.
func Union(rings ...*Keyring) *Keyring {
	u := &Keyring{}
	for _, k := range rings {
		if k != nil {
			u.rings = append(u.rings, k.rings...)
		}
	}
	return u
}
