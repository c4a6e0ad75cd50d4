// Package credential models registry credentials the way the kubelet tracks them: the auth
// fields of a docker config entry, their hash, and where they came from (a pod's pull Secret, a
// service account, or the node). It also holds the kubelet's keyring: which credentials match an
// image's repository.
//
// # Docker config entries
//
// [FromSecrets], [FromDockerConfigJSON] and [FromDockerConfigFile] read docker config entries
// as the kubelet does: a non-empty "auth" (base64 of "user:password", padded or not) replaces
// "username" and "password", an "auth" that does not decode fails the whole document, a
// location that does not parse as a URL is skipped, and credential helpers ("credsStore",
// "credHelpers") are not run. Like the kubelet, an entry's "identitytoken" and "registrytoken"
// are ignored, so that [Credential.Hash] is the kubelet's for every entry and pull records stay
// interchangeable with the kubelet's. [Credential.IdentityToken] and [Credential.RegistryToken]
// are for credentials built in code (a credential provider's answer).
//
// # Keyring lookup
//
// [Keyring.Lookup] is the kubelet's: see its documentation for the matching rules. Locations
// are parsed once, when a keyring is built. [NewKeyring] builds one keyring of entries from
// several sources (as the kubelet merges the answers of its credential provider plugins), and
// [Pattern] is the kubelet's glob match of a plugin's matchImages.
// A [SecretsCache] builds the keyring of a set of Secrets once per content, so that pods
// sharing Secrets do not parse them on every call.
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

// String describes c without its secrets: the user name, or which kind of token c holds, and
// its source. Printing a Credential with the fmt verbs %v and %s never shows a password or a
// token.
func (c Credential) String() string {
	var who string
	switch {
	case c.Username != "":
		who = "user " + c.Username
	case c.IdentityToken != "":
		who = "identity token"
	case c.RegistryToken != "":
		who = "registry token"
	case c.Auth != "":
		who = "auth"
	default:
		who = "anonymous"
	}
	switch c.Source.Kind {
	case SourceSecret:
		return who + " (secret " + c.Source.Namespace + "/" + c.Source.Name + ")"
	case SourceServiceAccount:
		return who + " (service account " + c.Source.Namespace + "/" + c.Source.Name + ")"
	}
	return who
}
