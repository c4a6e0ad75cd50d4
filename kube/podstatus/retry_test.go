package podstatus_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/kube/podstatus"
)

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	failed := podstatus.SyncResult{Starts: []podstatus.Start{{}, {Err: errors.New("ImagePullBackOff")}}}
	ok := podstatus.SyncResult{Starts: []podstatus.Start{{}}}
	tests := []struct {
		name            string
		r               *podstatus.SyncResult
		backOff, resync time.Duration
		want            time.Duration
	}{
		{"a failed start: the back-off period", &failed, podstatus.BackOffPeriod, podstatus.ResyncInterval, 10 * time.Second},
		{"no failure: the resync interval", &ok, podstatus.BackOffPeriod, podstatus.ResyncInterval, time.Minute},
		{"nothing started: the resync interval", &podstatus.SyncResult{}, podstatus.BackOffPeriod, podstatus.ResyncInterval, time.Minute},
		{"the back-off is capped at the resync interval", &failed, 2 * time.Minute, podstatus.ResyncInterval, time.Minute},
		{"a negative back-off is 0", &failed, -time.Second, podstatus.ResyncInterval, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, podstatus.RetryDelay(tt.r, tt.backOff, tt.resync))
		})
	}
}

func TestJitter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d      time.Duration
		factor float64
		rnd    float64
		want   time.Duration
	}{
		{10 * time.Second, 0.5, 0, 10 * time.Second},
		{10 * time.Second, 0.5, 0.5, 12500 * time.Millisecond},
		{10 * time.Second, 0, 0.5, 15 * time.Second}, // factor <= 0 is 1, as wait.Jitter
		{time.Minute, podstatus.JitterFactor, 0.999, 89970 * time.Millisecond},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, podstatus.Jitter(tt.d, tt.factor, tt.rnd), "%v %v %v", tt.d, tt.factor, tt.rnd)
	}
}
