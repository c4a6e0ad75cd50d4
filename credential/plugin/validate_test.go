package plugin_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imagepull/imagepull/credential/plugin"
)

// TestValidate: the kubelet's validateCredentialProviderConfig cases and texts, named as in its
// Test_validateCredentialProviderConfig (pkg/credentialprovider/plugin/config_test.go:752-1222,
// k8s.io/kubernetes v1.37.2; see upstream_config_test.go for the count), then the checks
// beyond it. The kubelet's prefix "failed to validate credential provider config: " is added by
// Validate, as the kubelet adds it where it calls the validation.
func TestValidate(t *testing.T) {
	yes, no := true, false
	valid := func() plugin.ProviderConfig {
		return plugin.ProviderConfig{
			Name: "foobar", MatchImages: []string{"foobar.registry.io"}, APIVersion: plugin.ProtocolV1alpha1,
			DefaultCacheDuration: &plugin.Duration{Duration: time.Minute},
		}
	}
	with := func(edit func(*plugin.ProviderConfig)) []plugin.ProviderConfig {
		p := valid()
		edit(&p)
		return []plugin.ProviderConfig{p}
	}
	withToken := func(ta plugin.TokenAttributes) []plugin.ProviderConfig {
		return with(func(p *plugin.ProviderConfig) { p.APIVersion = plugin.ProtocolV1; p.TokenAttributes = &ta })
	}
	const prefix = "failed to validate credential provider config: "
	tests := []struct {
		name      string
		providers []plugin.ProviderConfig
		want      string // "" means valid
	}{
		{"valid config", with(func(*plugin.ProviderConfig) {}), ""},
		{"no providers provided", nil, "providers: Required value: at least 1 item in plugins is required"},
		{"no matchImages provided", with(func(p *plugin.ProviderConfig) { p.MatchImages = []string{} }),
			"providers.matchImages: Required value: at least 1 item in matchImages is required"},
		{"no default cache duration provided", with(func(p *plugin.ProviderConfig) { p.DefaultCacheDuration = nil }),
			"providers.defaultCacheDuration: Required value"},
		{"name contains '/'", with(func(p *plugin.ProviderConfig) { p.Name = "foo/../bar" }),
			`providers.name: Invalid value: "foo/../bar": provider name cannot contain '/'`},
		{"name is '.'", with(func(p *plugin.ProviderConfig) { p.Name = "." }), `providers.name: Invalid value: ".": provider name cannot be '.'`},
		{"name is '..'", with(func(p *plugin.ProviderConfig) { p.Name = ".." }), `providers.name: Invalid value: "..": provider name cannot be '..'`},
		{"name contains spaces", with(func(p *plugin.ProviderConfig) { p.Name = "foo bar" }),
			`providers.name: Invalid value: "foo bar": provider name cannot contain spaces`},
		{"duplicate names", []plugin.ProviderConfig{valid(), valid()}, `providers.name: Duplicate value: "foobar"`},
		{"no apiVersion", with(func(p *plugin.ProviderConfig) { p.APIVersion = "" }), "providers.apiVersion: Required value"},
		{"invalid apiVersion", with(func(p *plugin.ProviderConfig) { p.APIVersion = "credentialprovider.kubelet.k8s.io/v1alpha0" }),
			`providers.apiVersion: Unsupported value: "credentialprovider.kubelet.k8s.io/v1alpha0": supported values: "credentialprovider.kubelet.k8s.io/v1", "credentialprovider.kubelet.k8s.io/v1alpha1", "credentialprovider.kubelet.k8s.io/v1beta1"`},
		{"negative default cache duration", with(func(p *plugin.ProviderConfig) { p.DefaultCacheDuration.Duration = -time.Minute }),
			`providers.defaultCacheDuration: Invalid value: "-1m0s": must be greater than or equal to 0`},
		{"invalid match image", with(func(p *plugin.ProviderConfig) { p.MatchImages = []string{"%invalid%"} }),
			`providers.matchImages: Invalid value: "%invalid%": match image is invalid: parse "https://%invalid%": invalid URL escape "%in"`},
		{"several problems in the aggregate form", with(func(p *plugin.ProviderConfig) { p.Name = "a b/c"; p.APIVersion = "" }),
			`[providers.name: Invalid value: "a b/c": provider name cannot contain '/', providers.name: Invalid value: "a b/c": provider name cannot contain spaces, providers.apiVersion: Required value]`},

		{"token attributes not nil but empty ServiceAccountTokenAudience", withToken(plugin.TokenAttributes{CacheType: plugin.CacheTypeToken,
			RequiredServiceAccountAnnotationKeys: []string{"prefix.io/annotation-1", "prefix.io/annotation-2"}, RequireServiceAccount: &yes}),
			"providers.tokenAttributes.serviceAccountTokenAudience: Required value"},
		{"token attributes not nil but empty CacheType", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", RequireServiceAccount: &yes}),
			"providers.tokenAttributes.cacheType: Required value: cacheType is required to be set when tokenAttributes is specified. Supported values are: ServiceAccount, Token"},
		{"token attributes not nil, invalid CacheType", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: "invalid-cache-type", RequireServiceAccount: &yes}),
			`providers.tokenAttributes.cacheType: Unsupported value: "invalid-cache-type": supported values: "ServiceAccount", "Token"`},
		{"token attributes not nil but empty ServiceAccountTokenRequired", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeServiceAccount,
			RequiredServiceAccountAnnotationKeys: []string{"prefix.io/annotation-1", "prefix.io/annotation-2"}}),
			"providers.tokenAttributes.requireServiceAccount: Required value"},
		{"required service account annotation keys not qualified name (same validation as metav1.ObjectMeta)", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeToken,
			RequireServiceAccount: &yes, RequiredServiceAccountAnnotationKeys: []string{"cantendwithadash-", "now-with-dashes/simple"}}),
			`providers.tokenAttributes.requiredServiceAccountAnnotationKeys: Invalid value: "cantendwithadash-": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`},
		{"optional service account annotation keys not qualified name (same validation as metav1.ObjectMeta)", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeServiceAccount,
			RequireServiceAccount: &yes, OptionalServiceAccountAnnotationKeys: []string{"cantendwithadash-", "now-with-dashes/simple"}}),
			`providers.tokenAttributes.optionalServiceAccountAnnotationKeys: Invalid value: "cantendwithadash-": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`},
		{"annotation key with a bad prefix", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeToken,
			RequireServiceAccount: &yes, OptionalServiceAccountAnnotationKeys: []string{"-bad.io/key", "/key", "a/b/c"}}),
			`[providers.tokenAttributes.optionalServiceAccountAnnotationKeys: Invalid value: "-bad.io/key": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), ` +
				`providers.tokenAttributes.optionalServiceAccountAnnotationKeys: Invalid value: "/key": prefix part must be non-empty, ` +
				`providers.tokenAttributes.optionalServiceAccountAnnotationKeys: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')]`},
		{"upper case annotation keys are fine", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeToken,
			RequireServiceAccount: &yes, RequiredServiceAccountAnnotationKeys: []string{"Example.COM/Client-ID"}}), ""},
		{"duplicate required service account annotation keys", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeToken,
			RequireServiceAccount: &yes, RequiredServiceAccountAnnotationKeys: []string{"now-with-dashes/simple", "now-with-dashes/simple"}}),
			`providers.tokenAttributes.requiredServiceAccountAnnotationKeys: Duplicate value: "now-with-dashes/simple"`},
		{"duplicate optional service account annotation keys", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeServiceAccount,
			RequireServiceAccount: &yes, OptionalServiceAccountAnnotationKeys: []string{"now-with-dashes/simple", "now-with-dashes/simple"}}),
			`providers.tokenAttributes.optionalServiceAccountAnnotationKeys: Duplicate value: "now-with-dashes/simple"`},
		{"annotation key in required and optional keys", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeToken,
			RequireServiceAccount: &yes, RequiredServiceAccountAnnotationKeys: []string{"now-with-dashes/simple-1", "now-with-dashes/simple-2"},
			OptionalServiceAccountAnnotationKeys: []string{"now-with-dashes/simple-2", "now-with-dashes/simple-3"}}),
			`providers.tokenAttributes: Invalid value: ["now-with-dashes/simple-2"]: annotation keys cannot be both required and optional`},
		{"required annotation keys set when requireServiceAccount is false", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeServiceAccount,
			RequireServiceAccount: &no, RequiredServiceAccountAnnotationKeys: []string{"now-with-dashes/simple-1", "now-with-dashes/simple-2"}}),
			"providers.tokenAttributes.requiredServiceAccountAnnotationKeys: Forbidden: requireServiceAccount cannot be false when requiredServiceAccountAnnotationKeys is set"},
		{"valid config with KubeletServiceAccountTokenForCredentialProviders feature gate enabled", withToken(plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeToken,
			RequireServiceAccount: &yes, RequiredServiceAccountAnnotationKeys: []string{"now-with-dashes/simple-1", "now-with-dashes/simple-2"},
			OptionalServiceAccountAnnotationKeys: []string{"now-with-dashes/simple-3"}}), ""},
		{"tokenAttributes set with credentialprovider.kubelet.k8s.io/v1beta1 APIVersion", with(func(p *plugin.ProviderConfig) {
			p.APIVersion = plugin.ProtocolV1beta1
			p.TokenAttributes = &plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeServiceAccount,
				RequireServiceAccount: &yes, RequiredServiceAccountAnnotationKeys: []string{"now-with-dashes/simple"}}
		}), "providers.tokenAttributes: Forbidden: tokenAttributes is only supported for credentialprovider.kubelet.k8s.io/v1 API version"},
		{"tokenAttributes set with credentialprovider.kubelet.k8s.io/v1alpha1 APIVersion", with(func(p *plugin.ProviderConfig) {
			p.TokenAttributes = &plugin.TokenAttributes{ServiceAccountTokenAudience: "audience", CacheType: plugin.CacheTypeToken,
				RequireServiceAccount: &yes, RequiredServiceAccountAnnotationKeys: []string{"now-with-dashes/simple"}}
		}), "providers.tokenAttributes: Forbidden: tokenAttributes is only supported for credentialprovider.kubelet.k8s.io/v1 API version"},

		// Beyond the kubelet: it accepts these and then never matches, or never runs, the plugin.
		{"match image with a scheme", with(func(p *plugin.ProviderConfig) { p.MatchImages = []string{"https://gcr.io"} }),
			`providers.matchImages: Invalid value: "https://gcr.io": match image is invalid: must not contain a scheme (https://): it would never match an image`},
		{"NUL in an argument", with(func(p *plugin.ProviderConfig) { p.Args = []string{"a\x00b"} }),
			`providers.args: Invalid value: "a\x00b": must not contain a NUL byte`},
		{"NUL in an environment variable", with(func(p *plugin.ProviderConfig) { p.Env = []plugin.EnvVar{{Name: "A", Value: "\x00"}} }),
			`providers.env: Invalid value: "A": must not contain a NUL byte`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := (&plugin.Config{Providers: tc.providers}).Validate()
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, plugin.ErrInvalidConfig)
			assert.EqualError(t, err, prefix+tc.want)
		})
	}
}
