package credential_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

// nodeRing builds a node keyring whose entries have user = password = the location, so that a
// lookup's answer names the locations that matched.
func nodeRing(t *testing.T, locations ...string) *credential.Keyring {
	t.Helper()
	var auths []string
	for _, l := range locations {
		auths = append(auths, fmt.Sprintf("%q:{%q:%q}", l, "username", l))
	}
	k, err := credential.FromDockerConfigJSON([]byte(`{"auths":{`+strings.Join(auths, ",")+`}}`), credential.Source{})
	require.NoError(t, err)
	return k
}

func users(creds []credential.Credential) []string {
	var out []string
	for _, c := range creds {
		out = append(out, c.Username)
	}
	return out
}

func TestLookupMatching(t *testing.T) {
	tests := []struct {
		name      string
		locations []string // config keys
		image     string   // normalised repository
		want      []string // locations whose credentials are returned, in order
	}{
		{"host", []string{"quay.io"}, "quay.io/coreos/etcd", []string{"quay.io"}},
		{"more specific path first", []string{"quay.io", "quay.io/coreos"}, "quay.io/coreos/etcd", []string{"quay.io/coreos", "quay.io"}},
		{"path is a plain string prefix", []string{"quay.io/core"}, "quay.io/coreos/etcd", []string{"quay.io/core"}},
		{"path is a plain string prefix, below a host", []string{"quay.io/team"}, "quay.io/teamwork/app", []string{"quay.io/team"}},
		{"other path", []string{"quay.io/other"}, "quay.io/coreos/etcd", nil},
		{"path that is not a prefix is skipped", []string{"quay.io", "quay.io/other"}, "quay.io/team/app", []string{"quay.io"}},
		{"other host", []string{"gcr.io"}, "quay.io/coreos/etcd", nil},
		{"https scheme dropped", []string{"https://quay.io"}, "quay.io/x", []string{"https://quay.io"}},
		{"http scheme dropped", []string{"http://insecure.local"}, "insecure.local/x", []string{"http://insecure.local"}},
		{"http scheme dropped, path kept", []string{"http://quay.io/team"}, "quay.io/team/app", []string{"http://quay.io/team"}},
		{"/v2/ path dropped", []string{"https://gcr.io/v2/project"}, "gcr.io/project/img", []string{"https://gcr.io/v2/project"}},
		{"/v2/ alone is the host", []string{"https://quay.io/v2/"}, "quay.io/app", []string{"https://quay.io/v2/"}},
		{"/v1/ alone is the host", []string{"https://gcr.io/v1/"}, "gcr.io/project/img", []string{"https://gcr.io/v1/"}},
		{"/v1 without slash is a path", []string{"gcr.io/v1"}, "gcr.io/project/img", nil},
		{"wildcard label", []string{"*.example.com"}, "registry.example.com/app", []string{"*.example.com"}},
		{"wildcard needs as many labels", []string{"*.example.com"}, "example.com/app", nil},
		{"wildcard matches one label only", []string{"*.example.com"}, "a.b.example.com/app", nil},
		{"glob inside a label", []string{"reg-*.example.com"}, "reg-eu.example.com/app", []string{"reg-*.example.com"}},
		{"malformed glob never matches", []string{"reg[.example.com"}, "reg[.example.com/app", nil},
		{"host names are case-sensitive, as in the kubelet", []string{"Quay.io"}, "quay.io/app", nil},
		{"port must match", []string{"reg.local:5000"}, "reg.local:5000/app", []string{"reg.local:5000"}},
		{"port must be present", []string{"reg.local:5000"}, "reg.local/app", nil},
		{"no port in key, port in image", []string{"reg.local"}, "reg.local:5000/app", nil},
		{"port matches port only", []string{"reg.local:5000", "reg.local"}, "reg.local:5000/app", []string{"reg.local:5000"}},
		{"localhost with port", []string{"localhost:5000"}, "localhost:5000/app", []string{"localhost:5000"}},
		{"IP and port", []string{"10.0.0.1:5000"}, "10.0.0.1:5000/app", []string{"10.0.0.1:5000"}},
		{"IPv6 and port", []string{"[::1]:5000"}, "[::1]:5000/app", []string{"[::1]:5000"}},
		{"image with an invalid port matches nothing", []string{"quay.io"}, "quay.io:abc/app", nil},
		{"escaped image path is unescaped, as url.Parse does", []string{"quay.io/tA"}, "quay.io/t%41/app", []string{"quay.io/tA"}},
		{"docker.io key", []string{"docker.io"}, "docker.io/library/nginx", []string{"docker.io"}},
		{"M11 index.docker.io/v1/ for Docker Hub", []string{"index.docker.io/v1/"}, "docker.io/library/ubuntu", []string{"index.docker.io/v1/"}},
		{"https index.docker.io/v1/", []string{"https://index.docker.io/v1/"}, "docker.io/user/app", []string{"https://index.docker.io/v1/"}},
		{"bare index.docker.io for Docker Hub", []string{"index.docker.io"}, "docker.io/user/app", []string{"index.docker.io"}},
		{"index.docker.io only when nothing else matched", []string{"index.docker.io/v1/", "docker.io/library"}, "docker.io/library/nginx", []string{"docker.io/library"}},
		{"index.docker.io after a path that did not match", []string{"docker.io/other", "index.docker.io"}, "docker.io/library/nginx", []string{"index.docker.io"}},
		{"index.docker.io not for other registries", []string{"index.docker.io/v1/"}, "quay.io/app", nil},
		{"M12 extraneous key", []string{"extraneous"}, "docker.io/library/ubuntu", nil},
		{"unparsable location ignored", []string{"https://%zz", "quay.io"}, "quay.io/x", []string{"quay.io"}},
		{"unparsable location with a space ignored", []string{"bad host%zz", "quay.io"}, "quay.io/x", []string{"quay.io"}},
		{"reverse lexical order across hosts", []string{"a.io", "*.io"}, "a.io/x", []string{"a.io", "*.io"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, users(nodeRing(t, tc.locations...).Lookup(tc.image)))
		})
	}
}

