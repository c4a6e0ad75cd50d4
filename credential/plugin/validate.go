package plugin

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/imagepull/imagepull/credential"
)

// protocolVersions returns the exec protocol versions a provider may name, sorted as the
// kubelet lists them.
func protocolVersions() []string { return []string{ProtocolV1, ProtocolV1alpha1, ProtocolV1beta1} }

// cacheTypes returns the valid tokenAttributes.cacheType values, sorted.
func cacheTypes() []string { return []string{string(CacheTypeServiceAccount), string(CacheTypeToken)} }

// Validate checks c with the kubelet's rules (validateCredentialProviderConfig, with the
// KubeletServiceAccountTokenForCredentialProviders feature on) and returns every problem in
// one error whose text is the kubelet's, for example
//
//	failed to validate credential provider config: providers.defaultCacheDuration: Invalid value: "-1m0s": must be greater than or equal to 0
//
// Beyond the kubelet, which accepts them and then never matches or never runs the plugin, a
// matchImages entry with a scheme ("https://gcr.io") and an argument or environment variable
// holding a NUL byte are errors too. The error matches [ErrInvalidConfig]; nil means valid.
func (c *Config) Validate() error {
	if errs := c.validate(); len(errs) > 0 {
		return configError(fmt.Errorf("failed to validate credential provider config: %w", errs))
	}
	return nil
}

func (c *Config) validate() fieldErrors {
	var errs fieldErrors
	if len(c.Providers) == 0 {
		errs = append(errs, fieldError{kind: fieldRequired, field: "providers", detail: "at least 1 item in plugins is required"})
	}
	seen := make(map[string]bool, len(c.Providers))
	rules := newQualifiedNameRules()
	for i := range c.Providers {
		p := &c.Providers[i]
		errs = append(errs, validateName(p.Name, seen)...)
		errs = append(errs, validateProvider(p)...)
		if p.TokenAttributes != nil {
			errs = append(errs, validateTokenAttributes(p.TokenAttributes, p.APIVersion, rules)...)
		}
	}
	return errs
}

func validateName(name string, seen map[string]bool) fieldErrors {
	var errs fieldErrors
	invalid := func(detail string) {
		errs = append(errs, fieldError{kind: fieldInvalid, field: "providers.name", value: name, detail: detail})
	}
	if strings.Contains(name, "/") {
		invalid("provider name cannot contain '/'")
	}
	if strings.Contains(name, " ") {
		invalid("provider name cannot contain spaces")
	}
	if name == "." {
		invalid("provider name cannot be '.'")
	}
	if name == ".." {
		invalid("provider name cannot be '..'")
	}
	if seen[name] {
		errs = append(errs, fieldError{kind: fieldDuplicate, field: "providers.name", value: name})
	}
	seen[name] = true
	return errs
}

func validateProvider(p *ProviderConfig) fieldErrors {
	var errs fieldErrors
	if p.APIVersion == "" {
		errs = append(errs, fieldError{kind: fieldRequired, field: "providers.apiVersion"})
	} else if !slices.Contains(protocolVersions(), p.APIVersion) {
		errs = append(errs, notSupported("providers.apiVersion", p.APIVersion, protocolVersions()))
	}
	if len(p.MatchImages) == 0 {
		errs = append(errs, fieldError{kind: fieldRequired, field: "providers.matchImages", detail: "at least 1 item in matchImages is required"})
	}
	for _, m := range p.MatchImages {
		if err := checkMatchImage(m); err != nil {
			errs = append(errs, fieldError{kind: fieldInvalid, field: "providers.matchImages", value: m, detail: "match image is invalid: " + err.Error()})
		}
	}
	if p.DefaultCacheDuration == nil {
		errs = append(errs, fieldError{kind: fieldRequired, field: "providers.defaultCacheDuration"})
	} else if p.DefaultCacheDuration.Duration < 0 {
		errs = append(errs, fieldError{kind: fieldInvalid, field: "providers.defaultCacheDuration", value: p.DefaultCacheDuration, detail: "must be greater than or equal to 0"})
	}
	for _, a := range p.Args {
		if strings.ContainsRune(a, 0) {
			errs = append(errs, fieldError{kind: fieldInvalid, field: "providers.args", value: a, detail: "must not contain a NUL byte"})
		}
	}
	for _, e := range p.Env {
		if strings.ContainsRune(e.Name, 0) || strings.ContainsRune(e.Value, 0) {
			errs = append(errs, fieldError{kind: fieldInvalid, field: "providers.env", value: e.Name, detail: "must not contain a NUL byte"})
		}
	}
	return errs
}

