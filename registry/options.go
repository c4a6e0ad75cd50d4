package registry

import (
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/imagepull/imagepull/credential"
)

// Options configures a [Resolver]. The zero value (and a nil *Options) means the defaults
// documented on each field: no node credentials (anonymous access), HTTPS everywhere, no
// mirrors, 3 retries.
type Options struct {
	// Credentials are the node-wide credentials (for example
	// credential.FromDockerConfigFile of the node's docker config), looked up for each
	// endpoint's host and tried after a call's own (see [Resolver.ResolveWithCredentials]), as
	// the kubelet tries a pod's Secrets before the node's keyring. Nil means none.
	Credentials *credential.Keyring

	// Mirrors lists, per registry, endpoints to try in order before the registry itself, as
	// containerd's hosts.toml does. The key is the registry as it appears in a reference
	// ("docker.io", "quay.io", "localhost:5000"); "index.docker.io" and
	// "registry-1.docker.io" mean "docker.io". An endpoint is "https://host[:port]",
	// "http://host[:port]" (plain HTTP, since the caller named it), or "host[:port]" (HTTPS,
	// unless the host is in PlainHTTP). A mirror that fails in any way (unreachable, 404,
	// 401) is skipped and the next one, and finally the registry, is asked; credentials are
	// looked up for the mirror's own host, so a registry's credentials never go to a
	// mirror. Requests to a mirror carry "?ns=<registry>" as containerd's do.
	Mirrors map[string][]string

	// PlainHTTP lists the registries (and mirrors) to speak plain HTTP to: "host" (any port)
	// or "host:port". Every other registry is reached over HTTPS only.
	PlainHTTP []string

	// UserAgent is sent with every request. Empty means "imagepull/<module version>".
	UserAgent string

	// Timeout bounds one Resolve call, retries and mirrors included, when the caller's
	// context has no earlier deadline. Zero means 30s; negative is an error.
	Timeout time.Duration

	// AttemptTimeout bounds one HTTP attempt's connect, TLS handshake and wait for the
	// response headers. Zero means 10s; negative is an error. It applies to the Resolver's
	// own transport and cannot be combined with Transport.
	AttemptTimeout time.Duration

	// MaxRetries is how many times a request is repeated after a connection error or a 408,
	// 429 or 5xx answer. Zero means 3; -1 means never; other values must be in 1..10.
	MaxRetries int

	// RetryBackoff is the first wait between attempts; it doubles with each retry, with ±10%
	// jitter. Zero means 200ms.
	RetryBackoff time.Duration

	// MaxRetryWait bounds a single wait between attempts, including one asked for by a
	// Retry-After header: a registry that asks for a longer wait, or for one that would end
	// after the deadline, is not retried and its answer is returned. Zero means 10s.
	MaxRetryWait time.Duration

	// MaxManifestBytes bounds a manifest body read when the GET fallback is needed. Zero
	// means 4 MiB.
	MaxManifestBytes int64

	// RootCAs, when set, are the certificate authorities trusted for HTTPS registries instead
	// of the system's (start from x509.SystemCertPool to add a private CA to them), as a
	// registry's "ca" in containerd's hosts.toml. It applies to the Resolver's own transport
	// and cannot be combined with Transport.
	RootCAs *x509.CertPool

	// Transport, when set, carries the requests instead of the Resolver's own transport
	// (for proxies or private certificate authorities). Retries, authentication and
	// redirects are layered on top of it. Nil means a new *http.Transport per Resolver,
	// never http.DefaultTransport.
	Transport http.RoundTripper

	// Observer, when set, is told the outcome (OutcomeResolved, OutcomeNotFound, …) and
	// duration of every Resolve and ResolveWithCredentials, for metrics.
	Observer ResolveObserver
}

// Defaults of [Options].
const (
	DefaultTimeout          = 30 * time.Second
	DefaultAttemptTimeout   = 10 * time.Second
	DefaultMaxRetries       = 3
	DefaultRetryBackoff     = 200 * time.Millisecond
	DefaultMaxRetryWait     = 10 * time.Second
	DefaultMaxManifestBytes = 4 << 20
	maxMaxRetries           = 10
	modulePath              = "github.com/imagepull/imagepull"
)

// config is Options with defaults applied and endpoints parsed.
type config struct {
	keyring          *credential.Keyring
	mirrors          map[string][]endpoint // by registry domain
	plainHTTP        map[string]bool       // "host" or "host:port"
	userAgent        string
	timeout          time.Duration
	attemptTimeout   time.Duration
	maxRetries       int
	retryBackoff     time.Duration
	maxRetryWait     time.Duration
	maxManifestBytes int64
	transport        http.RoundTripper
	rootCAs          *x509.CertPool  // nil: the system's
	observer         ResolveObserver // may be nil
}

