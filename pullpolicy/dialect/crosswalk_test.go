package dialect_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/pullpolicy/dialect"
)

// update rewrites the README's cross-walk from the code:
//
//	go test ./pullpolicy/dialect -run TestCrossWalkREADME -update
var update = flag.Bool("update", false, "rewrite the cross-walk in README.md from the code's tables")

const (
	readme     = "../../README.md"
	beginMark  = "<!-- BEGIN dialect cross-walk: generated from pullpolicy/dialect's tables by `go test ./pullpolicy/dialect -run TestCrossWalkREADME -update`; do not edit -->\n"
	endMark    = "<!-- END dialect cross-walk -->\n"
	readmeHint = "the README's cross-walk differs from the code; regenerate it with: go test ./pullpolicy/dialect -run TestCrossWalkREADME -update"
)

// TestCrossWalkREADME fails when README.md's table of other systems' pull policies is not the
// one the code's tables generate.
func TestCrossWalkREADME(t *testing.T) {
	raw, err := os.ReadFile(readme)
	require.NoError(t, err)
	text := string(raw)
	start := strings.Index(text, beginMark)
	end := strings.Index(text, endMark)
	require.True(t, start >= 0 && end > start, "README.md has no cross-walk markers")
	want := dialect.CrossWalkMarkdown()
	got := text[start+len(beginMark) : end]
	if *update && got != want {
		text = text[:start+len(beginMark)] + want + text[end:]
		require.NoError(t, os.WriteFile(readme, []byte(text), 0o644))
		got = want
	}
	assert.Equal(t, want, got, readmeHint)
}

// TestCrossWalkRows checks the table against the parsers it describes: every spelling it
// shows parses (patterns aside) to its own system, and every system is there.
func TestCrossWalkRows(t *testing.T) {
	rows := dialect.CrossWalk()
	seen := map[dialect.System]int{}
	for _, r := range rows {
		seen[r.System]++
		assert.NotEmpty(t, r.Present, "%s %s", r.System, r.Policy)
		assert.NotEmpty(t, r.Absent, "%s %s", r.System, r.Policy)
		assert.NotEmpty(t, r.Unavailable, "%s %s", r.System, r.Policy)
		if strings.ContainsAny(r.Policy, "<[") {
			continue // a family: every_<duration>, lists
		}
		for _, spelling := range append([]string{r.Policy}, r.Aliases...) {
			p, err := dialect.Parse(r.System, spelling)
			require.NoError(t, err, "%s %q", r.System, spelling)
			assert.Empty(t, p.Note, "%s %q is not a silent replacement", r.System, spelling)
			m, _ := dialect.ToKubernetes(p)
			assert.Equal(t, r.Kubernetes, m, "%s %q translates as its row says", r.System, spelling)
		}
	}
	for _, s := range dialect.Systems() {
		assert.Positive(t, seen[s], "%s has rows", s)
	}
	md := dialect.CrossWalkMarkdown()
	assert.Equal(t, len(rows)+len(dialect.Systems())+5, strings.Count(md, "\n"), "one line per row, per system, and the headers")
}
