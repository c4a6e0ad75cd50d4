package dialect_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/dialect"
	"github.com/imagepull/imagepull/pullpolicy/pullpolicytest"
	"github.com/imagepull/imagepull/reference"
)

var (
	dgNginx  = digest.FromString("nginx 1.25 manifest")
	dgApp    = digest.FromString("app latest index")
	dgShared = digest.FromString("web v2 manifest, also pulled from another repository")
	dgMoved  = digest.FromString("a new manifest")

	// t0 is when the node pulled its images; the fake clocks start from it.
	t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	errDown         = fmt.Errorf("%w: dial tcp 127.0.0.1:5000: connect: connection refused", pullpolicy.ErrRegistryUnavailable)
	errUnauthorized = errors.New("GET https://registry/v2/: 401 Unauthorized")
	errNotFound     = errors.New("HEAD https://registry/v2/app/manifests/v1: 404 manifest unknown")
)

// requireKind checks that err matches want and no other sentinel, through a *pullpolicy.Error.
func requireKind(t *testing.T, err, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	assert.Len(t, pullpolicytest.Kinds(err), 1, "exactly one sentinel in %v", err)
	var pe *pullpolicy.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, want, pe.Reason)
}

// node is a local store: nginx:1.25 (dgNginx), app:latest (dgApp), and web:v2, pulled from
// another repository, whose only digest is dgShared under that repository. All pulled at t0.
func node(t *testing.T) *cache.Store {
	t.Helper()
	s := cache.NewStore()
	for _, img := range []pullpolicy.LocalImage{
		{ID: "sha256:nginxconfig", RepoTags: []string{"nginx:1.25"}, RepoDigests: []string{"nginx@" + string(dgNginx)}, Pulled: t0},
		{ID: "sha256:appconfig", RepoTags: []string{"app:latest"}, RepoDigests: []string{"app@" + string(dgApp)}, Pulled: t0},
		{ID: "sha256:webconfig", RepoTags: []string{"web:v2"}, RepoDigests: []string{"mirror.example/team/web@" + string(dgShared)}, Pulled: t0},
	} {
		require.NoError(t, s.Add(img))
	}
	return s
}

// fakeRegistry is a fake Resolver answering one digest or one error, counting calls.
type fakeRegistry struct {
	dg    digest.Digest
	err   error
	calls atomic.Int32
}

func (r *fakeRegistry) Resolve(_ context.Context, img reference.Image) (digest.Digest, error) {
	r.calls.Add(1)
	if r.err != nil {
		return "", r.err
	}
	if d := img.Digest(); d != "" {
		return d, nil // a registry confirms a digest reference
	}
	return r.dg, nil
}

// decideCase is one decision: a policy, an image, what the registry says, and the outcome.
type decideCase struct {
	name      string
	system    dialect.System
	policy    string
	image     string
	dg        digest.Digest // the registry's digest for the tag
	regErr    error         // or its failure
	opts      *dialect.Options
	action    pullpolicy.Action
	kind      error  // the sentinel of a failure
	calls     int32  // resolver calls
	pullRef   string // PullRef.String() of a Pull
	kube      pullpolicy.Policy
	tolerated error // matched by Decision.Tolerated
	step      int
	build     bool
	message   string // the Message, when it is the point of the case
}

func runDecide(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := dialect.Parse(tc.system, tc.policy)
			require.NoError(t, err)
			reg := &fakeRegistry{dg: tc.dg, err: tc.regErr}
			img := reference.MustParse(tc.image)
			d, err := dialect.Decide(t.Context(), p, img, node(t), reg, tc.opts)
			assert.Equal(t, tc.action, d.Action, "message: %s", d.Message)
			if tc.kind != nil {
				requireKind(t, err, tc.kind)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.calls, reg.calls.Load(), "resolver calls")
			assert.Equal(t, tc.system, d.System)
			assert.Equal(t, p.Name, d.Dialect)
			assert.Equal(t, img, d.Image)
			assert.Equal(t, tc.step, d.Step)
			assert.Equal(t, tc.build, d.Build)
			if tc.kube != "" {
				assert.Equal(t, tc.kube, d.Policy)
			}
			if tc.pullRef != "" || d.Action == pullpolicy.Pull {
				assert.Equal(t, tc.pullRef, d.PullRef.String())
			}
			if tc.action == pullpolicy.UseLocal {
				assert.NotEmpty(t, d.Local.ID)
			}
			if tc.tolerated != nil {
				assert.ErrorIs(t, d.Tolerated, tc.tolerated)
			} else {
				assert.NoError(t, d.Tolerated)
			}
			if tc.message != "" {
				assert.Equal(t, tc.message, d.Message)
				var pe *pullpolicy.Error
				if errors.As(err, &pe) {
					assert.Equal(t, tc.message, pe.Message)
				}
			}
		})
	}
}

