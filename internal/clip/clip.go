// Package clip bounds the text the library keeps and repeats: image strings, error texts and
// registry-supplied fields are cut to a documented size, with a marker saying how much was cut,
// so that a hostile input costs bounded memory however often it is repeated (in a message, an
// event, a back-off entry). Texts within the bounds are kept byte for byte.
package clip

import "strconv"

// The bounds. Every valid image reference is far shorter than MaxImage (a repository name has
// at most 255 bytes, a tag 128, a sha512 digest 135), and the kubelet's messages for real
// registries and runtimes far shorter than MaxErrorText.
const (
	// MaxImage bounds an image string quoted in a message or an error.
	MaxImage = 4 << 10
	// MaxErrorText bounds an error's text repeated in a message, an event or a back-off entry.
	MaxErrorText = 16 << 10
	// MaxField bounds one registry-supplied field (an error code, a detail, a challenge).
	MaxField = 1 << 10
	// MaxMessage bounds a whole message or event text: room for an image and an error.
	MaxMessage = 32 << 10
)

// String returns s when it has at most max bytes; otherwise a prefix of s (backed off to a
// UTF-8 character boundary) followed by "…[N bytes cut]", N being the number of bytes left
// out, the whole at most max bytes (for max of 40 or more; below that the marker alone may
// exceed it). The result never shares memory with a cut s, so a huge s can be freed.
func String(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := max - markerLen(len(s))
	if n < 0 {
		n = 0
	}
	for end := n - 3; n > 0 && n > end && !startsRune(s[n]); {
		n-- // do not split a UTF-8 sequence (at most 3 continuation bytes)
	}
	b := make([]byte, 0, n+markerLen(len(s)))
	b = append(b, s[:n]...)
	b = append(b, "…["...)
	b = strconv.AppendInt(b, int64(len(s)-n), 10)
	b = append(b, " bytes cut]"...)
	return string(b)
}

// markerLen is the length of the marker for up to total bytes cut.
func markerLen(total int) int {
	return len("…[") + len(strconv.Itoa(total)) + len(" bytes cut]")
}

// startsRune reports whether c can begin a UTF-8 sequence (it is not a continuation byte).
func startsRune(c byte) bool { return c&0xC0 != 0x80 }
