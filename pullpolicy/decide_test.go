package pullpolicy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/pullpolicy/pullpolicytest"
	"github.com/imagepull/imagepull/reference"
)

var (
	dgOld   = digest.Digest(emptyDigest)
	dgNew   = digest.FromString("new")
	dgIndex = digest.FromString("index")
	dgArm   = digest.FromString("arm64 manifest")
)

func requireOneSentinel(t *testing.T, err error, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	assert.Len(t, pullpolicytest.Kinds(err), 1, "exactly one sentinel in %v", err)
	var pe *pullpolicy.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, want, pe.Reason)
}

// node returns a store holding nginx:1.25 (dgOld) and a multi-arch app whose index digest is
// dgIndex, as containerd records them.
func node(t *testing.T) *cache.Store {
	t.Helper()
	s := cache.NewStore()
	require.NoError(t, s.Add(pullpolicy.LocalImage{
		ID: "sha256:nginxconfig", RepoTags: []string{"nginx:1.25", "nginx:latest"},
		RepoDigests: []string{"nginx@" + emptyDigest}, Size: 42,
	}))
	require.NoError(t, s.Add(pullpolicy.LocalImage{
		ID: "sha256:appconfig", RepoTags: []string{"ghcr.io/org/app:v1"},
		RepoDigests: []string{"ghcr.io/org/app@" + string(dgIndex)},
	}))
	return s
}

// forbidden is a Resolver that fails the test when called.
func forbidden(t *testing.T) pullpolicy.Resolver {
	return pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		t.Error("the resolver must not be called")
		return "", errors.New("called")
	})
}

func fixed(d digest.Digest) pullpolicy.Resolver {
	return pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) { return d, nil })
}

// TestDecideLocalPolicies covers Never and IfNotPresent: the store alone decides.
func TestDecideLocalPolicies(t *testing.T) {
	cases := []struct {
		name    string
		policy  pullpolicy.Policy
		image   string
		action  pullpolicy.Action
		reason  string
		message string
		err     error
	}{
		{"never-present", pullpolicy.Never, "nginx:1.25", pullpolicy.UseLocal, "Pulled", `Container image "nginx:1.25" already present on machine`, nil},
		{"never-absent", pullpolicy.Never, "redis", pullpolicy.Fail, "ErrImageNeverPull", `Container image "redis" is not present with pull policy of Never`, pullpolicy.ErrImageNeverPull},
		{"never-absent-raw-string", pullpolicy.Never, "docker.io/redis", pullpolicy.Fail, "ErrImageNeverPull", `Container image "docker.io/redis" is not present with pull policy of Never`, pullpolicy.ErrImageNeverPull},
		{"ifnotpresent-present", pullpolicy.IfNotPresent, "nginx:1.25", pullpolicy.UseLocal, "Pulled", `Container image "nginx:1.25" already present on machine`, nil},
		{"ifnotpresent-present-normalised", pullpolicy.IfNotPresent, "docker.io/library/nginx:1.25", pullpolicy.UseLocal, "Pulled", `Container image "docker.io/library/nginx:1.25" already present on machine`, nil},
		{"ifnotpresent-present-by-digest", pullpolicy.IfNotPresent, "nginx@" + emptyDigest, pullpolicy.UseLocal, "Pulled", `Container image "nginx@` + emptyDigest + `" already present on machine`, nil},
		{"ifnotpresent-tag-and-digest-uses-digest", pullpolicy.IfNotPresent, "nginx:9.9@" + emptyDigest, pullpolicy.UseLocal, "Pulled", `Container image "nginx:9.9@` + emptyDigest + `" already present on machine`, nil},
		{"ifnotpresent-absent", pullpolicy.IfNotPresent, "redis:7", pullpolicy.Pull, "Pulling", `Pulling image "redis:7"`, nil},
		{"ifnotpresent-other-tag", pullpolicy.IfNotPresent, "nginx:1.26", pullpolicy.Pull, "Pulling", `Pulling image "nginx:1.26"`, nil},
		{"ifnotpresent-platform-digest-absent", pullpolicy.IfNotPresent, "ghcr.io/org/app@" + string(dgArm), pullpolicy.Pull, "Pulling", `Pulling image "ghcr.io/org/app@` + string(dgArm) + `"`, nil},
		{"ifnotpresent-index-digest-present", pullpolicy.IfNotPresent, "ghcr.io/org/app@" + string(dgIndex), pullpolicy.UseLocal, "Pulled", `Container image "ghcr.io/org/app@` + string(dgIndex) + `" already present on machine`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := reference.MustParse(tc.image)
			d, err := pullpolicy.Decide(t.Context(), tc.policy, img, node(t), forbidden(t))
			assert.Equal(t, tc.action, d.Action)
			assert.Equal(t, tc.policy, d.Policy)
			assert.Equal(t, img, d.Image)
			assert.Equal(t, tc.reason, d.Reason)
			assert.Equal(t, tc.message, d.Message)
			assert.Empty(t, d.Digest, "the registry was not asked")
			switch tc.action {
			case pullpolicy.UseLocal:
				require.NoError(t, err)
				assert.NotEmpty(t, d.Local.ID)
			case pullpolicy.Pull:
				require.NoError(t, err)
				assert.Equal(t, img, d.PullRef, "IfNotPresent pulls the reference as given")
			default:
				requireOneSentinel(t, err, tc.err)
				assert.Equal(t, tc.message, err.(*pullpolicy.Error).Message)
				assert.Empty(t, d.Local.ID)
			}
		})
	}
}

