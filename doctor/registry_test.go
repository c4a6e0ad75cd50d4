package doctor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
	"github.com/imagepull/imagepull/registry/registrytest"
)

// TestRegistryProber: registry.Resolver.Probe's answers from a loopback registry, as doctor
// reads them.
func TestRegistryProber(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	for _, tag := range []string{"team/app:v1", "team/app:v1.10", "private/app:v1"} {
		_, err := reg.PushRandom(t.Context(), tag)
		require.NoError(t, err)
	}
	reg.SetAuth(registrytest.Auth{Scheme: registrytest.AuthBasic, Username: "bot", Password: "PASS", PathPrefix: "/v2/private/"})
	res, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{"127.0.0.1"}, MaxRetries: -1})
	require.NoError(t, err)
	defer res.CloseIdleConnections()
	p := RegistryProber(res)
	good := &credential.Credential{Username: "bot", Password: "PASS"}
	bad := &credential.Credential{Username: "bot", Password: "PASSold"}
	tests := []struct {
		image string
		cred  *credential.Credential
		kind  ProbeKind
		tags  []string
	}{
		{"team/app:v1", nil, ProbeOK, nil},
		{"team/app:v2", nil, ProbeNotFound, []string{"v1", "v1.10"}},
		{"private/app:v1", nil, ProbeUnauthorized, nil},
		{"private/app:v1", bad, ProbeUnauthorized, nil},
		{"private/app:v1", good, ProbeOK, nil},
	}
	for _, tt := range tests {
		got := p.Probe(context.Background(), reference.MustParse(reg.Host()+"/"+tt.image), tt.cred)
		assert.Equal(t, tt.kind, got.Kind, "%s: %+v", tt.image, got)
		assert.Equal(t, tt.tags, got.Tags, tt.image)
		assert.NotContains(t, got.Message, "PASS")
		if tt.kind == ProbeOK {
			assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, got.Digest)
			assert.Empty(t, got.Message)
		}
	}
	t.Run("a registry that is down", func(t *testing.T) {
		got := p.Probe(context.Background(), reference.MustParse("127.0.0.1:1/app:v1"), nil)
		assert.Equal(t, ProbeRefused, got.Kind, "%+v", got)
	})
}
