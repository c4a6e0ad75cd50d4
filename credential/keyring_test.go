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
		{"other path", []string{"quay.io/other"}, "quay.io/coreos/etcd", nil},
		{"other host", []string{"gcr.io"}, "quay.io/coreos/etcd", nil},
		{"https scheme dropped", []string{"https://quay.io"}, "quay.io/x", []string{"https://quay.io"}},
		{"http scheme dropped", []string{"http://insecure.local"}, "insecure.local/x", []string{"http://insecure.local"}},
		{"/v2/ path dropped", []string{"https://gcr.io/v2/project"}, "gcr.io/project/img", []string{"https://gcr.io/v2/project"}},
		{"/v1/ alone is the host", []string{"https://gcr.io/v1/"}, "gcr.io/project/img", []string{"https://gcr.io/v1/"}},
		{"/v1 without slash is a path", []string{"gcr.io/v1"}, "gcr.io/project/img", nil},
		{"wildcard label", []string{"*.example.com"}, "registry.example.com/app", []string{"*.example.com"}},
		{"wildcard needs as many labels", []string{"*.example.com"}, "example.com/app", nil},
		{"wildcard matches one label only", []string{"*.example.com"}, "a.b.example.com/app", nil},
		{"glob inside a label", []string{"reg-*.example.com"}, "reg-eu.example.com/app", []string{"reg-*.example.com"}},
		{"port must match", []string{"reg.local:5000"}, "reg.local:5000/app", []string{"reg.local:5000"}},
		{"port must be present", []string{"reg.local:5000"}, "reg.local/app", nil},
		{"no port in key, port in image", []string{"reg.local"}, "reg.local:5000/app", nil},
		{"docker.io key", []string{"docker.io"}, "docker.io/library/nginx", []string{"docker.io"}},
		{"M11 index.docker.io/v1/ for Docker Hub", []string{"index.docker.io/v1/"}, "docker.io/library/ubuntu", []string{"index.docker.io/v1/"}},
		{"https index.docker.io/v1/", []string{"https://index.docker.io/v1/"}, "docker.io/user/app", []string{"https://index.docker.io/v1/"}},
		{"index.docker.io only when nothing else matched", []string{"index.docker.io/v1/", "docker.io/library"}, "docker.io/library/nginx", []string{"docker.io/library"}},
		{"index.docker.io not for other registries", []string{"index.docker.io/v1/"}, "quay.io/app", nil},
		{"M12 extraneous key", []string{"extraneous"}, "docker.io/library/ubuntu", nil},
		{"unparsable location ignored", []string{"https://%zz", "quay.io"}, "quay.io/x", []string{"quay.io"}},
		{"reverse lexical order across hosts", []string{"a.io", "*.io"}, "a.io/x", []string{"a.io", "*.io"}},
		{"IP and port", []string{"10.0.0.1:5000"}, "10.0.0.1:5000/app", []string{"10.0.0.1:5000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, users(nodeRing(t, tc.locations...).Lookup(tc.image)))
		})
	}
}

func TestLookupSameKeyKeepsEveryCredential(t *testing.T) {
	// Two locations of one document with the same key, and two Secrets with the same key.
	k, err := credential.FromSecrets([]credential.Secret{
		jsonSecret("first", `{"auths":{"https://quay.io":{"username":"1b"},"quay.io":{"username":"1a"}}}`),
		cfgSecret("second", `{"quay.io/":{"username":"2"}}`),
	})
	require.NoError(t, err)
	got := k.Lookup("quay.io/app")
	assert.Equal(t, []string{"1b", "1a", "2"}, users(got))
	assert.Equal(t, secretSource("first"), got[0].Source)
	assert.Equal(t, secretSource("second"), got[2].Source)
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
