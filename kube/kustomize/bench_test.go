package kustomize_test

import (
	"testing"

	"github.com/imagepull/imagepull/internal/manifestgen"
	"github.com/imagepull/imagepull/kube/kustomize"
)

// BenchmarkRender renders one kustomization of 10 generated manifests (a Service and a
// workload each; namespace, name prefix and an images override).
//
//	go test ./kube/kustomize -run '^$' -bench Render -benchmem
func BenchmarkRender(b *testing.B) {
	dir := b.TempDir()
	if _, err := manifestgen.WriteKustomized(dir, 100, 10); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := kustomize.Render(dir + "/app-000")
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Manifest.Workloads) != 10 {
			b.Fatalf("%d workloads", len(r.Manifest.Workloads))
		}
	}
}
