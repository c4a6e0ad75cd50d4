// Package credential models registry credentials the way the kubelet tracks them: the auth
// fields of a docker config entry, their hash, and where they came from (a pod's pull Secret, a
// service account, or the node). It also holds the kubelet's keyring: which credentials match an
// image's repository.
package credential

// SourceKind says where a credential came from.
type SourceKind int

const (
	// SourceNode is a node-wide credential (the node's docker config or a credential provider
	// not in service-account mode). It is the zero SourceKind.
	SourceNode SourceKind = iota
	// SourceSecret is a credential from one of the pod's image pull Secrets.
	SourceSecret
	// SourceServiceAccount is a credential obtained for the pod's service account.
	SourceServiceAccount
)

// Source identifies the Kubernetes object a credential came from. For SourceNode the other
// fields are empty.
type Source struct {
	Kind      SourceKind
	Namespace string
	Name      string
	UID       string
}

// Credential is one set of registry credentials (the kubelet's TrackedAuthConfig): the auth
// fields of a docker config entry, their hash and their source.
type Credential struct {
	Username      string
	Password      string
	Auth          string
	Email         string
	ServerAddress string
	IdentityToken string
	RegistryToken string
	// Hash is the kubelet's AuthConfigHash: lowercase hex SHA-256 of the JSON encoding of the
	// auth fields with empty fields omitted.
	Hash   string
	Source Source
}

// Secret is a pod's image pull Secret as the kubelet receives it: its coordinates, its type
// ("kubernetes.io/dockerconfigjson" or "kubernetes.io/dockercfg") and its data
// (".dockerconfigjson" or ".dockercfg").
type Secret struct {
	Namespace string
	Name      string
	UID       string
	Type      string
	Data      map[string][]byte
}
