package registry

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/internal/clip"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// Kind is what a registry's answer to a [Resolver.Probe] means. The values and their names
// ([Kind.String]) are stable: tools print them and put them in JSON, and new kinds are only
// ever added at the end. The zero value is [KindError], an answer that fits no other kind.
type Kind int

const (
	// KindError: a failure that fits no other kind (a malformed answer, a 400, …); see
	// ProbeResult.Err.
	KindError Kind = iota
	// KindFound: the registry serves the manifest to this credential; ProbeResult.Digest is
	// its digest.
	KindFound
	// KindNotFound: the repository exists (or the registry does not say it does not), but the
	// tag or digest does not; ProbeResult.Tags lists the tags it has, when it lists them.
	KindNotFound
	// KindRepositoryNotFound: the registry has no such repository (NAME_UNKNOWN, or a tags
	// list answered 404).
	KindRepositoryNotFound
	// KindUnauthorized: 401 from the registry or its token service: credentials are needed,
	// or the ones sent were rejected (a wrong or expired password, a revoked token).
	KindUnauthorized
	// KindDenied: 403: the credential was accepted but may not pull this repository.
	KindDenied
	// KindRateLimited: 429: the registry's pull rate limit was reached; ProbeResult.RateLimit
	// holds what its headers said.
	KindRateLimited
	// KindTLSUnknownAuthority: the registry's certificate is signed by an authority the client
	// does not trust (a self-signed or private CA).
	KindTLSUnknownAuthority
	// KindTLSWrongName: the registry's certificate is not valid for the name it was reached by.
	KindTLSWrongName
	// KindTLSFailure: another TLS failure: an expired or otherwise invalid certificate, a
	// handshake refused with an alert.
	KindTLSFailure
	// KindDNS: the registry's name could not be resolved.
	KindDNS
	// KindTimeout: the registry did not answer in time (connect, TLS handshake or answer).
	KindTimeout
	// KindPlainHTTPServer: HTTPS was tried, and the server answered in plain HTTP: it serves
	// HTTP only on that port ("server gave HTTP response to HTTPS client").
	KindPlainHTTPServer
	// KindHTTPSRequired: plain HTTP was tried, and the server refused it because it speaks
	// HTTPS on that port ("Client sent an HTTP request to an HTTPS server").
	KindHTTPSRequired
	// KindConnectionRefused: nothing listens at the registry's address: the registry is down,
	// or the port is wrong.
	KindConnectionRefused
	// KindUnavailable: the registry was reached but failed: a 5xx answer, or a connection
	// reset or closed before the answer.
	KindUnavailable
	// KindDigestMismatch: the manifest's body does not hash to the digest named.
	KindDigestMismatch
	// KindBadCredential: the credential cannot be used at all: its "auth" field is not
	// base64("user:password"). Nothing was sent.
	KindBadCredential
)

