package kubelet_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/kubelet/pullmanager"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// presentRepo is the record key of the pod image "present_image": the kubelet keys records by
// trimImageTagDigest(image), the image as written (image_manager_test.go:439 keys it so).
const presentRepo = "present_image"

func secretsEntry(secrets ...pullmanager.ImagePullSecret) pullmanager.ImagePullCredentials {
	return pullmanager.ImagePullCredentials{KubernetesSecrets: secrets}
}

// saCredentials is a credential provider that gives a pod its service account's credential.
func saCredentials(user, password string) credential.Provider {
	return credential.ProviderFunc(func(_ context.Context, req credential.ProviderRequest) ([]credential.Credential, error) {
		c := credential.Credential{Username: user, Password: password, Source: credential.Source{
			Kind: credential.SourceServiceAccount, Namespace: req.Pod.Namespace, Name: req.Pod.ServiceAccount, UID: "sa-uid-123",
		}}
		c.Hash = credential.Hash(c)
		return []credential.Credential{c}, nil
	})
}

// TestEnsureImageCredentialVerification checks cases F1–F14 with the real Verifier and
// in-memory records (no mock pull manager): whether a present image is pulled again, and what
// the records hold afterwards.
func TestEnsureImageCredentialVerification(t *testing.T) {
	hubSecret := func(name, uid, user string) credential.Secret {
		return dockerSecret("test-ns", name, uid, "https://index.docker.io/v1/", user, "pw")
	}
	known := pullmanager.ImagePullSecret{UID: "testuid", Namespace: "test-ns", Name: "known", CredentialHash: "some-hash"}
	pulls := []string{"GetImageRef", "PullImage"}
	inspect := []string{"GetImageRef"}
	tests := []struct {
		name     string
		policy   pullpolicy.Policy
		record   map[string]pullmanager.ImagePullCredentials // present_image's pulled record; nil: none
		secrets  []credential.Secret
		provider credential.Provider
		node     *credential.Keyring
		gateOff  bool
		calls    []string
		reason   error
		// then is what a second call gives (the records may have changed).
		then []string
		// want is the repository's entry in the record after both calls, when checked.
		want *pullmanager.ImagePullCredentials
	}{{
		name:    "F1 record for another name only: pull, then the pod's secret is recorded",
		policy:  pullpolicy.IfNotPresent,
		record:  map[string]pullmanager.ImagePullCredentials{"another_image": secretsEntry(known)},
		secrets: []credential.Secret{hubSecret("mine", "someothertestuid", "u")},
		calls:   pulls, then: inspect,
		want: &pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{
			{UID: "someothertestuid", Namespace: "test-ns", Name: "mine", CredentialHash: credential.Hash(credential.Credential{Username: "u", Password: "pw"})}}},
	}, {
		name:    "F2 unknown secret: pull",
		policy:  pullpolicy.IfNotPresent,
		record:  map[string]pullmanager.ImagePullCredentials{presentRepo: secretsEntry(known)},
		secrets: []credential.Secret{hubSecret("mine", "someothertestuid", "u")},
		calls:   pulls, then: inspect,
	}, {
		name:    "F3 unknown secret, Never: reported as not present",
		policy:  pullpolicy.Never,
		record:  map[string]pullmanager.ImagePullCredentials{presentRepo: secretsEntry(known)},
		secrets: []credential.Secret{hubSecret("mine", "someothertestuid", "u")},
		calls:   inspect, reason: pullpolicy.ErrImageNeverPull, then: inspect,
		want: ptr(secretsEntry(known)),
	}, {
		name:    "F4 one of two secrets is known by coordinates: no pull",
		policy:  pullpolicy.IfNotPresent,
		record:  map[string]pullmanager.ImagePullCredentials{presentRepo: secretsEntry(known)},
		secrets: []credential.Secret{hubSecret("mine", "someothertestuid", "u"), hubSecret("known", "testuid", "other")},
		calls:   inspect, then: inspect,
	}, {
		name:     "F5 F6 F9 the service account is known: no pull",
		policy:   pullpolicy.IfNotPresent,
		record:   map[string]pullmanager.ImagePullCredentials{presentRepo: {KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{{UID: "sa-uid-123", Namespace: "test-ns", Name: "test-service-account"}}}},
		provider: saCredentials("sa-user", "sa-pw"),
		calls:    inspect, then: inspect,
	}, {
		name:     "F10 another service account: pull",
		policy:   pullpolicy.IfNotPresent,
		record:   map[string]pullmanager.ImagePullCredentials{presentRepo: {KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{{UID: "sa-uid-456", Namespace: "test-ns", Name: "test-service-account"}}}},
		provider: saCredentials("sa-user", "sa-pw"),
		calls:    pulls, then: inspect,
	}, {
		name:     "F7 secret and service account both unknown: pull",
		policy:   pullpolicy.IfNotPresent,
		record:   map[string]pullmanager.ImagePullCredentials{presentRepo: secretsEntry(pullmanager.ImagePullSecret{UID: "different-secret-uid", Namespace: "test-ns", Name: "x"})},
		secrets:  []credential.Secret{hubSecret("mine", "secret-uid", "u")},
		provider: saCredentials("sa-user", "sa-pw"),
		calls:    pulls, then: inspect,
	}, {
		name:   "F8 F12 node credentials only, against a secrets record: pull, then open to all",
		policy: pullpolicy.IfNotPresent,
		record: map[string]pullmanager.ImagePullCredentials{presentRepo: secretsEntry(known)},
		node:   nodeKeyring(t, "https://index.docker.io/v1/", "node-user"),
		calls:  pulls, then: inspect,
		want: &pullmanager.ImagePullCredentials{NodePodsAccessible: true},
	}, {
		name:   "node credentials only, preloaded image: no pull",
		policy: pullpolicy.IfNotPresent,
		node:   nodeKeyring(t, "https://index.docker.io/v1/", "node-user"),
		calls:  inspect, then: inspect,
	}, {
		name:   "open to every pod: no pull",
		policy: pullpolicy.IfNotPresent,
		record: map[string]pullmanager.ImagePullCredentials{presentRepo: {NodePodsAccessible: true}},
		calls:  inspect, then: inspect,
	}, {
		name:   "record without credentials (recovered intent): pull, anonymous, then open",
		policy: pullpolicy.IfNotPresent,
		record: map[string]pullmanager.ImagePullCredentials{},
		calls:  pulls, then: inspect,
		want: &pullmanager.ImagePullCredentials{NodePodsAccessible: true},
	}, {
		name:    "F11 gate off: no verification",
		policy:  pullpolicy.IfNotPresent,
		record:  map[string]pullmanager.ImagePullCredentials{presentRepo: secretsEntry(known)},
		gateOff: true,
		calls:   inspect, then: inspect,
	}, {
		name:    "F14 Always never verifies: it pulls",
		policy:  pullpolicy.Always,
		record:  map[string]pullmanager.ImagePullCredentials{presentRepo: secretsEntry(known)},
		secrets: []credential.Secret{hubSecret("known", "testuid", "other")},
		calls:   []string{"PullImage"}, then: []string{"PullImage"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime()
				records := pullmanager.NewMemoryRecords()
				if tc.record != nil {
					require.NoError(t, records.WritePulledRecord(pullmanager.PulledRecord{ImageRef: presentImage.id, CredentialMapping: tc.record}))
				}
				m, err := kubelet.NewImageManager(kubelet.Config{
					Store: rt, Puller: rt, Records: records, Keyring: tc.node, CredentialProvider: tc.provider,
					DisableCredentialVerification: tc.gateOff,
				})
				require.NoError(t, err)
				req := kubelet.Request{
					Pod:   kubelet.Pod{Namespace: "test-ns", Name: "foo", UID: "bar", ServiceAccount: "test-service-account"},
					Image: "present_image", Policy: tc.policy, PullSecrets: tc.secrets,
				}
				res, err := m.EnsureImageExists(t.Context(), req)
				assert.Equal(t, tc.calls, rt.takeCalls(), "first call")
				if tc.reason != nil {
					require.ErrorIs(t, err, tc.reason)
					assert.Equal(t, []kubelet.Event{warning("ErrImageNeverPull", `Container image "present_image" is not present with pull policy of Never`)}, res.Events)
				} else {
					require.NoError(t, err)
					assert.Equal(t, presentImage.id, res.ImageRef)
				}
				_, _ = m.EnsureImageExists(t.Context(), req)
				assert.Equal(t, tc.then, rt.takeCalls(), "second call")
				if tc.want != nil {
					rec, ok, err := records.GetPulledRecord(presentImage.id)
					require.NoError(t, err)
					require.True(t, ok)
					assert.Equal(t, *tc.want, rec.CredentialMapping[presentRepo])
				}
			})
		})
	}
}

