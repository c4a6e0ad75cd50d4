package dialect

import (
	"errors"

	"github.com/imagepull/imagepull/pullpolicy"
)

// ErrUnknownSystem is matched by the error of [Parse] and [ParseSystem] for a system this
// package does not know.
var ErrUnknownSystem = errors.New("unknown pull policy dialect")

// ErrNoEquivalent is matched by the error of [ToKubernetes] and [FromKubernetes] when the
// other side has no policy that behaves alike.
var ErrNoEquivalent = errors.New("no equivalent pull policy")

// policyError is a parser's rejection of a value. Its text is the peer parser's own, verbatim,
// and it matches [pullpolicy.ErrInvalidPolicy].
type policyError struct{ msg string }

func (e *policyError) Error() string { return e.msg }

func (e *policyError) Unwrap() error { return pullpolicy.ErrInvalidPolicy }