func TestDecidePodman(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "always, unchanged: kept after asking", system: dialect.Podman, policy: "always", image: "nginx:1.25", dg: dgNginx,
			action: pullpolicy.UseLocal, calls: 1, kube: pullpolicy.Always},
		{name: "always, moved: pulled by digest", system: dialect.Podman, policy: "always", image: "nginx:1.25", dg: dgMoved,
			action: pullpolicy.Pull, calls: 1, pullRef: "docker.io/library/nginx@" + string(dgMoved)},
		{name: "always, registry down: fails", system: dialect.Podman, policy: "always", image: "nginx:1.25", regErr: errDown,
			action: pullpolicy.Fail, kind: pullpolicy.ErrRegistryUnavailable, calls: 1},
		{name: "missing, present: no registry", system: dialect.Podman, policy: "IfNotPresent", image: "nginx:1.25",
			action: pullpolicy.UseLocal, kube: pullpolicy.IfNotPresent},
		{name: "missing, absent: pulled by tag", system: dialect.Podman, policy: "", image: "redis:7",
			action: pullpolicy.Pull, pullRef: "docker.io/library/redis:7"},
		{name: "never, absent", system: dialect.Podman, policy: "never", image: "redis:7",
			action: pullpolicy.Fail, kind: pullpolicy.ErrImageNeverPull},
		{name: "newer, unchanged: kept, one registry call", system: dialect.Podman, policy: "newer", image: "nginx:1.25", dg: dgNginx,
			action: pullpolicy.UseLocal, calls: 1, kube: pullpolicy.Always},
		{name: "newer, the registry's digest is the local image's under another repository", system: dialect.Podman, policy: "newer",
			image: "web:v2", dg: dgShared, action: pullpolicy.UseLocal, calls: 1, kube: pullpolicy.Always},
		{name: "newer, moved: pulled by the new digest", system: dialect.Podman, policy: "ifnewer", image: "nginx:1.25", dg: dgMoved,
			action: pullpolicy.Pull, calls: 1, pullRef: "docker.io/library/nginx@" + string(dgMoved)},
		{name: "newer, registry down: the local image", system: dialect.Podman, policy: "newer", image: "nginx:1.25", regErr: errDown,
			action: pullpolicy.UseLocal, calls: 1, tolerated: pullpolicy.ErrRegistryUnavailable, kube: pullpolicy.IfNotPresent},
		{name: "newer, 401: the local image too (Podman suppresses any pull error)", system: dialect.Podman, policy: "newer", image: "nginx:1.25",
			regErr: errUnauthorized, action: pullpolicy.UseLocal, calls: 1, tolerated: pullpolicy.ErrImagePull},
		{name: "newer, absent: pulled without asking", system: dialect.Podman, policy: "newer", image: "redis:7", dg: dgMoved,
			action: pullpolicy.Pull, pullRef: "docker.io/library/redis:7"},
		{name: "newer, absent and registry down: still a pull", system: dialect.Podman, policy: "newer", image: "redis:7", regErr: errDown,
			action: pullpolicy.Pull, pullRef: "docker.io/library/redis:7"},
	})
}

