package manifestgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteKustomized writes manifests 0…n-1 as WriteDir does, but into kustomizations of per
// files each: dir/app-NNN/manifest-NNNNN.yaml with a kustomization.yaml beside them that
// lists them, sets a namespace and a name prefix, and overrides an image's tag (images:), as
// an overlay does. It returns the manifests' paths, the kustomization files left out.
func WriteKustomized(dir string, n, per int) ([]string, error) {
	paths := make([]string, 0, n)
	for start := 0; start < n; start += per {
		sub := filepath.Join(dir, fmt.Sprintf("app-%03d", start/per))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return nil, err
		}
		var k strings.Builder
		fmt.Fprintf(&k, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: team-%d\nnamePrefix: prod-\n", start/per)
		k.WriteString("images:\n- name: busybox\n  newTag: \"1.36\"\nresources:\n")
		for i := start; i < min(start+per, n); i++ {
			name := fmt.Sprintf("manifest-%05d.yaml", i)
			path := filepath.Join(sub, name)
			if err := os.WriteFile(path, Manifest(i), 0o644); err != nil {
				return nil, err
			}
			paths = append(paths, path)
			fmt.Fprintf(&k, "- %s\n", name)
		}
		if err := os.WriteFile(filepath.Join(sub, "kustomization.yaml"), []byte(k.String()), 0o644); err != nil {
			return nil, err
		}
	}
	return paths, nil
}
