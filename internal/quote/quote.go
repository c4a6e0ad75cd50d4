// Package quote formats the kubelet's %q messages without fmt.
package quote

import (
	"strconv"

	"github.com/imagepull/imagepull/internal/clip"
)

// Wrap returns prefix + strconv.Quote(s) + suffix (the kubelet's %q) in one allocation for
// the plain strings that valid image references always are. s is cut to [clip.MaxImage] bytes
// and suffix to [clip.MaxErrorText] (with a marker saying how much was cut), so that a hostile
// image name or error costs bounded memory in every message that repeats it; shorter texts are
// the kubelet's byte for byte.
func Wrap(prefix, s, suffix string) string {
	s, suffix = clip.String(s, clip.MaxImage), clip.String(suffix, clip.MaxErrorText)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return prefix + strconv.Quote(s) + suffix
		}
	}
	return prefix + `"` + s + `"` + suffix
}
