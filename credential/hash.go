package credential

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// authFields is the kubelet's AuthConfig as it is hashed: the same fields, in the same order,
// with the same JSON names, empty fields omitted.
type authFields struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"`
	Email         string `json:"email,omitempty"`
	ServerAddress string `json:"serveraddress,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}

// Hash returns the kubelet's AuthConfigHash of c's auth fields: the lowercase hex SHA-256 of
// their JSON encoding, empty fields omitted, for example the hash of
// `{"username":"u","password":"p"}`. Hash ignores c.Hash and c.Source. Two credentials with
// the same auth fields have the same hash whatever Secret they came from; that is how the
// kubelet recognises a copied Secret.
func Hash(c Credential) string {
	b, err := json.Marshal(authFields{
		Username:      c.Username,
		Password:      c.Password,
		Auth:          c.Auth,
		Email:         c.Email,
		ServerAddress: c.ServerAddress,
		IdentityToken: c.IdentityToken,
		RegistryToken: c.RegistryToken,
	})
	if err != nil { // cannot happen for string fields; the kubelet stores "" then
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
