package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
)

// ResolveWithCredentials implements [kubelet.CredentialResolver]: Resolve for a call that
// carries credentials (a pod's, as the [kubelet.ImageManager] passes them). When the upstream
// resolver is a [kubelet.CredentialResolver] too, answers are cached per identity of
// creds, the set of their auth fields (order and duplicates aside, Source and Hash ignored):
// an answer obtained with one set of credentials is never given to a call with another, nor
// to a call without credentials, stale or not; concurrent calls with the same identity share
// one upstream call, made with the first caller's creds. No credentials means the identity
// of Resolve, whose answers those calls share. When the upstream is a plain
// [pullpolicy.Resolver], it cannot use creds: they are ignored and the call is Resolve.
//
// Only a hash of the auth fields is kept, never the credentials themselves. The upstream's
// Resolve answers are shared with ResolveWithCredentials calls without credentials.
func (r *Resolver) ResolveWithCredentials(ctx context.Context, img reference.Image, creds []credential.Credential) (digest.Digest, error) {
	if len(creds) == 0 || r == nil || r.c == nil {
		return r.resolve(ctx, img, nil, credentialsID{})
	}
	if _, ok := r.c.next.(kubelet.CredentialResolver); !ok {
		return r.resolve(ctx, img, nil, credentialsID{})
	}
	return r.resolve(ctx, img, creds, credentialsIdentity(creds))
}

// WithCredentials returns a [pullpolicy.Resolver] that resolves through r with creds
// ([Resolver.ResolveWithCredentials]), for handing a pod's credentials to
// [pullpolicy.Decide]. It is kubelet.WithCredentials(r, creds).
func (r *Resolver) WithCredentials(creds []credential.Credential) pullpolicy.Resolver {
	return kubelet.WithCredentials(r, creds)
}

// credentialsID is the identity of a set of credentials: a SHA-256 sum; zero for none.
type credentialsID [sha256.Size]byte

// credentialsIdentity returns the SHA-256 of the sorted, de-duplicated SHA-256 sums of each
// credential's auth fields: the same for the same set of credentials in any order, and never
// zero.
func credentialsIdentity(creds []credential.Credential) credentialsID {
	var buf [4][sha256.Size]byte // a pod rarely has more credentials for one image
	sums := buf[:0]
	for i := range creds {
		sums = append(sums, authSum(&creds[i]))
	}
	slices.SortFunc(sums, func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) })
	sums = slices.Compact(sums)
	h := sha256.New()
	for i := range sums {
		h.Write(sums[i][:])
	}
	var id credentialsID
	h.Sum(id[:0])
	return id
}

// authSum hashes c's auth fields in a fixed order, each preceded by its length, so that no
// two different credentials hash the same input.
func authSum(c *credential.Credential) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, f := range [...]string{c.Username, c.Password, c.Auth, c.Email, c.ServerAddress, c.IdentityToken, c.RegistryToken} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
