package credential

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"sync/atomic"
)

// SecretsCache remembers the keyrings [FromSecrets] builds, by the content of the Secrets:
// their coordinates, their type and the data FromSecrets reads. A pod whose Secrets were seen
// before gets the same immutable keyring without parsing or hashing again; any change to a
// Secret (a rotation, another UID) is another key. Errors are remembered too. The key is the
// SHA-256 of that content, so that no two different sets of Secrets share a keyring. At most
// max sets are kept; past that, arbitrary entries are dropped. A SecretsCache is safe for
// concurrent use; lookups that hit take no lock (so they scale with cores) and allocate nothing.
type SecretsCache struct {
	max  int
	pool sync.Pool // *[]byte: the encoding buffer of a key

	entries sync.Map     // [sha256.Size]byte → cachedKeyring
	size    atomic.Int64 // entries stored, about
	evictMu sync.Mutex   // one eviction at a time
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
	return &SecretsCache{max: max}
}

// FromSecrets returns [FromSecrets](secrets), from the cache when the same content was seen.
// The keyring is shared: keyrings are immutable.
func (c *SecretsCache) FromSecrets(secrets []Secret) (*Keyring, error) {
	if len(secrets) == 0 {
		return FromSecrets(nil)
	}
	key := c.key(secrets)
	if e, ok := c.entries.Load(key); ok {
		e := e.(cachedKeyring)
		return e.ring, e.err
	}
	ring, err := FromSecrets(secrets)
	if _, loaded := c.entries.LoadOrStore(key, cachedKeyring{ring, err}); !loaded && c.size.Add(1) > int64(c.max) {
		c.evict()
	}
	return ring, err
}

// evict drops arbitrary entries (sync.Map's order is not the insertion order) down to 3/4 of
// max.
func (c *SecretsCache) evict() {
	c.evictMu.Lock()
	defer c.evictMu.Unlock()
	c.entries.Range(func(k, _ any) bool {
		if c.size.Load() <= int64(c.max*3/4) {
			return false
		}
		if _, ok := c.entries.LoadAndDelete(k); ok {
			c.size.Add(-1)
		}
		return true
	})
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