// ErrInvalidOptions is matched by every error of [NewResolver] about its options.
var ErrInvalidOptions = errors.New("registry: invalid options")

func optionError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOptions}, args...)...)
}

func newConfig(o *Options) (config, error) {
	if o == nil {
		o = &Options{}
	}
	c := config{
		keyring:          o.Credentials,
		userAgent:        o.UserAgent,
		timeout:          orDefault(o.Timeout, DefaultTimeout),
		attemptTimeout:   orDefault(o.AttemptTimeout, DefaultAttemptTimeout),
		maxRetries:       orDefault(o.MaxRetries, DefaultMaxRetries),
		retryBackoff:     orDefault(o.RetryBackoff, DefaultRetryBackoff),
		maxRetryWait:     orDefault(o.MaxRetryWait, DefaultMaxRetryWait),
		maxManifestBytes: orDefault(o.MaxManifestBytes, DefaultMaxManifestBytes),
		transport:        o.Transport,
		rootCAs:          o.RootCAs,
		observer:         o.Observer,
	}
	switch {
	case o.Timeout < 0, o.AttemptTimeout < 0, o.RetryBackoff < 0, o.MaxRetryWait < 0:
		return config{}, optionError("negative duration")
	case o.MaxManifestBytes < 0:
		return config{}, optionError("negative MaxManifestBytes %d", o.MaxManifestBytes)
	case o.MaxRetries < -1 || o.MaxRetries > maxMaxRetries:
		return config{}, optionError("MaxRetries %d is not -1 or in 0..%d", o.MaxRetries, maxMaxRetries)
	case o.Transport != nil && o.AttemptTimeout != 0:
		return config{}, optionError("AttemptTimeout applies to the Resolver's own transport and cannot be combined with Transport")
	case o.Transport != nil && o.RootCAs != nil:
		return config{}, optionError("RootCAs applies to the Resolver's own transport and cannot be combined with Transport")
	case strings.ContainsFunc(o.UserAgent, isControl):
		return config{}, optionError("UserAgent %q has control characters", o.UserAgent)
	}
	if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.userAgent == "" {
		c.userAgent = "imagepull/" + moduleVersion()
	}
	var err error
	if c.plainHTTP, err = parsePlainHTTP(o.PlainHTTP); err != nil {
		return config{}, err
	}
	if c.mirrors, err = parseMirrors(o.Mirrors, c.plainHTTP); err != nil {
		return config{}, err
	}
	return c, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// moduleVersion returns this module's version as built into the program, or "devel".
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if bi.Main.Path == modulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	for _, m := range bi.Deps {
		if m.Path == modulePath && m.Version != "" {
			return m.Version
		}
	}
	return "devel"
}

func parsePlainHTTP(hosts []string) (map[string]bool, error) {
	m := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		host, err := parseHost(h)
		if err != nil {
			return nil, optionError("PlainHTTP: %v", err)
		}
		m[host] = true
	}
	return m, nil
}

// parseHost checks that s is a bare "host" or "host:port" and returns it lower-cased.
func parseHost(s string) (string, error) {
	u, err := url.Parse("https://" + s)
	if err != nil || s == "" || u.Host != s || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not a host or host:port", s)
	}
	return strings.ToLower(s), nil
}

func parseMirrors(mirrors map[string][]string, plain map[string]bool) (map[string][]endpoint, error) {
	out := make(map[string][]endpoint, len(mirrors))
	for _, reg := range slices.Sorted(maps.Keys(mirrors)) {
		domain, err := parseHost(reg)
		if err != nil {
			return nil, optionError("Mirrors: registry %v", err)
		}
		if domain == dockerHubIndex || domain == dockerHubHost {
			domain = dockerHubDomain
		}
		for _, m := range mirrors[reg] {
			ep, err := parseMirror(m, plain)
			if err != nil {
				return nil, optionError("Mirrors[%q]: %v", reg, err)
			}
			ep.ns = domain
			out[domain] = append(out[domain], ep)
		}
	}
	return out, nil
}

func parseMirror(s string, plain map[string]bool) (endpoint, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		scheme, rest = "", s
	}
	rest = strings.TrimSuffix(rest, "/")
	host, err := parseHost(rest)
	if err != nil {
		return endpoint{}, fmt.Errorf("mirror %q: want https://host[:port], http://host[:port] or host[:port]", s)
	}
	switch scheme {
	case "https", "http":
	case "":
		scheme = schemeFor(host, plain)
	default:
		return endpoint{}, fmt.Errorf("mirror %q: scheme %q is not http or https", s, scheme)
	}
	return endpoint{host: host, scheme: scheme}, nil
}
