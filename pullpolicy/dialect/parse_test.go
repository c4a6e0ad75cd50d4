package dialect_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
)

// parseCase is one value given to Parse and what the peer's own parser makes of it.
type parseCase struct {
	value   string
	name    string        // Policy.Name on success
	steps   []string      // Policy.Steps, when not just [name]
	refresh time.Duration // Policy.Refresh
	note    bool          // Policy.Note is set
	err     string        // the peer's error text, verbatim; "" for success
}

func runParse(t *testing.T, system dialect.System, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			p, err := dialect.Parse(system, tc.value)
			if tc.err != "" {
				require.Error(t, err)
				assert.Equal(t, tc.err, err.Error())
				assert.ErrorIs(t, err, pullpolicy.ErrInvalidPolicy)
				assert.False(t, p.IsValid())
				return
			}
			require.NoError(t, err)
			assert.True(t, p.IsValid())
			assert.Equal(t, system, p.System)
			assert.Equal(t, tc.name, p.Name)
			assert.Equal(t, tc.value, p.Input)
			assert.Equal(t, tc.refresh, p.Refresh)
			steps := tc.steps
			if steps == nil {
				steps = []string{tc.name}
			}
			assert.Equal(t, steps, p.Steps())
			assert.Equal(t, tc.note, p.Note != "", "note: %q", p.Note)
		})
	}
}

// Podman: containers/common pkg/config.ParsePullPolicy lower-cases the value.
func TestParsePodman(t *testing.T) {
	runParse(t, dialect.Podman, []parseCase{
		{value: "always", name: "always"},
		{value: "Always", name: "always"},
		{value: "ALWAYS", name: "always"},
		{value: "missing", name: "missing"},
		{value: "ifmissing", name: "missing"},
		{value: "IfMissing", name: "missing"},
		{value: "ifnotpresent", name: "missing"},
		{value: "IfNotPresent", name: "missing"}, // the Kubernetes spelling works in Podman
		{value: "", name: "missing"},
		{value: "newer", name: "newer"},
		{value: "ifnewer", name: "newer"},
		{value: "IfNewer", name: "newer"},
		{value: "never", name: "never"},
		{value: "Never", name: "never"},
		{value: "if-not-present", err: `unsupported pull policy "if-not-present"`},
		{value: "true", err: `unsupported pull policy "true"`},
		{value: " always", err: `unsupported pull policy " always"`},
		{value: "newest", err: `unsupported pull policy "newest"`},
	})
}

// Docker CLI: validatePullOpt, case-sensitive; "" passes validation.
func TestParseDocker(t *testing.T) {
	runParse(t, dialect.Docker, []parseCase{
		{value: "always", name: "always"},
		{value: "missing", name: "missing"},
		{value: "never", name: "never"},
		{value: "", name: ""},
		{value: "Always", err: `invalid pull option: 'Always': must be one of "always", "missing" or "never"`},
		{value: "newer", err: `invalid pull option: 'newer': must be one of "always", "missing" or "never"`},
		{value: "if_not_present", err: `invalid pull option: 'if_not_present': must be one of "always", "missing" or "never"`},
	})
}

