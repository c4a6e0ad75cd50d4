package webhook

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
)

// Defaults of [Config], used for its zero fields.
const (
	// DefaultAddr is the address served when Config.Addr is empty.
	DefaultAddr = ":8443"
	// DefaultMaxRequestBytes bounds a review's body: the API server accepts objects of up to
	// 3 MiB, and an UPDATE review carries two of them.
	DefaultMaxRequestBytes = 7 << 20
	// DefaultMaxInflightBytes bounds the bytes of the reviews served at once: two reviews of the
	// largest size, or thousands of ordinary ones (a few kilobytes each). Decoding a review
	// costs several times its size in memory, so this bounds the heap (BENCHMARKS.md).
	DefaultMaxInflightBytes = 2 * DefaultMaxRequestBytes
	// DefaultReadTimeout bounds reading a request, headers included.
	DefaultReadTimeout = 10 * time.Second
	// DefaultWriteTimeout bounds answering a request. The API server's webhook timeout is 10 s
	// unless the configuration says otherwise (at most 30 s).
	DefaultWriteTimeout = 10 * time.Second
	// DefaultIdleTimeout closes keep-alive connections idle this long.
	DefaultIdleTimeout = 90 * time.Second
	// DefaultShutdownTimeout bounds a graceful shutdown.
	DefaultShutdownTimeout = 15 * time.Second
	// DefaultCertReloadInterval is how often, at most, the certificate files are checked for a
	// change (on a TLS handshake).
	DefaultCertReloadInterval = 10 * time.Second
)

// DefaultExcludeNamespaces returns the namespaces excluded when Config.ExcludeNamespaces is nil:
// kube-system, whose pods (often static or preloaded images) the API server's plugin would
// catch too but whose outage a webhook must not cause. The built-in plugin excludes nothing:
// an empty non-nil list (the flag --exclude-namespaces= with no value) gives exactly its
// decisions.
func DefaultExcludeNamespaces() []string { return []string{"kube-system"} }

// Config configures the webhook. Its zero value serves on [DefaultAddr] with the defaults above
// and needs only the certificate and key files.
type Config struct {
	// Addr is the host:port to listen on.
	Addr string
	// TLSCertFile and TLSKeyFile are the PEM certificate (chain) and private key served. They
	// are reloaded when they change.
	TLSCertFile, TLSKeyFile string
	// CertReloadInterval is how often, at most, the files are checked; 0 means the default.
	CertReloadInterval time.Duration

	// ExcludeNamespaces lists namespaces whose requests are allowed untouched. Nil means
	// [DefaultExcludeNamespaces]; an empty non-nil slice excludes none.
	ExcludeNamespaces []string
	// ExcludeSelector is a label selector (kubectl syntax, "imagepull.io/exempt=true"); pods
	// whose labels match it are allowed untouched. Empty matches nothing. Pod labels are set by
	// whoever creates the pod, so this is for trusted workloads only; a namespaceSelector or
	// objectSelector in the webhook configuration is the tamper-proof alternative.
	ExcludeSelector string
	// DryRun makes /mutate and /validate allow everything unchanged, with a warning per field
	// the plugin would have changed and per denial it would have made.
	DryRun bool

	// MaxRequestBytes bounds a review's body; 0 means the default.
	MaxRequestBytes int64
	// MaxInflightBytes bounds the bytes of the reviews being served at once, each counted at
	// its Content-Length (MaxRequestBytes when unknown); a review that does not fit is answered
	// 429 with Retry-After at once. One review is always served, whatever its size. 0 means
	// the default.
	MaxInflightBytes int64
	// ReadTimeout, WriteTimeout, IdleTimeout and ShutdownTimeout bound the server's work; 0
	// means the default.
	ReadTimeout, WriteTimeout, IdleTimeout, ShutdownTimeout time.Duration

	// Logger receives one line per decision and the server's own events. Nil means a JSON
	// logger on standard error.
	Logger *slog.Logger
}

