package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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

// fakeRuntime stands in for a container runtime that pulls from the loopback registry into
// the node's image store. PullImage tries the credentials in order, as the kubelet's runtime
// client does: for each, it resolves the reference on the registry (registry.Resolver, one
// HEAD), fetches the manifest by that digest, and records the image in the store as
// containerd does (ID: the config digest; names: the tag and the manifest digest; size: the
// manifest, config and layers). It downloads no layer. It speaks plain HTTP and Basic auth
// only, and its errors for the failures of this program read as containerd 1.6's.
type fakeRuntime struct {
	store    *cache.Store
	clock    *clock
	pullTime time.Duration // how far a pull moves the clock
	resolver *registry.Resolver
	http     *http.Client
}

func newFakeRuntime(store *cache.Store, clk *clock) (*fakeRuntime, error) {
	res, err := registry.NewResolver(&registry.Options{PlainHTTP: []string{"127.0.0.1"}, MaxRetries: -1})
	if err != nil {
		return nil, err
	}
	return &fakeRuntime{store: store, clock: clk, pullTime: 850 * time.Millisecond, resolver: res,
		http: &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}}, nil
}

func (r *fakeRuntime) close() error {
	r.resolver.CloseIdleConnections()
	r.http.CloseIdleConnections()
	return nil
}

// PullImage pulls req.Image with the first of req.Credentials the registry accepts, or
// anonymously when there are none. When all fail, the error is the only distinct message, or
// "[e1, e2]", as the kubelet aggregates them.
func (r *fakeRuntime) PullImage(ctx context.Context, req kubelet.PullRequest) (kubelet.PullResult, error) {
	img, err := reference.Parse(req.Image)
	if err != nil {
		return kubelet.PullResult{}, err
	}
	r.clock.advance(r.pullTime)
	return kubelet.PullEach(ctx, req.Credentials, func(ctx context.Context, cred *credential.Credential) (kubelet.PullResult, error) {
		return r.pull(ctx, img, cred)
	})
}

// pull is one attempt with cred (nil: anonymous).
func (r *fakeRuntime) pull(ctx context.Context, img reference.Image, cred *credential.Credential) (kubelet.PullResult, error) {
	var creds []credential.Credential
	if cred != nil {
		creds = []credential.Credential{*cred}
	}
	d, err := r.resolver.ResolveWithCredentials(ctx, img, creds)
	if err != nil {
		return kubelet.PullResult{}, resolveError(img, err)
	}
	body, err := r.manifest(ctx, img, d, cred)
	if err != nil {
		return kubelet.PullResult{}, fmt.Errorf("failed to pull and unpack image %q: %w", img.String(), err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return kubelet.PullResult{}, fmt.Errorf("failed to pull and unpack image %q: %w", img.String(), err)
	}
	size := int64(len(body)) + m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
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

// manifest fetches the manifest d of img's repository and checks its digest.
func (r *fakeRuntime) manifest(ctx context.Context, img reference.Image, d digest.Digest, cred *credential.Credential) ([]byte, error) {
	url := "http://" + img.Domain() + "/v2/" + img.Path() + "/manifests/" + d.String()
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
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if got := digest.FromBytes(body); got != d {
		return nil, fmt.Errorf("manifest %s: got content with digest %s", d, got)
	}
	return body, nil
}

// resolveError words a failed resolve as containerd 1.6 does: for a refusal by the registry,
// `… pulling from host H failed with status code [manifests TAG]: 401 Unauthorized`.
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
