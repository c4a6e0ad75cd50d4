package registry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"oras.land/oras-go/v2/registry/remote/retry"
)

// retryPolicy is the [retry.Policy] of one Resolve call: it retries connection errors and
// 408, 429 and 5xx answers up to max times, waiting base·2^attempt (±10%) or what
// Retry-After asks, but never longer than maxWait and never past the call's deadline. When it
// stops, the last answer (or error) is what the caller sees, so a 503 stays a 503 instead of
// becoming a context deadline.
type retryPolicy struct {
	max      int
	base     time.Duration
	maxWait  time.Duration
	deadline time.Time // zero: none
}

var _ retry.Policy = (*retryPolicy)(nil)

// Retry returns how long to wait before attempt+1, or -1 to stop.
func (p *retryPolicy) Retry(attempt int, resp *http.Response, err error) (time.Duration, error) {
	if attempt >= p.max || !retryable(resp, err) {
		return -1, nil
	}
	wait, asked := retryAfter(resp)
	switch {
	case asked && wait > p.maxWait:
		return -1, nil // the registry asked for more patience than we have
	case !asked:
		wait = p.backoff(attempt)
	}
	if !p.deadline.IsZero() && time.Until(p.deadline) < wait {
		return -1, nil
	}
	return wait, nil
}

func (p *retryPolicy) backoff(attempt int) time.Duration {
	d := p.base << min(attempt, 20)
	d = time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
	return min(d, p.maxWait)
}

// retryable reports whether an attempt's outcome is worth another try.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return false // the name does not exist: asking again will not help
		}
		// A timeout is worth another try, unless it is the call's own deadline, which Retry
		// checks; a cancelled call is not.
		// An EOF here comes from the transport itself: the connection ended early.
		return !errors.Is(err, context.Canceled) &&
			(unreachable(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF))
	}
	switch s := resp.StatusCode; {
	case s == http.StatusRequestTimeout, s == http.StatusTooManyRequests:
		return true
	case s == http.StatusNotImplemented, s == http.StatusHTTPVersionNotSupported:
		return false
	default:
		return s >= 500
	}
}

// retryAfter returns the wait a Retry-After header asks for (seconds or an HTTP date).
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
