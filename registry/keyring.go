package registry

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"oras.land/oras-go/v2/registry/remote/auth"
)

// Credential is one set of registry credentials, as a docker config file or a Kubernetes
// image pull secret holds them. The zero Credential means anonymous access.
type Credential struct {
	Username string
	Password string
	// IdentityToken is an OAuth2 refresh token (docker config "identitytoken"), exchanged at
	// the registry's token service for an access token.
	IdentityToken string
	// RegistryToken is a bearer token sent to the registry as is (docker config
	// "registrytoken").
	RegistryToken string
}

// IsZero reports whether c holds no credentials (anonymous access).
func (c Credential) IsZero() bool { return c == Credential{} }

// String hides the secrets: it names the user, or says which kind of token c holds.
func (c Credential) String() string {
	switch {
	case c.Username != "":
		return "user " + c.Username
	case c.IdentityToken != "":
		return "identity token"
	case c.RegistryToken != "":
		return "registry token"
	}
	return "anonymous"
}

func (c Credential) oras() auth.Credential {
	return auth.Credential{Username: c.Username, Password: c.Password, RefreshToken: c.IdentityToken, AccessToken: c.RegistryToken}
}

// Keyring holds registry credentials by location and picks those for an image the way the
// kubelet's keyring does (k8s.io/kubernetes pkg/credentialprovider/keyring.go):
//
//   - A location is a config key such as "registry.example.com",
//     "registry.example.com:5000/team", "https://index.docker.io/v1/" or "*.example.com".
//     A scheme is dropped, and a leading "/v1" or "/v2" path element is dropped, so
//     "https://quay.io/v2/" and "quay.io" are the same location.
//   - A location matches a repository ("quay.io/team/app", "docker.io/library/nginx") when
//     the ports are equal, the host names have the same number of dot-separated parts and
//     each part matches as a glob ("*.example.com" matches "eu.example.com", not
//     "example.com"), and the location's path is a prefix of the repository's path (a plain
//     string prefix, as in the kubelet: "quay.io/team" also matches "quay.io/teamwork/app").
//   - All matching locations' credentials are returned, the most specific first (locations
//     in reverse lexical order), so "quay.io/team" is tried before "quay.io".
//   - When nothing matches, a Docker Hub repository ("docker.io/…") gets the credentials of
//     "index.docker.io" (e.g. from "https://index.docker.io/v1/").
//
// Host names are compared as written (case-sensitive), as in the kubelet; repositories from
// [reference.Image.Repository] are lower case. A nil *Keyring is empty. A Keyring is immutable
// and safe for concurrent use.
type Keyring struct {
	entries []keyringEntry // sorted by key, descending: the kubelet's lookup order
}

type keyringEntry struct {
	key   string       // host[:port][/path], as the kubelet indexes it
	creds []Credential // in the order they were added
	loc   location     // key, parsed once
}

// location is a key or a repository split as the kubelet's URLsMatch compares them.
type location struct {
	hostParts []string // dot-separated host name parts (globs, for a key)
	port      string
	path      string
	ok        bool // false when it did not parse: it matches nothing
}

func parseLocation(s string) location {
	u, err := url.Parse("https://" + s)
	if err != nil {
		return location{}
	}
	parts, port := splitHost(u.Host)
	return location{hostParts: parts, port: port, path: u.Path, ok: true}
}

