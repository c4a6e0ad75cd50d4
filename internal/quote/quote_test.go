package quote

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWrapIsQuote(t *testing.T) {
	for _, s := range []string{"", "nginx:1.25", `a"b`, `a\b`, "tab\there", "ünï", "\x7f", "new\nline"} {
		assert.Equal(t, "<"+strconv.Quote(s)+">", Wrap("<", s, ">"), "%q", s)
	}
}

func BenchmarkWrapPlain(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Wrap("Pulling image ", "docker.io/library/nginx:1.25", "")
	}
}
