package kubelet

import (
	"errors"
	"sync"
	"time"
)

// The kubelet's registry pull limits (registryPullQPS and registryBurst in the
// KubeletConfiguration).
const (
	DefaultRegistryPullQPS = 5
	DefaultRegistryBurst   = 10
)

// errPullQPSExceeded is the kubelet's throttled-puller error, verbatim.
var errPullQPSExceeded = errors.New("pull QPS exceeded")

// tokenBucket is a non-blocking token bucket on an injected clock, as the kubelet's throttled
// image service uses it (flowcontrol's TryAccept): qps tokens a second up to burst, full at
// the start. A burst of 0 refuses everything. It is safe for concurrent use.
type tokenBucket struct {
	qps   float64
	burst float64
	mu    sync.Mutex // protects tokens and last
	// tokens is the number of tokens at last; it never exceeds burst.
	tokens float64
	last   time.Time
}

func newTokenBucket(qps, burst int32) *tokenBucket {
	return &tokenBucket{qps: float64(qps), burst: float64(burst), tokens: float64(burst)}
}

// tryAccept takes a token at now when there is one, and reports whether it did. Time going
// backwards adds no tokens.
func (b *tokenBucket) tryAccept(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		if elapsed := now.Sub(b.last); elapsed > 0 {
			b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.qps)
		}
	}
	if now.After(b.last) {
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
