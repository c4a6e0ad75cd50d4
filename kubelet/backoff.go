package kubelet

import (
	"sync"
	"time"

	"github.com/imagepull/imagepull/internal/clip"
)

// The kubelet's image pull back-off (imageBackOffPeriod and MaxImageBackOff in
// pkg/kubelet/kubelet.go).
const (
	DefaultBackOffInitial = 10 * time.Second
	DefaultBackOffMax     = 300 * time.Second
)

// backOff is the kubelet's per-key pull back-off (client-go flowcontrol.Backoff without
// jitter, as the kubelet builds it), together with the previous pull error that the kubelet
// keeps beside it (prevPullErrMsg). It is safe for concurrent use.
//
// An entry doubles from initial up to max on every failure, blocks attempts while
// now − lastUpdate < delay (strict), and expires once now − lastUpdate > 2×max. A success
// never resets it; gc drops only expired entries.
type backOff struct {
	initial, max time.Duration
	mu           sync.Mutex               // protects entries and lastGC
	entries      map[string]*backOffEntry // by backOffKey
	lastGC       time.Time                // when next last dropped the expired entries
}

type backOffEntry struct {
	delay      time.Duration
	lastUpdate time.Time
	prev       failure // the last pull failure, cleared when an attempt starts
}

// failure is a pull failure as the kubelet remembers it for the back-off message.
type failure struct {
	reason error  // the sentinel: ErrImagePull, ErrRegistryUnavailable, …
	msg    string // the message returned with it
}

func newBackOff(initial, max time.Duration) *backOff {
	return &backOff{initial: initial, max: max, entries: make(map[string]*backOffEntry)}
}

// backOffKey is the kubelet's key: the pod UID and the image string as requested.
func backOffKey(podUID, image string) string { return podUID + "_" + image }

func (b *backOff) expired(e *backOffEntry, now time.Time) bool {
	return now.Sub(e.lastUpdate) > 2*b.max
}

// blocked reports whether an attempt at now is refused, and the failure stored for key.
func (b *backOff) blocked(key string, now time.Time) (failure, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	if !ok || b.expired(e, now) || now.Sub(e.lastUpdate) >= e.delay {
		return failure{}, false
	}
	return e.prev, true
}

// attempt forgets the failure stored for key: a real pull is starting.
func (b *backOff) attempt(key string) {
	b.mu.Lock()
	if e, ok := b.entries[key]; ok {
		e.prev = failure{}
	}
	b.mu.Unlock()
}

// next records a failed pull at now: the delay starts at initial (new or expired entry) or
// doubles up to max, and f is remembered for the back-off message (cut to clip.MaxMessage).
// Beyond the kubelet, which drops expired entries only after a successful pull, next drops
// them too, at most once per max: expired entries behave as absent ones, so this changes no
// answer, and a node whose pulls keep failing holds only the entries of the last 3×max.
func (b *backOff) next(key string, now time.Time, f failure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f.msg = clip.String(f.msg, clip.MaxMessage)
	if now.Sub(b.lastGC) > b.max {
		b.lastGC = now
		b.gcLocked(now)
	}
	e, ok := b.entries[key]
	switch {
	case !ok || b.expired(e, now):
		e = &backOffEntry{delay: b.initial}
		b.entries[key] = e
	default:
		e.delay = min(2*e.delay, b.max)
	}
	e.lastUpdate, e.prev = now, f
}

// delay returns the current delay for key, or 0 when there is no live entry.
func (b *backOff) delay(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.entries[key]; ok && !b.expired(e, now) {
		return e.delay
	}
	return 0
}

// gc drops the expired entries, as the kubelet does after every successful pull.
func (b *backOff) gc(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gcLocked(now)
}

func (b *backOff) gcLocked(now time.Time) {
	for k, e := range b.entries {
		if b.expired(e, now) {
			delete(b.entries, k)
		}
	}
}

// len returns the number of entries, expired or not.
func (b *backOff) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.entries)
}