// TestLookupSeveralDocuments: credentials stored under one location key are all returned, in
// the order they were added; the Secrets of a pod form one keyring (the most specific location
// wins across Secrets), unlike a [credential.Union] of keyrings.
func TestLookupSeveralDocuments(t *testing.T) {
	first := `{"auths":{"quay.io":{"username":"first"}}}`
	second := `{"auths":{"quay.io":{"username":"second"},"quay.io/team":{"username":"team"}}}`
	tests := []struct {
		name    string
		keyring func(t *testing.T) *credential.Keyring
		image   string
		want    []string // user names, in order
		sources []string // the Secret each came from ("" for the node)
	}{
		{
			name: "two locations of one document with the same key, and two Secrets",
			keyring: func(t *testing.T) *credential.Keyring {
				return mustSecrets(t, jsonSecret("first", `{"auths":{"https://quay.io":{"username":"1b"},"quay.io":{"username":"1a"}}}`),
					cfgSecret("second", `{"quay.io/":{"username":"2"}}`))
			},
			image: "quay.io/app", want: []string{"1b", "1a", "2"}, sources: []string{"first", "first", "second"},
		},
		{
			name: "https://index.docker.io/v1/ and index.docker.io are one location, in lexical order of the keys as written",
			keyring: func(t *testing.T) *credential.Keyring {
				return mustSecrets(t, jsonSecret("s", `{"auths":{"index.docker.io":{"username":"a"},"https://index.docker.io/v1/":{"username":"b"}}}`))
			},
			image: "docker.io/library/nginx", want: []string{"b", "a"}, sources: []string{"s", "s"},
		},
		{
			name: "Secrets are one keyring: the most specific location first across Secrets",
			keyring: func(t *testing.T) *credential.Keyring {
				return mustSecrets(t, jsonSecret("a", first), jsonSecret("b", second))
			},
			image: "quay.io/team/app", want: []string{"team", "first", "second"}, sources: []string{"b", "a", "b"},
		},
		{
			name: "a Union looks up keyring by keyring",
			keyring: func(t *testing.T) *credential.Keyring {
				return credential.Union(mustSecrets(t, jsonSecret("a", first)), nil, mustSecrets(t, jsonSecret("b", second)))
			},
			image: "quay.io/team/app", want: []string{"first", "team", "second"}, sources: []string{"a", "b", "b"},
		},
		{
			name: "the Docker Hub fallback is per keyring of a Union",
			keyring: func(t *testing.T) *credential.Keyring {
				return credential.Union(mustSecrets(t, jsonSecret("a", `{"auths":{"docker.io/library":{"username":"lib"},"index.docker.io":{"username":"pod-hub"}}}`)),
					nodeRing(t, "index.docker.io"))
			},
			image: "docker.io/library/nginx", want: []string{"lib", "index.docker.io"}, sources: []string{"a", ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.keyring(t).Lookup(tc.image)
			assert.Equal(t, tc.want, users(got))
			var sources []string
			for _, c := range got {
				sources = append(sources, c.Source.Name)
			}
			assert.Equal(t, tc.sources, sources)
		})
	}
}

