package plugin

import (
	"encoding/json"
	"time"
)

// The API versions of the kubelet's CredentialProviderConfig that the kubelet still reads.
const (
	ConfigKind     = "CredentialProviderConfig"
	ConfigV1       = "kubelet.config.k8s.io/v1"
	ConfigV1beta1  = "kubelet.config.k8s.io/v1beta1"
	ConfigV1alpha1 = "kubelet.config.k8s.io/v1alpha1"
)

// The exec protocol's API versions (a provider's apiVersion): the request a plugin gets and the
// response it must answer with use the same one.
const (
	ProtocolV1       = "credentialprovider.kubelet.k8s.io/v1"
	ProtocolV1beta1  = "credentialprovider.kubelet.k8s.io/v1beta1"
	ProtocolV1alpha1 = "credentialprovider.kubelet.k8s.io/v1alpha1"
)

// Config is the kubelet's CredentialProviderConfig: the exec credential provider plugins to run,
// in order. Read one with [ParseConfig] or [ReadConfig]; check it with [Config.Validate].
type Config struct {
	// Providers are the plugins. Several may match one image: all of them run, in this order,
	// and their credentials are all offered.
	Providers []ProviderConfig `json:"providers"`
}

// ProviderConfig is one exec plugin (the kubelet's CredentialProvider).
type ProviderConfig struct {
	// Name is the plugin's executable in the plugin directory, and unique.
	Name string `json:"name"`
	// MatchImages are the images the plugin is run for, as [credential.Pattern] globs:
	// "*.azurecr.io", "123456789.dkr.ecr.us-east-1.amazonaws.com", "registry.io:8080/path".
	MatchImages []string `json:"matchImages"`
	// DefaultCacheDuration is how long the plugin's credentials are cached when its answer
	// gives no cacheDuration; 0 means not cached. Required.
	DefaultCacheDuration *Duration `json:"defaultCacheDuration"`
	// APIVersion is the exec protocol version the plugin speaks: [ProtocolV1],
	// [ProtocolV1beta1] or [ProtocolV1alpha1].
	APIVersion string `json:"apiVersion"`
	// Args are passed to the plugin.
	Args []string `json:"args,omitempty"`
	// Env is added to the kubelet's own environment when the plugin runs (a name set here
	// overrides the inherited value).
	Env []EnvVar `json:"env,omitempty"`
	// TokenAttributes, when set, runs the plugin in service-account mode (KEP-4412): it gets a
	// token of the pod's service account, bound to the pod. Only with [ProtocolV1].
	TokenAttributes *TokenAttributes `json:"tokenAttributes,omitempty"`
}

// EnvVar is one environment variable of a plugin (the kubelet's ExecEnvVar).
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// CacheType says how credentials obtained with a service account token are cached.
type CacheType string

const (
	// CacheTypeToken caches per token: for credentials that live no longer than the token
	// (required when the plugin hands the token back as the password).
	CacheTypeToken CacheType = "Token"
	// CacheTypeServiceAccount caches per service account (namespace, name, UID and the
	// annotations passed): for credentials valid for every pod of the service account.
	CacheTypeServiceAccount CacheType = "ServiceAccount"
)

// TokenAttributes configures a plugin's service-account mode (the kubelet's
// ServiceAccountTokenAttributes).
type TokenAttributes struct {
	// ServiceAccountTokenAudience is the audience of the token requested for the plugin.
	// Required.
	ServiceAccountTokenAudience string `json:"serviceAccountTokenAudience"`
	// CacheType is Token or ServiceAccount. Required.
	CacheType CacheType `json:"cacheType"`
	// RequireServiceAccount: when true, a pod without a service account gets nothing from
	// the plugin; when false the plugin runs for it without a token. Required.
	RequireServiceAccount *bool `json:"requireServiceAccount"`
	// RequiredServiceAccountAnnotationKeys are passed to the plugin; a service account
	// lacking one of them gets nothing from the plugin (it is not run).
	RequiredServiceAccountAnnotationKeys []string `json:"requiredServiceAccountAnnotationKeys,omitempty"`
	// OptionalServiceAccountAnnotationKeys are passed to the plugin when present.
	OptionalServiceAccountAnnotationKeys []string `json:"optionalServiceAccountAnnotationKeys,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("12h", "90s", "0s"), as the
// kubelet's metav1.Duration.
type Duration struct {
	time.Duration
}

// UnmarshalJSON reads a duration string; anything else is an error.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.Duration.String()) }
