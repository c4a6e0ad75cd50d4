package webhook

import "sync"

// budget bounds the bytes of the reviews in flight. A review takes its body's size (its
// Content-Length, else the size limit) before it is read and gives it back once answered; a
// review that does not fit is refused at once rather than queued, so that a flood costs the
// webhook neither memory nor waiting goroutines. A review always fits when nothing else is in
// flight, so a budget smaller than one review still serves them one at a time.
type budget struct {
	mu    sync.Mutex
	max   int64
	taken int64
}

// newBudget returns a budget of max bytes.
func newBudget(max int64) *budget { return &budget{max: max} }

// take reports whether n more bytes fit, and takes them if so.
func (b *budget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.taken > 0 && b.taken+n > b.max {
		return false
	}
	b.taken += n
	return true
}

// give returns n bytes taken before.
func (b *budget) give(n int64) {
	b.mu.Lock()
	b.taken -= n
	b.mu.Unlock()
}
