package plugin_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential/plugin"
)

const ecrYAML = `apiVersion: kubelet.config.k8s.io/v1
kind: CredentialProviderConfig
providers:
  - name: ecr-credential-provider
    matchImages:
      - "*.dkr.ecr.*.amazonaws.com"
      - "*.dkr.ecr.*.amazonaws.com.cn"
    defaultCacheDuration: "12h"
    apiVersion: credentialprovider.kubelet.k8s.io/v1
    args: ["get-credentials"]
    env:
      - name: AWS_PROFILE
        value: node
`

func TestParseConfig(t *testing.T) {
	ptrTrue := true
	tests := []struct {
		name string
		doc  string
		want *plugin.Config
	}{
		{"v1 yaml", ecrYAML, &plugin.Config{Providers: []plugin.ProviderConfig{{
			Name:                 "ecr-credential-provider",
			MatchImages:          []string{"*.dkr.ecr.*.amazonaws.com", "*.dkr.ecr.*.amazonaws.com.cn"},
			DefaultCacheDuration: &plugin.Duration{Duration: 12 * time.Hour},
			APIVersion:           plugin.ProtocolV1,
			Args:                 []string{"get-credentials"},
			Env:                  []plugin.EnvVar{{Name: "AWS_PROFILE", Value: "node"}},
		}}}},
		{"v1 json with tokenAttributes", `{"kind":"CredentialProviderConfig","apiVersion":"kubelet.config.k8s.io/v1","providers":[
			{"name":"acr","matchImages":["*.azurecr.io"],"defaultCacheDuration":"0s","apiVersion":"credentialprovider.kubelet.k8s.io/v1",
			 "tokenAttributes":{"serviceAccountTokenAudience":"api://AzureADTokenExchange","cacheType":"ServiceAccount","requireServiceAccount":true,
			   "requiredServiceAccountAnnotationKeys":["azure.workload.identity/client-id"]}}]}`,
			&plugin.Config{Providers: []plugin.ProviderConfig{{
				Name: "acr", MatchImages: []string{"*.azurecr.io"}, DefaultCacheDuration: &plugin.Duration{},
				APIVersion: plugin.ProtocolV1,
				TokenAttributes: &plugin.TokenAttributes{
					ServiceAccountTokenAudience: "api://AzureADTokenExchange", CacheType: plugin.CacheTypeServiceAccount,
					RequireServiceAccount: &ptrTrue, RequiredServiceAccountAnnotationKeys: []string{"azure.workload.identity/client-id"},
				},
			}}}},
		{"v1beta1", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: CredentialProviderConfig\nproviders:\n- name: gcp\n  matchImages: [\"gcr.io\"]\n  defaultCacheDuration: 1m\n  apiVersion: credentialprovider.kubelet.k8s.io/v1beta1\n",
			&plugin.Config{Providers: []plugin.ProviderConfig{{Name: "gcp", MatchImages: []string{"gcr.io"},
				DefaultCacheDuration: &plugin.Duration{Duration: time.Minute}, APIVersion: plugin.ProtocolV1beta1}}}},
		{"v1alpha1", "apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: CredentialProviderConfig\nproviders:\n- name: old\n  matchImages: [\"old.io\"]\n  defaultCacheDuration: 10m\n  apiVersion: credentialprovider.kubelet.k8s.io/v1alpha1\n",
			&plugin.Config{Providers: []plugin.ProviderConfig{{Name: "old", MatchImages: []string{"old.io"},
				DefaultCacheDuration: &plugin.Duration{Duration: 10 * time.Minute}, APIVersion: plugin.ProtocolV1alpha1}}}},
		{"no providers", "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\n", &plugin.Config{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := plugin.ParseConfig([]byte(tc.doc))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	const head = "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\n"
	tests := []struct {
		name string
		doc  string
		want string // the error's text, the kubelet decoder's where it has one
	}{
		{"unknown field", head + "providers:\n- name: a\n  matchImage: [x]\n",
			`strict decoding error: unknown field "providers[0].matchImage"`},
		{"field names are case-sensitive", head + "providers:\n- Name: a\n",
			`strict decoding error: unknown field "providers[0].Name"`},
		{"duplicate field in JSON", `{"kind":"CredentialProviderConfig","apiVersion":"kubelet.config.k8s.io/v1","providers":[{"name":"a","name":"b"}]}`,
			`strict decoding error: duplicate field "providers[0].name"`},
		{"tokenAttributes before v1", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: CredentialProviderConfig\nproviders:\n- name: a\n  tokenAttributes: {}\n",
			`strict decoding error: unknown field "providers[0].tokenAttributes"`},
		{"tokenAttributes and another unknown field before v1", "apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: CredentialProviderConfig\nproviders:\n- name: a\n- name: b\n  bogus: 1\n  tokenAttributes: {}\n",
			`strict decoding error: unknown field "providers[1].bogus", unknown field "providers[1].tokenAttributes"`},
		{"bad duration", head + "providers:\n- name: a\n  defaultCacheDuration: soon\n", `time: invalid duration "soon"`},
		{"duration as a number", head + "providers:\n- name: a\n  defaultCacheDuration: 5\n",
			"json: cannot unmarshal number into Go struct field ProviderConfig.providers.defaultCacheDuration of type string"},
		{"no kind", "apiVersion: kubelet.config.k8s.io/v1\n", "Object 'Kind' is missing in 'apiVersion: kubelet.config.k8s.io/v1\n'"},
		{"no apiVersion", "kind: CredentialProviderConfig\n", "Object 'apiVersion' is missing in 'kind: CredentialProviderConfig\n'"},
		{"wrong kind", "apiVersion: kubelet.config.k8s.io/v1\nkind: KubeletConfiguration\n",
			`no kind "KubeletConfiguration" is registered for version "kubelet.config.k8s.io/v1"`},
		{"unknown version", "apiVersion: kubelet.config.k8s.io/v2\nkind: CredentialProviderConfig\n",
			`no kind "CredentialProviderConfig" is registered for version "kubelet.config.k8s.io/v2"`},
		{"not YAML", "providers: [\n", "yaml: line 1: did not find expected node content"},
		{"duplicate YAML key", head + "providers:\n- name: a\n  name: b\n",
			"strict decoding error: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := plugin.ParseConfig([]byte(tc.doc))
			require.ErrorIs(t, err, plugin.ErrInvalidConfig)
			assert.EqualError(t, err, tc.want)
		})
	}
}

func TestReadConfig(t *testing.T) {
	doc := func(name, version string) string {
		return "apiVersion: kubelet.config.k8s.io/" + version + "\nkind: CredentialProviderConfig\nproviders:\n- name: " + name +
			"\n  matchImages: [\"" + name + ".io\"]\n  defaultCacheDuration: 1m\n  apiVersion: credentialprovider.kubelet.k8s.io/v1\n"
	}
	write := func(t *testing.T, dir string, files map[string]string) {
		for name, content := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
		}
	}

	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config.yaml")
		write(t, filepath.Dir(path), map[string]string{"config.yaml": doc("one", "v1")})
		cfg, err := plugin.ReadConfig(path)
		require.NoError(t, err)
		require.Len(t, cfg.Providers, 1)
		assert.Equal(t, "one", cfg.Providers[0].Name)
	})
	t.Run("directory in lexicographic order, other files ignored", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, map[string]string{
			"20-b.yml": doc("b", "v1"), "10-a.json": `{"kind":"CredentialProviderConfig","apiVersion":"kubelet.config.k8s.io/v1","providers":[{"name":"a","matchImages":["a.io"],"defaultCacheDuration":"1m","apiVersion":"credentialprovider.kubelet.k8s.io/v1"}]}`,
			"30-c.yaml": doc("c", "v1beta1"), "README.txt": "not a config", "40-d.yaml~": "backup",
		})
		require.NoError(t, os.Mkdir(filepath.Join(dir, "50-dir.yaml"), 0o700))
		cfg, err := plugin.ReadConfig(dir)
		require.NoError(t, err)
		var names []string
		for _, p := range cfg.Providers {
			names = append(names, p.Name)
		}
		assert.Equal(t, []string{"a", "b", "c"}, names)
	})

	tests := []struct {
		name  string
		files map[string]string // nil: the path does not exist
		want  string            // the error's text, with DIR for the directory
	}{
		{"duplicate names across files", map[string]string{"a.yaml": doc("same", "v1"), "b.yaml": doc("same", "v1")},
			`duplicate provider name "same" found in configuration file(s)`},
		{"no config files", map[string]string{"notes.txt": "x"}, `no configuration files found in directory "DIR"`},
		{"one bad file", map[string]string{"a.yaml": doc("a", "v1"), "b.yaml": "apiVersion: kubelet.config.k8s.io/v1\nkind: WrongKind\n"},
			`error decoding config "DIR/b.yaml": no kind "WrongKind" is registered for version "kubelet.config.k8s.io/v1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.files)
			_, err := plugin.ReadConfig(dir)
			require.ErrorIs(t, err, plugin.ErrInvalidConfig)
			assert.EqualError(t, err, replaceDir(tc.want, dir))
		})
	}
	t.Run("missing path", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope.yaml")
		_, err := plugin.ReadConfig(missing)
		require.ErrorIs(t, err, plugin.ErrInvalidConfig)
		require.ErrorIs(t, err, os.ErrNotExist)
		assert.EqualError(t, err, `unable to access path "`+missing+`": stat `+missing+`: no such file or directory`)
	})
	t.Run("empty path", func(t *testing.T) {
		_, err := plugin.ReadConfig("")
		assert.EqualError(t, err, "credential provider config path is empty")
	})
	t.Run("oversized file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.yaml")
		require.NoError(t, os.WriteFile(path, make([]byte, 16<<20+1), 0o600))
		_, err := plugin.ReadConfig(path)
		require.ErrorIs(t, err, plugin.ErrInvalidConfig)
		assert.EqualError(t, err, `unable to read file "`+path+`": larger than 16777216 bytes`)
	})
}

func replaceDir(s, dir string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		if i+3 <= len(s) && s[i:i+3] == "DIR" {
			out = append(out, dir...)
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}