// TestDecideAlways covers Always: the registry's digest decides, the store says if it is here.
func TestDecideAlways(t *testing.T) {
	cases := []struct {
		name     string
		image    string
		registry digest.Digest
		action   pullpolicy.Action
		pullRef  string // want PullRef.String() when pulling
		localID  string
	}{
		{"unchanged-tag", "nginx:1.25", dgOld, pullpolicy.UseLocal, "", "sha256:nginxconfig"},
		{"moved-tag-pulls-by-digest", "nginx:1.25", dgNew, pullpolicy.Pull, "docker.io/library/nginx@" + string(dgNew), ""},
		{"absent-pulls-by-digest", "redis:7", dgNew, pullpolicy.Pull, "docker.io/library/redis@" + string(dgNew), ""},
		{"digest-reference-present", "nginx@" + emptyDigest, dgOld, pullpolicy.UseLocal, "", "sha256:nginxconfig"},
		{"digest-reference-absent", "redis@" + string(dgNew), dgNew, pullpolicy.Pull, "docker.io/library/redis@" + string(dgNew), ""},
		{"tag-and-digest-drops-tag", "nginx:latest@" + emptyDigest, dgOld, pullpolicy.UseLocal, "", "sha256:nginxconfig"},
		{"multi-arch-index-digest-matches", "ghcr.io/org/app:v1", dgIndex, pullpolicy.UseLocal, "", "sha256:appconfig"},
		{"platform-digest-is-not-a-match", "ghcr.io/org/app:v1", dgArm, pullpolicy.Pull, "ghcr.io/org/app@" + string(dgArm), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := reference.MustParse(tc.image)
			var asked []reference.Image
			resolver := pullpolicy.ResolverFunc(func(_ context.Context, got reference.Image) (digest.Digest, error) {
				asked = append(asked, got)
				return tc.registry, nil
			})
			d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, img, node(t), resolver)
			require.NoError(t, err)
			assert.Equal(t, []reference.Image{img}, asked, "the registry is asked once, for the image as given")
			assert.Equal(t, tc.action, d.Action)
			assert.Equal(t, tc.registry, d.Digest)
			assert.Nil(t, d.Stale)
			if tc.action == pullpolicy.Pull {
				assert.Equal(t, tc.pullRef, d.PullRef.String())
				assert.Equal(t, tc.registry, d.PullRef.Digest())
				assert.Empty(t, d.PullRef.Tag(), "never pulls the moving tag")
				assert.Equal(t, "Pulling", d.Reason)
				assert.Equal(t, `Pulling image "`+tc.image+`"`, d.Message)
			} else {
				assert.Equal(t, tc.localID, d.Local.ID)
				assert.Equal(t, "Pulled", d.Reason)
				assert.Equal(t, `Container image "`+tc.image+`" already present on machine`, d.Message)
			}
		})
	}
}

