package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

// The kubelet's record format (k8s.io/kubelet/config v1beta1 ImagePullIntent and
// ImagePulledRecord, encoded by apimachinery's JSON serializer: compact, fields in declaration
// order, map keys sorted, HTML characters escaped, a trailing newline).
const (
	apiVersionV1beta1  = "kubelet.config.k8s.io/v1beta1"
	apiVersionV1alpha1 = "kubelet.config.k8s.io/v1alpha1"
	kindIntent         = "ImagePullIntent"
	kindPulledRecord   = "ImagePulledRecord"
)

type wireIntent struct {
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	Image      string `json:"image"`
}

type wireRecord struct {
	Kind              string               `json:"kind,omitempty"`
	APIVersion        string               `json:"apiVersion,omitempty"`
	LastUpdatedTime   wireTime             `json:"lastUpdatedTime"`
	ImageRef          string               `json:"imageRef"`
	CredentialMapping map[string]wireCreds `json:"credentialMapping,omitempty"`
}

type wireCreds struct {
	KubernetesSecrets         []wireSecret         `json:"kubernetesSecrets,omitempty"`
	KubernetesServiceAccounts []wireServiceAccount `json:"kubernetesServiceAccounts,omitempty"`
	NodePodsAccessible        bool                 `json:"nodePodsAccessible,omitempty"`
}

type wireSecret struct {
	UID            string `json:"uid"`
	Namespace      string `json:"namespace"`
	Name           string `json:"name"`
	CredentialHash string `json:"credentialHash"`
}

type wireServiceAccount struct {
	UID       string `json:"uid"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// wireTime is metav1.Time's JSON form: RFC 3339 in UTC to the second, null for the zero time.
type wireTime struct{ time.Time }

func (t wireTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339))
}

func (t *wireTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	parsed, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	t.Time = parsed.UTC()
	return nil
}

// encode writes v as the kubelet does: compact JSON and a newline.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeIntent(image, apiVersion string) ([]byte, error) {
	if apiVersion == apiVersionV1beta1 {
		if out, ok := fastEncodeIntent(image); ok {
			return out, nil
		}
	}
	return encode(wireIntent{Kind: kindIntent, APIVersion: apiVersion, Image: image})
}

func encodeRecord(r pullmanager.PulledRecord, apiVersion string) ([]byte, error) {
	w := wireRecord{Kind: kindPulledRecord, APIVersion: apiVersion, LastUpdatedTime: wireTime{r.LastUpdatedTime}, ImageRef: r.ImageRef}
	if len(r.CredentialMapping) > 0 {
		w.CredentialMapping = make(map[string]wireCreds, len(r.CredentialMapping))
	}
	for repo, c := range r.CredentialMapping {
		wc := wireCreds{NodePodsAccessible: c.NodePodsAccessible}
		for _, s := range c.KubernetesSecrets {
			wc.KubernetesSecrets = append(wc.KubernetesSecrets, wireSecret(s))
		}
		for _, s := range c.KubernetesServiceAccounts {
			wc.KubernetesServiceAccounts = append(wc.KubernetesServiceAccounts, wireServiceAccount(s))
		}
		w.CredentialMapping[repo] = wc
	}
	return encode(w)
}

// decodeIntent decodes an intent file strictly; it returns the apiVersion found too. Canonical
// files take the fast path (records_fastcodec.go).
func decodeIntent(data []byte) (pullmanager.PullIntent, string, error) {
	if intent, ok := fastDecodeIntent(data); ok {
		return intent, apiVersionV1beta1, nil
	}
	return slowDecodeIntent(data)
}

// slowDecodeIntent is decodeIntent without the fast path: any valid file, and every error.
func slowDecodeIntent(data []byte) (pullmanager.PullIntent, string, error) {
	var w wireIntent
	version, err := decodeStrict(data, kindIntent, intentShape, &w)
	if err != nil {
		return pullmanager.PullIntent{}, "", err
	}
	return pullmanager.PullIntent{Image: w.Image}, version, nil
}

// decodeRecord decodes a pulled-record file strictly; it returns the apiVersion found too.
// Canonical files take the fast path (records_fastcodec.go).
func decodeRecord(data []byte) (pullmanager.PulledRecord, string, error) {
	if r, ok := fastDecodeRecord(data); ok {
		return r, apiVersionV1beta1, nil
	}
	return slowDecodeRecord(data)
}

// slowDecodeRecord is decodeRecord without the fast path: any valid file, and every error.
func slowDecodeRecord(data []byte) (pullmanager.PulledRecord, string, error) {
	var w wireRecord
	version, err := decodeStrict(data, kindPulledRecord, recordShape, &w)
	if err != nil {
		return pullmanager.PulledRecord{}, "", err
	}
	r := pullmanager.PulledRecord{LastUpdatedTime: w.LastUpdatedTime.Time, ImageRef: w.ImageRef}
	if w.CredentialMapping != nil {
		r.CredentialMapping = make(map[string]pullmanager.ImagePullCredentials, len(w.CredentialMapping))
	}
	for repo, wc := range w.CredentialMapping {
		c := pullmanager.ImagePullCredentials{NodePodsAccessible: wc.NodePodsAccessible}
		for _, s := range wc.KubernetesSecrets {
			c.KubernetesSecrets = append(c.KubernetesSecrets, pullmanager.ImagePullSecret(s))
		}
		for _, s := range wc.KubernetesServiceAccounts {
			c.KubernetesServiceAccounts = append(c.KubernetesServiceAccounts, pullmanager.ImagePullServiceAccount(s))
		}
		r.CredentialMapping[repo] = c
	}
	return r, version, nil
}

// decodeStrict checks the document's kind and apiVersion, rejects unknown, mis-cased and
// duplicate fields and trailing data (as apimachinery's strict decoder does), then decodes it
// into v.
func decodeStrict(data []byte, kind string, s *shape, v any) (string, error) {
	var head struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return "", err
	}
	switch {
	case head.APIVersion != apiVersionV1beta1 && head.APIVersion != apiVersionV1alpha1:
		return "", fmt.Errorf("unsupported apiVersion %q", head.APIVersion)
	case head.Kind != kind:
		return "", fmt.Errorf("kind %q is not %s", head.Kind, kind)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := s.check(dec, ""); err != nil {
		return "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("unexpected data after the object")
	}
	return head.APIVersion, json.Unmarshal(data, v)
}
