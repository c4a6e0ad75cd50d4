package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/imagepull/imagepull/internal/critest"
	"github.com/stretchr/testify/require"
)

// update rewrites the golden files from the current output: go test ./cmd/imagepull -update.
var update = flag.Bool("update", false, "rewrite testdata/golden/*.txt from the current output")

// binary is the imagepull command built once for all tests, run as a user runs it;
// fakePlugin is credential/plugin's test plugin, a kubelet credential provider.
var binary, fakePlugin string

// runTimeout bounds one run of the binary.
const runTimeout = 2 * time.Minute

func TestMain(m *testing.M) {
	flag.Parse()
	if w := flag.Lookup("test.fuzzworker"); w != nil && w.Value.String() == "true" {
		// A fuzzing worker runs only a fuzz target, which calls the reading code in process:
		// no binary to build (the coordinator built it, for the tests it runs).
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "imagepull-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "imagepull")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	// -buildvcs=auto first, whatever GOFLAGS says (.ci/run turns it off): in a clone the
	// binary carries its commit, as one built by go install does, for TestVersion. Where git
	// cannot tell the status (a repository owned by another user), the build is made without.
	withVCS := append([]string{"build", "-buildvcs=auto"}, args[1:]...)
	if out, err := exec.Command("go", append(withVCS, ".")...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build -buildvcs=auto failed, building without VCS information: %v\n%s", err, out)
	} else {
		args = nil
	}
	fakePlugin = filepath.Join(dir, "fakeplugin")
	builds := [][]string{{"build", "-o", fakePlugin, "../../credential/plugin/testdata/fakeplugin"}}
	if args != nil {
		builds = append(builds, append(args, "."))
	}
	for _, build := range builds {
		if out, err := exec.Command("go", build...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go %v: %v\n%s", build, err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	critest.ReportSkipped("cmd/imagepull")
	os.Exit(code)
}

// result is what one run of the binary gave.
type result struct {
	stdout, stderr string
	code           int
}

// run runs the binary with args and no input.
func run(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, "", args...)
}

// runWith runs the binary with args and stdin, in the test's directory, bounded in time.
func runWith(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runAt(t, "", stdin, nil, args...)
}

// runIn runs the binary with args in dir.
func runIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runAt(t, dir, "", nil, args...)
}

// runEnv runs the binary with args and env added to the test's environment.
func runEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runAt(t, "", "", env, args...)
}

// runAt runs the binary with args in dir ("" the test's), with stdin, and with env added to
// the test's environment (nil: the environment as it is), bounded in time.
func runAt(t *testing.T, dir, stdin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		require.NoError(t, err, "running %v", args)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

// placeholders replaces what changes from run to run (ports, temporary directories,
// durations) with fixed words, so that output can be compared with a golden file.
type placeholders []struct{ old, new string }

func (p placeholders) apply(s string) string {
	for _, r := range p {
		if r.old != "" {
			s = strings.ReplaceAll(s, r.old, r.new)
		}
	}
	return durationRE.ReplaceAllString(s, "DURATION")
}

// durationRE matches the Go durations a message may carry ("1.234s", "15ms", "2m3s").
var durationRE = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m\d+(\.\d+)?s|h\d+m\d+(\.\d+)?s)\b`)

// golden compares got with testdata/golden/name.txt, or rewrites the file under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file: run go test ./cmd/imagepull -update")
	require.Equal(t, string(want), got, "output differs from %s (go test ./cmd/imagepull -update rewrites it)", path)
}

// localIDRE matches a local image ID in decide's output: it is the runtime's (or derived from
// the names given).
var localIDRE = regexp.MustCompile(`UseLocal sha256:[0-9a-f]{64}`)

// digestRE matches a sha256 digest in output, for digests the test cannot know (a manifest
// digest containerd computed).
var digestRE = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
