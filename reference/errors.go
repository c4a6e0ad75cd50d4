package reference

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	distref "github.com/distribution/reference"
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

// Error returns the kubelet's text for the failure.
func (e *ParseError) Error() string {
	return "couldn't parse image name " + strconv.Quote(e.Input) + ": " + e.Err.Error()
}

// Unwrap returns [ErrInvalid] and the parser's reason, so that errors.Is matches both.
func (e *ParseError) Unwrap() []error { return []error{ErrInvalid, e.Err} }

// wrapFormat makes a distribution/reference error that carries the text of
// ErrReferenceInvalidFormat without wrapping it (the "must be lowercase" error) match it with
// errors.Is. The text is unchanged.
func wrapFormat(err error) error {
	prefix := distref.ErrReferenceInvalidFormat.Error()
	rest, ok := strings.CutPrefix(err.Error(), prefix)
	if !ok || errors.Is(err, distref.ErrReferenceInvalidFormat) {
		return err
	}
	return fmt.Errorf("%w%s", distref.ErrReferenceInvalidFormat, rest)
}