// TestDecideAlwaysWithoutResolver checks the kubelet's own Always: with no Resolver the runtime
// is asked to pull the tag-defaulted image string, whatever the store holds, and neither the
// store nor a registry is asked.
func TestDecideAlwaysWithoutResolver(t *testing.T) {
	cases := []struct {
		name, image, pullString string
		store                   pullpolicy.Store
	}{
		{"absent", "redis", "redis:latest", node(t)},
		{"present-still-pulls", "nginx:1.25", "nginx:1.25", node(t)},
		{"digest-reference", "nginx@" + emptyDigest, "nginx@" + emptyDigest, node(t)},
		{"no-store-needed", "ghcr.io/org/app:v1", "ghcr.io/org/app:v1", nil},
		{"store-never-asked", "nginx", "nginx:latest", pullpolicy.StoreFunc(func(context.Context, reference.Image) (pullpolicy.LocalImage, bool, error) {
			t.Error("the store was asked")
			return pullpolicy.LocalImage{}, false, nil
		})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, reference.MustParse(tc.image), tc.store, nil)
			require.NoError(t, err)
			assert.Equal(t, pullpolicy.Pull, d.Action)
			assert.Equal(t, tc.pullString, d.PullRef.WithDefaultTag(), "the string the kubelet hands the runtime")
			assert.Empty(t, d.Digest, "no registry was asked")
			assert.Equal(t, "Pulling", d.Reason)
			assert.Equal(t, `Pulling image "`+tc.image+`"`, d.Message)
		})
	}
}

