package plugin

import (
	"encoding/json"
	"errors"
	"fmt"

	kjson "sigs.k8s.io/json"
)

// The kinds of the exec protocol's documents and the cache key types of a response.
const (
	requestKind  = "CredentialProviderRequest"
	responseKind = "CredentialProviderResponse"

	cacheKeyImage    = "Image"
	cacheKeyRegistry = "Registry"
	cacheKeyGlobal   = "Global"
)

// request is the CredentialProviderRequest a plugin reads on stdin.
type request struct {
	Kind                      string            `json:"kind"`
	APIVersion                string            `json:"apiVersion"`
	Image                     string            `json:"image"`
	ServiceAccountToken       string            `json:"serviceAccountToken,omitempty"`
	ServiceAccountAnnotations map[string]string `json:"serviceAccountAnnotations,omitempty"`
}

// response is the CredentialProviderResponse a plugin writes on stdout.
type response struct {
	Kind          string                `json:"kind,omitempty"`
	APIVersion    string                `json:"apiVersion,omitempty"`
	CacheKeyType  string                `json:"cacheKeyType"`
	CacheDuration *Duration             `json:"cacheDuration,omitempty"`
	Auth          map[string]authConfig `json:"auth,omitempty"`
}

// authConfig is one set of credentials of a response.
type authConfig struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// encodeRequest encodes the request as the kubelet does: JSON, kind first, then a newline.
func encodeRequest(apiVersion, image, token string, annotations map[string]string) ([]byte, error) {
	b, err := json.Marshal(request{
		Kind: requestKind, APIVersion: apiVersion, Image: image,
		ServiceAccountToken: token, ServiceAccountAnnotations: annotations,
	})
	if err != nil {
		return nil, fmt.Errorf("failed to encode auth request: %w", err)
	}
	return append(b, '\n'), nil
}

// errDecodeResponse is the kubelet's message for a response that does not decode; it says no
// more, since the response may hold credentials.
const errDecodeResponse = "error decoding credential provider plugin response from stdout"

// decodeResponse decodes a plugin's stdout as the kubelet does: JSON only; its apiVersion must
// be the one the plugin was sent; then a strict, case-sensitive decode of a
// CredentialProviderResponse. Beyond the kubelet's bare "error decoding …" message, the error
// names what was wrong when that cannot reveal a credential: the kind, unknown or duplicate
// field names, the offset of a syntax error.
func decodeResponse(data []byte, apiVersion string) (*response, error) {
	var tm typeMeta
	if err := json.Unmarshal(data, &tm); err != nil {
		return nil, fmt.Errorf("error reading GVK from response: %w", safeJSONError(err))
	}
	if tm.APIVersion != apiVersion {
		return nil, fmt.Errorf("apiVersion from credential plugin response did not match expected apiVersion:%s, actual apiVersion:%s", apiVersion, tm.APIVersion)
	}
	var r response
	strict, err := kjson.UnmarshalStrict(data, &r, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", errDecodeResponse, safeJSONError(err))
	case len(strict) > 0:
		return nil, fmt.Errorf("%s: strict decoding error: %w", errDecodeResponse, errors.Join(strict...))
	case r.Kind != responseKind:
		return nil, fmt.Errorf("%s: unexpected kind %q", errDecodeResponse, r.Kind)
	}
	return &r, nil
}

// safeJSONError keeps of a JSON error only what cannot hold a secret: the offset of a syntax
// error, the field path and types of a type error. Anything else (a bad duration, say) becomes
// "malformed".
func safeJSONError(err error) error {
	if ok, off := kjson.SyntaxErrorOffset(err); ok {
		return fmt.Errorf("invalid JSON at byte %d", off)
	}
	var field kjson.FieldError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &field) || errors.As(err, &typ) {
		return err // "json: cannot unmarshal number into Go struct field … of type string"
	}
	return errors.New("malformed")
}
