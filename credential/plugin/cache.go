package plugin

import (
	"strings"
	"sync"
	"time"
)

const (
	// globalCacheKey is the base key of a Global answer; the brackets keep it apart from any
	// image or registry.
	globalCacheKey = "<global>"
	// purgeInterval is how often, at most, a lookup sweeps expired entries (the kubelet's).
	purgeInterval = 15 * time.Minute
	// DefaultMaxCacheEntries bounds the cached answers of one provider.
	DefaultMaxCacheEntries = 1024
	// maxCacheBytes bounds the approximate size of one provider's cached answers.
	maxCacheBytes = 32 << 20
	// entryOverhead is the approximate fixed cost of a cached answer and of each credential.
	entryOverhead = 128
)

// cacheKey is the key of a cached answer: the image, its registry or globalCacheKey, and the
// service-account part (empty outside service-account mode).
type cacheKey struct {
	base, serviceAccount string
}

type cacheEntry struct {
	answer  *answer
	expires time.Time
	size    int
}

// credentialCache holds one provider's answers until they expire, as the kubelet's
// expiration store does, within an entry and a byte budget. It is safe for concurrent use.
type credentialCache struct {
	now        func() time.Time
	maxEntries int

	mu        sync.Mutex // protects the fields below
	entries   map[cacheKey]*cacheEntry
	bytes     int
	lastPurge time.Time
}

func newCredentialCache(now func() time.Time, maxEntries int) *credentialCache {
	return &credentialCache{now: now, maxEntries: maxEntries, entries: make(map[cacheKey]*cacheEntry), lastPurge: now()}
}

// get returns the cached answer for image: under the image, then its registry, then the
// global key, each with the service-account part. An expired entry is removed, not returned
// (an entry is still valid at the very instant it expires, as in the kubelet).
func (c *credentialCache) get(image, serviceAccount string) (*answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if now.After(c.lastPurge.Add(purgeInterval)) {
		c.purgeLocked(now)
		c.lastPurge = now
	}
	for _, base := range [...]string{image, registryOf(image), globalCacheKey} {
		k := cacheKey{base, serviceAccount}
		e, ok := c.entries[k]
		if !ok {
			continue
		}
		if now.After(e.expires) {
			c.removeLocked(k, e)
			continue
		}
		return e.answer, true
	}
	return nil, false
}

// put caches a under k until expires. When the cache is full, expired entries go first,
// then those that expire soonest.
func (c *credentialCache) put(k cacheKey, a *answer, expires time.Time) {
	size := entryOverhead + len(k.base) + len(k.serviceAccount)
	for _, e := range a.entries {
		size += entryOverhead + len(e.Location) + len(e.Credential.Username) + len(e.Credential.Password)
	}
	if size > maxCacheBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k]; ok {
		c.removeLocked(k, old)
	}
	if len(c.entries) >= c.maxEntries || c.bytes+size > maxCacheBytes {
		c.purgeLocked(c.now())
	}
	for len(c.entries) >= c.maxEntries || c.bytes+size > maxCacheBytes {
		c.evictSoonestLocked()
	}
	c.entries[k] = &cacheEntry{answer: a, expires: expires, size: size}
	c.bytes += size
}

// len returns the number of entries held, expired or not.
func (c *credentialCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *credentialCache) purgeLocked(now time.Time) {
	for k, e := range c.entries {
		if now.After(e.expires) {
			c.removeLocked(k, e)
		}
	}
}

func (c *credentialCache) evictSoonestLocked() {
	var victim cacheKey
	var soonest *cacheEntry
	for k, e := range c.entries {
		if soonest == nil || e.expires.Before(soonest.expires) {
			victim, soonest = k, e
		}
	}
	if soonest != nil {
		c.removeLocked(victim, soonest)
	}
}

func (c *credentialCache) removeLocked(k cacheKey, e *cacheEntry) {
	delete(c.entries, k)
	c.bytes -= e.size
}

// registryOf returns the registry of an image as the kubelet's Registry cache key has it:
// everything before the first "/".
func registryOf(image string) string {
	registry, _, _ := strings.Cut(image, "/")
	return registry
}