// TestDecideFailures covers every failure: its sentinel, its event and its pod-status message.
func TestDecideFailures(t *testing.T) {
	storeErr := pullpolicy.StoreFunc(func(context.Context, reference.Image) (pullpolicy.LocalImage, bool, error) {
		return pullpolicy.LocalImage{}, false, errors.New("unknown inspectError")
	})
	failing := func(err error) pullpolicy.Resolver {
		return pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) { return "", err })
	}
	unavailable := fmt.Errorf("%w: dial tcp 127.0.0.1:5000: connect: connection refused", pullpolicy.ErrRegistryUnavailable)
	wrappedUnavailable := fmt.Errorf("resolve nginx: %w", pullpolicy.ErrRegistryUnavailable)
	cases := []struct {
		name     string
		policy   pullpolicy.Policy
		image    reference.Image
		store    pullpolicy.Store
		resolver pullpolicy.Resolver
		err      error
		reason   string // the event reason
		event    string // the event message
		message  string // the pod-status message (Error.Message)
		cause    error  // also matched with errors.Is, when set
	}{
		{"zero-image", pullpolicy.IfNotPresent, reference.Image{}, node(t), nil, pullpolicy.ErrInvalidImageName, "InspectFailed",
			`Failed to apply default image tag "": couldn't parse image name "": invalid reference format`,
			`Failed to apply default image tag "": couldn't parse image name "": invalid reference format`, reference.ErrInvalid},
		{"unknown-policy", "always", reference.MustParse("nginx"), node(t), nil, pullpolicy.ErrInvalidPolicy, "",
			`Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"`,
			`Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"`, nil},
		{"store-error-E5", pullpolicy.IfNotPresent, reference.MustParse("nginx"), storeErr, nil, pullpolicy.ErrImageInspect, "InspectFailed",
			`Failed to inspect image "": unknown inspectError`, `Failed to inspect image "": unknown inspectError`, nil},
		{"store-error-never", pullpolicy.Never, reference.MustParse("nginx"), storeErr, nil, pullpolicy.ErrImageInspect, "InspectFailed",
			`Failed to inspect image "": unknown inspectError`, `Failed to inspect image "": unknown inspectError`, nil},
		{"store-error-always", pullpolicy.Always, reference.MustParse("nginx"), storeErr, fixed(dgOld), pullpolicy.ErrImageInspect, "InspectFailed",
			`Failed to inspect image "": unknown inspectError`, `Failed to inspect image "": unknown inspectError`, nil},
		{"nil-store-is-a-misuse", pullpolicy.IfNotPresent, reference.MustParse("nginx"), nil, nil, pullpolicy.ErrMisuse, "",
			`Decide needs a Store to look the image up in, got nil`, `Decide needs a Store to look the image up in, got nil`, nil},
		{"nil-store-always-with-resolver", pullpolicy.Always, reference.MustParse("nginx"), nil, pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) { return dgOld, nil }),
			pullpolicy.ErrMisuse, "", `Decide needs a Store to look the image up in, got nil`, `Decide needs a Store to look the image up in, got nil`, nil},
		{"registry-unavailable-prefixed", pullpolicy.Always, reference.MustParse("nginx"), node(t), failing(unavailable), pullpolicy.ErrRegistryUnavailable, "Failed",
			`Failed to pull image "nginx": RegistryUnavailable: dial tcp 127.0.0.1:5000: connect: connection refused`,
			`image pull failed for nginx because the registry is unavailable: dial tcp 127.0.0.1:5000: connect: connection refused`, unavailable},
		{"registry-unavailable-bare-M6", pullpolicy.Always, reference.MustParse("test"), node(t), failing(pullpolicy.ErrRegistryUnavailable), pullpolicy.ErrRegistryUnavailable, "Failed",
			`Failed to pull image "test": RegistryUnavailable`,
			`image pull failed for test because the registry is unavailable`, nil},
		{"registry-unavailable-wrapped", pullpolicy.Always, reference.MustParse("nginx"), node(t), failing(wrappedUnavailable), pullpolicy.ErrRegistryUnavailable, "Failed",
			`Failed to pull image "nginx": resolve nginx: RegistryUnavailable`,
			`image pull failed for nginx because the registry is unavailable: resolve nginx: RegistryUnavailable`, nil},
		{"registry-unauthorized", pullpolicy.Always, reference.MustParse("private/app:v1"), node(t), failing(errors.New("401 UNAUTHORIZED: authentication required")), pullpolicy.ErrImagePull, "Failed",
			`Failed to pull image "private/app:v1": 401 UNAUTHORIZED: authentication required`,
			`401 UNAUTHORIZED: authentication required`, nil},
		{"registry-cancelled", pullpolicy.Always, reference.MustParse("nginx"), node(t), failing(context.Canceled), pullpolicy.ErrImagePull, "Failed",
			`Failed to pull image "nginx": context canceled`, `context canceled`, context.Canceled},
		{"registry-invalid-digest", pullpolicy.Always, reference.MustParse("nginx"), node(t), fixed("sha256:nothex"), pullpolicy.ErrImagePull, "Failed",
			`Failed to pull image "nginx": registry returned an invalid digest "sha256:nothex" for docker.io/library/nginx:latest: invalid checksum digest length`,
			`registry returned an invalid digest "sha256:nothex" for docker.io/library/nginx:latest: invalid checksum digest length`, nil},
		{"registry-empty-digest", pullpolicy.Always, reference.MustParse("nginx"), node(t), fixed(""), pullpolicy.ErrImagePull, "Failed",
			`Failed to pull image "nginx": registry returned an invalid digest "" for docker.io/library/nginx:latest: invalid checksum digest format`,
			`registry returned an invalid digest "" for docker.io/library/nginx:latest: invalid checksum digest format`, nil},
		{"registry-other-digest-for-digest-ref", pullpolicy.Always, reference.MustParse("nginx@" + emptyDigest), node(t), fixed(dgNew), pullpolicy.ErrImagePull, "Failed",
			`Failed to pull image "nginx@` + emptyDigest + `": registry returned digest ` + string(dgNew) + ` for docker.io/library/nginx@` + emptyDigest,
			`registry returned digest ` + string(dgNew) + ` for docker.io/library/nginx@` + emptyDigest, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := pullpolicy.Decide(t.Context(), tc.policy, tc.image, tc.store, tc.resolver)
			requireOneSentinel(t, err, tc.err)
			if tc.cause != nil {
				assert.ErrorIs(t, err, tc.cause)
			}
			assert.Equal(t, pullpolicy.Fail, d.Action)
			assert.Equal(t, tc.image, d.Image)
			assert.Equal(t, tc.reason, d.Reason)
			assert.Equal(t, tc.event, d.Message)
			var pe *pullpolicy.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.message, pe.Message)
			assert.Equal(t, tc.image.Original(), pe.Image)
			assert.Equal(t, d.Policy, pe.Policy)
			assert.Equal(t, tc.err.Error()+": "+tc.message, err.Error())
			assert.Empty(t, d.Local.ID)
			assert.False(t, d.PullRef.IsValid())
		})
	}
}

