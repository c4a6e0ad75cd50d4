package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// typeMeta is the apiVersion and kind of a document.
type typeMeta struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
}

// configV1 is a kubelet.config.k8s.io/v1 CredentialProviderConfig document.
type configV1 struct {
	typeMeta
	Providers []ProviderConfig `json:"providers"`
}

// ParseConfig decodes one CredentialProviderConfig document, YAML or JSON, of apiVersion
// kubelet.config.k8s.io/v1, v1beta1 or v1alpha1, as strictly as the kubelet: field names are
// case-sensitive, and an unknown or duplicated field is an error (so tokenAttributes is an
// error before v1). It does not validate the result: see [Config.Validate]. Errors match
// [ErrInvalidConfig]; their text is the kubelet's decoder's, for example
// `strict decoding error: unknown field "providers[0].matchImage"`.
func ParseConfig(data []byte) (*Config, error) {
	cfg, err := parseConfig(data)
	if err != nil {
		return nil, configError(err)
	}
	return cfg, nil
}

func parseConfig(data []byte) (*Config, error) {
	doc := data
	var err error
	var strict []error
	if !isJSON(data) {
		// As the kubelet's YAML serializer (k8s.io/apimachinery runtime/serializer/json/json.go:141
		// and :277-283): a lenient conversion first, whose error is returned as it is; a
		// duplicated key is a strict decoding error, listed before the JSON decoder's.
		if doc, err = yaml.YAMLToJSON(data); err != nil {
			return nil, err
		}
		if _, err := yaml.YAMLToJSONStrict(data); err != nil {
			strict = append(strict, err)
		}
	}
	var tm typeMeta
	if err := json.Unmarshal(doc, &tm); err != nil {
		return nil, fmt.Errorf("couldn't get version/kind; json parse error: %w", err)
	}
	switch {
	case tm.Kind == "":
		return nil, fmt.Errorf("Object 'Kind' is missing in '%s'", data)
	case tm.APIVersion == "":
		return nil, fmt.Errorf("Object 'apiVersion' is missing in '%s'", data)
	case tm.Kind != ConfigKind:
		return nil, fmt.Errorf("no kind %q is registered for version %q", tm.Kind, tm.APIVersion)
	}
	var c configV1
	switch tm.APIVersion {
	case ConfigV1:
		err = decodeStrict(doc, &c, strict, nil)
	case ConfigV1beta1, ConfigV1alpha1:
		err = decodeStrict(doc, &c, strict, tokenAttributesFields(doc))
	default:
		return nil, fmt.Errorf("no kind %q is registered for version %q", tm.Kind, tm.APIVersion)
	}
	if err != nil {
		return nil, err
	}
	return &Config{Providers: c.Providers}, nil
}

// tokenAttributesFields returns, for a v1beta1 or v1alpha1 document, the strict decoding
// errors of its providers' tokenAttributes: those versions have no such field.
func tokenAttributesFields(doc []byte) []error {
	var raw struct {
		Providers []map[string]json.RawMessage `json:"providers"`
	}
	if kjson.UnmarshalCaseSensitivePreserveInts(doc, &raw) != nil {
		return nil // the strict decode reports what is wrong
	}
	var errs []error
	for i, p := range raw.Providers {
		if _, ok := p["tokenAttributes"]; ok {
			errs = append(errs, fmt.Errorf("unknown field %q", fmt.Sprintf("providers[%d].tokenAttributes", i)))
		}
	}
	return errs
}

// decodeStrict decodes a JSON document as the kubelet's strict decoder: case-sensitive field
// names; the YAML errors before, the unknown and duplicate fields, and the more after, reported
// together as one strict decoding error (k8s.io/apimachinery runtime/error.go:138). A fatal
// decoding error is returned alone, as the kubelet's serializer does.
func decodeStrict(doc []byte, v any, before, more []error) error {
	fields, err := kjson.UnmarshalStrict(doc, v, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	strict := append(append(before, fields...), more...)
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return errors.New("strict decoding error: " + strings.Join(msgs, ", "))
	}
	return nil
}

// isJSON reports whether data looks like a JSON object, as the kubelet's decoder sniffs it.
func isJSON(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}
