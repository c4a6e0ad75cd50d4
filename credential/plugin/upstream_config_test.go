package plugin_test

// The kubelet's own credential provider config tests, translated case by case. Source:
// k8s.io/kubernetes v1.37.2 pkg/credentialprovider/plugin/config_test.go (v1.36.3 has the same
// cases).
//
// Count: 44 cases; 43 translated, all passing; 1 not expressible.
//   - Test_readCredentialProviderConfig (:36), 18 cases: below, through [plugin.ReadConfig].
//     Each case's config or error (a substring, as upstream) is checked. Its expectedConfigHash
//     column is not: the kubelet hashes the files for its
//     kubelet_credential_provider_config_info metric, and this library has no such metric.
//   - Test_validateCredentialProviderConfig (:752), 26 cases: validate_test.go TestValidate
//     holds 25 of them under their kubelet names. Not expressible: "token attributes set
//     without KubeletServiceAccountTokenForCredentialProviders feature gate enabled" (:937):
//     the gate is GA and locked on in v1.36, and [plugin.Config.Validate] has no switch for it.

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential/plugin"
)

// upstreamProvider is the provider most of the kubelet's cases expect.
func upstreamProvider(name string, images []string, d time.Duration, version string, withArgs bool) plugin.ProviderConfig {
	p := plugin.ProviderConfig{Name: name, MatchImages: images, DefaultCacheDuration: &plugin.Duration{Duration: d},
		APIVersion: "credentialprovider.kubelet.k8s.io/" + version}
	if withArgs {
		p.Args = []string{"--v=5"}
		p.Env = []plugin.EnvVar{{Name: "FOO", Value: "BAR"}}
	}
	return p
}

// upstreamDoc is the YAML document of most of the kubelet's cases: kind and apiVersion, then
// providers written as the tests write them.
func upstreamDoc(kind, apiVersion, providers string) string {
	return "---\nkind: " + kind + "\napiVersion: " + apiVersion + "\nproviders:\n" + providers
}

// upstreamYAMLProvider is one provider in the tests' YAML layout; withArgs adds "--v=5" and
// FOO=BAR.
func upstreamYAMLProvider(name, image, duration, version string, withArgs bool) string {
	s := "  - name: " + name + "\n    matchImages:\n    - \"" + image + "\"\n    defaultCacheDuration: " + duration +
		"\n    apiVersion: credentialprovider.kubelet.k8s.io/" + version
	if withArgs {
		s += "\n    args:\n    - --v=5\n    env:\n    - name: FOO\n      value: BAR"
	}
	return s
}

