package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
	"github.com/imagepull/imagepull/registry"
)

// maxManifestBytes bounds a manifest or index read, as containerd bounds them (4 MiB).
const maxManifestBytes = 4 << 20

// RemoteOptions configures a [Remote].
type RemoteOptions struct {
	// PlainHTTP lists the registry hosts spoken to over plain HTTP ("127.0.0.1"), as
	// [registry.Options.PlainHTTP].
	PlainHTTP []string
	// Timeout bounds each request; zero means 30 s.
	Timeout time.Duration
}

// Remote is the registry side of a pull, shared by every node of a process: a
// [registry.Resolver] for the resolve step and an HTTP client for the fetches. It is safe for
// concurrent use.
type Remote struct {
	resolver *registry.Resolver
	client   *http.Client
	plain    []string
}

// NewRemote returns a Remote configured by opts.
func NewRemote(opts RemoteOptions) (*Remote, error) {
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	res, err := registry.NewResolver(&registry.Options{PlainHTTP: opts.PlainHTTP, MaxRetries: -1, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	return &Remote{resolver: res, client: &http.Client{Transport: tr, Timeout: timeout}, plain: slices.Clone(opts.PlainHTTP)}, nil
}

// Close releases the Remote's idle connections.
func (r *Remote) Close() {
	r.resolver.CloseIdleConnections()
	r.client.CloseIdleConnections()
}

// resolve asks the registry for the digest img names (one HEAD in the common case).
func (r *Remote) resolve(ctx context.Context, img reference.Image, cred *credential.Credential) (digest.Digest, error) {
	var creds []credential.Credential
	if cred != nil {
		creds = []credential.Credential{*cred}
	}
	return r.resolver.ResolveWithCredentials(ctx, img, creds)
}

// fetch GETs the manifest (kind "manifests", body returned) or blob (kind "blobs", read and
// discarded) d of img's repository, and checks its digest. It returns the content's size.
func (r *Remote) fetch(ctx context.Context, img reference.Image, kind string, d digest.Digest, cred *credential.Credential) ([]byte, int64, error) {
	url := r.scheme(img.Domain()) + "://" + img.Domain() + "/v2/" + img.Path() + "/" + kind + "/" + d.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return nil, 0, err
	}
	if kind == "manifests" {
		req.Header.Set("Accept", manifestAccept)
	}
	if cred != nil && cred.Username != "" {
		req.SetBasicAuth(cred.Username, cred.Password)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("GET %s: unexpected status %s", url, resp.Status)
	}
	verifier := d.Verifier()
	if kind == "blobs" {
		n, err := io.Copy(verifier, resp.Body)
		if err != nil {
			return nil, 0, fmt.Errorf("GET %s: %w", url, err)
		}
		if !verifier.Verified() {
			return nil, 0, fmt.Errorf("GET %s: content does not match its digest", url)
		}
		return nil, n, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifestBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(body) > maxManifestBytes {
		return nil, 0, fmt.Errorf("GET %s: manifest larger than %d bytes", url, maxManifestBytes)
	}
	if got := d.Algorithm().FromBytes(body); got != d {
		return nil, 0, fmt.Errorf("GET %s: content has digest %s", url, got)
	}
	return body, int64(len(body)), nil
}

// scheme returns "http" for the hosts listed in PlainHTTP (with or without a port), else "https".
func (r *Remote) scheme(host string) string {
	for _, h := range r.plain {
		if h == host || hostOnly(host) == h {
			return "http"
		}
	}
	return "https"
}

func hostOnly(hostport string) string {
	for i := len(hostport) - 1; i >= 0; i-- {
		switch hostport[i] {
		case ':':
			return hostport[:i]
		case ']':
			return hostport
		}
	}
	return hostport
}
