package credential_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func jsonSecret(name, doc string) credential.Secret {
	return credential.Secret{Namespace: "ns", Name: name, UID: name + "-uid", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(doc)}}
}

func cfgSecret(name, doc string) credential.Secret {
	return credential.Secret{Namespace: "ns", Name: name, UID: name + "-uid", Type: credential.SecretTypeDockercfg,
		Data: map[string][]byte{credential.DockercfgKey: []byte(doc)}}
}

func secretSource(name string) credential.Source {
	return credential.Source{Kind: credential.SourceSecret, Namespace: "ns", Name: name, UID: name + "-uid"}
}

func TestFromSecrets(t *testing.T) {
	const repo = "reg.example.com/app"
	tests := []struct {
		name    string
		secrets []credential.Secret
		want    []credential.Credential // Lookup(repo); Hash is filled in by the test
		wantErr string                  // exact error text
	}{
		{name: "dockerconfigjson", secrets: []credential.Secret{
			jsonSecret("a", `{"auths":{"reg.example.com":{"username":"u","password":"p","email":"e@x"}}}`)},
			want: []credential.Credential{{Username: "u", Password: "p", Email: "e@x", Source: secretSource("a")}}},
		{name: "dockercfg", secrets: []credential.Secret{
			cfgSecret("b", `{"reg.example.com":{"username":"u","password":"p"}}`)},
			want: []credential.Credential{{Username: "u", Password: "p", Source: secretSource("b")}}},
		{name: "auth replaces username and password", secrets: []credential.Secret{
			jsonSecret("a", `{"auths":{"reg.example.com":{"username":"x","password":"y","auth":"`+b64("user:pa:ss")+`"}}}`)},
			want: []credential.Credential{{Username: "user", Password: "pa:ss", Source: secretSource("a")}}},
		{name: "unpadded auth", secrets: []credential.Secret{
			jsonSecret("a", `{"auths":{"reg.example.com":{"auth":"dTpwMQ"}}}`)},
			want: []credential.Credential{{Username: "u", Password: "p1", Source: secretSource("a")}}},
		{name: "field names match case-insensitively as in encoding/json", secrets: []credential.Secret{
			jsonSecret("a", `{"AUTHS":{"reg.example.com":{"Username":"u"}}}`)},
			want: []credential.Credential{{Username: "u", Source: secretSource("a")}}},
		{name: "wrong type, empty data, missing key: ignored", secrets: []credential.Secret{
			{Name: "opaque", Type: "Opaque", Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`invalid`)}},
			{Name: "empty", Type: credential.SecretTypeDockerConfigJSON, Data: map[string][]byte{credential.DockerConfigJSONKey: {}}},
			{Name: "crossed", Type: credential.SecretTypeDockercfg, Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`invalid`)}},
		}},
		{name: "E20 invalid dockercfg", secrets: []credential.Secret{cfgSecret("bad", `invalid`)},
			wantErr: "invalid character 'i' looking for beginning of value"},
		{name: "invalid dockerconfigjson", secrets: []credential.Secret{jsonSecret("bad", `{"auths":[]}`)},
			wantErr: "json: cannot unmarshal array into Go struct field dockerConfigJSON.auths of type credential.dockerConfig"},
		{name: "auth without colon", secrets: []credential.Secret{
			jsonSecret("a", `{"auths":{"reg.example.com":{"auth":"`+b64("nocolon")+`"}}}`)},
			wantErr: "unable to parse auth field, must be formatted as base64(username:password)"},
		{name: "auth not base64", secrets: []credential.Secret{
			jsonSecret("a", `{"auths":{"reg.example.com":{"auth":"!!!="}}}`)},
			wantErr: "illegal base64 data at input byte 0"},
		{name: "an invalid secret fails the whole keyring", secrets: []credential.Secret{
			jsonSecret("good", `{"auths":{"reg.example.com":{"username":"u"}}}`), cfgSecret("bad", `{`)},
			wantErr: "unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := credential.FromSecrets(tc.secrets)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				assert.Nil(t, k)
				return
			}
			require.NoError(t, err)
			for i := range tc.want {
				tc.want[i].Hash = credential.Hash(tc.want[i])
			}
			assert.Equal(t, tc.want, k.Lookup(repo))
		})
	}
}

