package credential_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

// TestSecretsCache: the cache answers exactly what FromSecrets answers, for the same content
// and for any change of a field FromSecrets reads; a hit returns the same keyring.
func TestSecretsCache(t *testing.T) {
	base := jsonSecret("a", `{"auths":{"reg.example.com":{"username":"u","password":"p"}}}`)
	variants := map[string]func(s *credential.Secret){
		"same":      func(*credential.Secret) {},
		"namespace": func(s *credential.Secret) { s.Namespace = "other" },
		"name":      func(s *credential.Secret) { s.Name = "other" },
		"uid":       func(s *credential.Secret) { s.UID = "other" },
		"type":      func(s *credential.Secret) { s.Type = credential.SecretTypeDockercfg },
		"password": func(s *credential.Secret) {
			s.Data = map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"reg.example.com":{"username":"u","password":"q"}}}`)}
		},
		"dockercfg": func(s *credential.Secret) {
			s.Data = map[string][]byte{credential.DockercfgKey: []byte(`{"reg.example.com":{"username":"u","password":"p"}}`)}
		},
		"invalid":     func(s *credential.Secret) { s.Data = map[string][]byte{credential.DockerConfigJSONKey: []byte(`{`)} },
		"field split": func(s *credential.Secret) { s.Namespace, s.Name = "nsa", "" },
	}
	c := credential.NewSecretsCache(0)
	first, err := c.FromSecrets([]credential.Secret{base})
	require.NoError(t, err)
	for name, change := range variants {
		t.Run(name, func(t *testing.T) {
			s := base
			change(&s)
			for range 2 { // a miss, then a hit
				got, err := c.FromSecrets([]credential.Secret{s})
				want, wantErr := credential.FromSecrets([]credential.Secret{s})
				if wantErr != nil {
					require.EqualError(t, err, wantErr.Error())
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, want.Lookup("reg.example.com/app"), got.Lookup("reg.example.com/app"))
			}
		})
	}
	again, err := c.FromSecrets([]credential.Secret{base})
	require.NoError(t, err)
	assert.Same(t, first, again, "a hit shares the keyring")
}

// TestSecretsCacheIsBounded: past max sets, entries are dropped; answers stay right.
func TestSecretsCacheIsBounded(t *testing.T) {
	c := credential.NewSecretsCache(8)
	for i := range 100 {
		s := jsonSecret("s", `{"auths":{"reg.example.com":{"username":"u","password":"p"}}}`)
		s.UID = string(rune('a' + i%26))
		s.Name = s.Name + string(rune('a'+i/26))
		k, err := c.FromSecrets([]credential.Secret{s})
		require.NoError(t, err)
		require.Len(t, k.Lookup("reg.example.com/app"), 1)
		assert.Equal(t, s.UID, k.Lookup("reg.example.com/app")[0].Source.UID)
	}
}

func BenchmarkSecretsCacheHit(b *testing.B) {
	c := credential.NewSecretsCache(0)
	secrets := []credential.Secret{jsonSecret("a", `{"auths":{"reg.example.com":{"username":"u","password":"p"}}}`)}
	_, _ = c.FromSecrets(secrets)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.FromSecrets(secrets); err != nil {
			b.Fatal(err)
		}
	}
}
