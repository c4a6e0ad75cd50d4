package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCorpus lints the corpus of real public manifests (testdata/corpus, see its README):
// nothing crashes, and what is reported is pinned: the findings per rule, and on stderr the
// malformed documents (the corpus has deliberately broken ones, and Salt templates) and the
// note counting what is no Kubernetes object. explain reads the same files without crashing.
func TestCorpus(t *testing.T) {
	res := run(t, "lint", "-f", "testdata/corpus", "-R", "-o", "json", "--fail-on", "never")
	assert.Equal(t, exitUsage, res.code, "the corpus has malformed documents: %s", res.stderr)
	var out struct {
		Findings []struct{ Rule, File string }
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out))
	rules := make(map[string]int)
	files := make(map[string]bool)
	for _, f := range out.Findings {
		rules[f.Rule]++
		files[f.File] = true
	}
	var summary []string
	for rule, n := range rules {
		summary = append(summary, fmt.Sprintf("%s %d", rule, n))
	}
	slices.Sort(summary)
	summary = append(summary, fmt.Sprintf("%d findings in %d files", len(out.Findings), len(files)))
	golden(t, "corpus-lint", strings.Join(summary, "\n")+"\n--- stderr\n"+res.stderr)

	for _, args := range [][]string{
		{"lint", "-f", "testdata/corpus", "-R", "--strict"},
		{"explain", "-f", "testdata/corpus", "-R"},
	} {
		res := run(t, args...)
		assert.Equal(t, exitUsage, res.code, "%v: malformed documents are input errors", args)
		assert.NotContains(t, res.stderr, "panic", "%v", args)
		assert.NotContains(t, res.stderr, "goroutine ", "%v", args)
	}
}
