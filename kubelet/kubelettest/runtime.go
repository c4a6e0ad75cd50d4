package kubelettest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// Runtime is a container runtime in memory: a kubelet.Puller whose pulls always find the
// image (unless told otherwise) and add it to its own image store, which is the
// pullpolicy.Store and kubelet.ImageLister the image manager asks. Images are identified as a
// CRI runtime identifies them: the image ID is a "sha256:" digest (derived from the
// repository and tag, as if it were the config digest), RepoTags and RepoDigests are
// normalised references, and a pulled image carries the digest it was pulled by.
//
// Every pull is recorded with its credentials ([Runtime.Pulls]). A repository can be made
// private ([Runtime.Private]): its pulls then succeed only with a matching credential, as a
// registry's 401 would have it. Failures can be injected ([Runtime.Fail]). Runtime is safe for
// concurrent use.
type Runtime struct {
	store *cache.Store

	mu      sync.Mutex
	pulls   []kubelet.PullRequest
	fail    map[string]error // by normalised repository and tag (or digest reference)
	private map[string]credential.Credential
	size    int64
}

// NewRuntime returns a Runtime holding the given images, named by tag or digest
// ("nginx:1.25", "ghcr.io/org/app@sha256:…"), as if loaded onto the node out of band. It
// panics on a name that does not parse: a test's hard-coded name is wrong then.
func NewRuntime(images ...string) *Runtime {
	r := &Runtime{store: cache.NewStore(), fail: make(map[string]error), private: make(map[string]credential.Credential), size: 1 << 20}
	for _, name := range images {
		if err := r.Preload(name); err != nil {
			panic("kubelettest: " + err.Error())
		}
	}
	return r
}

// Preload puts the image named by name on the node as if loaded out of band (no pull).
func (r *Runtime) Preload(name string) error {
	img, err := reference.Parse(name)
	if err != nil {
		return err
	}
	return r.store.Add(r.localImage(img))
}

// Private makes repository (any spelling: "team/app", "docker.io/team/app") pullable only
// with a credential whose user name and password are those of c; other pulls fail with a
// registry's 401 text.
func (r *Runtime) Private(repository string, c credential.Credential) {
	img := reference.MustParse(repository)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.private[img.Repository()] = c
}

// Fail makes every pull of image (any spelling) fail with err until Fail(image, nil). The
// kubelet classifies a runtime's error by its text: an err whose text starts with
// "RegistryUnavailable" is an unreachable registry.
func (r *Runtime) Fail(image string, err error) {
	k := reference.MustParse(image).String()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		delete(r.fail, k)
		return
	}
	r.fail[k] = err
}

// Pulls returns every pull request made so far, in order, credentials included.
func (r *Runtime) Pulls() []kubelet.PullRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.pulls)
}

// Lookup implements pullpolicy.Store over the runtime's images.
func (r *Runtime) Lookup(ctx context.Context, img reference.Image) (pullpolicy.LocalImage, bool, error) {
	return r.store.Lookup(ctx, img)
}

// ListImages implements kubelet.ImageLister.
func (r *Runtime) ListImages(ctx context.Context) ([]pullpolicy.LocalImage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.store.List(), nil
}

// Remove deletes the image with the given ID from the node, as image garbage collection
// does; it reports whether the image was there.
func (r *Runtime) Remove(id string) bool { return r.store.Remove(id) }

// PullImage implements kubelet.Puller: it records req, then tries req.Credentials in order
// (anonymously when there are none) and adds the image to the node on the first success.
// When every credential is refused, the error is the registry's 401 text, once, as the
// kubelet's runtime client reduces identical errors.
func (r *Runtime) PullImage(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	r.mu.Lock()
	req.Credentials = slices.Clone(req.Credentials)
	r.pulls = append(r.pulls, req)
	r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return kubelet.PullResult{}, err
	}
	img, err := reference.Parse(req.Image)
	if err != nil {
		return kubelet.PullResult{}, err
	}
	r.mu.Lock()
	failErr, failing := r.fail[img.String()]
	want, private := r.private[img.Repository()]
	r.mu.Unlock()
	if failing {
		return kubelet.PullResult{}, failErr
	}
	var used *credential.Credential
	if private {
		denied := fmt.Errorf("failed to pull and unpack image %q: failed to resolve reference %q: unexpected status from HEAD request: 401 Unauthorized", img.String(), img.String())
		for i := range req.Credentials {
			if c := req.Credentials[i]; c.Username == want.Username && c.Password == want.Password {
				used = &req.Credentials[i]
				break
			}
		}
		if used == nil {
			// Every credential (or none) was refused with the same text, which the kubelet's
			// aggregation reduces to one error.
			return kubelet.PullResult{}, denied
		}
	}
	local := r.localImage(img)
	if err := r.store.Add(local); err != nil {
		return kubelet.PullResult{}, err
	}
	return kubelet.PullResult{ImageRef: local.ID, Credential: used, Size: local.Size}, nil
}

// localImage is img as the runtime stores it: a config-digest-like ID derived from its
// repository and tag (or digest), the normalised tag, and a manifest digest.
func (r *Runtime) localImage(img reference.Image) pullpolicy.LocalImage {
	name := img.Repository()
	if tag := img.Tag(); tag != "" {
		name += ":" + tag
	}
	manifest := img.Digest().String()
	if manifest == "" {
		manifest = "sha256:" + sum("manifest "+name)
	}
	local := pullpolicy.LocalImage{ID: "sha256:" + sum("config "+name+" "+manifest), Size: r.size,
		RepoDigests: []string{img.Repository() + "@" + manifest}}
	if img.Tag() != "" {
		local.RepoTags = []string{name}
	}
	return local
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

var (
	_ pullpolicy.Store    = (*Runtime)(nil)
	_ kubelet.Puller      = (*Runtime)(nil)
	_ kubelet.ImageLister = (*Runtime)(nil)
)
