package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestProgressOnTerminal runs lint on a pseudo-terminal (util-linux script): progress is drawn
// on stderr and erased, and the output is the same as off a terminal, where no progress is
// written (every other test checks stderr is empty).
func TestProgressOnTerminal(t *testing.T) {
	scriptPath, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to run the binary on a pseudo-terminal")
	}
	out := filepath.Join(t.TempDir(), "out.json")
	cmd := exec.CommandContext(t.Context(), scriptPath, "-qec",
		binary+" lint -f testdata/manifests -o json --fail-on never > "+out, "/dev/null")
	terminal, err := cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, "\r\033[K1/5 files", string(terminal[:len("\r\033[K1/5 files")]))
	assert.True(t, strings.HasSuffix(string(terminal), "\r\033[K"), "the line is erased: %q", terminal)
	onTerminal, err := os.ReadFile(out)
	require.NoError(t, err)
	offTerminal := run(t, "lint", "-f", "testdata/manifests", "-o", "json", "--fail-on", "never")
	assert.Empty(t, offTerminal.stderr)
	assert.Equal(t, offTerminal.stdout, string(onTerminal))
}
