package credential_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imagepull/imagepull/credential"
)

// TestNewKeyring: entries from several sources make one keyring, most specific location first
// across all of them; entries under the same location keep their order, keep their source and
// get their hash; a location that does not parse is skipped.
func TestNewKeyring(t *testing.T) {
	sa := credential.Source{Kind: credential.SourceServiceAccount, Namespace: "ns", Name: "builder", UID: "u1"}
	first := credential.Credential{Username: "first", Password: "p1"}
	second := credential.Credential{Username: "second", Password: "p2", Source: sa}
	deep := credential.Credential{Username: "deep", Password: "p3"}
	k := credential.NewKeyring([]credential.Entry{
		{Location: "registry.io", Credential: first},
		{Location: "https://registry.io", Credential: second},
		{Location: "registry.io/team", Credential: deep},
		{Location: "%zz", Credential: credential.Credential{Username: "skipped"}},
	})
	got := k.Lookup("registry.io/team/app")
	want := []credential.Credential{deep, first, second}
	for i := range want {
		want[i].Hash = credential.Hash(want[i])
	}
	assert.Equal(t, want, got)
	assert.Equal(t, sa, got[2].Source)
	assert.Nil(t, k.Lookup("other.io/app"))
	assert.Nil(t, credential.NewKeyring(nil).Lookup("registry.io/app"))
}
