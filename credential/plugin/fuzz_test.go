package plugin_test

import (
	"errors"
	"testing"

	"github.com/imagepull/imagepull/credential/plugin"
)

// FuzzParseConfig: any input either decodes or fails with ErrInvalidConfig, never panics, and
// a decoded configuration validates (or not) without panicking, always with ErrInvalidConfig.
func FuzzParseConfig(f *testing.F) {
	for _, seed := range []string{
		ecrYAML,
		`{"kind":"CredentialProviderConfig","apiVersion":"kubelet.config.k8s.io/v1","providers":[{"name":"a","matchImages":["*.io"],"defaultCacheDuration":"1m","apiVersion":"credentialprovider.kubelet.k8s.io/v1","tokenAttributes":{"serviceAccountTokenAudience":"x","cacheType":"Token","requireServiceAccount":false,"optionalServiceAccountAnnotationKeys":["a/b/c"]}}]}`,
		"apiVersion: kubelet.config.k8s.io/v1beta1\nkind: CredentialProviderConfig\nproviders:\n- name: ..\n  matchImages: ['%zz', 'https://x']\n  defaultCacheDuration: -1s\n",
		"providers: [",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := plugin.ParseConfig(data)
		if err != nil {
			if !errors.Is(err, plugin.ErrInvalidConfig) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil && !errors.Is(err, plugin.ErrInvalidConfig) {
			t.Fatalf("unclassified validation error: %v", err)
		}
	})
}
