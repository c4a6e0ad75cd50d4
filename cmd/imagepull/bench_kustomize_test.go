package main

import (
	"os/exec"
	"testing"

	"github.com/imagepull/imagepull/internal/manifestgen"
)

// BenchmarkLint10kKustomize is BenchmarkLint10k with kustomize rendering on: the same
// 10,000 generated manifests, in 1,000 kustomizations of 10 files (namespace, name prefix and
// an images override each), linted with lint -f DIR -R, which renders every kustomization
// with the kustomize library and reports findings in the source files. It reports manifests
// per second.
//
//	go test ./cmd/imagepull -run '^$' -bench Lint10kKustomize -benchtime 3x
func BenchmarkLint10kKustomize(b *testing.B) {
	const n = 10_000
	dir := b.TempDir()
	if _, err := manifestgen.WriteKustomized(dir, n, 10); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cmd := exec.Command(binary, "lint", "-f", dir, "-R", "-o", "json", "--fail-on", "never")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out[:min(len(out), 500)])
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "manifests/s")
}
