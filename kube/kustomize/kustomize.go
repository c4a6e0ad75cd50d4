package kustomize

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/imagepull/imagepull/kube"
)

// File returns the kustomization file of dir (kustomization.yaml, kustomization.yml or
// Kustomization, the names kustomize recognizes), and whether there is one.
func File(dir string) (string, bool) {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		path := filepath.Join(dir, name)
		if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
			return path, true
		}
	}
	return "", false
}

// IsFileName reports whether name (a path's last element) is one of the kustomization file
// names.
func IsFileName(name string) bool {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if name == n {
			return true
		}
	}
	return false
}

// Rendered is a rendered kustomization, read.
type Rendered struct {
	// Manifest holds the rendered objects, one YAML document each, in kustomize's output
	// order; their Source.File is the kustomization file, their lines are in the rendered
	// stream.
	Manifest *kube.Manifest
	// origins[i] is where document i+1 came from.
	origins []Origin
}

// Origin is where a rendered object was written.
type Origin struct {
	// File is the file the object was read from, joined to the kustomization's directory
	// as given ("overlays/prod/../../base/deploy.yaml" is cleaned to "base/deploy.yaml");
	// "" for an object a generator made or one from a remote base.
	File string
	// Source is the object as written in File, found by kind and name (kustomize may have
	// added a prefix or suffix to the name); nil when File is "" or the object was not found
	// there.
	Source *kube.Workload
}

// Origin returns where the object of the given document (Source.Document of a rendered
// workload) came from.
func (r *Rendered) Origin(document int) Origin {
	if document < 1 || document > len(r.origins) {
		return Origin{}
	}
	return r.origins[document-1]
}

// originKey is the annotation kustomize writes an object's origin in (buildMetadata:
// [originAnnotations]), from sigs.k8s.io/kustomize/api/internal/utils.OriginAnnotationKey.
const originKey = "config.kubernetes.io/origin"

// Render builds the kustomization in dir as `kustomize build dir` does, with kustomize's
// default options (load restrictions to the root, no plugins, the legacy order off), and
// reads the objects. Each object's origin is tracked by turning on kustomize's origin
// annotations for the build; they are taken off again, so the objects read are what
// kustomize build prints.
func Render(dir string) (*Rendered, error) {
	kfile, ok := File(dir)
	if !ok {
		return nil, fmt.Errorf("%s: no kustomization file (%s)", dir, strings.Join(konfig.RecognizedKustomizationFileNames(), ", "))
	}
	abs, err := filepath.Abs(kfile)
	if err != nil {
		return nil, err
	}
	fsys := &originFS{FileSystem: filesys.MakeFsOnDisk(), root: abs}
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("%s: kustomize: %w", dir, err)
	}
	var stream bytes.Buffer
	r := &Rendered{}
	sources := make(map[string]*kube.Manifest)
	for _, res := range resMap.Resources() {
		var o Origin
		origin, err := res.GetOrigin()
		if err != nil {
			return nil, fmt.Errorf("%s: kustomize origin of %s: %w", dir, res.CurId(), err)
		}
		if origin != nil && origin.Repo == "" && origin.Path != "" {
			o.File = filepath.Join(dir, origin.Path)
		}
		if !fsys.userOrigins {
			annotations := res.GetAnnotations()
			delete(annotations, originKey)
			if err := res.SetAnnotations(annotations); err != nil {
				return nil, err
			}
		}
		// The object's YAML as kyaml encodes its node: what kustomize build prints, without
		// AsYAML's round trip through JSON.
		text, err := res.RNode.String()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", dir, res.CurId(), err)
		}
		if o.File != "" {
			o.Source = findSource(sources, o.File, res.GetKind(), res.GetName())
		}
		r.origins = append(r.origins, o)
		stream.WriteString("---\n")
		stream.WriteString(text)
	}
	// Errors are in r.Manifest.Errors; the caller reports them.
	r.Manifest, _ = kube.Read(&stream, kube.Options{File: kfile})
	if r.Manifest == nil { // over the size limit
		return nil, fmt.Errorf("%s: kustomize output: %w", dir, kube.ErrTooLarge)
	}
	return r, nil
}

// findSource finds the object kind/name (as rendered) in file: the one object of that kind,
// or the one whose name the rendered name contains (namePrefix and nameSuffix), the longest
// such. Files are read once per render.
func findSource(cache map[string]*kube.Manifest, file, kind, name string) *kube.Workload {
	m, ok := cache[file]
	if !ok {
		m, _ = kube.ReadFile(file, kube.Options{})
		cache[file] = m
	}
	if m == nil {
		return nil
	}
	var found *kube.Workload
	var same []*kube.Workload
	for _, w := range m.Workloads {
		if w.Kind != kind {
			continue
		}
		same = append(same, w)
		if strings.Contains(name, w.Name) && (found == nil || len(w.Name) > len(found.Name)) {
			found = w
		}
	}
	if found == nil && len(same) == 1 {
		found = same[0]
	}
	return found
}

// originFS is the disk, but the root kustomization file reads with origin annotations on
// (buildMetadata: [originAnnotations]), so that every object says which file it came from.
type originFS struct {
	filesys.FileSystem
	root string // the root kustomization file, absolute
	// userOrigins is true when the kustomization asked for origin annotations itself: they
	// stay in the objects then.
	userOrigins bool
}

// ReadFile reads path, adding the origin annotations option to the root kustomization.
func (fs *originFS) ReadFile(path string) ([]byte, error) {
	data, err := fs.FileSystem.ReadFile(path)
	if err != nil || !fs.isRoot(path) {
		return data, err
	}
	var k map[string]any
	if err := yaml.Unmarshal(data, &k); err != nil || k == nil {
		return data, nil // kustomize reports the error as it reads the file
	}
	meta, _ := k["buildMetadata"].([]any)
	for _, m := range meta {
		if m == types.OriginAnnotations {
			fs.userOrigins = true
			return data, nil
		}
	}
	k["buildMetadata"] = append(meta, types.OriginAnnotations)
	out, err := yaml.Marshal(k)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("%s: adding origin annotations", path), err)
	}
	return out, nil
}

func (fs *originFS) isRoot(path string) bool {
	abs, err := filepath.Abs(path)
	return err == nil && abs == fs.root
}
