package registry

import (
	"context"
	"errors"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
)

// ResolveObserver is told how every Resolve of a [Resolver] ended and how long it took
// (retries and mirrors included), for metrics (see kubelet/metrics) or traces.
// Implementations must be safe for concurrent use and fast: they run on the caller's
// goroutine, after the answer is known.
type ResolveObserver interface {
	ObserveResolve(ctx context.Context, outcome string, d time.Duration)
}

// The outcomes a [Resolver] reports to its [ResolveObserver]: one per call, from its error.
const (
	// OutcomeResolved: the registry (or a mirror) named the digest.
	OutcomeResolved = "resolved"
	// OutcomeNotFound: the error matches [ErrNotFound].
	OutcomeNotFound = "not_found"
	// OutcomeUnauthorized: the error matches [ErrUnauthorized].
	OutcomeUnauthorized = "unauthorized"
	// OutcomeDigestMismatch: the error matches [ErrDigestMismatch].
	OutcomeDigestMismatch = "digest_mismatch"
	// OutcomeUnavailable: the error matches [pullpolicy.ErrRegistryUnavailable] (the call's
	// deadline included).
	OutcomeUnavailable = "unavailable"
	// OutcomeCanceled: the caller cancelled the call.
	OutcomeCanceled = "canceled"
	// OutcomeError: any other failure (TLS, a malformed answer, an invalid reference, …).
	OutcomeError = "error"
)

// outcomeOf classifies the error of a resolve. Of several errors joined (several credentials
// tried), the first kind in the order above wins.
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return OutcomeResolved
	case errors.Is(err, context.Canceled):
		return OutcomeCanceled
	case errors.Is(err, pullpolicy.ErrRegistryUnavailable):
		return OutcomeUnavailable
	case errors.Is(err, ErrUnauthorized):
		return OutcomeUnauthorized
	case errors.Is(err, ErrNotFound):
		return OutcomeNotFound
	case errors.Is(err, ErrDigestMismatch):
		return OutcomeDigestMismatch
	}
	return OutcomeError
}
