package kubelet_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnsureImageResolver checks the Always policy with a Resolver: one resolve, the local
// image when the digest is unchanged (and the pod may use it), a pull of the digest otherwise.
func TestEnsureImageResolver(t *testing.T) {
	newDigest := remoteImage{id: "sha256:present-v2", digest: dg("f"), size: 99}
	presentMsg := `Container image "present_image" already present on machine (registry digest ` + string(presentImage.digest) + `)`
	tests := []struct {
		name    string
		gateOff bool
		setup   func(rt *fakeRuntime)
		calls   []string
		events  []kubelet.Event
		pulled  string // the image string the runtime got, when it pulled
		reason  error
		ref     string
	}{{
		name:   "unchanged digest, present: no pull",
		calls:  []string{"Resolve", "GetImageRef"},
		events: []kubelet.Event{normal("Pulled", presentMsg+" and can be accessed by the pod")},
		ref:    presentImage.id,
	}, {
		name: "unchanged digest, present, gate off", gateOff: true,
		calls:  []string{"Resolve", "GetImageRef"},
		events: []kubelet.Event{normal("Pulled", presentMsg)},
		ref:    presentImage.id,
	}, {
		name:  "the tag moved: the new digest is pulled, not the tag",
		setup: func(rt *fakeRuntime) { rt.serve("present_image:latest", newDigest) },
		calls: []string{"Resolve", "GetImageRef", "PullImage"},
		events: []kubelet.Event{normal("Pulling", `Pulling image "present_image"`),
			normal("Pulled", `Successfully pulled image "present_image" in 1.5s (1.5s including waiting). Image size: 99 bytes.`)},
		pulled: "present_image@" + string(newDigest.digest),
		ref:    newDigest.id,
	}, {
		name:   "not found",
		setup:  func(rt *fakeRuntime) { rt.registry = map[string]remoteImage{} },
		calls:  []string{"Resolve"},
		events: []kubelet.Event{warning("Failed", `Failed to pull image "present_image": manifest unknown: 404 Not Found`)},
		reason: pullpolicy.ErrImagePull,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				if tc.setup != nil {
					tc.setup(rt)
				}
				m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Resolver: rt, DisableCredentialVerification: tc.gateOff})
				require.NoError(t, err)
				res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "u"}, Image: "present_image", Policy: pullpolicy.Always})
				assert.Equal(t, tc.calls, rt.takeCalls())
				assert.Equal(t, tc.events, res.Events)
				assert.Equal(t, tc.ref, res.ImageRef)
				if tc.pulled != "" {
					assert.Equal(t, tc.pulled, rt.lastRequest().Image)
				}
				if tc.reason != nil {
					require.ErrorIs(t, err, tc.reason)
					// The back-off holds back the next resolve too.
					res, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "u"}, Image: "present_image", Policy: pullpolicy.Always})
					require.ErrorIs(t, err, pullpolicy.ErrImagePullBackOff)
					assert.Empty(t, rt.takeCalls())
					assert.Equal(t, `Back-off pulling image "present_image": ErrImagePull: manifest unknown: 404 Not Found`, res.Message)
					return
				}
				require.NoError(t, err)
				want := "" // after a fresh pull
				if tc.pulled == "" {
					want = tc.events[0].Message
				}
				assert.Equal(t, want, res.Message)
			})
		})
	}
}

// TestEnsureImageResolverVerifies: with a Resolver, an unchanged private image is not handed
// to a pod that has not proven its access; it must pull (by digest) with its own credentials.
func TestEnsureImageResolverVerifies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		private := remoteImage{id: "sha256:app", digest: dg("c"), size: 1, user: "alice", password: "pw"}
		rt.serve("registry.example/app:v1", private)
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Resolver: rt})
		require.NoError(t, err)
		secret := dockerSecret("ns", "s", "uid", "registry.example", "alice", "pw")
		_, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "a"}, Image: "registry.example/app:v1", Policy: pullpolicy.Always, PullSecrets: []credential.Secret{secret}})
		require.NoError(t, err)
		rt.takeCalls()
		res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "b"}, Image: "registry.example/app:v1", Policy: pullpolicy.Always})
		require.ErrorIs(t, err, pullpolicy.ErrImagePull)
		assert.Equal(t, []string{"Resolve", "GetImageRef", "PullImage"}, rt.takeCalls())
		assert.Equal(t, "registry.example/app@"+string(private.digest), rt.lastRequest().Image)
		assert.Contains(t, res.Message, "401 Unauthorized")
	})
}

