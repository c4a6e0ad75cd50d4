// Package critest gives the tests that need a real container runtime its CRI socket: the one
// .ci/containerd.sh starts, named by IMAGEPULL_CRI_SOCKET. Without it such a test is skipped,
// except under CI=true, where it fails: CI must never skip the runtime tests silently.
package critest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// SocketEnv names the environment variable that holds the CRI socket's path.
const SocketEnv = "IMAGEPULL_CRI_SOCKET"

// Socket returns the CRI socket named by [SocketEnv]. When it is unset, Socket skips the test,
// or fails it under CI=true.
func Socket(t testing.TB) string {
	t.Helper()
	socket := os.Getenv(SocketEnv)
	if socket == "" {
		const how = SocketEnv + " is unset; start a containerd with `. .ci/containerd.sh && containerd_start`"
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but " + how)
		}
		t.Skip(how)
	}
	return socket
}

// ReportSkipped says in one line, visible without -v, that pkg's runtime tests were skipped
// because [SocketEnv] is unset (and CI is not set, under which they fail instead). Call it from
// TestMain after m.Run. The go command shows a passing package's output only under -v, so the
// line goes to the terminal when there is one and otherwise, on Linux, to the standard error
// of the process that ran the test binary (the go command's) when it is a pipe, as a CI
// runner's log is, opened through /proc; failing both, to the test binary's own standard
// error (shown under -v or -json).
func ReportSkipped(pkg string) {
	if os.Getenv(SocketEnv) != "" || os.Getenv("CI") == "true" {
		return
	}
	line := pkg + ": SKIPPED the containerd tests: " + SocketEnv + " is unset (start one with `. .ci/containerd.sh && containerd_start`)"
	for _, path := range []string{"/dev/tty", "/proc/" + strconv.Itoa(os.Getppid()) + "/fd/2"} {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			continue
		}
		// A regular file (go test >log 2>&1) is not shared this way: the go command writes
		// at its own offset and would overwrite the line. A pipe or a terminal is.
		if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
			fmt.Fprintln(f, line)
			_ = f.Close()
			return
		}
		_ = f.Close()
	}
	fmt.Fprintln(os.Stderr, line)
}
