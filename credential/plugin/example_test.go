package plugin_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/credential/plugin"
)

// A provider built from the kubelet's two flags: a configuration file and a plugin directory
// holding the plugin (here a shell script that answers any image with one credential).
func ExampleNewProviderFromFiles() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	binDir := filepath.Join(dir, "bin")
	_ = os.Mkdir(binDir, 0o755)
	_ = os.WriteFile(filepath.Join(binDir, "ecr-login"), []byte(`#!/bin/sh
cat >/dev/null
echo '{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1",
  "cacheKeyType":"Registry","cacheDuration":"6h",
  "auth":{"*.dkr.ecr.*.amazonaws.com":{"username":"AWS","password":"token"}}}'
`), 0o755)
	config := filepath.Join(dir, "credential-providers.yaml")
	_ = os.WriteFile(config, []byte(`apiVersion: kubelet.config.k8s.io/v1
kind: CredentialProviderConfig
providers:
  - name: ecr-login
    matchImages: ["*.dkr.ecr.*.amazonaws.com"]
    defaultCacheDuration: 12h
    apiVersion: credentialprovider.kubelet.k8s.io/v1
`), 0o600)

	p, err := plugin.NewProviderFromFiles(config, binDir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, image := range []string{"123456789.dkr.ecr.us-east-1.amazonaws.com/app:v1", "nginx"} {
		creds, err := p.Credentials(context.Background(), credential.ProviderRequest{Image: image})
		fmt.Println(image, creds, err)
	}
	// Output:
	// 123456789.dkr.ecr.us-east-1.amazonaws.com/app:v1 [user AWS] <nil>
	// nginx [] <nil>
}

// Validation gives the kubelet's error texts.
func ExampleConfig_Validate() {
	cfg, _ := plugin.ParseConfig([]byte(`apiVersion: kubelet.config.k8s.io/v1
kind: CredentialProviderConfig
providers:
  - name: gcp
    matchImages: ["gcr.io", "*.gcr.io"]
    defaultCacheDuration: -1m
    apiVersion: credentialprovider.kubelet.k8s.io/v1
`))
	fmt.Println(cfg.Validate())
	// Output:
	// failed to validate credential provider config: providers.defaultCacheDuration: Invalid value: "-1m0s": must be greater than or equal to 0
}
