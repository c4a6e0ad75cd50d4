package clip

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{name: "short is kept", in: "nginx:1.27", max: 16, want: "nginx:1.27"},
		{name: "exactly max is kept", in: "abcd", max: 4, want: "abcd"},
		{name: "cut with the count, within max", in: "abcdefghijklmnopqrstuvwxyz0123", max: 24, want: "abcdefg…[23 bytes cut]"},
		{name: "never splits a character", in: "abcdef€€€€€€€€", max: 25, want: "abcdef…[24 bytes cut]"},
		{name: "a max below the marker", in: "abc", max: 0, want: "…[3 bytes cut]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := String(tc.in, tc.max)
			assert.Equal(t, tc.want, got)
			assert.True(t, utf8.ValidString(got))
			if tc.max >= 40 || len(tc.in) <= tc.max {
				assert.LessOrEqual(t, len(got), tc.max)
			}
		})
	}
}

func TestStringBoundsHugeInput(t *testing.T) {
	huge := strings.Repeat("x", 10<<20)
	got := String(huge, MaxImage)
	assert.Len(t, got, MaxImage)
	assert.True(t, strings.HasSuffix(got, "…[10481687 bytes cut]"), got[len(got)-30:])
}

func FuzzString(f *testing.F) {
	f.Add("docker.io/library/nginx:latest", 8)
	f.Add("ab€€", 4)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<16 {
			t.Skip()
		}
		got := String(s, max)
		if len(s) <= max {
			if got != s {
				t.Fatalf("kept text changed: %q → %q", s, got)
			}
			return
		}
		if max >= 40 && len(got) > max {
			t.Fatalf("cut text too long: %d > %d", len(got), max)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("cut split a character: %q", got)
		}
	})
}
