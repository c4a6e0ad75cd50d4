package credential_test

// The kubelet's own keyring tests, translated case by case. Source: k8s.io/kubernetes v1.37.2
// pkg/credentialprovider/keyring_test.go (v1.36.3 has the same cases).
//
// Count: 63 cases; 62 translated, all passing; 1 not expressible.
//   - TestURLsMatch (:30), 18 cases: pattern_test.go TestPatternMatch holds all 18 (the
//     kubelet's own block, lines 38-129).
//   - TestDockerKeyringForGlob (:143), 16 cases; TestKeyringMiss (:251), 6 cases;
//     TestKeyringMissWithDockerHubCredentials (:308), TestKeyringHitWithUnqualifiedDockerHub
//     (:334), TestKeyringHitWithUnqualifiedLibraryDockerHub (:375),
//     TestKeyringHitWithQualifiedDockerHub (:416), 1 case each; TestDockerKeyringLookup
//     (:504), 7 cases; TestIssue3797 (:575), 3 cases: below.
//   - TestIsDefaultRegistryMatch (:457), 8 cases: upstream_keyring_internal_test.go.
//   - Not expressible: TestProvidersDockerKeyring (:477), 1 case. It counts how often a lazy
//     keyring asks its DockerConfigProvider (once per Lookup). A [credential.Keyring] is
//     immutable and asks nobody; the image manager asks its [credential.Provider] on every
//     pull instead (kubelet.Config.CredentialProvider).
//
// A legacy .dockercfg document (ReadDockerConfigFileFromBytes) is read here through a
// kubernetes.io/dockercfg Secret, whose data is that format; entries added directly
// (BasicDockerKeyring.Add) through [credential.NewKeyring].

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

// defaultRegistryKey is the kubelet's key for Docker Hub (keyring.go:186).
const defaultRegistryKey = "index.docker.io/v1/"

// legacyKeyring reads one location's foo:bar credential from a legacy .dockercfg document,
// as the kubelet's tests build it (keyring_test.go:214-230).
func legacyKeyring(t *testing.T, location string) *credential.Keyring {
	t.Helper()
	auth := base64.StdEncoding.EncodeToString([]byte("foo:bar"))
	doc := fmt.Sprintf(`{
   "%s": {
     "email": %q,
     "auth": %q
   }
}`, location, "foo@bar.baz", auth)
	k, err := credential.FromSecrets([]credential.Secret{{Type: credential.SecretTypeDockercfg,
		Data: map[string][]byte{credential.DockercfgKey: []byte(doc)}}})
	require.NoError(t, err)
	return k
}

func TestUpstreamDockerKeyringForGlob(t *testing.T) {
	tests := []struct {
		line               int
		globURL, targetURL string
	}{
		{149, "https://hello.kubernetes.io", "hello.kubernetes.io"},
		{153, "https://*.docker.io", "prefix.docker.io"},
		{157, "https://prefix.*.io", "prefix.docker.io"},
		{161, "https://prefix.docker.*", "prefix.docker.io"},
		{165, "https://*.docker.io/path", "prefix.docker.io/path"},
		{169, "https://prefix.*.io/path", "prefix.docker.io/path/subpath"},
		{173, "https://prefix.docker.*/path", "prefix.docker.io/path"},
		{177, "https://*.docker.io:8888", "prefix.docker.io:8888"},
		{181, "https://prefix.*.io:8888", "prefix.docker.io:8888"},
		{185, "https://prefix.docker.*:8888", "prefix.docker.io:8888"},
		{189, "https://*.docker.io/path:1111", "prefix.docker.io/path:1111"},
		{193, "https://*.docker.io/v1/", "prefix.docker.io/path:1111"},
		{197, "https://*.docker.io/v2/", "prefix.docker.io/path:1111"},
		{201, "https://prefix.docker.*/path:1111", "prefix.docker.io/path:1111"},
		{205, "prefix.docker.io:1111", "prefix.docker.io:1111/path"},
		{209, "*.docker.io:1111", "prefix.docker.io:1111/path"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d %s", tc.line, tc.globURL), func(t *testing.T) {
			creds := legacyKeyring(t, tc.globURL).Lookup(tc.targetURL + "/foo/bar")
			require.NotEmpty(t, creds, "Didn't find expected URL: %s", tc.targetURL)
			assert.Equal(t, "foo", creds[0].Username)
			assert.Equal(t, "bar", creds[0].Password)
			assert.Equal(t, "foo@bar.baz", creds[0].Email)
		})
	}
}

