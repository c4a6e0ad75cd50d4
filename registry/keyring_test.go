package registry_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagepull/imagepull/registry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cred(user string) registry.Credential {
	return registry.Credential{Username: user, Password: user + "-secret"}
}

func users(cs []registry.Credential) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Username)
	}
	return out
}

func TestKeyringLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// locations maps a config key to the user name of its credential.
		locations map[string]string
		// repo is the normalised repository looked up.
		repo string
		// want is the user names returned, in order; nil when nothing matches.
		want []string
	}{
		{"host matches its repositories", map[string]string{"quay.io": "q"}, "quay.io/team/app", []string{"q"}},
		{"more specific path first", map[string]string{"quay.io": "host", "quay.io/team": "team"}, "quay.io/team/app", []string{"team", "host"}},
		{"path that is not a prefix is skipped", map[string]string{"quay.io": "host", "quay.io/other": "other"}, "quay.io/team/app", []string{"host"}},
		{"path prefix is a string prefix, as in the kubelet", map[string]string{"quay.io/team": "team"}, "quay.io/teamwork/app", []string{"team"}},
		{"scheme and /v2/ are ignored", map[string]string{"https://quay.io/v2/": "q"}, "quay.io/app", []string{"q"}},
		{"http scheme and path kept", map[string]string{"http://quay.io/team": "team"}, "quay.io/team/app", []string{"team"}},
		{"/v1/ path means the host", map[string]string{"https://registry.example.com/v1/": "r"}, "registry.example.com/app", []string{"r"}},
		{"port must be equal", map[string]string{"registry.example.com:5000": "port"}, "registry.example.com/app", nil},
		{"port matches port", map[string]string{"registry.example.com:5000": "port", "registry.example.com": "noport"}, "registry.example.com:5000/app", []string{"port"}},
		{"glob matches one host part", map[string]string{"*.example.com": "glob"}, "eu.example.com/app", []string{"glob"}},
		{"glob needs the same number of parts", map[string]string{"*.example.com": "glob"}, "example.com/app", nil},
		{"glob does not span parts", map[string]string{"*.example.com": "glob"}, "a.b.example.com/app", nil},
		{"host names are case-sensitive, as in the kubelet", map[string]string{"Quay.io": "q"}, "quay.io/app", nil},
		{"unrelated key never matches", map[string]string{"extraneous": "x"}, "docker.io/library/nginx", nil},
		{"docker hub: docker.io key matches directly", map[string]string{"docker.io": "hub"}, "docker.io/library/nginx", []string{"hub"}},
		{"docker hub: index.docker.io/v1/ is the fallback", map[string]string{"https://index.docker.io/v1/": "index"}, "docker.io/library/nginx", []string{"index"}},
		{"docker hub: bare index.docker.io is the fallback", map[string]string{"index.docker.io": "index"}, "docker.io/user/app", []string{"index"}},
		{"docker hub: fallback only when nothing matched", map[string]string{"docker.io/library": "lib", "index.docker.io": "index"}, "docker.io/library/nginx", []string{"lib"}},
		{"docker hub: fallback after a non-matching path", map[string]string{"docker.io/other": "other", "index.docker.io": "index"}, "docker.io/library/nginx", []string{"index"}},
		{"fallback is for docker hub only", map[string]string{"index.docker.io": "index"}, "quay.io/app", nil},
		{"localhost with port", map[string]string{"localhost:5000": "local"}, "localhost:5000/app", []string{"local"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			creds := make(map[string]registry.Credential, len(tc.locations))
			for loc, user := range tc.locations {
				creds[loc] = cred(user)
			}
			k, err := registry.NewKeyring(creds)
			require.NoError(t, err)
			assert.Equal(t, tc.want, users(k.Lookup(tc.repo)))
		})
	}
}

func TestKeyringSameLocationTwice(t *testing.T) {
	t.Parallel()
	// "https://index.docker.io/v1/" and "index.docker.io" are one location: both credentials
	// are returned, in the lexical order of the keys as written ("https://…" < "index…").
	k, err := registry.NewKeyring(map[string]registry.Credential{
		"https://index.docker.io/v1/": cred("b"),
		"index.docker.io":             cred("a"),
	})
	require.NoError(t, err)
	assert.Equal(t, 1, k.Len())
	assert.Equal(t, []string{"b", "a"}, users(k.Lookup("docker.io/library/nginx")))
}

func TestMerge(t *testing.T) {
	t.Parallel()
	first, err := registry.NewKeyring(map[string]registry.Credential{"quay.io": cred("first")})
	require.NoError(t, err)
	second, err := registry.NewKeyring(map[string]registry.Credential{"quay.io": cred("second"), "quay.io/team": cred("team")})
	require.NoError(t, err)
	m := registry.Merge(first, nil, second)
	assert.Equal(t, []string{"team", "first", "second"}, users(m.Lookup("quay.io/team/app")))
	assert.Equal(t, 0, registry.Merge().Len())
	var nilKeyring *registry.Keyring
	assert.Nil(t, nilKeyring.Lookup("quay.io/app"))
}

