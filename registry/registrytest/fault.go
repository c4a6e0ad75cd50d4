package registrytest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SlowChunk is how many body bytes a [Fault] with SlowBody writes between pauses.
const SlowChunk = 64

// MalformedDigest is the Docker-Content-Digest header a [Fault] with BadDigest sends: the
// sha256 algorithm with an encoded part that is not hex.
const MalformedDigest = "sha256:not-hex"

// Fault describes a misbehaviour of the registry host for matching requests. Add one with
// [Registry.Inject]. A request matches when its method equals Method ("" matches any) and its
// path starts with PathPrefix ("" matches any, "/token" matches the token endpoint on the
// registry host). Faults apply after authentication: a request the registry answers with 401
// consumes no fault. The first matching fault, in the order injected, applies; at most one
// fault applies per request. [Registry.OtherHost], and so a token endpoint put there with
// [Auth.TokenOnOtherHost], never misbehaves.
//
// The effects run in this order: Delay; then exactly one of Drop, Status, Redirect or Body,
// the first one set; otherwise the real content, with NoDigest, WrongDigest, BadDigest and
// SlowBody applied to it.
//
// Note that Go's http.Transport silently retries an idempotent request (GET, HEAD) once when
// a reused keep-alive connection is dropped, so a client may see only the second attempt; both
// are counted.
type Fault struct {
	Method     string // "HEAD", "GET", … ; "" matches any
	PathPrefix string // e.g. "/v2/app/manifests/"; "" matches any
	// Times is how many matching requests the fault applies to before it disappears;
	// 0 applies it to every matching request until removed.
	Times int

	// Delay waits this long before answering. The wait ends early, with the connection
	// dropped and no answer, when the client goes away or the registry stops.
	Delay time.Duration
	// Drop closes the connection without an answer (TCP reset): the client sees
	// "connection reset by peer" or EOF.
	Drop bool
	// Status answers with this status and an OCI error body, e.g. 429, 500, 502, 503, or 405
	// for a refused HEAD. Codes: 401 UNAUTHORIZED, 403 DENIED, 404 MANIFEST_UNKNOWN,
	// 405 UNSUPPORTED, 429 TOOMANYREQUESTS, others UNAVAILABLE.
	Status int
	// Echo, with Status, makes the error message repeat what the client sent, as a careless
	// registry or token service does: the Authorization header, the query and (up to 64 KiB)
	// the request body, where an OAuth2 client puts its password or refresh token.
	Echo bool
	// RetryAfter, with Status, sets the Retry-After header in whole seconds (rounded up).
	RetryAfter time.Duration
	// Challenge, with Status, is sent as the WWW-Authenticate header: a hostile or unusable
	// challenge such as `Bearer realm=""`, `Bearer realm="file:///etc/passwd"` or one with a
	// realm of megabytes.
	Challenge string
	// Header is added to the answer, whichever it is (an injected Status or the real
	// content): for example Docker Hub's rate-limit headers, see [DockerHubRateLimit].
	Header http.Header
	// Body answers 200 OK with this body (Content-Type application/json) instead of the real
	// content: with PathPrefix "/token", a token answer such as a truncated `{"token":"ab`.
	Body string
	// Redirect answers 307 Temporary Redirect to the same path and query on
	// [Registry.OtherHost], which serves the same content.
	Redirect bool

	// NoDigest removes the Docker-Content-Digest header from the answer.
	NoDigest bool
	// WrongDigest replaces the Docker-Content-Digest header with a well-formed digest of
	// something else.
	WrongDigest bool
	// BadDigest replaces the Docker-Content-Digest header with [MalformedDigest], a value
	// that is not a digest. At most one of NoDigest, WrongDigest and BadDigest may be set.
	BadDigest bool
	// SlowBody pauses this long before each [SlowChunk] bytes of the body, flushing each
	// chunk; the pause ends early when the client goes away or the registry stops.
	SlowBody time.Duration
}

// DockerHubRateLimit returns a fault that answers matching requests as Docker Hub does when
// its pull rate limit is reached: 429 TOOMANYREQUESTS with `RateLimit-Limit: LIMIT;w=WINDOW`,
// `RateLimit-Remaining: 0;w=WINDOW` (WINDOW in seconds) and, when retryAfter is positive,
// Retry-After. Set Method, PathPrefix and Times on the result as needed.
func DockerHubRateLimit(limit int, window, retryAfter time.Duration) Fault {
	w := strconv.Itoa(int(window / time.Second))
	return Fault{
		Status:     http.StatusTooManyRequests,
		RetryAfter: retryAfter,
		Header: http.Header{
			"Ratelimit-Limit":     {strconv.Itoa(limit) + ";w=" + w},
			"Ratelimit-Remaining": {"0;w=" + w},
		},
	}
}

// faultState is an injected Fault and how many more times it applies (-1: always).
type faultState struct {
	f    Fault
	left int
}

// Inject adds a fault for the requests that follow and returns a function that removes it
// (calling it again, or after the fault ran out, does nothing). It returns an error, and adds
// nothing, for a negative Times, Delay, RetryAfter or SlowBody, a Status outside 400–599, a
// Challenge or Echo without a Status, or more than one of NoDigest, WrongDigest and BadDigest.
func (r *Registry) Inject(f Fault) (remove func(), err error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	s := &faultState{f: f, left: f.Times}
	if f.Times == 0 {
		s.left = -1
	}
	r.mu.Lock()
	r.faults = append(r.faults, s)
	r.mu.Unlock()
	return func() { r.removeFault(s) }, nil
}

