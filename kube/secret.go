package kube

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagepull/imagepull/credential"
)

// CredentialSecret returns s as the image manager receives a pull Secret: its coordinates,
// type and data. stringData is folded into data (stringData wins), as the API server does
// when it stores a Secret, so that a Secret written by hand in a manifest reads as it would
// once applied.
func CredentialSecret(s *corev1.Secret) credential.Secret {
	data := s.Data
	if len(s.StringData) > 0 {
		data = make(map[string][]byte, len(s.Data)+len(s.StringData))
		for k, v := range s.Data {
			data[k] = v
		}
		for k, v := range s.StringData {
			data[k] = []byte(v)
		}
	}
	return credential.Secret{Namespace: s.Namespace, Name: s.Name, UID: string(s.UID), Type: string(s.Type), Data: data}
}

// CredentialSecrets converts every Secret with [CredentialSecret].
func CredentialSecrets(secrets []corev1.Secret) []credential.Secret {
	out := make([]credential.Secret, len(secrets))
	for i := range secrets {
		out[i] = CredentialSecret(&secrets[i])
	}
	return out
}

// Keyring builds the kubelet's keyring of a pod's pull Secrets ([credential.FromSecrets]):
// Secrets of type kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg contribute
// their registries; Secrets of any other type (Opaque…) are skipped, as the kubelet skips
// them. Content that does not decode fails with the kubelet's own error text.
func Keyring(secrets []corev1.Secret) (*credential.Keyring, error) {
	return credential.FromSecrets(CredentialSecrets(secrets))
}

// PullSecrets picks the Secrets a pod in namespace names in its imagePullSecrets out of
// secrets, in the pod's order, as the kubelet fetches them before it pulls
// (getPullSecretsForPod): a reference with an empty name is ignored, and the names with no
// Secret of that name in the namespace are returned in missing. The kubelet reports those on
// the pod as a Warning event, [MissingPullSecretsMessage], and pulls anyway.
func PullSecrets(namespace string, refs []corev1.LocalObjectReference, secrets []corev1.Secret) (found []corev1.Secret, missing []string) {
	for _, ref := range refs {
		if ref.Name == "" {
			continue
		}
		i := indexSecret(secrets, namespace, ref.Name)
		if i < 0 {
			missing = append(missing, ref.Name)
			continue
		}
		found = append(found, secrets[i])
	}
	return found, missing
}

func indexSecret(secrets []corev1.Secret, namespace, name string) int {
	for i := range secrets {
		if secrets[i].Name == name && secrets[i].Namespace == namespace {
			return i
		}
	}
	return -1
}

// ReasonMissingPullSecrets is the reason of the kubelet's Warning event on a pod whose
// imagePullSecrets name Secrets it cannot get.
const ReasonMissingPullSecrets = "FailedToRetrieveImagePullSecret"

// MissingPullSecretsMessage is the kubelet's event message for the pull Secrets it could not
// get, named in the pod's order.
func MissingPullSecretsMessage(names []string) string {
	return "Unable to retrieve some image pull secrets (" + strings.Join(names, ", ") +
		"); attempting to pull the image may not succeed."
}

// CoreSecrets returns the manifest's Secrets as API objects, for [PullSecrets] and [Keyring].
func (m *Manifest) CoreSecrets() []corev1.Secret {
	out := make([]corev1.Secret, len(m.Secrets))
	for i, s := range m.Secrets {
		out[i] = s.Secret
	}
	return out
}
