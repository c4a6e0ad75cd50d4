package logbuf

import (
	"bytes"
	"sync"
)

// Buffer collects writes; its zero value is empty and ready. It is safe for concurrent use.
type Buffer struct {
	mu  sync.Mutex // protects buf
	buf bytes.Buffer
}

// Write appends p; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
