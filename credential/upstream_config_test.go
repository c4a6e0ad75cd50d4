package credential_test

// The kubelet's own docker config tests, translated case by case. Source: k8s.io/kubernetes
// v1.37.2 pkg/credentialprovider/config_test.go (v1.36.3 has the same cases).
//
// Count: 23 cases; 22 translated, all passing; 1 not expressible.
//   - TestReadDockerConfigFile (:28) 1, TestDockerConfigJsonJSONDecode (:64) 1,
//     TestDockerConfigJSONDecode (:94) 1, TestDockerConfigEntryJSONDecode (:122) 5,
//     TestDecodeDockerConfigFieldAuth (:199) 9, TestReadDockerConfigFileFromBytes (:312) 2,
//     TestReadDockerConfigJSONFileFromBytes (:356) 2: below, through the documents' public
//     readers ([credential.FromDockerConfigJSON], [credential.FromSecrets] for the legacy
//     .dockercfg format, [credential.FromDockerConfigFile]) and the credentials a lookup
//     returns; the entry and auth decoders are not exported.
//   - Not expressible: TestDockerConfigEntryJSONCompatibleEncode (:283), 1 case: this library
//     reads docker config documents and never writes them.
//
// Two differences on purpose, listed in the README's parity notes:
//   - a failing entry (TestDockerConfigEntryJSONDecode's last two cases) fails the whole
//     document, as the kubelet's readers do; the half-decoded entry the kubelet's unit test
//     also compares is never returned;
//   - reading a file that is not JSON (the *FromBytes cases' errors) gives
//     "credential: PATH: error occurred while trying to unmarshal json: CAUSE": the kubelet's
//     text, with the file and the cause around it.

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

// upstreamEntry is a DockerConfigEntry as the kubelet's tests compare it.
type upstreamEntry struct{ Username, Password, Email string }

func entryOf(t *testing.T, k *credential.Keyring, image string) upstreamEntry {
	t.Helper()
	creds := k.Lookup(image)
	require.Len(t, creds, 1, "one credential for %s", image)
	return upstreamEntry{creds[0].Username, creds[0].Password, creds[0].Email}
}

func legacySecret(doc string) []credential.Secret {
	return []credential.Secret{{Type: credential.SecretTypeDockercfg, Data: map[string][]byte{credential.DockercfgKey: []byte(doc)}}}
}

// TestUpstreamReadDockerConfigFile is TestReadDockerConfigFile (:28): a config.json file is
// read. The kubelet finds it in its preferred directory; here the file is named.
func TestUpstreamReadDockerConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	require.NoError(t, os.WriteFile(path, []byte(`{ "auths": { "http://foo.example.com":{"auth":"Zm9vOmJhcgo=","email":"foo@example.com"}}}`), 0o600))
	k, err := credential.FromDockerConfigFile(path)
	require.NoError(t, err)
	assert.Equal(t, upstreamEntry{"foo", "bar\n", "foo@example.com"}, entryOf(t, k, "foo.example.com/app"))
}

// TestUpstreamDockerConfigDecode is TestDockerConfigJsonJSONDecode (:64) and
// TestDockerConfigJSONDecode (:94): the config.json and the legacy document.
func TestUpstreamDockerConfigDecode(t *testing.T) {
	const entries = `{"http://foo.example.com":{"username": "foo", "password": "bar", "email": "foo@example.com"}, "http://bar.example.com":{"username": "bar", "password": "baz", "email": "bar@example.com"}}`
	jsonKeyring, err := credential.FromDockerConfigJSON([]byte(`{"auths": `+entries+`}`), credential.Source{})
	require.NoError(t, err)
	legacyKeyring, err := credential.FromSecrets(legacySecret(entries))
	require.NoError(t, err)
	for name, k := range map[string]*credential.Keyring{"TestDockerConfigJsonJSONDecode": jsonKeyring, "TestDockerConfigJSONDecode": legacyKeyring} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, upstreamEntry{"foo", "bar", "foo@example.com"}, entryOf(t, k, "foo.example.com"))
			assert.Equal(t, upstreamEntry{"bar", "baz", "bar@example.com"}, entryOf(t, k, "bar.example.com"))
		})
	}
}

// decodeEntry reads one entry of a config.json under reg.example.com.
func decodeEntry(t *testing.T, entry string) (upstreamEntry, error) {
	t.Helper()
	k, err := credential.FromDockerConfigJSON([]byte(`{"auths":{"reg.example.com":`+entry+`}}`), credential.Source{})
	if err != nil {
		return upstreamEntry{}, err
	}
	return entryOf(t, k, "reg.example.com/app"), nil
}

