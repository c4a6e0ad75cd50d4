package kube

import (
	"errors"
	"strconv"
)

// Source says where an object was read: the file, the document in it, the line the object
// starts on, and its position in a List.
type Source struct {
	// File is the name the input was read under ([Options].File); "" when unnamed.
	File string
	// Document is the 1-based number of the document in the stream. YAML documents are
	// counted as YAML counts them: every "---" starts one, and text before the first "---"
	// is a document only when it holds more than comments.
	Document int
	// Line is the 1-based line the object starts on.
	Line int
	// Item is the 0-based index of the object in a List's items, or -1 when the object is
	// not in a List.
	Item int
}

// String returns "FILE: document N (line L)", with ", item I" for an object in a List; the
// file part is left out when File is "".
func (s Source) String() string {
	b := make([]byte, 0, len(s.File)+40)
	if s.File != "" {
		b = append(b, s.File...)
		b = append(b, ": "...)
	}
	b = append(b, "document "...)
	b = strconv.AppendInt(b, int64(s.Document), 10)
	if s.Item >= 0 {
		b = append(b, ", item "...)
		b = strconv.AppendInt(b, int64(s.Item), 10)
	}
	b = append(b, " (line "...)
	b = strconv.AppendInt(b, int64(s.Line), 10)
	b = append(b, ')')
	return string(b)
}

// ErrMalformed is matched (errors.Is) by every [*DocumentError].
var ErrMalformed = errors.New("malformed document")

// ErrNotObject is matched (errors.Is) by the [*DocumentError] of a document that is no
// Kubernetes object at all: a YAML scalar or sequence, or a mapping with neither "kind" nor
// "apiVersion" (a Helm values file, a kustomization.yaml, a CI workflow). Linters skip such
// files with a note; a mapping with only one of the two is a broken object, and is not
// matched.
var ErrNotObject = errors.New("not a Kubernetes object")

// notObjectError is a message for a document that is not an object, matching [ErrNotObject].
type notObjectError struct{ error }

func (e notObjectError) Is(target error) bool { return target == ErrNotObject }
func (e notObjectError) Unwrap() error        { return e.error }

// DocumentError is a document (or a List item) that could not be read: invalid YAML or JSON,
// not an object, no kind, or a field of the wrong type. Source.Line is the line of the
// problem when the parser reports one, otherwise the line the document starts on.
type DocumentError struct {
	Source
	// Err is the parser's or decoder's error.
	Err error
}

// Error returns "FILE: document N (line L): malformed document: CAUSE".
func (e *DocumentError) Error() string {
	return e.Source.String() + ": " + ErrMalformed.Error() + ": " + e.Err.Error()
}

// Unwrap returns [ErrMalformed] and the cause.
func (e *DocumentError) Unwrap() []error { return []error{ErrMalformed, e.Err} }