func TestDecideDefaultsPolicy(t *testing.T) {
	cases := []struct {
		image string
		want  pullpolicy.Policy
	}{
		{"nginx", pullpolicy.Always},
		{"nginx:latest@" + emptyDigest, pullpolicy.Always},
		{"nginx:1.25", pullpolicy.IfNotPresent},
		{"nginx@" + emptyDigest, pullpolicy.IfNotPresent},
	}
	for _, tc := range cases {
		t.Run(tc.image, func(t *testing.T) {
			d, err := pullpolicy.Decide(t.Context(), "", reference.MustParse(tc.image), node(t), fixed(dgOld))
			require.NoError(t, err)
			assert.Equal(t, tc.want, d.Policy)
			assert.Equal(t, tc.want, pullpolicy.Default(tc.image))
		})
	}
}

func TestDecideEmptyIDIsAbsent(t *testing.T) {
	ghost := pullpolicy.StoreFunc(func(context.Context, reference.Image) (pullpolicy.LocalImage, bool, error) {
		return pullpolicy.LocalImage{RepoTags: []string{"docker.io/library/nginx:latest"}}, true, nil
	})
	d, err := pullpolicy.Decide(t.Context(), pullpolicy.Never, reference.MustParse("nginx"), ghost, nil)
	requireOneSentinel(t, err, pullpolicy.ErrImageNeverPull)
	assert.Equal(t, pullpolicy.Fail, d.Action)
}

func TestDecideCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := pullpolicy.Decide(ctx, pullpolicy.IfNotPresent, reference.MustParse("nginx:1.25"), node(t), nil)
	requireOneSentinel(t, err, pullpolicy.ErrImageInspect)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestDecideStale covers a caching resolver answering from its cache while the registry is down.
func TestDecideStale(t *testing.T) {
	down := fmt.Errorf("%w: connection refused", pullpolicy.ErrRegistryUnavailable)
	staleAnswer := func(d digest.Digest) pullpolicy.Resolver {
		return pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
			return "", &pullpolicy.StaleError{Digest: d, Age: 2 * time.Minute, Err: down}
		})
	}
	t.Run("present", func(t *testing.T) {
		d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, reference.MustParse("nginx:1.25"), node(t), staleAnswer(dgOld))
		require.NoError(t, err)
		assert.Equal(t, pullpolicy.UseLocal, d.Action)
		require.NotNil(t, d.Stale)
		assert.Equal(t, 2*time.Minute, d.Stale.Age)
		assert.ErrorIs(t, d.Stale, pullpolicy.ErrRegistryUnavailable)
	})
	t.Run("absent", func(t *testing.T) {
		d, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, reference.MustParse("redis:7"), node(t), staleAnswer(dgNew))
		require.NoError(t, err)
		assert.Equal(t, pullpolicy.Pull, d.Action)
		assert.Equal(t, dgNew, d.PullRef.Digest())
		assert.NotNil(t, d.Stale)
	})
	t.Run("invalid-stale-digest-fails", func(t *testing.T) {
		_, err := pullpolicy.Decide(t.Context(), pullpolicy.Always, reference.MustParse("nginx:1.25"), node(t), staleAnswer("bogus"))
		requireOneSentinel(t, err, pullpolicy.ErrRegistryUnavailable)
	})
}

func TestActionString(t *testing.T) {
	for a, want := range map[pullpolicy.Action]string{pullpolicy.Fail: "Fail", pullpolicy.UseLocal: "UseLocal", pullpolicy.Pull: "Pull", 7: "Action(7)", -1: "Action(-1)"} {
		assert.Equal(t, want, a.String())
	}
	var zero pullpolicy.Decision
	assert.Equal(t, pullpolicy.Fail, zero.Action, "a zero Decision never says to use or pull")
	assert.True(t, strings.HasPrefix(pullpolicy.Action(9).String(), "Action("))
}