// TestEnsureImageCredentialResolver: a Resolver that is a CredentialResolver is asked with
// exactly the credentials the Puller gets (pod Secrets, node keyring, provider, in order), so a
// private image resolves with the pod's own Secret, and a pod without one fails unauthorized.
func TestEnsureImageCredentialResolver(t *testing.T) {
	private := remoteImage{id: "sha256:app", digest: dg("c"), size: 1, user: "alice", password: "pw"}
	pinned := "registry.example/app@" + string(private.digest)
	node, err := credential.FromDockerConfigJSON([]byte(`{"auths":{"registry.example":{"username":"node","password":"x"}}}`), credential.Source{})
	require.NoError(t, err)
	provided := credential.Credential{Username: "provided", Password: "y"}
	tests := []struct {
		name     string
		secrets  []credential.Secret
		node     *credential.Keyring
		provider bool
		calls    []string
		users    []string // the users of the credentials the resolver got, in order
		pulled   string   // the image string the runtime got; "" when it was not called
		reason   error    // nil for success; otherwise errors.Is
		message  string   // the returned message, when it fails
	}{{
		name:    "the pod's Secret resolves the private image, which is pulled by digest with the same credentials",
		secrets: []credential.Secret{dockerSecret("ns", "s", "uid", "registry.example", "alice", "pw")},
		calls:   []string{"ResolveWithCredentials", "GetImageRef", "PullImage"},
		users:   []string{"alice"}, pulled: pinned,
	}, {
		name:    "Secret, node keyring and provider, in the Puller's order",
		secrets: []credential.Secret{dockerSecret("ns", "s", "uid", "registry.example", "alice", "pw")},
		node:    node, provider: true,
		calls: []string{"ResolveWithCredentials", "GetImageRef", "PullImage"},
		users: []string{"alice", "node", "provided"}, pulled: pinned,
	}, {
		name:  "no Secret: unauthorized, no pull",
		calls: []string{"ResolveWithCredentials"},
		users: []string{}, reason: pullpolicy.ErrImagePull, message: "unauthorized: 401 Unauthorized",
	}, {
		name:    "a Secret that does not parse fails raw, before any resolve",
		secrets: []credential.Secret{{Name: "bad", Type: credential.SecretTypeDockercfg, Data: map[string][]byte{credential.DockercfgKey: []byte("invalid")}}},
		message: "invalid character 'i' looking for beginning of value",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				rt.serve("registry.example/app:v1", private)
				res := &credResolver{fakeRuntime: rt}
				cfg := kubelet.Config{Store: rt, Puller: rt, Resolver: res, Keyring: tc.node}
				if tc.provider {
					cfg.CredentialProvider = credential.ProviderFunc(func(context.Context, credential.ProviderRequest) ([]credential.Credential, error) {
						return []credential.Credential{provided}, nil
					})
				}
				m, err := kubelet.NewImageManager(cfg)
				require.NoError(t, err)
				out, err := m.EnsureImageExists(t.Context(), kubelet.Request{
					Pod: kubelet.Pod{UID: "u"}, Image: "registry.example/app:v1", Policy: pullpolicy.Always, PullSecrets: tc.secrets,
				})
				assert.Equal(t, tc.calls, rt.takeCalls())
				if tc.users != nil {
					require.Len(t, res.seen, 1)
					assert.Equal(t, tc.users, usersOf(res.seen[0]))
				} else {
					assert.Empty(t, res.seen)
				}
				if tc.pulled != "" {
					assert.Equal(t, tc.pulled, rt.lastRequest().Image)
					assert.Equal(t, res.seen[0], rt.lastRequest().Credentials, "the Puller gets the resolver's credentials")
				}
				if tc.message != "" {
					require.Error(t, err)
					if tc.reason != nil {
						require.ErrorIs(t, err, tc.reason)
						assert.NotErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
					}
					assert.Equal(t, tc.message, out.Message)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, private.id, out.ImageRef)
			})
		})
	}
}

func usersOf(creds []credential.Credential) []string {
	out := []string{}
	for _, c := range creds {
		out = append(out, c.Username)
	}
	return out
}

