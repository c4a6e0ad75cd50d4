package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// clock is the program's fake clock: the scenario and the fake runtime move it, so that the
// output does not depend on the machine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// image is an image the fake registry serves.
type image struct {
	id             string // the image ID (config digest) the runtime reports
	digest         string // the manifest digest
	size           int64
	user, password string // the only credentials accepted; empty for a public image
}

// fakeRuntime is a container runtime with a registry behind it: PullImage tries the
// credentials in order, as the kubelet's runtime client does, and stores what it pulled in
// the node's image store. Its errors read as containerd's do once the CRI client has
// unwrapped them.
type fakeRuntime struct {
	store    *cache.Store
	clock    *clock
	pullTime time.Duration
	images   map[string]image // by normalised "repository:tag"
}

// newFakeRuntime is the default runtime factory of the program (see run).
func newFakeRuntime(store *cache.Store, clk *clock) pullpolicy.Puller {
	return &fakeRuntime{store: store, clock: clk, pullTime: 850 * time.Millisecond, images: map[string]image{
		"registry.example/team/app:v1": {id: "sha256:9b2e", digest: "sha256:" + strings.Repeat("7", 64), size: 31_457_280, user: "alice", password: "s3cret"},
		"docker.io/library/nginx:1.25": {id: "sha256:4f0a", digest: "sha256:" + strings.Repeat("1", 64), size: 67_108_864},
	}}
}

// PullImage pulls req.Image.
func (r *fakeRuntime) PullImage(ctx context.Context, req pullpolicy.PullRequest) (pullpolicy.PullResult, error) {
	if err := ctx.Err(); err != nil {
		return pullpolicy.PullResult{}, err
	}
	r.clock.advance(r.pullTime)
	ref, err := reference.Parse(req.Image)
	if err != nil {
		return pullpolicy.PullResult{}, err
	}
	img, ok := r.images[ref.String()]
	if !ok {
		return pullpolicy.PullResult{}, fmt.Errorf("failed to resolve reference %q: %s: not found", ref, ref)
	}
	used, err := img.authorize(ref, req.Credentials)
	if err != nil {
		return pullpolicy.PullResult{}, err
	}
	local := pullpolicy.LocalImage{ID: img.id, RepoTags: []string{ref.String()}, RepoDigests: []string{ref.Repository() + "@" + img.digest}, Size: img.size}
	if err := r.store.Add(local); err != nil {
		return pullpolicy.PullResult{}, err
	}
	return pullpolicy.PullResult{ImageRef: img.id, Credential: used, Size: img.size}, nil
}

// authorize returns the first credential the registry accepts (nil for an anonymous pull of
// a public image); when all fail, one error, or "[e1, e2]" for several.
func (img image) authorize(ref reference.Image, creds []credential.Credential) (*credential.Credential, error) {
	denied := fmt.Errorf("failed to resolve reference %q: pull access denied: 401 Unauthorized", ref)
	if img.user == "" {
		if len(creds) == 0 {
			return nil, nil
		}
		return &creds[0], nil
	}
	var errs []string
	for i := range creds {
		if creds[i].Username == img.user && creds[i].Password == img.password {
			return &creds[i], nil
		}
		errs = append(errs, denied.Error())
	}
	switch len(errs) {
	case 0:
		return nil, denied
	case 1:
		return nil, errors.New(errs[0])
	}
	return nil, errors.New("[" + strings.Join(errs, ", ") + "]")
}
