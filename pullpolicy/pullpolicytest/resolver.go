// Package pullpolicytest provides test doubles for code built on pullpolicy, as
// net/http/httptest does for HTTP: a [Resolver] that answers from a map, so that a table test
// of pull decisions needs no registry and no go-digest import.
//
// For a node's images use cache.NewStore, which fills from image names alone; for a real
// registry on loopback use registry/registrytest; for the kubelet's image manager use
// kubelet/kubelettest.
package pullpolicytest

import (
	"context"
	"fmt"
	"sync"

	"github.com/opencontainers/go-digest"

	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// Resolver is a [pullpolicy.Resolver] that answers from a map of image references to
// digests, and counts what it was asked. Its zero value answers nothing; it is safe for
// concurrent use.
type Resolver struct {
	mu      sync.Mutex
	digests map[reference.Image]digest.Digest // keyed by repository and tag, normalised
	errs    map[reference.Image]error
	asked   []reference.Image
}

// NewResolver returns a Resolver that resolves each key of digests (any spelling of a tagged
// or digest reference: "nginx", "nginx:1.25", "docker.io/library/nginx:1.25") to its value
// ("sha256:…"). It panics on a key that does not parse or a value that is not a digest, as
// a test's hard-coded table is wrong then.
func NewResolver(digests map[string]string) *Resolver {
	r := &Resolver{digests: make(map[reference.Image]digest.Digest, len(digests)), errs: make(map[reference.Image]error)}
	for name, d := range digests {
		dg := digest.Digest(d)
		if err := dg.Validate(); err != nil {
			panic(fmt.Sprintf("pullpolicytest: digest %q for %q: %v", d, name, err))
		}
		r.digests[key(reference.MustParse(name))] = dg
	}
	return r
}

// Fail makes the Resolver answer image with err from now on. Wrap
// pullpolicy.ErrRegistryUnavailable in err to play a registry that cannot be reached.
func (r *Resolver) Fail(image string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.errs == nil {
		r.errs = make(map[reference.Image]error)
	}
	r.errs[key(reference.MustParse(image))] = err
}

// Resolve returns the digest img's repository and tag map to. An image set to fail returns
// its error; an unknown one an error that, like a registry's 404, is not
// pullpolicy.ErrRegistryUnavailable. A digest reference resolves to its own digest when its
// repository is known with that digest, as a registry confirms a digest it holds.
func (r *Resolver) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, img)
	k := key(img)
	if err, ok := r.errs[k]; ok {
		return "", err
	}
	if d, ok := r.digests[k]; ok {
		return d, nil
	}
	if want := img.Digest(); want != "" {
		for k, d := range r.digests {
			if d == want && k.Repository() == img.Repository() {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("pullpolicytest: %s: manifest unknown", img)
}

// Asked returns the images the Resolver was asked for, in order.
func (r *Resolver) Asked() []reference.Image {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]reference.Image(nil), r.asked...)
}

// key is img's repository and tag: a digest reference's tag is dropped, as a registry does.
func key(img reference.Image) reference.Image {
	if img.Digest() != "" {
		return img
	}
	return reference.MustParse(img.Repository() + ":" + img.Tag())
}

var _ pullpolicy.Resolver = (*Resolver)(nil)