// Compose: the compose-spec schema's pattern, then compose-go's GetPullPolicy.
func TestParseCompose(t *testing.T) {
	const pattern = `^(always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+)$`
	schema := func(v string) string { return "pull_policy '" + v + "' does not match pattern '" + pattern + "'" }
	runParse(t, dialect.Compose, []parseCase{
		{value: "always", name: "always"},
		{value: "never", name: "never"},
		{value: "missing", name: "missing"},
		{value: "if_not_present", name: "missing"}, // compose-go's loader normalises it
		{value: "", name: ""},                      // unset
		{value: "build", name: "build"},
		{value: "refresh", name: "refresh"}, // compose-go: a zero window; pull_refresh_after is not read
		{value: "daily", name: "daily", refresh: 24 * time.Hour},
		{value: "weekly", name: "weekly", refresh: 7 * 24 * time.Hour},
		{value: "every_12h", name: "every_12h", refresh: 12 * time.Hour},
		{value: "every_2d", name: "every_2d", refresh: 48 * time.Hour},
		{value: "every_1w2d", name: "every_1w2d", refresh: 9 * 24 * time.Hour},
		{value: "every_5s1w", name: "every_5s1w", refresh: 7*24*time.Hour + 5*time.Second}, // any order
		{value: "every_1h1h", name: "every_1h1h", refresh: 2 * time.Hour},                  // repeats add up
		{value: "every_90m", name: "every_90m", refresh: 90 * time.Minute},
		{value: "every_0s", name: "every_0s"},
		{value: "every_1", err: schema("every_1")},
		{value: "every_", err: schema("every_")},
		{value: "every_h", err: schema("every_h")},
		{value: "every_1.5h", err: schema("every_1.5h")}, // GetPullPolicy would take it; the schema does not
		{value: "every_10ms", err: schema("every_10ms")},
		{value: "every_-1h", err: schema("every_-1h")},
		{value: "every_1H", err: schema("every_1H")},
		{value: "Always", err: schema("Always")},
		{value: "Daily", err: schema("Daily")},
		{value: "if-not-present", err: schema("if-not-present")},
		{value: "newer", err: schema("newer")},
		{value: "every_9223372036s", name: "every_9223372036s", refresh: 9223372036 * time.Second},
		{value: "every_9223372037s", err: `time: invalid duration "9223372037s"`}, // beyond int64 ns
		{value: "every_99999999999999999999w", err: `time: invalid duration "99999999999999999999w"`},
		{value: "every_15250w1w", err: `time: invalid duration "15250w1w"`}, // each fits, the sum does not
	})
}

// nerdctl: imgutil.EnsureImage, case-sensitive, no empty spelling.
func TestParseNerdctl(t *testing.T) {
	runParse(t, dialect.Nerdctl, []parseCase{
		{value: "always", name: "always"},
		{value: "missing", name: "missing"},
		{value: "never", name: "never"},
		{value: "", err: `unexpected pull mode: ""`},
		{value: "Missing", err: `unexpected pull mode: "Missing"`},
		{value: "daily", err: `unexpected pull mode: "daily"`},
	})
}

// ECS: parseImagePullBehavior never fails; anything unknown is default, silently (noted here).
func TestParseECS(t *testing.T) {
	runParse(t, dialect.ECS, []parseCase{
		{value: "default", name: "default"},
		{value: "always", name: "always"},
		{value: "once", name: "once"},
		{value: "prefer-cached", name: "prefer-cached"},
		{value: "", name: "default"},
		{value: "Always", name: "default", note: true},
		{value: "prefer_cached", name: "default", note: true},
		{value: "never", name: "default", note: true},
	})
}

// Nomad: force_pull, a bool converted from a string as go-cty does.
func TestParseNomad(t *testing.T) {
	runParse(t, dialect.Nomad, []parseCase{
		{value: "true", name: "true"},
		{value: "1", name: "true"},
		{value: "false", name: "false"},
		{value: "0", name: "false"},
		{value: "", name: "false"},
		{value: "True", err: `a bool is required; to convert from string, use lowercase "true"`},
		{value: "FALSE", err: `a bool is required; to convert from string, use lowercase "false"`},
		{value: "yes", err: "a bool is required"},
		{value: "always", err: "a bool is required"},
	})
}

