package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"

	"github.com/imagepull/imagepull/internal/clip"
	"github.com/imagepull/imagepull/internal/redact"
	"github.com/imagepull/imagepull/pullpolicy"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// The kinds of failure a [Resolver] reports besides [pullpolicy.ErrRegistryUnavailable].
// Compare with errors.Is; an [*Error] carries the details.
var (
	// ErrNotFound: the registry answered 404: it has no manifest for the reference (or no
	// such repository).
	ErrNotFound = errors.New("manifest unknown")
	// ErrUnauthorized: the registry (or its token service) answered 401 or 403: the
	// credentials are missing, wrong, or not allowed to pull the repository. It is never
	// reported as unavailable.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrDigestMismatch: a manifest's body does not hash to the digest the registry named in
	// Docker-Content-Digest, or to the digest the reference asked for.
	ErrDigestMismatch = errors.New("manifest digest mismatch")
)

// Error is the error a [Resolver] returns when a registry (or mirror) did not give a digest.
// The registry-supplied text it keeps is bounded: Code and Detail are cut to 1 KiB and the
// cause's text to 16 KiB, with a marker saying how much was cut (a cause cut so still matches
// context.Canceled and context.DeadlineExceeded), and a registry's answer headers are capped
// at 64 KiB, so that a hostile registry costs bounded memory per failing pull.
// Kind says what went wrong and is what errors.Is matches: [ErrNotFound],
// [ErrUnauthorized], [ErrDigestMismatch], [pullpolicy.ErrRegistryUnavailable], or nil for
// other failures (a malformed answer, a TLS failure, a 400). Err is the underlying cause,
// so errors.Is(err, context.DeadlineExceeded) works too.
type Error struct {
	Image      string // the reference resolved, normalised: "docker.io/library/nginx:latest"
	Registry   string // the host[:port] that was asked: the registry or one of its mirrors
	StatusCode int    // the HTTP status of the registry's answer; 0 when there was none
	// Code is the registry's error code when it sent one: from the error body
	// ("MANIFEST_UNKNOWN", "UNAUTHORIZED", "DENIED", "TOOMANYREQUESTS", …) or from the
	// WWW-Authenticate challenge ("insufficient_scope", "invalid_token"). A HEAD answer has
	// no body, so a 404 to a HEAD usually has no code.
	Code   string
	Detail string // the registry's message for Code, if any
	Kind   error  // the kind of failure, see above; may be nil
	Err    error  // the cause; may be nil
}

// Error returns `resolving "<image>" on <registry>: <what happened>`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("resolving ")
	b.WriteString(strconv.Quote(e.Image))
	if e.Registry != "" {
		b.WriteString(" on ")
		b.WriteString(e.Registry)
	}
	b.WriteString(": ")
	switch {
	case e.StatusCode != 0:
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteByte(' ')
		b.WriteString(http.StatusText(e.StatusCode))
		if e.Code != "" {
			b.WriteString(": ")
			b.WriteString(e.Code)
		} else if hint := statusHint(e.StatusCode); hint != "" {
			b.WriteString(": ")
			b.WriteString(hint) // an answer to HEAD has no body, so no error code
		}
		if e.Detail != "" {
			b.WriteString(": ")
			b.WriteString(e.Detail)
		}
		if e.Err != nil {
			b.WriteString(" (")
			b.WriteString(e.Err.Error())
			b.WriteByte(')')
		}
	case e.Err != nil:
		switch {
		case errors.Is(e.Kind, pullpolicy.ErrRegistryUnavailable):
			b.WriteString("registry unreachable: ")
		case e.Kind != nil:
			b.WriteString(e.Kind.Error())
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	case e.Kind != nil:
		b.WriteString(e.Kind.Error())
	}
	return b.String()
}

// Unwrap returns Kind and Err, those that are set.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// statusHint says what a status means for a manifest request when the registry sent no
// error code.
func statusHint(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "authentication required or credentials rejected"
	case http.StatusForbidden:
		return "access denied"
	case http.StatusNotFound:
		return "manifest or repository unknown"
	}
	return ""
}

// kindOfStatus maps an HTTP status to the kind of failure it reports.
func kindOfStatus(status int) error {
	switch {
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrUnauthorized
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return pullpolicy.ErrRegistryUnavailable
	default:
		return nil
	}
}

// maxErrorBody bounds how much of an error answer is read for its error code.
const maxErrorBody = 64 << 10

// statusError describes a registry's non-2xx answer. It reads (a bounded part of) the body
// for the registry's error code; the caller closes the body. The values of mask (may be nil)
// are masked in the text kept.
func statusError(image, host string, resp *http.Response, mask *redact.Set) *Error {
	e := &Error{Image: image, Registry: host, StatusCode: resp.StatusCode, Kind: kindOfStatus(resp.StatusCode)}
	var body struct{ Errors []errcode.Error }
	if resp.Request != nil && resp.Request.Method != http.MethodHead &&
		json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&body) == nil && len(body.Errors) > 0 {
		e.Code, e.Detail = body.Errors[0].Code, body.Errors[0].Message
	}
	if e.Code == "" && resp.StatusCode == http.StatusUnauthorized {
		e.Code = challengeError(resp.Header.Get("Www-Authenticate"))
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" && e.Kind != nil {
		e.Err = fmt.Errorf("gave up with Retry-After: %s", clip.String(ra, clip.MaxField))
	}
	return e.bounded(mask)
}

