package pullmanager

import (
	"hash/maphash"
	"sync"
)

// lockStripes is the number of mutexes a stripedLocks spreads its keys over.
const lockStripes = 64

// stripedLocks serialises work per key with a fixed set of read-write mutexes (the kubelet's
// StripedLockSet, with shared locking for readers): two keys may share a stripe, which only
// costs concurrency. Decisions that only read the records take the shared lock, so that any
// number of pods may be checked against one image at once; writes take the exclusive lock.
type stripedLocks struct {
	seed  maphash.Seed
	locks [lockStripes]sync.RWMutex
}

func newStripedLocks() *stripedLocks { return &stripedLocks{seed: maphash.MakeSeed()} }

// stripe returns key's mutex.
func (s *stripedLocks) stripe(key string) *sync.RWMutex {
	return &s.locks[maphash.String(s.seed, key)%lockStripes]
}

// lockAll locks every stripe, in order.
func (s *stripedLocks) lockAll() {
	for i := range s.locks {
		s.locks[i].Lock()
	}
}

// unlockAll unlocks every stripe.
func (s *stripedLocks) unlockAll() {
	for i := range s.locks {
		s.locks[i].Unlock()
	}
}
