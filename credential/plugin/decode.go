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

// configLegacy is a v1beta1 or v1alpha1 document: its providers have no tokenAttributes.
type configLegacy struct {
	typeMeta
	Providers []providerLegacy `json:"providers"`
}

type providerLegacy struct {
	Name                 string    `json:"name"`
	MatchImages          []string  `json:"matchImages"`
	DefaultCacheDuration *Duration `json:"defaultCacheDuration"`
	APIVersion           string    `json:"apiVersion"`
	Args                 []string  `json:"args,omitempty"`
	Env                  []EnvVar  `json:"env,omitempty"`
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
	if !isJSON(data) {
		var err error
		if doc, err = yaml.YAMLToJSONStrict(data); err != nil {
			return nil, err
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
	switch tm.APIVersion {
	case ConfigV1:
		var c configV1
		if err := decodeStrict(doc, &c); err != nil {
			return nil, err
		}
		return &Config{Providers: c.Providers}, nil
	case ConfigV1beta1, ConfigV1alpha1:
		var c configLegacy
		if err := decodeStrict(doc, &c); err != nil {
			return nil, err
		}
		cfg := &Config{Providers: make([]ProviderConfig, len(c.Providers))}
		for i, p := range c.Providers {
			cfg.Providers[i] = ProviderConfig{
				Name: p.Name, MatchImages: p.MatchImages, DefaultCacheDuration: p.DefaultCacheDuration,
				APIVersion: p.APIVersion, Args: p.Args, Env: p.Env,
			}
		}
		if c.Providers == nil {
			cfg.Providers = nil
		}
		return cfg, nil
	}
	return nil, fmt.Errorf("no kind %q is registered for version %q", tm.Kind, tm.APIVersion)
}

// decodeStrict decodes a JSON document as the kubelet's strict decoder: case-sensitive field
// names, unknown and duplicate fields reported together as a strict decoding error.
func decodeStrict(doc []byte, v any) error {
	strict, err := kjson.UnmarshalStrict(doc, v, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
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
