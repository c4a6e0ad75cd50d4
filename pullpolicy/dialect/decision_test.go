package dialect_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
	"github.com/imagepull/imagepull/reference"
)

// TestDecisionJSON checks the JSON a CLI prints: flat, lower-camel-case, empty fields left
// out, errors as text.
func TestDecisionJSON(t *testing.T) {
	store := node(t)
	cases := []struct {
		name   string
		policy dialect.Policy
		image  string
		reg    *fakeRegistry
		opts   *dialect.Options
		want   string
	}{
		{
			name: "podman newer, registry down", policy: dialect.MustParse(dialect.Podman, "newer"), image: "nginx:1.25",
			reg: &fakeRegistry{err: errDown},
			want: `{"system":"podman","dialect":"newer","kubernetesPolicy":"IfNotPresent","action":"UseLocal","image":"nginx:1.25",` +
				`"local":{"id":"sha256:nginxconfig","repoTags":["docker.io/library/nginx:1.25"],"repoDigests":["docker.io/library/nginx@` + string(dgNginx) + `"],"pulled":"2026-03-01T12:00:00Z"},` +
				`"reason":"Pulled","message":"Container image \"nginx:1.25\" already present on machine",` +
				`"tolerated":"RegistryUnavailable: ` + "image pull failed for nginx:1.25 because the registry is unavailable: dial tcp 127.0.0.1:5000: connect: connection refused" + `"}`,
		},
		{
			name: "compose daily, kept", policy: dialect.MustParse(dialect.Compose, "daily"), image: "nginx:1.25", reg: &fakeRegistry{},
			opts: &dialect.Options{Now: func() time.Time { return t0.Add(time.Hour) }},
			want: `{"system":"compose","dialect":"daily","kubernetesPolicy":"IfNotPresent","action":"UseLocal","image":"nginx:1.25",` +
				`"local":{"id":"sha256:nginxconfig","repoTags":["docker.io/library/nginx:1.25"],"repoDigests":["docker.io/library/nginx@` + string(dgNginx) + `"],"pulled":"2026-03-01T12:00:00Z"},` +
				`"reason":"Pulled","message":"Container image \"nginx:1.25\" already present on machine","refreshAt":"2026-03-02T12:00:00Z"}`,
		},
		{
			name: "gitlab, second entry pulls", policy: dialect.MustParse(dialect.GitLab, "always,if-not-present"), image: "redis:7",
			reg: &fakeRegistry{err: errDown},
			want: `{"system":"gitlab","dialect":"always,if-not-present","step":1,"kubernetesPolicy":"IfNotPresent","action":"Pull","image":"redis:7",` +
				`"pullRef":"docker.io/library/redis:7","reason":"Pulling","message":"Pulling image \"redis:7\"",` +
				`"tolerated":"RegistryUnavailable: image pull failed for redis:7 because the registry is unavailable: dial tcp 127.0.0.1:5000: connect: connection refused"}`,
		},
		{
			name: "ecs, an unknown value is default", policy: dialect.MustParse(dialect.ECS, "nonsense"), image: "redis:7",
			reg: &fakeRegistry{dg: dgMoved},
			want: `{"system":"ecs","dialect":"default","kubernetesPolicy":"Always","action":"Pull","image":"redis:7","pullRef":"docker.io/library/redis@` + string(dgMoved) + `",` +
				`"digest":"` + string(dgMoved) + `","reason":"Pulling","message":"Pulling image \"redis:7\"",` +
				`"note":"ECS_IMAGE_PULL_BEHAVIOR \"nonsense\" is not one of default, always, once, prefer-cached: the agent uses default without a warning"}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := dialect.Decide(t.Context(), tc.policy, reference.MustParse(tc.image), store, tc.reg, tc.opts)
			out, err := json.Marshal(d)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(out))
		})
	}
}

// TestDecisionJSONFailure checks a failure: the action, reason and message are there; the
// error itself is the caller's to print.
func TestDecisionJSONFailure(t *testing.T) {
	d, err := dialect.Decide(t.Context(), dialect.MustParse(dialect.Docker, "never"), reference.MustParse("redis:7"), node(t), nil, nil)
	require.ErrorIs(t, err, pullpolicy.ErrImageNeverPull)
	out, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, `{"system":"docker","dialect":"never","kubernetesPolicy":"Never","action":"Fail","image":"redis:7",`+
		`"reason":"ErrImageNeverPull","message":"Container image \"redis:7\" is not present with pull policy of Never"}`, string(out))
}
