package plugin_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"github.com/imagepull/imagepull/credential/plugin"
)

// CredentialProviderConfig mirrors the kubelet's v1 document for the apimachinery strict
// serializer the kubelet decodes with (pkg/credentialprovider/plugin/config.go:125,
// codecs.UniversalDecoder() of a factory built with serializer.EnableStrict).
type CredentialProviderConfig struct {
	metav1.TypeMeta `json:",inline"`
	Providers       []plugin.ProviderConfig `json:"providers"`
}

func (c *CredentialProviderConfig) DeepCopyObject() runtime.Object {
	cp := *c
	return &cp
}

// kubeletDecodeError is the error the kubelet's strict serializer returns for doc, or "".
func kubeletDecodeError(t *testing.T, doc string) string {
	t.Helper()
	scheme := runtime.NewScheme()
	scheme.AddKnownTypes(schema.GroupVersion{Group: "kubelet.config.k8s.io", Version: "v1"}, &CredentialProviderConfig{})
	_, _, err := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer().Decode([]byte(doc), nil, nil)
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestParseConfigStrictTextsAsTheKubelet: a duplicated YAML key is a strict decoding error,
// listed before the unknown and duplicated fields, as the kubelet's YAML serializer reports it
// (apimachinery runtime/serializer/json/json.go:277-283, runtime/error.go:138); a fatal
// decoding error is returned alone. Each text is pinned and compared with the apimachinery
// serializer's own.
func TestParseConfigStrictTextsAsTheKubelet(t *testing.T) {
	const head = "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\n"
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"duplicate YAML key", head + "providers:\n- name: a\n  name: b\n",
			"strict decoding error: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map"},
		{"duplicate YAML key and an unknown field", head + "providers:\n- name: a\n  name: b\n  bogus: 1\n",
			"strict decoding error: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map, unknown field \"providers[0].bogus\""},
		{"duplicate top-level key", head + "providers: []\nproviders: []\n",
			"strict decoding error: yaml: unmarshal errors:\n  line 4: key \"providers\" already set in map"},
		{"duplicate apiVersion", "apiVersion: kubelet.config.k8s.io/v1\napiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\n",
			"strict decoding error: yaml: unmarshal errors:\n  line 2: key \"apiVersion\" already set in map"},
		{"duplicate key and a fatal error: the fatal error alone", head + "providers:\n- name: a\n  name: b\n  matchImages: 5\n",
			"json: cannot unmarshal number into Go struct field ProviderConfig.providers.matchImages of type []string"},
		{"duplicate field in JSON", `{"kind":"CredentialProviderConfig","apiVersion":"kubelet.config.k8s.io/v1","providers":[{"name":"a","name":"b"}]}`,
			`strict decoding error: duplicate field "providers[0].name"`},
		{"unknown field", head + "providers:\n- name: a\n  matchImage: [x]\n",
			`strict decoding error: unknown field "providers[0].matchImage"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := plugin.ParseConfig([]byte(tc.doc))
			require.ErrorIs(t, err, plugin.ErrInvalidConfig)
			assert.EqualError(t, err, tc.want)
			assert.Equal(t, kubeletDecodeError(t, tc.doc), tc.want, "the apimachinery strict serializer's text")
		})
	}
}