func TestUpstreamKeyringMiss(t *testing.T) {
	tests := []struct {
		line               int
		globURL, lookupURL string
	}{
		{257, "https://hello.kubernetes.io", "world.mesos.org/foo/bar"},
		{261, "https://*.docker.com", "prefix.docker.io"},
		{265, "https://suffix.*.io", "prefix.docker.io"},
		{269, "https://prefix.docker.c*", "prefix.docker.io"},
		{273, "https://prefix.*.io/path:1111", "prefix.docker.io/path/subpath:1111"},
		{277, "suffix.*.io", "prefix.docker.io"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d %s", tc.line, tc.globURL), func(t *testing.T) {
			assert.Empty(t, legacyKeyring(t, tc.globURL).Lookup(tc.lookupURL+"/foo/bar"), "Expected not to find URL %s", tc.lookupURL)
		})
	}
}

// TestUpstreamDockerHubCredentials is TestKeyringMissWithDockerHubCredentials (:308),
// TestKeyringHitWithUnqualifiedDockerHub (:334), TestKeyringHitWithUnqualifiedLibraryDockerHub
// (:375) and TestKeyringHitWithQualifiedDockerHub (:416): Docker Hub credentials serve Docker
// Hub images however they are spelled, and nothing else.
func TestUpstreamDockerHubCredentials(t *testing.T) {
	tests := []struct {
		name    string
		image   string
		hit     bool
		maxHits int
	}{
		{"TestKeyringMissWithDockerHubCredentials", "world.mesos.org/foo/bar", false, 0},
		{"TestKeyringHitWithUnqualifiedDockerHub", "google/docker-registry", true, 1},
		{"TestKeyringHitWithUnqualifiedLibraryDockerHub", "jenkins", true, 1},
		{"TestKeyringHitWithQualifiedDockerHub", defaultRegistryKey + "/google/docker-registry", true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			creds := legacyKeyring(t, "https://"+defaultRegistryKey).Lookup(tc.image)
			if !tc.hit {
				assert.Empty(t, creds, "Found unexpected credential")
				return
			}
			require.NotEmpty(t, creds, "Didn't find expected URL")
			assert.LessOrEqual(t, len(creds), tc.maxHits, "Got more hits than expected")
			assert.Equal(t, "foo", creds[0].Username)
			assert.Equal(t, "bar", creds[0].Password)
			assert.Equal(t, "foo@bar.baz", creds[0].Email)
		})
	}
}

// tracked is a TrackedAuthConfig: the auth fields and the hash the kubelet computes with the
// KubeletEnsureSecretPulledImages feature on.
type tracked struct {
	user, password, email, hash string
}

func trackedOf(creds []credential.Credential) []tracked {
	out := []tracked{}
	for _, c := range creds {
		out = append(out, tracked{c.Username, c.Password, c.Email, c.Hash})
	}
	return out
}

func TestUpstreamDockerKeyringLookup(t *testing.T) {
	ada := tracked{"ada", "smash", "ada@example.com", "353258b53f5e9a57b059eab3f05312fc35bbeb874f08ce101e7bf0bf46977423"}
	grace := tracked{"grace", "squash", "grace@example.com", "f949b3837a1eb733a951b6aeda0b3327c09ec50c917de9ca35818e8fbf567e29"}
	entry := func(loc string, a tracked) credential.Entry {
		return credential.Entry{Location: loc, Credential: credential.Credential{Username: a.user, Password: a.password, Email: a.email}}
	}
	dk := credential.NewKeyring([]credential.Entry{entry("bar.example.com/pong", grace), entry("bar.example.com", ada)})
	tests := []struct {
		line  int
		name  string // the comment above the case
		image string
		match []tracked
	}{
		{541, "direct match", "bar.example.com", []tracked{ada}},
		{544, "direct match deeper than other possible matches", "bar.example.com/pong", []tracked{grace, ada}},
		{547, "no direct match, deeper path ignored", "bar.example.com/ping", []tracked{ada}},
		{550, "match first part of path token", "bar.example.com/pongz", []tracked{grace, ada}},
		{553, "match regardless of sub-path", "bar.example.com/pong/pang", []tracked{grace, ada}},
		{556, "no host match", "example.com", []tracked{}},
		{557, "no host match", "foo.example.com", []tracked{}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d %s", tc.line, tc.image), func(t *testing.T) {
			assert.Equal(t, tc.match, trackedOf(dk.Lookup(tc.image)), tc.name)
		})
	}
}

// TestUpstreamIssue3797 is TestIssue3797 (:575): an entry with a scheme and a /v1/ path
// matches images on its host.
func TestUpstreamIssue3797(t *testing.T) {
	rex := tracked{"rex", "tiny arms", "rex@example.com", "899748fec74c8dd761845fca727f4249b05be275ff24026676fcd4351f656363"}
	dk := credential.NewKeyring([]credential.Entry{{Location: "https://quay.io/v1/",
		Credential: credential.Credential{Username: rex.user, Password: rex.password, Email: rex.email}}})
	for _, tc := range []struct {
		line  int
		image string
	}{{600, "quay.io"}, {603, "quay.io/foo"}, {604, "quay.io/foo/bar"}} {
		t.Run(tc.image, func(t *testing.T) {
			assert.Equal(t, []tracked{rex}, trackedOf(dk.Lookup(tc.image)))
		})
	}
}
