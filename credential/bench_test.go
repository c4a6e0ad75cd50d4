package credential_test

import (
	"testing"

	"github.com/imagepull/imagepull/credential"
)

// BenchmarkLookup looks up a repository in a node keyring of a dozen locations unioned with a
// pod's Secret: the cost the Manager pays once per pull.
func BenchmarkLookup(b *testing.B) {
	node, err := credential.FromDockerConfigJSON([]byte(`{"auths":{
		"https://index.docker.io/v1/":{"username":"hub"}, "quay.io":{"username":"q"}, "quay.io/team":{"username":"t"},
		"gcr.io":{"username":"g"}, "*.gcr.io":{"username":"g2"}, "*.pkg.dev":{"username":"ar"},
		"registry.example.com:5000":{"username":"r"}, "ghcr.io":{"username":"gh"}, "public.ecr.aws":{"username":"e"},
		"*.dkr.ecr.us-east-1.amazonaws.com":{"username":"ecr"}, "registry.gitlab.com":{"username":"gl"}, "docker.io/private":{"username":"p"}
	}}`), credential.Source{})
	if err != nil {
		b.Fatal(err)
	}
	pod, err := credential.FromSecrets([]credential.Secret{{
		Name: "regcred", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"quay.io/team":{"username":"pod"}}}`)},
	}})
	if err != nil {
		b.Fatal(err)
	}
	k := credential.Union(pod, node)
	for _, image := range []string{"quay.io/team/app", "docker.io/library/nginx", "registry.example.com:5000/app"} {
		b.Run(image, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(k.Lookup(image)) == 0 {
					b.Fatal("no match")
				}
			}
		})
	}
}
