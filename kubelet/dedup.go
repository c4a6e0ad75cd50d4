package kubelet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"

	"github.com/imagepull/imagepull/credential"
)

// flightGroup de-duplicates concurrent identical pulls ([Config].DeduplicatePulls). The
// first caller for a key (the leader) runs the pull under its own context; the others wait
// for its outcome or for their own context. When the leader's pull ends because the
// leader's context ended, a waiter whose context is still live runs the pull again itself,
// so one caller's cancellation never fails another.
type flightGroup struct {
	mu      sync.Mutex         // protects flights
	flights map[string]*flight // by pullKey
}

type flight struct {
	done chan struct{} // closed when out is set
	out  pullOutcome
	err  error // the leader's scheduling error (its context ended)
}

func newFlightGroup() *flightGroup { return &flightGroup{flights: make(map[string]*flight)} }

// do runs pull for key once among concurrent callers. shared reports whether the outcome
// came from another caller's pull.
func (g *flightGroup) do(ctx context.Context, key string, pull func() (pullOutcome, error)) (out pullOutcome, shared bool, err error) {
	for {
		g.mu.Lock()
		f, ok := g.flights[key]
		if !ok {
			f = &flight{done: make(chan struct{}), err: errSharedPullPanicked}
			g.flights[key] = f
			g.mu.Unlock()
			defer g.land(key, f) // also when pull panics: the waiters then see the error
			f.out, f.err = pull()
			return f.out, false, f.err
		}
		g.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return pullOutcome{}, true, ctx.Err()
		}
		if ctx.Err() == nil && (isContextErr(f.err) || isContextErr(f.out.err)) {
			continue // the leader gave up; try again, possibly as the leader
		}
		out = f.out
		out.shared = true
		return out, true, f.err
	}
}

// errSharedPullPanicked is what the waiters of a pull that panicked get.
var errSharedPullPanicked = errors.New("kubelet: the shared pull panicked")

// land ends the flight f for key and wakes its waiters.
func (g *flightGroup) land(key string, f *flight) {
	g.mu.Lock()
	delete(g.flights, key)
	g.mu.Unlock()
	close(f.done)
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// pullKey identifies a pull for de-duplication: the image string handed to the runtime, the
// runtime handler, and the exact credentials in order (hashed, so that no secret is kept in
// the key). A pull without credentials never shares a key with one that has some.
func pullKey(req *PullRequest) string {
	h := sha256.New()
	for i := range req.Credentials {
		c := &req.Credentials[i]
		for _, f := range [...]string{c.Username, c.Password, c.Auth, c.Email, c.ServerAddress, c.IdentityToken, c.RegistryToken} {
			h.Write([]byte(f))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	return req.Image + "\x00" + req.RuntimeHandler + "\x00" + hex.EncodeToString(h.Sum(nil))
}

// ownCredential returns the credential of creds with the same auth fields as used, so that a
// pull shared with another pod is recorded with this pod's own Secret; nil for an anonymous
// pull.
func ownCredential(creds []credential.Credential, used *credential.Credential) *credential.Credential {
	if used == nil {
		return nil
	}
	for i := range creds {
		c := &creds[i]
		if c.Username == used.Username && c.Password == used.Password && c.Auth == used.Auth &&
			c.Email == used.Email && c.ServerAddress == used.ServerAddress &&
			c.IdentityToken == used.IdentityToken && c.RegistryToken == used.RegistryToken {
			return c
		}
	}
	return used
}
