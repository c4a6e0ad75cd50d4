package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// Resolver is a [pullpolicy.Resolver] that asks OCI distribution registries which digest a
// reference names: one HEAD request for the manifest in the common case (see the package
// documentation for the full protocol). Create it with [NewResolver]. A Resolver is safe for
// concurrent use; it starts no goroutines of its own, and its HTTP transport (and the idle
// connections it keeps) belongs to it alone.
type Resolver struct {
	cfg       config
	transport http.RoundTripper
	header    http.Header // User-Agent; never modified after NewResolver

	mu     sync.Mutex               // protects caches
	caches map[cacheKey]*tokenCache // auth schemes and tokens, per host and credential
}

// cacheKey separates authentication state by endpoint and by credential, so that a token
// obtained with one pod's credentials is never used for another pod's request.
type cacheKey struct {
	host string
	cred auth.Credential
}

// maxAuthCaches bounds the number of (host, credential) token caches a Resolver keeps; past
// it, an arbitrary one is dropped (it is only a cache).
const maxAuthCaches = 1024

var (
	_ pullpolicy.Resolver        = (*Resolver)(nil)
	_ kubelet.CredentialResolver = (*Resolver)(nil)
)

// NewResolver returns a Resolver configured by opts; nil opts means the defaults. It returns
// an error for invalid options (a negative timeout, an unparsable mirror, …).
func NewResolver(opts *Options) (*Resolver, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	r := &Resolver{
		cfg:       cfg,
		transport: cfg.transport,
		header:    http.Header{"User-Agent": {cfg.userAgent}},
		caches:    make(map[cacheKey]*tokenCache),
	}
	if r.transport == nil {
		r.transport = newTransport(cfg.attemptTimeout, cfg.rootCAs)
	}
	return r, nil
}

