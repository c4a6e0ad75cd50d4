package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLintConfigAutoload: without --config, lint loads .imagepull-lint.yaml from the working
// directory, or else from the repository's root; --config wins over both.
func TestLintConfigAutoload(t *testing.T) {
	manifest, err := filepath.Abs("testdata/trees/ci/pod.yaml") // one finding-free Pod: IfNotPresent, pinned
	require.NoError(t, err)
	root := t.TempDir()
	sub := filepath.Join(root, "deploy", "prod")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	write := func(path, text string) {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	override := filepath.Join(t.TempDir(), "override.yaml")
	write(override, "requirePolicy: IfNotPresent\n")
	lintIn := func(dir string, args ...string) result {
		return runIn(t, dir, append([]string{"lint", "-f", manifest, "-o", "json"}, args...)...)
	}

	res := lintIn(sub)
	require.Equal(t, exitOK, res.code, "no configuration: %s", res.stderr)

	write(filepath.Join(root, ".imagepull-lint.yaml"), "requirePolicy: Always\n")
	res = lintIn(sub)
	assert.Equal(t, exitFailure, res.code, "the repository root's file requires Always: %s", res.stderr)
	assert.Contains(t, res.stdout, `"rule": "IP009"`)
	assert.Equal(t, exitOK, lintIn(sub, "--config", override).code, "--config wins over the root's file")

	write(filepath.Join(sub, ".imagepull-lint.yml"), "requirePolicy: IfNotPresent\n")
	assert.Equal(t, exitOK, lintIn(sub).code, "the working directory's file wins over the root's")
	assert.Equal(t, exitFailure, lintIn(root).code, "at the root, the root's file")

	write(filepath.Join(sub, ".imagepull-lint.yml"), "rules: {IP999: off}\n")
	res = lintIn(sub)
	assert.Equal(t, exitUsage, res.code)
	assert.True(t, strings.HasPrefix(res.stderr, "imagepull lint: "+filepath.Join(sub, ".imagepull-lint.yml")+`: invalid lint configuration: unknown rule "IP999"`), res.stderr)
	assert.True(t, strings.HasSuffix(res.stderr, " (loaded without --config; --config FILE reads another)\n"), res.stderr)

	outside := t.TempDir() // no repository: only the working directory counts
	res = runIn(t, outside, "lint", "-f", manifest)
	assert.Equal(t, exitOK, res.code, res.stderr)
}
