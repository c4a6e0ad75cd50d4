package cache_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// privateUpstream is a registry whose images are private, only alice may resolve them,
// except "public" images that anyone may; it counts its calls and remembers the credentials
// of each.
type privateUpstream struct {
	mu    sync.Mutex
	calls int
	seen  [][]credential.Credential // nil for a plain Resolve
}

func (u *privateUpstream) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	return u.answer(img, nil)
}

func (u *privateUpstream) ResolveWithCredentials(_ context.Context, img reference.Image, creds []credential.Credential) (digest.Digest, error) {
	if creds == nil {
		creds = []credential.Credential{} // told apart from a plain Resolve in seen
	}
	return u.answer(img, creds)
}

func (u *privateUpstream) answer(img reference.Image, creds []credential.Credential) (digest.Digest, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls++
	u.seen = append(u.seen, creds)
	if img.Path() == "public" {
		return d2, nil
	}
	for _, c := range creds {
		if c.Username == "alice" && c.Password == "pw" {
			return d1, nil
		}
	}
	return "", errUnauthorized
}

var (
	alice   = credential.Credential{Username: "alice", Password: "pw", Source: credential.Source{Kind: credential.SourceSecret, Name: "a"}}
	alice2  = credential.Credential{Username: "alice", Password: "pw", Source: credential.Source{Kind: credential.SourceSecret, Name: "copy"}, Hash: "ignored"}
	mallory = credential.Credential{Username: "mallory", Password: "guess"}
	node    = credential.Credential{Username: "node", Password: "n"}
)

// TestResolverCredentials: answers are cached per identity of the credentials, never given
// to another identity, and shared between calls with the same set of credentials.
func TestResolverCredentials(t *testing.T) {
	type call struct {
		ref      string // "" means "registry.example/app:v1"
		creds    []credential.Credential
		plain    bool // call Resolve instead of ResolveWithCredentials
		wantCall bool // the upstream is asked
		want     digest.Digest
		wantErr  error
	}
	tests := []struct {
		name  string
		calls []call
	}{
		{"the same credentials are answered from the cache", []call{
			{creds: []credential.Credential{alice}, wantCall: true, want: d1},
			{creds: []credential.Credential{alice}, want: d1},
		}},
		{"an authorized answer is never given to other credentials", []call{
			{creds: []credential.Credential{alice}, wantCall: true, want: d1},
			{creds: []credential.Credential{mallory}, wantCall: true, wantErr: errUnauthorized},
			{creds: []credential.Credential{mallory}, wantCall: true, wantErr: errUnauthorized},
		}},
		{"nor to a call without credentials", []call{
			{creds: []credential.Credential{alice}, wantCall: true, want: d1},
			{wantCall: true, wantErr: errUnauthorized},
			{plain: true, wantCall: true, wantErr: errUnauthorized},
		}},
		{"nor to a set that only contains them", []call{
			{creds: []credential.Credential{alice, node}, wantCall: true, want: d1},
			{creds: []credential.Credential{alice}, wantCall: true, want: d1},
			{creds: []credential.Credential{node}, wantCall: true, wantErr: errUnauthorized},
		}},
		{"order, duplicates, source and hash do not change the identity", []call{
			{creds: []credential.Credential{alice, node}, wantCall: true, want: d1},
			{creds: []credential.Credential{node, alice2, alice}, want: d1},
		}},
		{"no credentials share Resolve's answers", []call{
			{ref: "registry.example/public", plain: true, wantCall: true, want: d2},
			{ref: "registry.example/public", want: d2},
			{ref: "registry.example/public", creds: []credential.Credential{}, want: d2},
			{ref: "registry.example/public", creds: []credential.Credential{mallory}, wantCall: true, want: d2},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := &privateUpstream{}
			r, err := cache.NewResolver(up, nil)
			require.NoError(t, err)
			var wantSeen [][]credential.Credential
			for i, c := range tc.calls {
				img := reference.MustParse("registry.example/app:v1")
				if c.ref != "" {
					img = reference.MustParse(c.ref)
				}
				if c.wantCall {
					wantSeen = append(wantSeen, c.creds)
					if len(c.creds) == 0 {
						wantSeen[len(wantSeen)-1] = nil // no credentials: a plain Resolve upstream
					}
				}
				before := up.calls
				var got digest.Digest
				if c.plain {
					got, err = r.Resolve(t.Context(), img)
				} else {
					got, err = r.ResolveWithCredentials(t.Context(), img, c.creds)
				}
				assert.Equal(t, c.wantCall, up.calls > before, "call %d: upstream asked", i)
				if c.wantErr != nil {
					require.ErrorIs(t, err, c.wantErr, "call %d", i)
					continue
				}
				require.NoError(t, err, "call %d", i)
				assert.Equal(t, c.want, got, "call %d", i)
			}
			assert.Equal(t, wantSeen, up.seen, "the upstream gets each caller's credentials, and a plain Resolve without")
		})
	}
}