// newTransport returns a Resolver's own transport: the settings of http.DefaultTransport with
// the attempt timeout applied to connecting, the TLS handshake and the response headers, and
// response headers capped at 64 KiB, trusting roots (nil: the system's certificate authorities).
func newTransport(attempt time.Duration, roots *x509.CertPool) *http.Transport {
	dialer := &net.Dialer{Timeout: attempt, KeepAlive: 30 * time.Second}
	var tlsConfig *tls.Config
	if roots != nil {
		tlsConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return &http.Transport{
		TLSClientConfig:        tlsConfig,
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    attempt,
		ResponseHeaderTimeout:  attempt,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
}

// maxResponseHeaderBytes bounds the headers of a registry's answer (Go's default is 10 MB): a
// hostile WWW-Authenticate of megabytes fails the request instead of being kept in errors.
const maxResponseHeaderBytes = 64 << 10

// Resolve returns the digest img names now at its registry, using the node-wide credentials
// of [Options.Credentials]. It is [Resolver.ResolveWithCredentials] with no credentials of
// the call's own.
func (r *Resolver) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	return r.ResolveWithCredentials(ctx, img, nil)
}

// ResolveWithCredentials returns the digest img names now at its registry: for a tag, the
// digest of the manifest or, for a multi-platform image, of the index the tag points to; for
// a reference with a digest (with or without a tag), that digest, once the registry has
// confirmed it serves it to these credentials. It implements
// [kubelet.CredentialResolver], so that the [kubelet.ImageManager] resolves with the pod's
// credentials.
//
// creds are the call's own credentials, already matched for img's repository and in the
// order to try them: what a [kubelet.Puller] receives (the Manager passes exactly that),
// or credential.Union(podKeyring, …).Lookup(img.Repository()). At the registry they are tried
// before the node-wide [Options.Credentials] matching the repository, each in turn until the
// registry accepts one, as the kubelet does; duplicates (same auth fields) are tried once. A
// mirror gets only the node-wide credentials matching its own host, never creds. With no
// credential at all the request is anonymous. Of a credential, the username and password (or,
// when both are empty, the decoded "auth" field), the identity token (an OAuth2 refresh token)
// and the registry token (a bearer token) are used. creds are used for this call only.
//
// Errors are [*Error] values (joined when several credentials were tried): a registry that
// cannot be reached or keeps failing (DNS, refused or reset connections, timeouts, 5xx or
// 429 after the retries) matches [pullpolicy.ErrRegistryUnavailable]; 404 matches
// [ErrNotFound]; 401 and 403 match [ErrUnauthorized]; a body that does not match its digest
// matches [ErrDigestMismatch]. A cancelled ctx gives an error matching context.Canceled and
// nothing else; a deadline gives one matching both context.DeadlineExceeded and
// ErrRegistryUnavailable. A registry or token service that repeats in its error what it was
// sent cannot leak it: the password, the tokens, the base64 "user:password" and every
// Authorization header value sent are masked ("[redacted]") in the error's Code, Detail and
// cause, whatever the credential's source (creds, [Options.Credentials]).
func (r *Resolver) ResolveWithCredentials(ctx context.Context, img reference.Image, creds []credential.Credential) (digest.Digest, error) {
	if r.cfg.observer == nil {
		return r.resolve(ctx, img, creds)
	}
	start := time.Now()
	d, err := r.resolve(ctx, img, creds)
	r.cfg.observer.ObserveResolve(ctx, outcomeOf(err), time.Since(start))
	return d, err
}

// resolve is ResolveWithCredentials without the observer.
func (r *Resolver) resolve(ctx context.Context, img reference.Image, creds []credential.Credential) (digest.Digest, error) {
	if !img.IsValid() {
		return "", errors.New("registry: cannot resolve the zero reference.Image")
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.timeout)
	defer cancel()
	want := img.Digest()
	ref := img.Tag()
	if want != "" {
		ref = want.String() // tag and digest: the digest wins, as in containerd
	}
	eps := r.cfg.endpoints(img)
	upstream, mirrors := eps[len(eps)-1], eps[:len(eps)-1]
	var mirrorErrs []error
	for _, ep := range mirrors {
		d, err := r.resolveAt(ctx, ep, img, ref, want, nil)
		if err == nil {
			return d, nil
		}
		if ctx.Err() != nil {
			return "", err
		}
		mirrorErrs = append(mirrorErrs, err)
	}
	d, err := r.resolveAt(ctx, upstream, img, ref, want, creds)
	if err != nil && len(mirrorErrs) > 0 {
		err = fmt.Errorf("%w (mirrors tried first: %v)", err, errors.Join(mirrorErrs...))
	}
	return d, err
}

// WithCredentials returns a [pullpolicy.Resolver] that resolves with creds as the call's own
// credentials ([Resolver.ResolveWithCredentials]), for handing a pod's credentials to
// [pullpolicy.Decide]. It shares r's connections and caches. It is
// kubelet.WithCredentials(r, creds).
func (r *Resolver) WithCredentials(creds []credential.Credential) pullpolicy.Resolver {
	return kubelet.WithCredentials(r, creds)
}

// CloseIdleConnections closes the idle keep-alive connections of r's transport (and so their
// goroutines). r stays usable.
func (r *Resolver) CloseIdleConnections() {
	if t, ok := r.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// resolveAt asks one endpoint, trying each candidate credential in turn while the answer is
// unauthorized or not found (a registry may hide a private repository behind a 404).
func (r *Resolver) resolveAt(ctx context.Context, ep endpoint, img reference.Image, ref string, want digest.Digest, creds []credential.Credential) (digest.Digest, error) {
	cands, errs := r.candidates(ep, img, creds)
	for _, c := range cands {
		d, err := r.fetch(ctx, ep, img, ref, want, c)
		if err == nil {
			return d, nil
		}
		errs = append(errs, err)
		if !errors.Is(err, ErrUnauthorized) && !errors.Is(err, ErrNotFound) {
			break
		}
	}
	if len(errs) == 1 {
		return "", errs[0]
	}
	return "", errors.Join(errs...)
}

// client returns the HTTP client of one attempt at ep with cred: r's transport watched by
// watch, under a retry policy bounded by ctx's deadline, under oras's auth client (challenges, token
// service, Authorization dropped on redirects to another origin) with cred offered to ep's
// host only.
func (r *Resolver) client(ctx context.Context, ep endpoint, cred auth.Credential, watch *challengeWatch) *auth.Client {
	return r.clientRetrying(ctx, ep, cred, watch, r.cfg.maxRetries)
}

// clientRetrying is [Resolver.client] with at most retries retries per request.
func (r *Resolver) clientRetrying(ctx context.Context, ep endpoint, cred auth.Credential, watch *challengeWatch, retries int) *auth.Client {
	policy := &retryPolicy{max: retries, base: r.cfg.retryBackoff, maxWait: r.cfg.maxRetryWait}
	policy.deadline, _ = ctx.Deadline()
	watch.base = r.transport
	return &auth.Client{
		Client: &http.Client{Transport: &retry.Transport{
			Base:   watch,
			Policy: func() retry.Policy { return policy },
		}},
		Header: r.header,
		Credential: func(_ context.Context, hostport string) (auth.Credential, error) {
			if !strings.EqualFold(hostport, ep.host) {
				return auth.EmptyCredential, nil
			}
			return cred, nil
		},
		Cache:    r.authCache(ep.host, cred),
		ClientID: "imagepull",
	}
}

func (r *Resolver) authCache(host string, cred auth.Credential) *tokenCache {
	key := cacheKey{host: strings.ToLower(host), cred: cred}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.caches[key]; ok {
		return c
	}
	if len(r.caches) >= maxAuthCaches {
		for k := range r.caches {
			delete(r.caches, k)
			break
		}
	}
	c := &tokenCache{host: host}
	r.caches[key] = c
	return c
}
