package plugin_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
)

// lookups is a sequence of lookups, each after moving the clock.
type step struct {
	advance time.Duration
	image   string
	runs    bool // whether the plugin runs (a cache miss)
}

func TestCache(t *testing.T) {
	tests := []struct {
		name       string
		args       []string      // the fake plugin's
		defaultTTL time.Duration // defaultCacheDuration
		steps      []step
	}{
		{"Image key: per image", []string{"-cache-key-type", "Image"}, time.Minute, []step{
			{0, "reg.io/app", true}, {0, "reg.io/app", false}, {0, "reg.io/other", true}, {0, "reg.io/other", false},
		}},
		{"Registry key: per registry, port included", []string{"-cache-key-type", "Registry"}, time.Minute, []step{
			{0, "reg.io/app", true}, {0, "reg.io/other/deep", false}, {0, "reg.io:5000/app", true}, {0, "reg.io:5000/x", false},
		}},
		{"Global key: one answer for all", []string{"-cache-key-type", "Global"}, time.Minute, []step{
			{0, "reg.io/app", true}, {0, "reg.io:5000/x", false}, {0, "mirror.reg.io/y", false},
		}},
		{"the default duration, valid up to its last instant", nil, time.Minute, []step{
			{0, "reg.io/app", true}, {time.Minute, "reg.io/app", false}, {time.Nanosecond, "reg.io/app", true},
		}},
		{"the response's duration wins over the default", []string{"-cache-duration", "10s"}, time.Hour, []step{
			{0, "reg.io/app", true}, {10 * time.Second, "reg.io/app", false}, {time.Second, "reg.io/app", true},
		}},
		{"a zero response duration is not cached", []string{"-cache-duration", "0s"}, time.Hour, []step{
			{0, "reg.io/app", true}, {0, "reg.io/app", true},
		}},
		{"a negative response duration is not cached", []string{"-cache-duration", "-5m"}, time.Hour, []step{
			{0, "reg.io/app", true}, {0, "reg.io/app", true},
		}},
		{"a zero default duration is not cached", nil, 0, []step{
			{0, "reg.io/app", true}, {0, "reg.io/app", true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log, calls := callLog(t)
			pc := providerConfig("p", []string{"reg.io", "reg.io:5000", "*.reg.io"},
				append([]string{"-calls", log, "-auth-keys", "reg.io,reg.io:5000,*.reg.io"}, tc.args...)...)
			pc.DefaultCacheDuration.Duration = tc.defaultTTL
			clock := newClock()
			p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{pc}}, binDir(t, "p"), plugin.WithClock(clock.Now))
			require.NoError(t, err)
			var want []string
			for i, s := range tc.steps {
				clock.Advance(s.advance)
				creds, err := p.Lookup(t.Context(), credential.ProviderRequest{Repository: s.image})
				require.NoError(t, err)
				require.NotEmpty(t, creds, "step %d", i)
				if s.runs {
					want = append(want, s.image)
				}
				require.Equal(t, want, calls(), "step %d: %s after %s", i, s.image, s.advance)
			}
		})
	}
}

// TestCacheAnswersAreTheCachedOnes: a cached answer gives the credentials the plugin gave.
func TestCacheAnswersAreTheCachedOnes(t *testing.T) {
	p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{
		providerConfig("p", []string{"reg.io"}, "-cache-key-type", "Registry", "-auth-keys", "reg.io"),
	}}, binDir(t, "p"))
	require.NoError(t, err)
	first, err := p.Lookup(t.Context(), credential.ProviderRequest{Repository: "reg.io/app"})
	require.NoError(t, err)
	second, err := p.Lookup(t.Context(), credential.ProviderRequest{Repository: "reg.io/other"})
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.Equal(t, "pass-reg.io/app", second[0].Password, "the registry's answer, obtained for the first image")
}

// TestCachePurgeAndBounds: expired answers are purged by a later lookup (at most every 15
// minutes, as in the kubelet), and a full cache evicts the answer that expires soonest.
func TestCachePurgeAndBounds(t *testing.T) {
	t.Run("purge", func(t *testing.T) {
		clock := newClock()
		p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{providerConfig("p", []string{"reg.io"})}},
			binDir(t, "p"), plugin.WithClock(clock.Now))
		require.NoError(t, err)
		for _, image := range []string{"reg.io/a", "reg.io/b", "reg.io/c"} {
			_, err := p.Lookup(t.Context(), credential.ProviderRequest{Repository: image})
			require.NoError(t, err)
		}
		require.Equal(t, 3, plugin.CachedAnswers(p, "p"))
		clock.Advance(2 * time.Minute)
		_, err = p.Lookup(t.Context(), credential.ProviderRequest{Repository: "reg.io/d"})
		require.NoError(t, err)
		require.Equal(t, 4, plugin.CachedAnswers(p, "p"), "expired, but not yet purged: only 2 minutes went by")
		clock.Advance(15 * time.Minute)
		_, err = p.Lookup(t.Context(), credential.ProviderRequest{Repository: "reg.io/e"})
		require.NoError(t, err)
		require.Equal(t, 1, plugin.CachedAnswers(p, "p"), "the sweep removed the four expired answers")
	})
	t.Run("bounded", func(t *testing.T) {
		log, calls := callLog(t)
		clock := newClock()
		p, err := plugin.NewProvider(&plugin.Config{Providers: []plugin.ProviderConfig{providerConfig("p", []string{"reg.io"}, "-calls", log)}},
			binDir(t, "p"), plugin.WithClock(clock.Now), plugin.WithMaxCacheEntries(2))
		require.NoError(t, err)
		for _, image := range []string{"reg.io/a", "reg.io/b", "reg.io/c"} {
			_, err := p.Lookup(t.Context(), credential.ProviderRequest{Repository: image})
			require.NoError(t, err)
			clock.Advance(time.Second)
		}
		require.Equal(t, 2, plugin.CachedAnswers(p, "p"))
		for _, image := range []string{"reg.io/b", "reg.io/c", "reg.io/a"} {
			_, err := p.Lookup(t.Context(), credential.ProviderRequest{Repository: image})
			require.NoError(t, err)
		}
		assert.Equal(t, []string{"reg.io/a", "reg.io/b", "reg.io/c", "reg.io/a"}, calls(), "a, expiring soonest, was evicted for c")
		assert.Equal(t, 2, plugin.CachedAnswers(p, "p"))
	})
}