func TestDecideDocker(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "missing, absent: pulled", system: dialect.Docker, policy: "missing", image: "redis:7",
			action: pullpolicy.Pull, pullRef: "docker.io/library/redis:7", message: `Pulling image "redis:7"`},
		{name: "missing, present latest: no registry", system: dialect.Docker, policy: "missing", image: "app",
			action: pullpolicy.UseLocal},
		{name: "always, present: asked", system: dialect.Docker, policy: "always", image: "app", dg: dgApp,
			action: pullpolicy.UseLocal, calls: 1},
		{name: `"" behaves as never: absent fails`, system: dialect.Docker, policy: "", image: "redis:7",
			action: pullpolicy.Fail, kind: pullpolicy.ErrImageNeverPull},
		{name: `"" present: used`, system: dialect.Docker, policy: "", image: "nginx:1.25", action: pullpolicy.UseLocal},
	})
}

func TestDecideCompose(t *testing.T) {
	at := func(d time.Duration) *dialect.Options {
		return &dialect.Options{Now: func() time.Time { return t0.Add(d) }}
	}
	pull := func(d time.Duration) *dialect.Options {
		o := at(d)
		o.Compose = dialect.ComposePull
		return o
	}
	runDecide(t, []decideCase{
		// compose-spec: "the latest tag is always pulled even when the missing pull policy is used";
		// docker/compose's up (mustPull) does not, its compose pull (shouldPullImage) does.
		{name: "missing, present latest, up: kept without asking", system: dialect.Compose, policy: "missing", image: "app",
			action: pullpolicy.UseLocal},
		{name: "missing, present latest, compose pull: asked", system: dialect.Compose, policy: "missing", image: "app", dg: dgMoved,
			opts: pull(0), action: pullpolicy.Pull, calls: 1, pullRef: "docker.io/library/app@" + string(dgMoved)},
		{name: "if_not_present, present latest, compose pull: asked", system: dialect.Compose, policy: "if_not_present", image: "app:latest",
			dg: dgApp, opts: pull(0), action: pullpolicy.UseLocal, calls: 1},
		{name: "missing, present 1.25, compose pull: kept", system: dialect.Compose, policy: "missing", image: "nginx:1.25",
			opts: pull(0), action: pullpolicy.UseLocal},
		{name: "missing, latest by digest, compose pull: kept (ParseDockerRef drops the tag)", system: dialect.Compose, policy: "missing",
			image: "app:latest@" + string(dgApp), opts: pull(0), action: pullpolicy.UseLocal},
		{name: "unset, present, up: kept", system: dialect.Compose, policy: "", image: "nginx:1.25", action: pullpolicy.UseLocal},
		{name: "unset, present, compose pull: asked", system: dialect.Compose, policy: "", image: "nginx:1.25", dg: dgNginx,
			opts: pull(0), action: pullpolicy.UseLocal, calls: 1},
		{name: "daily, pulled an hour ago: kept", system: dialect.Compose, policy: "daily", image: "nginx:1.25",
			opts: at(time.Hour), action: pullpolicy.UseLocal},
		{name: "daily, pulled 25 hours ago: asked", system: dialect.Compose, policy: "daily", image: "nginx:1.25", dg: dgMoved,
			opts: at(25 * time.Hour), action: pullpolicy.Pull, calls: 1, pullRef: "docker.io/library/nginx@" + string(dgMoved)},
		{name: "daily, exactly 24 hours: not yet (After, not equal)", system: dialect.Compose, policy: "daily", image: "nginx:1.25",
			opts: at(24 * time.Hour), action: pullpolicy.UseLocal},
		{name: "daily, due, unchanged: kept after asking", system: dialect.Compose, policy: "daily", image: "nginx:1.25", dg: dgNginx,
			opts: at(48 * time.Hour), action: pullpolicy.UseLocal, calls: 1},
		{name: "daily, due, registry down: fails", system: dialect.Compose, policy: "daily", image: "nginx:1.25", regErr: errDown,
			opts: at(48 * time.Hour), action: pullpolicy.Fail, kind: pullpolicy.ErrRegistryUnavailable, calls: 1},
		{name: "daily, fresh, compose pull: asked at once", system: dialect.Compose, policy: "daily", image: "nginx:1.25", dg: dgNginx,
			opts: pull(time.Minute), action: pullpolicy.UseLocal, calls: 1},
		{name: "every_1w2d, after 8 days: kept", system: dialect.Compose, policy: "every_1w2d", image: "nginx:1.25",
			opts: at(8 * 24 * time.Hour), action: pullpolicy.UseLocal},
		{name: "every_1w2d, after 10 days: asked", system: dialect.Compose, policy: "every_1w2d", image: "nginx:1.25", dg: dgNginx,
			opts: at(10 * 24 * time.Hour), action: pullpolicy.UseLocal, calls: 1},
		{name: "weekly, absent: pulled without asking", system: dialect.Compose, policy: "weekly", image: "redis:7",
			opts: at(0), action: pullpolicy.Pull, pullRef: "docker.io/library/redis:7"},
		{name: "refresh: a zero window, asked whenever the clock moved", system: dialect.Compose, policy: "refresh", image: "nginx:1.25",
			dg: dgNginx, opts: at(time.Second), action: pullpolicy.UseLocal, calls: 1},
		{name: "build, present: never pulled", system: dialect.Compose, policy: "build", image: "nginx:1.25",
			action: pullpolicy.UseLocal, build: true},
		{name: "build, absent: never pulled", system: dialect.Compose, policy: "build", image: "myapp:dev",
			action: pullpolicy.Fail, kind: pullpolicy.ErrImageNeverPull, build: true,
			message: `Container image "myapp:dev" is built by Compose (pull_policy build), never pulled, and is not present`},
		{name: "never, absent, compose pull: fails", system: dialect.Compose, policy: "never", image: "redis:7", opts: pull(0),
			action: pullpolicy.Fail, kind: pullpolicy.ErrImageNeverPull},
	})
}