func TestNewKeyringBadLocation(t *testing.T) {
	t.Parallel()
	_, err := registry.NewKeyring(map[string]registry.Credential{"bad host%zz": cred("x")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"bad host%zz"`)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestFromDockerConfigJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		// repo is looked up when the config parses.
		repo string
		want []registry.Credential
		// wantErr is a substring of the error, "" for none.
		wantErr string
	}{
		{
			name: "auth field overrides username and password",
			json: `{"auths":{"quay.io":{"username":"ignored","password":"ignored","auth":"` + b64("alice:s3cret:with:colons") + `"}}}`,
			repo: "quay.io/app",
			want: []registry.Credential{{Username: "alice", Password: "s3cret:with:colons"}},
		},
		{
			name: "unpadded auth field",
			json: `{"auths":{"quay.io":{"auth":"` + base64.RawStdEncoding.EncodeToString([]byte("bob:pw")) + `"}}}`,
			repo: "quay.io/app",
			want: []registry.Credential{{Username: "bob", Password: "pw"}},
		},
		{
			name: "username and password without auth",
			json: `{"auths":{"https://index.docker.io/v1/":{"username":"carol","password":"pw","email":"c@example.com"}}}`,
			repo: "docker.io/library/nginx",
			want: []registry.Credential{{Username: "carol", Password: "pw"}},
		},
		{
			name: "tokens are kept",
			json: `{"auths":{"quay.io":{"identitytoken":"refresh","registrytoken":"access"}}}`,
			repo: "quay.io/app",
			want: []registry.Credential{{IdentityToken: "refresh", RegistryToken: "access"}},
		},
		{name: "no auths is empty", json: `{"credsStore":"desktop"}`, repo: "quay.io/app", want: nil},
		{name: "auth without colon", json: `{"auths":{"quay.io":{"auth":"` + b64("nocolonsecret") + `"}}}`, wantErr: "must be formatted as base64(username:password)"},
		{name: "auth not base64", json: `{"auths":{"quay.io":{"auth":"%%%secret%%%"}}}`, wantErr: "not valid base64"},
		{name: "not JSON", json: `{"auths":`, wantErr: "parsing docker config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := registry.FromDockerConfigJSON([]byte(tc.json))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				assert.NotContains(t, err.Error(), "secret", "errors must not echo secrets")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, k.Lookup(tc.repo))
		})
	}
}

func TestFromDockerConfigFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	configJSON := filepath.Join(dir, "config.json")
	require.NoError(t, os.WriteFile(configJSON, []byte(`{"auths":{"quay.io":{"auth":"`+b64("dave:pw")+`"}}}`), 0o600))
	legacy := filepath.Join(dir, ".dockercfg")
	require.NoError(t, os.WriteFile(legacy, []byte(`{"quay.io":{"auth":"`+b64("erin:pw")+`"}}`), 0o600))
	broken := filepath.Join(dir, "broken.json")
	require.NoError(t, os.WriteFile(broken, []byte(`not json`), 0o600))

	k, err := registry.FromDockerConfigFile(configJSON)
	require.NoError(t, err)
	assert.Equal(t, []string{"dave"}, users(k.Lookup("quay.io/app")))

	k, err = registry.FromDockerConfigFile(legacy)
	require.NoError(t, err)
	assert.Equal(t, []string{"erin"}, users(k.Lookup("quay.io/app")))

	_, err = registry.FromDockerConfigFile(broken)
	require.ErrorContains(t, err, broken)
	_, err = registry.FromDockerConfigFile(filepath.Join(dir, "missing.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestCredentialStringHidesSecrets(t *testing.T) {
	t.Parallel()
	for _, c := range []registry.Credential{
		{Username: "u", Password: "secret"}, {IdentityToken: "secret"}, {RegistryToken: "secret"}, {},
	} {
		assert.NotContains(t, c.String(), "secret")
	}
	assert.True(t, registry.Credential{}.IsZero())
}

// FuzzFromDockerConfigJSON: any input gives a keyring or an error, never a panic, and a
// keyring answers any lookup.
func FuzzFromDockerConfigJSON(f *testing.F) {
	f.Add([]byte(`{"auths":{"quay.io/team":{"auth":"`+b64("a:b")+`"}}}`), "quay.io/team/app")
	f.Add([]byte(`{"auths":{"*.example.com:5000":{"username":"u"}}}`), "eu.example.com:5000/x")
	f.Add([]byte(`{"auths":{"https://index.docker.io/v1/":{}}}`), "docker.io/library/nginx")
	f.Add([]byte(`{"auths":{"[::1]:5000":{}}}`), "[::1]:5000/app")
	f.Fuzz(func(t *testing.T, data []byte, repo string) {
		k, err := registry.FromDockerConfigJSON(data)
		if err != nil {
			return
		}
		for _, c := range k.Lookup(repo) {
			_ = c.String()
		}
	})
}