func TestUpstreamReadCredentialProviderConfig(t *testing.T) {
	const v1alpha1 = "kubelet.config.k8s.io/v1alpha1"
	const cpc = "CredentialProviderConfig"
	oneJSON := `{
				  "kind": "CredentialProviderConfig",
				  "apiVersion": "kubelet.config.k8s.io/v1alpha1",
				  "providers": [
					{
					  "name": "test",
					  "matchImages": [
						"registry.io/foobar"
					  ],
					  "defaultCacheDuration": "10m",
					  "apiVersion": "credentialprovider.kubelet.k8s.io/v1alpha1",
					  "args": [
						"--v=5"
					  ],
					  "env": [
						{
						  "name": "FOO",
						  "value": "BAR"
						}
					  ]
					}
				  ]
				}`
	v2JSON := `{
  "kind": "CredentialProviderConfig",
  "apiVersion": "kubelet.config.k8s.io/v1",
  "providers": [
    {
      "name": "%s",
      "matchImages": [
        "%s"
      ],
      "defaultCacheDuration": "%s",
      "apiVersion": "credentialprovider.kubelet.k8s.io/v1"
    }
  ]
}`
	multi := func(version, apiVersion string) string {
		return upstreamDoc(cpc, apiVersion, upstreamYAMLProvider("test1", "registry.io/one", "10m", version, false)+"\n"+
			upstreamYAMLProvider("test2", "registry.io/two", "10m", version, true))
	}
	multiWant := func(version string) *plugin.Config {
		return &plugin.Config{Providers: []plugin.ProviderConfig{
			upstreamProvider("test1", []string{"registry.io/one"}, 10*time.Minute, version, false),
			upstreamProvider("test2", []string{"registry.io/two"}, 10*time.Minute, version, true),
		}}
	}
	withTokenAttributes := func(apiVersion, version string) string {
		return upstreamDoc(cpc, apiVersion, "  - name: test\n    matchImages:\n    - \"registry.io/foobar\"\n    defaultCacheDuration: 10m\n"+
			"    apiVersion: credentialprovider.kubelet.k8s.io/"+version+"\n    tokenAttributes:\n      serviceAccountTokenAudience: audience\n"+
			"    args:\n    - --v=5\n    env:\n    - name: FOO\n      value: BAR")
	}
	tests := []struct {
		line      int
		name      string
		files     []string // contents
		fileNames []string // for a directory, when not config-NNN.yaml
		isDir     bool
		config    *plugin.Config
		expectErr string // contained in the error
	}{
		{47, "empty directory with no JSON or YAML files", nil, nil, true, nil, "no configuration files found in directory"},
		{54, "directory with unsupported file extensions",
			[]string{"This is a text file with unsupported extension", "This is another text file with unsupported extension"},
			[]string{"config.txt", "config.md"}, true, nil, "no configuration files found in directory"},
		{68, "config with 1 plugin and 1 image matcher",
			[]string{upstreamDoc(cpc, v1alpha1, upstreamYAMLProvider("test", "registry.io/foobar", "10m", "v1alpha1", true))}, nil, false,
			&plugin.Config{Providers: []plugin.ProviderConfig{upstreamProvider("test", []string{"registry.io/foobar"}, 10*time.Minute, "v1alpha1", true)}}, ""},
		{103, "config with 1 plugin and 1 image matcher (JSON!)", []string{oneJSON}, nil, false,
			&plugin.Config{Providers: []plugin.ProviderConfig{upstreamProvider("test", []string{"registry.io/foobar"}, 10*time.Minute, "v1alpha1", true)}}, ""},
		{148, "config with 1 plugin and a wildcard image match",
			[]string{upstreamDoc(cpc, v1alpha1, upstreamYAMLProvider("test", "registry.io/*", "10m", "v1alpha1", true))}, nil, false,
			&plugin.Config{Providers: []plugin.ProviderConfig{upstreamProvider("test", []string{"registry.io/*"}, 10*time.Minute, "v1alpha1", true)}}, ""},
		{183, "config with 1 plugin and multiple image matchers",
			[]string{upstreamDoc(cpc, v1alpha1, "  - name: test\n    matchImages:\n    - \"registry.io/*\"\n    - \"foobar.registry.io/*\"\n    defaultCacheDuration: 10m\n"+
				"    apiVersion: credentialprovider.kubelet.k8s.io/v1alpha1\n    args:\n    - --v=5\n    env:\n    - name: FOO\n      value: BAR")}, nil, false,
			&plugin.Config{Providers: []plugin.ProviderConfig{upstreamProvider("test", []string{"registry.io/*", "foobar.registry.io/*"}, 10*time.Minute, "v1alpha1", true)}}, ""},
		{219, "config with multiple providers", []string{multi("v1alpha1", v1alpha1)}, nil, false, multiWant("v1alpha1"), ""},
		{266, "v1beta1 config with multiple providers", []string{multi("v1beta1", "kubelet.config.k8s.io/v1beta1")}, nil, false, multiWant("v1beta1"), ""},
		{313, "v1 config with multiple providers", []string{multi("v1", "kubelet.config.k8s.io/v1")}, nil, false, multiWant("v1"), ""},
		{360, "config with wrong Kind",
			[]string{upstreamDoc("WrongKind", v1alpha1, upstreamYAMLProvider("test", "registry.io/foobar", "10m", "v1alpha1", true))}, nil, false,
			nil, `no kind "WrongKind" is registered for version "kubelet.config.k8s.io/v1alpha1"`},
		{379, "config with wrong apiversion",
			[]string{upstreamDoc(cpc, "foobar/v1alpha1", upstreamYAMLProvider("test", "registry.io/foobar", "10m", "v1alpha1", true))}, nil, false,
			nil, `no kind "CredentialProviderConfig" is registered for version "foobar/v1alpha1`},
		{398, "config with invalid typo",
			[]string{upstreamDoc(cpc, "kubelet.config.k8s.io/v1", "  - name: test\n    matchImages:\n    - \"registry.io/foobar\"\n    defaultCacheDuration: 10m\n"+
				"    unknownField: should not be here # this field should not be here\n    apiVersion: credentialprovider.kubelet.k8s.io/v1alpha1\n"+
				"    args:\n    - --v=5\n    env:\n    - name: FOO\n      value: BAR")}, nil, false,
			nil, `strict decoding error: unknown field "providers[0].unknownField"`},
		{418, "v1alpha1 config with token attributes should fail", []string{withTokenAttributes(v1alpha1, "v1alpha1")}, nil, false,
			nil, `strict decoding error: unknown field "providers[0].tokenAttributes"`},
		{439, "v1beta1 config with token attributes should fail", []string{withTokenAttributes("kubelet.config.k8s.io/v1beta1", "v1beta1")}, nil, false,
			nil, `strict decoding error: unknown field "providers[0].tokenAttributes"`},
		{460, "directory with multiple config files in lexicographic order",
			[]string{
				upstreamDoc(cpc, "kubelet.config.k8s.io/v1", upstreamYAMLProvider("test1", "registry.io/one", "10m", "v1", false)),
				upstreamDoc(cpc, "kubelet.config.k8s.io/v1", upstreamYAMLProvider("test2", "registry.io/two", "5m", "v1", false)),
			}, nil, true,
			&plugin.Config{Providers: []plugin.ProviderConfig{
				upstreamProvider("test1", []string{"registry.io/one"}, 10*time.Minute, "v1", false),
				upstreamProvider("test2", []string{"registry.io/two"}, 5*time.Minute, "v1", false),
			}}, ""},
		{501, "directory with mixed API versions in config files",
			[]string{
				upstreamDoc(cpc, "kubelet.config.k8s.io/v1beta1", upstreamYAMLProvider("test-beta", "beta.registry.io/*", "15m", "v1beta1", false)),
				upstreamDoc(cpc, "kubelet.config.k8s.io/v1", upstreamYAMLProvider("test-v1", "v1.registry.io/*", "20m", "v1", false)),
				fmt.Sprintf(v2JSON, "test-v2", "v2.registry.io/*", "20m"),
			}, nil, true,
			&plugin.Config{Providers: []plugin.ProviderConfig{
				upstreamProvider("test-beta", []string{"beta.registry.io/*"}, 15*time.Minute, "v1beta1", false),
				upstreamProvider("test-v1", []string{"v1.registry.io/*"}, 20*time.Minute, "v1", false),
				upstreamProvider("test-v2", []string{"v2.registry.io/*"}, 20*time.Minute, "v1", false),
			}}, ""},
		{562, "directory with duplicate provider names, throw error",
			[]string{
				upstreamDoc(cpc, "kubelet.config.k8s.io/v1", upstreamYAMLProvider("duplicate", "registry.io/one", "10m", "v1", false)),
				upstreamDoc(cpc, "kubelet.config.k8s.io/v1", upstreamYAMLProvider("duplicate", "registry.io/two", "5m", "v1", false)),
			}, nil, true, nil, `duplicate provider name "duplicate" found in configuration file(s)`},
		{588, "directory with mixed supported and unsupported file extensions",
			[]string{
				upstreamDoc(cpc, "kubelet.config.k8s.io/v1", upstreamYAMLProvider("test1", "registry.io/one", "10m", "v1", false)),
				"This is a text file with unsupported extension that should be skipped",
				fmt.Sprintf(v2JSON, "test2", "registry.io/two", "5m"),
			}, []string{"config-001.yaml", "config-002.txt", "config-003.json"}, true,
			&plugin.Config{Providers: []plugin.ProviderConfig{
				upstreamProvider("test1", []string{"registry.io/one"}, 10*time.Minute, "v1", false),
				upstreamProvider("test2", []string{"registry.io/two"}, 5*time.Minute, "v1", false),
			}}, ""},
		{640, "directory with one invalid config file",
			[]string{
				upstreamDoc(cpc, "kubelet.config.k8s.io/v1", upstreamYAMLProvider("test1", "registry.io/one", "10m", "v1", false)),
				upstreamDoc("WrongKind", "kubelet.config.k8s.io/v1", upstreamYAMLProvider("test2", "registry.io/two", "5m", "v1", false)),
			}, nil, true, nil, `no kind "WrongKind" is registered for version "kubelet.config.k8s.io/v1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.yaml")
			if tc.isDir {
				for i, content := range tc.files {
					name := fmt.Sprintf("config-%03d.yaml", i)
					if i < len(tc.fileNames) {
						name = tc.fileNames[i]
					}
					require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
				}
				path = dir
			} else {
				require.NoError(t, os.WriteFile(path, []byte(tc.files[0]), 0o600))
			}
			cfg, err := plugin.ReadConfig(path)
			if tc.expectErr != "" {
				require.ErrorContains(t, err, tc.expectErr)
				assert.ErrorIs(t, err, plugin.ErrInvalidConfig)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.config, cfg)
		})
	}
}