func mustSecrets(t *testing.T, secrets ...credential.Secret) *credential.Keyring {
	t.Helper()
	k, err := credential.FromSecrets(secrets)
	require.NoError(t, err)
	return k
}

// TestLookupPodThenNode is the kubelet's TestPullWithSecrets (cases M10–M14): the pod's Secrets
// come before the node keyring.
func TestLookupPodThenNode(t *testing.T) {
	node := nodeRing(t, "index.docker.io/v1/")
	passed := `{"index.docker.io/v1/":{"username":"passed-user","password":"passed-password"}}`
	tests := []struct {
		name    string
		secrets []credential.Secret
		node    *credential.Keyring
		want    []string
	}{
		{"M10 no secrets, empty node keyring", nil, nil, nil},
		{"M11 node keyring", nil, node, []string{"index.docker.io/v1/"}},
		{"M12 unused node keyring", nil, nodeRing(t, "extraneous"), nil},
		{"M13 dockercfg secret wins", []credential.Secret{cfgSecret("s", passed)}, node, []string{"passed-user", "index.docker.io/v1/"}},
		{"M14 dockerconfigjson secret wins", []credential.Secret{jsonSecret("s", `{"auths":`+passed+`}`)}, node, []string{"passed-user", "index.docker.io/v1/"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod, err := credential.FromSecrets(tc.secrets)
			require.NoError(t, err)
			got := credential.Union(pod, tc.node).Lookup("docker.io/library/ubuntu")
			assert.Equal(t, tc.want, users(got))
			if len(tc.secrets) > 0 {
				assert.Equal(t, "passed-password", got[0].Password)
				assert.Equal(t, credential.SourceSecret, got[0].Source.Kind)
				assert.Equal(t, credential.SourceNode, got[1].Source.Kind)
			}
		})
	}
}

func TestKeyringNilAndEmpty(t *testing.T) {
	var nilRing *credential.Keyring
	assert.Nil(t, nilRing.Lookup("docker.io/library/nginx"))
	assert.Nil(t, credential.Union().Lookup("docker.io/library/nginx"))
	assert.Nil(t, credential.Union(nil, nil).Lookup("docker.io/library/nginx"))
	empty, err := credential.FromSecrets(nil)
	require.NoError(t, err)
	assert.Nil(t, empty.Lookup("docker.io/library/nginx"))
}

func TestLookupResultIsTheCallers(t *testing.T) {
	k := nodeRing(t, "quay.io")
	got := k.Lookup("quay.io/x")
	got[0].Username = "changed"
	assert.Equal(t, []string{"quay.io"}, users(k.Lookup("quay.io/x")))
}

func TestLookupConcurrent(t *testing.T) {
	k := credential.Union(nodeRing(t, "quay.io", "*.example.com"), nodeRing(t, "index.docker.io/v1/"))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 200 {
				assert.Len(t, k.Lookup(fmt.Sprintf("r%d.example.com/app", i)), 1)
				assert.Len(t, k.Lookup("docker.io/library/nginx"), 1)
			}
		})
	}
	wg.Wait()
}