// String returns the kind's stable name, such as "NotFound" or "TLSUnknownAuthority", or
// "Kind(N)" for a value that is not a kind.
func (k Kind) String() string {
	switch k {
	case KindError:
		return "Error"
	case KindFound:
		return "Found"
	case KindNotFound:
		return "NotFound"
	case KindRepositoryNotFound:
		return "RepositoryNotFound"
	case KindUnauthorized:
		return "Unauthorized"
	case KindDenied:
		return "Denied"
	case KindRateLimited:
		return "RateLimited"
	case KindTLSUnknownAuthority:
		return "TLSUnknownAuthority"
	case KindTLSWrongName:
		return "TLSWrongName"
	case KindTLSFailure:
		return "TLSFailure"
	case KindDNS:
		return "DNS"
	case KindTimeout:
		return "Timeout"
	case KindPlainHTTPServer:
		return "PlainHTTPServer"
	case KindHTTPSRequired:
		return "HTTPSRequired"
	case KindConnectionRefused:
		return "ConnectionRefused"
	case KindUnavailable:
		return "Unavailable"
	case KindDigestMismatch:
		return "DigestMismatch"
	case KindBadCredential:
		return "BadCredential"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// lastKind is the last kind defined; kinds run from KindError to it.
const lastKind = KindBadCredential

// MarshalText returns [Kind.String], so that a Kind is its name in JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a name [Kind.String] returns.
func (k *Kind) UnmarshalText(b []byte) error {
	for c := KindError; c <= lastKind; c++ {
		if c.String() == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("registry: unknown probe kind %q", b)
}

// Bounds of a probe.
const (
	// MaxProbeTags is how many tags a [ProbeResult] lists at most.
	MaxProbeTags = 100
	// maxTagsBody bounds the tags list answer read.
	maxTagsBody = 256 << 10
)

// ProbeResult is a registry's answer to one [Resolver.Probe], classified. It never holds a
// credential's secret: the registry-supplied text (Code, Detail, Err) has the password, the
// tokens and every Authorization header sent masked, and Credential only says whose it is.
type ProbeResult struct {
	Image      string `json:"image"`      // the reference asked about, normalised
	Registry   string `json:"registry"`   // the host[:port] asked
	Credential string `json:"credential"` // whose credential: credential.Credential.String(), or "anonymous"
	Kind       Kind   `json:"kind"`
	// Digest is the manifest's digest, for KindFound.
	Digest digest.Digest `json:"digest,omitempty"`
	// StatusCode is the HTTP status of the answer that decided Kind; 0 when there was none.
	StatusCode int `json:"statusCode,omitempty"`
	// Code and Detail are the registry's error code and message when it sent them
	// ("MANIFEST_UNKNOWN", "DENIED", "TOOMANYREQUESTS", or a Bearer challenge's error).
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
	// TokenService is true when the answer came from the registry's token service rather
	// than the registry: the credential was refused when asking for a token.
	TokenService bool `json:"tokenService,omitempty"`
	// TagsListed is true when, for KindNotFound, the registry listed the repository's tags;
	// Tags are then the first [MaxProbeTags] of them in the registry's order (usually
	// lexical), and TagsTruncated says whether there were more.
	TagsListed    bool     `json:"tagsListed,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	TagsTruncated bool     `json:"tagsTruncated,omitempty"`
	// RateLimit is what the registry's rate-limit headers said, on any answer that had them
	// (Docker Hub sends them with every manifest answer); nil when there were none.
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	// Err is the cause of a failure, masked and bounded; nil for KindFound.
	Err error `json:"-"`
}

// RateLimit is what a registry said about its pull rate limit, from Docker Hub's headers
// (`RateLimit-Limit: 100;w=21600`, `RateLimit-Remaining: 76;w=21600`) and Retry-After.
type RateLimit struct {
	Limit     int           `json:"limit"`            // pulls allowed per Window; -1 when not sent
	Remaining int           `json:"remaining"`        // pulls left in the window; -1 when not sent
	Window    time.Duration `json:"window,omitempty"` // the window, from "w="; 0 when not sent
	// RetryAfter is the wait Retry-After asked for, and Reset the time it ends (now plus
	// RetryAfter, or the date sent); both zero when the header was absent.
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
	Reset      time.Time     `json:"reset,omitzero"`
}

// Probe asks img's registry about img with one credential, cred (nil: anonymously), and
// classifies the answer ([Kind]): what doctor tools need to tell a wrong tag from a wrong
// password, a rate limit, an untrusted certificate or a registry that is down.
//
// Unlike [Resolver.ResolveWithCredentials], it asks the registry itself (never a mirror),
// with cred alone (never the node-wide [Options.Credentials]), and it does not retry: a 429 or
// a 503 is reported as it came, with its headers. A request is HEAD of the manifest; a failed
// HEAD (other than 429, which Docker Hub would count as a pull otherwise) is repeated as GET
// for the error code in its body; a 404 is followed by one GET of the tags list
// (/v2/<name>/tags/list?n=101) to say which tags exist. Every answer body read is bounded
// (64 KiB for errors, 256 KiB for the tags list, [Options.MaxManifestBytes] for a manifest),
// and the whole probe by ctx and [Options.Timeout].
//
// Probe never fails: every outcome, success included, is a ProbeResult.
func (r *Resolver) Probe(ctx context.Context, img reference.Image, cred *credential.Credential) ProbeResult {
	res := ProbeResult{Image: img.String(), Credential: "anonymous"}
	if !img.IsValid() {
		res.Err = errors.New("registry: cannot probe the zero reference.Image")
		return res
	}
	eps := r.cfg.endpoints(img)
	ep := eps[len(eps)-1]
	res.Registry = ep.host
	oc := auth.EmptyCredential
	if cred != nil {
		res.Credential = cred.String()
		var err error
		if oc, err = orasCredential(*cred); err != nil {
			res.Kind, res.Err = KindBadCredential, err
			return res
		}
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.timeout)
	defer cancel()
	p := &prober{r: r, ep: ep, img: img, res: &res, watch: &challengeWatch{cred: oc}}
	p.client = r.clientRetrying(ctx, ep, oc, p.watch, 0)
	ctx = auth.AppendScopesForHost(ctx, ep.host, auth.ScopeRepository(img.Path(), auth.ActionPull))
	p.run(ctx)
	return res
}

// prober is one Probe.
type prober struct {
	r      *Resolver
	ep     endpoint
	img    reference.Image
	res    *ProbeResult
	watch  *challengeWatch
	client *auth.Client
}

func (p *prober) run(ctx context.Context) {
	want := p.img.Digest()
	ref := p.img.Tag()
	if want != "" {
		ref = want.String()
	}
	url := p.ep.manifestURL(p.img, ref)
	resp, err := send(ctx, p.client, http.MethodHead, url)
	if err != nil {
		p.failed(err)
		return
	}
	resp.Body.Close()
	p.rateLimit(resp)
	switch resp.StatusCode {
	case http.StatusOK:
		if d, ok := headerDigest(resp); ok && (want == "" || d == want) {
			p.res.Kind, p.res.Digest, p.res.StatusCode = KindFound, d, http.StatusOK
			return
		}
		p.get(ctx, url, want)
		return
	case http.StatusMethodNotAllowed:
		p.get(ctx, url, want)
		return
	case http.StatusTooManyRequests:
		p.status(resp, nil)
		return
	}
	// An error answer to HEAD has no body: ask again with GET for the registry's error code.
	getResp, err := send(ctx, p.client, http.MethodGet, url)
	if err != nil || getResp.StatusCode < 400 {
		if err == nil {
			getResp.Body.Close()
		}
		p.status(resp, nil)
	} else {
		body, _ := io.ReadAll(io.LimitReader(getResp.Body, maxErrorBody))
		getResp.Body.Close()
		p.rateLimit(getResp)
		p.status(getResp, body)
	}
	if p.res.Kind == KindNotFound {
		p.listTags(ctx)
	}
}

// get resolves with the GET fallback, as [Resolver.get] does, and classifies its outcome.
func (p *prober) get(ctx context.Context, url string, want digest.Digest) {
	d, err := p.r.get(ctx, p.client, p.watch, p.ep, p.img, url, want)
	if err == nil {
		p.res.Kind, p.res.Digest, p.res.StatusCode = KindFound, d, http.StatusOK
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		p.failed(err)
		return
	}
	p.res.StatusCode, p.res.Code, p.res.Detail, p.res.Err = e.StatusCode, e.Code, e.Detail, e.Err
	switch {
	case errors.Is(e.Kind, ErrDigestMismatch):
		p.res.Kind = KindDigestMismatch
	case e.StatusCode != 0:
		p.res.Kind = kindOfProbeStatus(e.StatusCode, e.Code, p.ep.scheme, "")
	case e.Err != nil:
		p.failed(e.Err)
	}
	if p.res.Err == nil {
		p.res.Err = e
	}
}

// status classifies a non-2xx answer of the registry, with its body when one was read.
func (p *prober) status(resp *http.Response, body []byte) {
	mask := p.watch.secrets()
	p.res.StatusCode = resp.StatusCode
	var parsed struct{ Errors []errcode.Error }
	if len(body) > 0 && json.Unmarshal(body, &parsed) == nil && len(parsed.Errors) > 0 {
		p.res.Code, p.res.Detail = parsed.Errors[0].Code, parsed.Errors[0].Message
	}
	if p.res.Code == "" && resp.StatusCode == http.StatusUnauthorized {
		p.res.Code = challengeError(resp.Header.Get("Www-Authenticate"))
	}
	p.res.Code = clip.String(mask.String(p.res.Code), clip.MaxField)
	p.res.Detail = clip.String(mask.String(p.res.Detail), clip.MaxField)
	p.res.Kind = kindOfProbeStatus(resp.StatusCode, p.res.Code, p.ep.scheme, string(body))
	p.res.Err = statusError(p.res.Image, p.ep.host, resp, mask)
	if e, ok := p.res.Err.(*Error); ok && p.res.Code != "" {
		e.Code, e.Detail = p.res.Code, p.res.Detail
	}
}

// kindOfProbeStatus classifies an error status of the registry (code is its error code, body
// what was read of the answer).
func kindOfProbeStatus(status int, code, scheme, body string) Kind {
	switch {
	case status == http.StatusNotFound && code == "NAME_UNKNOWN":
		return KindRepositoryNotFound
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusUnauthorized:
		return KindUnauthorized
	case status == http.StatusForbidden:
		return KindDenied
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == http.StatusBadRequest && scheme == "http" && plainHTTPRefusal(body):
		return KindHTTPSRequired
	case status == http.StatusRequestTimeout, status == http.StatusGatewayTimeout:
		return KindTimeout
	case status >= 500:
		return KindUnavailable
	}
	return KindError
}

// plainHTTPRefusal reports whether a 400's body is an HTTPS server refusing a plain HTTP
// request: Go's "Client sent an HTTP request to an HTTPS server." (net/http server.go), or
// nginx's "The plain HTTP request was sent to HTTPS port".
func plainHTTPRefusal(body string) bool {
	b := strings.ToLower(body)
	return strings.Contains(b, "http request to an https server") || strings.Contains(b, "plain http request was sent to https port")
}

// failed classifies a request that got no answer from the registry (or got one from its
// token service).
func (p *prober) failed(err error) {
	e := authFlowError(p.res.Image, p.ep.host, err, p.watch)
	p.res.Err = e
	var resp *errcode.ErrorResponse
	switch {
	case errors.As(err, &resp):
		p.res.StatusCode = resp.StatusCode
		p.res.Code, p.res.Detail = e.Code, e.Detail
		p.res.TokenService = resp.URL != nil && !strings.Contains(resp.URL.Path, "/manifests/")
		p.res.Kind = kindOfProbeStatus(resp.StatusCode, e.Code, p.ep.scheme, "")
	case errors.Is(e.Kind, ErrUnauthorized):
		p.res.StatusCode, p.res.Code = e.StatusCode, e.Code
		p.res.Kind = KindUnauthorized
	default:
		p.res.Kind = kindOfTransportError(err)
	}
}

// kindOfTransportError classifies an error from sending a request.
func kindOfTransportError(err error) Kind {
	var (
		dnsErr  *net.DNSError
		rhErr   tls.RecordHeaderError
		authErr x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		verErr  *tls.CertificateVerificationError
		alert   tls.AlertError
		opErr   *net.OpError
		netErr  net.Error
	)
	switch {
	case errors.Is(err, http.ErrSchemeMismatch),
		errors.As(err, &rhErr) && bytes.HasPrefix(rhErr.RecordHeader[:], []byte("HTTP/")):
		return KindPlainHTTPServer
	case errors.As(err, &authErr):
		return KindTLSUnknownAuthority
	case errors.As(err, &hostErr):
		return KindTLSWrongName
	case errors.As(err, &invErr), errors.As(err, &verErr), errors.As(err, &alert), errors.As(err, &rhErr),
		errors.As(err, &opErr) && (opErr.Op == "remote error" || opErr.Op == "local error"):
		return KindTLSFailure
	case errors.As(err, &dnsErr):
		return KindDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindConnectionRefused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return KindUnauthorized
	case unreachable(err), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindUnavailable
	}
	return KindError
}

// rateLimit notes the rate-limit headers of an answer, if it has any.
func (p *prober) rateLimit(resp *http.Response) {
	limit, lw, okL := rateLimitHeader(resp.Header.Get("RateLimit-Limit"))
	remaining, rw, okR := rateLimitHeader(resp.Header.Get("RateLimit-Remaining"))
	wait, okW := retryAfter(resp)
	if !okL && !okR && !(okW && resp.StatusCode == http.StatusTooManyRequests) {
		return
	}
	rl := &RateLimit{Limit: limit, Remaining: remaining, Window: max(lw, rw)}
	if okW {
		rl.RetryAfter = wait.Round(time.Second)
		rl.Reset = time.Now().Add(wait).UTC().Truncate(time.Second)
	}
	p.res.RateLimit = rl
}

// rateLimitHeader reads Docker Hub's "100;w=21600" (the count, and the window in seconds);
// -1 and false for an absent or unreadable header.
func rateLimitHeader(v string) (n int, window time.Duration, ok bool) {
	if v == "" {
		return -1, 0, false
	}
	count, params, _ := strings.Cut(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n < 0 {
		return -1, 0, false
	}
	for param := range strings.SplitSeq(params, ";") {
		if w, ok := strings.CutPrefix(strings.TrimSpace(param), "w="); ok {
			if secs, err := strconv.Atoi(w); err == nil && secs > 0 {
				window = time.Duration(secs) * time.Second
			}
		}
	}
	return n, window, true
}

// listTags asks for the repository's tags after a 404: one GET of a bounded page.
func (p *prober) listTags(ctx context.Context) {
	url := p.ep.scheme + "://" + p.ep.host + "/v2/" + p.img.Path() + "/tags/list?n=" + strconv.Itoa(MaxProbeTags+1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		p.res.Kind = KindRepositoryNotFound
		return
	default:
		return
	}
	var list struct {
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxTagsBody)).Decode(&list); err != nil {
		return
	}
	p.res.TagsListed = true
	p.res.TagsTruncated = len(list.Tags) > MaxProbeTags || resp.Header.Get("Link") != ""
	if len(list.Tags) > MaxProbeTags {
		list.Tags = list.Tags[:MaxProbeTags]
	}
	mask := p.watch.secrets()
	for _, t := range list.Tags {
		p.res.Tags = append(p.res.Tags, clip.String(mask.String(t), clip.MaxField))
	}
}

// Text returns the result in one line for people, such as
// `NotFound: 127.0.0.1:5000 has no tag "v2" of app (tags: v1, v1.9)`. It never shows a
// credential's secret.
func (p ProbeResult) Text() string {
	return p.Kind.String() + ": " + p.Message()
}

// Message is [ProbeResult.Text] without the kind in front: what happened, in one line, such
// as `127.0.0.1:5000 has no tag "v2" of app (tags: v1, v1.9)`.
func (p ProbeResult) Message() string {
	var b strings.Builder
	what := p.what()
	who := p.Credential
	switch p.Kind {
	case KindFound:
		fmt.Fprintf(&b, "%s serves %s as %s to %s", p.Registry, what, p.Digest, who)
	case KindNotFound:
		fmt.Fprintf(&b, "%s has no %s", p.Registry, what)
		switch {
		case p.TagsListed && len(p.Tags) == 0:
			b.WriteString(" (the repository lists no tags)")
		case p.TagsListed:
			b.WriteString(" (tags: ")
			b.WriteString(strings.Join(p.Tags, ", "))
			if p.TagsTruncated {
				b.WriteString(", …")
			}
			b.WriteByte(')')
		}
	case KindRepositoryNotFound:
		fmt.Fprintf(&b, "%s has no repository %q", p.Registry, p.img().Path())
	case KindUnauthorized:
		switch {
		case p.Credential == "anonymous":
			fmt.Fprintf(&b, "%s requires credentials for %s; anonymous access was refused", p.Registry, p.img().Path())
		case p.TokenService:
			fmt.Fprintf(&b, "the token service of %s rejected %s", p.Registry, who)
		default:
			fmt.Fprintf(&b, "%s rejected %s", p.Registry, who)
		}
	case KindDenied:
		fmt.Fprintf(&b, "%s denied %s access to %s", p.Registry, who, p.img().Path())
	case KindRateLimited:
		fmt.Fprintf(&b, "%s refused %s: too many requests", p.Registry, who)
		if rl := p.RateLimit; rl != nil {
			if rl.Limit >= 0 {
				fmt.Fprintf(&b, "; limit %d", rl.Limit)
				if rl.Window > 0 {
					fmt.Fprintf(&b, " per %s", rl.Window)
				}
			}
			if rl.Remaining >= 0 {
				fmt.Fprintf(&b, ", %d remaining", rl.Remaining)
			}
			if rl.RetryAfter > 0 {
				fmt.Fprintf(&b, "; resets in %s", rl.RetryAfter)
			}
		}
	case KindTLSUnknownAuthority:
		fmt.Fprintf(&b, "the certificate of %s is signed by an unknown authority", p.Registry)
	case KindTLSWrongName:
		fmt.Fprintf(&b, "the certificate of %s is not valid for that name", p.Registry)
	case KindTLSFailure:
		fmt.Fprintf(&b, "TLS with %s failed", p.Registry)
	case KindDNS:
		fmt.Fprintf(&b, "the name of %s cannot be resolved", p.Registry)
	case KindTimeout:
		fmt.Fprintf(&b, "%s did not answer in time", p.Registry)
	case KindPlainHTTPServer:
		fmt.Fprintf(&b, "%s answered HTTPS in plain HTTP: it serves HTTP only", p.Registry)
	case KindHTTPSRequired:
		fmt.Fprintf(&b, "%s refused plain HTTP: it serves HTTPS", p.Registry)
	case KindConnectionRefused:
		fmt.Fprintf(&b, "%s refused the connection: the registry is down or the port is wrong", p.Registry)
	case KindUnavailable:
		fmt.Fprintf(&b, "%s failed", p.Registry)
	case KindDigestMismatch:
		fmt.Fprintf(&b, "%s sent a manifest for %s that does not match its digest", p.Registry, what)
	case KindBadCredential:
		fmt.Fprintf(&b, "%s cannot be used: its auth field is not base64(user:password)", who)
	default:
		fmt.Fprintf(&b, "asking %s for %s failed", p.Registry, what)
	}
	if d := p.detail(); d != "" {
		b.WriteString(": ")
		b.WriteString(d)
	}
	return b.String()
}

// what names the manifest asked for: `tag "v2" of app` or `digest sha256:… of app`.
func (p ProbeResult) what() string {
	img := p.img()
	if !img.IsValid() {
		return strconv.Quote(p.Image)
	}
	if d := img.Digest(); d != "" {
		return fmt.Sprintf("digest %s of %s", d, img.Path())
	}
	return fmt.Sprintf("tag %q of %s", img.Tag(), img.Path())
}

func (p ProbeResult) img() reference.Image {
	img, err := reference.Parse(p.Image)
	if err != nil {
		return reference.Image{}
	}
	return img
}

// detail is the status, code and message of the answer, or the cause of a failure without
// an answer; "" when there is nothing to add.
func (p ProbeResult) detail() string {
	switch p.Kind {
	case KindFound, KindNotFound, KindRepositoryNotFound, KindBadCredential:
		return ""
	}
	var parts []string
	if p.StatusCode != 0 {
		parts = append(parts, strconv.Itoa(p.StatusCode))
	}
	if p.Code != "" {
		parts = append(parts, p.Code)
	} else if p.StatusCode != 0 {
		parts = append(parts, http.StatusText(p.StatusCode))
	}
	if p.Detail != "" {
		parts = append(parts, p.Detail)
	}
	if len(parts) == 0 && p.Err != nil {
		return cause(p.Err)
	}
	return strings.Join(parts, " ")
}

// cause returns the innermost useful text of err: the resolver's "resolving … on …:" prefix
// and Go's `Head "URL":` prefix are dropped, and a DNS failure is "lookup NAME: REASON",
// without the address of the DNS server, which depends on the machine.
func cause(err error) string {
	var (
		e      *Error
		dnsErr *net.DNSError
	)
	if errors.As(err, &dnsErr) {
		return clip.String("lookup "+dnsErr.Name+": "+dnsErr.Err, clip.MaxField)
	}
	if errors.As(err, &e) && e.Err != nil {
		err = e.Err
	}
	text := err.Error()
	if i := strings.Index(text, `": `); i >= 0 && (strings.HasPrefix(text, "Head ") || strings.HasPrefix(text, "Get ")) {
		text = text[i+3:]
	}
	return clip.String(text, clip.MaxField)
}
