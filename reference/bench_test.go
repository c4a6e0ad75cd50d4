package reference_test

import (
	"testing"

	distref "github.com/distribution/reference"

	"github.com/imagepull/imagepull/reference"
)

// benchNames are 20 varied valid names, shared by the Parse benchmarks so that both parse the
// same inputs.
var benchNames = []string{
	"nginx", "nginx:1.25.3", "nginx:latest", "library/redis:7", "user/app:v1",
	"docker.io/library/busybox:1.36", "index.docker.io/library/alpine:3.20",
	"registry.k8s.io/pause:3.10", "gcr.io/project/image:tag", "ghcr.io/org/team/app:v2.0.1",
	"quay.io/prometheus/node-exporter:v1.8.2", "localhost:5000/foo", "localhost:5000",
	"127.0.0.1:5000/app:dev", "[::1]:5000/foo:bar", "example.com/a/b/c/d:e",
	"nginx@" + dg, "nginx:latest@" + dg, "my-registry.example.com:8443/ns/app@" + dg,
	"mcr.microsoft.com/dotnet/aspnet:8.0",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range benchNames {
			if _, err := reference.Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkParseNormalizedNamed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range benchNames {
			if _, err := distref.ParseNormalizedNamed(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}
