package pullpolicy

import (
	"context"
	"fmt"
	"time"

	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
)

// LocalImage is an image in the node's local store, as a CRI runtime reports it
// (ImageStatus): its ID, the references that name it, and its size.
type LocalImage struct {
	ID string // the runtime's image ID (containerd: the config digest); the kubelet's imageRef
	// RepoTags are normalised tagged references: "docker.io/library/nginx:latest".
	RepoTags []string
	// RepoDigests are normalised digest references: "docker.io/library/nginx@sha256:…". For a
	// multi-platform image the digest is the top-level (index) digest that was pulled.
	RepoDigests []string
	Size        int64 // bytes
	// Pulled is when the image was last pulled or tagged (Docker's LastTagTime); zero when
	// unknown. Refresh policies such as Compose's daily compare against it.
	Pulled time.Time
}

// Store is the node's local image store, asked whether an image is present (the kubelet's
// GetImageRef, CRI ImageStatus). Implementations must be safe for concurrent use.
//
// Lookup reports the image that img names: by digest when img has one (a tag next to it is
// ignored, as containerd does), otherwise by tag. An absent image is (LocalImage{}, false, nil),
// not an error. An error means the store could not answer.
type Store interface {
	Lookup(ctx context.Context, img reference.Image) (LocalImage, bool, error)
}

// Resolver asks a registry which digest a reference names now: for a tag, the digest of the
// manifest (or, for a multi-platform image, of the index) the tag points to; for a digest
// reference, that digest, once the registry has confirmed it serves it to this caller.
// Implementations must be safe for concurrent use.
//
// An error that means the registry could not be reached must match
// errors.Is(err, [ErrRegistryUnavailable]); anything else (not found, unauthorized) must not.
// A resolver that answers from a cache while the registry is unreachable returns a
// [*StaleError].
type Resolver interface {
	Resolve(ctx context.Context, img reference.Image) (digest.Digest, error)
}

// StoreFunc adapts a function to the [Store] interface.
type StoreFunc func(ctx context.Context, img reference.Image) (LocalImage, bool, error)

// Lookup calls f(ctx, img).
func (f StoreFunc) Lookup(ctx context.Context, img reference.Image) (LocalImage, bool, error) {
	return f(ctx, img)
}

// ResolverFunc adapts a function to the [Resolver] interface.
type ResolverFunc func(ctx context.Context, img reference.Image) (digest.Digest, error)

// Resolve calls f(ctx, img).
func (f ResolverFunc) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	return f(ctx, img)
}

// StaleError is returned by a caching [Resolver] that could not reach the registry and answers
// with the last digest it resolved successfully. [Decide] goes on with Digest and marks the
// [Decision] Stale; any other caller sees an error wrapping Err (which matches
// [ErrRegistryUnavailable]).
type StaleError struct {
	Digest digest.Digest // the last digest the registry gave for the reference
	Age    time.Duration // how long ago the registry gave it
	Err    error         // why the registry was not asked: matches ErrRegistryUnavailable
}

// Error describes the stale answer and its cause.
func (e *StaleError) Error() string {
	return fmt.Sprintf("registry unavailable, using digest %s resolved %s ago: %v", e.Digest, e.Age.Round(time.Second), e.Err)
}

// Unwrap returns the cause.
func (e *StaleError) Unwrap() error { return e.Err }
