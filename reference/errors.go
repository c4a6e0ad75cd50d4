package reference

import (
	"errors"
	"strconv"

	"github.com/imagepull/imagepull/internal/clip"
)

// ErrInvalid is matched (with errors.Is) by every error that [Parse] and
// [Image.UnmarshalText] return for a string the kubelet would reject.
var ErrInvalid = errors.New("invalid image reference")

// ParseError describes a string that is not a valid image reference. Its Error text is the
// kubelet's: `couldn't parse image name "<Input>": <Err>`.
type ParseError struct {
	Input string // the string as given
	Err   error  // the parser's reason, from distribution/reference or go-digest
}

// Error returns the kubelet's text for the failure. A hostile Input is cut to 4 KiB, and the
// parser's reason (which may repeat it) to 16 KiB, each with a marker saying how much was cut;
// any input of sane size gives the kubelet's text byte for byte.
func (e *ParseError) Error() string {
	return "couldn't parse image name " + strconv.Quote(clip.String(e.Input, clip.MaxImage)) + ": " +
		clip.String(e.Err.Error(), clip.MaxErrorText)
}

// Unwrap returns [ErrInvalid] and the parser's reason, so that errors.Is matches both.
func (e *ParseError) Unwrap() []error { return []error{ErrInvalid, e.Err} }
