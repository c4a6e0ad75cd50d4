package cache

import (
	"bytes"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// FuzzRecordFile feeds arbitrary bytes to the pull-record and intent file decoders, as a
// hostile or corrupt file in the kubelet's image_manager directory would. Neither may panic;
// no input is both an intent and a record; and whatever decodes re-encodes (as the migration
// of v1alpha1 files does) into a file that decodes to the same value, to the second, and
// encodes to the same bytes again: the encoding is a fixed point, bounded by the input.
func FuzzRecordFile(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"registry.example.com/team/app:v1"}` + "\n",
		`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1alpha1","image":"nginx"}`,
		`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2025-01-02T03:04:05Z","imageRef":"sha256:0c7a",` +
			`"credentialMapping":{"registry.example.com/app":{"kubernetesSecrets":[{"uid":"6f1c","namespace":"default","name":"regcred","credentialHash":"9b1f"}]}}}` + "\n",
		`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1alpha1","lastUpdatedTime":"2025-01-02T03:04:05.999+02:00","imageRef":"sha256:1",` +
			`"credentialMapping":{"a":{"kubernetesServiceAccounts":[{"uid":"u","namespace":"n","name":"sa"}],"nodePodsAccessible":true},"b":{}}}`,
		`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":null,"imageRef":"<&>","credentialMapping":{}}`,
		`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"x","image":"y"}`,
		`{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"x"} {}`,
		`{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","imageref":"x"}`,
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		intent, intentVersion, intentErr := decodeIntent(data)
		rec, recVersion, recErr := decodeRecord(data)
		if intentErr == nil && recErr == nil {
			t.Fatalf("both an intent and a record: %q", data)
		}
		if intentErr == nil {
			checkVersion(t, intentVersion)
			out, err := encodeIntent(intent.Image, apiVersionV1beta1)
			if err != nil {
				t.Fatalf("a decoded intent does not encode: %v", err)
			}
			again, version, err := decodeIntent(out)
			if err != nil || version != apiVersionV1beta1 || again != intent {
				t.Fatalf("intent %+v re-encoded as %q decodes as %+v, %q, %v", intent, out, again, version, err)
			}
			checkFixedPoint(t, data, out, func() ([]byte, error) { return encodeIntent(again.Image, apiVersionV1beta1) })
		}
		if recErr == nil {
			checkVersion(t, recVersion)
			if y := rec.LastUpdatedTime.Year(); y < 0 || y > 9999 {
				// RFC 3339 has four-digit years: "0000-01-01T00:00:00+01:00" is year -1 in
				// UTC, which metav1.Time (and so the kubelet) writes but cannot read back.
				return
			}
			out, err := encodeRecord(rec, apiVersionV1beta1)
			if err != nil {
				t.Fatalf("a decoded record does not encode: %v", err)
			}
			again, version, err := decodeRecord(out)
			if err != nil || version != apiVersionV1beta1 {
				t.Fatalf("record %+v re-encoded as %q does not decode: %q, %v", rec, out, version, err)
			}
			if want := normalizeRecord(rec); !reflect.DeepEqual(normalizeRecord(again), want) {
				t.Fatalf("record %+v re-encoded as %q decodes as %+v", want, out, again)
			}
			checkFixedPoint(t, data, out, func() ([]byte, error) { return encodeRecord(again, apiVersionV1beta1) })
		}
	})
}

func checkVersion(t *testing.T, version string) {
	t.Helper()
	if version != apiVersionV1beta1 && version != apiVersionV1alpha1 {
		t.Fatalf("decoded with apiVersion %q", version)
	}
}

// checkFixedPoint: encoding the decoded encoding gives the same bytes, and the encoding stays
// within a constant factor of the input (an escaped "<" is six bytes, an empty secret "{}"
// gains its four empty fields).
func checkFixedPoint(t *testing.T, data, out []byte, encodeAgain func() ([]byte, error)) {
	t.Helper()
	again, err := encodeAgain()
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("encoding is not a fixed point: %q then %q (%v)", out, again, err)
	}
	if len(out) > 32*len(data)+256 {
		t.Fatalf("%d bytes decoded into a %d-byte encoding", len(data), len(out))
	}
}

// normalizeRecord is r as a file can hold it: the time to the second in UTC, and empty lists
// and mappings as absent ones (the encoding leaves them out).
func normalizeRecord(r pullmanager.PulledRecord) pullmanager.PulledRecord {
	r.LastUpdatedTime = r.LastUpdatedTime.UTC().Truncate(time.Second)
	if len(r.CredentialMapping) == 0 {
		r.CredentialMapping = nil
		return r
	}
	r.CredentialMapping = maps.Clone(r.CredentialMapping)
	for repo, c := range r.CredentialMapping {
		if len(c.KubernetesSecrets) == 0 {
			c.KubernetesSecrets = nil
		}
		if len(c.KubernetesServiceAccounts) == 0 {
			c.KubernetesServiceAccounts = nil
		}
		r.CredentialMapping[repo] = c
	}
	return r
}
