package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
	"golang.org/x/sync/singleflight"
)

var (
	_ pullpolicy.Resolver        = (*Resolver)(nil)
	_ kubelet.CredentialResolver = (*Resolver)(nil)
)

// Resolver is a caching [pullpolicy.Resolver]: it answers from memory what an upstream
// resolver (a registry) answered recently, and makes one upstream call for all the callers
// that ask about the same reference at the same time. Create it with [NewResolver]; the zero
// Resolver answers every Resolve with an error. A Resolver is safe for concurrent use and
// starts no goroutine of its own except while an upstream call is in flight.
//
// # What is cached
//
// Entries are keyed by the normalised reference ([reference.Image.String], so "nginx" and
// "docker.io/library/nginx:latest" share one), by the identity of the view ([Resolver.Scoped])
// and by the identity of the credentials a call carries ([Resolver.ResolveWithCredentials]).
// A digest is answered from the cache for TTL after the upstream gave it. A digest reference
// (img.Digest() != "") is resolved and cached like a tag: the upstream is still asked the first
// time, because the registry decides whether this identity may use that digest, and its answer
// is remembered for TTL.
//
// When IsNotFound and NegativeTTL are set, an error IsNotFound accepts is cached for
// NegativeTTL. No other error is cached. An error that matches
// [pullpolicy.ErrRegistryUnavailable] or a context error leaves the entry as it was (so it can
// be served stale); any other error, such as 401, 403 or an uncached 404, removes the entry,
// so the digest it held is never served stale after the registry refused it.
//
// # Stale answers
//
// With MaxStale set, an upstream error matching [pullpolicy.ErrRegistryUnavailable] is
// answered with a [*pullpolicy.StaleError] holding the last digest of this reference and
// identity, when the upstream gave it at most MaxStale ago. [pullpolicy.Decide] goes on with
// that digest and marks its Decision Stale. Older digests, and every other error, give the
// upstream's error unchanged.
//
// # Shared calls and cancellation
//
// Concurrent misses for one reference and identity share one upstream call
// (golang.org/x/sync/singleflight). The call runs under the first caller's context values
// but not its cancellation (context.WithoutCancel), bounded by CallTimeout, and its answer
// is cached even when every caller has gone. Each caller waits for the shared answer or for
// its own context, whichever comes first: a cancelled caller gets ctx.Err() at once and the
// others still get the answer. When CallTimeout ends the call, the callers get an error
// matching context.DeadlineExceeded. Since callers of one reference and identity share both
// the call and the cache, they must look the same to the upstream: whatever it reads from
// the context, such as credentials, must not differ between them (see [Resolver.Scoped]).
//
// # Size and expiry
//
// Entries expire lazily, when read; no goroutine sweeps them. At most MaxEntries answers are
// kept, all identities together; beyond that the least recently used entry is evicted.
type Resolver struct {
	c     *resolverCache // shared by every view
	scope string         // the identity this view keys its entries by; "" for the root
}

// resolverCache is the state every view of a Resolver shares.
type resolverCache struct {
	next pullpolicy.Resolver
	opts ResolverOptions // defaults filled in
	sf   singleflight.Group

	mu      sync.Mutex          // protects entries and lru, and the fields of every entry
	entries map[entryKey]*entry // by identity and reference
	lru     entry               // sentinel of the recency list: lru.next is the most recently used

	hits, misses, upstream, stale, evictions atomic.Uint64
}

// entryKey identifies a cached answer without building a string: the identity of the
// credentials it was resolved with (zero for none), the view's identity, the reference.
type entryKey struct {
	creds      credentialsID
	scope, ref string
}

// flight returns k as the key of a shared upstream call. The credentials' identity has a
// fixed length, the reference cannot hold a NUL, and the view's identity sits between them,
// so the key is unique.
func (k entryKey) flight() string {
	return string(k.creds[:]) + k.scope + "\x00" + k.ref
}

// entry is one cached answer: a digest, or (with digest "") a not-found error.
type entry struct {
	key        entryKey
	digest     digest.Digest // the digest the upstream gave; "" for a not-found answer
	err        error         // the not-found error, when digest is ""
	at         time.Time     // when the upstream gave the answer
	prev, next *entry        // neighbours in the recency list
}

// answer is what a caller gets back: a digest or an error.
type answer struct {
	digest digest.Digest
	err    error
}

// ResolverStats counts what a [Resolver] did, for all its views together.
type ResolverStats struct {
	Hits      uint64 // Resolve calls answered from the cache (a digest or a cached not-found)
	Misses    uint64 // Resolve calls that waited for an upstream call, their own or a shared one
	Upstream  uint64 // calls made to the upstream resolver
	Stale     uint64 // Resolve calls answered with a *pullpolicy.StaleError
	Evictions uint64 // entries evicted because the cache was full
}

