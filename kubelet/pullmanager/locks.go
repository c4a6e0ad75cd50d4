package pullmanager

import (
	"hash/maphash"
	"sync"
)

// lockStripes is the number of mutexes a stripedLocks spreads its keys over.
const lockStripes = 64

// stripedLocks serialises work per key with a fixed set of mutexes (the kubelet's
// StripedLockSet): two keys may share a stripe, which only costs concurrency.
type stripedLocks struct {
	seed  maphash.Seed
	locks [lockStripes]sync.Mutex
}

func newStripedLocks() *stripedLocks { return &stripedLocks{seed: maphash.MakeSeed()} }

func (s *stripedLocks) stripe(key string) *sync.Mutex {
	return &s.locks[maphash.String(s.seed, key)%lockStripes]
}

// lock locks key's stripe and returns the function that unlocks it.
func (s *stripedLocks) lock(key string) (unlock func()) {
	m := s.stripe(key)
	m.Lock()
	return m.Unlock
}

// lockAll locks every stripe, in order, and returns the function that unlocks them.
func (s *stripedLocks) lockAll() (unlock func()) {
	for i := range s.locks {
		s.locks[i].Lock()
	}
	return func() {
		for i := range s.locks {
			s.locks[i].Unlock()
		}
	}
}
