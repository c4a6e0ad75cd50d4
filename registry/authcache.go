package registry

import (
	"context"
	"errors"
	"sync"

	"oras.land/oras-go/v2/registry/remote/auth"
)

// tokenCache is the [auth.Cache] of one (registry host, credential) pair: the auth scheme the
// host asked for and the tokens obtained, by scope. Unlike oras's cache, Set does not merge
// concurrent fetches: a fetch runs under its own caller's context, so one caller giving up
// never fails another (two callers may then both fetch a token, which is harmless).
type tokenCache struct {
	mu     sync.Mutex        // protects the fields below
	host   string            // the registry the scheme and tokens are for
	scheme auth.Scheme       // auth.SchemeUnknown until the host challenged
	tokens map[string]string // by scope key; for Basic, the one key ""
}

// maxTokensPerCache bounds the scopes (repositories) one tokenCache remembers.
const maxTokensPerCache = 256

var (
	_ auth.Cache = (*tokenCache)(nil)

	errNotCached = errors.New("not cached")
)

// GetScheme returns the scheme host asked for, if known.
func (c *tokenCache) GetScheme(_ context.Context, host string) (auth.Scheme, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if host != c.host || c.scheme == auth.SchemeUnknown {
		return auth.SchemeUnknown, errNotCached
	}
	return c.scheme, nil
}

// GetToken returns the token for host, scheme and scope key, if cached.
func (c *tokenCache) GetToken(_ context.Context, host string, scheme auth.Scheme, key string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if host != c.host || scheme != c.scheme {
		return "", errNotCached
	}
	if token, ok := c.tokens[key]; ok {
		return token, nil
	}
	return "", errNotCached
}

// Set fetches a token with the caller's context and remembers it.
func (c *tokenCache) Set(ctx context.Context, host string, scheme auth.Scheme, key string, fetch func(context.Context) (string, error)) (string, error) {
	token, err := fetch(ctx)
	if err != nil || host != c.host {
		return token, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if scheme != c.scheme || c.tokens == nil {
		c.scheme, c.tokens = scheme, make(map[string]string)
	}
	if len(c.tokens) >= maxTokensPerCache {
		clear(c.tokens)
	}
	c.tokens[key] = token
	return token, nil
}
