package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows how far long work has come, on one line of a terminal rewritten in place,
// at most ten times a second. Off a terminal it writes nothing, so that logs and pipes get
// only the results. It is safe for concurrent use.
type progress struct {
	w     io.Writer // nil: off
	what  string    // "manifests", "images"
	total int       // 0: unknown

	mu    sync.Mutex // protects the fields below
	done  int
	last  time.Time
	shown bool
}

// newProgress returns a progress line about what, on a's stderr when it is a terminal.
func (a *app) newProgress(what string, total int) *progress {
	p := &progress{what: what, total: total}
	if a.terminal {
		p.w = a.stderr
	}
	return p
}

// step counts n more units done.
func (p *progress) step(n int) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last, p.shown = now, true
		if p.total > 0 {
			fmt.Fprintf(p.w, "\r\033[K%d/%d %s", p.done, p.total, p.what)
		} else {
			fmt.Fprintf(p.w, "\r\033[K%d %s", p.done, p.what)
		}
	}
}

// finish erases the progress line.
func (p *progress) finish() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
