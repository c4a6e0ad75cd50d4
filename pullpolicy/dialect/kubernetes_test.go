package dialect_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
)

func TestToKubernetes(t *testing.T) {
	cases := []struct {
		system dialect.System
		value  string
		want   pullpolicy.Policy
		match  dialect.Match
	}{
		{dialect.Podman, "always", pullpolicy.Always, dialect.Exact},
		{dialect.Podman, "ifnotpresent", pullpolicy.IfNotPresent, dialect.Exact},
		{dialect.Podman, "never", pullpolicy.Never, dialect.Exact},
		{dialect.Podman, "newer", pullpolicy.Always, dialect.Approximate},
		{dialect.Docker, "", pullpolicy.Never, dialect.Exact},
		{dialect.Docker, "missing", pullpolicy.IfNotPresent, dialect.Exact},
		{dialect.Compose, "if_not_present", pullpolicy.IfNotPresent, dialect.Exact},
		{dialect.Compose, "", pullpolicy.IfNotPresent, dialect.Exact},
		{dialect.Compose, "refresh", pullpolicy.Always, dialect.Approximate},
		{dialect.Compose, "daily", "", dialect.NoEquivalent},
		{dialect.Compose, "every_12h", "", dialect.NoEquivalent},
		{dialect.Compose, "build", "", dialect.NoEquivalent},
		{dialect.Nerdctl, "always", pullpolicy.Always, dialect.Exact},
		{dialect.ECS, "default", pullpolicy.Always, dialect.Approximate},
		{dialect.ECS, "always", pullpolicy.Always, dialect.Exact},
		{dialect.ECS, "prefer-cached", pullpolicy.IfNotPresent, dialect.Exact},
		{dialect.ECS, "once", "", dialect.NoEquivalent},
		{dialect.Nomad, "true", pullpolicy.Always, dialect.Exact},
		{dialect.Nomad, "false", "", dialect.Exact}, // unset: the API server's default is Nomad's rule
		{dialect.GitLab, "never", pullpolicy.Never, dialect.Exact},
		{dialect.GitLab, "always,if-not-present", pullpolicy.Always, dialect.Approximate},
		{dialect.GitLab, "if-not-present,never", pullpolicy.IfNotPresent, dialect.Approximate},
	}
	for _, tc := range cases {
		t.Run(string(tc.system)+":"+tc.value, func(t *testing.T) {
			m, err := dialect.ToKubernetes(dialect.MustParse(tc.system, tc.value))
			assert.Equal(t, tc.want, m.Kubernetes)
			assert.Equal(t, tc.match, m.Match)
			if tc.match == dialect.NoEquivalent {
				require.ErrorIs(t, err, dialect.ErrNoEquivalent)
				assert.NotEmpty(t, m.Note, "no equivalent says why")
				return
			}
			require.NoError(t, err)
			if tc.match == dialect.Approximate {
				assert.NotEmpty(t, m.Note, "an approximation says what differs")
			}
		})
	}
	_, err := dialect.ToKubernetes(dialect.Policy{})
	assert.ErrorIs(t, err, pullpolicy.ErrInvalidPolicy)
}

func TestFromKubernetes(t *testing.T) {
	cases := []struct {
		system dialect.System
		k8s    pullpolicy.Policy
		name   string // "" with NoEquivalent
		match  dialect.Match
	}{
		{dialect.Podman, pullpolicy.IfNotPresent, "missing", dialect.Exact},
		{dialect.Docker, pullpolicy.Never, "never", dialect.Exact},
		{dialect.Compose, pullpolicy.Always, "always", dialect.Exact},
		{dialect.Compose, "", "", dialect.NoEquivalent},
		{dialect.Nerdctl, pullpolicy.IfNotPresent, "missing", dialect.Exact},
		{dialect.ECS, pullpolicy.IfNotPresent, "prefer-cached", dialect.Exact},
		{dialect.ECS, pullpolicy.Never, "", dialect.NoEquivalent},
		{dialect.Nomad, pullpolicy.Always, "true", dialect.Exact},
		{dialect.Nomad, "", "false", dialect.Exact},
		{dialect.Nomad, pullpolicy.IfNotPresent, "false", dialect.Approximate},
		{dialect.Nomad, pullpolicy.Never, "", dialect.NoEquivalent},
		{dialect.GitLab, pullpolicy.IfNotPresent, "if-not-present", dialect.Exact},
	}
	for _, tc := range cases {
		t.Run(string(tc.system)+":"+string(tc.k8s), func(t *testing.T) {
			p, m, err := dialect.FromKubernetes(tc.system, tc.k8s)
			assert.Equal(t, tc.match, m.Match)
			if tc.match == dialect.NoEquivalent {
				require.ErrorIs(t, err, dialect.ErrNoEquivalent)
				assert.False(t, p.IsValid())
				assert.NotEmpty(t, m.Note)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.system, p.System)
			assert.Equal(t, tc.name, p.Name)
		})
	}
	_, _, err := dialect.FromKubernetes("kubernetes", pullpolicy.Always)
	assert.ErrorIs(t, err, dialect.ErrUnknownSystem)
	_, _, err = dialect.FromKubernetes(dialect.Podman, "always")
	assert.ErrorIs(t, err, pullpolicy.ErrInvalidPolicy)
}

// TestTranslationRoundTrip checks the two directions against each other for every system and
// every Kubernetes policy: an exact translation back must return the Kubernetes policy it
// came from, and an approximate or missing one must not claim to be exact.
func TestTranslationRoundTrip(t *testing.T) {
	for _, sys := range dialect.Systems() {
		for _, k := range []pullpolicy.Policy{pullpolicy.Always, pullpolicy.IfNotPresent, pullpolicy.Never, ""} {
			t.Run(string(sys)+":"+string(k), func(t *testing.T) {
				p, m, err := dialect.FromKubernetes(sys, k)
				if m.Match == dialect.NoEquivalent {
					require.ErrorIs(t, err, dialect.ErrNoEquivalent)
					return
				}
				require.NoError(t, err)
				back, err := dialect.ToKubernetes(p)
				require.NoError(t, err)
				if m.Match == dialect.Exact {
					assert.Equal(t, dialect.Exact, back.Match, "%s", p)
					assert.Equal(t, k, back.Kubernetes, "%s", p)
				} else {
					assert.False(t, back.Match == dialect.Exact && back.Kubernetes == k, "an approximation round-trips exactly: %s", p)
				}
			})
		}
	}
}

func TestMatchString(t *testing.T) {
	assert.Equal(t, "none", dialect.NoEquivalent.String())
	assert.Equal(t, "approximate", dialect.Approximate.String())
	assert.Equal(t, "exact", dialect.Exact.String())
	assert.Equal(t, "Match(7)", dialect.Match(7).String())
	text, err := dialect.Exact.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "exact", string(text))
}
