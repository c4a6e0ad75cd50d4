package kube_test

import (
	"bytes"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"

	"github.com/imagepull/imagepull/internal/manifestgen"
	"github.com/imagepull/imagepull/kube"
)

// BenchmarkRead reads generated Helm-style manifest files (a Service and a workload each,
// about 70 lines) and lists their images: one op is one file.
func BenchmarkRead(b *testing.B) {
	files := make([][]byte, 1000)
	for i := range files {
		files[i] = manifestgen.Manifest(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m, err := kube.Read(bytes.NewReader(files[i%len(files)]), kube.Options{})
		if err != nil || len(m.Workloads) != 1 || len(m.Workloads[0].Images()) < 2 {
			b.Fatal(err, m)
		}
		i++
	}
}

// BenchmarkSigsYAML is the baseline Read is measured against: sigs.k8s.io/yaml (what kubectl
// uses) decoding the same workload documents into the full typed object, with no line numbers.
func BenchmarkSigsYAML(b *testing.B) {
	docs := make([][]byte, 0, 1000)
	for i := 0; len(docs) < cap(docs); i++ {
		if i%7 < 3 { // the Deployments
			parts := bytes.Split(manifestgen.Manifest(i), []byte("\n---\n"))
			docs = append(docs, parts[len(parts)-1])
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var d appsv1.Deployment
		if err := yaml.Unmarshal(docs[i%len(docs)], &d); err != nil || len(d.Spec.Template.Spec.Containers) < 2 {
			b.Fatal(err)
		}
		i++
	}
}