// matches is the kubelet's URLsMatch(key, repo): equal ports, host parts matching as globs
// one by one, and the key's path a prefix of the repository's.
func (key location) matches(repo location) bool {
	if !key.ok || !repo.ok || key.port != repo.port || len(key.hostParts) != len(repo.hostParts) ||
		!strings.HasPrefix(repo.path, key.path) {
		return false
	}
	for i, pattern := range key.hostParts {
		if ok, err := path.Match(pattern, repo.hostParts[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

// dockerHubKey is the location the kubelet falls back to for Docker Hub images.
const dockerHubKey = "index.docker.io"

// NewKeyring returns a keyring holding the given credentials by location (see [Keyring]).
// It returns an error for a location that does not parse.
func NewKeyring(creds map[string]Credential) (*Keyring, error) {
	b := keyringBuilder{}
	for _, loc := range sortedKeys(creds) {
		key, err := keyringKey(loc)
		if err != nil {
			return nil, err
		}
		b.add(key, creds[loc])
	}
	return b.keyring(), nil
}

// FromDockerConfigJSON returns the credentials of a docker config in the "auths" format: the
// bytes of a Kubernetes kubernetes.io/dockerconfigjson Secret's ".dockerconfigjson" key, or a
// docker config.json file. Entries are read as the kubelet reads them: "auth" (base64 of
// "user:password", padded or not) overrides "username" and "password"; an entry whose "auth"
// does not decode fails the whole config, and a location that does not parse as a URL is
// skipped. Beyond the kubelet, "identitytoken" and "registrytoken" are kept. Credential
// helpers ("credsStore", "credHelpers") are not run. Error messages never contain secrets.
func FromDockerConfigJSON(data []byte) (*Keyring, error) {
	var cfg struct {
		Auths map[string]dockerConfigEntry `json:"auths"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("registry: parsing docker config: %w", err)
	}
	return fromDockerConfig(cfg.Auths)
}

// FromDockerConfigFile reads a docker config file with [FromDockerConfigJSON]. A file named
// ".dockercfg" is read in the legacy format (a map of locations at the top level), as the
// kubelet reads it.
func FromDockerConfigFile(name string) (*Keyring, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("registry: reading docker config: %w", err)
	}
	if filepath.Base(name) != ".dockercfg" {
		k, err := FromDockerConfigJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%w (in %s)", err, name)
		}
		return k, nil
	}
	var entries map[string]dockerConfigEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("registry: parsing docker config %s: %w", name, err)
	}
	return fromDockerConfig(entries)
}

// Merge returns one keyring holding the credentials of all ks, matched as one (the kubelet
// puts all of a pod's pull secrets into one keyring). Credentials for the same location keep
// the order of ks. Nil keyrings are skipped.
func Merge(ks ...*Keyring) *Keyring {
	b := keyringBuilder{}
	for _, k := range ks {
		if k == nil {
			continue
		}
		for _, e := range k.entries {
			for _, c := range e.creds {
				b.add(e.key, c)
			}
		}
	}
	return b.keyring()
}

// Lookup returns the credentials to try for repo, a normalised repository such as
// "docker.io/library/nginx" or "registry.example.com:5000/team/app", in the order the kubelet
// tries them; nil when none match.
func (k *Keyring) Lookup(repo string) []Credential {
	if k == nil || len(k.entries) == 0 {
		return nil
	}
	var out []Credential
	r := parseLocation(repo)
	for _, e := range k.entries {
		if e.loc.matches(r) {
			out = append(out, e.creds...)
		}
	}
	if out != nil || !isDockerHub(repo) {
		return out
	}
	if i, ok := k.find(dockerHubKey); ok {
		out = append(out, k.entries[i].creds...)
	}
	return out
}

// Len returns the number of locations in k.
func (k *Keyring) Len() int {
	if k == nil {
		return 0
	}
	return len(k.entries)
}

func (k *Keyring) find(key string) (int, bool) {
	return slices.BinarySearchFunc(k.entries, key, func(e keyringEntry, key string) int {
		return strings.Compare(key, e.key) // entries are in descending order
	})
}

// dockerConfigEntry is one entry of a docker config.
type dockerConfigEntry struct {
	Username      string `json:"username"`
	Password      string `json:"password"`
	Auth          string `json:"auth"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

func fromDockerConfig(entries map[string]dockerConfigEntry) (*Keyring, error) {
	b := keyringBuilder{}
	for _, loc := range sortedKeys(entries) {
		e := entries[loc]
		c := Credential{Username: e.Username, Password: e.Password, IdentityToken: e.IdentityToken, RegistryToken: e.RegistryToken}
		if e.Auth != "" {
			var err error
			if c.Username, c.Password, err = decodeAuthField(e.Auth); err != nil {
				return nil, fmt.Errorf("registry: parsing docker config: entry %q: %w", loc, err)
			}
		}
		key, err := keyringKey(loc)
		if err != nil {
			continue // the kubelet logs and ignores such an entry
		}
		b.add(key, c)
	}
	return b.keyring(), nil
}

// errAuthField is the kubelet's complaint about an "auth" field without a colon.
var errAuthField = errors.New("unable to parse auth field, must be formatted as base64(username:password)")

// decodeAuthField decodes a docker config "auth" field: base64 of "user:password", padded or
// not (the kubelet decides by a trailing "=").
func decodeAuthField(field string) (user, password string, err error) {
	enc := base64.RawStdEncoding
	if strings.HasSuffix(strings.TrimSpace(field), "=") {
		enc = base64.StdEncoding
	}
	raw, err := enc.DecodeString(field)
	if err != nil {
		return "", "", errors.New("auth field is not valid base64")
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errAuthField
	}
	return user, password, nil
}

// keyringKey turns a config location into the kubelet's index key: host[:port] plus the path
// without a leading /v1 or /v2, the scheme dropped.
func keyringKey(loc string) (string, error) {
	v := loc
	if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", fmt.Errorf("registry: credential location %q: %w", loc, err)
	}
	p := u.Path
	if strings.HasPrefix(p, "/v2/") || strings.HasPrefix(p, "/v1/") {
		p = p[3:]
	}
	if p == "" || p == "/" {
		return u.Host, nil
	}
	return u.Host + p, nil
}

func splitHost(hostport string) (parts []string, port string) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
	}
	return strings.Split(host, "."), port
}

// isDockerHub is the kubelet's isDefaultRegistryMatch: does repo pull from Docker Hub?
func isDockerHub(repo string) bool {
	first, _, found := strings.Cut(repo, "/")
	switch {
	case first == "":
		return false
	case !found, first == "docker.io", first == dockerHubKey:
		return true
	}
	return !strings.ContainsAny(first, ".:")
}

// keyringBuilder collects credentials by key; keyring() sorts them into lookup order.
type keyringBuilder struct {
	byKey map[string][]Credential
}

func (b *keyringBuilder) add(key string, c Credential) {
	if b.byKey == nil {
		b.byKey = make(map[string][]Credential)
	}
	b.byKey[key] = append(b.byKey[key], c)
}

func (b *keyringBuilder) keyring() *Keyring {
	k := &Keyring{entries: make([]keyringEntry, 0, len(b.byKey))}
	for _, key := range sortedKeys(b.byKey) {
		k.entries = append(k.entries, keyringEntry{key: key, creds: b.byKey[key], loc: parseLocation(key)})
	}
	slices.Reverse(k.entries)
	return k
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
