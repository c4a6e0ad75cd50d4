package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVersion: version and --version print the same build information, and it is what the
// Go toolchain reads from the binary (go version -m): the module's version, the VCS
// revision, time and modified flag when the binary was built in a clone, the Go version.
func TestVersion(t *testing.T) {
	text := run(t, "version")
	require.Equal(t, exitOK, text.code, text.stderr)
	assert.Empty(t, text.stderr)
	for _, args := range [][]string{{"--version"}, {"-version"}} {
		same := run(t, args...)
		require.Equal(t, exitOK, same.code, same.stderr)
		assert.Equal(t, text.stdout, same.stdout, "%v prints what version prints", args)
	}
	res := run(t, "version", "-o", "json")
	require.Equal(t, exitOK, res.code, res.stderr)
	var got versionInfo
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &got), res.stdout)

	out, err := exec.CommandContext(t.Context(), "go", "version", "-m", binary).Output()
	require.NoError(t, err)
	want := versionInfo{Platform: got.Platform}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && strings.HasSuffix(f[0], ":"):
			want.Go = f[1]
		case len(f) >= 3 && f[0] == "mod":
			want.Module, want.Version = f[1], f[2]
		case len(f) == 2 && f[0] == "build":
			key, value, _ := strings.Cut(f[1], "=")
			switch key {
			case "vcs.revision":
				want.Revision = value
			case "vcs.time":
				want.Time = value
			case "vcs.modified":
				want.Modified = value == "true"
			case "GOOS":
				want.Platform = value + want.Platform[strings.IndexByte(want.Platform, '/'):]
			}
		}
	}
	assert.Equal(t, want, got)
	assert.Equal(t, "github.com/imagepull/imagepull", got.Module)
	var buf bytes.Buffer
	require.NoError(t, got.writeText(&buf))
	assert.Equal(t, buf.String(), text.stdout)
	if got.Revision != "" {
		head, err := exec.CommandContext(t.Context(), "git", "rev-parse", "HEAD").Output()
		require.NoError(t, err)
		assert.Equal(t, strings.TrimSpace(string(head)), got.Revision)
		assert.Contains(t, got.Version, got.Revision[:12], "the pseudo-version names the commit")
	}
}

// TestVersionText: the text form, with and without VCS information.
func TestVersionText(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    versionInfo
		want string
	}{
		{"a clone", versionInfo{Module: "github.com/imagepull/imagepull", Version: "v0.0.0-20261204230603-0e19df3e62fd+dirty",
			Revision: "0e19df3e62fd34cde942bcdae97e57146751dae6", Time: "2026-12-04T23:06:03Z", Modified: true, Go: "go1.26.8", Platform: "linux/amd64"},
			"imagepull v0.0.0-20261204230603-0e19df3e62fd+dirty\n  module:   github.com/imagepull/imagepull\n" +
				"  revision: 0e19df3e62fd34cde942bcdae97e57146751dae6 (modified), 2026-12-04T23:06:03Z\n  go:       go1.26.8 linux/amd64\n"},
		{"no VCS", versionInfo{Module: "github.com/imagepull/imagepull", Version: "(devel)", Go: "go1.26.8", Platform: "linux/arm64"},
			"imagepull (devel)\n  module:   github.com/imagepull/imagepull\n  revision: unknown (built without VCS information)\n  go:       go1.26.8 linux/arm64\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, tc.v.writeText(&buf))
			assert.Equal(t, tc.want, buf.String())
		})
	}
}
