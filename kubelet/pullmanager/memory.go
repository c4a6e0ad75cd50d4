package pullmanager

import (
	"cmp"
	"slices"
	"sync"
)

var _ PullRecords = (*MemoryRecords)(nil)

// MemoryRecords is an in-memory [PullRecords]: the records live as long as the process. It is
// what a [Manager] uses when given none. The zero MemoryRecords is not usable; call
// [NewMemoryRecords]. A MemoryRecords is safe for concurrent use.
type MemoryRecords struct {
	mu      sync.RWMutex
	intents map[string]struct{}     // protected by mu
	pulled  map[string]PulledRecord // protected by mu; values are never shared with callers
}

// NewMemoryRecords returns an empty MemoryRecords.
func NewMemoryRecords() *MemoryRecords {
	return &MemoryRecords{intents: make(map[string]struct{}), pulled: make(map[string]PulledRecord)}
}

// ListPullIntents returns every intent, sorted by image.
func (m *MemoryRecords) ListPullIntents() ([]PullIntent, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]PullIntent, 0, len(m.intents))
	for image := range m.intents {
		out = append(out, PullIntent{Image: image})
	}
	slices.SortFunc(out, func(a, b PullIntent) int { return cmp.Compare(a.Image, b.Image) })
	return out, nil
}

// PullIntentExists reports whether an intent for image exists.
func (m *MemoryRecords) PullIntentExists(image string) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.intents[image]
	return ok, nil
}

// WritePullIntent stores an intent for image.
func (m *MemoryRecords) WritePullIntent(image string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.intents[image] = struct{}{}
	return nil
}

// DeletePullIntent removes the intent for image.
func (m *MemoryRecords) DeletePullIntent(image string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.intents, image)
	return nil
}

// ListPulledRecords returns a copy of every record, sorted by ImageRef.
func (m *MemoryRecords) ListPulledRecords() ([]PulledRecord, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]PulledRecord, 0, len(m.pulled))
	for _, r := range m.pulled {
		out = append(out, r.Clone())
	}
	slices.SortFunc(out, func(a, b PulledRecord) int { return cmp.Compare(a.ImageRef, b.ImageRef) })
	return out, nil
}

// GetPulledRecord returns a copy of the record for imageRef.
func (m *MemoryRecords) GetPulledRecord(imageRef string) (PulledRecord, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.pulled[imageRef]
	return r.Clone(), ok, nil
}

// WritePulledRecord stores a copy of rec.
func (m *MemoryRecords) WritePulledRecord(rec PulledRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pulled[rec.ImageRef] = rec.Clone()
	return nil
}

// DeletePulledRecord removes the record for imageRef.
func (m *MemoryRecords) DeletePulledRecord(imageRef string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pulled, imageRef)
	return nil
}
