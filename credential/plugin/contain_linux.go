//go:build linux

package plugin

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// pidNamespaces reports whether runs may be started in PID namespaces of their own.
const pidNamespaces = true

// markerVar names the environment entry that marks the processes of one run.
const markerVar = "IMAGEPULL_CREDENTIAL_PLUGIN_RUN"

// Bounds of a sweep: the rounds of scanning /proc and killing (a process can fork between two
// scans, and a killed process is seen again until it is gone), the pause between rounds, and
// how much of one process's environment is read.
const (
	maxSweepRounds = 500
	sweepPause     = time.Millisecond
	maxEnvironRead = 4 << 20
)

// inNamespace makes cmd start in a new PID namespace, as its init.
func inNamespace(cmd *exec.Cmd) {
	cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWPID
}

// namespaceRefused reports whether a failed start may be the PID namespace's fault: not
// permitted (EPERM: no CAP_SYS_ADMIN, or a seccomp profile), not supported (EINVAL), or too
// many namespaces (ENOSPC, EUSERS).
func namespaceRefused(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EUSERS)
}

// mark adds a random marker to cmd's environment and returns the entry.
func mark(cmd *exec.Cmd) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	entry := markerVar + "=" + hex.EncodeToString(b)
	cmd.Env = append(cmd.Env, entry)
	return entry
}

// sweep kills every process whose environment holds the entry marker, scanning /proc again
// after each round of kills until a scan finds none and every process killed has exited (or
// the rounds run out). A process exiting no longer shows its environment, so the killed ones
// are waited for by their state.
func sweep(marker string) {
	self := os.Getpid()
	var killed []int
	for range maxSweepRounds {
		pids := marked(marker, self)
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		killed = append(killed, pids...)
		killed = slices.DeleteFunc(killed, exited)
		if len(pids) == 0 && len(killed) == 0 {
			return
		}
		time.Sleep(sweepPause)
	}
}

// exited reports whether process pid is gone or a zombie (dead, not yet reaped by its parent).
func exited(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// "pid (comm) S …": comm may hold spaces and parentheses, the state follows the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return true
	}
	state := stat[i+2]
	return state == 'Z' || state == 'X' || state == 'x'
}

// marked returns the processes other than self whose environment holds the entry marker. A
// process whose environment cannot be read (another user's, or gone) is skipped; a zombie's
// environment reads empty.
func marked(marker string, self int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	want := []byte(marker)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if environHas("/proc/"+e.Name()+"/environ", want) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// environHas reports whether the NUL-separated environment file at path has the entry want.
func environHas(path string, want []byte) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	env, err := io.ReadAll(io.LimitReader(f, maxEnvironRead))
	if err != nil || !bytes.Contains(env, want) {
		return false
	}
	for entry := range bytes.SplitSeq(env, []byte{0}) {
		if bytes.Equal(entry, want) {
			return true
		}
	}
	return false
}
