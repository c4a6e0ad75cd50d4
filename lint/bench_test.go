package lint_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/imagepull/imagepull/internal/manifestgen"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/lint"
)

// BenchmarkLint10k reads and lints 10,000 generated manifest files from disk (a Service and
// a workload each, about 70 lines), as a pre-commit hook would: one op is the whole set, on
// GOMAXPROCS workers. It reports manifests/s.
func BenchmarkLint10k(b *testing.B) {
	const n = 10000
	paths, err := manifestgen.WriteDir(b.TempDir(), n)
	if err != nil {
		b.Fatal(err)
	}
	l, err := lint.New(lint.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		findings := lintAll(b, l, paths)
		if findings < n {
			b.Fatalf("only %d findings", findings)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "manifests/s")
}

// lintAll lints the files on GOMAXPROCS workers and returns the number of findings.
func lintAll(b *testing.B, l *lint.Linter, paths []string) int {
	workers := runtime.GOMAXPROCS(0)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	next := make(chan string)
	for range workers {
		wg.Go(func() {
			count := 0
			for p := range next {
				m, err := kube.ReadFile(p, kube.Options{})
				if err != nil {
					b.Error(err)
					continue
				}
				count += len(l.Manifest(m))
			}
			mu.Lock()
			total += count
			mu.Unlock()
		})
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	return total
}
