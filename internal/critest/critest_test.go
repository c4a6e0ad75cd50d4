package critest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSocket(t *testing.T) {
	t.Setenv(SocketEnv, "/run/x.sock")
	assert.Equal(t, "/run/x.sock", Socket(t))
}

func TestSocketSkipsWithoutCI(t *testing.T) {
	t.Setenv(SocketEnv, "")
	t.Setenv("CI", "")
	ran := t.Run("inner", func(t *testing.T) {
		Socket(t)
		t.Error("not reached: Socket skips")
	})
	assert.True(t, ran, "a skipped subtest counts as passed")
}
