package dialect_test

import (
	"context"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
	"github.com/imagepull/imagepull/pullpolicy/pullpolicytest"
	"github.com/imagepull/imagepull/reference"
)

// FuzzParse checks, for any value in any system: Parse never panics; a rejection matches
// ErrInvalidPolicy; an accepted policy names its system, prints as text that parses back to
// the same policy, translates to Kubernetes without panicking, and decides with exactly one
// sentinel on failure and a local image on UseLocal.
func FuzzParse(f *testing.F) {
	for i, v := range []string{"always", "IfNotPresent", "", "newer", "every_1w2d", "every_99999999999999999999w",
		"prefer-cached", "True", "1", `["always", "if-not-present"]`, "always,,never", "build", "daily", "[always"} {
		f.Add(uint8(i), v, i%2 == 0, uint8(i))
	}
	f.Fuzz(func(t *testing.T, which uint8, value string, present bool, registry uint8) {
		systems := dialect.Systems()
		sys := systems[int(which)%len(systems)]
		p, err := dialect.Parse(sys, value)
		if err != nil {
			require.ErrorIs(t, err, pullpolicy.ErrInvalidPolicy)
			assert.False(t, p.IsValid())
			return
		}
		require.True(t, p.IsValid())
		assert.Equal(t, sys, p.System)
		text, err := p.MarshalText()
		require.NoError(t, err)
		var back dialect.Policy
		require.NoError(t, back.UnmarshalText(text), "%q", text)
		assert.Equal(t, p.Name, back.Name)
		assert.Equal(t, p.Steps(), back.Steps())
		assert.Equal(t, p.Refresh, back.Refresh)
		m, err := dialect.ToKubernetes(p)
		if err != nil {
			require.ErrorIs(t, err, dialect.ErrNoEquivalent)
			assert.Equal(t, dialect.NoEquivalent, m.Match)
		}

		store := node(t)
		image := "nginx:1.25"
		if !present {
			image = "redis:7"
		}
		resolver := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
			switch registry % 4 {
			case 0:
				return dgNginx, nil
			case 1:
				return dgMoved, nil
			case 2:
				return "", errDown
			default:
				return "", errUnauthorized
			}
		})
		d, err := dialect.Decide(t.Context(), p, reference.MustParse(image), store, resolver, &dialect.Options{Pulls: &dialect.MemoryPulls{}})
		switch d.Action {
		case pullpolicy.Fail:
			require.Error(t, err)
			assert.Len(t, pullpolicytest.Kinds(err), 1, "%v", err)
		case pullpolicy.UseLocal:
			require.NoError(t, err)
			assert.NotEmpty(t, d.Local.ID)
		case pullpolicy.Pull:
			require.NoError(t, err)
			assert.True(t, d.PullRef.IsValid())
		}
	})
}