func TestFromDockerConfigJSON(t *testing.T) {
	sa := credential.Source{Kind: credential.SourceServiceAccount, Namespace: "ns", Name: "sa", UID: "sa-uid"}
	tests := []struct {
		name string
		json string
		src  credential.Source
		repo string                  // looked up when the document parses
		want []credential.Credential // Lookup(repo); Hash is filled in by the test
		// wantErr is the exact error text, "" for none. No error may show a secret.
		wantErr string
	}{
		{
			name: "source given to every credential",
			json: `{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("u:p") + `"}}}`, src: sa,
			repo: "docker.io/library/nginx", want: []credential.Credential{{Username: "u", Password: "p", Source: sa}},
		},
		{
			name: "auth overrides username and password; the password keeps its colons",
			json: `{"auths":{"quay.io":{"username":"ignored","password":"ignored","auth":"` + b64("alice:s3cret:with:colons") + `"}}}`,
			repo: "quay.io/app", want: []credential.Credential{{Username: "alice", Password: "s3cret:with:colons"}},
		},
		{
			name: "unpadded auth",
			json: `{"auths":{"quay.io":{"auth":"` + base64.RawStdEncoding.EncodeToString([]byte("bob:pw")) + `"}}}`,
			repo: "quay.io/app", want: []credential.Credential{{Username: "bob", Password: "pw"}},
		},
		{
			name: "username, password and email without auth",
			json: `{"auths":{"https://index.docker.io/v1/":{"username":"carol","password":"pw","email":"c@example.com"}}}`,
			repo: "docker.io/library/nginx", want: []credential.Credential{{Username: "carol", Password: "pw", Email: "c@example.com"}},
		},
		{
			name: "identity and registry tokens are ignored, as by the kubelet",
			json: `{"auths":{"quay.io":{"auth":"` + b64("00000000-0000-0000-0000-000000000000:") + `","identitytoken":"refresh","registrytoken":"access"}}}`,
			repo: "quay.io/app",
			want: []credential.Credential{{Username: "00000000-0000-0000-0000-000000000000"}},
		},
		{name: "no auths is empty; credential helpers are not run", json: `{"credsStore":"desktop","credHelpers":{"quay.io":"x"}}`, repo: "quay.io/app"},
		{name: "auth without colon", json: `{"auths":{"quay.io":{"auth":"` + b64("nocolonsecret") + `"}}}`,
			wantErr: "unable to parse auth field, must be formatted as base64(username:password)"},
		{name: "auth not base64", json: `{"auths":{"quay.io":{"auth":"%%%secret%%%"}}}`, wantErr: "illegal base64 data at input byte 0"},
		{name: "not JSON", json: `nope`, wantErr: "invalid character 'o' in literal null (expecting 'u')"},
		{name: "truncated", json: `{"auths":`, wantErr: "unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := credential.FromDockerConfigJSON([]byte(tc.json), tc.src)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				assert.NotContains(t, err.Error(), "secret", "errors must not show secrets")
				return
			}
			require.NoError(t, err)
			for i := range tc.want {
				tc.want[i].Hash = credential.Hash(tc.want[i])
			}
			assert.Equal(t, tc.want, k.Lookup(tc.repo))
		})
	}
}

func TestFromDockerConfigFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	node := func(user string) []credential.Credential {
		c := credential.Credential{Username: user, Password: "p"}
		c.Hash = credential.Hash(c)
		return []credential.Credential{c}
	}
	tests := []struct {
		name, file, content string
		want                []credential.Credential
		wantErr             string // substring
	}{
		{name: "config.json", file: "config.json", content: `{"auths":{"quay.io":{"username":"json","password":"p"}}}`, want: node("json")},
		{name: "any other name is config.json", file: "node-auth.json", content: `{"auths":{"quay.io":{"username":"other","password":"p"}}}`, want: node("other")},
		{name: "legacy .dockercfg", file: ".dockercfg", content: `{"quay.io":{"username":"legacy","password":"p"}}`, want: node("legacy")},
		{name: "invalid", file: "bad.json", content: `{`, wantErr: "bad.json: error occurred while trying to unmarshal json"},
		{name: "invalid legacy", file: ".dockercfg", content: `not json`, wantErr: ".dockercfg: error occurred while trying to unmarshal json"},
		{name: "missing", file: "missing.json", wantErr: "no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if tc.content != "" {
				path = write(tc.file, tc.content)
			}
			k, err := credential.FromDockerConfigFile(path)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), path, "the error names the file")
				if tc.content == "" {
					assert.ErrorIs(t, err, os.ErrNotExist)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, k.Lookup("quay.io/team/app"))
		})
	}
}
