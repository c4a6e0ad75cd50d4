package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The content helpers below write straight to the in-memory content through the registry
// protocol, without a network: they work while the registry is stopped, need no credentials,
// are not counted and trigger no faults.

// PushRandom pushes a new random single-platform (linux/amd64) OCI image as repoTag, e.g.
// "app:v1", and returns its manifest digest. The image is valid: one uncompressed tar layer
// holding one small random file. Pushing to a tag that exists moves the tag to the new image;
// the old image stays reachable by digest.
func (r *Registry) PushRandom(ctx context.Context, repoTag string) (digest.Digest, error) {
	repo, tag, err := splitRepoTag(repoTag)
	if err != nil {
		return "", err
	}
	desc, body, err := r.pushRandomImage(ctx, repo, ocispec.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		return "", fmt.Errorf("registrytest: push %s: %w", repoTag, err)
	}
	if _, err := r.PushManifest(ctx, repo+":"+tag, desc.MediaType, body); err != nil {
		return "", err
	}
	return desc.Digest, nil
}

// PushIndex pushes a multi-platform OCI image index as repoTag, e.g. "app:v1", with one new
// random image per platform, written "os/arch" or "os/arch/variant" ("linux/amd64",
// "linux/arm64/v8"). It returns the index digest and the manifest digest of each platform's
// image, in the order given. Like [Registry.PushRandom], it moves an existing tag.
func (r *Registry) PushIndex(ctx context.Context, repoTag string, platforms ...string) (index digest.Digest, manifests []digest.Digest, err error) {
	repo, tag, err := splitRepoTag(repoTag)
	if err != nil {
		return "", nil, err
	}
	if len(platforms) == 0 {
		return "", nil, fmt.Errorf("registrytest: push %s: an index needs at least one platform", repoTag)
	}
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex}
	idx.SchemaVersion = 2
	for _, p := range platforms {
		plat, err := parsePlatform(p)
		if err != nil {
			return "", nil, fmt.Errorf("registrytest: push %s: %w", repoTag, err)
		}
		desc, _, err := r.pushRandomImage(ctx, repo, plat)
		if err != nil {
			return "", nil, fmt.Errorf("registrytest: push %s: %w", repoTag, err)
		}
		desc.Platform = &plat
		idx.Manifests = append(idx.Manifests, desc)
		manifests = append(manifests, desc.Digest)
	}
	body, err := json.Marshal(idx)
	if err != nil {
		return "", nil, fmt.Errorf("registrytest: push %s: %w", repoTag, err)
	}
	index, err = r.PushManifest(ctx, repo+":"+tag, ocispec.MediaTypeImageIndex, body)
	if err != nil {
		return "", nil, err
	}
	return index, manifests, nil
}

// PushBlob stores data as a blob of repo, e.g. "app", and returns its digest.
func (r *Registry) PushBlob(ctx context.Context, repo string, data []byte) (digest.Digest, error) {
	d := digest.FromBytes(data)
	path := "/v2/" + repo + "/blobs/uploads/?digest=" + d.String()
	if err := r.direct(ctx, http.MethodPost, path, "application/octet-stream", data, http.StatusCreated); err != nil {
		return "", fmt.Errorf("registrytest: push blob to %s: %w", repo, err)
	}
	return d, nil
}

// PushManifest stores body, a manifest or index of the given media type, as ref, and returns
// its digest. ref is "repo:tag" to tag it or "repo@digest" to store it by digest only (the
// body must then hash to that digest). The blobs and child manifests it names should be
// pushed first. Use it to serve hand-made manifests, such as Docker schema 2 ones.
func (r *Registry) PushManifest(ctx context.Context, ref, mediaType string, body []byte) (digest.Digest, error) {
	repo, target, err := splitRef(ref)
	if err != nil {
		return "", err
	}
	if want, err := digest.Parse(target); err == nil && want.Algorithm().FromBytes(body) != want {
		return "", fmt.Errorf("registrytest: push manifest %s: body does not match the digest", ref)
	}
	path := "/v2/" + repo + "/manifests/" + target
	if err := r.direct(ctx, http.MethodPut, path, mediaType, body, http.StatusCreated); err != nil {
		return "", fmt.Errorf("registrytest: push manifest %s: %w", ref, err)
	}
	return digest.FromBytes(body), nil
}

// Tag points the tag repoTag, e.g. "app:v1", at the manifest d already stored in the same
// repository, moving the tag if it exists: for example back to an older image.
func (r *Registry) Tag(ctx context.Context, repoTag string, d digest.Digest) error {
	repo, tag, err := splitRepoTag(repoTag)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("registrytest: tag %s: %w", repoTag, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/v2/"+repo+"/manifests/"+d.String(), http.NoBody)
	if err != nil {
		return fmt.Errorf("registrytest: tag %s: %w", repoTag, err)
	}
	rec := httptest.NewRecorder()
	r.content.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return fmt.Errorf("registrytest: tag %s: manifest %s: status %d", repoTag, d, rec.Code)
	}
	_, err = r.PushManifest(ctx, repo+":"+tag, rec.Header().Get("Content-Type"), rec.Body.Bytes())
	return err
}

// DeleteTag removes the tag repoTag, e.g. "app:v1", so that its manifest requests answer 404
// MANIFEST_UNKNOWN; the image stays reachable by digest.
func (r *Registry) DeleteTag(ctx context.Context, repoTag string) error {
	repo, tag, err := splitRepoTag(repoTag)
	if err != nil {
		return err
	}
	path := "/v2/" + repo + "/manifests/" + tag
	if err := r.direct(ctx, http.MethodDelete, path, "", nil, http.StatusAccepted); err != nil {
		return fmt.Errorf("registrytest: delete %s: %w", repoTag, err)
	}
	return nil
}

// pushRandomImage pushes the blobs and the manifest (by digest) of a random image for plat
// and returns the manifest's descriptor and body.
func (r *Registry) pushRandomImage(ctx context.Context, repo string, plat ocispec.Platform) (ocispec.Descriptor, []byte, error) {
	layer, err := randomLayer()
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	layerDesc, err := r.pushBlobDesc(ctx, repo, ocispec.MediaTypeImageLayer, layer)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	cfg := ocispec.Image{Platform: plat}
	cfg.RootFS = ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{layerDesc.Digest}}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	cfgDesc, err := r.pushBlobDesc(ctx, repo, ocispec.MediaTypeImageConfig, cfgJSON)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	m := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, Config: cfgDesc, Layers: []ocispec.Descriptor{layerDesc}}
	m.SchemaVersion = 2
	body, err := json.Marshal(m)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	d, err := r.PushManifest(ctx, repo+"@"+digest.FromBytes(body).String(), m.MediaType, body)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	return ocispec.Descriptor{MediaType: m.MediaType, Digest: d, Size: int64(len(body))}, body, nil
}

func (r *Registry) pushBlobDesc(ctx context.Context, repo, mediaType string, data []byte) (ocispec.Descriptor, error) {
	d, err := r.PushBlob(ctx, repo, data)
	return ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}, err
}

// direct sends one request to the content handler, in process, and checks the status.
func (r *Registry) direct(ctx context.Context, method, path, contentType string, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, method, path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	r.content.ServeHTTP(rec, req)
	if rec.Code != want {
		msg, _ := io.ReadAll(rec.Body) // a recorder's body cannot fail to read
		return fmt.Errorf("%s %s: status %d: %s", method, path, rec.Code, bytes.TrimSpace(msg))
	}
	return nil
}