// NewResolver returns a Resolver that caches the answers of next. A nil opts means the
// defaults of [ResolverOptions]. It returns an error, and no Resolver, when next is nil or an
// option is invalid (a negative duration or size, NegativeTTL without IsNotFound or the
// reverse, MaxStale shorter than TTL). It starts no goroutine.
func NewResolver(next pullpolicy.Resolver, opts *ResolverOptions) (*Resolver, error) {
	if next == nil {
		return nil, errors.New("cache: NewResolver needs an upstream Resolver, got nil")
	}
	o, err := opts.resolved()
	if err != nil {
		return nil, err
	}
	c := &resolverCache{next: next, opts: o, entries: make(map[entryKey]*entry)}
	c.lru.next, c.lru.prev = &c.lru, &c.lru
	return &Resolver{c: c}, nil
}

// Scoped returns a view of r that shares its cache, upstream resolver, options and stats,
// but keys its entries by identity: an answer cached through one identity is never given to
// another, stale or not. The root Resolver has the identity "". Scoped of a view replaces its
// identity.
//
// Use one identity per set of credentials that can change the registry's answer, for
// example a hash of the pod's pull secrets, and make sure the upstream call sees those
// credentials (for example through the context given to Resolve, whose values the upstream
// call keeps). The identity is only compared, never logged; still, prefer a hash to a secret.
func (r *Resolver) Scoped(identity string) *Resolver {
	if r == nil {
		return &Resolver{scope: identity}
	}
	return &Resolver{c: r.c, scope: identity}
}

// Identity returns the identity this view keys its entries by: "" for the root Resolver.
func (r *Resolver) Identity() string {
	if r == nil {
		return ""
	}
	return r.scope
}

// Resolve implements [pullpolicy.Resolver]: it returns the digest img names, from the cache
// when a fresh answer is there, otherwise from the upstream resolver (see [Resolver] for
// the rules). It returns ctx.Err() when ctx is done, before or while waiting, and an error
// for an invalid img without asking the upstream.
func (r *Resolver) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	return r.resolve(ctx, img, nil, credentialsID{})
}

// resolve is Resolve with the call's credentials, creds, whose identity is credsID (zero for
// none): the upstream gets creds through ResolveWithCredentials when credsID is set. The
// outcome goes to the observer, when there is one.
func (r *Resolver) resolve(ctx context.Context, img reference.Image, creds []credential.Credential, credsID credentialsID) (digest.Digest, error) {
	if r == nil || r.c == nil || r.c.opts.Observer == nil {
		d, _, err := r.lookup(ctx, img, creds, credsID)
		return d, err
	}
	start := time.Now()
	d, outcome, err := r.lookup(ctx, img, creds, credsID)
	r.c.opts.Observer.ObserveResolve(ctx, outcome, time.Since(start))
	return d, err
}

// lookup answers a resolve from the cache or the upstream, and says how (an Outcome*).
func (r *Resolver) lookup(ctx context.Context, img reference.Image, creds []credential.Credential, credsID credentialsID) (digest.Digest, string, error) {
	if err := ctx.Err(); err != nil {
		return "", OutcomeCanceled, err
	}
	if r == nil || r.c == nil {
		return "", OutcomeError, errors.New("cache: Resolve on a Resolver not made by NewResolver")
	}
	if !img.IsValid() {
		return "", OutcomeError, errors.New("cache: resolve of an invalid image reference")
	}
	c := r.c
	key := entryKey{creds: credsID, scope: r.scope, ref: img.String()}
	if a, ok := c.fresh(key); ok {
		c.hits.Add(1)
		if a.err != nil {
			return a.digest, OutcomeNegativeHit, a.err
		}
		return a.digest, OutcomeHit, nil
	}
	c.misses.Add(1)
	ch := c.sf.DoChan(key.flight(), func() (any, error) {
		a := c.call(ctx, key, img, creds)
		return a.digest, a.err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			if _, ok := res.Err.(*pullpolicy.StaleError); ok {
				c.stale.Add(1)
			}
			return "", c.outcomeOf(res.Err), res.Err
		}
		return res.Val.(digest.Digest), OutcomeMiss, nil
	case <-ctx.Done():
		return "", OutcomeCanceled, ctx.Err()
	}
}

