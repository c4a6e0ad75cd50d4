package controlplane

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcessStop(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// wantExited says whether the process ends by itself before stop.
		wantExited bool
	}{
		{"stops on SIGTERM", []string{"-c", "echo started; exec sleep 60"}, false},
		{"ignores SIGTERM, is killed after the grace", []string{"-c", "trap '' TERM; echo started; sleep 60 & wait"}, false},
		{"already exited", []string{"-c", "echo started; exit 3"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := start("sh", "/bin/sh", filepath.Join(t.TempDir(), "log"), tt.args...)
			require.NoError(t, err)
			require.Eventually(t, func() bool { return strings.Contains(p.tail(100), "started") }, 10*time.Second, 10*time.Millisecond)
			if tt.wantExited {
				require.Eventually(t, func() bool { gone, _ := p.exited(); return gone }, 10*time.Second, 10*time.Millisecond)
				_, err := p.exited()
				assert.EqualError(t, err, "exit status 3")
			} else {
				gone, _ := p.exited()
				assert.False(t, gone)
			}
			require.NoError(t, p.stop(200*time.Millisecond))
			gone, _ := p.exited()
			assert.True(t, gone)
			assert.Empty(t, living(t, p.cmd.Process.Pid), "nothing of its process group is left running")
			require.NoError(t, p.stop(time.Second), "stopping twice is fine")
		})
	}
}

func TestProcessTail(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	p, err := start("sh", "/bin/sh", log, "-c", "printf 'first line\\nsecond line\\nthird\\n'")
	require.NoError(t, err)
	require.Eventually(t, func() bool { gone, _ := p.exited(); return gone }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, "first line\nsecond line\nthird\n", p.tail(1000))
	assert.Equal(t, "third\n", p.tail(10), "cut at a line start")
	require.NoError(t, os.Remove(log))
	assert.Contains(t, p.tail(10), "no such file or directory")
}

func TestStartMissingBinary(t *testing.T) {
	_, err := start("nope", filepath.Join(t.TempDir(), "nope"), filepath.Join(t.TempDir(), "log"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "controlplane: starting nope:")
}

func TestFreePorts(t *testing.T) {
	ports, err := freePorts(5)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, p := range ports {
		assert.Positive(t, p)
		assert.False(t, seen[p], "distinct")
		seen[p] = true
	}
	assert.Equal(t, "127.0.0.1:8443", hostPort(8443))
}

// living returns the processes of process group pgid that are not zombies, from /proc.
func living(t *testing.T, pgid int) []string {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	require.NoError(t, err)
	var out []string
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid pgrp …; comm may hold spaces, so split after its ')'.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 2 && fields[2] == strconv.Itoa(pgid) && fields[0] != "Z" {
			out = append(out, s[:strings.LastIndexByte(s, ')')+1])
		}
	}
	return out
}
