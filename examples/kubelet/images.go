package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/imagepull/imagepull/registry/registrytest"
)

// pushImage pushes to reg, as repoTag ("team/app:v1"), a small single-platform OCI image for
// linux/arch whose one layer holds one file with content. The same arguments give the same
// digests, so image IDs in the output are stable.
func pushImage(ctx context.Context, reg *registrytest.Registry, repoTag, arch, content string) error {
	repo, _, _ := strings.Cut(repoTag, ":")
	layer, err := tarFile("hello.txt", content)
	if err != nil {
		return err
	}
	layerDesc, err := pushBlob(ctx, reg, repo, ocispec.MediaTypeImageLayer, layer)
	if err != nil {
		return err
	}
	cfg := ocispec.Image{
		Platform: ocispec.Platform{OS: "linux", Architecture: arch},
		RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{layerDesc.Digest}},
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	cfgDesc, err := pushBlob(ctx, reg, repo, ocispec.MediaTypeImageConfig, cfgJSON)
	if err != nil {
		return err
	}
	m := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, Config: cfgDesc, Layers: []ocispec.Descriptor{layerDesc}}
	m.SchemaVersion = 2
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = reg.PushManifest(ctx, repoTag, m.MediaType, body)
	return err
}

func pushBlob(ctx context.Context, reg *registrytest.Registry, repo, mediaType string, data []byte) (ocispec.Descriptor, error) {
	d, err := reg.PushBlob(ctx, repo, data)
	return ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}, err
}

// tarFile returns an uncompressed tar archive holding one regular file, with fixed metadata.
func tarFile(name, content string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(content)), ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write([]byte(content)); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
