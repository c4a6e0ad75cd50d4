package reference_test

import (
	"errors"
	"fmt"

	"github.com/imagepull/imagepull/reference"
)

func ExampleParse() {
	img, err := reference.Parse("nginx")
	if err != nil {
		panic(err)
	}
	fmt.Println(img.Original())
	fmt.Println(img.String())
	fmt.Println(img.Repository(), img.Domain(), img.Path(), img.Tag())
	fmt.Println(img.WithDefaultTag())
	fmt.Println(img.Familiar())
	// Output:
	// nginx
	// docker.io/library/nginx:latest
	// docker.io/library/nginx docker.io library/nginx latest
	// nginx:latest
	// nginx:latest
}

func ExampleParse_traps() {
	for _, s := range []string{"localhost:5000", "localhost:5000/app", "Foo/bar", "nginx:latest@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"} {
		img := reference.MustParse(s)
		fmt.Printf("%s → repo %s, tag %q, digest? %v\n", s, img.Repository(), img.Tag(), img.Digest() != "")
	}
	// Output:
	// localhost:5000 → repo docker.io/library/localhost, tag "5000", digest? false
	// localhost:5000/app → repo localhost:5000/app, tag "latest", digest? false
	// Foo/bar → repo Foo/bar, tag "latest", digest? false
	// nginx:latest@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 → repo docker.io/library/nginx, tag "latest", digest? true
}

func ExampleParse_error() {
	_, err := reference.Parse("foo/Bar")
	fmt.Println(err)
	fmt.Println(errors.Is(err, reference.ErrInvalid))
	// Output:
	// couldn't parse image name "foo/Bar": invalid reference format: repository name (foo/Bar) must be lowercase
	// true
}

func ExampleImage_WithDefaultTag() {
	for _, s := range []string{"nginx", "docker.io/nginx", "registry:5000/latest", "localhost:5000", "nginx@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"} {
		fmt.Println(reference.MustParse(s).WithDefaultTag())
	}
	// Output:
	// nginx:latest
	// docker.io/nginx:latest
	// registry:5000/latest:latest
	// localhost:5000
	// nginx@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
}

func ExampleImage_WithDigest() {
	img := reference.MustParse("nginx:1.25")
	fmt.Println(img.WithDigest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
	// Output:
	// docker.io/library/nginx@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
}
