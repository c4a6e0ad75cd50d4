package kubelet

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSerialQueue checks the kubelet's serialized puller: one pull at a time, in order, ten
// more queued, later callers blocked until there is room; the worker exits when idle.
func TestSerialQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newSerialQueue()
		release := make(chan struct{})
		var order []int // written by the one worker only
		done := make(chan int, 20)
		for i := range 13 {
			go func() {
				out, err := q.do(t.Context(), func() pullOutcome {
					<-release
					order = append(order, i)
					return pullOutcome{res: PullResult{ImageRef: "id"}}
				})
				assert.NoError(t, err)
				assert.Equal(t, "id", out.res.ImageRef)
				done <- i
			}()
			synctest.Wait() // queue the callers in order
		}
		assert.Len(t, q.queue, maxImagePullRequests, "one running, ten queued, two callers blocked")
		for range 13 {
			release <- struct{}{}
			<-done
		}
		assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, order)
		synctest.Wait()
		q.mu.Lock()
		assert.False(t, q.running, "the worker exited")
		q.mu.Unlock()

		// A caller whose context already ended is refused; a queued job whose caller left is
		// skipped by the worker.
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := q.do(ctx, func() pullOutcome { panic("must not run") })
		require.ErrorIs(t, err, context.Canceled)

		go func() {
			_, err := q.do(t.Context(), func() pullOutcome { <-release; return pullOutcome{} })
			assert.NoError(t, err)
			done <- -1
		}()
		synctest.Wait()
		ctx, cancel = context.WithCancel(t.Context())
		left := make(chan error)
		go func() {
			_, err := q.do(ctx, func() pullOutcome { panic("must not run") })
			left <- err
		}()
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-left, context.Canceled)
		release <- struct{}{}
		<-done
		synctest.Wait()
		assert.Empty(t, q.queue, "the abandoned job was taken and skipped")
	})
}
