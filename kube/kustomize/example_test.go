package kustomize_test

import (
	"fmt"

	"github.com/imagepull/imagepull/kube/kustomize"
)

// An overlay renders as `kustomize build` prints it (its namespace, name prefix and images
// override applied), and each object knows the file it was written in.
func ExampleRender() {
	r, err := kustomize.Render("testdata/app/overlays/prod")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range r.Manifest.Workloads {
		fmt.Printf("%s %s/%s from %s\n", w.Kind, w.Namespace, w.Name, r.Origin(w.Source.Document).File)
		for _, img := range w.Images() {
			fmt.Println("  ", img.Image)
		}
	}
	// Output:
	// Deployment shop/prod-web from testdata/app/base/deploy.yaml
	//    registry.example.com/shop/web:latest
	//    docker.io/library/busybox:1.36
	// Job shop/prod-migrate from testdata/app/overlays/prod/job.yaml
	//    registry.example.com/shop/migrate
}
