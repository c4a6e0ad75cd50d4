package apiservere2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
)

// contentRuntime is the container runtime of a virtual node in these tests: it pulls from the
// loopback registry the way containerd does, with a content store. A pull resolves the tag
// (one manifest HEAD), then fetches the manifest, the config and the layers by digest, each
// only when the content store lacks it — so an Always pull of an unchanged image costs one
// manifest request and no blob download, as on containerd. It tries the pod's credentials in
// order (anonymously with none), and words a registry's refusal as containerd 1.6 does. It
// speaks plain HTTP and Basic auth only.
type contentRuntime struct {
	store    *cache.Store
	resolver *registry.Resolver
	http     *http.Client

	mu      sync.Mutex
	content map[digest.Digest][]byte
}

func newContentRuntime() (*contentRuntime, error) {
	res, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{"127.0.0.1"}, MaxRetries: -1})
	if err != nil {
		return nil, err
	}
	return &contentRuntime{store: cache.NewStore(), resolver: res, http: &http.Client{Transport: &http.Transport{}},
		content: map[digest.Digest][]byte{}}, nil
}

func (r *contentRuntime) close() {
	r.resolver.CloseIdleConnections()
	r.http.CloseIdleConnections()
}

// Lookup implements pullpolicy.Store.
func (r *contentRuntime) Lookup(ctx context.Context, img reference.Image) (pullpolicy.LocalImage, bool, error) {
	return r.store.Lookup(ctx, img)
}

// ListImages implements kubelet.ImageLister.
func (r *contentRuntime) ListImages(context.Context) ([]pullpolicy.LocalImage, error) {
	return r.store.List(), nil
}

// PullImage implements kubelet.Puller.
func (r *contentRuntime) PullImage(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	img, err := reference.Parse(req.Image)
	if err != nil {
		return kubelet.PullResult{}, err
	}
	return kubelet.PullEach(ctx, req.Credentials, func(ctx context.Context, cred *credential.Credential) (kubelet.PullResult, error) {
		return r.pull(ctx, img, cred)
	})
}

func (r *contentRuntime) pull(ctx context.Context, img reference.Image, cred *credential.Credential) (kubelet.PullResult, error) {
	var creds []credential.Credential
	if cred != nil {
		creds = []credential.Credential{*cred}
	}
	d, err := r.resolver.ResolveWithCredentials(ctx, img, creds)
	if err != nil {
		return kubelet.PullResult{}, resolveError(img, err)
	}
	fail := func(err error) (kubelet.PullResult, error) {
		return kubelet.PullResult{}, fmt.Errorf("failed to pull and unpack image %q: %w", img.String(), err)
	}
	body, err := r.fetch(ctx, img, "manifests", d, cred)
	if err != nil {
		return fail(err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return fail(err)
	}
	size := int64(len(body))
	for _, desc := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
		if _, err := r.fetch(ctx, img, "blobs", desc.Digest, cred); err != nil {
			return fail(err)
		}
		size += desc.Size
	}
	local := pullpolicy.LocalImage{ID: m.Config.Digest.String(), RepoDigests: []string{img.Repository() + "@" + d.String()}, Size: size}
	if img.Digest() == "" {
		local.RepoTags = []string{img.String()}
	}
	if err := r.store.Add(local); err != nil {
		return kubelet.PullResult{}, err
	}
	return kubelet.PullResult{ImageRef: local.ID, Credential: cred, Size: size}, nil
}

// fetch returns the content d, from the content store or else from the registry.
func (r *contentRuntime) fetch(ctx context.Context, img reference.Image, kind string, d digest.Digest, cred *credential.Credential) ([]byte, error) {
	r.mu.Lock()
	body, ok := r.content[d]
	r.mu.Unlock()
	if ok {
		return body, nil
	}
	url := "http://" + img.Domain() + "/v2/" + img.Path() + "/" + kind + "/" + d.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", ocispec.MediaTypeImageManifest)
	if cred != nil {
		req.SetBasicAuth(cred.Username, cred.Password)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if got := digest.FromBytes(body); got != d {
		return nil, fmt.Errorf("%s %s: got content with digest %s", kind, d, got)
	}
	r.mu.Lock()
	r.content[d] = body
	r.mu.Unlock()
	return body, nil
}

// resolveError words a failed resolve as containerd 1.6 does: for a refusal by the registry,
// `… pulling from host H failed with status code [manifests TAG]: 401 Unauthorized`.
func resolveError(img reference.Image, err error) error {
	name := img.String()
	if re, ok := errors.AsType[*registry.Error](err); ok && re.StatusCode >= 400 {
		target := img.Tag()
		if img.Digest() != "" {
			target = img.Digest().String()
		}
		return fmt.Errorf("failed to pull and unpack image %q: failed to resolve reference %q: pulling from host %s failed with status code [manifests %s]: %d %s",
			name, name, img.Domain(), target, re.StatusCode, http.StatusText(re.StatusCode))
	}
	return fmt.Errorf("failed to pull and unpack image %q: failed to resolve reference %q: %w", name, name, err)
}
