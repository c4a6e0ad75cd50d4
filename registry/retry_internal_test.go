package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

func answer(status int, retryAfter string) *http.Response {
	h := http.Header{}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: status, Header: h}
}

// The policy is checked inside a synctest bubble, whose clock starts at
// 2000-01-01 00:00:00 UTC and stands still, so HTTP dates and deadlines are exact.
func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		err     error
		// deadline is the call's deadline from now; 0 means none.
		deadline time.Duration
		// want is the wait; -1 means no retry. For a backoff, the jittered wait must lie
		// in [want·0.9, want·1.1].
		want time.Duration
	}{
		{name: "503 backs off", resp: answer(503, ""), want: time.Second},
		{name: "third retry doubles twice", attempt: 2, resp: answer(500, ""), want: 4 * time.Second},
		{name: "backoff capped by maxWait", attempt: 6, resp: answer(502, ""), want: 30 * time.Second},
		{name: "408 is retried", resp: answer(408, ""), want: time.Second},
		{name: "429 with seconds", resp: answer(429, "7"), want: 7 * time.Second},
		{name: "503 with seconds", resp: answer(503, "3"), want: 3 * time.Second},
		{name: "429 with an HTTP date", resp: answer(429, "Sat, 01 Jan 2000 00:00:12 GMT"), want: 12 * time.Second},
		{name: "429 with a past date retries at once", resp: answer(429, "Fri, 31 Dec 1999 23:00:00 GMT"), want: 0},
		{name: "429 with garbage backs off", resp: answer(429, "soon"), want: time.Second},
		{name: "429 asking too much", resp: answer(429, "31"), want: -1},
		{name: "429 asking past the deadline", resp: answer(429, "5"), deadline: 4 * time.Second, want: -1},
		{name: "backoff past the deadline", resp: answer(503, ""), deadline: 500 * time.Millisecond, want: -1},
		{name: "attempts used up", attempt: 10, resp: answer(503, ""), want: -1},
		{name: "404 is final", resp: answer(404, ""), want: -1},
		{name: "401 is final", resp: answer(401, ""), want: -1},
		{name: "501 is final", resp: answer(501, ""), want: -1},
		{name: "200 is final", resp: answer(200, ""), want: -1},
		{name: "refused is retried", err: fmt.Errorf("dial: %w", syscall.ECONNREFUSED), want: time.Second},
		{name: "reset is retried", err: fmt.Errorf("read: %w", syscall.ECONNRESET), want: time.Second},
		{name: "EOF is retried", err: io.EOF, want: time.Second},
		{name: "cancelled is final", err: context.Canceled, want: -1},
		{name: "other errors are final", err: errors.New("tls: bad certificate"), want: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := &retryPolicy{max: 10, base: time.Second, maxWait: 30 * time.Second}
				if tc.deadline > 0 {
					p.deadline = time.Now().Add(tc.deadline)
				}
				got, err := p.Retry(tc.attempt, tc.resp, tc.err)
				assert.NoError(t, err)
				_, asked := retryAfter(tc.resp)
				switch {
				case tc.want < 0 || asked:
					assert.Equal(t, tc.want, got)
				default:
					assert.InDelta(t, float64(tc.want), float64(got), float64(tc.want)/10+1)
				}
			})
		})
	}
}
