package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestProgress: progress is drawn on a terminal and erased at the end; off a terminal nothing
// is written at all.
func TestProgress(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		var stderr bytes.Buffer
		a := newApp(nil, nil, &stderr, terminal)
		p := a.newProgress("images", 3)
		p.step(1)
		p.last = time.Time{} // the next step draws again
		p.step(2)
		p.finish()
		if !terminal {
			assert.Empty(t, stderr.String())
			continue
		}
		assert.Equal(t, "\r\033[K1/3 images\r\033[K3/3 images\r\033[K", stderr.String())
	}
}