// RegisterFlags defines the webhook's flags on fs, bound to c's fields; call it before fs.Parse.
// Fields already set become the flags' defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	c.applyDefaults()
	fs.StringVar(&c.Addr, "addr", c.Addr, "`host:port` to serve HTTPS on")
	fs.StringVar(&c.TLSCertFile, "tls-cert-file", c.TLSCertFile, "PEM certificate (chain) to serve; reloaded when it changes")
	fs.StringVar(&c.TLSKeyFile, "tls-private-key-file", c.TLSKeyFile, "PEM private key of --tls-cert-file; reloaded when it changes")
	fs.DurationVar(&c.CertReloadInterval, "tls-reload-interval", c.CertReloadInterval, "how often, at most, to check the certificate files for a change")
	fs.Var(&namespaceList{&c.ExcludeNamespaces}, "exclude-namespaces", "comma-separated `namespaces` whose requests are allowed untouched (empty for none)")
	fs.StringVar(&c.ExcludeSelector, "exclude-selector", c.ExcludeSelector, "label `selector`: pods matching it are allowed untouched (trusted workloads only: pod labels are set by their creator)")
	fs.BoolVar(&c.DryRun, "dry-run", c.DryRun, "report what would be mutated or denied (as warnings and log lines) without mutating or denying")
	fs.Int64Var(&c.MaxRequestBytes, "max-request-bytes", c.MaxRequestBytes, "largest AdmissionReview body accepted")
	fs.Int64Var(&c.MaxInflightBytes, "max-inflight-bytes", c.MaxInflightBytes, "bytes of AdmissionReviews served at once; more are answered 429 with Retry-After")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", c.ReadTimeout, "time allowed to read a request")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", c.WriteTimeout, "time allowed to answer a request")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", c.IdleTimeout, "time an idle keep-alive connection is kept")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "time allowed for in-flight requests at shutdown")
}

// applyDefaults fills c's zero fields with the defaults.
func (c *Config) applyDefaults() {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.ExcludeNamespaces == nil {
		c.ExcludeNamespaces = DefaultExcludeNamespaces()
	}
	setDefault(&c.CertReloadInterval, DefaultCertReloadInterval)
	setDefault(&c.MaxRequestBytes, DefaultMaxRequestBytes)
	setDefault(&c.MaxInflightBytes, DefaultMaxInflightBytes)
	setDefault(&c.ReadTimeout, DefaultReadTimeout)
	setDefault(&c.WriteTimeout, DefaultWriteTimeout)
	setDefault(&c.IdleTimeout, DefaultIdleTimeout)
	setDefault(&c.ShutdownTimeout, DefaultShutdownTimeout)
}

// setDefault sets *v to def when it is zero.
func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// selector parses c.ExcludeSelector; an empty selector matches nothing.
func (c *Config) selector() (labels.Selector, error) {
	if strings.TrimSpace(c.ExcludeSelector) == "" {
		return labels.Nothing(), nil
	}
	sel, err := labels.Parse(c.ExcludeSelector)
	if err != nil {
		return nil, fmt.Errorf("webhook: --exclude-selector %q: %w", c.ExcludeSelector, err)
	}
	return sel, nil
}

// check reports every field of c (defaults applied) that cannot work.
func (c *Config) check() error {
	var errs []error
	if c.MaxRequestBytes < 0 {
		errs = append(errs, fmt.Errorf("webhook: --max-request-bytes must not be negative, got %d", c.MaxRequestBytes))
	}
	if c.MaxInflightBytes < 0 {
		errs = append(errs, fmt.Errorf("webhook: --max-inflight-bytes must not be negative, got %d", c.MaxInflightBytes))
	}
	for name, d := range map[string]time.Duration{
		"--tls-reload-interval": c.CertReloadInterval, "--read-timeout": c.ReadTimeout,
		"--write-timeout": c.WriteTimeout, "--idle-timeout": c.IdleTimeout, "--shutdown-timeout": c.ShutdownTimeout,
	} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("webhook: %s must not be negative, got %s", name, d))
		}
	}
	for _, ns := range c.ExcludeNamespaces {
		if ns == "" || strings.TrimSpace(ns) != ns {
			errs = append(errs, fmt.Errorf("webhook: --exclude-namespaces: invalid namespace %q", ns))
		}
	}
	return errors.Join(errs...)
}

// namespaceList is a flag.Value for a comma-separated list of namespaces that replaces the
// default on first use.
type namespaceList struct{ list *[]string }

// String implements flag.Value.
func (n *namespaceList) String() string {
	if n == nil || n.list == nil {
		return ""
	}
	return strings.Join(*n.list, ",")
}

// Set implements flag.Value: the value replaces the list; empty means none.
func (n *namespaceList) Set(s string) error {
	out := []string{}
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	*n.list = out
	return nil
}
