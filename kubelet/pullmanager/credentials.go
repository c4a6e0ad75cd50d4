package pullmanager

import "github.com/imagepull/imagepull/credential"

// PodCredentials are what a pod presents for credential verification: the Secret-sourced
// credentials that match the image, and the first service-account-sourced one.
type PodCredentials struct {
	Secrets        []ImagePullSecret
	ServiceAccount *ImagePullServiceAccount
}

// PodCredentialsFrom keeps, from the credentials a keyring returned for the image, those that
// can prove a pod's right to it (as the kubelet's getPodCredentials): every credential from a
// Secret, with its hash, and the first from a service account. Node-wide credentials are
// skipped.
func PodCredentialsFrom(creds []credential.Credential) PodCredentials {
	var pc PodCredentials
	for _, c := range creds {
		switch s := c.Source; {
		case s.Kind == credential.SourceSecret:
			pc.Secrets = append(pc.Secrets, ImagePullSecret{UID: s.UID, Namespace: s.Namespace, Name: s.Name, CredentialHash: c.Hash})
		case s.Kind == credential.SourceServiceAccount && pc.ServiceAccount == nil:
			pc.ServiceAccount = &ImagePullServiceAccount{UID: s.UID, Namespace: s.Namespace, Name: s.Name}
		}
	}
	return pc
}

// CredentialsFor returns what a successful pull with c records (the kubelet's
// trackedToImagePullCreds): for no credential (an anonymous pull) or a node-wide one,
// NodePodsAccessible; for a Secret's, that Secret with c.Hash; for a service account's, that
// service account.
func CredentialsFor(c *credential.Credential) *ImagePullCredentials {
	switch {
	case c == nil || c.Source.Kind == credential.SourceNode:
		return &ImagePullCredentials{NodePodsAccessible: true}
	case c.Source.Kind == credential.SourceSecret:
		s := c.Source
		return &ImagePullCredentials{KubernetesSecrets: []ImagePullSecret{{UID: s.UID, Namespace: s.Namespace, Name: s.Name, CredentialHash: c.Hash}}}
	case c.Source.Kind == credential.SourceServiceAccount:
		s := c.Source
		return &ImagePullCredentials{KubernetesServiceAccounts: []ImagePullServiceAccount{{UID: s.UID, Namespace: s.Namespace, Name: s.Name}}}
	}
	return &ImagePullCredentials{}
}