// TestDecideComposeRefreshAt checks the time a kept image is next refreshed, and that an image
// whose pull time is unknown is refreshed at once, as docker/compose does with a zero
// LastTagTime.
func TestDecideComposeRefreshAt(t *testing.T) {
	store := node(t)
	require.NoError(t, store.Add(pullpolicy.LocalImage{ID: "sha256:unknowntime", RepoTags: []string{"old:1"}}))
	now := func() time.Time { return t0.Add(time.Hour) }
	p := dialect.MustParse(dialect.Compose, "every_12h")
	d, err := dialect.Decide(t.Context(), p, reference.MustParse("nginx:1.25"), store, nil, &dialect.Options{Now: now})
	require.NoError(t, err)
	assert.Equal(t, pullpolicy.UseLocal, d.Action)
	assert.Equal(t, t0.Add(12*time.Hour), d.RefreshAt)
	assert.Equal(t, 12*time.Hour, p.Refresh)

	reg := &fakeRegistry{dg: dgMoved}
	d, err = dialect.Decide(t.Context(), p, reference.MustParse("old:1"), store, reg, &dialect.Options{Now: now})
	require.NoError(t, err)
	assert.Equal(t, pullpolicy.Pull, d.Action)
	assert.True(t, d.RefreshAt.IsZero())
	assert.Equal(t, int32(1), reg.calls.Load())
}

func TestDecideNerdctl(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "missing, absent", system: dialect.Nerdctl, policy: "missing", image: "redis:7",
			action: pullpolicy.Pull, pullRef: "docker.io/library/redis:7"},
		{name: "never, present", system: dialect.Nerdctl, policy: "never", image: "nginx:1.25", action: pullpolicy.UseLocal},
		{name: "always, down", system: dialect.Nerdctl, policy: "always", image: "nginx:1.25", regErr: errDown,
			action: pullpolicy.Fail, kind: pullpolicy.ErrRegistryUnavailable, calls: 1},
	})
}

