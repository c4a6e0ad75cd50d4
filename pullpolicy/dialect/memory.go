package dialect

import (
	"context"
	"sync"
)

// PullMemory remembers which image names a node has pulled successfully, for ECS's once.
// The name is the image as the task names it ([reference.Image.Original]): the agent matches
// names as written, so "nginx" and "nginx:latest" are two names. Implementations must be safe
// for concurrent use.
type PullMemory interface {
	// Pulled reports whether name was recorded.
	Pulled(ctx context.Context, name string) (bool, error)
	// RecordPull records that name was pulled successfully.
	RecordPull(ctx context.Context, name string) error
}

var _ PullMemory = (*MemoryPulls)(nil)

// MemoryPulls is an in-memory [PullMemory]. It holds one entry per distinct name recorded,
// until [MemoryPulls.Forget] (the ECS agent forgets an image when its cleanup removes it).
// The zero value is ready to use; a MemoryPulls is safe for concurrent use.
type MemoryPulls struct {
	mu    sync.RWMutex        // protects names
	names map[string]struct{} // created on the first record
}

// Pulled reports whether name was recorded. It returns ctx.Err() when ctx is done.
func (m *MemoryPulls) Pulled(ctx context.Context, name string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.names[name]
	return ok, nil
}

// RecordPull records name. It returns ctx.Err() when ctx is done, and records nothing then.
func (m *MemoryPulls) RecordPull(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names == nil {
		m.names = make(map[string]struct{})
	}
	m.names[name] = struct{}{}
	return nil
}

// Forget removes name, as when the image is deleted from the node.
func (m *MemoryPulls) Forget(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.names, name)
}

// Len returns the number of names recorded.
func (m *MemoryPulls) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.names)
}
