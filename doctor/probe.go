package doctor

import (
	"context"
	"fmt"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
)

// ProbeKind classifies a registry's answer to one image asked with one credential.
type ProbeKind string

// The answers a [Prober] gives.
const (
	// ProbeOK: the registry serves the manifest to this credential.
	ProbeOK ProbeKind = "OK"
	// ProbeNotFound: no such tag or digest (the repository may exist).
	ProbeNotFound ProbeKind = "NotFound"
	// ProbeRepositoryNotFound: no such repository.
	ProbeRepositoryNotFound ProbeKind = "RepositoryNotFound"
	// ProbeUnauthorized: the credential is missing or wrong (401).
	ProbeUnauthorized ProbeKind = "Unauthorized"
	// ProbeDenied: the credential is known but not allowed to pull (403, "denied").
	ProbeDenied ProbeKind = "Denied"
	// ProbeRateLimited: too many requests (429, Docker Hub's pull limit).
	ProbeRateLimited ProbeKind = "RateLimited"
	// ProbeTLSUnknownAuthority: the registry's certificate is signed by an unknown CA.
	ProbeTLSUnknownAuthority ProbeKind = "TLSUnknownAuthority"
	// ProbeTLSWrongName: the registry's certificate is for another name.
	ProbeTLSWrongName ProbeKind = "TLSWrongName"
	// ProbeTLS: another TLS failure.
	ProbeTLS ProbeKind = "TLS"
	// ProbeDNS: the registry's name does not resolve.
	ProbeDNS ProbeKind = "DNS"
	// ProbeTimeout: the registry did not answer in time.
	ProbeTimeout ProbeKind = "Timeout"
	// ProbeRefused: the connection was refused: the registry is down.
	ProbeRefused ProbeKind = "ConnectionRefused"
	// ProbePlainHTTP: HTTPS was tried and the registry answered in plain HTTP.
	ProbePlainHTTP ProbeKind = "PlainHTTP"
	// ProbeHTTPSRequired: plain HTTP was tried and the registry speaks HTTPS.
	ProbeHTTPSRequired ProbeKind = "HTTPSRequired"
	// ProbeUnavailable: the registry answers 5xx.
	ProbeUnavailable ProbeKind = "Unavailable"
	// ProbeError: any other failure.
	ProbeError ProbeKind = "Error"
	// ProbeSkipped: the registry was not asked (no prober, or the call budget is spent).
	ProbeSkipped ProbeKind = "Skipped"
)

// Failed reports whether k is an answer other than [ProbeOK] and [ProbeSkipped].
func (k ProbeKind) Failed() bool { return k != ProbeOK && k != ProbeSkipped && k != "" }

// auth reports whether k says the credential was refused.
func (k ProbeKind) auth() bool { return k == ProbeUnauthorized || k == ProbeDenied }

// ProbeResult is a registry's answer, classified.
type ProbeResult struct {
	Kind ProbeKind `json:"kind"`
	// Message is the registry's or the transport's error text; empty on success.
	Message string `json:"message,omitempty"`
	// Digest is the manifest digest, on success.
	Digest string `json:"digest,omitempty"`
	// Tags are the repository's tags, in the registry's order, when the answer is
	// [ProbeNotFound] and the registry lists them.
	Tags []string `json:"tags,omitempty"`
	// RateLimitRemaining and RateLimitReset are Docker Hub's RateLimit-Remaining header and
	// the reset time (from RateLimit-Reset or Retry-After), when the registry sent them.
	RateLimitRemaining string `json:"rateLimitRemaining,omitempty"`
	RateLimitReset     string `json:"rateLimitReset,omitempty"`
}

// Prober asks a registry about one image with one credential (nil: anonymous) and
// classifies the answer. Implementations must be safe for concurrent use and must honour
// ctx's deadline.
type Prober interface {
	Probe(ctx context.Context, img reference.Image, cred *credential.Credential) ProbeResult
}

// ProberFunc adapts a function to [Prober].
type ProberFunc func(ctx context.Context, img reference.Image, cred *credential.Credential) ProbeResult

// Probe calls f(ctx, img, cred).
func (f ProberFunc) Probe(ctx context.Context, img reference.Image, cred *credential.Credential) ProbeResult {
	return f(ctx, img, cred)
}

// probe asks the registry about img with cred, once per image and credential in a run,
// within the call budget, at most PerRegistry at a time per registry, bounded in time.
func (r *run) probe(ctx context.Context, img reference.Image, cred *credential.Credential) ProbeResult {
	if r.d.opts.Prober == nil {
		return ProbeResult{Kind: ProbeSkipped, Message: "no registry prober was given"}
	}
	key := img.String() + "\x00anonymous"
	if cred != nil {
		key = img.String() + "\x00" + credential.Hash(*cred)
	}
	res, _ := get(r, r.answers, key, func() (ProbeResult, error) {
		if r.probes.Add(1) > int64(r.d.opts.MaxProbes) {
			r.budgetHit.Store(true)
			return ProbeResult{Kind: ProbeSkipped, Message: fmt.Sprintf("the registry call budget (%d) is spent", r.d.opts.MaxProbes)}, nil
		}
		sem := r.host(img.Domain())
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ProbeResult{Kind: ProbeSkipped, Message: ctx.Err().Error()}, nil
		}
		defer func() { <-sem }()
		pctx, cancel := context.WithTimeout(ctx, r.d.opts.ProbeTimeout)
		defer cancel()
		return r.d.opts.Prober.Probe(pctx, img, cred), nil
	})
	return res
}

// host returns the semaphore of one registry host.
func (r *run) host(h string) chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.hosts[h]
	if !ok {
		c = make(chan struct{}, r.d.opts.PerRegistry)
		r.hosts[h] = c
	}
	return c
}
