package main

import (
	"strings"

	"github.com/imagepull/imagepull/kube/kustomize"
	"github.com/imagepull/imagepull/lint"
)

// locateRendered puts the findings about a rendered kustomization's objects in the files the
// objects were written in, which are the files to edit: the file kustomize read the object
// from, and there the line of the same container's image (or pull policy, or the nearest
// enclosing field when absent). The message still says what was rendered: an image an
// overlay's images: override changed is reported with the new image, at the line of the
// base's. Objects whose source is unknown (made by a generator, from a remote base, or not
// found by kind and name in their file) keep the kustomization file and the line in the
// rendered stream. findings is changed in place and returned.
func locateRendered(findings []lint.Finding, rendered *kustomize.Rendered) []lint.Finding {
	if rendered == nil {
		return findings
	}
	for i := range findings {
		f := &findings[i]
		o := rendered.Origin(f.Document)
		if o.Source == nil {
			continue
		}
		f.File, f.Document, f.Item = o.File, o.Source.Source.Document, o.Source.Source.Item
		f.Line = o.Source.Source.Line
		for _, img := range o.Source.Images() {
			if img.Kind != f.ContainerKind || img.Name != f.Container {
				continue
			}
			path := img.Path
			if isPolicyPath(f.Path) {
				path = img.PolicyPath
			}
			f.Line = o.Source.Line(path)
			break
		}
	}
	return findings
}

// isPolicyPath reports whether a finding's path is a pull policy field (a container's
// imagePullPolicy or an image volume's pullPolicy) rather than the image.
func isPolicyPath(path string) bool {
	return strings.HasSuffix(path, ".imagePullPolicy") || strings.HasSuffix(path, ".pullPolicy")
}