// TestEnsureImageOfflineFallback checks the offline fallback: only for an unavailable
// registry, only for a present image the pod may use, with truthful events; off by default.
func TestEnsureImageOfflineFallback(t *testing.T) {
	unavailable := errors.New("RegistryUnavailable: dial tcp 127.0.0.1:5000: connect: connection refused")
	fallbackMsg := `Container image "present_image" already present on machine is used: image pull failed for present_image because the registry is unavailable: dial tcp 127.0.0.1:5000: connect: connection refused`
	pulling := normal("Pulling", `Pulling image "present_image"`)
	failed := warning("Failed", `Failed to pull image "present_image": RegistryUnavailable: dial tcp 127.0.0.1:5000: connect: connection refused`)
	tests := []struct {
		name     string
		offline  bool
		pullErr  error
		resolver pullpolicy.Resolver
		events   []kubelet.Event
		reason   error
	}{{
		name: "registry unavailable", offline: true, pullErr: unavailable,
		events: []kubelet.Event{pulling, failed, warning("OfflineFallback", fallbackMsg)},
	}, {
		name: "off by default", pullErr: unavailable,
		events: []kubelet.Event{pulling, failed}, reason: pullpolicy.ErrRegistryUnavailable,
	}, {
		name: "never on 401", offline: true, pullErr: errors.New("failed to authorize: 401 Unauthorized"),
		events: []kubelet.Event{pulling, warning("Failed", `Failed to pull image "present_image": failed to authorize: 401 Unauthorized`)},
		reason: pullpolicy.ErrImagePull,
	}, {
		name: "never on 404", offline: true, pullErr: errors.New("rpc error: code = NotFound desc = not found"),
		events: []kubelet.Event{pulling, warning("Failed", `Failed to pull image "present_image": rpc error: code = NotFound desc = not found`)},
		reason: pullpolicy.ErrImagePull,
	}, {
		name: "resolver: registry unavailable", offline: true,
		resolver: pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
			return "", fmt.Errorf("%w: dial tcp 127.0.0.1:5000: connect: connection refused", pullpolicy.ErrRegistryUnavailable)
		}),
		events: []kubelet.Event{failed, warning("OfflineFallback", fallbackMsg)},
	}, {
		name: "resolver: stale digest of the present image", offline: true,
		resolver: pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
			return "", &pullpolicy.StaleError{Digest: presentImage.digest, Age: time.Minute, Err: pullpolicy.ErrRegistryUnavailable}
		}),
		events: []kubelet.Event{
			warning("Failed", `Failed to pull image "present_image": registry unavailable, using digest `+string(presentImage.digest)+` resolved 1m0s ago: RegistryUnavailable`),
			warning("OfflineFallback", `Container image "present_image" already present on machine is used: image pull failed for present_image because the registry is unavailable: registry unavailable, using digest `+string(presentImage.digest)+` resolved 1m0s ago: RegistryUnavailable`),
		},
	}, {
		name: "resolver: 403 is final", offline: true,
		resolver: pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
			return "", errors.New("403 Forbidden")
		}),
		events: []kubelet.Event{warning("Failed", `Failed to pull image "present_image": 403 Forbidden`)},
		reason: pullpolicy.ErrImagePull,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				rt.pullErr = tc.pullErr
				m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Resolver: tc.resolver, OfflineFallback: tc.offline})
				require.NoError(t, err)
				req := kubelet.Request{Pod: kubelet.Pod{UID: "u"}, Image: "present_image", Policy: pullpolicy.Always}
				res, err := m.EnsureImageExists(t.Context(), req)
				assert.Equal(t, tc.events, res.Events)
				if tc.reason != nil {
					require.ErrorIs(t, err, tc.reason)
					assert.Empty(t, res.ImageRef)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, presentImage.id, res.ImageRef)
				assert.Equal(t, tc.events[len(tc.events)-1].Message, res.Message)
				// Within the back-off that followed, the present image is still used.
				res, err = m.EnsureImageExists(t.Context(), req)
				require.NoError(t, err)
				assert.Equal(t, presentImage.id, res.ImageRef)
				assert.Equal(t, normal("BackOff", `Back-off pulling image "present_image"`), res.Events[0])
				assert.Equal(t, "OfflineFallback", res.Events[1].Reason)
			})
		})
	}
}

