package kubelet

import (
	"strings"
	"testing"
	"time"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBackOffAlgorithm checks the kubelet's flowcontrol.Backoff as the image manager uses it:
// doubling to the cap, strict "<", expiry after 2×max, GC of expired entries only.
func TestBackOffAlgorithm(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	b := newBackOff(10*time.Second, 300*time.Second)
	f := failure{pullpolicy.ErrImagePull, "boom"}

	_, blocked := b.blocked("k", t0)
	assert.False(t, blocked, "no entry")
	b.next("k", t0, f)
	prev, blocked := b.blocked("k", at(9999*time.Millisecond))
	assert.True(t, blocked, "B4")
	assert.Equal(t, f, prev)
	_, blocked = b.blocked("k", at(10*time.Second))
	assert.False(t, blocked, "B5: strict <")

	now := t0
	var delays []time.Duration
	for range 7 {
		delays = append(delays, b.delay("k", now))
		now = now.Add(b.delay("k", now))
		b.next("k", now, f)
	}
	s := time.Second
	assert.Equal(t, []time.Duration{10 * s, 20 * s, 40 * s, 80 * s, 160 * s, 300 * s, 300 * s}, delays, "B3")

	b.attempt("k")
	prev, blocked = b.blocked("k", now)
	assert.True(t, blocked)
	assert.Equal(t, failure{}, prev, "an attempt forgets the previous error")

	_, blocked = b.blocked("k", now.Add(600*time.Second))
	assert.False(t, blocked)
	assert.Equal(t, 300*time.Second, b.delay("k", now.Add(600*time.Second)), "not expired at exactly 2×max")
	assert.Zero(t, b.delay("k", now.Add(601*time.Second)), "expired after 2×max")
	b.next("other", now, f)
	b.gc(now.Add(600 * time.Second))
	assert.Equal(t, 2, b.len(), "GC keeps live entries")
	b.next("other", now.Add(500*time.Second), f)
	b.gc(now.Add(601 * time.Second))
	assert.Equal(t, 1, b.len(), "GC drops expired entries only")
	b.next("k", now.Add(700*time.Second), f)
	require.Equal(t, 10*time.Second, b.delay("k", now.Add(700*time.Second)), "B6: a new entry starts at initial")
	assert.Equal(t, "u1_nginx", backOffKey("u1", "nginx"), "B1")
}

// TestBackOffDropsExpiredEntriesOnFailure: expired entries go on failures too, not only after
// a successful pull, so that a node where pulls keep failing holds only live entries.
func TestBackOffDropsExpiredEntriesOnFailure(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBackOff(10*time.Second, 300*time.Second)
	f := failure{pullpolicy.ErrImagePull, "boom"}
	for i := range 1000 {
		b.next(backOffKey(string(rune('a'+i%26))+time.Duration(i).String(), "img"), t0, f)
	}
	require.Equal(t, 1000, b.len())
	b.next("late", t0.Add(601*time.Second), f)
	assert.Equal(t, 1, b.len(), "the expired entries were dropped")
}

// TestBackOffBoundsTheRememberedMessage: the failure kept beside an entry is cut.
func TestBackOffBoundsTheRememberedMessage(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBackOff(10*time.Second, 300*time.Second)
	b.next("k", t0, failure{pullpolicy.ErrImagePull, strings.Repeat("x", 9<<20)})
	prev, blocked := b.blocked("k", t0)
	require.True(t, blocked)
	assert.LessOrEqual(t, len(prev.msg), 32<<10)
}
