package credential_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential"
)

// FuzzFromDockerConfigJSON: any document gives a keyring or an error, never a panic; a
// keyring answers any lookup, the same way twice, with credentials that carry their own hash
// and the document's source; a Union of a keyring with itself answers twice over.
func FuzzFromDockerConfigJSON(f *testing.F) {
	f.Add([]byte(`{"auths":{"quay.io/team":{"auth":"`+b64("a:b")+`"}}}`), "quay.io/team/app")
	f.Add([]byte(`{"auths":{"*.example.com:5000":{"username":"u"}}}`), "eu.example.com:5000/x")
	f.Add([]byte(`{"auths":{"https://index.docker.io/v1/":{}}}`), "docker.io/library/nginx")
	f.Add([]byte(`{"auths":{"[::1]:5000":{"identitytoken":"t"}}}`), "[::1]:5000/app")
	f.Add([]byte(`{"auths":{"reg[.io":{"username":"u"},"http://%zz":{}}}`), "reg[.io/a%41")
	src := credential.Source{Kind: credential.SourceSecret, Namespace: "ns", Name: "s", UID: "u"}
	f.Fuzz(func(t *testing.T, data []byte, repo string) {
		k, err := credential.FromDockerConfigJSON(data, src)
		if err != nil {
			assert.Nil(t, k)
			return
		}
		got := k.Lookup(repo)
		for _, c := range got {
			require.Equal(t, credential.Hash(c), c.Hash)
			require.Equal(t, src, c.Source)
			_ = c.String()
		}
		assert.Equal(t, got, k.Lookup(repo), "lookups are deterministic")
		assert.Equal(t, append(got, got...), credential.Union(k, k).Lookup(repo))
	})
}
