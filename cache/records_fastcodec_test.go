package cache

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// fastPathSeeds are files the fast path must take (canonical) or decline (anything else).
var fastPathSeeds = []string{
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"testimage-anonpull","credentialMapping":{"docker.io/testing/test":{"nodePodsAccessible":true}}}`,
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"ref","credentialMapping":{"a":{"kubernetesSecrets":[{"uid":"u","namespace":"ns","name":"n","credentialHash":"h"},{"uid":"u2","namespace":"ns","name":"n2","credentialHash":""}],"kubernetesServiceAccounts":[{"uid":"sa","namespace":"ns","name":"default"}],"nodePodsAccessible":true},"b":{}}}` + "\n",
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":null,"imageRef":"ref"}`,
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T14:26:40+02:00","imageRef":"ref"}`,
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1alpha1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"ref"}`,
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"ref","credentialMapping":{"b":{},"a":{}}}`,
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"ref","credentialMapping":{"a":{},"a":{}}}`,
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"r\u0065f"}`,
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"ref","extra":1}`,
	`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"ref"}` + "\n\n",
	`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"docker.io/testing/test:latest"}`,
	`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"a\u003cb"}` + "\n",
	`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"x","image":"y"}`,
	`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1alpha1","image":"x"}`,
}

// checkFastPath fails when the fast path accepts data and the general decoder does not agree.
func checkFastPath(t *testing.T, data []byte) {
	if rec, ok := fastDecodeRecord(data); ok {
		slow, version, err := slowDecodeRecord(data)
		require.NoError(t, err, "the fast path accepted what the general decoder refuses")
		assert.Equal(t, apiVersionV1beta1, version)
		assert.Equal(t, slow, rec)
	}
	if intent, ok := fastDecodeIntent(data); ok {
		slow, version, err := slowDecodeIntent(data)
		require.NoError(t, err, "the fast path accepted what the general decoder refuses")
		assert.Equal(t, apiVersionV1beta1, version)
		assert.Equal(t, slow, intent)
	}
}

func TestRecordFastPath(t *testing.T) {
	takes := []bool{true, true, true, true, false, false, false, false, false, false, true, false, false, false}
	for i, s := range fastPathSeeds {
		checkFastPath(t, []byte(s))
		_, rec := fastDecodeRecord([]byte(s))
		_, intent := fastDecodeIntent([]byte(s))
		assert.Equal(t, takes[i], rec || intent, "seed %d: %s", i, s)
	}
	// Whatever FileRecords writes with plain strings, the fast path reads back.
	rec := pullmanager.PulledRecord{LastUpdatedTime: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), ImageRef: "sha256:app",
		CredentialMapping: map[string]pullmanager.ImagePullCredentials{
			"busybox":                   {KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: "u", Namespace: "ns", Name: "n", CredentialHash: strings.Repeat("ab", 32)}}},
			"docker.io/library/busybox": {KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{{UID: "u", Namespace: "ns", Name: "sa"}}},
			"registry.example/open":     {NodePodsAccessible: true},
		}}
	data, err := encodeRecord(rec, apiVersionV1beta1)
	require.NoError(t, err)
	got, ok := fastDecodeRecord(data)
	require.True(t, ok, "%s", data)
	assert.True(t, rec.Equal(got))
	data, err = encodeIntent("busybox:1.36", apiVersionV1beta1)
	require.NoError(t, err)
	intent, ok := fastDecodeIntent(data)
	require.True(t, ok)
	assert.Equal(t, "busybox:1.36", intent.Image)
	// The fast encoder writes what encoding/json writes.
	for _, image := range []string{"busybox:1.36", "a<b", "caf\u00e9", "x\"y", "tab\there"} {
		data, err := encodeIntent(image, apiVersionV1beta1)
		require.NoError(t, err)
		want, err := encode(wireIntent{Kind: kindIntent, APIVersion: apiVersionV1beta1, Image: image})
		require.NoError(t, err)
		assert.Equal(t, string(want), string(data), image)
	}
}

// FuzzRecordFastPath: what the fast path accepts, the general decoder accepts too, with the
// same result; and the fast intent encoder writes encoding/json's bytes.
func FuzzRecordFastPath(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastPath(t, data)
		if out, ok := fastEncodeIntent(string(data)); ok {
			want, err := encode(wireIntent{Kind: kindIntent, APIVersion: apiVersionV1beta1, Image: string(data)})
			require.NoError(t, err)
			require.Equal(t, string(want), string(out))
		}
	})
}
