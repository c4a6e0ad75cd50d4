package kubelet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestTokenBucket checks the registry QPS limiter: a full bucket of burst tokens at the start,
// refilled at qps per second up to burst, never blocking; burst 0 refuses everything.
func TestTokenBucket(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newTokenBucket(5, 10)
	for i := range 10 {
		assert.True(t, b.tryAccept(t0), "token %d of the burst", i+1)
	}
	assert.False(t, b.tryAccept(t0), "the burst is spent")
	assert.False(t, b.tryAccept(t0.Add(199*time.Millisecond)), "less than one token refilled")
	assert.True(t, b.tryAccept(t0.Add(200*time.Millisecond)), "5 QPS: one token per 200 ms")
	assert.False(t, b.tryAccept(t0.Add(100*time.Millisecond)), "time going backwards adds nothing")
	for i := range 10 {
		assert.True(t, b.tryAccept(t0.Add(time.Hour)), "refilled up to burst only: token %d", i+1)
	}
	assert.False(t, b.tryAccept(t0.Add(time.Hour)))

	zero := newTokenBucket(2000, 0)
	for i := range 3 {
		assert.False(t, zero.tryAccept(t0.Add(time.Duration(i)*time.Hour)), "E8: burst 0 always refuses")
	}
}
