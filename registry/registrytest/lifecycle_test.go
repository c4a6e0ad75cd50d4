package registrytest_test

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestCloseLeavesNoGoroutines runs every kind of request, including aborted delays, dropped
// connections and a stop in the middle, and checks that Close leaves no goroutine behind. It
// is not parallel so that other tests do not change the goroutine count.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	r, err := registrytest.Start(registrytest.Options{Auth: registrytest.Auth{
		Scheme: registrytest.AuthBearer, Anonymous: true,
	}})
	require.NoError(t, err)
	_, err = r.PushRandom(t.Context(), "app:v1")
	require.NoError(t, err)
	tr := &http.Transport{}
	c := &http.Client{Transport: tr}

	_, token := fetchToken(t, c, r.URL()+"/token", registrytest.DefaultService, "repository:app:pull", nil)
	auth := bearer(token)
	for _, f := range []registrytest.Fault{
		{Drop: true, Times: 1}, {Status: 503, Times: 1}, {Redirect: true, Times: 1},
		{SlowBody: time.Millisecond, Times: 1}, {Delay: time.Hour, Times: 1}, {SlowBody: time.Hour, Times: 1},
	} {
		_, err := r.Inject(f)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		_, _ = do(ctx, c, http.MethodGet, r.URL()+manifestPath, auth) // errors are the point
		cancel()
	}
	r.Stop()
	require.NoError(t, r.Restart())
	_, err = r.Inject(registrytest.Fault{Delay: time.Hour})
	require.NoError(t, err)
	sent := r.Count("GET", manifestPath) // not a constant: the transport retries dropped requests
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = do(t.Context(), c, http.MethodGet, r.URL()+manifestPath, auth) // cut short by Close
	}()
	require.Eventually(t, func() bool { return r.Count("GET", manifestPath) == sent+1 }, 5*time.Second, time.Millisecond)
	r.Close()
	<-done
	tr.CloseIdleConnections()

	// Goroutines of closed connections exit asynchronously; give them a bounded time. (Not
	// assert.Eventually: it runs the condition on a goroutine of its own.)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines before %d, after Close %d:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestConcurrentUse changes auth and faults while clients send requests; run it with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	r, _ := newWithImage(t)
	c := client(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				resp, err := do(t.Context(), c, http.MethodHead, r.URL()+manifestPath, nil)
				if assert.NoError(t, err) {
					assert.Contains(t, []int{200, 401, 503}, resp.status)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			remove, err := r.Inject(registrytest.Fault{Status: 503, Times: 1})
			assert.NoError(t, err)
			if i%2 == 0 {
				remove()
			}
			r.SetAuth(registrytest.Auth{Scheme: registrytest.AuthScheme(i % 2), Username: "u"})
			_ = r.Counts()
			_, err = r.PushRandom(t.Context(), "app:v1")
			assert.NoError(t, err)
		}
	})
	wg.Wait()
	assert.Equal(t, 80, r.Count("HEAD", manifestPath))
}