// GitLab Runner: GetPullPolicies, case-sensitive, ordered lists.
func TestParseGitLab(t *testing.T) {
	runParse(t, dialect.GitLab, []parseCase{
		{value: "always", name: "always"},
		{value: "if-not-present", name: "if-not-present"},
		{value: "never", name: "never"},
		{value: "", name: "always"}, // GitLab's default
		{value: "[]", name: "always"},
		{value: `["always", "if-not-present"]`, name: "always,if-not-present", steps: []string{"always", "if-not-present"}},
		{value: `['always', 'if-not-present',]`, name: "always,if-not-present", steps: []string{"always", "if-not-present"}},
		{value: "[always, if-not-present]", name: "always,if-not-present", steps: []string{"always", "if-not-present"}},
		{value: "always,if-not-present", name: "always,if-not-present", steps: []string{"always", "if-not-present"}},
		{value: "never, always", name: "never,always", steps: []string{"never", "always"}},
		{value: "Always", err: `unsupported pull_policy config: "Always"`},
		{value: "if_not_present", err: `unsupported pull_policy config: "if_not_present"`},
		{value: `["always", "newer"]`, err: `unsupported pull_policy config: "newer"`},
		{value: "always,,never", err: `unsupported pull_policy config: ""`},
	})
}

func TestParseGitLabBounds(t *testing.T) {
	long := "always"
	for range 16 {
		long += ",always"
	}
	_, err := dialect.Parse(dialect.GitLab, long)
	require.ErrorIs(t, err, pullpolicy.ErrInvalidPolicy)
	assert.Contains(t, err.Error(), "17 entries")
	_, err = dialect.Parse(dialect.GitLab, `["always"`)
	require.ErrorIs(t, err, pullpolicy.ErrInvalidPolicy)
	assert.Contains(t, err.Error(), "unterminated")
}

func TestParseUnknownSystem(t *testing.T) {
	for _, sys := range []dialect.System{"", "Podman", "kubernetes", "docker-compose"} {
		t.Run(string(sys), func(t *testing.T) {
			_, err := dialect.Parse(sys, "always")
			require.ErrorIs(t, err, dialect.ErrUnknownSystem)
			assert.Equal(t, `unknown pull policy dialect "`+string(sys)+`": supported dialects are podman, docker, compose, nerdctl, ecs, nomad, gitlab`, err.Error())
			_, err = dialect.ParseSystem(string(sys))
			assert.ErrorIs(t, err, dialect.ErrUnknownSystem)
		})
	}
}

func TestSystems(t *testing.T) {
	systems := dialect.Systems()
	assert.Equal(t, []dialect.System{"podman", "docker", "compose", "nerdctl", "ecs", "nomad", "gitlab"}, systems)
	for _, s := range systems {
		got, err := dialect.ParseSystem(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	systems[0] = "changed"
	assert.Equal(t, dialect.Podman, dialect.Systems()[0], "Systems returns a copy")
}

// TestPolicyText checks that a Policy's text form parses back to the same policy.
func TestPolicyText(t *testing.T) {
	for _, in := range []struct {
		system dialect.System
		value  string
		text   string
	}{
		{dialect.Podman, "IfNotPresent", "podman:missing"},
		{dialect.Compose, "every_1w2d", "compose:every_1w2d"},
		{dialect.ECS, "bogus", "ecs:default"},
		{dialect.Nomad, "1", "nomad:true"},
		{dialect.GitLab, `["always", "if-not-present"]`, "gitlab:always,if-not-present"},
	} {
		t.Run(in.text, func(t *testing.T) {
			p := dialect.MustParse(in.system, in.value)
			text, err := p.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, in.text, string(text))
			var back dialect.Policy
			require.NoError(t, back.UnmarshalText(text))
			assert.Equal(t, p.System, back.System)
			assert.Equal(t, p.Name, back.Name)
			assert.Equal(t, p.Refresh, back.Refresh)
			assert.Equal(t, p.Steps(), back.Steps())
		})
	}
	var zero dialect.Policy
	assert.Empty(t, zero.String())
	require.NoError(t, zero.UnmarshalText(nil))
	assert.False(t, zero.IsValid())
	assert.Error(t, zero.UnmarshalText([]byte("podman")))
	err := zero.UnmarshalText([]byte("docker:Always"))
	assert.True(t, errors.Is(err, pullpolicy.ErrInvalidPolicy))
	assert.Panics(t, func() { dialect.MustParse(dialect.Docker, "Always") })
}
