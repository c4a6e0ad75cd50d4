package credential

import (
	"net"
	"net/url"
	"path/filepath"
	"strings"
)

// locationKey turns a docker config location into the kubelet's index key: scheme dropped,
// host kept with its port, a leading "/v1/" or "/v2/" path dropped, "/" alone dropped. A
// location that does not parse as a URL is not a key.
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

// location is a location key parsed as the kubelet's URLsMatch reads it: host labels (which
// may be globs), port and path.
type location struct {
	labels []string // the host split on "."
	port   string
	path   string
	ok     bool // false when the key does not parse: it matches nothing
}

func parseLocation(key string) location {
	l, err := parseGlob(key)
	if err != nil {
		return location{}
	}
	return l
}

// parseGlob parses s as the kubelet's ParseSchemelessURL does (url.Parse of "https://" + s)
// into the parts URLsMatch compares. The error is url.Parse's.
func parseGlob(s string) (location, error) {
	u, err := url.Parse("https://" + s)
	if err != nil {
		return location{}, err
	}
	host, port := splitHostPort(u.Host)
	return location{labels: strings.Split(host, "."), port: port, path: u.Path, ok: true}, nil
}

// target is an image repository parsed as the kubelet parses it for a lookup: the host without
// its port, the port, and the path.
type target struct {
	host   string
	port   string
	path   string
	labels int  // the number of "."-separated labels of host
	ok     bool // false when the repository does not parse as a URL: no location matches
}

// parseTarget parses image as the kubelet does (url.Parse of "https://" + image, then
// net.SplitHostPort of the host). A normalised repository, made of letters, digits, ".", "-",
// "_", "/" and at most one ":" before the path, is split without url.Parse and without
// allocating; anything else takes the kubelet's path.
func parseTarget(image string) target {
	authority, path := image, ""
	if i := strings.IndexByte(image, '/'); i >= 0 {
		authority, path = image[:i], image[i:]
	}
	host, port, colon := strings.Cut(authority, ":")
	if !isPlain(image) || strings.IndexByte(port, ':') >= 0 {
		return parseTargetURL(image)
	}
	if colon && !isDigits(port) {
		return target{} // url.Parse: invalid port
	}
	return target{host: host, port: port, path: path, labels: strings.Count(host, ".") + 1, ok: true}
}

// parseTargetURL is the kubelet's parse of a repository, for the strings parseTarget does not
// split itself.
func parseTargetURL(image string) target {
	u, err := url.Parse("https://" + image)
	if err != nil {
		return target{}
	}
	host, port := splitHostPort(u.Host)
	return target{host: host, port: port, path: u.Path, labels: strings.Count(host, ".") + 1, ok: true}
}

// isPlain reports whether s holds only letters, digits, ".", "-", "_", "/" and ":": bytes that
// url.Parse keeps as they are in a host, port or path.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '-', c == '_', c == '/', c == ':':
		default:
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitHostPort splits host[:port] as the kubelet does: when net.SplitHostPort fails, the
// whole string is the host and the port is empty.
func splitHostPort(hostport string) (host, port string) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, ""
	}
	return host, port
}

// matches is the kubelet's URLsMatch(l, t): the same port, the same number of host labels,
// each of t's labels matching l's glob, and l's path a string prefix of t's.
func (l *location) matches(t target) bool {
	if !l.ok || !t.ok || l.port != t.port || len(l.labels) != t.labels || !strings.HasPrefix(t.path, l.path) {
		return false
	}
	rest := t.host
	for _, pattern := range l.labels {
		var label string
		label, rest, _ = strings.Cut(rest, ".")
		if ok, err := filepath.Match(pattern, label); err != nil || !ok {
			return false
		}
	}
	return true
}
