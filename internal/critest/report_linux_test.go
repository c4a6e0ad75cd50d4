package critest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReportSkippedReachesTheLog: without a terminal, the SKIPPED line reaches the standard
// error of the process that ran the test binary (the go command's, which a CI job logs), not
// only the test binary's own, which the go command drops for a passing package. The test
// runs this binary under a shell in a new session (no controlling terminal), with the
// binary's own os.Stderr discarded, and reads the shell's standard error.
func TestReportSkippedReachesTheLog(t *testing.T) {
	if os.Getenv("CRITEST_REPORT_HELPER") == "1" {
		devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		require.NoError(t, err)
		os.Stderr = devNull // the binary's own standard error, which the go command would drop
		ReportSkipped("some/pkg")
		return
	}
	for _, tc := range []struct {
		name   string
		toFile bool
		want   string
	}{
		{"a pipe, as a CI runner's log", false, "some/pkg: SKIPPED the containerd tests: " + SocketEnv + " is unset (start one with `. .ci/containerd.sh && containerd_start`)\nafter\n"},
		// A file the shell writes at its own offset: writing there would be overwritten.
		{"a regular file", true, "after\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Not the last command, so that sh does not exec it: the shell stays its parent.
			cmd := exec.Command("/bin/sh", "-c", `"$0" -test.run='^TestReportSkippedReachesTheLog$' >/dev/null; echo after >&2; exit $?`, os.Args[0])
			cmd.Env = append(os.Environ(), "CRITEST_REPORT_HELPER=1", SocketEnv+"=", "CI=")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no /dev/tty
			var stderr bytes.Buffer
			var file *os.File
			if tc.toFile {
				var err error
				file, err = os.Create(filepath.Join(t.TempDir(), "log"))
				require.NoError(t, err)
				defer file.Close()
				cmd.Stderr = file
			} else {
				cmd.Stderr = &stderr
			}
			require.NoError(t, cmd.Run())
			got := stderr.String()
			if tc.toFile {
				data, err := os.ReadFile(file.Name())
				require.NoError(t, err)
				got = string(data)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
