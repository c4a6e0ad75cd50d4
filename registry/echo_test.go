package registry_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoPassword has characters a form encodes, so that the echo of a form body differs from
// the password itself.
const echoPassword = "s3cret/pa+ss=word"

// TestResolveMasksEchoedCredentials (issue 18, item 6): a registry or token service whose
// error repeats what it was sent (the Authorization header, the query, the form body) does not
// get the password, the token, or the base64 "user:password" into the Resolver's error, for
// the call's own credentials (a pod's Secret, a plugin's answer) and the node's docker config
// alike. The error keeps its kind and says where the masking happened.
func TestResolveMasksEchoedCredentials(t *testing.T) {
	t.Parallel()
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + echoPassword))
	// A HEAD answer has no body: refuse HEAD so that the GET's error body is read.
	manifests := []registrytest.Fault{
		{Method: http.MethodHead, PathPrefix: "/v2/app/manifests/", Status: http.StatusMethodNotAllowed},
		{Method: http.MethodGet, PathPrefix: "/v2/app/manifests/", Status: http.StatusForbidden, Echo: true},
	}
	token := []registrytest.Fault{{PathPrefix: "/token", Status: http.StatusUnauthorized, Echo: true}}
	basicAuth := registrytest.Auth{Scheme: registrytest.AuthBasic, Username: testUser, Password: echoPassword}
	bearerAuth := registrytest.Auth{Scheme: registrytest.AuthBearer, Username: testUser, Password: echoPassword}
	tests := []struct {
		name    string
		auth    registrytest.Auth
		faults  []registrytest.Fault
		node    bool                  // the credentials are the node's docker config, not the call's
		cred    credential.Credential // the call's credential, unless node
		secrets []string              // what must not appear
		echoed  string                // what the error must show instead
	}{
		{"Basic, the registry echoes the pod's Secret", basicAuth, manifests, false,
			credential.Credential{Username: testUser, Password: echoPassword}, []string{basic, echoPassword}, "Authorization: Basic [redacted]"},
		{"Basic, the registry echoes the node's docker config", basicAuth, manifests, true,
			credential.Credential{}, []string{basic, echoPassword}, "Authorization: Basic [redacted]"},
		{"Basic from an auth field", basicAuth, manifests, false,
			credential.Credential{Auth: basic}, []string{basic, echoPassword}, "Authorization: Basic [redacted]"},
		{"Bearer, the token service echoes the Basic credentials", bearerAuth, token, false,
			credential.Credential{Username: testUser, Password: echoPassword}, []string{basic, echoPassword}, "Authorization: Basic [redacted]"},
		{"Bearer, the token service echoes a plugin's identity token", bearerAuth, token, false,
			credential.Credential{IdentityToken: "refresh-token-Zm9v"}, []string{"refresh-token-Zm9v", url.QueryEscape("refresh-token-Zm9v")}, "refresh_token=[redacted]"},
		{"Bearer, the registry echoes the token it was given", bearerAuth, manifests, false,
			credential.Credential{Username: testUser, Password: echoPassword}, []string{basic, echoPassword}, "Authorization: Bearer [redacted]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New(t, registrytest.Options{})
			push(t, reg, "app:v1")
			reg.SetAuth(tc.auth)
			for _, f := range tc.faults {
				_, err := reg.Inject(f)
				require.NoError(t, err)
			}
			opts := fastOptions(reg)
			var creds []credential.Credential
			if tc.node {
				opts.Credentials = mustKeyring(t, reg.Host(), testUser, echoPassword)
			} else {
				creds = []credential.Credential{tc.cred}
			}
			_, err := newResolver(t, opts).ResolveWithCredentials(t.Context(), ref(reg, "app", "v1"), creds)
			require.Error(t, err)
			assert.ErrorIs(t, err, registry.ErrUnauthorized)
			assert.Contains(t, err.Error(), tc.echoed, "the registry's echo is kept, masked")
			for _, s := range tc.secrets {
				assert.NotContains(t, err.Error(), s)
			}
			var re *registry.Error
			require.ErrorAs(t, err, &re)
			for _, s := range tc.secrets {
				assert.NotContains(t, re.Detail, s)
				assert.NotContains(t, re.Code, s)
			}
			if tc.echoed == "Authorization: Bearer [redacted]" {
				for _, req := range reg.Requests() {
					if tok, ok := cutBearer(req.Authorization); ok {
						assert.NotContains(t, err.Error(), tok, "the issued token is masked")
					}
				}
			}
		})
	}
}

func cutBearer(h string) (string, bool) {
	const p = "Bearer "
	if len(h) > len(p) && h[:len(p)] == p {
		return h[len(p):], true
	}
	return "", false
}