func TestDecideECS(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "default, unchanged: kept after asking", system: dialect.ECS, policy: "default", image: "nginx:1.25", dg: dgNginx,
			action: pullpolicy.UseLocal, calls: 1},
		{name: "default, registry down: the cached image", system: dialect.ECS, policy: "default", image: "nginx:1.25", regErr: errDown,
			action: pullpolicy.UseLocal, calls: 1, tolerated: pullpolicy.ErrRegistryUnavailable},
		{name: "default, 404: the cached image too (any pull error)", system: dialect.ECS, policy: "", image: "nginx:1.25", regErr: errNotFound,
			action: pullpolicy.UseLocal, calls: 1, tolerated: pullpolicy.ErrImagePull},
		{name: "default, registry down, nothing cached: fails", system: dialect.ECS, policy: "default", image: "redis:7", regErr: errDown,
			action: pullpolicy.Fail, kind: pullpolicy.ErrRegistryUnavailable, calls: 1},
		{name: "an unknown value is default", system: dialect.ECS, policy: "Always", image: "nginx:1.25", regErr: errDown,
			action: pullpolicy.UseLocal, calls: 1, tolerated: pullpolicy.ErrRegistryUnavailable},
		{name: "always, registry down: the task stops", system: dialect.ECS, policy: "always", image: "nginx:1.25", regErr: errDown,
			action: pullpolicy.Fail, kind: pullpolicy.ErrRegistryUnavailable, calls: 1},
		{name: "prefer-cached, present: no registry", system: dialect.ECS, policy: "prefer-cached", image: "app",
			action: pullpolicy.UseLocal},
		{name: "prefer-cached, absent: pulled", system: dialect.ECS, policy: "prefer-cached", image: "redis:7",
			action: pullpolicy.Pull, pullRef: "docker.io/library/redis:7"},
		{name: "once, nothing remembered (no memory): asked", system: dialect.ECS, policy: "once", image: "nginx:1.25", dg: dgNginx,
			action: pullpolicy.UseLocal, calls: 1},
		{name: "once, first pull fails: the task stops, no cached fallback", system: dialect.ECS, policy: "once", image: "nginx:1.25",
			regErr: errDown, opts: &dialect.Options{Pulls: &dialect.MemoryPulls{}},
			action: pullpolicy.Fail, kind: pullpolicy.ErrRegistryUnavailable, calls: 1},
	})
}

// TestDecideECSOnce follows one node through ECS's once: the first start asks the registry and
// is remembered; later starts never ask, even with the registry down; an image removed
// behind the agent's back fails; another spelling of the name is another name.
func TestDecideECSOnce(t *testing.T) {
	store := node(t)
	pulls := &dialect.MemoryPulls{}
	opts := &dialect.Options{Pulls: pulls}
	once := dialect.MustParse(dialect.ECS, "once")
	reg := &fakeRegistry{dg: dgNginx}

	d, err := dialect.Decide(t.Context(), once, reference.MustParse("nginx:1.25"), store, reg, opts)
	require.NoError(t, err)
	assert.Equal(t, pullpolicy.UseLocal, d.Action)
	assert.Equal(t, int32(1), reg.calls.Load())
	assert.Equal(t, 1, pulls.Len(), "a pull that found the digest present succeeded: remembered")

	reg.err = errDown
	d, err = dialect.Decide(t.Context(), once, reference.MustParse("nginx:1.25"), store, reg, opts)
	require.NoError(t, err)
	assert.Equal(t, pullpolicy.UseLocal, d.Action)
	assert.Equal(t, int32(1), reg.calls.Load(), "remembered: the registry is not asked")

	_, err = dialect.Decide(t.Context(), once, reference.MustParse("docker.io/library/nginx:1.25"), store, reg, opts)
	requireKind(t, err, pullpolicy.ErrRegistryUnavailable) // another name: asked, and fails

	require.True(t, store.Remove("sha256:nginxconfig"))
	d, err = dialect.Decide(t.Context(), once, reference.MustParse("nginx:1.25"), store, reg, opts)
	requireKind(t, err, pullpolicy.ErrImageNeverPull)
	assert.Equal(t, `Container image "nginx:1.25" was pulled once on this node (ECS_IMAGE_PULL_BEHAVIOR once) and is no longer present`, d.Message)

	// A Pull decision is not a pull: the caller records it once its pull succeeded.
	reg.err, reg.dg = nil, dgMoved
	d, err = dialect.Decide(t.Context(), once, reference.MustParse("redis:7"), store, reg, opts)
	require.NoError(t, err)
	assert.Equal(t, pullpolicy.Pull, d.Action)
	pulled, err := pulls.Pulled(t.Context(), "redis:7")
	require.NoError(t, err)
	assert.False(t, pulled)
}

