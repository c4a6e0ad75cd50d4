package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADME runs every "$ imagepull …" example of the README, in the repository's root, and
// checks that the block shows exactly what the command prints.
func TestREADME(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	blocks := strings.Split(string(data), "```\n$ imagepull ")
	require.Greater(t, len(blocks), 1, "the README shows the CLI's output")
	for _, block := range blocks[1:] {
		line, rest, ok := strings.Cut(block, "\n")
		require.True(t, ok)
		want, _, ok := strings.Cut(rest, "```\n")
		require.True(t, ok, "unterminated block after %q", line)
		t.Run(line, func(t *testing.T) {
			res := runIn(t, "../..", strings.Fields(line)...)
			assert.Empty(t, res.stderr)
			assert.Equal(t, want, res.stdout, "README.md shows other output than `imagepull %s`", line)
		})
	}
}

// TestREADMECodeBlocks: every code fence of the README is closed and holds something (the
// issue 21 review found an empty block).
func TestREADMECodeBlocks(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	open, body := 0, 0
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "```") && open == 0:
			open, body = i+1, 0
		case strings.HasPrefix(line, "```"):
			assert.Positive(t, body, "the code block opened on line %d is empty", open)
			open = 0
		case open != 0 && strings.TrimSpace(line) != "":
			body++
		}
	}
	assert.Zero(t, open, "the code block opened on line %d is not closed", open)
}