func nodeKeyring(t *testing.T, registry, user string) *credential.Keyring {
	t.Helper()
	k, err := credential.FromDockerConfigJSON([]byte(`{"auths":{"`+registry+`":{"username":"`+user+`","password":"pw"}}}`), credential.Source{})
	require.NoError(t, err)
	return k
}

// TestEnsureImagePrivateImageAcrossPods is the KEP-2535 story: pod A pulls a private image with
// its Secret; pod B, without it, is forced to pull and the registry refuses; under Never B is
// told the image is not present; pod C with a copy of A's Secret (same content, other object)
// uses the image without a pull.
func TestEnsureImagePrivateImageAcrossPods(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime()
		rt.serve("registry.example/team/app:v1", remoteImage{id: "sha256:app", digest: dg("c"), size: 42, user: "alice", password: "pw"})
		records := pullmanager.NewMemoryRecords()
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
		require.NoError(t, err)
		secretA := dockerSecret("ns-a", "regcred", "uid-a", "registry.example", "alice", "pw")
		podA := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns-a", Name: "a", UID: "pod-a"}, Image: "registry.example/team/app:v1", PullSecrets: []credential.Secret{secretA}}
		podB := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns-b", Name: "b", UID: "pod-b"}, Image: "registry.example/team/app:v1"}
		copyC := dockerSecret("ns-c", "copy", "uid-c", "registry.example", "alice", "pw")
		podC := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns-c", Name: "c", UID: "pod-c"}, Image: "registry.example/team/app:v1", PullSecrets: []credential.Secret{copyC}}

		res, err := m.EnsureImageExists(t.Context(), podA)
		require.NoError(t, err)
		assert.Equal(t, "sha256:app", res.ImageRef)
		assert.Equal(t, alice(t, rt), rt.lastRequest().Credentials, "the pod's credentials go to the runtime")

		res, err = m.EnsureImageExists(t.Context(), podB)
		require.ErrorIs(t, err, pullpolicy.ErrImagePull)
		assert.Equal(t, "rpc error: code = Unknown desc = failed to authorize: 401 Unauthorized", res.Message)
		assert.Empty(t, rt.lastRequest().Credentials, "pod B has no credentials: an anonymous pull")

		podB.Pod.UID = "pod-b2" // a new pod, no back-off
		podB.Policy = pullpolicy.Never
		res, err = m.EnsureImageExists(t.Context(), podB)
		require.ErrorIs(t, err, pullpolicy.ErrImageNeverPull)
		assert.Equal(t, `Container image "registry.example/team/app:v1" is not present with pull policy of Never`, res.Message)

		rt.takeCalls()
		res, err = m.EnsureImageExists(t.Context(), podC)
		require.NoError(t, err)
		assert.Equal(t, []string{"GetImageRef"}, rt.takeCalls())
		assert.Equal(t, `Container image "registry.example/team/app:v1" already present on machine and can be accessed by the pod`, res.Message)
		rec, _, err := records.GetPulledRecord("sha256:app")
		require.NoError(t, err)
		assert.Len(t, rec.CredentialMapping["registry.example/team/app"].KubernetesSecrets, 2, "the copy was written back")
	})
}

