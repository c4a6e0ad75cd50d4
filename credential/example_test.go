package credential_test

import (
	"fmt"

	"github.com/imagepull/imagepull/credential"
)

// A pod's image pull Secret and the node's docker config, looked up as the kubelet does for
// the image "nginx" (repository "docker.io/library/nginx").
func ExampleFromSecrets() {
	pod, err := credential.FromSecrets([]credential.Secret{{
		Namespace: "default", Name: "regcred", UID: "6f1c", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(
			`{"auths":{"https://index.docker.io/v1/":{"auth":"YWxpY2U6czNjcjN0"}}}`)},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	node, _ := credential.FromDockerConfigJSON([]byte(`{"auths":{"docker.io":{"username":"node"}}}`), credential.Source{})

	for _, c := range credential.Union(pod, node).Lookup("docker.io/library/nginx") {
		fmt.Printf("%s from %q, hash %s…\n", c.Username, c.Source.Name, c.Hash[:12])
	}
	// Output:
	// alice from "regcred", hash 53688ee7b550…
	// node from "", hash 57982cb2ac68…
}

// Invalid Secret content fails with the raw JSON error, which the kubelet reports as the
// container's waiting reason.
func ExampleFromSecrets_invalid() {
	_, err := credential.FromSecrets([]credential.Secret{{
		Name: "broken", Type: credential.SecretTypeDockercfg,
		Data: map[string][]byte{credential.DockercfgKey: []byte("invalid")},
	}})
	fmt.Println(err)
	// Output:
	// invalid character 'i' looking for beginning of value
}

// Credentials are picked for an image the way the kubelet's keyring picks them: the most
// specific location first, Docker Hub images also matching "index.docker.io" entries when
// nothing else matched. Printing a Credential never shows its secrets.
func ExampleKeyring_Lookup() {
	k, err := credential.FromDockerConfigJSON([]byte(`{"auths":{
		"https://index.docker.io/v1/": {"auth": "aHViOnB3"},
		"quay.io":                     {"username": "org", "password": "pw"},
		"quay.io/team":                {"username": "team", "password": "pw"}
	}}`), credential.Source{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, repo := range []string{"docker.io/library/nginx", "quay.io/team/app", "quay.io/teamwork/app", "quay.io/other/app", "ghcr.io/app"} {
		fmt.Println(repo, k.Lookup(repo))
	}
	// Output:
	// docker.io/library/nginx [user hub]
	// quay.io/team/app [user team user org]
	// quay.io/teamwork/app [user team user org]
	// quay.io/other/app [user org]
	// ghcr.io/app []
}

// A SecretsCache parses a pod's Secrets once per content: the next pod with the same Secrets
// gets the same keyring without parsing.
func ExampleSecretsCache() {
	cache := credential.NewSecretsCache(0)
	secret := credential.Secret{Namespace: "team", Name: "regcred", UID: "7f0c", Type: credential.SecretTypeDockerConfigJSON,
		Data: map[string][]byte{credential.DockerConfigJSONKey: []byte(`{"auths":{"registry.example.com":{"username":"ci","password":"s3cret"}}}`)}}
	first, _ := cache.FromSecrets([]credential.Secret{secret})
	again, _ := cache.FromSecrets([]credential.Secret{secret})
	fmt.Println(first == again, first.Lookup("registry.example.com/app")[0])
	// Output: true user ci (secret team/regcred)
}
