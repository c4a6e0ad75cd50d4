package pullmanager

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyCache: the cache answers what RecordKey answers, keeps no failure, and stays bounded
// under a flood of distinct image strings.
func TestKeyCache(t *testing.T) {
	var c keyCache
	for _, image := range []string{"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "localhost:5000/app@sha256:" + "38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd"} {
		want, err := RecordKey(image)
		require.NoError(t, err)
		got, err := c.key(image)
		require.NoError(t, err)
		assert.Equal(t, want, got, image)
	}
	_, err := c.key("Upper:case")
	require.Error(t, err)
	_, cached := c.keys["Upper:case"]
	assert.False(t, cached, "a failure is not kept")
	for i := range 3 * maxCachedKeys {
		key, err := c.key("registry.example/app-" + strconv.Itoa(i) + ":v1")
		require.NoError(t, err)
		require.Equal(t, "registry.example/app-"+strconv.Itoa(i), key)
		require.LessOrEqual(t, len(c.keys), maxCachedKeys)
	}
}
