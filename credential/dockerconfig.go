package credential

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/imagepull/imagepull/internal/safefile"
)

// Secret types and data keys the kubelet reads pull credentials from.
const (
	// SecretTypeDockerConfigJSON is the type of a Secret holding a docker config.json
	// document under [DockerConfigJSONKey].
	SecretTypeDockerConfigJSON = "kubernetes.io/dockerconfigjson"
	// DockerConfigJSONKey is the data key of a [SecretTypeDockerConfigJSON] Secret.
	DockerConfigJSONKey = ".dockerconfigjson"
	// SecretTypeDockercfg is the type of a Secret holding a legacy .dockercfg document under
	// [DockercfgKey].
	SecretTypeDockercfg = "kubernetes.io/dockercfg"
	// DockercfgKey is the data key of a [SecretTypeDockercfg] Secret.
	DockercfgKey = ".dockercfg"
)

// MaxDockerConfigSize is the largest docker config file [FromDockerConfigFile] reads: 4 MiB,
// four times what a Kubernetes Secret may hold.
const MaxDockerConfigSize = 4 << 20

// dockerConfig is a legacy .dockercfg document, and the "auths" object of a config.json: a
// registry location (host, host/path, URL, or wildcard host) → its credentials.
type dockerConfig map[string]dockerConfigEntry

// dockerConfigJSON is a docker config.json document. HttpHeaders is decoded only so that a
// malformed value fails the way it fails in the kubelet.
type dockerConfigJSON struct {
	Auths       dockerConfig      `json:"auths"`
	HTTPHeaders map[string]string `json:"HttpHeaders,omitempty"`
}

// dockerConfigEntry is one location's credentials, with "auth" already decoded into Username
// and Password, as the kubelet's DockerConfigEntry. Like the kubelet, it ignores the
// "identitytoken" and "registrytoken" fields: keeping them would change the credential's hash
// and make records the kubelet wrote for such an entry unrecognisable.
type dockerConfigEntry struct {
	Username string
	Password string
	Email    string
}

// UnmarshalJSON decodes an entry; a non-empty "auth" (base64 of "user:password", padded or
// not) replaces username and password.
func (e *dockerConfigEntry) UnmarshalJSON(data []byte) error {
	var raw struct {
		Username string `json:"username,omitempty"`
		Password string `json:"password,omitempty"`
		Email    string `json:"email,omitempty"`
		Auth     string `json:"auth,omitempty"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	e.Username, e.Password, e.Email = raw.Username, raw.Password, raw.Email
	if raw.Auth == "" {
		return nil
	}
	var err error
	e.Username, e.Password, err = decodeAuth(raw.Auth)
	return err
}

// decodeAuth splits a docker config "auth" field into username and password.
func decodeAuth(field string) (username, password string, err error) {
	enc := base64.RawStdEncoding
	if strings.HasSuffix(strings.TrimSpace(field), "=") {
		enc = base64.StdEncoding
	}
	decoded, err := enc.DecodeString(field)
	if err != nil {
		return "", "", err
	}
	user, pass, ok := strings.Cut(string(decoded), ":")
	if !ok {
		return "", "", errors.New("unable to parse auth field, must be formatted as base64(username:password)")
	}
	return user, pass, nil
}

// FromSecrets builds the keyring of a pod's image pull Secrets, as the kubelet does
// (credentialprovider/secrets.MakeDockerKeyring): a Secret of type
// [SecretTypeDockerConfigJSON] with a non-empty [DockerConfigJSONKey], or of type
// [SecretTypeDockercfg] with a non-empty [DockercfgKey], contributes its entries; any other
// Secret is ignored. Every credential's Source is the Secret (SourceSecret with its namespace,
// name and UID). All Secrets go into one keyring, so the most specific location wins across
// Secrets, and Secrets come first for the same location in the order given.
//
// Content that is not valid JSON, or an undecodable "auth", fails the whole call with the
// raw decoding error the kubelet returns (for example
// `invalid character 'i' looking for beginning of value`); the kubelet surfaces that text as
// the container's waiting reason, with no event.
func FromSecrets(secrets []Secret) (*Keyring, error) {
	var b ringBuilder
	for _, s := range secrets {
		src := Source{Kind: SourceSecret, Namespace: s.Namespace, Name: s.Name, UID: s.UID}
		if data := s.Data[DockerConfigJSONKey]; s.Type == SecretTypeDockerConfigJSON && len(data) > 0 {
			var cfg dockerConfigJSON
			if err := json.Unmarshal(data, &cfg); err != nil {
				return nil, err
			}
			b.add(src, cfg.Auths)
		} else if data := s.Data[DockercfgKey]; s.Type == SecretTypeDockercfg && len(data) > 0 {
			var cfg dockerConfig
			if err := json.Unmarshal(data, &cfg); err != nil {
				return nil, err
			}
			b.add(src, cfg)
		}
	}
	return b.keyring(), nil
}

// FromDockerConfigJSON builds a keyring from a docker config.json document
// (`{"auths":{…}}`); every credential gets the Source src. The zero Source means node-wide
// credentials. Invalid content gives the raw decoding error, as for [FromSecrets].
func FromDockerConfigJSON(data []byte, src Source) (*Keyring, error) {
	var cfg dockerConfigJSON
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, err
	}
	var b ringBuilder
	b.add(src, cfg.Auths)
	return b.keyring(), nil
}

// FromDockerConfigFile reads the node's docker config file: a legacy .dockercfg document when
// the file is named ".dockercfg", a config.json document otherwise. The credentials are
// node-wide (the zero Source), like the kubelet's default keyring. An unreadable or invalid
// file is an error naming the file; so is anything but a regular file (symlinks are followed,
// as in a Secret volume mount): a device, a FIFO (refused at once, never waited on) or a file
// over [MaxDockerConfigSize].
func FromDockerConfigFile(path string) (*Keyring, error) {
	data, err := safefile.ReadRegular(path, MaxDockerConfigSize, safefile.FollowSymlinks)
	if err != nil {
		return nil, fmt.Errorf("credential: reading docker config: %w", err)
	}
	var cfg dockerConfig
	if filepath.Base(path) == DockercfgKey {
		err = json.Unmarshal(data, &cfg)
	} else {
		var doc dockerConfigJSON
		err = json.Unmarshal(data, &doc)
		cfg = doc.Auths
	}
	if err != nil {
		return nil, fmt.Errorf("credential: %s: error occurred while trying to unmarshal json: %w", path, err)
	}
	var b ringBuilder
	b.add(Source{}, cfg)
	return b.keyring(), nil
}
