package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
)

// manifestAccept is the Accept header of a manifest GET: the OCI and Docker manifests and
// indexes, as containerd sends it.
const manifestAccept = ocispec.MediaTypeImageIndex + ", " + ocispec.MediaTypeImageManifest + ", " +
	"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"

// Runtime is one simulated node's container runtime: an in-memory image store
// ([pullpolicy.Store], [kubelet.ImageLister]) filled by pulls that really go to a registry
// ([kubelet.Puller]), and a content store of the digests fetched so far. Create it with
// [NewRuntime]; it is safe for concurrent use.
type Runtime struct {
	remote   *Remote
	images   *cache.Store
	platform ocispec.Platform
	now      func() time.Time

	mu      sync.Mutex
	content map[digest.Digest]*fetchState // the node's content store, by digest
}

// fetchState is one digest in the content store: fetched, or being fetched (done open).
type fetchState struct {
	done chan struct{}
	body []byte // a manifest's body; nil for a blob
	size int64
	err  error // set before done is closed; a failed fetch is forgotten
}

// RuntimeOptions configures a [Runtime].
type RuntimeOptions struct {
	// Platform is the node's platform, picked from an image index; the zero value means
	// linux and the process's architecture.
	Platform ocispec.Platform
	// Now is the clock of the images' pull times; nil means time.Now.
	Now func() time.Time
}

var (
	_ pullpolicy.Store    = (*Runtime)(nil)
	_ kubelet.Puller      = (*Runtime)(nil)
	_ kubelet.ImageLister = (*Runtime)(nil)
)

// NewRuntime returns an empty node runtime that pulls through remote.
func NewRuntime(remote *Remote, opts RuntimeOptions) *Runtime {
	p := opts.Platform
	if p.OS == "" {
		p = ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Runtime{remote: remote, images: cache.NewStore(), platform: p, now: now, content: make(map[digest.Digest]*fetchState)}
}

// Lookup implements [pullpolicy.Store] over the node's images.
func (r *Runtime) Lookup(ctx context.Context, img reference.Image) (pullpolicy.LocalImage, bool, error) {
	return r.images.Lookup(ctx, img)
}

// ListImages implements [kubelet.ImageLister]: every image on the node, sorted by ID.
func (r *Runtime) ListImages(ctx context.Context) ([]pullpolicy.LocalImage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.images.List(), nil
}

// Preload puts img on the node as if loaded out of band (ctr import): no pull, no record.
func (r *Runtime) Preload(img pullpolicy.LocalImage) error { return r.images.Add(img) }

// PullImage implements [kubelet.Puller]. It tries req.Credentials in order (anonymously when
// there are none) and returns the first success; when all fail, the error is the only
// distinct message, or "[e1, e2]", as the kubelet's runtime client aggregates them. The
// errors read as containerd's.
func (r *Runtime) PullImage(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	img, err := reference.Parse(req.Image)
	if err != nil {
		return kubelet.PullResult{}, err
	}
	return kubelet.PullEach(ctx, req.Credentials, func(ctx context.Context, cred *credential.Credential) (kubelet.PullResult, error) {
		return r.pull(ctx, img, cred)
	})
}

// pull is one attempt with cred (nil: anonymous): resolve, then fetch what the node lacks.
func (r *Runtime) pull(ctx context.Context, img reference.Image, cred *credential.Credential) (kubelet.PullResult, error) {
	name := img.String()
	top, err := r.remote.resolve(ctx, img, cred)
	if err != nil {
		return kubelet.PullResult{}, resolveError(img, err)
	}
	m, size, err := r.manifest(ctx, img, top, cred)
	if err != nil {
		return kubelet.PullResult{}, fmt.Errorf("failed to pull and unpack image %q: %w", name, err)
	}
	for _, d := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
		if err := d.Digest.Validate(); err != nil {
			return kubelet.PullResult{}, fmt.Errorf("failed to pull and unpack image %q: %w", name, err)
		}
		st, err := r.get(ctx, d.Digest, func(ctx context.Context) ([]byte, int64, error) {
			return r.remote.fetch(ctx, img, "blobs", d.Digest, cred)
		})
		if err != nil {
			return kubelet.PullResult{}, fmt.Errorf("failed to pull and unpack image %q: failed to copy: %w", name, err)
		}
		size += st.size
	}
	local := pullpolicy.LocalImage{ID: m.Config.Digest.String(), RepoDigests: []string{img.Repository() + "@" + top.String()}, Size: size, Pulled: r.now()}
	if img.Digest() == "" {
		local.RepoTags = []string{name}
	}
	if err := r.images.Add(local); err != nil {
		return kubelet.PullResult{}, err
	}
	return kubelet.PullResult{ImageRef: local.ID, Credential: cred, Size: size}, nil
}

