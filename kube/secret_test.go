package kube_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/reference"
)

// TestKeyring reads the Secrets of testdata/secrets.yaml into the kubelet's keyring: both
// docker config types count, an Opaque Secret holding the same key does not.
func TestKeyring(t *testing.T) {
	m, err := kube.ReadFile("testdata/secrets.yaml", kube.Options{})
	require.NoError(t, err)
	ring, err := kube.Keyring(m.CoreSecrets())
	require.NoError(t, err)

	tests := []struct {
		image string
		want  []string // user (secret namespace/name)
	}{
		{"registry.example.com/shop/app:1", []string{"user shop (secret shop/json-cred)"}},
		{"legacy.example.com/app", []string{"user legacy (secret shop/legacy-cred)"}},
		{"docker.io/library/nginx", nil},
	}
	for _, tc := range tests {
		t.Run(tc.image, func(t *testing.T) {
			var got []string
			for _, c := range ring.Lookup(reference.MustParse(tc.image).Repository()) {
				got = append(got, c.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
	creds := ring.Lookup("registry.example.com/shop/app")
	require.Len(t, creds, 1)
	assert.Equal(t, credential.Source{Kind: credential.SourceSecret, Namespace: "shop", Name: "json-cred",
		UID: "0b6a2f3e-1111-4c2d-9e8f-000000000001"}, creds[0].Source)
	assert.Equal(t, "s3cr3t", creds[0].Password)
}

func TestKeyringInvalidSecret(t *testing.T) {
	_, err := kube.Keyring([]corev1.Secret{{
		Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte("not json")},
	}})
	assert.EqualError(t, err, "invalid character 'o' in literal null (expecting 'u')")
}

func TestCredentialSecret(t *testing.T) {
	s := corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "n", UID: "u"},
		Type:       corev1.SecretTypeDockercfg,
		Data:       map[string][]byte{".dockercfg": []byte("old"), "other": []byte("kept")},
		StringData: map[string]string{".dockercfg": "new"},
	}
	got := kube.CredentialSecret(&s)
	assert.Equal(t, credential.Secret{Namespace: "ns", Name: "n", UID: "u", Type: "kubernetes.io/dockercfg",
		Data: map[string][]byte{".dockercfg": []byte("new"), "other": []byte("kept")}}, got)
	assert.Equal(t, []byte("old"), s.Data[".dockercfg"], "the Secret itself is left alone")
}

func TestPullSecrets(t *testing.T) {
	secret := func(ns, name string) corev1.Secret {
		return corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	available := []corev1.Secret{secret("shop", "a"), secret("other", "b"), secret("shop", "c")}
	tests := []struct {
		name    string
		refs    []string
		found   []string
		missing []string
	}{
		{"none", nil, nil, nil},
		{"in pod order", []string{"c", "a"}, []string{"c", "a"}, nil},
		{"other namespace is missing", []string{"a", "b"}, []string{"a"}, []string{"b"}},
		{"empty names ignored", []string{"", "a", "zz"}, []string{"a"}, []string{"zz"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var refs []corev1.LocalObjectReference
			for _, r := range tc.refs {
				refs = append(refs, corev1.LocalObjectReference{Name: r})
			}
			found, missing := kube.PullSecrets("shop", refs, available)
			var names []string
			for _, s := range found {
				names = append(names, s.Name)
			}
			assert.Equal(t, tc.found, names)
			assert.Equal(t, tc.missing, missing)
		})
	}
	assert.Equal(t, "Unable to retrieve some image pull secrets (regcred, other); attempting to pull the image may not succeed.",
		kube.MissingPullSecretsMessage([]string{"regcred", "other"}))
}