// ClearFaults removes every injected fault.
func (r *Registry) ClearFaults() {
	r.mu.Lock()
	r.faults = nil
	r.mu.Unlock()
}

func (f Fault) validate() error {
	var errs []error
	if f.Times < 0 || f.Delay < 0 || f.RetryAfter < 0 || f.SlowBody < 0 {
		errs = append(errs, errors.New("negative Times, Delay, RetryAfter or SlowBody"))
	}
	if f.Challenge != "" && f.Status == 0 {
		errs = append(errs, errors.New("Challenge without Status"))
	}
	if f.Echo && f.Status == 0 {
		errs = append(errs, errors.New("Echo without Status"))
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		errs = append(errs, fmt.Errorf("status %d is not an error status (400–599)", f.Status))
	}
	if n := btoi(f.NoDigest) + btoi(f.WrongDigest) + btoi(f.BadDigest); n > 1 {
		errs = append(errs, errors.New("more than one of NoDigest, WrongDigest and BadDigest"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("registrytest: invalid fault: %w", err)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *Registry) removeFault(s *faultState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = slices.DeleteFunc(r.faults, func(x *faultState) bool { return x == s })
}

// takeFault returns the first fault matching req, using up one of its Times.
func (r *Registry) takeFault(req *http.Request) (Fault, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, s := range r.faults {
		if (s.f.Method != "" && s.f.Method != req.Method) || !strings.HasPrefix(req.URL.Path, s.f.PathPrefix) {
			continue
		}
		if s.left > 0 {
			s.left--
		}
		if s.left == 0 {
			r.faults = slices.Delete(r.faults, i, i+1)
		}
		return s.f, true
	}
	return Fault{}, false
}

// serveFaulty serves req with next, applying the first matching fault.
func (r *Registry) serveFaulty(w http.ResponseWriter, req *http.Request, next http.Handler) {
	f, ok := r.takeFault(req)
	if !ok {
		next.ServeHTTP(w, req)
		return
	}
	if f.Delay > 0 && !wait(req.Context(), f.Delay) {
		dropConnection(w) // never an answer after an aborted delay, not even an empty 200
		return
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch {
	case f.Drop:
		dropConnection(w)
	case f.Status != 0:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
		}
		if f.Challenge != "" {
			w.Header().Set("WWW-Authenticate", f.Challenge)
		}
		msg := fmt.Sprintf("injected status %d", f.Status)
		if f.Echo {
			body, _ := io.ReadAll(io.LimitReader(req.Body, 64<<10)) // what could be read
			msg += fmt.Sprintf("; you sent Authorization: %s, query %s, body %s",
				req.Header.Get("Authorization"), req.URL.RawQuery, body)
		}
		writeError(w, f.Status, errorCode(f.Status), msg)
	case f.Redirect:
		http.Redirect(w, req, r.OtherURL()+req.URL.RequestURI(), http.StatusTemporaryRedirect)
	case f.Body != "":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, f.Body) // the client may be gone; nothing to do
	default:
		next.ServeHTTP(&faultyWriter{ResponseWriter: w, ctx: req.Context(), f: f}, req)
	}
}

// wait waits for d, or until ctx is done; it reports whether the full wait elapsed.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the client's connection without an answer, with a TCP reset.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil { // cannot happen on our HTTP/1.1 servers; still never answer
		panic(http.ErrAbortHandler) // net/http's sentinel: closes the connection silently
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // reset instead of an orderly close; best effort
	}
	_ = conn.Close()
}

// faultyWriter changes the digest header and trickles the body of a real answer.
type faultyWriter struct {
	http.ResponseWriter
	ctx         context.Context
	f           Fault
	wroteHeader bool
}

func (fw *faultyWriter) WriteHeader(status int) {
	if fw.wroteHeader {
		return
	}
	fw.wroteHeader = true
	h := fw.Header()
	if d := h.Get("Docker-Content-Digest"); d != "" && fw.f.WrongDigest {
		h.Set("Docker-Content-Digest", fmt.Sprintf("sha256:%x", sha256.Sum256([]byte("wrong "+d))))
	}
	if h.Get("Docker-Content-Digest") != "" && fw.f.BadDigest {
		h.Set("Docker-Content-Digest", MalformedDigest)
	}
	if fw.f.NoDigest {
		h.Del("Docker-Content-Digest")
	}
	fw.ResponseWriter.WriteHeader(status)
}

func (fw *faultyWriter) Write(p []byte) (int, error) {
	fw.WriteHeader(http.StatusOK)
	if fw.f.SlowBody <= 0 {
		return fw.ResponseWriter.Write(p)
	}
	rc := http.NewResponseController(fw.ResponseWriter)
	written := 0
	for chunk := range slices.Chunk(p, SlowChunk) {
		if !wait(fw.ctx, fw.f.SlowBody) {
			return written, fw.ctx.Err()
		}
		n, err := fw.ResponseWriter.Write(chunk)
		written += n
		if err != nil {
			return written, err
		}
		_ = rc.Flush() // best effort; a failed flush shows up in the next Write
	}
	return written, nil
}
