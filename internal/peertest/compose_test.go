package peertest_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy/dialect"
)

// composeLoad loads a one-service project whose pull_policy is value (unset for ""), as
// docker compose does: schema validation, then the model.
func composeLoad(t *testing.T, value string) (types.ServiceConfig, error) {
	t.Helper()
	yaml := "services:\n  web:\n    image: nginx\n"
	if value != "" {
		quoted, err := json.Marshal(value) // a JSON string is a YAML double-quoted scalar
		require.NoError(t, err)
		yaml += "    pull_policy: " + string(quoted) + "\n"
	}
	project, err := loader.LoadWithContext(t.Context(), types.ConfigDetails{
		WorkingDir:  t.TempDir(),
		ConfigFiles: []types.ConfigFile{{Filename: "compose.yaml", Content: []byte(yaml)}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("peertest", true) })
	if err != nil {
		return types.ServiceConfig{}, err
	}
	return project.Services["web"], nil
}

// composeValues is the corpus: every spelling, windows of every unit and size (up to and past
// the int64 overflow), and random strings.
func composeValues() []string {
	seeds := []string{"always", "never", "missing", "if_not_present", "build", "refresh", "daily", "weekly", "",
		"every_12h", "every_2d", "every_1w2d", "every_5s1w", "every_1h1h", "every_0s", "every_90m",
		"every_1", "every_", "every_h", "every_1.5h", "every_10ms", "every_-1h", "every_1H", "every_+1h", "every_1h ",
		"Always", "Daily", "if-not-present", "newer", "pull_refresh_after", "every_9223372036s", "every_9223372037s",
		"every_99999999999999999999w", "every_15250w1w", "every_15250w", "every_2562047h", "every_2562048h", "every_106751d"}
	rng := rand.New(rand.NewPCG(7, 7))
	var gen []string
	for range 1500 {
		var b strings.Builder
		b.WriteString("every_")
		for range 1 + rng.IntN(4) {
			fmt.Fprintf(&b, "%d", rng.Uint64()>>rng.IntN(64))
			b.WriteByte("wdhmsxWD."[rng.IntN(9)])
		}
		gen = append(gen, b.String())
	}
	return append(corpus(seeds, "every_0123456789wdhmsalyn.-+ ", 1500), gen...)
}

// TestComposeAgainstComposeGo compares dialect.Parse(Compose, v) with compose-go: a value the
// loader's schema rejects is rejected with the schema's message (the loader prefixes the file
// and the service); a value it admits is interpreted as GetPullPolicy does, with the same
// window, or rejected with GetPullPolicy's error.
func TestComposeAgainstComposeGo(t *testing.T) {
	accepted := 0
	for _, v := range composeValues() {
		ours, ourErr := dialect.Parse(dialect.Compose, v)
		svc, loadErr := composeLoad(t, v)
		if loadErr != nil {
			if assert.Error(t, ourErr, "%q: the loader says %v", v, loadErr) {
				assert.True(t, strings.HasSuffix(loadErr.Error(), ourErr.Error()), "%q: ours %q, the loader's %q", v, ourErr, loadErr)
			}
			continue
		}
		policy, window, getErr := svc.GetPullPolicy()
		if getErr != nil {
			if assert.Error(t, ourErr, "%q: GetPullPolicy says %v", v, getErr) {
				assert.Equal(t, getErr.Error(), ourErr.Error(), "%q", v)
			}
			continue
		}
		if !assert.NoError(t, ourErr, "%q: compose-go gives %s %s", v, policy, window) {
			continue
		}
		accepted++
		assert.Equal(t, svc.PullPolicy, ours.Name, "%q: the loaded value", v)
		assert.Equal(t, policy, composeGoPolicy(ours), "%q", v)
		assert.Equal(t, window, ours.Refresh, "%q", v)
	}
	assert.Greater(t, accepted, 100, "the corpus exercises accepted values too")
}

// composeGoPolicy is the policy GetPullPolicy returns for a parsed Compose policy: refresh for
// every time-based spelling, missing for an unset one, the spelling itself otherwise.
func composeGoPolicy(p dialect.Policy) string {
	switch {
	case p.Name == "":
		return types.PullPolicyMissing
	case p.Name == "refresh", p.Name == "daily", p.Name == "weekly", strings.HasPrefix(p.Name, "every_"):
		return types.PullPolicyRefresh
	default:
		return p.Name
	}
}

// TestComposeLatestUnderMissing pins the inconsistency between the compose-spec text ("the
// latest tag is always pulled even when the missing pull policy is used") and compose-go,
// whose GetPullPolicy knows nothing of tags: missing stays missing for a latest image, so
// docker/compose's up (mustPull) keeps a present latest image; only its compose pull refreshes
// it. dialect follows the code and takes the command as an option.
func TestComposeLatestUnderMissing(t *testing.T) {
	svc, err := composeLoad(t, "missing")
	require.NoError(t, err)
	assert.Equal(t, "nginx", svc.Image)
	policy, window, err := svc.GetPullPolicy()
	require.NoError(t, err)
	assert.Equal(t, types.PullPolicyMissing, policy)
	assert.Zero(t, window)
	assert.Equal(t, time.Duration(0), dialect.MustParse(dialect.Compose, "missing").Refresh)
}