func alice(t *testing.T, rt *fakeRuntime) []credential.Credential {
	ring, err := credential.FromSecrets([]credential.Secret{dockerSecret("ns-a", "regcred", "uid-a", "registry.example", "alice", "pw")})
	require.NoError(t, err)
	return ring.Lookup("registry.example/team/app")
}

// TestEnsureImageRecordsTheCredentialThatWorked: with two matching Secrets, the first
// rejected, the record names the second (PullResult.Credential), not the first.
func TestEnsureImageRecordsTheCredentialThatWorked(t *testing.T) {
	rt := newRuntime()
	rt.pullTime = 0
	rt.serve("registry.example/app:v1", remoteImage{id: "sha256:app", digest: dg("c"), user: "bob", password: "pw"})
	records := pullmanager.NewMemoryRecords()
	m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
	require.NoError(t, err)
	req := kubelet.Request{Pod: kubelet.Pod{Namespace: "ns", UID: "p"}, Image: "registry.example/app:v1", PullSecrets: []credential.Secret{
		dockerSecret("ns", "wrong", "uid-1", "registry.example", "mallory", "pw"),
		dockerSecret("ns", "right", "uid-2", "registry.example", "bob", "pw"),
	}}
	_, err = m.EnsureImageExists(t.Context(), req)
	require.NoError(t, err)
	assert.Len(t, rt.lastRequest().Credentials, 2, "both credentials, in order")
	rec, ok, err := records.GetPulledRecord("sha256:app")
	require.NoError(t, err)
	require.True(t, ok)
	entry := rec.CredentialMapping["registry.example/app"]
	require.Len(t, entry.KubernetesSecrets, 1)
	assert.Equal(t, "right", entry.KubernetesSecrets[0].Name)
	intents, err := records.ListPullIntents()
	require.NoError(t, err)
	assert.Empty(t, intents, "the intent is removed after the pull")
}

