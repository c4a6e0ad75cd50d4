package cache

import (
	"errors"
	"fmt"
	"time"
)

// Defaults for the zero fields of [ResolverOptions].
const (
	// DefaultTTL is how long a digest is answered from the cache when ResolverOptions.TTL is 0.
	DefaultTTL = time.Minute
	// DefaultMaxEntries bounds the cache when ResolverOptions.MaxEntries is 0.
	DefaultMaxEntries = 4096
	// DefaultCallTimeout bounds one upstream call when ResolverOptions.CallTimeout is 0.
	DefaultCallTimeout = 30 * time.Second
)

// ResolverOptions configures [NewResolver]. A nil *ResolverOptions and the zero value mean the
// defaults: digests cached for [DefaultTTL], no negative caching, no stale answers, at most
// [DefaultMaxEntries] entries, upstream calls bounded by [DefaultCallTimeout], time.Now as the
// clock. Durations and MaxEntries must not be negative.
type ResolverOptions struct {
	// TTL is how long a digest the upstream resolver gave is answered from the cache without
	// asking again. Zero means DefaultTTL.
	TTL time.Duration

	// NegativeTTL is how long a "not found" answer (an error IsNotFound accepts) is answered
	// from the cache. Zero turns negative caching off. Setting it requires IsNotFound.
	NegativeTTL time.Duration

	// IsNotFound reports whether an error of the upstream resolver is a definitive "this
	// reference does not exist" answer, such as an HTTP 404 or a MANIFEST_UNKNOWN error. Only
	// such errors are cached, for NegativeTTL. It must return false for authorization errors
	// (401, 403) and for errors matching pullpolicy.ErrRegistryUnavailable. Setting it
	// requires NegativeTTL. It is called without any lock held and must be safe for
	// concurrent use.
	IsNotFound func(err error) bool

	// MaxStale turns on stale-if-error: when the upstream resolver fails with an error
	// matching pullpolicy.ErrRegistryUnavailable, and the cache holds a digest the upstream
	// gave at most MaxStale ago (the age counts from that answer, not from its expiry), the
	// resolver answers with a *pullpolicy.StaleError carrying it. Zero turns it off; when
	// set, it must be at least TTL (a shorter bound could never be used).
	MaxStale time.Duration

	// MaxEntries bounds the number of cached answers, all identities together. When a new
	// answer would exceed it, the least recently used entry is evicted. Zero means
	// DefaultMaxEntries.
	MaxEntries int

	// CallTimeout bounds each upstream call. The call is shared by every caller waiting for
	// the same reference and identity, so it does not run under any caller's cancellation;
	// CallTimeout is what stops it. Zero means DefaultCallTimeout.
	CallTimeout time.Duration

	// Now is the clock. Nil means time.Now.
	Now func() time.Time

	// Observer, when set, is told the outcome (OutcomeHit, OutcomeMiss, …) and duration of
	// every Resolve and ResolveWithCredentials, for metrics. Durations are measured with
	// time.Now, not Now.
	Observer ResolveObserver
}

// resolved returns the options with the defaults filled in, or an error for an invalid option.
func (o *ResolverOptions) resolved() (ResolverOptions, error) {
	var opts ResolverOptions
	if o != nil {
		opts = *o
	}
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"TTL", opts.TTL}, {"NegativeTTL", opts.NegativeTTL}, {"MaxStale", opts.MaxStale}, {"CallTimeout", opts.CallTimeout}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("cache: %s is negative: %s", d.name, d.v))
		}
	}
	if opts.MaxEntries < 0 {
		errs = append(errs, fmt.Errorf("cache: MaxEntries is negative: %d", opts.MaxEntries))
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	if opts.MaxEntries == 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	switch {
	case opts.NegativeTTL > 0 && opts.IsNotFound == nil:
		errs = append(errs, errors.New("cache: NegativeTTL is set but IsNotFound is nil, so no answer could be cached as not found"))
	case opts.NegativeTTL == 0 && opts.IsNotFound != nil:
		errs = append(errs, errors.New("cache: IsNotFound is set but NegativeTTL is 0, so not-found answers would not be cached"))
	}
	if opts.MaxStale > 0 && opts.MaxStale < opts.TTL {
		errs = append(errs, fmt.Errorf("cache: MaxStale %s is shorter than TTL %s, so no stale answer could be given", opts.MaxStale, opts.TTL))
	}
	return opts, errors.Join(errs...)
}
