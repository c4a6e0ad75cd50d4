package kubelet_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
)

// logBuffer is a slog handler's output, safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// textLogger logs every level to buf as text, without the time.
func textLogger(buf *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
}

// TestLogLines checks the lines logged for known starts: one debug line per decision, one
// info line per pull, with the stable keys and the durations of the (fake) clock.
func TestLogLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		rt.serve("registry.example/team/app:v1", remoteImage{id: "sha256:app", digest: dg("c"), size: 42, user: "alice", password: "pw"})
		var logs logBuffer
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Logger: textLogger(&logs)})
		require.NoError(t, err)
		secret := dockerSecret("team-a", "regcred", "s-1", "registry.example", "alice", "pw")
		podA := kubelet.Pod{Namespace: "team-a", Name: "app", UID: "a-1"}
		podB := kubelet.Pod{Namespace: "team-b", Name: "app", UID: "b-1"}
		for _, r := range []kubelet.Request{
			{Pod: podA, Container: "main", Image: "present_image", Policy: pullpolicy.IfNotPresent},
			{Pod: podA, Container: "main", Image: "registry.example/team/app:v1", PullSecrets: []credential.Secret{secret}},
			{Pod: podB, Container: "main", Image: "registry.example/team/app:v1"},
			{Pod: podB, Container: "main", Image: "registry.example/team/app:v1"},
			{Pod: podB, Container: "main", Image: "Bad//Name"},
		} {
			_, _ = m.EnsureImageExists(t.Context(), r)
		}
		want := `level=DEBUG msg="image decision" pod=app namespace=team-a container=main image=present_image policy=IfNotPresent action=UseLocal reason=Pulled duration=0s
level=INFO msg="image pulled" pod=app namespace=team-a container=main image=registry.example/team/app:v1 policy=IfNotPresent action=Pull reason=Pulled duration=1.5s outcome=Succeeded shared=false imageRef=sha256:app size=42
level=DEBUG msg="image decision" pod=app namespace=team-a container=main image=registry.example/team/app:v1 policy=IfNotPresent action=Pull reason=Pulled duration=1.5s
level=INFO msg="image pull failed" pod=app namespace=team-b container=main image=registry.example/team/app:v1 policy=IfNotPresent action=Pull reason=ErrImagePull duration=1.5s outcome=Failed shared=false err="rpc error: code = Unknown desc = failed to authorize: 401 Unauthorized"
level=DEBUG msg="image decision" pod=app namespace=team-b container=main image=registry.example/team/app:v1 policy=IfNotPresent action=Fail reason=ErrImagePull duration=1.5s
level=DEBUG msg="image decision" pod=app namespace=team-b container=main image=registry.example/team/app:v1 policy=IfNotPresent action=Fail reason=ImagePullBackOff duration=0s
level=DEBUG msg="image decision" pod=app namespace=team-b container=main image=Bad//Name policy=IfNotPresent action=Fail reason=InvalidImageName duration=0s
`
		assert.Equal(t, want, logs.String())
	})
}

// The secrets of TestLogsHoldNoCredentials: passwords, tokens, and the encoded auth fields.
const (
	podPassword   = "pod-Pa55word-7f3a"
	nodePassword  = "node-Pa55word-91c2"
	registryToken = "sa-registry-token-5b8e1d"
	identityToken = "sa-identity-token-c4d90a"
	badPassword   = "bad-secret-Pa55-0e6f"
)

