package cache

import (
	"context"
	"errors"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
)

// ResolveObserver is told how every Resolve of a [Resolver] ended and how long it took, for
// metrics (see kubelet/metrics) or traces. Implementations must be safe for concurrent use
// and fast: they run on the caller's goroutine, after the answer is known.
type ResolveObserver interface {
	ObserveResolve(ctx context.Context, outcome string, d time.Duration)
}

// The outcomes a [Resolver] reports to its [ResolveObserver].
const (
	// OutcomeHit: a fresh digest was answered from the cache.
	OutcomeHit = "hit"
	// OutcomeNegativeHit: a cached not-found answer was given (ResolverOptions.NegativeTTL).
	OutcomeNegativeHit = "negative_hit"
	// OutcomeMiss: the cache had no fresh answer; an upstream call (this caller's or a shared
	// one) gave a digest.
	OutcomeMiss = "miss"
	// OutcomeStale: the registry was unavailable and a stale digest was answered
	// (ResolverOptions.MaxStale).
	OutcomeStale = "stale"
	// OutcomeNotFound: the upstream answered not found (an error IsNotFound accepts).
	OutcomeNotFound = "not_found"
	// OutcomeUnavailable: the upstream failed with pullpolicy.ErrRegistryUnavailable and no
	// stale digest could be given.
	OutcomeUnavailable = "unavailable"
	// OutcomeCanceled: the caller's context ended, or the upstream call ran out of time.
	OutcomeCanceled = "canceled"
	// OutcomeError: any other failure (a refusal such as 401 or 403, an invalid reference, …).
	OutcomeError = "error"
)

// outcomeOf classifies the error of a Resolve that was not answered from the cache.
func (c *resolverCache) outcomeOf(err error) string {
	var stale *pullpolicy.StaleError
	switch {
	case err == nil:
		return OutcomeMiss
	case errors.As(err, &stale):
		return OutcomeStale
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return OutcomeCanceled
	case errors.Is(err, pullpolicy.ErrRegistryUnavailable):
		return OutcomeUnavailable
	case c.opts.IsNotFound != nil && c.opts.IsNotFound(err):
		return OutcomeNotFound
	}
	return OutcomeError
}