// checkMatchImage parses a matchImages entry as the kubelet does, and refuses a scheme.
func checkMatchImage(m string) error {
	if _, err := credential.ParsePattern(m); err != nil {
		return err
	}
	if i := strings.Index(m, "://"); i >= 0 {
		return errors.New("must not contain a scheme (" + m[:i+3] + "): it would never match an image")
	}
	return nil
}

func validateTokenAttributes(t *TokenAttributes, apiVersion string, rules qualifiedNameRules) fieldErrors {
	const path = "providers.tokenAttributes"
	var errs fieldErrors
	if t.ServiceAccountTokenAudience == "" {
		errs = append(errs, fieldError{kind: fieldRequired, field: path + ".serviceAccountTokenAudience"})
	}
	if t.RequireServiceAccount == nil {
		errs = append(errs, fieldError{kind: fieldRequired, field: path + ".requireServiceAccount"})
	}
	if apiVersion != ProtocolV1 {
		errs = append(errs, fieldError{kind: fieldForbidden, field: path, detail: "tokenAttributes is only supported for " + ProtocolV1 + " API version"})
	}
	if t.RequireServiceAccount != nil && !*t.RequireServiceAccount && len(t.RequiredServiceAccountAnnotationKeys) > 0 {
		errs = append(errs, fieldError{kind: fieldForbidden, field: path + ".requiredServiceAccountAnnotationKeys", detail: "requireServiceAccount cannot be false when requiredServiceAccountAnnotationKeys is set"})
	}
	errs = append(errs, validateAnnotationKeys(path+".requiredServiceAccountAnnotationKeys", t.RequiredServiceAccountAnnotationKeys, rules)...)
	errs = append(errs, validateAnnotationKeys(path+".optionalServiceAccountAnnotationKeys", t.OptionalServiceAccountAnnotationKeys, rules)...)
	var both []string
	for _, k := range t.RequiredServiceAccountAnnotationKeys {
		if slices.Contains(t.OptionalServiceAccountAnnotationKeys, k) && !slices.Contains(both, k) {
			both = append(both, k)
		}
	}
	if len(both) > 0 {
		slices.Sort(both)
		errs = append(errs, fieldError{kind: fieldInvalid, field: path, value: both, detail: "annotation keys cannot be both required and optional"})
	}
	switch {
	case t.CacheType == "":
		errs = append(errs, fieldError{kind: fieldRequired, field: path + ".cacheType",
			detail: "cacheType is required to be set when tokenAttributes is specified. Supported values are: " + strings.Join(cacheTypes(), ", ")})
	case !slices.Contains(cacheTypes(), string(t.CacheType)):
		errs = append(errs, notSupported(path+".cacheType", t.CacheType, cacheTypes()))
	}
	return errs
}

// validateAnnotationKeys checks annotation keys as the kubelet does: each a qualified name
// (case aside), none twice.
func validateAnnotationKeys(path string, keys []string, rules qualifiedNameRules) fieldErrors {
	var errs fieldErrors
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		for _, msg := range rules.check(strings.ToLower(k)) {
			errs = append(errs, fieldError{kind: fieldInvalid, field: path, value: k, detail: msg})
		}
		if seen[k] {
			errs = append(errs, fieldError{kind: fieldDuplicate, field: path, value: k})
		}
		seen[k] = true
	}
	return errs
}
