package credential

import (
	"maps"
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

// ring is one BasicDockerKeyring: credentials by location, locations parsed once.
type ring struct {
	entries []entry // one per location key, reverse-sorted by key: more specific first
	hub     int     // index in entries of the "index.docker.io" key; -1 when absent
}

// entry is one location key of a ring and the credentials stored under it.
type entry struct {
	loc   location
	creds []Credential // in the order they were added
}

// ringBuilder collects docker config entries into one ring.
type ringBuilder struct {
	creds map[string][]Credential // by location key
}

// add indexes every entry of cfg under its location key, with source src. Entries are taken in
// sorted order of their location strings so that the result does not depend on map order (the
// kubelet's own order for two locations with the same key is random).
func (b *ringBuilder) add(src Source, cfg dockerConfig) {
	for _, loc := range slices.Sorted(maps.Keys(cfg)) {
		e := cfg[loc]
		b.put(loc, Credential{Username: e.Username, Password: e.Password, Email: e.Email, Source: src})
	}
}

// put indexes c under the key of the docker config location loc, with its hash computed. A
// location that is not a key is ignored, as the kubelet logs "Entry %q in dockercfg invalid"
// and ignores it.
func (b *ringBuilder) put(loc string, c Credential) {
	key, ok := locationKey(loc)
	if !ok {
		return
	}
	if b.creds == nil {
		b.creds = make(map[string][]Credential)
	}
	c.Hash = Hash(c)
	b.creds[key] = append(b.creds[key], c)
}

// keyring freezes the builder into a Keyring of one ring.
func (b *ringBuilder) keyring() *Keyring {
	if len(b.creds) == 0 {
		return &Keyring{}
	}
	keys := slices.Sorted(maps.Keys(b.creds))
	slices.Reverse(keys)
	r := &ring{entries: make([]entry, len(keys)), hub: -1}
	for i, key := range keys {
		r.entries[i] = entry{loc: parseLocation(key), creds: b.creds[key]}
		if key == defaultRegistryHost {
			r.hub = i
		}
	}
	return &Keyring{rings: []*ring{r}}
}

// lookup appends to out the ring's credentials for the image t names: those of every matching
// location, most specific first; when none matches and the image is on Docker Hub, those of
// "index.docker.io".
func (r *ring) lookup(out []Credential, t target, image string) []Credential {
	n := len(out)
	for i := range r.entries {
		if r.entries[i].loc.matches(t) {
			out = append(out, r.entries[i].creds...)
		}
	}
	if len(out) == n && r.hub >= 0 && isDefaultRegistryMatch(image) {
		out = append(out, r.entries[r.hub].creds...)
	}
	return out
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

// Lookup returns the credentials that match image, a normalised repository without tag or
// digest such as "docker.io/library/nginx" ([reference.Image.Repository]), in the order the
// kubelet tries them: keyring by keyring in [Union] order; within a keyring, locations in
// reverse lexical order (so "quay.io/team" before "quay.io"). A location matches when its port
// and number of host labels are the image's, each label matches (a label may be a glob such as
// "*": "*.example.com" matches "eu.example.com", not "example.com" nor "a.b.example.com"), and
// its path is a string prefix of the image's path (so "quay.io/team" also matches
// "quay.io/teamwork/app", as in the kubelet). Host names are compared as written
// (case-sensitive), as in the kubelet. When no location of a keyring matches, a Docker Hub
// image gets that keyring's "index.docker.io" entries. Lookup returns nil when nothing
// matches: the pull is then anonymous. The returned slice is the caller's.
//
// Locations are parsed once, when the keyring is built; a Lookup parses image once and
// allocates only the slice it returns.
func (k *Keyring) Lookup(image string) []Credential {
	if k == nil || len(k.rings) == 0 {
		return nil
	}
	t := parseTarget(image)
	var out []Credential
	for _, r := range k.rings {
		out = r.lookup(out, t, image)
	}
	return out
}

// Union returns a keyring that looks up each of rings in turn and concatenates their answers,
// as the kubelet unions the pod's Secrets keyring with the node's: pass the pod's first. Nil
// keyrings are skipped; Union() is an empty keyring. To match several documents as one
// keyring (the most specific location winning across all of them), as the kubelet does with
// a pod's Secrets, use [FromSecrets] instead.
func Union(rings ...*Keyring) *Keyring {
	u := &Keyring{}
	for _, k := range rings {
		if k != nil {
			u.rings = append(u.rings, k.rings...)
		}
	}
	return u
}
