package plugin_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
)

// TestConcurrentLookupsRunThePluginOnce: lookups of one image that arrive while the plugin runs
// share that run.
func TestConcurrentLookupsRunThePluginOnce(t *testing.T) {
	log, calls := callLog(t)
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
		providerConfig("p", []string{"reg.io"}, "-calls", log, "-sleep", "300ms"),
	}}, binDir(t, "p"))
	require.NoError(t, err)
	const n = 20
	var wg sync.WaitGroup
	results := make([][]credential.Credential, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = p.Lookup(t.Context(), request) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		require.Len(t, results[i], 1)
	}
	assert.Equal(t, []string{"reg.io/app"}, calls())
}

// TestCancelledCallers: a caller that gives up returns its context's error at once; the run it
// started goes on for the others, and its answer is cached even when everyone gave up.
func TestCancelledCallers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	log, calls := callLog(t)
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
		providerConfig("p", []string{"reg.io"}, "-calls", log, "-sleep", "400ms"),
	}}, binDir(t, "p"))
	require.NoError(t, err)

	first, cancel := context.WithCancel(t.Context())
	firstDone := make(chan error, 1)
	go func() {
		_, err := p.Credentials(first, request)
		firstDone <- err
	}()
	require.Eventually(t, func() bool { return len(calls()) == 1 }, 10*time.Second, 5*time.Millisecond, "the plugin started")
	secondDone := make(chan []credential.Credential, 1)
	go func() {
		creds, err := p.Credentials(t.Context(), request)
		assert.NoError(t, err)
		secondDone <- creds
	}()
	cancel()
	require.ErrorIs(t, <-firstDone, context.Canceled, "the first caller returns its own context's error")
	assert.Len(t, <-secondDone, 1, "the second caller gets the answer of the run the first one started")
	creds, err := p.Lookup(t.Context(), request)
	require.NoError(t, err)
	assert.Len(t, creds, 1)
	assert.Equal(t, []string{"reg.io/app"}, calls(), "one run for the three")

	// Everyone gives up: the run still completes and fills the cache.
	other := credential.ProviderRequest{Repository: "reg.io/other"}
	gone, cancelGone := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := p.Lookup(gone, other)
		done <- err
	}()
	require.Eventually(t, func() bool { return len(calls()) == 2 }, 10*time.Second, 5*time.Millisecond)
	cancelGone()
	require.ErrorIs(t, <-done, context.Canceled)
	require.Eventually(t, func() bool { return plugin.CachedAnswers(p, "p") == 2 }, 10*time.Second, 5*time.Millisecond)
	_, err = p.Lookup(t.Context(), other)
	require.NoError(t, err)
	assert.Equal(t, []string{"reg.io/app", "reg.io/other"}, calls(), "the abandoned run's answer was cached")

	_, err = p.Lookup(first, request)
	require.ErrorIs(t, err, context.Canceled, "a cancelled context is honoured even on a cache hit's way")
}