// bounded masks the values of mask (may be nil) in the registry-supplied text e keeps, then
// cuts it to the documented sizes: Code and Detail to clip.MaxField, the cause's text to
// clip.MaxErrorText (see [Error]). Masking comes first, so that a cut never leaves part of a
// secret behind.
func (e *Error) bounded(mask *redact.Set) *Error {
	e.Code, e.Detail = clip.String(mask.String(e.Code), clip.MaxField), clip.String(mask.String(e.Detail), clip.MaxField)
	if e.Err != nil {
		text := e.Err.Error()
		masked := mask.String(text)
		if masked != text || len(masked) > clip.MaxErrorText {
			e.Err = &cutError{text: clip.String(masked, clip.MaxErrorText), canceled: errors.Is(e.Err, context.Canceled), deadline: errors.Is(e.Err, context.DeadlineExceeded)}
		}
	}
	return e
}

// cutError stands for a cause whose text was too long to keep, or held a secret: its text
// masked and cut, and whether it matched context.Canceled or context.DeadlineExceeded, which it
// still matches.
type cutError struct {
	text               string
	canceled, deadline bool
}

func (e *cutError) Error() string { return e.text }

func (e *cutError) Is(target error) bool {
	return (target == context.Canceled && e.canceled) || (target == context.DeadlineExceeded && e.deadline)
}

// authFlowError classifies a failed manifest request whose authentication flow watch saw: a
// 401 with a Bearer challenge that could not be followed is [ErrUnauthorized], as every 401.
func authFlowError(image, host string, err error, watch *challengeWatch) *Error {
	mask := watch.secrets()
	e := transportError(image, host, err, mask)
	if challenge, ok := watch.unusableChallenge(); ok && e.Kind == nil && !errors.Is(err, context.Canceled) {
		e.StatusCode, e.Kind = http.StatusUnauthorized, ErrUnauthorized
		e.Code = clip.String(mask.String(challengeError(challenge)), clip.MaxField)
		if e.Code == "" {
			e.Code = "unusable Bearer challenge"
		}
	}
	return e
}

// challengeError returns the error parameter of a Bearer challenge
// (`Bearer realm="…",error="insufficient_scope"`), or "".
func challengeError(challenge string) string {
	_, rest, ok := strings.Cut(challenge, "error=")
	if !ok {
		return ""
	}
	rest = strings.TrimPrefix(rest, `"`)
	if end := strings.IndexAny(rest, `",`); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

// transportError classifies an error from sending a request (or reading its answer): a
// registry that could not be reached, that reset or dropped the connection, or that did not
// answer in time is unavailable; a cancelled context is not; an error answer from a token
// service is classified by its status. The values of mask (may be nil) are masked in the text
// kept.
func transportError(image, host string, err error, mask *redact.Set) *Error {
	e := &Error{Image: image, Registry: host, Err: err}
	var resp *errcode.ErrorResponse
	switch {
	case errors.Is(err, context.Canceled):
		// The caller gave up: not the registry's fault.
	case errors.As(err, &resp):
		e.StatusCode, e.Kind = resp.StatusCode, kindOfStatus(resp.StatusCode)
		if len(resp.Errors) > 0 {
			e.Code, e.Detail = resp.Errors[0].Code, resp.Errors[0].Message
		}
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		e.StatusCode, e.Kind = http.StatusUnauthorized, ErrUnauthorized
	case unreachable(err):
		e.Kind = pullpolicy.ErrRegistryUnavailable
	}
	return e.bounded(mask)
}

// unreachable reports whether err means the registry could not be reached or did not
// answer: DNS failures, refused, reset or dropped connections, and timeouts (including the
// caller's deadline). TLS verification failures and protocol mismatches are not: they are
// configuration errors that waiting will not fix.
func unreachable(err error) bool {
	var (
		dnsErr    *net.DNSError
		opErr     *net.OpError
		netErr    net.Error
		verifyErr *tls.CertificateVerificationError
		alert     tls.AlertError
		authErr   x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invErr    x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &verifyErr), errors.As(err, &alert), errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &invErr):
		return false
	case errors.As(err, &opErr) && (opErr.Op == "remote error" || opErr.Op == "local error"):
		return false // a TLS alert: the peer answered, and refused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &dnsErr), errors.As(err, &opErr):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// A connection that ended early, as the transport reports it; an EOF from decoding a
		// complete but truncated answer (a token service's JSON) is a malformed answer.
		var urlErr *url.Error
		return errors.As(err, &urlErr) && (errors.Is(urlErr.Err, io.EOF) || errors.Is(urlErr.Err, io.ErrUnexpectedEOF))
	case errors.As(err, &netErr):
		return netErr.Timeout()
	}
	return false
}