// Stats returns the counters of r and all its views.
func (r *Resolver) Stats() ResolverStats {
	if r == nil || r.c == nil {
		return ResolverStats{}
	}
	c := r.c
	return ResolverStats{
		Hits:      c.hits.Load(),
		Misses:    c.misses.Load(),
		Upstream:  c.upstream.Load(),
		Stale:     c.stale.Load(),
		Evictions: c.evictions.Load(),
	}
}

// Len returns the number of cached entries, all identities together, expired ones included
// until they are read or evicted.
func (r *Resolver) Len() int {
	if r == nil || r.c == nil {
		return 0
	}
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	return len(r.c.entries)
}

// call is the shared upstream call for key, with the first caller's creds when key has a
// credentials identity. It runs without the caller's cancellation, bounded by CallTimeout,
// and records the answer.
func (c *resolverCache) call(ctx context.Context, key entryKey, img reference.Image, creds []credential.Credential) answer {
	// A call for key that ended between the caller's look-up and this one has just cached
	// its answer: use it instead of asking again.
	if a, ok := c.fresh(key); ok {
		return a
	}
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.CallTimeout)
	defer cancel()
	c.upstream.Add(1)
	var d digest.Digest
	var err error
	if cr, ok := c.next.(kubelet.CredentialResolver); ok && key.creds != (credentialsID{}) {
		d, err = cr.ResolveWithCredentials(callCtx, img, creds)
	} else {
		d, err = c.next.Resolve(callCtx, img)
	}
	if err != nil && callCtx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("cache: upstream resolve of %s did not finish within %s: %w", key.ref, c.opts.CallTimeout, err)
	}
	return c.record(key, d, err)
}

// fresh returns the answer cached for key when it is fresh, marking it recently used. It
// removes an entry that can no longer be of any use: an expired not-found, or a digest too
// old to be served stale.
func (c *resolverCache) fresh(key entryKey) (answer, bool) {
	now := c.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return answer{}, false
	}
	age, ttl := now.Sub(e.at), c.opts.TTL
	if e.digest == "" {
		ttl = c.opts.NegativeTTL
	}
	switch {
	case age < ttl:
		c.moveToFront(e)
		return answer{digest: e.digest, err: e.err}, true
	case e.digest == "" || age > c.opts.MaxStale:
		c.remove(e)
	}
	return answer{}, false
}

// record stores the upstream's answer for key and returns what the callers get: the
// upstream's answer, or a stale one when the registry was unavailable.
func (c *resolverCache) record(key entryKey, d digest.Digest, err error) answer {
	unavailable := errors.Is(err, pullpolicy.ErrRegistryUnavailable)
	ctxErr := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	notFound := err != nil && !unavailable && !ctxErr && c.opts.IsNotFound != nil && c.opts.IsNotFound(err)
	now := c.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	switch {
	case err == nil && d.Validate() == nil:
		c.put(key, entry{digest: d, at: now})
	case err == nil:
		// An invalid digest is not cached; the caller (pullpolicy.Decide) rejects it.
	case unavailable:
		if e != nil && e.digest != "" && c.opts.MaxStale > 0 {
			if age := now.Sub(e.at); age <= c.opts.MaxStale {
				return answer{err: &pullpolicy.StaleError{Digest: e.digest, Age: age, Err: err}}
			}
		}
	case ctxErr:
		// The upstream did not answer: keep what the cache knew.
	case notFound:
		c.put(key, entry{err: err, at: now})
	case e != nil:
		c.remove(e) // the registry refused: never serve the old digest again
	}
	return answer{digest: d, err: err}
}

// put stores a fresh answer for key, evicting the least recently used entries beyond
// MaxEntries. The caller holds c.mu.
func (c *resolverCache) put(key entryKey, a entry) {
	if e, ok := c.entries[key]; ok {
		e.digest, e.err, e.at = a.digest, a.err, a.at
		c.moveToFront(e)
		return
	}
	e := &entry{key: key, digest: a.digest, err: a.err, at: a.at}
	c.entries[key] = e
	c.link(e)
	for len(c.entries) > c.opts.MaxEntries {
		c.remove(c.lru.prev)
		c.evictions.Add(1)
	}
}

// link puts e at the front of the recency list. The caller holds c.mu.
func (c *resolverCache) link(e *entry) {
	e.prev, e.next = &c.lru, c.lru.next
	e.prev.next, e.next.prev = e, e
}

// moveToFront marks e as the most recently used. The caller holds c.mu.
func (c *resolverCache) moveToFront(e *entry) {
	if c.lru.next == e {
		return
	}
	e.prev.next, e.next.prev = e.next, e.prev
	c.link(e)
}

// remove deletes e from the cache. The caller holds c.mu.
func (c *resolverCache) remove(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	delete(c.entries, e.key)
}
