package credential_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/credential"
)

func TestCredentialStringHidesSecrets(t *testing.T) {
	secret := credential.Source{Kind: credential.SourceSecret, Namespace: "ns", Name: "regcred"}
	sa := credential.Source{Kind: credential.SourceServiceAccount, Namespace: "ns", Name: "builder"}
	tests := []struct {
		cred credential.Credential
		want string
	}{
		{credential.Credential{Username: "u", Password: "S3CR3T", Auth: "S3CR3T", IdentityToken: "S3CR3T", RegistryToken: "S3CR3T"}, "user u"},
		{credential.Credential{IdentityToken: "S3CR3T", Source: secret}, "identity token (secret ns/regcred)"},
		{credential.Credential{RegistryToken: "S3CR3T", Source: sa}, "registry token (service account ns/builder)"},
		{credential.Credential{Auth: "S3CR3T"}, "auth"},
		{credential.Credential{}, "anonymous"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.cred.String())
			for _, verb := range []string{"%v", "%+v", "%s"} {
				assert.NotContains(t, fmt.Sprintf(verb, tc.cred), "S3CR3T", verb)
				assert.NotContains(t, fmt.Sprintf(verb, []credential.Credential{tc.cred}), "S3CR3T", verb)
			}
		})
	}
}
