package plugin

import (
	"fmt"
	"log/slog"
	"os"
	"time"
)

// Option configures a [Provider].
type Option func(*options)

type options struct {
	logger     *slog.Logger
	now        func() time.Time
	timeout    time.Duration
	maxOut     int
	maxEntries int
	environ    func() []string
	tokens     ServiceAccountTokens
}

func defaultOptions() options {
	return options{
		logger:     slog.New(slog.DiscardHandler),
		now:        time.Now,
		timeout:    DefaultTimeout,
		maxOut:     DefaultMaxResponseBytes,
		maxEntries: DefaultMaxCacheEntries,
		environ:    os.Environ,
	}
}

// WithLogger sets where [Provider.Credentials] logs what the kubelet logs: a plugin that
// failed (at error level) and a plugin not run for a pod (at debug level); and where every
// failed run's stderr is logged (at debug level, the service-account token and credentials
// masked). Nil (the default) discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithClock sets the clock of the credential cache; nil (the default) means time.Now. The
// plugin timeout always runs on real time.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithTimeout sets how long a plugin may run before it is killed; the default is the kubelet's
// one minute. It must be positive.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithMaxResponseBytes bounds what a plugin may print on stdout before it is killed and its
// answer refused; the default is 1 MiB. It must be positive.
func WithMaxResponseBytes(n int) Option { return func(o *options) { o.maxOut = n } }

// WithMaxCacheEntries bounds the answers cached per provider (beyond the kubelet, which does
// not bound them); the default is 1024. When full, expired answers go first, then those that
// expire soonest. Whatever the count, one provider's cache also stays under 32 MiB. It must be
// positive.
func WithMaxCacheEntries(n int) Option { return func(o *options) { o.maxEntries = n } }

// WithEnviron sets the environment a plugin inherits before its configured env is added; nil
// (the default) means os.Environ.
func WithEnviron(environ func() []string) Option {
	return func(o *options) {
		if environ != nil {
			o.environ = environ
		}
	}
}

// WithServiceAccountTokens gives the API server access that providers with tokenAttributes
// need (service-account mode, KEP-4412). Without it, a configuration with tokenAttributes is
// refused.
func WithServiceAccountTokens(t ServiceAccountTokens) Option {
	return func(o *options) { o.tokens = t }
}

func (o *options) check() error {
	switch {
	case o.timeout <= 0:
		return fmt.Errorf("the plugin timeout must be positive, not %s", o.timeout)
	case o.maxOut <= 0:
		return fmt.Errorf("the response size bound must be positive, not %d", o.maxOut)
	case o.maxEntries <= 0:
		return fmt.Errorf("the cache entry bound must be positive, not %d", o.maxEntries)
	}
	return nil
}