// failingPulls is a PullMemory that cannot be read or written.
type failingPulls struct{}

func (failingPulls) Pulled(context.Context, string) (bool, error) {
	return false, errors.New("state file unreadable")
}
func (failingPulls) RecordPull(context.Context, string) error { return errors.New("disk full") }

func TestDecideECSOnceMemoryFailure(t *testing.T) {
	d, err := dialect.Decide(t.Context(), dialect.MustParse(dialect.ECS, "once"), reference.MustParse("nginx:1.25"), node(t), &fakeRegistry{dg: dgNginx},
		&dialect.Options{Pulls: failingPulls{}})
	requireKind(t, err, pullpolicy.ErrImageInspect)
	assert.Equal(t, pullpolicy.Fail, d.Action)
	assert.Contains(t, d.Message, "state file unreadable")
}

func TestDecideNomad(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "false, no tag: latest, asked", system: dialect.Nomad, policy: "false", image: "app", dg: dgApp,
			action: pullpolicy.UseLocal, calls: 1, kube: pullpolicy.Always},
		{name: "false, :latest moved: pulled", system: dialect.Nomad, policy: "", image: "app:latest", dg: dgMoved,
			action: pullpolicy.Pull, calls: 1, pullRef: "docker.io/library/app@" + string(dgMoved)},
		{name: "false, latest with a digest: still latest, asked", system: dialect.Nomad, policy: "false",
			image: "nginx:latest@" + string(dgNginx), action: pullpolicy.UseLocal, calls: 1},
		{name: "false, digest only: kept", system: dialect.Nomad, policy: "0", image: "nginx@" + string(dgNginx),
			action: pullpolicy.UseLocal, kube: pullpolicy.IfNotPresent},
		{name: "false, 1.25 present: kept", system: dialect.Nomad, policy: "false", image: "nginx:1.25", action: pullpolicy.UseLocal},
		{name: "false, latest, registry down: fails, no fallback", system: dialect.Nomad, policy: "false", image: "app", regErr: errDown,
			action: pullpolicy.Fail, kind: pullpolicy.ErrRegistryUnavailable, calls: 1},
		{name: "true, 1.25 present: asked", system: dialect.Nomad, policy: "true", image: "nginx:1.25", dg: dgNginx,
			action: pullpolicy.UseLocal, calls: 1},
	})
}

func TestDecideGitLab(t *testing.T) {
	list := `["always", "if-not-present"]`
	runDecide(t, []decideCase{
		{name: "always, if-not-present; unchanged: the first entry", system: dialect.GitLab, policy: list, image: "nginx:1.25", dg: dgNginx,
			action: pullpolicy.UseLocal, calls: 1},
		{name: "always, if-not-present; registry down: the local image", system: dialect.GitLab, policy: list, image: "nginx:1.25",
			regErr: errDown, action: pullpolicy.UseLocal, calls: 1, step: 1, tolerated: pullpolicy.ErrRegistryUnavailable,
			kube: pullpolicy.IfNotPresent},
		{name: "always, if-not-present; 401: fails, never falls through", system: dialect.GitLab, policy: list, image: "nginx:1.25",
			regErr: errUnauthorized, action: pullpolicy.Fail, kind: pullpolicy.ErrImagePull, calls: 1},
		{name: "always, if-not-present; 404: fails, never falls through", system: dialect.GitLab, policy: list, image: "nginx:1.25",
			regErr: errNotFound, action: pullpolicy.Fail, kind: pullpolicy.ErrImagePull, calls: 1},
		{name: "always, if-not-present; 401 with GitLab Runner's own rule: falls through", system: dialect.GitLab, policy: list,
			image: "nginx:1.25", regErr: errUnauthorized, opts: &dialect.Options{GitLabAnyError: true},
			action: pullpolicy.UseLocal, calls: 1, step: 1, tolerated: pullpolicy.ErrImagePull},
		{name: "always, if-not-present; down, absent: the second entry pulls", system: dialect.GitLab, policy: list, image: "redis:7",
			regErr: errDown, action: pullpolicy.Pull, calls: 1, step: 1, pullRef: "docker.io/library/redis:7",
			tolerated: pullpolicy.ErrRegistryUnavailable},
		{name: "if-not-present, always; present: the first entry, no registry", system: dialect.GitLab, policy: "if-not-present,always",
			image: "nginx:1.25", action: pullpolicy.UseLocal},
		{name: "never, always; absent: falls through to always", system: dialect.GitLab, policy: "never,always", image: "redis:7",
			dg: dgMoved, action: pullpolicy.Pull, calls: 1, step: 1, pullRef: "docker.io/library/redis@" + string(dgMoved),
			tolerated: pullpolicy.ErrImageNeverPull},
		{name: "always, never; down, absent: both fail, the last error stands", system: dialect.GitLab, policy: "always,never",
			image: "redis:7", regErr: errDown, action: pullpolicy.Fail, kind: pullpolicy.ErrImageNeverPull, calls: 1, step: 1,
			tolerated: pullpolicy.ErrRegistryUnavailable},
		{name: "default list: always", system: dialect.GitLab, policy: "", image: "nginx:1.25", regErr: errDown,
			action: pullpolicy.Fail, kind: pullpolicy.ErrRegistryUnavailable, calls: 1},
	})
}