// TestEnsureImageOfflineFallbackVerifies: a pod that would have to prove its access to a
// private image does not get it because the registry is down.
func TestEnsureImageOfflineFallbackVerifies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		rt.serve("registry.example/app:v1", remoteImage{id: "sha256:app", digest: dg("c"), user: "alice", password: "pw"})
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, OfflineFallback: true})
		require.NoError(t, err)
		secret := dockerSecret("ns", "s", "uid", "registry.example", "alice", "pw")
		_, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "a"}, Image: "registry.example/app:v1", Policy: pullpolicy.Always, PullSecrets: []credential.Secret{secret}})
		require.NoError(t, err)
		rt.pullErr = errors.New("RegistryUnavailable: connection refused")
		_, err = m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "b"}, Image: "registry.example/app:v1", Policy: pullpolicy.Always})
		require.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable, "pod b has no access: no fallback")
		res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "a"}, Image: "registry.example/app:v1", Policy: pullpolicy.Always, PullSecrets: []credential.Secret{secret}})
		require.NoError(t, err, "pod a pulled it with its secret: fallback")
		assert.Equal(t, "sha256:app", res.ImageRef)
	})
}

// TestEnsureImageDeduplicate checks the de-duplication of concurrent identical pulls: one
// runtime pull for pods with the same credentials (each recorded with its own Secret), none
// shared between a pod with credentials and one without, and a cancelled leader does not
// fail the others.
func TestEnsureImageDeduplicate(t *testing.T) {
	private := remoteImage{id: "sha256:app", digest: dg("c"), size: 7, user: "alice", password: "pw"}
	start := func(t *testing.T, m *kubelet.ImageManager, ctx context.Context, uid string, secrets ...credential.Secret) chan error {
		done := make(chan error, 1)
		go func() {
			_, err := m.EnsureImageExists(ctx, kubelet.Request{Pod: kubelet.Pod{Namespace: "ns-" + uid, UID: uid}, Image: "registry.example/app:v1", Policy: pullpolicy.Always, PullSecrets: secrets})
			done <- err
		}()
		return done
	}
	secretFor := func(uid string) credential.Secret {
		return dockerSecret("ns-"+uid, "regcred", "uid-"+uid, "registry.example", "alice", "pw")
	}
	t.Run("same credentials share one pull", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			rt := newRuntime()
			rt.serve("registry.example/app:v1", private)
			records := pullmanager.NewMemoryRecords()
			m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records, DeduplicatePulls: true, SerializeImagePulls: ptr(false)})
			require.NoError(t, err)
			a := start(t, m, t.Context(), "a", secretFor("a"))
			b := start(t, m, t.Context(), "b", secretFor("b"))
			require.NoError(t, <-a)
			require.NoError(t, <-b)
			assert.Equal(t, []string{"PullImage"}, rt.takeCalls())
			rec, _, err := records.GetPulledRecord("sha256:app")
			require.NoError(t, err)
			names := []string{}
			for _, s := range rec.CredentialMapping["registry.example/app"].KubernetesSecrets {
				names = append(names, s.Namespace+"/"+s.Name)
			}
			assert.Equal(t, []string{"ns-a/regcred", "ns-b/regcred"}, names, "each pod recorded with its own Secret")
		})
	})
	t.Run("no credentials never rides on a pull with credentials", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			rt := newRuntime()
			rt.serve("registry.example/app:v1", private)
			m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, DeduplicatePulls: true, SerializeImagePulls: ptr(false)})
			require.NoError(t, err)
			a := start(t, m, t.Context(), "a", secretFor("a"))
			b := start(t, m, t.Context(), "b")
			require.NoError(t, <-a)
			require.ErrorIs(t, <-b, pullpolicy.ErrImagePull, "the anonymous pull is refused")
			assert.Equal(t, []string{"PullImage", "PullImage"}, rt.takeCalls())
		})
	})
	t.Run("a cancelled leader does not fail the others", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			rt := newRuntime()
			rt.serve("registry.example/app:v1", private)
			rt.gate = make(chan struct{})
			m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, DeduplicatePulls: true, SerializeImagePulls: ptr(false)})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(t.Context())
			a := start(t, m, ctx, "a", secretFor("a"))
			synctest.Wait()
			b := start(t, m, t.Context(), "b", secretFor("b"))
			synctest.Wait()
			cancel()
			require.ErrorIs(t, <-a, context.Canceled)
			synctest.Wait()
			rt.gate <- struct{}{}
			require.NoError(t, <-b)
			assert.Equal(t, []string{"PullImage", "PullImage"}, rt.takeCalls(), "b pulled again itself")
		})
	})
}
