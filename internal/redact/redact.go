// Package redact removes known secret values from text that came from outside the library (a
// registry's error body, a runtime's error, a plugin's stderr) before the library repeats it in
// an error, an event, a message or a log line. It knows only the exact values that were sent
// (a password, a token, the base64 "user:password" of a Basic Authorization header), in the
// forms a server is likely to echo them: verbatim, base64-encoded (padded or not) and
// URL-query-escaped.
package redact

import (
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// Mask replaces every secret found.
const Mask = "[redacted]"

// Set is a set of secret values. The zero value is empty and redacts nothing. A Set is not
// safe for concurrent Add; String may be called concurrently once the Set is complete.
type Set struct {
	values []string
}

// Add adds v to the set in every form it may be echoed in: verbatim, base64 (standard and
// URL alphabets, padded and unpadded) and URL-query-escaped. An empty v is ignored; every other value is redacted whatever its
// length.
func (s *Set) Add(v string) {
	if v == "" {
		return
	}
	s.addForm(v)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		b := enc.EncodeToString([]byte(v))
		s.addForm(b)
		s.addForm(strings.TrimRight(b, "="))
	}
	s.addForm(url.QueryEscape(v))
}

// AddBasic adds the password (see [Set.Add]) and the base64 "user:password" of the Basic
// Authorization header a client sends for user and password. The user name alone is not a
// secret and is not added.
func (s *Set) AddBasic(user, password string) {
	s.Add(password)
	if user == "" && password == "" {
		return
	}
	s.Add(user + ":" + password)
}

// AddAuthorization adds the credential part of an Authorization header value ("Basic
// dXNlcjpwdw==", "Bearer eyJ…"): the token or the base64 text, and for Basic the decoded
// password too (the base64 padded or not).
func (s *Set) AddAuthorization(header string) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	cred = strings.TrimSpace(cred)
	if !ok || cred == "" {
		s.Add(strings.TrimSpace(header))
		return
	}
	s.Add(cred)
	if strings.EqualFold(scheme, "Basic") {
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil { // a docker config's "auth" may come unpadded
			raw, err = base64.RawStdEncoding.DecodeString(cred)
		}
		if err == nil {
			if user, pass, ok := strings.Cut(string(raw), ":"); ok {
				s.AddBasic(user, pass)
			}
		}
	}
}

// Merge adds every value of o.
func (s *Set) Merge(o *Set) {
	if o == nil {
		return
	}
	for _, v := range o.values {
		s.addForm(v)
	}
}

func (s *Set) addForm(v string) {
	if v == "" || slices.Contains(s.values, v) {
		return
	}
	s.values = append(s.values, v)
}

// MaxLen returns the length of the longest form of a value in the set (0 when empty). A text
// cut short may end with part of a value: dropping its last MaxLen()-1 bytes before masking
// leaves none.
func (s *Set) MaxLen() int {
	n := 0
	if s != nil {
		for _, v := range s.values {
			n = max(n, len(v))
		}
	}
	return n
}

// Empty reports whether the set holds no value.
func (s *Set) Empty() bool { return s == nil || len(s.values) == 0 }

// String returns text with every occurrence of a value of the set replaced by [Mask]. The
// longest values are looked for first, so that a token containing a password is masked
// whole. Text without any value is returned as it is.
func (s *Set) String(text string) string {
	if s.Empty() || text == "" {
		return text
	}
	found := false
	for _, v := range s.values {
		if strings.Contains(text, v) {
			found = true
			break
		}
	}
	if !found {
		return text
	}
	vals := slices.Clone(s.values)
	slices.SortStableFunc(vals, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, Mask)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// Error returns err unchanged when its text holds no value of the set, else an error whose
// text is redacted. The redacted error hides err's chain (errors.As could reach the
// unredacted text through it) but still matches, with errors.Is, every target in keep that
// err matched.
func (s *Set) Error(err error, keep ...error) error {
	if err == nil || s.Empty() {
		return err
	}
	text := err.Error()
	red := s.String(text)
	if red == text {
		return err
	}
	e := &Error{text: red}
	for _, k := range keep {
		if errors.Is(err, k) {
			e.is = append(e.is, k)
		}
	}
	return e
}

// Error is an error whose text was redacted; see [Set.Error].
type Error struct {
	text string
	is   []error
}

// Error returns the redacted text.
func (e *Error) Error() string { return e.text }

// Is reports whether the original error matched target (among those kept).
func (e *Error) Is(target error) bool { return slices.Contains(e.is, target) }
