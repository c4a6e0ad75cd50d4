package credential

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// SecretsCache remembers the keyrings [FromSecrets] builds, by the content of the Secrets:
// their coordinates, their type and the data FromSecrets reads. A pod whose Secrets were seen
// before gets the same immutable keyring without parsing or hashing again; any change to a
// Secret (a rotation, another UID) is another key. Errors are remembered too. The key is the
// SHA-256 of that content, so that no two different sets of Secrets share a keyring. At most
// max sets are kept; past that, arbitrary entries are dropped. A SecretsCache is safe for
// concurrent use; lookups that hit take a shared lock and allocate nothing.
type SecretsCache struct {
	max  int
	pool sync.Pool // *[]byte: the encoding buffer of a key

	mu      sync.RWMutex // protects entries
	entries map[[sha256.Size]byte]cachedKeyring
}

type cachedKeyring struct {
	ring *Keyring
	err  error
}

// DefaultSecretsCacheSize is the number of sets of Secrets a [SecretsCache] keeps when asked
// for 0 or fewer.
const DefaultSecretsCacheSize = 4096

// NewSecretsCache returns a cache of at most max sets of Secrets (max ≤ 0 means
// [DefaultSecretsCacheSize]).
func NewSecretsCache(max int) *SecretsCache {
	if max <= 0 {
		max = DefaultSecretsCacheSize
	}
	return &SecretsCache{max: max, entries: make(map[[sha256.Size]byte]cachedKeyring)}
}

// FromSecrets returns [FromSecrets](secrets), from the cache when the same content was seen.
// The keyring is shared: keyrings are immutable.
func (c *SecretsCache) FromSecrets(secrets []Secret) (*Keyring, error) {
	if len(secrets) == 0 {
		return FromSecrets(nil)
	}
	key := c.key(secrets)
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if ok {
		return e.ring, e.err
	}
	ring, err := FromSecrets(secrets)
	c.mu.Lock()
	if len(c.entries) >= c.max {
		for k := range c.entries { // Go's map order is random: a random eviction
			delete(c.entries, k)
			if len(c.entries) < c.max*3/4 {
				break
			}
		}
	}
	c.entries[key] = cachedKeyring{ring, err}
	c.mu.Unlock()
	return ring, err
}

// key is the SHA-256 of every field FromSecrets reads, each length-prefixed, in order.
func (c *SecretsCache) key(secrets []Secret) [sha256.Size]byte {
	bp, _ := c.pool.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b := (*bp)[:0]
	for i := range secrets {
		s := &secrets[i]
		b = appendField(b, s.Namespace)
		b = appendField(b, s.Name)
		b = appendField(b, s.UID)
		b = appendField(b, s.Type)
		b = appendField(b, s.Data[DockerConfigJSONKey])
		b = appendField(b, s.Data[DockercfgKey])
	}
	sum := sha256.Sum256(b)
	if cap(b) <= 1<<20 { // do not pin a huge buffer
		*bp = b
		c.pool.Put(bp)
	}
	return sum
}

// appendField appends f to b, prefixed with its length.
func appendField[T string | []byte](b []byte, f T) []byte {
	b = binary.AppendUvarint(b, uint64(len(f)))
	return append(b, f...)
}
