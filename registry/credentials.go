package registry

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/imagepull/imagepull/credential"
	"github.com/imagepull/imagepull/reference"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// candidates returns the credentials to try at ep for img, in order and without duplicates:
// at the registry, the call's own creds then the node keyring's for the image's repository;
// at a mirror, only the node keyring's for the mirror's host (the call's creds were matched
// for the registry and never go elsewhere). With none, the one anonymous credential. A
// credential that cannot be used (an "auth" field that does not decode) gives an error in
// bad instead, so that the next one is still tried.
func (r *Resolver) candidates(ep endpoint, img reference.Image, creds []credential.Credential) (cands []auth.Credential, bad []error) {
	repo := ep.credentialRepo(img)
	all := r.cfg.keyring.Lookup(repo)
	if !ep.mirror() && len(creds) > 0 {
		all = append(creds[:len(creds):len(creds)], all...)
	}
	for _, c := range all {
		oc, err := orasCredential(c)
		if err != nil {
			bad = append(bad, &Error{Image: img.String(), Registry: ep.host, Kind: ErrUnauthorized, Err: err})
			continue
		}
		if !containsCredential(cands, oc) {
			cands = append(cands, oc)
		}
	}
	if len(cands) == 0 && len(bad) == 0 {
		cands = append(cands, auth.EmptyCredential)
	}
	return cands, bad
}

func containsCredential(cs []auth.Credential, c auth.Credential) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// orasCredential reads c as a registry client uses it: username and password; when both are
// empty, those of the "auth" field (base64 of "user:password", padded or not); the identity
// token as an OAuth2 refresh token and the registry token as a bearer token. Email and
// ServerAddress are not used.
func orasCredential(c credential.Credential) (auth.Credential, error) {
	oc := auth.Credential{Username: c.Username, Password: c.Password, RefreshToken: c.IdentityToken, AccessToken: c.RegistryToken}
	if c.Username != "" || c.Password != "" || c.Auth == "" {
		return oc, nil
	}
	enc := base64.RawStdEncoding
	if strings.HasSuffix(c.Auth, "=") {
		enc = base64.StdEncoding
	}
	raw, err := enc.DecodeString(c.Auth)
	var ok bool
	if err == nil {
		oc.Username, oc.Password, ok = strings.Cut(string(raw), ":")
	}
	if !ok {
		return auth.Credential{}, fmt.Errorf("credential %s: %w", c, errAuthField)
	}
	return oc, nil
}

// errAuthField is the complaint about an "auth" field that does not decode. It never shows
// the field.
var errAuthField = errors.New("auth field is not base64(username:password)")