func TestDecideInvalidInput(t *testing.T) {
	store := node(t)
	d, err := dialect.Decide(t.Context(), dialect.Policy{}, reference.MustParse("nginx"), store, nil, nil)
	requireKind(t, err, pullpolicy.ErrInvalidPolicy)
	assert.Equal(t, pullpolicy.Fail, d.Action)

	for _, sys := range dialect.Systems() {
		t.Run(string(sys), func(t *testing.T) {
			p, err := dialect.Parse(sys, "")
			if err != nil { // nerdctl has no empty spelling
				p = dialect.MustParse(sys, "always")
			}
			var zero reference.Image
			d, err := dialect.Decide(t.Context(), p, zero, store, &fakeRegistry{dg: dgNginx}, nil)
			requireKind(t, err, pullpolicy.ErrInvalidImageName)
			assert.Equal(t, pullpolicy.Fail, d.Action)
			assert.Equal(t, sys, d.System)
		})
	}
}

// TestDecideCancelledNeverTolerated checks that a caller who gave up gets its error, not a
// fallback: Podman's newer, ECS's default and GitLab lists tolerate registry failures, not
// cancellation.
func TestDecideCancelledNeverTolerated(t *testing.T) {
	for _, p := range []dialect.Policy{
		dialect.MustParse(dialect.Podman, "newer"),
		dialect.MustParse(dialect.ECS, "default"),
		dialect.MustParse(dialect.GitLab, "always,if-not-present"),
	} {
		t.Run(p.String(), func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			resolver := pullpolicy.ResolverFunc(func(ctx context.Context, _ reference.Image) (digest.Digest, error) {
				cancel()
				return "", fmt.Errorf("%w: %w", pullpolicy.ErrRegistryUnavailable, ctx.Err())
			})
			d, err := dialect.Decide(ctx, p, reference.MustParse("nginx:1.25"), node(t), resolver, &dialect.Options{GitLabAnyError: true})
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, pullpolicy.Fail, d.Action)
			assert.NoError(t, d.Tolerated)
		})
	}
}

// TestDecideNoteCarried checks that ECS's silent replacement reaches the decision.
func TestDecideNoteCarried(t *testing.T) {
	p := dialect.MustParse(dialect.ECS, "bogus")
	d, err := dialect.Decide(t.Context(), p, reference.MustParse("nginx:1.25"), node(t), &fakeRegistry{dg: dgNginx}, nil)
	require.NoError(t, err)
	assert.Equal(t, "default", d.Dialect)
	assert.Equal(t, p.Note, d.Note)
	assert.Contains(t, d.Note, `"bogus"`)
}
