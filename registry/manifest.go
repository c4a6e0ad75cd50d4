package registry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"

	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// manifestAccept is the Accept header of manifest requests: the OCI index and manifest and
// the Docker manifest list and v2 manifest, so a multi-platform tag answers with its index.
const manifestAccept = "application/vnd.oci.image.index.v1+json, " +
	"application/vnd.oci.image.manifest.v1+json, " +
	"application/vnd.docker.distribution.manifest.list.v2+json, " +
	"application/vnd.docker.distribution.manifest.v2+json"

const headerContentDigest = "Docker-Content-Digest"

// fetch resolves ref (a tag, or the digest want) of img at ep with cred: HEAD first, and
// GET only when the HEAD answer has no usable Docker-Content-Digest or HEAD is refused (405).
//
// A HEAD answer carries no body, so its digest header cannot be verified: a well-formed but
// wrong header is believed. A header that is missing, malformed, or (for a digest reference)
// different from the digest asked for sends us to GET, where the body is hashed and checked
// against the header and against want.
//
// Registry-supplied text in an error has the credentials sent masked ([challengeWatch.secrets]).
func (r *Resolver) fetch(ctx context.Context, ep endpoint, img reference.Image, ref string, want digest.Digest, cred auth.Credential) (digest.Digest, error) {
	watch := &challengeWatch{cred: cred}
	client := r.client(ctx, ep, cred, watch)
	ctx = auth.AppendScopesForHost(ctx, ep.host, auth.ScopeRepository(img.Path(), auth.ActionPull))
	url := ep.manifestURL(img, ref)
	resp, err := send(ctx, client, http.MethodHead, url)
	if err != nil {
		return "", authFlowError(img.String(), ep.host, err, watch)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		if d, ok := headerDigest(resp); ok && (want == "" || d == want) {
			return d, nil
		}
	case http.StatusMethodNotAllowed:
	default:
		return "", statusError(img.String(), ep.host, resp, watch.secrets())
	}
	return r.get(ctx, client, watch, ep, img, url, want)
}

// get fetches the manifest and returns the digest of its body, verified against the
// Docker-Content-Digest header (when well-formed) and against want (when set).
func (r *Resolver) get(ctx context.Context, client *auth.Client, watch *challengeWatch, ep endpoint, img reference.Image, url string, want digest.Digest) (digest.Digest, error) {
	resp, err := send(ctx, client, http.MethodGet, url)
	if err != nil {
		return "", authFlowError(img.String(), ep.host, err, watch)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", statusError(img.String(), ep.host, resp, watch.secrets())
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, r.cfg.maxManifestBytes+1))
	if err != nil { // the connection failed mid-body: a transport failure
		return "", transportError(img.String(), ep.host, &neturl.Error{Op: "Read", URL: url, Err: err}, watch.secrets())
	}
	if int64(len(body)) > r.cfg.maxManifestBytes {
		return "", &Error{Image: img.String(), Registry: ep.host, Err: fmt.Errorf("manifest is larger than %d bytes", r.cfg.maxManifestBytes)}
	}
	mismatch := func(format string, args ...any) error {
		return &Error{Image: img.String(), Registry: ep.host, Kind: ErrDigestMismatch, Err: fmt.Errorf(format, args...)}
	}
	if hd, ok := headerDigest(resp); ok {
		if got := hd.Algorithm().FromBytes(body); got != hd {
			return "", mismatch("%s header says %s, the body hashes to %s", headerContentDigest, hd, got)
		}
		if want == "" {
			return hd, nil
		}
	}
	if want == "" {
		return digest.Canonical.FromBytes(body), nil
	}
	if got := want.Algorithm().FromBytes(body); got != want {
		return "", mismatch("asked for %s, the body hashes to %s", want, got)
	}
	return want, nil
}

// send sends one manifest request through client.
func send(ctx context.Context, client *auth.Client, method, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header["Accept"] = []string{manifestAccept}
	return client.Do(req)
}

// headerDigest returns the answer's Docker-Content-Digest when it is a valid digest of an
// available algorithm.
func headerDigest(resp *http.Response) (digest.Digest, bool) {
	d, err := digest.Parse(resp.Header.Get(headerContentDigest))
	return d, err == nil
}
