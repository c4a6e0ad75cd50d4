package cache

import (
	"container/list"
	"hash/maphash"
	"sync"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

var (
	_ pullmanager.PullRecords   = (*CachedRecords)(nil)
	_ pullmanager.UsageReporter = (*CachedRecords)(nil)
)

// The kubelet's caps on its pull-record caches (mem_pullrecords.go:102), and the sizes it asks
// for with its default configuration (kuberuntime_manager.go:345: 2 × maxPods intents and
// 5 × maxPods records, maxPods 110, maxParallelImagePulls unset).
const (
	maxCachedIntents     = 1024
	maxCachedRecords     = 2000
	defaultCachedIntents = 2 * 110
	defaultCachedRecords = 5 * 110
)

// CachedRecordsOptions sizes a [CachedRecords] as the kubelet sizes its cache from its
// configuration: MaxIntents = max(2 × maxPods, 2 × maxParallelImagePulls), MaxRecords =
// 5 × maxPods. Zero fields mean the kubelet's default configuration (220 intents, 550
// records); values above the kubelet's caps (1024 intents, 2000 records) mean those caps.
type CachedRecordsOptions struct {
	MaxIntents int
	MaxRecords int
}

// CachedRecords is a write-through LRU cache in front of another [pullmanager.PullRecords],
// typically a [FileRecords] (the kubelet's cachedPullRecordsAccessor). Hits are answered from
// memory. After a complete, error-free listing that fits in the cache, the cache is
// authoritative: a miss is answered "absent" without asking the store, until an eviction ends
// that. Writes and deletes go to the store first and reach the cache only if they succeed; an
// unreadable record is never cached. A CachedRecords is safe for concurrent use; the store must
// not be changed behind its back.
type CachedRecords struct {
	next        pullmanager.PullRecords
	intentLocks *keyLocks
	recordLocks *keyLocks
	intents     *lru[struct{}]
	records     *lru[pullmanager.PulledRecord]
}

// NewCachedRecords returns a cache in front of next (nil opts means the kubelet's default sizes) and
// warms it by listing next; a listing error leaves it non-authoritative.
func NewCachedRecords(next pullmanager.PullRecords, opts *CachedRecordsOptions) *CachedRecords {
	var o CachedRecordsOptions
	if opts != nil {
		o = *opts
	}
	size := func(n, def, limit int) int {
		if n <= 0 {
			return def
		}
		return min(n, limit)
	}
	c := &CachedRecords{
		next:        next,
		intentLocks: newKeyLocks(),
		recordLocks: newKeyLocks(),
		intents:     newLRU[struct{}](size(o.MaxIntents, defaultCachedIntents, maxCachedIntents)),
		records:     newLRU[pullmanager.PulledRecord](size(o.MaxRecords, defaultCachedRecords, maxCachedRecords)),
	}
	_, _ = c.ListPullIntents()
	_, _ = c.ListPulledRecords()
	return c
}

// ListPullIntents lists the store, refreshing the cache when it is not authoritative.
func (c *CachedRecords) ListPullIntents() ([]pullmanager.PullIntent, error) {
	return refreshingList(c.intents, c.intentLocks, c.next.ListPullIntents,
		func(i pullmanager.PullIntent) (string, struct{}) { return i.Image, struct{}{} })
}

// PullIntentExists answers from the cache when it can.
func (c *CachedRecords) PullIntentExists(image string) (bool, error) {
	if _, ok := c.intents.get(image); ok {
		return true, nil
	}
	defer c.intentLocks.lock(image)()
	if _, ok := c.intents.get(image); ok {
		return true, nil
	}
	if c.intents.isAuthoritative() {
		return false, nil
	}
	ok, err := c.next.PullIntentExists(image)
	if err == nil && ok {
		c.intents.set(image, struct{}{})
	}
	return ok, err
}

// WritePullIntent writes through.
func (c *CachedRecords) WritePullIntent(image string) error {
	defer c.intentLocks.lock(image)()
	if err := c.next.WritePullIntent(image); err != nil {
		return err
	}
	c.intents.set(image, struct{}{})
	return nil
}

// DeletePullIntent deletes through.
func (c *CachedRecords) DeletePullIntent(image string) error {
	defer c.intentLocks.lock(image)()
	if err := c.next.DeletePullIntent(image); err != nil {
		return err
	}
	c.intents.remove(image)
	return nil
}

// ListPulledRecords lists the store, refreshing the cache when it is not authoritative.
func (c *CachedRecords) ListPulledRecords() ([]pullmanager.PulledRecord, error) {
	return refreshingList(c.records, c.recordLocks, c.next.ListPulledRecords,
		func(r pullmanager.PulledRecord) (string, pullmanager.PulledRecord) { return r.ImageRef, r.Clone() })
}

// GetPulledRecord answers from the cache when it can; the record returned is a copy.
func (c *CachedRecords) GetPulledRecord(imageRef string) (pullmanager.PulledRecord, bool, error) {
	if r, ok := c.records.get(imageRef); ok {
		return r.Clone(), true, nil
	}
	defer c.recordLocks.lock(imageRef)()
	if r, ok := c.records.get(imageRef); ok {
		return r.Clone(), true, nil
	}
	if c.records.isAuthoritative() {
		return pullmanager.PulledRecord{}, false, nil
	}
	r, ok, err := c.next.GetPulledRecord(imageRef)
	if err == nil && ok {
		c.records.set(imageRef, r.Clone())
	}
	return r, ok, err
}

// WritePulledRecord writes through.
func (c *CachedRecords) WritePulledRecord(rec pullmanager.PulledRecord) error {
	defer c.recordLocks.lock(rec.ImageRef)()
	if err := c.next.WritePulledRecord(rec); err != nil {
		return err
	}
	c.records.set(rec.ImageRef, rec.Clone())
	return nil
}

// DeletePulledRecord deletes through.
func (c *CachedRecords) DeletePulledRecord(imageRef string) error {
	defer c.recordLocks.lock(imageRef)()
	if err := c.next.DeletePulledRecord(imageRef); err != nil {
		return err
	}
	c.records.remove(imageRef)
	return nil
}

// Usage reports how full the cache is: the intents and records it holds in memory and its
// sizes (the kubelet's kubelet_imagemanager_inmemory_*_usage_percent metrics). It implements
// [pullmanager.UsageReporter].
func (c *CachedRecords) Usage() (pullmanager.Usage, error) {
	return pullmanager.Usage{
		Intents: c.intents.len(), IntentsCapacity: c.intents.max,
		Records: c.records.len(), RecordsCapacity: c.records.max,
	}, nil
}

// refreshingList lists through list; when the cache was not authoritative it does so under
// every key lock and refills the cache, which becomes authoritative if the listing was
// complete and fits.
func refreshingList[T, V any](c *lru[V], locks *keyLocks, list func() ([]T, error), entry func(T) (string, V)) ([]T, error) {
	if c.isAuthoritative() {
		return list()
	}
	defer locks.lockAll()()
	items, err := list()
	complete := err == nil && len(items) < c.max
	if complete || c.len() == 0 {
		reset(c, items[:min(len(items), c.max)], entry, complete)
	}
	return items, err
}

// lru is a size-bounded map that forgets its least recently used entry, safe for concurrent
// use.
type lru[V any] struct {
	max           int
	mu            sync.Mutex
	order         *list.List               // of *lruEntry[V], most recent first; protected by mu
	byKey         map[string]*list.Element // protected by mu
	authoritative bool                     // protected by mu; false after any eviction
}

type lruEntry[V any] struct {
	key   string
	value V
}

func newLRU[V any](size int) *lru[V] {
	return &lru[V]{max: size, order: list.New(), byKey: make(map[string]*list.Element)}
}

func (c *lru[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry[V]).value, true
}

func (c *lru[V]) set(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(key, v)
}

func (c *lru[V]) setLocked(key string, v V) {
	if e, ok := c.byKey[key]; ok {
		e.Value.(*lruEntry[V]).value = v
		c.order.MoveToFront(e)
		return
	}
	c.byKey[key] = c.order.PushFront(&lruEntry[V]{key: key, value: v})
	if c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byKey, oldest.Value.(*lruEntry[V]).key)
		c.authoritative = false
	}
}

func (c *lru[V]) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.order.Remove(e)
		delete(c.byKey, key)
	}
}

func (c *lru[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func (c *lru[V]) isAuthoritative() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.authoritative
}

func reset[T, V any](c *lru[V], items []T, entry func(T) (string, V), authoritative bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.byKey)
	for _, it := range items {
		c.setLocked(entry(it))
	}
	c.authoritative = authoritative
}

// keyLocks serialises store work per key with a fixed set of mutexes.
type keyLocks struct {
	seed  maphash.Seed
	locks [64]sync.Mutex
}

func newKeyLocks() *keyLocks { return &keyLocks{seed: maphash.MakeSeed()} }

func (k *keyLocks) lock(key string) (unlock func()) {
	m := &k.locks[maphash.String(k.seed, key)%uint64(len(k.locks))]
	m.Lock()
	return m.Unlock
}

func (k *keyLocks) lockAll() (unlock func()) {
	for i := range k.locks {
		k.locks[i].Lock()
	}
	return func() {
		for i := range k.locks {
			k.locks[i].Unlock()
		}
	}
}
