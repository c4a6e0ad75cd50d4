package credential_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/credential"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestHash(t *testing.T) {
	tests := []struct {
		name string
		cred credential.Credential
		json string // the JSON document the kubelet hashes
	}{
		{"username and password", credential.Credential{Username: "passed-user", Password: "passed-password"},
			`{"username":"passed-user","password":"passed-password"}`},
		{"empty", credential.Credential{}, `{}`},
		{"all fields in the kubelet's order", credential.Credential{
			RegistryToken: "rt", IdentityToken: "it", ServerAddress: "sa", Email: "e", Auth: "a", Password: "p", Username: "u",
		}, `{"username":"u","password":"p","auth":"a","email":"e","serveraddress":"sa","identitytoken":"it","registrytoken":"rt"}`},
		{"HTML characters escaped as encoding/json does", credential.Credential{Password: "a<b>&c"},
			`{"password":"a\u003cb\u003e\u0026c"}`},
		{"source and stored hash ignored", credential.Credential{Username: "u", Hash: "x",
			Source: credential.Source{Kind: credential.SourceSecret, Name: "s"}}, `{"username":"u"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, sha256Hex(tc.json), credential.Hash(tc.cred))
		})
	}
}