func TestUpstreamDockerConfigEntryJSONDecode(t *testing.T) {
	tests := []struct {
		line   int
		name   string // the comment above the case
		input  string
		expect upstreamEntry
		fail   bool
	}{
		{129, "simple case, just decode the fields", `{"username": "foo", "password": "bar", "email": "foo@example.com"}`, upstreamEntry{"foo", "bar", "foo@example.com"}, false},
		{141, "auth field decodes to username & password", `{"auth": "Zm9vOmJhcg==", "email": "foo@example.com"}`, upstreamEntry{"foo", "bar", "foo@example.com"}, false},
		{152, "auth field overrides username & password", `{"username": "foo", "password": "bar", "auth": "cGluZzpwb25n", "email": "foo@example.com"}`, upstreamEntry{"ping", "pong", "foo@example.com"}, false},
		{164, "poorly-formatted auth causes failure", `{"auth": "pants", "email": "foo@example.com"}`, upstreamEntry{}, true},
		{175, "invalid JSON causes failure", `{"email": false}`, upstreamEntry{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeEntry(t, tc.input)
			if tc.fail {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.expect, got)
		})
	}
}

func TestUpstreamDecodeDockerConfigFieldAuth(t *testing.T) {
	tests := []struct {
		line               int
		name               string // the comment above the case
		input              string
		username, password string
		fail               bool
	}{
		{207, "auth field decodes to username & password", "Zm9vOmJhcg==", "foo", "bar", false},
		{214, "some test as before but with field not well padded", "Zm9vOmJhcg", "foo", "bar", false},
		{221, "some test as before but with new line characters", "Zm9vOm\nJhcg==\n", "foo", "bar", false},
		{228, "standard encoding (with padding)", base64.StdEncoding.EncodeToString([]byte("foo:bar")), "foo", "bar", false},
		{235, "raw encoding (without padding)", base64.RawStdEncoding.EncodeToString([]byte("foo:bar")), "foo", "bar", false},
		{242, "the input is encoded with encodeDockerConfigFieldAuth (standard encoding)", base64.StdEncoding.EncodeToString([]byte("foo:bar")), "foo", "bar", false},
		{249, "good base64 data, but no colon separating username & password", "cGFudHM=", "", "", true},
		{255, "only new line characters are ignored", "Zm9vOmJhcg== ", "", "", true},
		{261, "bad base64 data", "pants", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth, err := json.Marshal(tc.input)
			require.NoError(t, err)
			got, err := decodeEntry(t, `{"auth":`+string(auth)+`}`)
			if tc.fail {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, upstreamEntry{Username: tc.username, Password: tc.password}, got)
		})
	}
}

// TestUpstreamReadDockerConfigFromBytes is TestReadDockerConfigFileFromBytes (:312, a legacy
// .dockercfg file) and TestReadDockerConfigJSONFileFromBytes (:356, a config.json file).
func TestUpstreamReadDockerConfigFromBytes(t *testing.T) {
	tests := []struct {
		line    int
		test    string
		id      string
		file    string
		input   string
		want    map[string]upstreamEntry // image → its credential
		wantErr string                   // contained in the error
	}{
		{321, "TestReadDockerConfigFileFromBytes", "valid input, no error expected", ".dockercfg",
			`{"http://foo.example.com":{"username": "foo", "password": "bar", "email": "foo@example.com"}}`,
			map[string]upstreamEntry{"foo.example.com": {"foo", "bar", "foo@example.com"}}, ""},
		{332, "TestReadDockerConfigFileFromBytes", "invalid input, error expected", ".dockercfg",
			`{"http://foo.example.com":{"username": "foo", "password": "bar", "email": "foo@example.com"`,
			nil, "error occurred while trying to unmarshal json"},
		{365, "TestReadDockerConfigJSONFileFromBytes", "valid input, no error expected", "config.json",
			`{"auths": {"http://foo.example.com":{"username": "foo", "password": "bar", "email": "foo@example.com"}, "http://bar.example.com":{"username": "bar", "password": "baz", "email": "bar@example.com"}}}`,
			map[string]upstreamEntry{"foo.example.com": {"foo", "bar", "foo@example.com"}, "bar.example.com": {"bar", "baz", "bar@example.com"}}, ""},
		{381, "TestReadDockerConfigJSONFileFromBytes", "invalid input, error expected", "config.json",
			`{"auths": {"http://foo.example.com":{"username": "foo", "password": "bar", "email": "foo@example.com"}, "http://bar.example.com":{"username": "bar", "password": "baz", "email": "bar@example.com"`,
			nil, "error occurred while trying to unmarshal json"},
	}
	for _, tc := range tests {
		t.Run(tc.test+"/"+tc.id, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			require.NoError(t, os.WriteFile(path, []byte(tc.input), 0o600))
			k, err := credential.FromDockerConfigFile(path)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			for image, want := range tc.want {
				assert.Equal(t, want, entryOf(t, k, image))
			}
		})
	}
}