// intentLog is a PullRecords (the real in-memory one) that logs intent writes and deletions
// and can fail them.
type intentLog struct {
	*pullmanager.MemoryRecords
	mu       sync.Mutex
	log      []string
	writeErr error
}

func (r *intentLog) WritePullIntent(image string) error {
	r.mu.Lock()
	r.log = append(r.log, "write "+image)
	err := r.writeErr
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return r.MemoryRecords.WritePullIntent(image)
}

func (r *intentLog) DeletePullIntent(image string) error {
	r.mu.Lock()
	r.log = append(r.log, "delete "+image)
	r.mu.Unlock()
	return r.MemoryRecords.DeletePullIntent(image)
}

// TestEnsureImageIntents checks E22 (an attempt refused by the back-off still writes and
// removes an intent) and the intent-write failure row of §3.3.
func TestEnsureImageIntents(t *testing.T) {
	t.Run("E22 back-off", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			rt := newRuntime()
			rt.pullErr = errors.New("boom")
			records := &intentLog{MemoryRecords: pullmanager.NewMemoryRecords()}
			m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
			require.NoError(t, err)
			req := kubelet.Request{Pod: kubelet.Pod{UID: "u"}, Image: "nginx:1.25"}
			_, err = m.EnsureImageExists(t.Context(), req)
			require.ErrorIs(t, err, pullpolicy.ErrImagePull)
			_, err = m.EnsureImageExists(t.Context(), req)
			require.ErrorIs(t, err, pullpolicy.ErrImagePullBackOff)
			assert.Equal(t, []string{"write nginx:1.25", "delete nginx:1.25", "write nginx:1.25", "delete nginx:1.25"}, records.log)
		})
	})
	t.Run("intent write error", func(t *testing.T) {
		rt := newRuntime()
		records := &intentLog{MemoryRecords: pullmanager.NewMemoryRecords(), writeErr: errors.New("disk full")}
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
		require.NoError(t, err)
		res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Pod: kubelet.Pod{UID: "u"}, Image: "missing_image:latest", Policy: pullpolicy.IfNotPresent})
		require.Error(t, err)
		assert.Equal(t, "failed to record image pull intent: disk full", err.Error(), "the raw error is the waiting reason")
		assert.Equal(t, `Failed to record image pull intent for container image "missing_image:latest": failed to record image pull intent: disk full`, res.Message)
		assert.Empty(t, res.Events)
		assert.Equal(t, []string{"GetImageRef"}, rt.takeCalls(), "no pull")
	})
	t.Run("credential lookup error during verification is raw", func(t *testing.T) {
		rt := newRuntime()
		records := pullmanager.NewMemoryRecords()
		require.NoError(t, records.WritePulledRecord(pullmanager.PulledRecord{ImageRef: presentImage.id, CredentialMapping: map[string]pullmanager.ImagePullCredentials{
			presentRepo: secretsEntry(pullmanager.ImagePullSecret{UID: "x", Namespace: "ns", Name: "x"}),
		}}))
		m, err := kubelet.NewImageManager(kubelet.Config{Store: rt, Puller: rt, Records: records})
		require.NoError(t, err)
		bad := credential.Secret{Namespace: "ns", Name: "bad", Type: credential.SecretTypeDockercfg, Data: map[string][]byte{credential.DockercfgKey: []byte("invalid")}}
		res, err := m.EnsureImageExists(t.Context(), kubelet.Request{Image: "present_image:latest", PullSecrets: []credential.Secret{bad}})
		require.Error(t, err)
		assert.Equal(t, "invalid character 'i' looking for beginning of value", err.Error())
		assert.Equal(t, err.Error(), res.Message)
		assert.Empty(t, res.Events)
	})
}
