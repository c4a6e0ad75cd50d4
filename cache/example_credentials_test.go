package cache_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/imagepull/imagepull/cache"
	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
	"github.com/opencontainers/go-digest"
)

// privateRegistry stands in for a registry.Resolver: only robot may resolve its images.
type privateRegistry struct{ calls int }

func (p *privateRegistry) Resolve(ctx context.Context, img reference.Image) (digest.Digest, error) {
	return p.ResolveWithCredentials(ctx, img, nil)
}

func (p *privateRegistry) ResolveWithCredentials(_ context.Context, _ reference.Image, creds []credential.Credential) (digest.Digest, error) {
	p.calls++
	for _, c := range creds {
		if c.Username == "robot" && c.Password == "s3cret" {
			return digest.FromString("private app"), nil
		}
	}
	return "", errors.New("401 Unauthorized")
}

// Answers obtained with one pod's credentials are cached for those credentials only: another
// pod, with the same Secret copied, shares them; a pod without it asks the registry itself.
func ExampleResolver_ResolveWithCredentials() {
	upstream := &privateRegistry{}
	r, err := cache.NewResolver(upstream, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	img := reference.MustParse("registry.example/app:v1")
	podA := []credential.Credential{{Username: "robot", Password: "s3cret", Source: credential.Source{Kind: credential.SourceSecret, Name: "regcred"}}}
	podB := []credential.Credential{{Username: "robot", Password: "s3cret", Source: credential.Source{Kind: credential.SourceSecret, Name: "copy"}}}

	for _, pod := range []struct {
		name  string
		creds []credential.Credential
	}{{"a", podA}, {"b", podB}, {"c", nil}} {
		d, err := r.ResolveWithCredentials(ctx, img, pod.creds)
		fmt.Printf("pod %s: %.19s %v\n", pod.name, d, err)
	}
	fmt.Println("registry asked", upstream.calls, "times")
	// Output:
	// pod a: sha256:f668a935a655 <nil>
	// pod b: sha256:f668a935a655 <nil>
	// pod c:  401 Unauthorized
	// registry asked 2 times
}
