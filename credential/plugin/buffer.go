package plugin

import (
	"errors"
	"strconv"
)

// errOutputLimit is returned by a limitedBuffer's Write once its limit is passed.
var errOutputLimit = errors.New("output limit reached")

// limitedBuffer collects what a process writes, up to max bytes. Past the limit it either
// fails the write (and calls onOverflow once), so that a plugin printing without end is
// stopped, or, when onOverflow is nil, keeps the first max bytes and counts the rest. It is
// written by one goroutine (os/exec's copier) and read after the process is waited for.
type limitedBuffer struct {
	max        int
	onOverflow func()
	buf        []byte
	dropped    int64
	overflowed bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	room := b.max - len(b.buf)
	if len(p) <= room {
		b.buf = append(b.buf, p...)
		return len(p), nil
	}
	b.buf = append(b.buf, p[:max(room, 0)]...)
	b.dropped += int64(len(p) - max(room, 0))
	if b.onOverflow == nil {
		return len(p), nil
	}
	if !b.overflowed {
		b.overflowed = true
		b.onOverflow()
	}
	return max(room, 0), errOutputLimit
}

// String returns what was kept, with a note of how much was dropped.
func (b *limitedBuffer) String() string {
	if b.dropped == 0 {
		return string(b.buf)
	}
	return string(b.buf) + "… [" + strconv.FormatInt(b.dropped, 10) + " more bytes]"
}