// TestLogsHoldNoCredentials runs the credential-bearing scenarios (a pod's Secret, the node
// keyring, service-account tokens from a credential provider, a credential resolver, a
// refused verification, failures, the back-off, an offline fallback, a bad Secret) with a
// logger capturing every level, and checks that no password, token or encoded auth field
// appears in what was logged.
func TestLogsHoldNoCredentials(t *testing.T) {
	secrets := []string{
		podPassword, nodePassword, registryToken, identityToken, badPassword,
		base64.StdEncoding.EncodeToString([]byte("alice:" + podPassword)),
		base64.StdEncoding.EncodeToString([]byte("node:" + nodePassword)),
	}
	const (
		private = "registry.example/team/app:v1"
		public  = "registry.example/library/web:1"
	)
	podSecret := dockerSecret("team-a", "regcred", "s-1", "registry.example", "alice", podPassword)
	badSecret := credential.Secret{Namespace: "team-a", Name: "bad", UID: "s-bad", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"registry.example":{"username":7,"password":"` + badPassword + `"}}}`)}}
	nodeRing, err := credential.FromDockerConfigJSON([]byte(`{"auths":{"node.example":{"auth":"`+secrets[6]+`"}}}`), credential.Source{})
	require.NoError(t, err)
	provider := credential.ProviderFunc(func(_ context.Context, req credential.ProviderRequest) ([]credential.Credential, error) {
		if req.Pod.Name == "broken" {
			return nil, errors.New("credential provider: token exchange failed")
		}
		return []credential.Credential{{RegistryToken: registryToken, IdentityToken: identityToken,
			Source: credential.Source{Kind: credential.SourceServiceAccount, Namespace: req.Pod.Namespace, Name: req.Pod.ServiceAccount, UID: "sa-1"}}}, nil
	})
	podA := kubelet.Pod{Namespace: "team-a", Name: "app", UID: "a-1", ServiceAccount: "builder"}
	podB := kubelet.Pod{Namespace: "team-b", Name: "app", UID: "b-1"}
	broken := kubelet.Pod{Namespace: "team-b", Name: "broken", UID: "c-1"}
	scenarios := []struct {
		name     string
		tweak    func(rt *fakeRuntime, cfg *kubelet.Config)
		downLast bool // the registry is unavailable for the last request
		reqs     []kubelet.Request
	}{{
		name: "a pod's Secret pulls, another pod is refused, then backs off",
		reqs: []kubelet.Request{
			{Pod: podA, Image: private, PullSecrets: []credential.Secret{podSecret}},
			{Pod: podA, Image: private, PullSecrets: []credential.Secret{podSecret}},
			{Pod: podB, Image: private, Policy: pullpolicy.Never},
			{Pod: podB, Image: private},
			{Pod: podB, Image: private},
		},
	}, {
		name: "node keyring and service-account tokens",
		tweak: func(rt *fakeRuntime, cfg *kubelet.Config) {
			cfg.Keyring, cfg.CredentialProvider = nodeRing, provider
		},
		reqs: []kubelet.Request{
			{Pod: podA, Image: "node.example/app:1"},
			{Pod: podA, Image: public, PullSecrets: []credential.Secret{podSecret}},
			{Pod: broken, Image: public, Policy: pullpolicy.Always},
		},
	}, {
		name: "a credential resolver under Always, pulls shared",
		tweak: func(rt *fakeRuntime, cfg *kubelet.Config) {
			cfg.Resolver, cfg.DeduplicatePulls = &credResolver{fakeRuntime: rt}, true
		},
		reqs: []kubelet.Request{
			{Pod: podA, Image: private, Policy: pullpolicy.Always, PullSecrets: []credential.Secret{podSecret}},
			{Pod: podA, Image: private, Policy: pullpolicy.Always, PullSecrets: []credential.Secret{podSecret}},
			{Pod: podB, Image: private, Policy: pullpolicy.Always},
		},
	}, {
		name:     "the registry down: an offline fallback",
		tweak:    func(rt *fakeRuntime, cfg *kubelet.Config) { cfg.OfflineFallback = true },
		downLast: true,
		reqs: []kubelet.Request{
			{Pod: podA, Image: private, Policy: pullpolicy.Always, PullSecrets: []credential.Secret{podSecret}},
			{Pod: podA, Image: private, Policy: pullpolicy.Always, PullSecrets: []credential.Secret{podSecret}},
		},
	}, {
		name: "a bad Secret",
		reqs: []kubelet.Request{{Pod: podA, Image: private, PullSecrets: []credential.Secret{badSecret}}},
	}}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				rt.serve(private, remoteImage{id: "sha256:app", digest: dg("c"), size: 42, user: "alice", password: podPassword})
				rt.serve("node.example/app:1", remoteImage{id: "sha256:node", digest: dg("d"), user: "node", password: nodePassword})
				rt.serve(public, remoteImage{id: "sha256:web", digest: dg("e")})
				var logs logBuffer
				cfg := kubelet.Config{Store: rt, Puller: rt, Logger: textLogger(&logs)}
				if sc.tweak != nil {
					sc.tweak(rt, &cfg)
				}
				m, err := kubelet.NewImageManager(cfg)
				require.NoError(t, err)
				for i, r := range sc.reqs {
					if i == len(sc.reqs)-1 && sc.downLast {
						rt.mu.Lock()
						rt.pullErr = errors.New("RegistryUnavailable: dial tcp: connection refused")
						rt.mu.Unlock()
					}
					_, _ = m.EnsureImageExists(t.Context(), r)
					time.Sleep(time.Second)
				}
				out := logs.String()
				if sc.downLast {
					require.Contains(t, out, "reason=OfflineFallback", "the scenario reaches the fallback")
				}
				require.Equal(t, len(sc.reqs), strings.Count(out, `msg="image decision"`), "one decision line per call:\n%s", out)
				for _, s := range secrets {
					assert.NotContains(t, out, s)
				}
			})
		})
	}
}
