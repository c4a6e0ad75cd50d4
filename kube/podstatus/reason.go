package podstatus

import (
	"container/list"
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// MaxReasonCacheEntries is the size of the kubelet's reason cache (reason_cache.go:51).
const MaxReasonCacheEntries = 1000

// ReasonItem is the failure of a container's latest start: the waiting reason and message
// its status shows (the kubelet's ReasonItem, reason_cache.go:43, with Err.Error() as
// Reason).
type ReasonItem struct {
	Reason  string
	Message string
}

// ReasonCache is the kubelet's reason cache (reason_cache.go:38): the failure of the latest
// start of each container, keyed by pod UID and container name, in an LRU of
// [MaxReasonCacheEntries] entries; it is not persisted. It is what turns a failed
// EnsureImageExists into the container's waiting reason and message
// (kubelet_pods.go:2770-2788). It is safe for concurrent use. The zero value is not usable:
// call [NewReasonCache].
type ReasonCache struct {
	mu    sync.Mutex // protects the fields below
	max   int
	order *list.List // of *reasonEntry, most recently used first
	items map[string]*list.Element
}

type reasonEntry struct {
	key  string
	item ReasonItem
}

// NewReasonCache returns an empty cache of max entries; max <= 0 means
// [MaxReasonCacheEntries].
func NewReasonCache(max int) *ReasonCache {
	if max <= 0 {
		max = MaxReasonCacheEntries
	}
	return &ReasonCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// key is composeKey (reason_cache.go:58): "<uid>_<name>".
func reasonKey(uid types.UID, name string) string { return string(uid) + "_" + name }

// Update records the starts of one sync of the pod uid, as the kubelet does after every
// SyncPod (kubelet.go:2268, reason_cache.go:69): a failed start stores its reason and
// message, a successful one removes the container's entry.
func (c *ReasonCache) Update(uid types.UID, r *SyncResult) {
	for i := range r.Starts {
		s := &r.Starts[i]
		if s.Err != nil {
			c.Add(uid, s.Step.Name, ReasonItem{Reason: s.Reason, Message: s.Message})
		} else {
			c.Remove(uid, s.Step.Name)
		}
	}
}

// Add stores item for the container name of pod uid, evicting the least recently used entry
// when the cache is full.
func (c *ReasonCache) Add(uid types.UID, name string, item ReasonItem) {
	key := reasonKey(uid, name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*reasonEntry).item = item
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&reasonEntry{key: key, item: item})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*reasonEntry).key)
	}
}

// Remove drops the entry of the container name of pod uid.
func (c *ReasonCache) Remove(uid types.UID, name string) {
	key := reasonKey(uid, name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.Remove(e)
		delete(c.items, key)
	}
}

// Get returns the entry of the container name of pod uid, and marks it recently used.
func (c *ReasonCache) Get(uid types.UID, name string) (ReasonItem, bool) {
	key := reasonKey(uid, name)
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return ReasonItem{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*reasonEntry).item, true
}

// Len returns the number of entries.
func (c *ReasonCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