// manifest returns the image manifest for the node's platform under top (a manifest, or an
// index whose platform entry is fetched next), and the bytes of the manifests read.
func (r *Runtime) manifest(ctx context.Context, img reference.Image, top digest.Digest, cred *credential.Credential) (ocispec.Manifest, int64, error) {
	var size int64
	d := top
	for range 2 { // an index, then its manifest
		st, err := r.get(ctx, d, func(ctx context.Context) ([]byte, int64, error) {
			return r.remote.fetch(ctx, img, "manifests", d, cred)
		})
		if err != nil {
			return ocispec.Manifest{}, 0, err
		}
		size += st.size
		var probe struct {
			MediaType string               `json:"mediaType"`
			Manifests []ocispec.Descriptor `json:"manifests"`
		}
		if err := json.Unmarshal(st.body, &probe); err != nil {
			return ocispec.Manifest{}, 0, fmt.Errorf("manifest %s: %w", d, err)
		}
		if probe.Manifests == nil {
			var m ocispec.Manifest
			if err := json.Unmarshal(st.body, &m); err != nil {
				return ocispec.Manifest{}, 0, fmt.Errorf("manifest %s: %w", d, err)
			}
			return m, size, nil
		}
		next, ok := r.pick(probe.Manifests)
		if !ok {
			return ocispec.Manifest{}, 0, fmt.Errorf("no match for platform in manifest %s: not found", d)
		}
		d = next
	}
	return ocispec.Manifest{}, 0, fmt.Errorf("manifest %s: an index inside an index", top)
}

// pick returns the digest of the index entry for the node's platform.
func (r *Runtime) pick(entries []ocispec.Descriptor) (digest.Digest, bool) {
	for _, e := range entries {
		p := e.Platform
		if p != nil && p.OS == r.platform.OS && p.Architecture == r.platform.Architecture &&
			(r.platform.Variant == "" || p.Variant == r.platform.Variant) && e.Digest.Validate() == nil {
			return e.Digest, true
		}
	}
	return "", false
}

// get returns the content d from the node's content store, fetching it once: concurrent
// callers for the same digest wait for the one fetch, as containerd's ingest lock makes them.
// A failed fetch is forgotten, so the next pull tries again.
func (r *Runtime) get(ctx context.Context, d digest.Digest, fetch func(context.Context) ([]byte, int64, error)) (*fetchState, error) {
	r.mu.Lock()
	st, ok := r.content[d]
	if !ok {
		st = &fetchState{done: make(chan struct{})}
		r.content[d] = st
	}
	r.mu.Unlock()
	if ok {
		select {
		case <-st.done:
			if st.err != nil {
				return r.get(ctx, d, fetch)
			}
			return st, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	st.body, st.size, st.err = fetch(ctx)
	if st.err != nil {
		r.mu.Lock()
		delete(r.content, d)
		r.mu.Unlock()
	}
	close(st.done)
	return st, st.err
}

// resolveError words a failed resolve as containerd does: for a refusal by the registry,
// "… pulling from host H failed with status code [manifests TAG]: 401 Unauthorized".
func resolveError(img reference.Image, err error) error {
	name := img.String()
	var re *registry.Error
	if errors.As(err, &re) && re.StatusCode >= 400 {
		target := img.Tag()
		if img.Digest() != "" {
			target = img.Digest().String()
		}
		return fmt.Errorf("failed to pull and unpack image %q: failed to resolve reference %q: pulling from host %s failed with status code [manifests %s]: %d %s",
			name, name, img.Domain(), target, re.StatusCode, http.StatusText(re.StatusCode))
	}
	return fmt.Errorf("failed to pull and unpack image %q: failed to resolve reference %q: %w", name, name, err)
}