// With a plain upstream the credentials cannot change the answer: they are ignored.
func TestResolverCredentialsPlainUpstream(t *testing.T) {
	var calls int
	up := pullpolicy.ResolverFunc(func(context.Context, reference.Image) (digest.Digest, error) {
		calls++
		return d2, nil
	})
	r, err := cache.NewResolver(up, nil)
	require.NoError(t, err)
	img := reference.MustParse("nginx")
	for _, creds := range [][]credential.Credential{{alice}, {mallory}, nil} {
		got, err := r.ResolveWithCredentials(t.Context(), img, creds)
		require.NoError(t, err)
		assert.Equal(t, d2, got)
	}
	got, err := r.WithCredentials([]credential.Credential{node}).Resolve(t.Context(), img)
	require.NoError(t, err)
	assert.Equal(t, d2, got)
	assert.Equal(t, 1, calls)
}

// Concurrent calls with one identity share one upstream call; another identity gets its own,
// and a stale answer is given only to the identity that resolved it.
func TestResolverCredentialsConcurrentAndStale(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	up := &privateUpstream{}
	unavailable := false
	var mu sync.Mutex
	wrapped := &switchable{privateUpstream: up, down: func() bool { mu.Lock(); defer mu.Unlock(); return unavailable }}
	r, err := cache.NewResolver(wrapped, &cache.ResolverOptions{TTL: time.Minute, MaxStale: time.Hour, Now: func() time.Time { return now }})
	require.NoError(t, err)
	img := reference.MustParse("registry.example/app:v1")

	var wg sync.WaitGroup
	for i := range 50 {
		creds := []credential.Credential{alice, node}
		if i%2 == 1 {
			creds = []credential.Credential{node, alice}
		}
		wg.Go(func() {
			got, err := r.ResolveWithCredentials(t.Context(), img, creds)
			assert.NoError(t, err)
			assert.Equal(t, d1, got)
		})
		wg.Go(func() {
			_, err := r.ResolveWithCredentials(t.Context(), img, []credential.Credential{mallory})
			assert.ErrorIs(t, err, errUnauthorized)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, countWith(up, "alice"), "one upstream call for alice's identity")

	now = now.Add(2 * time.Minute) // expired, within MaxStale
	mu.Lock()
	unavailable = true
	mu.Unlock()
	_, err = r.ResolveWithCredentials(t.Context(), img, []credential.Credential{alice, node})
	var se *pullpolicy.StaleError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, d1, se.Digest)
	_, err = r.ResolveWithCredentials(t.Context(), img, []credential.Credential{mallory})
	require.ErrorIs(t, err, pullpolicy.ErrRegistryUnavailable)
	assert.False(t, errorsAsStale(err), "another identity never gets alice's stale digest")
	_, err = r.Resolve(t.Context(), img)
	assert.False(t, errorsAsStale(err), "nor does a call without credentials")
}

// switchable is privateUpstream that can be made unreachable.
type switchable struct {
	*privateUpstream
	down func() bool
}

func (s *switchable) ResolveWithCredentials(ctx context.Context, img reference.Image, creds []credential.Credential) (digest.Digest, error) {
	if s.down() {
		return "", errUnavailable
	}
	return s.privateUpstream.ResolveWithCredentials(ctx, img, creds)
}

func (s *switchable) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	if s.down() {
		return "", errUnavailable
	}
	return s.privateUpstream.Resolve(ctx, img)
}

func countWith(u *privateUpstream, user string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := 0
	for _, creds := range u.seen {
		for _, c := range creds {
			if c.Username == user {
				n++
				break
			}
		}
	}
	return n
}

func errorsAsStale(err error) bool {
	var se *pullpolicy.StaleError
	return errors.As(err, &se)
}
