package main

import (
	"os/exec"
	"testing"

	"github.com/imagepull/imagepull/internal/manifestgen"
)

// BenchmarkLint10k runs the built binary as a pre-commit hook would: lint -f DIR over 10,000
// generated Helm-style manifests (a Service and a workload with two or three images each),
// JSON output, end to end (process start, reading, parsing, linting, writing). It reports
// manifests per second.
//
//	go test ./cmd/imagepull -run '^$' -bench Lint10k -benchtime 3x
func BenchmarkLint10k(b *testing.B) {
	const n = 10_000
	dir := b.TempDir()
	if _, err := manifestgen.WriteDir(dir, n); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cmd := exec.Command(binary, "lint", "-f", dir, "-o", "json", "--fail-on", "never")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out[:min(len(out), 500)])
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "manifests/s")
}
