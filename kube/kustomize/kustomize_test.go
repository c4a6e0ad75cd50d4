package kustomize_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kube/kustomize"
)

// rendered is what a test checks of one rendered workload.
type rendered struct {
	Kind, Namespace, Name string
	Images                []string
	Origin                string
	SourceName            string // the object's name as written in Origin
}

func summary(r *kustomize.Rendered) []rendered {
	var out []rendered
	for _, w := range r.Manifest.Workloads {
		o := r.Origin(w.Source.Document)
		got := rendered{Kind: w.Kind, Namespace: w.Namespace, Name: w.Name, Origin: o.File}
		for _, img := range w.Images() {
			got.Images = append(got.Images, img.Image)
		}
		if o.Source != nil {
			got.SourceName = o.Source.Name
		}
		out = append(out, got)
	}
	return out
}

// TestRender: a base and an overlay are rendered as kustomize build renders them (the
// overlay's images override, name prefix and namespace applied), and each object knows the
// file it was written in.
func TestRender(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want []rendered
	}{
		{"testdata/app/base", []rendered{
			{Kind: "Deployment", Name: "web", Images: []string{"registry.example.com/shop/web:1.4.2", "docker.io/library/busybox:1.36"},
				Origin: "testdata/app/base/deploy.yaml", SourceName: "web"},
		}},
		{"testdata/app/overlays/prod", []rendered{
			{Kind: "Deployment", Namespace: "shop", Name: "prod-web", Images: []string{"registry.example.com/shop/web:latest", "docker.io/library/busybox:1.36"},
				Origin: "testdata/app/base/deploy.yaml", SourceName: "web"},
			{Kind: "Job", Namespace: "shop", Name: "prod-migrate", Images: []string{"registry.example.com/shop/migrate"},
				Origin: "testdata/app/overlays/prod/job.yaml", SourceName: "migrate"},
		}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			r, err := kustomize.Render(tc.dir)
			require.NoError(t, err)
			assert.Empty(t, r.Manifest.Errors)
			assert.Equal(t, tc.want, summary(r))
			require.Len(t, r.Manifest.Skipped, 1, "the Service")
			assert.Equal(t, filepath.Join(tc.dir, "kustomization.yaml"), r.Manifest.Skipped[0].Source.File)
		})
	}
}

// TestRenderLines: the source object gives the line of the same container's image in the
// file it was written in, though the rendered stream has other lines.
func TestRenderLines(t *testing.T) {
	r, err := kustomize.Render("testdata/app/overlays/prod")
	require.NoError(t, err)
	w := r.Manifest.Workloads[0]
	src := r.Origin(w.Source.Document).Source
	require.NotNil(t, src)
	imgs := src.Images()
	require.Len(t, imgs, 2)
	assert.Equal(t, 14, src.Line(imgs[0].Path), "base/deploy.yaml: the web container's image")
	assert.Equal(t, 17, src.Line(imgs[1].Path), "base/deploy.yaml: the sidecar's image")
}

// TestRenderOrigins: a kustomization that asks for origin annotations itself, among other
// buildMetadata, renders with its objects' origins; a directory without a kustomization, or
// one that kustomize rejects, is an error.
func TestRenderOrigins(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx}\n")
	write("kustomization.yaml", "resources: [pod.yaml]\nbuildMetadata: [originAnnotations, managedByLabel]\n")
	r, err := kustomize.Render(dir)
	require.NoError(t, err)
	require.Len(t, r.Manifest.Workloads, 1)
	w := r.Manifest.Workloads[0]
	assert.Equal(t, filepath.Join(dir, "pod.yaml"), r.Origin(w.Source.Document).File)
	assert.Equal(t, kube.Source{File: filepath.Join(dir, "kustomization.yaml"), Document: 1, Line: 2, Item: -1}, w.Source)

	_, err = kustomize.Render(t.TempDir())
	assert.ErrorContains(t, err, "no kustomization file")
	write("kustomization.yaml", "resources: [missing.yaml]\n")
	_, err = kustomize.Render(dir)
	assert.ErrorContains(t, err, "kustomize")
	assert.ErrorContains(t, err, "missing.yaml")
}
