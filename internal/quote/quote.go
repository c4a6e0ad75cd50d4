// Package quote formats the kubelet's %q messages without fmt.
package quote

import "strconv"

// Wrap returns prefix + strconv.Quote(s) + suffix (the kubelet's %q) in one allocation for
// the plain strings that valid image references always are.
func Wrap(prefix, s, suffix string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return prefix + strconv.Quote(s) + suffix
		}
	}
	return prefix + `"` + s + `"` + suffix
}
